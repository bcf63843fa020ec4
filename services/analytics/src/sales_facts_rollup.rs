//! The monthly sales rollup (`sales_month_facts`): per month, office and key of a dimension, the
//! sums of the order and return lines under it.
//!
//! Every change of the facts goes through [`Change`]: it sums the lines the change can move as
//! they stand before, the caller changes the facts, and [`Change::finish`] sums them again and
//! adds the difference. A replayed or older event changes no fact, so its difference is nothing;
//! a cancelled order's lines leave the sums; a return, or an order read after its returns, moves
//! exactly the lines concerned. Each rollup row therefore equals the sum of its fact lines
//! whichever order the feeds arrive in.

use std::collections::{BTreeMap, BTreeSet};

use atq_platform::db::{backend_of, values_list};
use atq_platform::error::Result;
use atq_platform::{Db, Error, Tx};

use crate::rollup_batch::Pending;
use chrono::{Months, NaiveDate};

pub const GROUP: &str = "group";
pub const SALESPERSON: &str = "salesperson";
pub const CATEGORY: &str = "category";
pub const BRAND: &str = "brand";
pub const PRODUCT: &str = "product";

/// The lines a change can move.
#[derive(Clone, Debug)]
pub enum Lines {
    /// An order's own lines, and the returns of the numbers it had and has.
    Order { order_id: i64, numbers: [String; 2] },
    /// Every sale (whole orders, which count once per category and brand) and return of a product.
    Product(i64),
    /// The lines of one return.
    Return(i64),
}

/// Sums of one rollup row, or the change of one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    pub lines: i64,
    pub orders: i64,
    pub quantity: i64,
    pub net: i64,
    pub vat: i64,
}

fn overflow() -> Error {
    Error::internal(anyhow::anyhow!("sales rollup out of range"))
}

impl Cell {
    fn plus(self, other: Cell, sign: i64) -> Result<Cell> {
        let add = |a: i64, b: i64| b.checked_mul(sign).and_then(|b| a.checked_add(b)).ok_or_else(overflow);
        Ok(Cell {
            lines: add(self.lines, other.lines)?,
            orders: add(self.orders, other.orders)?,
            quantity: add(self.quantity, other.quantity)?,
            net: add(self.net, other.net)?,
            vat: add(self.vat, other.vat)?,
        })
    }
}

