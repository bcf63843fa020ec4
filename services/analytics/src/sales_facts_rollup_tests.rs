//! The monthly rollups against the fact lines they sum: the same reports whichever order the
//! feeds arrive in, after cancellations, replays, returns, a product changing category, and after
//! the migration's backfill.

use atq_platform::Office;
use atq_platform::business_time::{date_to_proto, to_timestamp};
use atq_platform::feed_consumer::Projection;
use atq_platform::testing::fresh_database;
use atq_proto::accountingwarehouse::v1 as wh;
use atq_proto::common::v1::Office as O;
use atq_proto::events::v1::Event;
use atq_proto::importplanning::v1 as catalog;
use atq_proto::sales::v1 as sales;
use chrono::{TimeZone, Utc};
use prost::{Message, Name};

use super::*;
use crate::margin::{self, GroupBy};
use crate::product_facts::ProductFacts;
use crate::return_facts::ReturnFacts;
use crate::sales_facts::{SalesFacts, SummaryTally, sales_by_month};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(y: i32, m: u32, d: u32) -> i64 {
    Utc.with_ymd_and_hms(y, m, d, 3, 0, 0).unwrap().timestamp_micros()
}

fn event<M: Message + Name>(position: i64, message: &M) -> Event {
    Event { position, event_type: M::full_name(), payload: message.encode_to_vec(), ..Default::default() }
}

fn product(position: i64, id: i64, version: i64, category: catalog::ProductCategory, brand: &str) -> Event {
    let product = catalog::Product {
        id,
        model_code: format!("M-{id}"),
        category: category as i32,
        brand: brand.to_owned(),
        version,
        ..Default::default()
    };
    event(position, &catalog::ProductChanged { product: Some(product), changed_by: "import".into() })
}

/// Lines as (product, units, net).
fn order(id: i64, office: O, by: &str, when: i64, lines: &[(i64, i64, i64)]) -> sales::Order {
    let lines: Vec<sales::OrderLine> = (1..)
        .zip(lines)
        .map(|(line_no, &(product_id, quantity, net_amount))| sales::OrderLine {
            line_no,
            product_id,
            quantity,
            net_amount,
            vat_amount: net_amount / 10,
            ..Default::default()
        })
        .collect();
    sales::Order {
        id,
        number: format!("DH-{id}"),
        customer_id: id % 2 + 7,
        customer_group: sales::CustomerGroup::Dealer as i32,
        office: office as i32,
        total_net: lines.iter().map(|l| l.net_amount).sum(),
        lines,
        created_by: by.to_owned(),
        confirmed_at: Some(to_timestamp(when)),
        updated_at: Some(to_timestamp(when)),
        ..Default::default()
    }
}

fn confirmed(position: i64, order: &sales::Order) -> Event {
    event(position, &sales::OrderConfirmed { order: Some(order.clone()) })
}

fn cancelled(position: i64, order: &sales::Order) -> Event {
    event(position, &sales::OrderCancelled { order: Some(order.clone()) })
}

/// Lines as (product, units, cost).
fn issued(position: i64, number: &str, order: i64, when: i64, lines: &[(i64, i64, i64)]) -> Event {
    let lines = (1..)
        .zip(lines)
        .map(|(line_no, &(product_id, quantity, cost_amount))| wh::IssuedLine {
            line_no,
            product_id,
            quantity,
            cost_amount,
            ..Default::default()
        })
        .collect();
    let issue = wh::GoodsIssue {
        number: number.to_owned(),
        order_ref: format!("DH-{order}"),
        warehouse: O::Hn as i32,
        lines,
        created_at: Some(to_timestamp(when)),
        ..Default::default()
    };
    event(position, &wh::GoodsIssued { issue: Some(issue) })
}

