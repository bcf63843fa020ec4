//! The table of customers as analytics counts them.

use atq_platform::business_time::week_start;
use atq_platform::error::Result;
use atq_platform::{Db, Office, Tx};
use chrono::NaiveDate;

/// A new customer: its local creation day and instant.
pub struct CustomerFact<'a> {
    pub customer_id: i64,
    pub code: &'a str,
    pub office: Office,
    pub group: &'a str,
    pub day: NaiveDate,
    pub micros: i64,
}

/// Keeps a new customer; the primary key makes a replayed event harmless even without the cursor.
/// True when it was new.
#[tracing::instrument(level = "debug", skip_all, fields(customer_id = fact.customer_id))]
pub async fn record(tx: &mut Tx, fact: &CustomerFact<'_>) -> Result<bool> {
    let kept = sqlx::query(
        "INSERT INTO customer_facts (customer_id, code, office, customer_group, created_on, week_start, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (customer_id) DO NOTHING",
    )
    .bind(fact.customer_id)
    .bind(fact.code)
    .bind(fact.office.code())
    .bind(fact.group)
    .bind(fact.day.to_string())
    .bind(week_start(fact.day).to_string())
    .bind(fact.micros)
    .execute(&mut **tx)
    .await?;
    Ok(kept.rows_affected() > 0)
}

/// New customers per local week, office and group code, for customers created between the two
/// local dates (inclusive), as stored text.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn count_by_week(db: &Db, from: NaiveDate, to: NaiveDate) -> Result<Vec<(String, String, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT week_start, office, customer_group, COUNT(*) AS customers FROM customer_facts \
         WHERE created_on >= $1 AND created_on <= $2 \
         GROUP BY week_start, office, customer_group ORDER BY week_start, office, customer_group",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(db.pool())
    .await?)
}
