//! Unit tests of the sales facts and their report.

use atq_platform::business_time::to_timestamp;
use atq_platform::feed_consumer::Projection;
use atq_platform::testing::fresh_database;
use atq_proto::importplanning::v1 as catalog;
use chrono::{TimeZone, Utc};
use prost::Name;

use super::*;
use crate::product_facts::ProductFacts;

fn micros(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap().timestamp_micros()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn an_order_confirmed_after_local_midnight_counts_in_the_next_month() {
    // 2026-10-31 17:30 UTC is 2026-11-01 00:30 in Hà Nội; 16:59 UTC is still 23:59 on October 31.
    assert_eq!(local_month(micros(2026, 10, 31, 17, 30)), "2026-11");
    assert_eq!(local_month(micros(2026, 10, 31, 16, 59)), "2026-10");
    assert_eq!(local_month(micros(2026, 12, 31, 17, 0)), "2027-01");
}

fn line(line_no: i32, product_id: i64, quantity: i64, unit_price: i64) -> sales::OrderLine {
    let net_amount = quantity * unit_price;
    sales::OrderLine {
        line_no,
        product_id,
        quantity,
        unit_price,
        vat_rate_bp: 1000,
        net_amount,
        vat_amount: net_amount / 10,
        ..Default::default()
    }
}

fn order(
    id: i64,
    office: atq_proto::common::v1::Office,
    by: &str,
    at: i64,
    lines: Vec<sales::OrderLine>,
) -> sales::Order {
    let total_net = lines.iter().map(|l| l.net_amount).sum();
    let total_vat = lines.iter().map(|l| l.vat_amount).sum();
    sales::Order {
        id,
        number: format!("DH-2026-{id:04}"),
        customer_group: sales::CustomerGroup::Dealer as i32,
        office: office as i32,
        lines,
        total_net,
        total_vat,
        total_gross: total_net + total_vat,
        created_by: by.to_owned(),
        confirmed_at: Some(to_timestamp(at)),
        updated_at: Some(to_timestamp(at)),
        ..Default::default()
    }
}

fn event(position: i64, event_type: &str, payload: Vec<u8>) -> Event {
    Event { position, event_type: event_type.to_owned(), payload, ..Default::default() }
}

fn confirmed_event(position: i64, order: &sales::Order) -> Event {
    let payload = sales::OrderConfirmed { order: Some(order.clone()) }.encode_to_vec();
    event(position, &sales::OrderConfirmed::full_name(), payload)
}

fn cancelled_event(position: i64, order: &sales::Order) -> Event {
    let payload = sales::OrderCancelled { order: Some(order.clone()) }.encode_to_vec();
    event(position, &sales::OrderCancelled::full_name(), payload)
}

fn product_event(position: i64, id: i64, version: i64, category: catalog::ProductCategory, brand: &str) -> Event {
    let product = catalog::Product {
        id,
        model_code: format!("M-{id}"),
        category: category as i32,
        brand: brand.to_owned(),
        version,
        ..Default::default()
    };
    let payload = catalog::ProductChanged { product: Some(product), changed_by: "import".into() }.encode_to_vec();
    event(position, "atq.importplanning.v1.ProductChanged", payload)
}

async fn apply(db: &Db, projection: &dyn Projection, events: &[Event]) {
    let mut tx = db.begin().await.unwrap();
    for event in events {
        projection.apply(&mut tx, event).await.unwrap();
    }
    tx.commit().await.unwrap();
}

fn keys(summary: &Summary, dimension: Dimension) -> Vec<(&str, i64, i64)> {
    summary.breakdown(dimension).iter().map(|(k, f)| (k.as_str(), f.net, f.orders)).collect()
}

#[tokio::test]
async fn lines_meet_their_products_whichever_feed_comes_first_and_cancellations_and_replays_change_nothing() {
    use atq_proto::common::v1::Office as O;
    let database = fresh_database("analytics-sales").await.unwrap();
    let db = crate::open_database(&database.url).await.unwrap();

    // Product 1 is described before any order, product 2 only after, product 3 never.
    apply(&db, &ProductFacts, &[product_event(1, 1, 1, catalog::ProductCategory::Physics, "Pasco")]).await;
    let hanoi = order(
        10,
        O::Hn,
        "sales.hn",
        micros(2026, 10, 31, 17, 30),
        vec![line(1, 1, 2, 1_000_000), line(2, 2, 1, 500_000)],
    );
    let saigon = order(11, O::Hcm, "sales.hcm", micros(2026, 10, 15, 3, 0), vec![line(1, 3, 4, 250_000)]);
    let dropped = order(12, O::Hn, "sales.hn", micros(2026, 11, 2, 3, 0), vec![line(1, 1, 1, 9_000_000)]);
    let events = [
        confirmed_event(1, &hanoi),
        confirmed_event(2, &saigon),
        confirmed_event(3, &dropped),
        cancelled_event(4, &dropped),
    ];
    apply(&db, &SalesFacts, &events).await;
    // A replay of the whole feed, as after a lost cursor: nothing changes.
    apply(&db, &SalesFacts, &events).await;
    apply(&db, &ProductFacts, &[product_event(2, 2, 1, catalog::ProductCategory::Chemistry, "Fann")]).await;
    // An older version of product 2 arriving late does not undo the newer one.
    apply(&db, &ProductFacts, &[product_event(3, 2, 2, catalog::ProductCategory::Biology, "Fann")]).await;
    apply(&db, &ProductFacts, &[product_event(4, 2, 1, catalog::ProductCategory::Chemistry, "Fann")]).await;

    let report = sales_by_month(&db, date(2026, 10, 1), date(2026, 12, 31), None).await.unwrap();
    let months: Vec<NaiveDate> = report.months.iter().map(|(m, _)| *m).collect();
    assert_eq!(months, [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]);
    let (october, november, december) = (&report.months[0].1, &report.months[1].1, &report.months[2].1);
    assert_eq!(october.total, Figures { net: 1_000_000, vat: 100_000, gross: 1_100_000, quantity: 4, orders: 1 });
    assert_eq!(november.total, Figures { net: 2_500_000, vat: 250_000, gross: 2_750_000, quantity: 3, orders: 1 });
    assert_eq!(december.total, Figures::default());
    assert!(december.breakdown(Dimension::Office).is_empty());
    assert_eq!(keys(november, Dimension::Category), [("biology", 500_000, 1), ("physics", 2_000_000, 1)]);
    assert_eq!(keys(november, Dimension::Brand), [("Fann", 500_000, 1), ("Pasco", 2_000_000, 1)]);
    assert_eq!(keys(october, Dimension::Category), [(UNKNOWN, 1_000_000, 1)]);
    assert_eq!(keys(&report.summary, Dimension::Office), [("HCM", 1_000_000, 1), ("HN", 2_500_000, 1)]);
    assert_eq!(
        keys(&report.summary, Dimension::Salesperson),
        [("sales.hcm", 1_000_000, 1), ("sales.hn", 2_500_000, 1)]
    );
    assert_eq!(keys(&report.summary, Dimension::CustomerGroup), [("dealer", 3_500_000, 2)]);
    assert_eq!(report.summary.total.orders, 2);

    let hanoi_only = sales_by_month(&db, date(2026, 10, 1), date(2026, 12, 31), Some(Office::HaNoi)).await.unwrap();
    assert_eq!(hanoi_only.summary.total.net, 2_500_000);
    // Partial months count only the days asked for.
    let from_the_second = sales_by_month(&db, date(2026, 11, 2), date(2026, 11, 30), None).await.unwrap();
    assert_eq!(from_the_second.summary.total, Figures::default());
    db.close().await;
}
