//! The monthly margin rollup (`margin_month_facts`): per month, office (the order's, else the
//! line's) and key of a dimension, the units, revenue and cost of the shipped and returned lines.
//!
//! Like the sales rollup, a change sums the lines it can move before and after the facts change
//! and adds the difference: a goods issue read before its order counts no revenue until the order
//! arrives, and the order's arrival moves its shipments under its office, customer and
//! salesperson with their share of its net amount.

use std::collections::BTreeMap;

use atq_platform::db::{backend_of, values_list};
use atq_platform::error::Result;
use atq_platform::{Db, Error, Office, Tx};
use chrono::NaiveDate;

use super::MarginRow;
use crate::margin::{GroupBy, line_revenue};
use crate::product_facts::UNKNOWN;
use crate::rollup_batch::Pending;

pub const PRODUCT: &str = "product";
pub const CUSTOMER: &str = "customer";
pub const SALESPERSON: &str = "salesperson";

/// Where rollup rows come from, in the rows handed to the grouping: their revenue is final.
const ROLLED: &str = "month";

/// The lines a change can move.
#[derive(Clone, Debug)]
pub enum Lines {
    /// The shipments and returns of an order, by the number it had and has.
    Orders([String; 2]),
    /// The lines of one goods issue or return (`source`, `document`).
    Document(&'static str, String),
}

/// Sums of one rollup row, or the change of one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    pub lines: i64,
    pub quantity: i64,
    pub revenue: i64,
    pub cost: i64,
}

fn overflow() -> Error {
    Error::internal(anyhow::anyhow!("margin rollup out of range"))
}

impl Cell {
    fn plus(self, other: Cell, sign: i64) -> Result<Cell> {
        let add = |a: i64, b: i64| b.checked_mul(sign).and_then(|b| a.checked_add(b)).ok_or_else(overflow);
        Ok(Cell {
            lines: add(self.lines, other.lines)?,
            quantity: add(self.quantity, other.quantity)?,
            revenue: add(self.revenue, other.revenue)?,
            cost: add(self.cost, other.cost)?,
        })
    }
}

