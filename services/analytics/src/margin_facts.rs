//! Cost of goods sold from the accounting-warehouse feed: every goods issue line at its
//! moving-average cost on the local day it left the warehouse, and every return line taking its
//! units, revenue and cost back on the day it came back. The margin reports read these rows (see
//! `margin.rs`); nothing is recomputed from the warehouse's documents when a report is asked.

use atq_platform::business_time::{date_from_proto, local_date, timestamp_micros};
use atq_platform::error::Result;
use atq_platform::{Error, Office, Tx, outbox};
use atq_proto::accountingwarehouse::v1 as wh;
use atq_proto::events::v1::Event;
use prost::Message;

use crate::margin_store::rollup::{Change, Lines};
use crate::margin_store::{self, MarginFact};
use crate::product_facts::UNKNOWN;
use crate::rollup_batch::{Batched, Pending};
use crate::sales_facts::rollup as sales_rollup;

pub struct MarginFacts;

crate::rollup_batch::per_event!(MarginFacts);

#[tonic::async_trait]
impl Batched for MarginFacts {
    async fn apply_into(&self, tx: &mut Tx, event: &Event, pending: &mut Pending) -> Result<()> {
        let occurred_at = event.occurred_at.as_ref().map(timestamp_micros).unwrap_or_default();
        if outbox::is::<wh::GoodsIssued>(event) {
            if let Some(issue) = wh::GoodsIssued::decode(event.payload.as_slice())?.issue {
                issued(tx, &issue, occurred_at, pending).await?;
            }
        } else if outbox::is::<wh::SalesReturned>(event)
            && let Some(sales_return) = wh::SalesReturned::decode(event.payload.as_slice())?.sales_return
        {
            returned(tx, &sales_return, occurred_at, pending).await?;
        }
        Ok(())
    }
}

fn office_code(value: i32) -> &'static str {
    Office::from_proto(value).map(Office::code).unwrap_or(UNKNOWN)
}

/// Each issued line, positive, with its cost; its revenue comes from the order when read.
async fn issued(tx: &mut Tx, issue: &wh::GoodsIssue, occurred_at: i64, pending: &mut Pending) -> Result<()> {
    let day = local_date(issue.created_at.as_ref().map(timestamp_micros).unwrap_or(occurred_at));
    let change = Change::start(tx, Lines::Document(margin_store::ISSUE, issue.number.clone()), pending).await?;
    for line in &issue.lines {
        let fact = MarginFact {
            source: margin_store::ISSUE,
            document: issue.number.clone(),
            line_no: line.line_no,
            day,
            office: office_code(issue.warehouse),
            order_number: &issue.order_ref,
            product_id: line.product_id,
            quantity: line.quantity,
            revenue: 0,
            cost: line.cost_amount,
        };
        margin_store::record(tx, &fact).await?;
    }
    change.finish(tx, pending).await
}

/// Each returned line, negative: its net amount off the revenue and its cost off the cost.
async fn returned(tx: &mut Tx, sales_return: &wh::SalesReturn, occurred_at: i64, pending: &mut Pending) -> Result<()> {
    // A date the feed cannot have written counts on the event's day, not refused: a refusal
    // would stop the whole feed.
    let day = sales_return
        .returned_on
        .as_ref()
        .and_then(|date| date_from_proto(date).ok())
        .unwrap_or_else(|| local_date(occurred_at));
    let document = sales_return.id.to_string();
    let margins = Change::start(tx, Lines::Document(margin_store::RETURN, document.clone()), pending).await?;
    // The return's lines for the sales report are kept here, before `ReturnFacts` would keep them
    // (it calls this projection first), so the sales rollup sees them arrive.
    let sales = sales_rollup::Change::start(tx, sales_rollup::Lines::Return(sales_return.id), pending).await?;
    crate::return_facts_store::record(tx, sales_return, day, office_code(sales_return.office)).await?;
    sales.finish(tx, pending).await?;
    let negative = |n: i64, what: &str| n.checked_neg().ok_or_else(|| Error::internal(anyhow::anyhow!("{what}")));
    for line in &sales_return.lines {
        let fact = MarginFact {
            source: margin_store::RETURN,
            document: document.clone(),
            line_no: line.line_no,
            day,
            office: office_code(sales_return.office),
            order_number: &sales_return.order_number,
            product_id: line.product_id,
            quantity: negative(line.quantity, "returned quantity")?,
            revenue: negative(line.net_amount, "returned net amount")?,
            cost: negative(line.cost_amount, "returned cost")?,
        };
        margin_store::record(tx, &fact).await?;
    }
    margins.finish(tx, pending).await
}