/// (month, office, dimension, key).
type Key = (String, String, &'static str, String);
pub(crate) type Cells = BTreeMap<Key, Cell>;

/// month, office, group, salesperson, order id (0 for a return), product, category, brand,
/// signed quantity, net and VAT.
type Row = (String, String, String, String, i64, i64, String, String, i64, i64, i64);

const SOLD: &str = "SELECT o.month, o.office, o.customer_group, o.salesperson, o.order_id, l.product_id, \
     COALESCE(p.category, 'unknown'), COALESCE(p.brand, 'unknown'), l.quantity, l.net_amount, l.vat_amount \
     FROM sales_orders o JOIN sales_order_lines l ON l.order_id = o.order_id \
     LEFT JOIN product_facts p ON p.product_id = l.product_id WHERE o.cancelled_at = 0 AND ";

const RETURNED: &str = "SELECT r.month, r.office, COALESCE(o.customer_group, 'unknown'), \
     COALESCE(o.salesperson, 'unknown'), 0, r.product_id, COALESCE(p.category, 'unknown'), \
     COALESCE(p.brand, 'unknown'), -r.quantity, -r.net_amount, -r.vat_amount \
     FROM sales_return_lines r LEFT JOIN sales_orders o ON o.number = r.order_number \
     LEFT JOIN product_facts p ON p.product_id = r.product_id WHERE ";

/// The lines, in one statement: a change is read twice per event.
async fn rows(tx: &mut Tx, lines: &Lines) -> Result<Vec<Row>> {
    let found = match lines {
        Lines::Order { order_id, numbers } => {
            let sql = format!("{SOLD}o.order_id = $1 UNION ALL {RETURNED}(r.order_number = $2 OR r.order_number = $3)");
            let query = sqlx::query_as::<_, Row>(&sql).bind(order_id).bind(&numbers[0]).bind(&numbers[1]);
            query.fetch_all(&mut **tx).await?
        }
        Lines::Product(product_id) => {
            let sql = format!(
                "{SOLD}o.order_id IN (SELECT s.order_id FROM sales_order_lines s WHERE s.product_id = $1) \
                 UNION ALL {RETURNED}r.product_id = $1"
            );
            sqlx::query_as::<_, Row>(&sql).bind(product_id).fetch_all(&mut **tx).await?
        }
        Lines::Return(return_id) => {
            let sql = format!("{RETURNED}r.return_id = $1");
            sqlx::query_as::<_, Row>(&sql).bind(return_id).fetch_all(&mut **tx).await?
        }
    };
    Ok(found)
}

/// The rollup rows of some lines; an order counts once under each key it has a line under.
fn cells(rows: Vec<Row>) -> Result<Cells> {
    let mut cells = Cells::new();
    let mut counted: BTreeSet<(Key, i64)> = BTreeSet::new();
    for (month, office, group, salesperson, order_id, product_id, category, brand, quantity, net, vat) in rows {
        let line = Cell { lines: 1, orders: 0, quantity, net, vat };
        for (dimension, key) in [
            (GROUP, group),
            (SALESPERSON, salesperson),
            (CATEGORY, category),
            (BRAND, brand),
            (PRODUCT, product_id.to_string()),
        ] {
            let key = (month.clone(), office.clone(), dimension, key);
            let new_order = order_id != 0 && counted.insert((key.clone(), order_id));
            let cell = cells.entry(key).or_default();
            *cell = cell.plus(Cell { orders: i64::from(new_order), ..line }, 1)?;
        }
    }
    Ok(cells)
}

/// Waits for the changes of other transactions to commit, and holds theirs until this one does
/// (see `rollup_lock` in the migration); taken again in the same transaction it costs a write.
pub async fn lock(tx: &mut Tx) -> Result<()> {
    sqlx::query("UPDATE rollup_lock SET changes = changes + 1 WHERE id = 1").execute(&mut **tx).await?;
    Ok(())
}

/// A change of the facts under way: the sums of the lines it can move, taken before.
pub struct Change {
    lines: Lines,
    before: Cells,
}

impl Change {
    pub async fn start(tx: &mut Tx, lines: Lines, pending: &mut Pending) -> Result<Change> {
        pending.lock(tx).await?;
        let before = cells(rows(tx, &lines).await?)?;
        Ok(Change { lines, before })
    }

    /// Adds to the batch's changes what the change made of its lines.
    pub async fn finish(self, tx: &mut Tx, pending: &mut Pending) -> Result<()> {
        let after = cells(rows(tx, &self.lines).await?)?;
        for (key, cell) in after {
            let entry = pending.sales.entry(key).or_default();
            *entry = entry.plus(cell, 1)?;
        }
        for (key, cell) in self.before {
            let entry = pending.sales.entry(key).or_default();
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
        let values = values_list(backend_of(tx), chunk.len(), 9);
        let sql = format!(
            "INSERT INTO sales_month_facts (month, office, dimension, key, lines, orders, quantity, net, vat) \
             VALUES {values} ON CONFLICT (month, office, dimension, key) DO UPDATE SET \
             lines = sales_month_facts.lines + excluded.lines, orders = sales_month_facts.orders + excluded.orders, \
             quantity = sales_month_facts.quantity + excluded.quantity, net = sales_month_facts.net + excluded.net, \
             vat = sales_month_facts.vat + excluded.vat"
        );
        let mut query = sqlx::query(&sql);
        for ((month, office, dimension, key), cell) in chunk {
            query = query.bind(month).bind(office).bind(*dimension).bind(key);
            query = query.bind(cell.lines).bind(cell.orders).bind(cell.quantity).bind(cell.net).bind(cell.vat);
        }
        query.execute(&mut **tx).await?;
    }
    for ((month, office, dimension, key), _) in rows.iter().filter(|(_, cell)| cell.lines < 0) {
        // No line left under the key: the reports must not show it.
        sqlx::query(
            "DELETE FROM sales_month_facts WHERE month = $1 AND office = $2 AND dimension = $3 AND key = $4 \
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

/// One kept row: month `YYYY-MM`, office, dimension, key and its sums.
pub struct MonthRow {
    pub month: String,
    pub office: String,
    pub dimension: String,
    pub key: String,
    pub cell: Cell,
}

/// Rows of the months `first..=last` (`YYYY-MM`) of the given dimensions, of one office (code)
/// and one key when given.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn read(
    db: &Db,
    (first, last): (&str, &str),
    dimensions: &[&str],
    (office, key): (Option<&str>, Option<&str>),
) -> Result<Vec<MonthRow>> {
    let wanted = dimensions.iter().map(|d| format!("'{d}'")).collect::<Vec<_>>().join(", ");
    debug_assert!(dimensions.iter().all(|d| [GROUP, SALESPERSON, CATEGORY, BRAND, PRODUCT].contains(d)));
    let mut sql = format!(
        "SELECT month, office, dimension, key, lines, orders, quantity, net, vat FROM sales_month_facts \
         WHERE month >= $1 AND month <= $2 AND dimension IN ({wanted})"
    );
    let mut next = 3;
    if office.is_some() {
        sql.push_str(&format!(" AND office = ${next}"));
        next += 1;
    }
    if key.is_some() {
        sql.push_str(&format!(" AND key = ${next}"));
    }
    sql.push_str(" ORDER BY month, office, dimension, key");
    type Read = (String, String, String, String, i64, i64, i64, i64, i64);
    let mut query = sqlx::query_as::<_, Read>(&sql).bind(first).bind(last);
    if let Some(office) = office {
        query = query.bind(office);
    }
    if let Some(key) = key {
        query = query.bind(key);
    }
    Ok(query
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(|(month, office, dimension, key, lines, orders, quantity, net, vat)| MonthRow {
            month,
            office,
            dimension,
            key,
            cell: Cell { lines, orders, quantity, net, vat },
        })
        .collect())
}

/// A span of local days cut into the whole months the rollups answer and the days at either end
/// that only part of their month is asked for, which the fact lines answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Split {
    /// First and last whole month, `YYYY-MM`.
    pub months: Option<(String, String)>,
    /// Partial months as (first day, last day), in date order.
    pub days: Vec<(NaiveDate, NaiveDate)>,
}

fn last_of_month(month_start: NaiveDate) -> Option<NaiveDate> {
    month_start.checked_add_months(Months::new(1)).and_then(|next| next.pred_opt())
}

pub fn split(from: NaiveDate, to: NaiveDate) -> Split {
    let mut split = Split::default();
    let mut month = crate::sales_facts::first_of_month(from);
    let mut whole: Option<(NaiveDate, NaiveDate)> = None;
    while month <= to {
        let Some(end) = last_of_month(month) else { break };
        let (first, last) = (from.max(month), to.min(end));
        if first == month && last == end {
            whole = Some((whole.map_or(month, |(start, _)| start), month));
        } else {
            split.days.push((first, last));
        }
        let Some(next) = end.succ_opt() else { break };
        month = next;
    }
    split.months = whole.map(|(a, b)| (a.format("%Y-%m").to_string(), b.format("%Y-%m").to_string()));
    split
}

#[cfg(test)]
#[path = "sales_facts_rollup_tests.rs"]
mod tests;