/// (month, office, dimension, key).
type Key = (String, String, &'static str, String);
pub(crate) type Cells = BTreeMap<Key, Cell>;

/// day, office, source, quantity, revenue, cost, product, the order's customer and salesperson,
/// and its net amount and units of the product.
type Row = (String, String, String, i64, i64, i64, i64, Option<i64>, Option<String>, Option<i64>, Option<i64>);

const LINES: &str = "SELECT m.day, COALESCE(o.office, m.office), m.source, m.quantity, m.revenue, m.cost, \
     m.product_id, o.customer_id, o.salesperson, \
     (SELECT CAST(SUM(l.net_amount) AS BIGINT) FROM sales_order_lines l \
      WHERE l.order_id = o.order_id AND l.product_id = m.product_id), \
     (SELECT CAST(SUM(l.quantity) AS BIGINT) FROM sales_order_lines l \
      WHERE l.order_id = o.order_id AND l.product_id = m.product_id) \
     FROM margin_lines m LEFT JOIN sales_orders o ON o.number = m.order_number WHERE ";

async fn cells(tx: &mut Tx, lines: &Lines) -> Result<Cells> {
    let rows: Vec<Row> = match lines {
        Lines::Orders([old, new]) => {
            let sql = format!("{LINES}(m.order_number = $1 OR m.order_number = $2)");
            sqlx::query_as(&sql).bind(old).bind(new).fetch_all(&mut **tx).await?
        }
        Lines::Document(source, document) => {
            let sql = format!("{LINES}m.source = $1 AND m.document = $2");
            sqlx::query_as(&sql).bind(*source).bind(document).fetch_all(&mut **tx).await?
        }
    };
    let mut cells = Cells::new();
    for (day, office, source, quantity, revenue, cost, product_id, customer, salesperson, net, units) in rows {
        let month = day.get(..7).unwrap_or(&day).to_owned();
        let kept = MarginRow { source, quantity, revenue, order_net: net, order_units: units, ..MarginRow::default() };
        let line = Cell { lines: 1, quantity, revenue: line_revenue(&kept)?, cost };
        let salesperson = salesperson.unwrap_or_else(|| UNKNOWN.to_owned());
        for (dimension, key) in [
            (PRODUCT, product_id.to_string()),
            (CUSTOMER, customer.unwrap_or(0).to_string()),
            (SALESPERSON, salesperson),
        ] {
            let cell = cells.entry((month.clone(), office.clone(), dimension, key)).or_default();
            *cell = cell.plus(line, 1)?;
        }
    }
    Ok(cells)
}

/// A change of the facts under way: the sums of the lines it can move, taken before.
pub struct Change {
    lines: Lines,
    before: Cells,
}

impl Change {
    pub async fn start(tx: &mut Tx, lines: Lines, pending: &mut Pending) -> Result<Change> {
        pending.lock(tx).await?;
        let before = cells(tx, &lines).await?;
        Ok(Change { lines, before })
    }

    /// Adds to the batch's changes what the change made of its lines.
    pub async fn finish(self, tx: &mut Tx, pending: &mut Pending) -> Result<()> {
        let after = cells(tx, &self.lines).await?;
        for (key, cell) in after {
            let entry = pending.margins.entry(key).or_default();
            *entry = entry.plus(cell, 1)?;
        }
        for (key, cell) in self.before {
            let entry = pending.margins.entry(key).or_default();
            *entry = entry.plus(cell, -1)?;
        }
        Ok(())
    }
}

/// Rows per statement, well under the databases' limits on bound values.
const CHUNK: usize = 100;

/// Adds the changes of a batch, a statement per chunk of rows.
pub(crate) async fn add(tx: &mut Tx, delta: &Cells) -> Result<()> {
    let rows: Vec<(&Key, &Cell)> = delta.iter().filter(|(_, cell)| **cell != Cell::default()).collect();
    for chunk in rows.chunks(CHUNK) {
        let values = values_list(backend_of(tx), chunk.len(), 8);
        let sql = format!(
            "INSERT INTO margin_month_facts (month, office, dimension, key, lines, quantity, revenue, cost) \
             VALUES {values} ON CONFLICT (month, office, dimension, key) DO UPDATE SET \
             lines = margin_month_facts.lines + excluded.lines, \
             quantity = margin_month_facts.quantity + excluded.quantity, \
             revenue = margin_month_facts.revenue + excluded.revenue, cost = margin_month_facts.cost + excluded.cost"
        );
        let mut query = sqlx::query(&sql);
        for ((month, office, dimension, key), cell) in chunk {
            query = query.bind(month).bind(office).bind(*dimension).bind(key);
            query = query.bind(cell.lines).bind(cell.quantity).bind(cell.revenue).bind(cell.cost);
        }
        query.execute(&mut **tx).await?;
    }
    for ((month, office, dimension, key), _) in rows.iter().filter(|(_, cell)| cell.lines < 0) {
        // No line left under the key: the reports must not show it.
        sqlx::query(
            "DELETE FROM margin_month_facts WHERE month = $1 AND office = $2 AND dimension = $3 AND key = $4 \
             AND lines = 0",
        )
        .bind(month)
        .bind(office)
        .bind(*dimension)
        .bind(key)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Sums over the months `first..=last` (`YYYY-MM`) per key of one dimension, and per office when
/// `per_office` (else the office is left empty: fewer rows when the grouping does not need it).
async fn sums(
    db: &Db,
    (first, last): (&str, &str),
    dimension: &str,
    (office, per_office): (Option<Office>, bool),
) -> Result<Vec<(String, String, Cell)>> {
    let (column, grouping) = if per_office { ("office", "office, key") } else { ("CAST('' AS TEXT)", "key") };
    let mut sql = format!(
        "SELECT {column}, key, CAST(SUM(lines) AS BIGINT), CAST(SUM(quantity) AS BIGINT), \
         CAST(SUM(revenue) AS BIGINT), CAST(SUM(cost) AS BIGINT) FROM margin_month_facts \
         WHERE month >= $1 AND month <= $2 AND dimension = $3",
    );
    if office.is_some() {
        sql.push_str(" AND office = $4");
    }
    sql.push_str(&format!(" GROUP BY {grouping} ORDER BY {grouping}"));
    let mut query =
        sqlx::query_as::<_, (String, String, i64, i64, i64, i64)>(&sql).bind(first).bind(last).bind(dimension);
    if let Some(office) = office {
        query = query.bind(office.code());
    }
    let rows = query.fetch_all(db.pool()).await?;
    Ok(rows
        .into_iter()
        .map(|(office, key, lines, quantity, revenue, cost)| (office, key, Cell { lines, quantity, revenue, cost }))
        .collect())
}

/// Model code, category and brand of every product the catalog feed described.
async fn products(db: &Db) -> Result<BTreeMap<i64, (String, String, String)>> {
    let rows: Vec<(i64, String, String, String)> =
        sqlx::query_as("SELECT product_id, model_code, category, brand FROM product_facts")
            .fetch_all(db.pool())
            .await?;
    Ok(rows.into_iter().map(|(id, model, category, brand)| (id, (model, category, brand))).collect())
}

/// The rollup over whole months as rows to group `by`, with the product's or customer's names
/// joined now, as the fact lines join them; limited to one office and one product category
/// (grouping by product) when given.
pub async fn rows(
    db: &Db,
    (first, last): (&str, &str),
    by: GroupBy,
    office: Option<Office>,
    category: Option<&str>,
) -> Result<Vec<MarginRow>> {
    let dimension = match by {
        GroupBy::Customer => CUSTOMER,
        GroupBy::Salesperson => SALESPERSON,
        GroupBy::Product | GroupBy::Brand | GroupBy::Category | GroupBy::Office => PRODUCT,
    };
    let found = sums(db, (first, last), dimension, (office, by == GroupBy::Office)).await?;
    let products = if dimension == PRODUCT { products(db).await? } else { BTreeMap::new() };
    let customers: BTreeMap<String, String> = if dimension == CUSTOMER {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT customer_id, code FROM customer_facts").fetch_all(db.pool()).await?;
        rows.into_iter().map(|(id, code)| (id.to_string(), code)).collect()
    } else {
        BTreeMap::new()
    };
    let mut rows = Vec::with_capacity(found.len());
    for (office, key, cell) in found.into_iter().filter(|(_, _, cell)| cell.lines > 0) {
        let mut row = MarginRow {
            source: ROLLED.to_owned(),
            office,
            quantity: cell.quantity,
            revenue: cell.revenue,
            cost: cell.cost,
            ..MarginRow::default()
        };
        match dimension {
            PRODUCT => {
                row.product_id = key.parse().map_err(Error::internal)?;
                let named = products.get(&row.product_id);
                // The fact lines keep only products of the category when one is asked.
                if category.is_some_and(|wanted| named.is_none_or(|(_, c, _)| c != wanted)) {
                    continue;
                }
                let (model, category, brand) =
                    named.cloned().unwrap_or_else(|| (UNKNOWN.to_owned(), UNKNOWN.to_owned(), UNKNOWN.to_owned()));
                (row.model_code, row.category, row.brand) = (model, category, brand);
            }
            CUSTOMER => row.customer = customers.get(&key).cloned().unwrap_or_else(|| UNKNOWN.to_owned()),
            _ => row.salesperson = key,
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Lines between two local days grouped `by` later: whole months from the rollup, the days of a
/// month asked in part from the kept lines. A category with another grouping than by product is
/// not in the rollup: the kept lines answer it.
pub async fn grouped_lines(
    db: &Db,
    (from, to): (NaiveDate, NaiveDate),
    office: Option<Office>,
    category: Option<&str>,
    by: GroupBy,
) -> Result<Vec<MarginRow>> {
    if category.is_some() && by != GroupBy::Product {
        return super::lines(db, from, to, office, category).await;
    }
    let split = crate::sales_facts::rollup::split(from, to);
    let mut rows = Vec::new();
    for (first, last) in split.days {
        rows.extend(super::lines(db, first, last, office, category).await?);
    }
    if let Some((first, last)) = &split.months {
        rows.extend(self::rows(db, (first, last), by, office, category).await?);
    }
    Ok(rows)
}
