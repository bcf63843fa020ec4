//! Supplier orders from draft to goods received: drafting (from the plans' proposals or lines as
//! given), each step of the supplier's dates, and the receipt at landed cost. Every step re-plans
//! the order's products, so promises follow the supplier's dates, and tells the feed.

mod advance;
mod create;
mod receive;

use std::collections::BTreeSet;

use atq_platform::business_time::{date_from_proto, local_date, now_micros};
use atq_platform::error::Result;
use atq_platform::validation::Violations;
use atq_platform::{Error, Tx, outbox};
use atq_proto::common::v1::LocalDate;
use atq_proto::importplanning::v1 as pb;
use chrono::NaiveDate;

pub use advance::advance;
pub use create::{Draft, check, create};
pub use receive::receive;

use crate::purchase_order_store as store;
use crate::replanning::Planning;

fn today() -> NaiveDate {
    local_date(now_micros())
}

fn optional_day(v: &mut Violations, field: &str, date: &Option<LocalDate>) -> Option<NaiveDate> {
    date.as_ref().and_then(|d| v.check(field, date_from_proto(d)))
}

/// The order as it stands, expected dates counted from today.
pub async fn found(tx: &mut Tx, id: i64) -> Result<pb::PurchaseOrder> {
    store::find(tx, id, today()).await?.ok_or_else(|| Error::NotFound(format!("supplier order {id}")))
}

/// Re-plans the order's products and tells the feed: both in the step's transaction.
async fn after_step(planning: &Planning, tx: &mut Tx, order: &pb::PurchaseOrder) -> Result<()> {
    let products: BTreeSet<i64> = order.lines.iter().map(|l| l.product_id).collect();
    planning.run_for(tx, products).await?;
    let event = pb::PurchaseOrderChanged { order: Some(order.clone()) };
    outbox::record(tx, planning.db.backend(), "purchase_order", &order.number, &event).await
}
