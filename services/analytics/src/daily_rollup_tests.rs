//! The daily receivables and month-end stock rollups against the raw scans they replace
//! (`summary_facts_store::open_items` with `summary_receivables::aging_at`, `stock_facts::stock_at`
//! and `stocktakes` over every move, the invoices and payments of a span): equal on random
//! histories whichever feed comes first, after replays, and after the start-up backfill.

use atq_platform::business_time::{date_to_proto, start_of_local_day, to_timestamp};
use atq_platform::feed_consumer::Projection;
use atq_platform::testing::fresh_database;
use atq_proto::accountingwarehouse::v1 as wh;
use atq_proto::common::v1::Office as O;
use atq_proto::events::v1::Event;
use atq_proto::sales::v1 as sales;
use chrono::{Datelike, Days, Months};
use prost::{Message, Name};

use super::*;
use crate::customer_facts::CustomerFacts;
use crate::return_facts::ReturnFacts;
use crate::stock_facts_store::moves_through;
use crate::summary_facts_store::{self, open_items};
use crate::summary_receivables::aging_at;

/// A small deterministic generator, so a failing history can be built again.
struct Draw(u64);

impl Draw {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound.max(1)
    }

    fn signed(&mut self, bound: u64) -> i64 {
        i64::try_from(self.below(bound)).unwrap()
    }

    fn day(&mut self) -> NaiveDate {
        first_day() + Days::new(self.below(540))
    }
}

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
}

fn event<M: Message + Name>(position: i64, occurred_on: NaiveDate, message: &M) -> Event {
    Event {
        position,
        event_type: M::full_name(),
        payload: message.encode_to_vec(),
        occurred_at: Some(to_timestamp(start_of_local_day(occurred_on) + 3_600_000_000)),
        ..Default::default()
    }
}

const OFFICES: [O; 3] = [O::Hn, O::Hcm, O::Dl];

fn invoice(draw: &mut Draw, id: i64) -> wh::InvoiceIssued {
    let issued = draw.day();
    let gross = draw.signed(50) * 1_100 + 1_100;
    let due = (draw.below(4) > 0).then(|| date_to_proto(issued + Days::new(draw.below(4) * 15)));
    let invoice = wh::Invoice {
        id,
        customer_id: draw.signed(4) + 1,
        issue_date: Some(date_to_proto(issued)),
        due_date: due,
        total_net: gross / 11 * 10,
        total_vat: gross / 11,
        total_gross: gross,
        ..Default::default()
    };
    wh::InvoiceIssued { invoice: Some(invoice) }
}

fn payment(draw: &mut Draw, id: i64, invoices: i64) -> wh::PaymentRecorded {
    let allocations: Vec<wh::PaymentAllocation> = (0..draw.below(3))
        .map(|n| wh::PaymentAllocation {
            invoice_id: (draw.signed(invoices as u64) + n as i64) % invoices + 1,
            amount: draw.signed(30) * 1_100 + 100,
            ..Default::default()
        })
        .collect();
    let payment = wh::Payment {
        id,
        customer_id: draw.signed(4) + 1,
        amount: allocations.iter().map(|a| a.amount).sum::<i64>() + draw.signed(3) * 500,
        received_on: Some(date_to_proto(draw.day())),
        allocations,
        ..Default::default()
    };
    wh::PaymentRecorded { payment: Some(payment) }
}

fn stock_moved(draw: &mut Draw, number: i64) -> wh::StockMoved {
    let kind = ["receipt", "issue", "transfer", "count"][draw.below(4) as usize];
    let warehouse = OFFICES[draw.below(3) as usize] as i32;
    let moves = (0..draw.below(3) + 1)
        .map(|_| {
            let quantity = match kind {
                "receipt" => draw.signed(9) + 1,
                "issue" => -draw.signed(5) - 1,
                _ => draw.signed(9) - 4,
            };
            wh::StockMove {
                product_id: draw.signed(5) + 1,
                warehouse,
                condition: (if draw.below(4) == 0 { wh::Condition::Damaged } else { wh::Condition::Good }) as i32,
                quantity,
                unit_cost: (draw.below(3) > 0).then(|| draw.signed(20) * 100 + 100),
            }
        })
        .collect();
    wh::StockMoved {
        document_type: kind.to_owned(),
        document_number: format!("{kind}-{number}"),
        moves,
        ..Default::default()
    }
}

