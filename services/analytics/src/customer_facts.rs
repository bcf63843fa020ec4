//! The sales feed folded into one row per customer, and the weekly new-customers report.

use atq_platform::business_time::{local_date, timestamp_micros, week_start};
use atq_platform::error::Result;
use atq_platform::feed_consumer::Projection;
use atq_platform::{Db, Error, Office, Tx};
use atq_proto::events::v1::Event;
use atq_proto::sales::v1 as sales;
use chrono::NaiveDate;
use prost::Message;

pub struct CustomerFacts;

#[tonic::async_trait]
impl Projection for CustomerFacts {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<()> {
        if event.event_type != "atq.sales.v1.CustomerCreated" {
            return Ok(());
        }
        let created = sales::CustomerCreated::decode(event.payload.as_slice())?;
        let micros = created.created_at.as_ref().map(timestamp_micros).unwrap_or_default();
        let day = local_date(micros);
        let office = Office::from_proto(created.office).map_err(|e| Error::internal(anyhow::anyhow!("office: {e}")))?;
        let group = group_code(created.group).ok_or_else(|| Error::internal(anyhow::anyhow!("unknown group")))?;
        // The primary key makes a replayed event harmless even without the cursor.
        sqlx::query(
            "INSERT INTO customer_facts (customer_id, code, office, customer_group, created_on, week_start, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (customer_id) DO NOTHING",
        )
        .bind(created.customer_id)
        .bind(&created.code)
        .bind(office.code())
        .bind(group)
        .bind(day.to_string())
        .bind(week_start(day).to_string())
        .bind(micros)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

pub(crate) fn group_code(value: i32) -> Option<&'static str> {
    match sales::CustomerGroup::try_from(value).ok()? {
        sales::CustomerGroup::Individual => Some("individual"),
        sales::CustomerGroup::Dealer => Some("dealer"),
        sales::CustomerGroup::Project => Some("project"),
        sales::CustomerGroup::Unspecified => None,
    }
}

fn group_from_code(code: &str) -> sales::CustomerGroup {
    match code {
        "individual" => sales::CustomerGroup::Individual,
        "dealer" => sales::CustomerGroup::Dealer,
        "project" => sales::CustomerGroup::Project,
        _ => sales::CustomerGroup::Unspecified,
    }
}

pub struct WeekRow {
    pub week_start: NaiveDate,
    pub office: Office,
    pub group: sales::CustomerGroup,
    pub count: i64,
}

/// New customers per local week, office and group, for customers created between the two local
/// dates (inclusive).
pub async fn new_customers_by_week(db: &Db, from: NaiveDate, to: NaiveDate) -> Result<Vec<WeekRow>> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT week_start, office, customer_group, COUNT(*) AS customers FROM customer_facts \
         WHERE created_on >= $1 AND created_on <= $2 \
         GROUP BY week_start, office, customer_group ORDER BY week_start, office, customer_group",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(week, office, group, count)| {
            Ok(WeekRow {
                week_start: week.parse().map_err(Error::internal)?,
                office: Office::parse(&office).map_err(|e| Error::internal(anyhow::anyhow!(e)))?,
                group: group_from_code(&group),
                count,
            })
        })
        .collect()
}
