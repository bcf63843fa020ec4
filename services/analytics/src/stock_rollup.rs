//! The month-end stock rollups (`stock_month_facts`, `product_cost_month_facts`,
//! `stocktake_month_facts`): the accounting and warehouse summary's periods all end on a month's
//! last day, so it reads the stock of that month's end instead of every move up to it.
//!
//! Each row holds what the moves on or before its month's end make of a product in a warehouse:
//! units by condition, the first incoming move and the newest goods issue (in feed order, as
//! `stock_facts::stock_at` takes them), and each product's newest cost. Rows run from a key's
//! first month to the newest month of any move; a move adds to its month and every later row, and
//! a move in a new month first carries every row into it. Only moves kept for the first time are
//! added, so replays change nothing.

use std::collections::BTreeMap;

use atq_platform::db::{backend_of, values_list};
use atq_platform::error::Result;
use atq_platform::{Db, Error, Tx};
use chrono::{Days, Months, NaiveDate};

use crate::stock_facts::{COUNT, DAMAGED, Holding, ISSUE, SLOW_DAYS, StockAt};
use crate::stock_facts_store::MoveRow;

/// A move kept for the first time, with its place in the feed.
pub struct Moved<'a> {
    pub row: &'a MoveRow,
    pub position: i64,
    pub move_no: i64,
}

/// Feed order as one number: the position, then the move within its document (fewer than 2^20
/// moves per document: the limits keep documents far smaller).
fn seq(moved: &Moved<'_>) -> Result<i64> {
    let move_no = moved.move_no.clamp(0, (1 << 20) - 1);
    moved.position.checked_mul(1 << 20).and_then(|p| p.checked_add(move_no)).ok_or_else(overflow)
}

fn overflow() -> Error {
    Error::internal(anyhow::anyhow!("stock rollup out of range"))
}

fn month_of(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

/// The months from `first` to `last` (`YYYY-MM`), both included.
fn months(first: &str, last: &str) -> Result<Vec<String>> {
    let start = |m: &str| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").map_err(Error::internal);
    let (mut month, end) = (start(first)?, start(last)?);
    let mut all = Vec::new();
    while month <= end {
        all.push(month_of(month));
        month = month.checked_add_months(Months::new(1)).ok_or_else(overflow)?;
    }
    Ok(all)
}

/// What the moves make of a product in a warehouse. `held` and `issued` are (feed order, day).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Place {
    good: i64,
    damaged: i64,
    held: Option<(i64, String)>,
    issued: Option<(i64, String)>,
}

impl Place {
    fn merge(&mut self, other: &Place) -> Result<()> {
        self.good = self.good.checked_add(other.good).ok_or_else(overflow)?;
        self.damaged = self.damaged.checked_add(other.damaged).ok_or_else(overflow)?;
        if other.held.as_ref().is_some_and(|h| self.held.as_ref().is_none_or(|s| h.0 < s.0)) {
            self.held.clone_from(&other.held);
        }
        if other.issued.as_ref().is_some_and(|i| self.issued.as_ref().is_none_or(|s| i.0 > s.0)) {
            self.issued.clone_from(&other.issued);
        }
        Ok(())
    }
}

/// The rows a set of moves adds to, each with the moves' share of it: every month from the
/// key's first move in the set up to `last`, the moves on or before that month's end summed.
fn carried<K: Ord + Clone, V: Default + Clone>(
    by_month: BTreeMap<K, BTreeMap<String, V>>,
    last: &str,
    merge: impl Fn(&mut V, &V) -> Result<()>,
) -> Result<Vec<(String, K, V)>> {
    let mut rows = Vec::new();
    for (key, changes) in by_month {
        let Some(first) = changes.keys().next() else { continue };
        let mut sum = V::default();
        for month in months(first, last)? {
            if let Some(change) = changes.get(&month) {
                merge(&mut sum, change)?;
            }
            rows.push((month, key.clone(), sum.clone()));
        }
    }
    Ok(rows)
}

/// Rows per statement, well under the databases' limits on bound values.
const CHUNK: usize = 100;