/// The sales feed (three of four customers) and the accounting-warehouse feed, in feed order: a
/// quarter of the invoices come again later with another due date.
fn feeds(seed: u64) -> (Vec<Event>, Vec<Event>) {
    let mut draw = Draw(seed);
    let customers = (1..=3)
        .map(|id| {
            let created = sales::CustomerCreated {
                customer_id: id,
                code: format!("KH-{id}"),
                group: sales::CustomerGroup::Dealer as i32,
                office: OFFICES[id as usize - 1] as i32,
                created_at: Some(to_timestamp(start_of_local_day(first_day()))),
                ..Default::default()
            };
            event(id, first_day(), &created)
        })
        .collect();
    let (invoices, mut accounting) = (40i64, Vec::new());
    for n in 0..160i64 {
        let position = n + 1;
        let on = draw.day();
        accounting.push(match draw.below(4) {
            0 if n < invoices * 2 => event(position, on, &invoice(&mut draw, n / 2 + 1)),
            0 | 1 => event(position, on, &payment(&mut draw, n, invoices)),
            _ => event(position, on, &stock_moved(&mut draw, n)),
        });
    }
    for id in 1..=invoices {
        accounting.push(event(160 + id, draw.day(), &invoice(&mut Draw(seed + id as u64), id)));
        if id % 4 == 0 {
            let mut again = invoice(&mut Draw(seed + id as u64), id);
            if let Some(invoice) = again.invoice.as_mut() {
                invoice.due_date = Some(date_to_proto(draw.day()));
            }
            accounting.push(event(220 + id, draw.day(), &again));
        }
    }
    accounting.sort_by_key(|e| e.position);
    (customers, accounting)
}

/// Applies a feed as its consumer does: a transaction per batch, the rollups written once per batch.
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

