//! The accounting and warehouse summary's figures at each period's end: receivables and their
//! aging, days sales outstanding (`summary_receivables`), stock by warehouse and condition,
//! slow-moving and damaged stock, and what the period's stocktakes found (`stock_facts`), read from
//! the rollups kept with the facts (`receivable_rollup`, `stock_rollup`).
//!
//! Receivables are under the customer's office and stock under its warehouse: a sales manager
//! sees their office's.

use std::collections::BTreeMap;

use atq_platform::error::Result;
use atq_platform::{Db, Office};
use chrono::NaiveDate;

use crate::periods::Period;
use crate::summary::Cells;
use crate::summary_cells::TOTAL_KEY;
use crate::summary_receivables::{self, BUCKETS};
use crate::{receivable_rollup, stock_facts, stock_rollup};

/// The sections after the invoicing ones (total and by office), in the layout's order.
pub const SECTIONS: [(&str, &[&str]); 6] = [
    ("receivables", &["open_invoices", "closing_receivables", "overdue", "credit_sales", "days", "dso_tenths"]),
    ("receivables_aging", &["invoices", "open_amount"]),
    ("stock_by_warehouse", &["products", "units", "value"]),
    ("slow_moving_stock", &["products", "units", "value"]),
    ("damaged_stock", &["products", "units", "value"]),
    ("stocktakes", &["counts", "surplus_units", "surplus_value", "shortage_units", "shortage_value"]),
];

/// Where the first of them is in the layout.
const FIRST: usize = 2;
/// The invoiced gross measure of the total section: the credit sales.
const INVOICED_GROSS: usize = 3;

fn put(cells: &mut Cells, section: usize, key: &str, measure: usize, amount: i64) {
    let cell = cells.entry((FIRST + section, key.to_owned(), measure)).or_default();
    *cell = cell.saturating_add(amount);
}

fn receivables(cells: &mut Cells, period: &Period, aged: [(i64, i64); 5]) {
    let end = period.last_day();
    let (mut invoices, mut closing) = (0i64, 0i64);
    for (bucket, (count, amount)) in BUCKETS.iter().zip(aged) {
        if count > 0 {
            put(cells, 1, bucket, 0, count);
            put(cells, 1, bucket, 1, amount);
        }
        invoices = invoices.saturating_add(count);
        closing = closing.saturating_add(amount);
    }
    let overdue = closing.saturating_sub(aged[0].1);
    let credit_sales = cells.get(&(0, TOTAL_KEY.to_owned(), INVOICED_GROSS)).copied().unwrap_or(0);
    let days = (end - period.first_day).num_days() + 1;
    for (measure, amount) in [invoices, closing, overdue, credit_sales, days].into_iter().enumerate() {
        put(cells, 0, TOTAL_KEY, measure, amount);
    }
    if let Some(dso) = summary_receivables::dso_tenths(closing, credit_sales, days) {
        put(cells, 0, TOTAL_KEY, 5, dso);
    }
}

async fn stock(db: &Db, cells: &mut Cells, period: &Period, office: Option<&str>) -> Result<()> {
    let at = stock_rollup::stock_at(db, period.last_day(), office).await?;
    let mut holdings: Vec<(usize, String, &stock_facts::Holding)> = Vec::new();
    holdings.extend(at.by_place.iter().map(|((warehouse, condition), h)| (2, format!("{warehouse}/{condition}"), h)));
    holdings.extend(at.slow.iter().map(|(warehouse, h)| (3, warehouse.clone(), h)));
    holdings.extend(at.damaged.iter().map(|(warehouse, h)| (4, warehouse.clone(), h)));
    for (section, key, h) in holdings {
        for (measure, amount) in [h.products, h.units, h.value].into_iter().enumerate() {
            put(cells, section, &key, measure, amount);
        }
    }
    for (warehouse, found) in stock_rollup::stocktakes(db, (period.first_day, period.last_day()), office).await? {
        for (measure, amount) in found.into_iter().enumerate() {
            put(cells, 5, &warehouse, measure, amount);
        }
    }
    Ok(())
}

/// Adds the figures at each period's end to the periods' invoicing cells, from the daily
/// receivables and month-end stock rollups (every period ends on a month's last day).
pub async fn add_period_ends(db: &Db, tallied: &mut BTreeMap<Period, Cells>, office: Option<Office>) -> Result<()> {
    let ends: Vec<NaiveDate> = tallied.keys().map(|period| period.last_day()).collect();
    let aged = receivable_rollup::aging(db, &ends, office).await?;
    let warehouse = office.map(Office::code);
    for ((period, cells), aged) in tallied.iter_mut().zip(aged) {
        receivables(cells, period, aged);
        stock(db, cells, period, warehouse).await?;
    }
    Ok(())
}
