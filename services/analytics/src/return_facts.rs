//! Returned goods from the accounting-warehouse feed: a return takes its net, VAT and units off
//! the sales report in the local month it came back, under the office, customer group,
//! salesperson, category and brand of the sale, so the report stays exact whichever month the
//! goods were sold in.

use atq_platform::business_time::{date_from_proto, local_date, timestamp_micros};
use atq_platform::error::Result;
use atq_platform::{Db, Error, Office, Tx, outbox};
use atq_proto::accountingwarehouse::v1 as wh;
use atq_proto::events::v1::Event;
use chrono::NaiveDate;
use prost::Message;

use crate::product_facts::UNKNOWN;
use crate::return_facts_store;
use crate::rollup_batch::{Batched, Pending};
use crate::sales_facts_store::LineRow;

pub struct ReturnFacts;

crate::rollup_batch::per_event!(ReturnFacts);

#[tonic::async_trait]
impl Batched for ReturnFacts {
    async fn apply_into(&self, tx: &mut Tx, event: &Event, pending: &mut Pending) -> Result<()> {
        // Invoices and payments of the same feed, for the accounting summary.
        crate::summary_facts::AccountingFacts.apply_into(tx, event, pending).await?;
        // Goods issued and returned at cost, for the margin reports.
        crate::margin_facts::MarginFacts.apply_into(tx, event, pending).await?;
        if !outbox::is::<wh::SalesReturned>(event) {
            return Ok(());
        }
        let Some(sales_return) = wh::SalesReturned::decode(event.payload.as_slice())?.sales_return else {
            return Ok(());
        };
        // A date the feed cannot have written counts on the day of the event, not refused: a
        // refusal would stop the whole feed.
        let occurred_at = event.occurred_at.as_ref().map(timestamp_micros).unwrap_or_default();
        let returned_on = sales_return
            .returned_on
            .as_ref()
            .and_then(|date| date_from_proto(date).ok())
            .unwrap_or_else(|| local_date(occurred_at));
        let office = Office::from_proto(sales_return.office).map(Office::code).unwrap_or(UNKNOWN);
        // Replayed events change nothing: a return line is kept once.
        return_facts_store::record(tx, &sales_return, returned_on, office).await?;
        crate::customer_value_store::refresh_returns(tx, sales_return.customer_id).await
    }
}

/// Return lines between two local dates (inclusive), of one office when given, as negative
/// report lines that count no order.
pub async fn report_lines(db: &Db, from: NaiveDate, to: NaiveDate, office: Option<Office>) -> Result<Vec<LineRow>> {
    let mut lines = return_facts_store::report_lines(db, from, to, office).await?;
    for line in &mut lines {
        line.quantity = line.quantity.checked_neg().ok_or_else(|| Error::internal(anyhow::anyhow!("quantity")))?;
        line.net = line.net.checked_neg().ok_or_else(|| Error::internal(anyhow::anyhow!("net amount")))?;
        line.vat = line.vat.checked_neg().ok_or_else(|| Error::internal(anyhow::anyhow!("VAT")))?;
    }
    Ok(lines)
}
