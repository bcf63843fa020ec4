//! Re-evaluation proposals and the figures they are made from: one set of queries for SQLite and
//! PostgreSQL. Sales figures come from this service's own confirmed orders.

use atq_platform::business_time::now_micros;
use atq_platform::error::Result;
use atq_platform::{Error, Tx};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::tier_rules::Tier;

#[derive(Clone, Debug)]
pub struct ReEvaluationRow {
    pub id: i64,
    pub year: i32,
    pub customer_id: i64,
    pub customer_name: String,
    pub office: String,
    pub current_tier: Tier,
    pub proposed_tier: Option<Tier>,
    pub evaluation_id: i64,
    pub previous_year_sales: i64,
    pub year_sales: i64,
    pub status: String,
    pub confirmed_by: String,
    pub confirmed_at: i64,
    pub created_at: i64,
}

/// A proposal before it is stored.
pub struct NewProposal {
    pub year: i32,
    pub customer_id: i64,
    pub current_tier: Tier,
    pub proposed_tier: Option<Tier>,
    pub evaluation_id: i64,
    pub previous_year_sales: i64,
    pub year_sales: i64,
}

const SELECT: &str = "SELECT r.id, r.year, r.customer_id, c.name AS customer_name, c.office, r.current_tier, \
     r.proposed_tier, r.evaluation_id, r.previous_year_sales, r.year_sales, r.status, r.confirmed_by, \
     r.confirmed_at, r.created_at FROM dealer_re_evaluations r JOIN customers c ON c.id = r.customer_id";

fn from_row(row: &AnyRow) -> Result<ReEvaluationRow> {
    let proposed: String = row.try_get("proposed_tier")?;
    let year: i64 = row.try_get("year")?;
    Ok(ReEvaluationRow {
        id: row.try_get("id")?,
        year: i32::try_from(year).map_err(Error::internal)?,
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        office: row.try_get("office")?,
        current_tier: Tier::stored(&row.try_get::<String, _>("current_tier")?)?,
        proposed_tier: if proposed == crate::tier_rules::NOT_ELIGIBLE { None } else { Some(Tier::stored(&proposed)?) },
        evaluation_id: row.try_get("evaluation_id")?,
        previous_year_sales: row.try_get("previous_year_sales")?,
        year_sales: row.try_get("year_sales")?,
        status: row.try_get("status")?,
        confirmed_by: row.try_get("confirmed_by")?,
        confirmed_at: row.try_get("confirmed_at")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Net totals of the customer's confirmed or completed orders confirmed in [from, until).
pub async fn order_sales(tx: &mut Tx, customer_id: i64, from: i64, until: i64) -> Result<i64> {
    let total: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(total_net) AS BIGINT) FROM orders WHERE customer_id = $1 \
         AND status IN ('confirmed', 'completed') AND confirmed_at >= $2 AND confirmed_at < $3",
    )
    .bind(customer_id)
    .bind(from)
    .bind(until)
    .fetch_one(&mut **tx)
    .await?;
    Ok(total.unwrap_or_default())
}

/// The latest-year big-brand share, staff and shops of the customer's last approved application.
pub async fn declared_figures(tx: &mut Tx, customer_id: i64) -> Result<(i64, i64, i64)> {
    let row = sqlx::query(
        "SELECT y.big_brand_share_bp, y.staff, y.shops FROM dealer_applications a \
         JOIN dealer_application_years y ON y.application_id = a.id \
         WHERE a.customer_id = $1 AND a.status = 'approved' ORDER BY a.id DESC, y.year DESC LIMIT 1",
    )
    .bind(customer_id)
    .fetch_optional(&mut **tx)
    .await?;
    match row {
        Some(row) => Ok((row.try_get("big_brand_share_bp")?, row.try_get("staff")?, row.try_get("shops")?)),
        None => Ok((0, 0, 0)),
    }
}

pub async fn exists(tx: &mut Tx, year: i32, customer_id: i64) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM dealer_re_evaluations WHERE year = $1 AND customer_id = $2")
            .bind(i64::from(year))
            .bind(customer_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(found.is_some())
}

pub async fn insert(tx: &mut Tx, proposal: &NewProposal) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO dealer_re_evaluations (year, customer_id, current_tier, proposed_tier, evaluation_id, \
         previous_year_sales, year_sales, status, confirmed_by, confirmed_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'proposed', '', 0, $8) RETURNING id",
    )
    .bind(i64::from(proposal.year))
    .bind(proposal.customer_id)
    .bind(proposal.current_tier.as_str())
    .bind(Tier::text_of(proposal.proposed_tier))
    .bind(proposal.evaluation_id)
    .bind(proposal.previous_year_sales)
    .bind(proposal.year_sales)
    .bind(now_micros())
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn find(tx: &mut Tx, id: i64) -> Result<Option<ReEvaluationRow>> {
    let row = sqlx::query(&format!("{SELECT} WHERE r.id = $1")).bind(id).fetch_optional(&mut **tx).await?;
    row.as_ref().map(from_row).transpose()
}

/// The proposals of `year` (0 for every year) in `status` ('' for both), in `office` ('' for all).
pub async fn list(tx: &mut Tx, year: i32, status: &str, office: &str) -> Result<Vec<ReEvaluationRow>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE ($1 = 0 OR r.year = $1) AND ($2 = '' OR r.status = $2) AND ($3 = '' OR c.office = $3) \
         ORDER BY r.id"
    ))
    .bind(i64::from(year))
    .bind(status)
    .bind(office)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Marks a proposal confirmed unless someone confirmed it first.
pub async fn confirm(tx: &mut Tx, id: i64, by: &str) -> Result<bool> {
    let updated = sqlx::query(
        "UPDATE dealer_re_evaluations SET status = 'confirmed', confirmed_by = $1, confirmed_at = $2 \
         WHERE id = $3 AND status = 'proposed'",
    )
    .bind(by)
    .bind(now_micros())
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(updated == 1)
}