async fn apply(db: &Db, projection: &dyn Projection, events: &[Event]) {
    let mut tx = db.begin().await.unwrap();
    for event in events {
        projection.apply(&mut tx, event).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// Month ends over the history and a little past it.
fn month_ends() -> Vec<NaiveDate> {
    (0..22).map(|n| first_day().checked_add_months(Months::new(n + 1)).unwrap().pred_opt().unwrap()).collect()
}

async fn assert_rollups_match_raw(db: &Db) {
    let ends = month_ends();
    // What the history put in front of the comparisons, so none of them is empty by chance.
    let mut seen = [0usize; 5];
    for office in [None, Some(Office::HaNoi), Some(Office::HoChiMinh), Some(Office::DaLat)] {
        let rolled = aging(db, &ends, office).await.unwrap();
        let warehouse = office.map(Office::code);
        for (end, rolled) in ends.iter().zip(rolled) {
            let items = open_items(db, *end, office).await.unwrap();
            assert_eq!(rolled, aging_at(&items, *end).unwrap(), "receivables at {end} in {office:?}");
            seen[0] += usize::from(rolled[4].0 > 0 && rolled[1].0 > 0);
            let moves = moves_through(db, *end).await.unwrap();
            let raw = crate::stock_facts::stock_at(&moves, *end, warehouse).unwrap();
            assert_eq!(crate::stock_rollup::stock_at(db, *end, warehouse).await.unwrap(), raw, "stock at {end}");
            seen[1] += usize::from(!raw.slow.is_empty());
            seen[2] += usize::from(!raw.damaged.is_empty());
            let quarter = (end.checked_sub_months(Months::new(2)).unwrap().with_day(1).unwrap(), *end);
            let raw = crate::stock_facts::stocktakes(&moves, quarter, warehouse).unwrap();
            assert_eq!(crate::stock_rollup::stocktakes(db, quarter, warehouse).await.unwrap(), raw, "counts to {end}");
            seen[3] += usize::from(raw.values().any(|found| found[1] > 0 && found[3] > 0));
        }
        let span = (first_day(), *ends.last().unwrap());
        let raw = raw_days(db, span, office).await;
        assert_eq!(days(db, span, office).await.unwrap(), raw, "days in {office:?}");
        seen[4] += raw.iter().filter(|(_, office, _)| office.is_empty()).count();
    }
    assert!(seen.iter().all(|n| *n > 0), "overdue, slow, damaged, counted and unknown customers' days: {seen:?}");
}

/// The invoices and payments of a span summed per day and office as the rollup keeps them.
async fn raw_days(
    db: &Db,
    (from, to): (NaiveDate, NaiveDate),
    office: Option<Office>,
) -> Vec<(String, String, [i64; 6])> {
    let mut sums: BTreeMap<(String, String), [i64; 6]> = BTreeMap::new();
    for row in summary_facts_store::invoices(db, from, to, office).await.unwrap() {
        let sum = sums.entry((row.day, row.office)).or_default();
        sum[0] += 1;
        (1..4).for_each(|n| sum[n] += row.amounts[n - 1]);
    }
    for row in summary_facts_store::payments(db, from, to, office).await.unwrap() {
        let sum = sums.entry((row.day, row.office)).or_default();
        sum[4] += 1;
        sum[5] += row.amounts[0];
    }
    sums.into_iter().map(|((day, office), sum)| (day, office, sum)).collect()
}

type Kept = Vec<Vec<(String, String, String, i64, i64)>>;

/// Every row of the rollups that counts something, as text and numbers.
async fn kept(db: &Db) -> Kept {
    let mut tables = Vec::new();
    for sql in [
        "SELECT day, office, '', invoices * 1000 + payments, invoiced_gross + collected FROM accounting_day_facts \
         WHERE invoices <> 0 OR payments <> 0",
        "SELECT day, office, due_on, open_invoices, open_amount FROM receivable_day_facts \
         WHERE open_invoices <> 0 OR open_amount <> 0",
        "SELECT month, warehouse, held_on || issued_on, product_id * 1000 + good_units, damaged_units \
         FROM stock_month_facts",
        "SELECT month, '', '', product_id, unit_cost FROM product_cost_month_facts",
        "SELECT month, warehouse, '', counts * 1000 + surplus_units, shortage_value FROM stocktake_month_facts",
    ] {
        let mut rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(sql).fetch_all(db.pool()).await.unwrap();
        rows.sort();
        tables.push(rows);
    }
    tables
}

#[tokio::test]
async fn daily_rollups_read_as_the_raw_scans_whichever_feed_comes_first_and_the_backfill_agrees() {
    for seed in [7, 2026] {
        let (customers, accounting) = feeds(seed);
        let mut results = Vec::new();
        for customers_first in [true, false] {
            let database = fresh_database("analytics-daily-rollups").await.unwrap();
            let db = crate::open_database(&database.url).await.unwrap();
            if customers_first {
                apply(&db, &CustomerFacts, &customers).await;
                apply(&db, &ReturnFacts, &accounting).await;
            } else {
                // The documents before their customers, and the whole feed read twice.
                apply(&db, &ReturnFacts, &accounting[..90]).await;
                apply(&db, &ReturnFacts, &accounting).await;
                apply(&db, &CustomerFacts, &customers).await;
            }
            assert_rollups_match_raw(&db).await;
            let incremental = kept(&db).await;
            assert!(incremental.iter().all(|rows| !rows.is_empty()), "every rollup has rows: {incremental:?}");
            // A replay of both feeds changes nothing.
            apply(&db, &CustomerFacts, &customers).await;
            apply(&db, &ReturnFacts, &accounting).await;
            assert_eq!(kept(&db).await, incremental, "replayed");
            // The start-up backfill builds the same rows from the facts.
            sqlx::query("INSERT INTO rollup_backfills (name) VALUES ('daily')").execute(db.pool()).await.unwrap();
            crate::daily_rollups::backfill_if_asked(&db).await.unwrap();
            assert_eq!(kept(&db).await, incremental, "backfilled");
            results.push(incremental);
            db.close().await;
        }
        assert_eq!(results[0], results[1], "seed {seed}");
        // The feed consumers gather each batch's changes and write them once: the same rows.
        let database = fresh_database("analytics-daily-batches").await.unwrap();
        let db = crate::open_database(&database.url).await.unwrap();
        apply_batches(&db, crate::ACCOUNTING_FEED, &accounting[..60], 7).await;
        apply_batches(&db, crate::SALES_FEED, &customers, 2).await;
        apply_batches(&db, crate::ACCOUNTING_FEED, &accounting, 25).await;
        assert_rollups_match_raw(&db).await;
        assert_eq!(kept(&db).await, results[0], "in batches, seed {seed}");
        db.close().await;
    }
}

#[test]
fn an_invoice_is_open_from_its_issue_day_by_what_is_not_paid() {
    let invoice = Invoice {
        issued_on: "2026-01-10".into(),
        due_on: "2026-02-09".into(),
        office: "HN".into(),
        gross: 1_000,
        paid: vec![("2026-01-05".into(), 100), ("2026-02-01".into(), 400), ("2026-02-01".into(), 500)],
        ..Invoice::default()
    };
    let steps = open_steps(&invoice).unwrap();
    assert_eq!(steps, [("2026-01-10".to_owned(), true, 900), ("2026-02-01".to_owned(), false, 0)]);
    let mut delta = Delta::default();
    delta.invoice(&invoice, 1).unwrap();
    let key = |day: &str| (day.to_owned(), "HN".to_owned(), "2026-02-09".to_owned());
    assert_eq!(delta.open[&key("2026-01-10")], [1, 900]);
    assert_eq!(delta.open[&key("2026-02-01")], [-1, -900]);
    assert_eq!(delta.days[&("2026-01-10".to_owned(), "HN".to_owned())], [1, 0, 0, 1_000, 0, 0]);
    // Counted out again, nothing is left.
    delta.invoice(&invoice, -1).unwrap();
    assert!(delta.open.values().all(|row| *row == [0, 0]));
    assert!(delta.days.values().all(|row| *row == [0; 6]));
}