fn returned(
    position: i64,
    id: i64,
    order: i64,
    on: NaiveDate,
    (product_id, quantity, net, cost): (i64, i64, i64, i64),
) -> Event {
    let line = wh::SalesReturnLine {
        line_no: 1,
        product_id,
        quantity,
        net_amount: net,
        vat_amount: net / 10,
        cost_amount: cost,
        ..Default::default()
    };
    let sales_return = wh::SalesReturn {
        id,
        number: format!("TH-{id}"),
        order_number: format!("DH-{order}"),
        customer_id: 7,
        office: O::Hcm as i32,
        returned_on: Some(date_to_proto(on)),
        lines: vec![line],
        ..Default::default()
    };
    event(position, &wh::SalesReturned { sales_return: Some(sales_return) })
}

/// The three feeds: (catalog, sales, accounting-warehouse).
fn feeds() -> (Vec<Event>, Vec<Event>, Vec<Event>) {
    use catalog::ProductCategory as C;
    let first = order(1, O::Hn, "an", at(2026, 9, 10), &[(1, 2, 2_000_000), (2, 3, 1_000_000), (1, 1, 900_000)]);
    let second = order(2, O::Hcm, "binh", at(2026, 10, 5), &[(2, 1, 400_000), (3, 5, 5_000_000)]);
    let dropped = order(3, O::Hn, "an", at(2026, 10, 20), &[(1, 1, 1_000_000)]);
    let mut moved = order(4, O::Dl, "chi", at(2026, 11, 2), &[(3, 2, 2_000_000)]);
    let catalog = vec![product(1, 1, 1, C::Physics, "Pasco"), product(2, 2, 1, C::Chemistry, "Fann")];
    let mut sales = vec![confirmed(1, &first), confirmed(2, &second), confirmed(3, &dropped), cancelled(4, &dropped)];
    sales.push(confirmed(5, &moved));
    // Confirmed again after a change: the newer lines and salesperson replace the older ones.
    moved.created_by = "dung".into();
    moved.lines[0].quantity = 3;
    moved.total_net = 3_000_000;
    moved.lines[0].net_amount = 3_000_000;
    sales.push(confirmed(6, &moved));
    let accounting = vec![
        // Two of three units of product 2, then the rest a month later.
        issued(1, "PX-1", 1, at(2026, 9, 12), &[(1, 3, 1_800_000), (2, 2, 500_000)]),
        issued(2, "PX-2", 1, at(2026, 10, 1), &[(2, 1, 250_000)]),
        issued(3, "PX-3", 2, at(2026, 10, 6), &[(2, 1, 200_000), (3, 5, 3_000_000)]),
        issued(4, "PX-4", 4, at(2026, 11, 3), &[(3, 3, 1_900_000)]),
        returned(5, 1, 2, date(2026, 11, 15), (3, 1, 1_000_000, 600_000)),
        returned(6, 2, 1, date(2026, 12, 1), (1, 1, 900_000, 600_000)),
    ];
    (catalog, sales, accounting)
}

async fn apply(db: &Db, projection: &dyn Projection, events: &[Event]) {
    let mut tx = db.begin().await.unwrap();
    for event in events {
        projection.apply(&mut tx, event).await.unwrap();
    }
    tx.commit().await.unwrap();
}

const MONTHS: [(u32, u32); 4] = [(9, 30), (10, 31), (11, 30), (12, 31)];
const BY: [GroupBy; 6] =
    [GroupBy::Product, GroupBy::Brand, GroupBy::Category, GroupBy::Customer, GroupBy::Salesperson, GroupBy::Office];

async fn from_lines(db: &Db, from: NaiveDate, to: NaiveDate, office: Option<Office>) -> crate::sales_facts::Summary {
    let mut lines = crate::sales_facts_store::report_lines(db, from, to, office).await.unwrap();
    lines.extend(crate::return_facts::report_lines(db, from, to, office).await.unwrap());
    let mut tally = SummaryTally::default();
    lines.iter().for_each(|line| tally.add(line));
    tally.finish()
}

