//! Supplier orders from the import-planning feed, and the supplier lead-time report over them.
//!
//! An order counts in the period by the local day it was received. Its lead time runs from the
//! day it was sent to that day; it is on time when received by the day the supplier's first
//! confirmation promised, since later dates (a ship that sails late) are the supplier's to miss.

use std::collections::BTreeMap;

use atq_platform::business_time::date_from_proto;
use atq_platform::error::Result;
use atq_platform::feed_consumer::Projection;
use atq_platform::{Db, Tx};
use atq_proto::common::v1::LocalDate;
use atq_proto::events::v1::Event;
use atq_proto::importplanning::v1 as purchasing;
use chrono::NaiveDate;
use prost::Message;

const RECEIVED: &str = "received";
const CANCELLED: &str = "cancelled";

pub struct SupplierFacts;

#[tonic::async_trait]
impl Projection for SupplierFacts {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<()> {
        if event.event_type != "atq.importplanning.v1.PurchaseOrderChanged" {
            return Ok(());
        }
        let Some(order) = purchasing::PurchaseOrderChanged::decode(event.payload.as_slice())?.order else {
            return Ok(());
        };
        // Each event carries the whole order as it stands, so the newest one wins; guarded by the
        // feed position, a replay changes nothing.
        sqlx::query(
            "INSERT INTO supplier_orders (number, order_id, supplier_id, supplier_code, supplier_name, status, sent_on, \
             promised_on, received_on, line_count, units, position) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (number) DO UPDATE SET order_id = excluded.order_id, supplier_id = excluded.supplier_id, \
             supplier_code = excluded.supplier_code, supplier_name = excluded.supplier_name, status = excluded.status, \
             sent_on = excluded.sent_on, promised_on = excluded.promised_on, received_on = excluded.received_on, \
             line_count = excluded.line_count, units = excluded.units, position = excluded.position \
             WHERE supplier_orders.position < excluded.position",
        )
        .bind(&order.number)
        .bind(order.id)
        .bind(order.supplier_id)
        .bind(&order.supplier_code)
        .bind(&order.supplier_name)
        .bind(&order.status)
        .bind(date_text(order.sent_on.as_ref()))
        .bind(date_text(order.promised_on.as_ref()))
        .bind(date_text(order.received_on.as_ref()))
        .bind(order.lines.len() as i64)
        .bind(order.lines.iter().map(|l| l.quantity).sum::<i64>())
        .bind(event.position)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

/// `YYYY-MM-DD`, or '' for a date the order does not have (an unset date may come as zeros).
fn date_text(date: Option<&LocalDate>) -> String {
    date.and_then(|d| date_from_proto(d).ok()).map(|d| d.to_string()).unwrap_or_default()
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

fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Orders received between two local dates (inclusive) and orders open on `today`, per supplier.
pub async fn supplier_performance(db: &Db, from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Result<SupplierReport> {
    type Row = (i64, String, String, String, String, String, String, i64);
    let rows = sqlx::query_as::<_, Row>(
        "SELECT supplier_id, supplier_code, supplier_name, status, sent_on, promised_on, received_on, units \
         FROM supplier_orders \
         WHERE (status = $1 AND received_on >= $3 AND received_on <= $4) \
         OR (status <> $1 AND status <> $2 AND sent_on <> '') \
         ORDER BY position",
    )
    .bind(RECEIVED)
    .bind(CANCELLED)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(db.pool())
    .await?;
    let orders: Vec<OrderRow> = rows
        .into_iter()
        .map(|(supplier_id, supplier_code, supplier_name, status, sent_on, promised_on, received_on, units)| OrderRow {
            supplier_id,
            supplier_code,
            supplier_name,
            status,
            sent_on: parse_date(&sent_on),
            promised_on: parse_date(&promised_on),
            received_on: parse_date(&received_on),
            units,
        })
        .collect();
    Ok(summarize(&orders, from, to, today))
}

#[cfg(test)]
mod tests {
    use atq_platform::business_time::date_to_proto;
    use atq_platform::testing::fresh_database;

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn order(supplier: i64, status: &str, sent: Option<NaiveDate>, promised: Option<NaiveDate>) -> OrderRow {
        OrderRow {
            supplier_id: supplier,
            supplier_code: format!("NCC-{supplier:03}"),
            supplier_name: format!("Supplier {supplier}"),
            status: status.to_owned(),
            sent_on: sent,
            promised_on: promised,
            received_on: None,
            units: 5,
        }
    }

    fn received(supplier: i64, sent: NaiveDate, promised: Option<NaiveDate>, on: NaiveDate) -> OrderRow {
        OrderRow { received_on: Some(on), ..order(supplier, RECEIVED, Some(sent), promised) }
    }

    const FROM: (i32, u32, u32) = (2026, 1, 1);
    const TO: (i32, u32, u32) = (2026, 6, 30);

    fn report(orders: &[OrderRow], today: NaiveDate) -> SupplierReport {
        summarize(orders, date(FROM.0, FROM.1, FROM.2), date(TO.0, TO.1, TO.2), today)
    }

    #[test]
    fn lead_times_and_promises_are_counted_per_supplier() {
        let today = date(2026, 6, 20);
        let orders = [
            // 38 days, two days early.
            received(2, date(2026, 3, 1), Some(date(2026, 4, 10)), date(2026, 4, 8)),
            // 44 days, 10 late.
            received(2, date(2026, 3, 1), Some(date(2026, 4, 4)), date(2026, 4, 14)),
            // 41 days, 1 late.
            received(2, date(2026, 4, 1), Some(date(2026, 5, 11)), date(2026, 5, 12)),
            // 30 days, received on the promised day.
            received(1, date(2026, 5, 1), Some(date(2026, 5, 31)), date(2026, 5, 31)),
            // Never confirmed before it came: no promise to keep.
            received(1, date(2026, 5, 1), None, date(2026, 6, 5)),
        ];
        let report = report(&orders, today);
        let codes: Vec<&str> = report.suppliers.iter().map(|s| s.supplier_code.as_str()).collect();
        assert_eq!(codes, ["NCC-001", "NCC-002"]);
        let (first, second) = (&report.suppliers[0], &report.suppliers[1]);

        assert_eq!((second.orders_received, second.units_received), (3, 15));
        assert_eq!(second.average_lead_time_tenths(), Some(410));
        assert_eq!(second.max_lead_time_days, Some(44));
        assert_eq!((second.orders_promised, second.orders_on_time, second.orders_late), (3, 1, 2));
        assert_eq!(second.on_time_rate_bp(), Some(3333));
        assert_eq!(second.average_delay_tenths(), Some(55));

        // (30 + 35) / 2 = 32.5 days; the one promise was kept, so nothing is late.
        assert_eq!(first.average_lead_time_tenths(), Some(325));
        assert_eq!((first.orders_promised, first.orders_on_time), (1, 1));
        assert_eq!(first.on_time_rate_bp(), Some(10_000));
        assert_eq!(first.average_delay_tenths(), None);

        assert_eq!(report.total.orders_received, 5);
        assert_eq!(report.total.max_lead_time_days, Some(44));
        // 188 days over 5 orders.
        assert_eq!(report.total.average_lead_time_tenths(), Some(376));
        assert_eq!(report.total.on_time_rate_bp(), Some(5000));
    }

    #[test]
    fn open_orders_count_whatever_the_period_and_are_overdue_once_their_promise_has_passed() {
        let today = date(2026, 8, 15);
        let orders = [
            order(3, "confirmed", Some(date(2026, 7, 1)), Some(date(2026, 8, 14))),
            order(3, "shipped", Some(date(2026, 7, 1)), Some(date(2026, 8, 15))),
            order(3, "sent", Some(date(2026, 8, 1)), None),
            // Neither open nor received.
            order(3, "draft", None, None),
            order(3, CANCELLED, Some(date(2026, 7, 1)), Some(date(2026, 7, 30))),
            // Received outside the period.
            received(3, date(2026, 6, 1), Some(date(2026, 7, 1)), date(2026, 7, 2)),
            order(4, "draft", None, None),
        ];
        let report = report(&orders, today);
        assert_eq!(report.suppliers.len(), 1, "supplier 4 has nothing to show");
        let supplier = &report.suppliers[0];
        assert_eq!((supplier.open_orders, supplier.open_orders_overdue), (3, 1));
        assert_eq!(supplier.orders_received, 0);
        assert_eq!(supplier.average_lead_time_tenths(), None);
        assert_eq!(supplier.max_lead_time_days, None);
        assert_eq!(supplier.on_time_rate_bp(), None);
    }

    #[test]
    fn two_thirds_round_half_up() {
        assert_eq!(ratio(2, 3, 10_000), Some(6667));
        assert_eq!(ratio(1, 8, 10), Some(1));
        assert_eq!(ratio(3, 4, 10), Some(8));
        assert_eq!(ratio(1, 0, 10), None);
    }

    fn changed(position: i64, number: &str, status: &str, received: Option<NaiveDate>, name: &str) -> Event {
        let order = purchasing::PurchaseOrder {
            id: position,
            number: number.to_owned(),
            supplier_id: 7,
            supplier_code: "NCC-007".to_owned(),
            supplier_name: name.to_owned(),
            status: status.to_owned(),
            lines: vec![
                purchasing::PurchaseOrderLine { line_no: 1, quantity: 4, ..Default::default() },
                purchasing::PurchaseOrderLine { line_no: 2, quantity: 2, ..Default::default() },
            ],
            sent_on: Some(date_to_proto(date(2026, 3, 1))),
            promised_on: Some(date_to_proto(date(2026, 4, 10))),
            received_on: received.map(date_to_proto),
            // An unset date some writers send as zeros.
            order_by: Some(LocalDate::default()),
            ..Default::default()
        };
        let payload = purchasing::PurchaseOrderChanged { order: Some(order) }.encode_to_vec();
        Event {
            position,
            event_type: "atq.importplanning.v1.PurchaseOrderChanged".to_owned(),
            payload,
            ..Default::default()
        }
    }

    async fn apply(db: &Db, events: &[Event]) {
        let mut tx = db.begin().await.unwrap();
        for event in events {
            SupplierFacts.apply(&mut tx, event).await.unwrap();
        }
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn the_newest_event_of_an_order_wins_and_replays_change_nothing() {
        let database = fresh_database("analytics-suppliers").await.unwrap();
        let db = crate::open_database(&database.url).await.unwrap();
        let events = [
            changed(1, "DMH-2026-0001", "sent", None, "Fann"),
            changed(2, "DMH-2026-0001", "confirmed", None, "Fann"),
            changed(3, "DMH-2026-0002", "sent", None, "Fann"),
            changed(4, "DMH-2026-0001", RECEIVED, Some(date(2026, 4, 8)), "Fann Instrument"),
        ];
        apply(&db, &events).await;
        // The whole feed again, as after a lost cursor, and an old event alone.
        apply(&db, &events).await;
        apply(&db, &events[..1]).await;

        let stored: (String, String, String, i64, i64) = sqlx::query_as(
            "SELECT status, promised_on, received_on, line_count, units FROM supplier_orders WHERE number = 'DMH-2026-0001'",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(stored, (RECEIVED.to_owned(), "2026-04-10".to_owned(), "2026-04-08".to_owned(), 2, 6));

        let report = supplier_performance(&db, date(2026, 4, 1), date(2026, 4, 30), date(2026, 4, 20)).await.unwrap();
        assert_eq!(report.suppliers.len(), 1);
        let supplier = &report.suppliers[0];
        assert_eq!(supplier.supplier_name, "Fann Instrument");
        assert_eq!((supplier.orders_received, supplier.units_received), (1, 6));
        assert_eq!(supplier.max_lead_time_days, Some(38));
        assert_eq!(supplier.on_time_rate_bp(), Some(10_000));
        assert_eq!((supplier.open_orders, supplier.open_orders_overdue), (1, 1));

        let before = supplier_performance(&db, date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 20)).await.unwrap();
        assert_eq!(before.total.orders_received, 0, "received in April, not March");
        assert_eq!(before.total.open_orders, 1);
        db.close().await;
    }
}
