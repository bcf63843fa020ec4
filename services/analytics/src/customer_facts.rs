//! The sales feed folded into one row per customer, and the weekly new-customers report.

use atq_platform::business_time::{local_date, timestamp_micros};
use atq_platform::error::Result;
use atq_platform::{Db, Error, Office, Tx, outbox};
use atq_proto::events::v1::Event;
use atq_proto::sales::v1 as sales;
use chrono::NaiveDate;
use prost::Message;

use crate::customer_facts_store::{self, CustomerFact};
use crate::rollup_batch::{Batched, Pending};

pub struct CustomerFacts;

crate::rollup_batch::per_event!(CustomerFacts);

#[tonic::async_trait]
impl Batched for CustomerFacts {
    async fn apply_into(&self, tx: &mut Tx, event: &Event, pending: &mut Pending) -> Result<()> {
        if !outbox::is::<sales::CustomerCreated>(event) {
            return Ok(());
        }
        let created = sales::CustomerCreated::decode(event.payload.as_slice())?;
        let micros = created.created_at.as_ref().map(timestamp_micros).unwrap_or_default();
        let day = local_date(micros);
        let office = Office::from_proto(created.office).map_err(|e| Error::internal(anyhow::anyhow!("office: {e}")))?;
        let group = group_code(created.group).ok_or_else(|| Error::internal(anyhow::anyhow!("unknown group")))?;
        let fact = CustomerFact { customer_id: created.customer_id, code: &created.code, office, group, day, micros };
        if customer_facts_store::record(tx, &fact).await? {
            // Invoices and payments read before the customer move under its office.
            crate::receivable_rollup::customer_known(tx, fact.customer_id, office.code(), pending).await?;
        }
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
    let rows = customer_facts_store::count_by_week(db, from, to).await?;
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