/// Adds moves kept for the first time to the rollups.
pub async fn add(tx: &mut Tx, moves: &[Moved<'_>]) -> Result<()> {
    let Some(newest) = moves.iter().map(|m| month_of(m.row.moved_on)).max() else {
        return Ok(());
    };
    let kept: Option<String> =
        sqlx::query_scalar("SELECT MAX(month) FROM stock_month_facts").fetch_one(&mut **tx).await?;
    let last = match kept {
        Some(kept) if kept >= newest => kept,
        Some(kept) => {
            carry(tx, &kept, &newest).await?;
            newest
        }
        None => newest,
    };
    let mut places: BTreeMap<(i64, String), BTreeMap<String, Place>> = BTreeMap::new();
    let mut costs: BTreeMap<i64, BTreeMap<String, Cost>> = BTreeMap::new();
    let mut counts: BTreeMap<(String, String), [i64; 5]> = BTreeMap::new();
    for moved in moves {
        let (m, order, month) = (moved.row, seq(moved)?, month_of(moved.row.moved_on));
        let day = m.moved_on.to_string();
        let change = Place {
            good: if m.condition == DAMAGED { 0 } else { m.quantity },
            damaged: if m.condition == DAMAGED { m.quantity } else { 0 },
            held: (m.quantity > 0).then(|| (order, day.clone())),
            issued: (m.document_type == ISSUE).then_some((order, day)),
        };
        let place = places.entry((m.product_id, m.warehouse.clone())).or_default().entry(month.clone()).or_default();
        place.merge(&change)?;
        if let Some(unit_cost) = m.unit_cost {
            let cost = costs.entry(m.product_id).or_default().entry(month.clone()).or_default();
            if cost.is_none_or(|(at, _)| order > at) {
                *cost = Some((order, unit_cost));
            }
        }
        if m.document_type == COUNT {
            stocktake(counts.entry((month, m.warehouse.clone())).or_default(), moved)?;
        }
    }
    let places = carried(places, &last, Place::merge)?;
    let costs = carried(costs, &last, |sum, change| {
        if change.is_some_and(|(at, _)| sum.is_none_or(|(kept, _)| at > kept)) {
            *sum = *change;
        }
        Ok(())
    })?;
    upsert_places(tx, &places).await?;
    upsert_costs(tx, &costs).await?;
    upsert_stocktakes(tx, &counts).await
}

/// A stocktake's move: the document counts once, with its first move; the difference is valued
/// at the cost after the count.
fn stocktake(figures: &mut [i64; 5], moved: &Moved<'_>) -> Result<()> {
    let m = moved.row;
    if moved.move_no == 0 {
        figures[0] += 1;
    }
    let units = m.quantity.checked_abs().ok_or_else(overflow)?;
    let value = units.checked_mul(m.unit_cost.unwrap_or(0)).ok_or_else(overflow)?;
    let slot = if m.quantity > 0 { 1 } else { 3 };
    figures[slot] = figures[slot].checked_add(units).ok_or_else(overflow)?;
    figures[slot + 1] = figures[slot + 1].checked_add(value).ok_or_else(overflow)?;
    Ok(())
}

/// Carries every row of month `kept` into each month after it up to `newest`.
async fn carry(tx: &mut Tx, kept: &str, newest: &str) -> Result<()> {
    for month in months(kept, newest)?.into_iter().skip(1) {
        sqlx::query(
            "INSERT INTO stock_month_facts (month, product_id, warehouse, good_units, damaged_units, held_on, held_seq, \
             issued_on, issued_seq) SELECT $1, product_id, warehouse, good_units, damaged_units, held_on, held_seq, \
             issued_on, issued_seq FROM stock_month_facts WHERE month = $2",
        )
        .bind(&month)
        .bind(kept)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO product_cost_month_facts (month, product_id, unit_cost, cost_seq) \
             SELECT $1, product_id, unit_cost, cost_seq FROM product_cost_month_facts WHERE month = $2",
        )
        .bind(&month)
        .bind(kept)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn upsert_places(tx: &mut Tx, rows: &[(String, (i64, String), Place)]) -> Result<()> {
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO stock_month_facts (month, product_id, warehouse, good_units, damaged_units, held_on, held_seq, \
             issued_on, issued_seq) VALUES {} ON CONFLICT (month, product_id, warehouse) DO UPDATE SET \
             good_units = stock_month_facts.good_units + excluded.good_units, \
             damaged_units = stock_month_facts.damaged_units + excluded.damaged_units, \
             held_on = CASE WHEN excluded.held_seq < stock_month_facts.held_seq THEN excluded.held_on \
             ELSE stock_month_facts.held_on END, \
             held_seq = CASE WHEN excluded.held_seq < stock_month_facts.held_seq THEN excluded.held_seq \
             ELSE stock_month_facts.held_seq END, \
             issued_on = CASE WHEN excluded.issued_seq > stock_month_facts.issued_seq THEN excluded.issued_on \
             ELSE stock_month_facts.issued_on END, \
             issued_seq = CASE WHEN excluded.issued_seq > stock_month_facts.issued_seq THEN excluded.issued_seq \
             ELSE stock_month_facts.issued_seq END",
            values_list(backend_of(tx), chunk.len(), 9)
        );
        let mut query = sqlx::query(&sql);
        for (month, (product_id, warehouse), place) in chunk {
            // No first move sorts last, no issue first.
            let (held_seq, held_on) = place.held.clone().unwrap_or((i64::MAX, String::new()));
            let (issued_seq, issued_on) = place.issued.clone().unwrap_or((-1, String::new()));
            query = query.bind(month).bind(*product_id).bind(warehouse).bind(place.good).bind(place.damaged);
            query = query.bind(held_on).bind(held_seq).bind(issued_on).bind(issued_seq);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// A product's newest cost at a month's end: (feed order, unit cost).
type Cost = Option<(i64, i64)>;

async fn upsert_costs(tx: &mut Tx, rows: &[(String, i64, Cost)]) -> Result<()> {
    let rows: Vec<(&String, i64, (i64, i64))> =
        rows.iter().filter_map(|(month, product, cost)| cost.map(|cost| (month, *product, cost))).collect();
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO product_cost_month_facts (month, product_id, unit_cost, cost_seq) VALUES {} \
             ON CONFLICT (month, product_id) DO UPDATE SET \
             unit_cost = CASE WHEN excluded.cost_seq > product_cost_month_facts.cost_seq THEN excluded.unit_cost \
             ELSE product_cost_month_facts.unit_cost END, \
             cost_seq = CASE WHEN excluded.cost_seq > product_cost_month_facts.cost_seq THEN excluded.cost_seq \
             ELSE product_cost_month_facts.cost_seq END",
            values_list(backend_of(tx), chunk.len(), 4)
        );
        let mut query = sqlx::query(&sql);
        for (month, product_id, (order, unit_cost)) in chunk {
            query = query.bind(*month).bind(*product_id).bind(*unit_cost).bind(*order);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn upsert_stocktakes(tx: &mut Tx, rows: &BTreeMap<(String, String), [i64; 5]>) -> Result<()> {
    let rows: Vec<_> = rows.iter().collect();
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO stocktake_month_facts (month, warehouse, counts, surplus_units, surplus_value, shortage_units, \
             shortage_value) VALUES {} ON CONFLICT (month, warehouse) DO UPDATE SET \
             counts = stocktake_month_facts.counts + excluded.counts, \
             surplus_units = stocktake_month_facts.surplus_units + excluded.surplus_units, \
             surplus_value = stocktake_month_facts.surplus_value + excluded.surplus_value, \
             shortage_units = stocktake_month_facts.shortage_units + excluded.shortage_units, \
             shortage_value = stocktake_month_facts.shortage_value + excluded.shortage_value",
            values_list(backend_of(tx), chunk.len(), 7)
        );
        let mut query = sqlx::query(&sql);
        for ((month, warehouse), figures) in chunk {
            query = query.bind(month).bind(warehouse);
            for figure in figures.iter() {
                query = query.bind(*figure);
            }
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Builds the rollups from every move kept, in feed order (the migration's backfill).
pub async fn backfill(tx: &mut Tx) -> Result<()> {
    for table in ["stock_month_facts", "product_cost_month_facts", "stocktake_month_facts"] {
        sqlx::query(&format!("DELETE FROM {table}")).execute(&mut **tx).await?;
    }
    type Row = (String, String, i64, i64, String, String, i64, Option<i64>, String, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT document_type, document_number, move_no, product_id, warehouse, stock_condition, quantity, unit_cost, \
         moved_on, position FROM stock_move_facts ORDER BY position, move_no",
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut kept = Vec::with_capacity(rows.len());
    for (document_type, document_number, move_no, product_id, warehouse, condition, quantity, unit_cost, day, at) in
        rows
    {
        let Ok(moved_on) = day.parse::<NaiveDate>() else { continue };
        let row =
            MoveRow { document_type, document_number, product_id, warehouse, condition, quantity, unit_cost, moved_on };
        kept.push((row, at, move_no));
    }
    let moves: Vec<Moved<'_>> =
        kept.iter().map(|(row, position, move_no)| Moved { row, position: *position, move_no: *move_no }).collect();
    add(tx, &moves).await
}

/// Stock of one warehouse, summed by the database: (products, units, value) of good, damaged and
/// slow-moving stock.
type Sums = (String, i64, i64, i64, i64, i64, i64, i64, i64, i64);

/// Good stock held since the window's start at the latest with no goods issue after it.
const SLOW: &str = "s.good_units > 0 AND s.held_on <> '' AND s.held_on <= $2 \
     AND NOT (s.issued_on <> '' AND s.issued_on > $2)";

/// The stock at the end of `day`, a month's last day, in one warehouse when given: as
/// `stock_facts::stock_at` makes it of every move up to it, summed per warehouse by the database
/// (a row per product and warehouse would be thousands).
pub async fn stock_at(db: &Db, day: NaiveDate, office: Option<&str>) -> Result<StockAt> {
    let kept: Option<String> =
        sqlx::query_scalar("SELECT MAX(month) FROM stock_month_facts").fetch_one(db.pool()).await?;
    let mut stock = StockAt::default();
    // Nothing moved after the newest month kept: its end holds on.
    let Some(month) = kept.map(|kept| kept.min(month_of(day))) else {
        return Ok(stock);
    };
    let value = "COALESCE(c.unit_cost, 0)";
    let mut sql = format!(
        "SELECT s.warehouse, \
         CAST(SUM(CASE WHEN s.good_units <> 0 THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(s.good_units) AS BIGINT), \
         CAST(SUM(s.good_units * {value}) AS BIGINT), \
         CAST(SUM(CASE WHEN s.damaged_units <> 0 THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(s.damaged_units) AS BIGINT), CAST(SUM(s.damaged_units * {value}) AS BIGINT), \
         CAST(SUM(CASE WHEN {SLOW} THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN {SLOW} THEN s.good_units ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN {SLOW} THEN s.good_units * {value} ELSE 0 END) AS BIGINT) \
         FROM stock_month_facts s LEFT JOIN product_cost_month_facts c \
         ON c.month = s.month AND c.product_id = s.product_id WHERE s.month = $1"
    );
    if office.is_some() {
        sql.push_str(" AND s.warehouse = $3");
    }
    sql.push_str(" GROUP BY s.warehouse");
    let window_start = day.checked_sub_days(Days::new(SLOW_DAYS)).unwrap_or(NaiveDate::MIN).to_string();
    let mut query = sqlx::query_as::<_, Sums>(&sql).bind(&month).bind(window_start);
    if let Some(office) = office {
        query = query.bind(office);
    }
    for (warehouse, gp, gu, gv, dp, du, dv, sp, su, sv) in query.fetch_all(db.pool()).await? {
        let holding = |products, units, value| Holding { products, units, value };
        if gp > 0 {
            stock.by_place.insert((warehouse.clone(), crate::stock_facts::GOOD.to_owned()), holding(gp, gu, gv));
        }
        if dp > 0 {
            stock.by_place.insert((warehouse.clone(), DAMAGED.to_owned()), holding(dp, du, dv));
            stock.damaged.insert(warehouse.clone(), holding(dp, du, dv));
        }
        if sp > 0 {
            stock.slow.insert(warehouse, holding(sp, su, sv));
        }
    }
    Ok(stock)
}

/// What the stocktakes of each warehouse found over the months `first..=last` (`YYYY-MM`):
/// (counts, surplus units, surplus value, shortage units, shortage value), of one when given.
pub async fn stocktakes(
    db: &Db,
    (first, last): (NaiveDate, NaiveDate),
    office: Option<&str>,
) -> Result<BTreeMap<String, [i64; 5]>> {
    let mut sql = "SELECT warehouse, CAST(SUM(counts) AS BIGINT), CAST(SUM(surplus_units) AS BIGINT), \
                   CAST(SUM(surplus_value) AS BIGINT), CAST(SUM(shortage_units) AS BIGINT), \
                   CAST(SUM(shortage_value) AS BIGINT) FROM stocktake_month_facts WHERE month >= $1 AND month <= $2"
        .to_owned();
    if office.is_some() {
        sql.push_str(" AND warehouse = $3");
    }
    sql.push_str(" GROUP BY warehouse");
    let mut query =
        sqlx::query_as::<_, (String, i64, i64, i64, i64, i64)>(&sql).bind(month_of(first)).bind(month_of(last));
    if let Some(office) = office {
        query = query.bind(office);
    }
    Ok(query
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(|(warehouse, a, b, c, d, e)| (warehouse, [a, b, c, d, e]))
        .collect())
}