/// Every report read from the rollups equals the same report summed from the fact lines.
async fn assert_rollups_match_lines(db: &Db) {
    for (month, last) in MONTHS {
        let (from, to) = (date(2026, month, 1), date(2026, month, last));
        for office in [None, Some(Office::HaNoi), Some(Office::HoChiMinh)] {
            let rolled = sales_by_month(db, from, to, office).await.unwrap().summary;
            assert_eq!(rolled, from_lines(db, from, to, office).await, "sales of {from} in {office:?}");
            for by in BY {
                let rolled = margin::margins(db, (from, to), office, None, by).await.unwrap();
                let kept = crate::margin_store::lines(db, from, to, office, None).await.unwrap();
                assert_eq!(rolled, margin::group(&kept, by).unwrap(), "margins of {from} by {by:?} in {office:?}");
            }
        }
        let rolled = margin::margins(db, (from, to), None, Some("physics"), GroupBy::Product).await.unwrap();
        let kept = crate::margin_store::lines(db, from, to, None, Some("physics")).await.unwrap();
        assert_eq!(rolled, margin::group(&kept, GroupBy::Product).unwrap(), "physics margins of {from}");
        let mut rolled = crate::forecast_store::monthly_sales(db, from, to, (None, None)).await.unwrap();
        let mut kept = crate::forecast_store::lines_by_month(db, from, to).await.unwrap();
        for rows in [&mut rolled, &mut kept] {
            rows.sort_by_key(|r| (r.office.clone(), r.product_id, r.quantity));
        }
        let figures = |rows: &[crate::forecast_store::MonthRow]| {
            let mut sums = std::collections::BTreeMap::new();
            for r in rows {
                let sum = sums.entry((r.office.clone(), r.category.clone(), r.product_id)).or_insert((0, 0));
                *sum = (sum.0 + r.quantity, sum.1 + r.net);
            }
            sums
        };
        assert_eq!(figures(&rolled), figures(&kept), "monthly sales of {from}");
        let one = crate::forecast_store::monthly_sales(db, from, to, (Some("HN"), Some(2))).await.unwrap();
        kept.retain(|r| r.office == "HN" && r.product_id == 2);
        assert_eq!(figures(&one), figures(&kept), "monthly sales of product 2 in HN in {from}");
    }
    // A span starting and ending inside months.
    let (from, to) = (date(2026, 9, 11), date(2026, 12, 1));
    let rolled = sales_by_month(db, from, to, None).await.unwrap().summary;
    assert_eq!(rolled, from_lines(db, from, to, None).await);
}

type SalesKept = Vec<(String, String, String, String, i64, i64, i64, i64, i64)>;
type MarginsKept = Vec<(String, String, String, String, i64, i64, i64, i64)>;

