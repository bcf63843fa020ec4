//! Supplier orders from the import-planning feed, and the supplier lead-time report over them.
//!
//! An order counts in the period by the local day it was received. Its lead time runs from the
//! day it was sent to that day; it is on time when received by the day the supplier's first
//! confirmation promised, since later dates (a ship that sails late) are the supplier's to miss.

use std::collections::BTreeMap;

use atq_platform::error::Result;
use atq_platform::feed_consumer::Projection;
use atq_platform::{Db, Tx, outbox};
use atq_proto::events::v1::Event;
use atq_proto::importplanning::v1 as purchasing;
use chrono::NaiveDate;
use prost::Message;

use crate::supplier_facts_store;

pub(crate) const RECEIVED: &str = "received";
pub(crate) const CANCELLED: &str = "cancelled";

pub struct SupplierFacts;

#[tonic::async_trait]
impl Projection for SupplierFacts {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<()> {
        if !outbox::is::<purchasing::PurchaseOrderChanged>(event) {
            return Ok(());
        }
        let Some(order) = purchasing::PurchaseOrderChanged::decode(event.payload.as_slice())?.order else {
            return Ok(());
        };
        // Each event carries the whole order as it stands, so the newest one wins; guarded by the
        // feed position, a replay changes nothing.
        supplier_facts_store::record(tx, &order, event.position).await
    }
}

/// One supplier order as the report reads it.
#[derive(Clone, Debug, Default)]
pub struct OrderRow {
    pub supplier_id: i64,
    pub supplier_code: String,
    pub supplier_name: String,
    pub status: String,
    pub sent_on: Option<NaiveDate>,
    pub promised_on: Option<NaiveDate>,
    pub received_on: Option<NaiveDate>,
    pub units: i64,
}

/// One supplier's figures (or all suppliers'). Sums are kept so the averages are exact until
/// they are rounded once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Performance {
    pub supplier_id: i64,
    pub supplier_code: String,
    pub supplier_name: String,
    pub orders_received: i64,
    pub units_received: i64,
    lead_time_days: i64,
    lead_time_orders: i64,
    pub max_lead_time_days: Option<i64>,
    pub orders_promised: i64,
    pub orders_on_time: i64,
    pub orders_late: i64,
    delay_days: i64,
    pub open_orders: i64,
    pub open_orders_overdue: i64,
}

/// `sum / count` scaled by `scale`, rounded half up; None when there is nothing to divide.
fn ratio(sum: i64, count: i64, scale: i64) -> Option<i64> {
    (count > 0).then(|| (2 * sum * scale + count).div_euclid(2 * count))
}

impl Performance {
    /// Average days from sent to received, in tenths of a day.
    pub fn average_lead_time_tenths(&self) -> Option<i64> {
        ratio(self.lead_time_days, self.lead_time_orders, 10)
    }

    /// Promised orders received on time, in basis points of those promised.
    pub fn on_time_rate_bp(&self) -> Option<i32> {
        ratio(self.orders_on_time, self.orders_promised, 10_000).and_then(|bp| i32::try_from(bp).ok())
    }

    /// Average days late of the late orders, in tenths of a day.
    pub fn average_delay_tenths(&self) -> Option<i64> {
        ratio(self.delay_days, self.orders_late, 10)
    }

    fn add(&mut self, order: &OrderRow, from: NaiveDate, to: NaiveDate, today: NaiveDate) {
        match order.received_on {
            Some(received) if order.status == RECEIVED => {
                if received < from || received > to {
                    return;
                }
                self.orders_received += 1;
                self.units_received += order.units;
                if let Some(sent) = order.sent_on {
                    let days = (received - sent).num_days();
                    self.lead_time_days += days;
                    self.lead_time_orders += 1;
                    self.max_lead_time_days = Some(self.max_lead_time_days.map_or(days, |max| max.max(days)));
                }
                if let Some(promised) = order.promised_on {
                    self.orders_promised += 1;
                    if received <= promised {
                        self.orders_on_time += 1;
                    } else {
                        self.orders_late += 1;
                        self.delay_days += (received - promised).num_days();
                    }
                }
            }
            _ if order.status != CANCELLED && order.status != RECEIVED && order.sent_on.is_some() => {
                self.open_orders += 1;
                if order.promised_on.is_some_and(|promised| promised < today) {
                    self.open_orders_overdue += 1;
                }
            }
            _ => {}
        }
    }

    fn is_empty(&self) -> bool {
        self.orders_received == 0 && self.open_orders == 0
    }
}

pub struct SupplierReport {
    /// Suppliers with an order received in the period or open today, by code.
    pub suppliers: Vec<Performance>,
    pub total: Performance,
}

/// The report over orders in feed order: a supplier's code and name are those of its newest
/// order, in case it was renamed.
pub fn summarize(orders: &[OrderRow], from: NaiveDate, to: NaiveDate, today: NaiveDate) -> SupplierReport {
    let mut by_supplier: BTreeMap<i64, Performance> = BTreeMap::new();
    let mut total = Performance::default();
    for order in orders {
        let supplier = by_supplier.entry(order.supplier_id).or_default();
        supplier.add(order, from, to, today);
        total.add(order, from, to, today);
        if !supplier.is_empty() {
            supplier.supplier_id = order.supplier_id;
            supplier.supplier_code.clone_from(&order.supplier_code);
            supplier.supplier_name.clone_from(&order.supplier_name);
        }
    }
    let mut suppliers: Vec<Performance> = by_supplier.into_values().filter(|s| !s.is_empty()).collect();
    suppliers.sort_by(|a, b| (&a.supplier_code, a.supplier_id).cmp(&(&b.supplier_code, b.supplier_id)));
    SupplierReport { suppliers, total }
}

/// Orders received between two local dates (inclusive) and orders open on `today`, per supplier.
pub async fn supplier_performance(db: &Db, from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Result<SupplierReport> {
    let orders = supplier_facts_store::report_orders(db, from, to).await?;
    Ok(summarize(&orders, from, to, today))
}

#[cfg(test)]
#[path = "supplier_facts_tests.rs"]
mod tests;
