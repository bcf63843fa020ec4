//! Unit tests of the supplier facts and their report.

use atq_platform::business_time::date_to_proto;
use atq_platform::testing::fresh_database;
use atq_proto::common::v1::LocalDate;
use prost::Name;

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
    Event { position, event_type: purchasing::PurchaseOrderChanged::full_name(), payload, ..Default::default() }
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