async fn kept(db: &Db) -> (SalesKept, MarginsKept) {
    let sales = sqlx::query_as(
        "SELECT month, office, dimension, key, lines, orders, quantity, net, vat FROM sales_month_facts \
         ORDER BY month, office, dimension, key",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let margins = sqlx::query_as(
        "SELECT month, office, dimension, key, lines, quantity, revenue, cost FROM margin_month_facts \
         ORDER BY month, office, dimension, key",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    (sales, margins)
}

#[tokio::test]
async fn rollups_sum_the_fact_lines_whichever_feed_comes_first_and_the_backfill_agrees() {
    let (catalog, sales, accounting) = feeds();
    let moved = product(3, 1, 2, catalog::ProductCategory::Biology, "Pasco");
    let late = product(4, 3, 1, catalog::ProductCategory::Physics, "Leybold");
    let mut results = Vec::new();
    for feeds_first in [true, false] {
        let database = fresh_database("analytics-rollups").await.unwrap();
        let db = crate::open_database(&database.url).await.unwrap();
        sqlx::query("INSERT INTO customer_facts VALUES (7, 'KH-7', 'HN', 'dealer', '2026-01-01', '2025-12-28', 0)")
            .execute(db.pool())
            .await
            .unwrap();
        if feeds_first {
            apply(&db, &ProductFacts, &catalog).await;
            apply(&db, &SalesFacts, &sales).await;
            apply(&db, &ReturnFacts, &accounting).await;
        } else {
            // Shipments and returns before their orders, the catalog last, the sales feed twice.
            apply(&db, &ReturnFacts, &accounting).await;
            apply(&db, &SalesFacts, &sales[3..]).await;
            apply(&db, &SalesFacts, &sales).await;
            apply(&db, &ProductFacts, &catalog).await;
        }
        assert_rollups_match_lines(&db).await;
        // A product changing category and one described late take their sales along.
        apply(
            &db,
            &ProductFacts,
            &[moved.clone(), late.clone(), product(1, 1, 1, catalog::ProductCategory::Physics, "Pasco")],
        )
        .await;
        apply(&db, &ReturnFacts, &accounting).await;
        assert_rollups_match_lines(&db).await;
        let incremental = kept(&db).await;
        assert!(incremental.0.iter().any(|row| row.2 == CATEGORY && row.3 == "biology"));
        assert!(incremental.1.iter().any(|row| row.2 == "customer" && row.3 == "7"));
        // The migration's backfill builds the same rows from the facts.
        let migration = include_str!("../migrations/111_monthly_rollups.sql");
        let backfill = migration.split("-- Backfill from the facts already kept.").nth(1).unwrap();
        sqlx::raw_sql("DELETE FROM sales_month_facts; DELETE FROM margin_month_facts")
            .execute(db.pool())
            .await
            .unwrap();
        sqlx::raw_sql(backfill).execute(db.pool()).await.unwrap();
        assert_eq!(kept(&db).await, incremental);
        results.push(incremental);
        db.close().await;
    }
    assert_eq!(results[0], results[1]);
}

/// A feed applied as its consumer applies it: a transaction per batch, the rollups' changes
/// gathered over the batch and written once.
async fn apply_batches(db: &Db, feed: &str, events: &[Event], size: usize) {
    let projections = crate::projections();
    let Some((_, projection)) = projections.iter().find(|(name, _)| *name == feed) else { panic!("no feed {feed}") };
    for batch in events.chunks(size) {
        let mut tx = db.begin().await.unwrap();
        for event in batch {
            projection.apply(&mut tx, event).await.unwrap();
        }
        projection.finish_batch(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn rollups_gathered_per_batch_equal_those_written_per_event() {
    let (catalog, sales, accounting) = feeds();
    let mut results = Vec::new();
    for batched in [false, true] {
        let database = fresh_database("analytics-rollup-batches").await.unwrap();
        let db = crate::open_database(&database.url).await.unwrap();
        // Shipments and returns first, so the orders move them within a batch.
        if batched {
            apply_batches(&db, crate::ACCOUNTING_FEED, &accounting, 4).await;
            apply_batches(&db, crate::SALES_FEED, &sales, 4).await;
            apply_batches(&db, crate::CATALOG_FEED, &catalog, 4).await;
        } else {
            apply(&db, &ReturnFacts, &accounting).await;
            apply(&db, &SalesFacts, &sales).await;
            apply(&db, &ProductFacts, &catalog).await;
        }
        assert_rollups_match_lines(&db).await;
        results.push(kept(&db).await);
        db.close().await;
    }
    assert!(!results[0].0.is_empty() && !results[0].1.is_empty());
    assert_eq!(results[0], results[1]);
}

#[test]
fn a_span_splits_into_whole_months_and_partial_ends() {
    let whole = split(date(2026, 1, 1), date(2026, 12, 31));
    assert_eq!(whole, Split { months: Some(("2026-01".into(), "2026-12".into())), days: vec![] });
    let ends = split(date(2026, 1, 15), date(2026, 3, 10));
    assert_eq!(ends.months, Some(("2026-02".into(), "2026-02".into())));
    assert_eq!(ends.days, [(date(2026, 1, 15), date(2026, 1, 31)), (date(2026, 3, 1), date(2026, 3, 10))]);
    let inside = split(date(2026, 2, 2), date(2026, 2, 27));
    assert_eq!(inside, Split { months: None, days: vec![(date(2026, 2, 2), date(2026, 2, 27))] });
}
