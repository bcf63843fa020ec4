//! The import-export department's summary: supplier orders placed (sent) and received, what the
//! received goods cost landed against their list price, lead times and kept promises, and the
//! import plans' late milestones.
//!
//! An order counts as placed in the period of the local day it was sent and as received in that
//! of the day it was received; cancelled orders count nowhere. Lead times and the on-time rate
//! are the supplier performance report's (`supplier_facts`): mean days from sent to received in
//! tenths rounded half up, on time when received by the promised day, the rate in basis points of
//! the orders with a promise; the median is the middle lead time (the mean of the two middle ones
//! for an even count), in tenths. Landed cost vs list is the received lines' landed value in basis
//! points of their value at list price, over the lines whose product had a list price, half up.
//! A milestone counts in the period of the day it is needed by; it is late when the plan cannot
//! have its units by then, late by the days from needed-by to its promise date. Orders are under
//! the warehouse they go to and milestones under the plan's office: a sales manager sees those of
//! their office.

use std::collections::BTreeMap;

use atq_platform::error::Result;
use atq_platform::{Db, Office};
use chrono::NaiveDate;

use crate::import_facts_store::{self, MilestoneRow, ValuedOrder};
use crate::periods::Period;
use crate::summary::{Cells, Layout};
use crate::summary_cells::TOTAL_KEY;
use crate::supplier_facts::{self, RECEIVED};

const TOTAL_MEASURES: &[&str] = &[
    "orders_placed",
    "orders_received",
    "units_received",
    "landed_value",
    "priced_landed_value",
    "list_value",
    "landed_vs_list_bp",
    "lead_time_mean_tenths",
    "lead_time_median_tenths",
    "orders_promised",
    "orders_on_time",
    "on_time_rate_bp",
    "milestones_due",
    "milestones_late",
];

pub const IMPORT_EXPORT: Layout = Layout {
    sections: &[
        ("total", TOTAL_MEASURES),
        ("placed_by_currency", &["orders", "goods_value"]),
        (
            "by_supplier",
            &[
                "orders_placed",
                "orders_received",
                "units_received",
                "landed_value",
                "lead_time_mean_tenths",
                "lead_time_median_tenths",
                "on_time_rate_bp",
            ],
        ),
        ("milestones_by_office", &["milestones_due", "milestones_late", "late_units", "late_days"]),
    ],
};

/// The middle of the lead times (days), in tenths of a day: the mean of the two middle ones for an
/// even count, which is exact in tenths.
pub fn median_tenths(days: &mut [i64]) -> Option<i64> {
    days.sort_unstable();
    let n = days.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => days[n / 2].checked_mul(10),
        _ => days[n / 2 - 1].checked_add(days[n / 2])?.checked_mul(5),
    }
}

/// `part` in basis points of `whole`, rounded half up; none without a whole.
pub fn basis_points(part: i64, whole: i64) -> Option<i64> {
    if whole <= 0 {
        return None;
    }
    let (part, whole) = (i128::from(part), i128::from(whole));
    i64::try_from((2 * part * 10_000 + whole).div_euclid(2 * whole)).ok()
}

fn add(cells: &mut Cells, section: usize, key: &str, measure: usize, amount: i64) {
    let cell = cells.entry((section, key.to_owned(), measure)).or_default();
    *cell = cell.saturating_add(amount);
}

fn put(cells: &mut Cells, section: usize, key: &str, measure: usize, amount: Option<i64>) {
    if let Some(amount) = amount {
        add(cells, section, key, measure, amount);
    }
}

/// Orders placed in the period, in total, by currency and by supplier.
fn placed(cells: &mut Cells, period: &Period, orders: &[ValuedOrder]) {
    for o in orders.iter().filter(|o| o.order.sent_on.is_some_and(|d| period.holds(d))) {
        add(cells, 0, TOTAL_KEY, 0, 1);
        add(cells, 1, &o.currency, 0, 1);
        add(cells, 1, &o.currency, 1, o.goods_value);
        add(cells, 2, &o.order.supplier_code, 0, 1);
    }
}

/// Orders received in the period: the supplier report's figures, the median and the values.
fn received(cells: &mut Cells, period: &Period, orders: &[ValuedOrder]) {
    let (first, last) = (period.first_day, period.last_day());
    let rows: Vec<_> = orders.iter().map(|o| o.order.clone()).collect();
    // Open orders are not read here, so the day only matters to them.
    let report = supplier_facts::summarize(&rows, first, last, last);
    let mut lead_times: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for o in
        orders.iter().filter(|o| o.order.status == RECEIVED && o.order.received_on.is_some_and(|d| period.holds(d)))
    {
        for (measure, amount) in [(3, o.landed_total), (4, o.priced_landed), (5, o.list_value)] {
            add(cells, 0, TOTAL_KEY, measure, amount);
        }
        add(cells, 2, &o.order.supplier_code, 3, o.landed_total);
        if let (Some(sent), Some(received)) = (o.order.sent_on, o.order.received_on) {
            let days = (received - sent).num_days();
            lead_times.entry(TOTAL_KEY).or_default().push(days);
            lead_times.entry(&o.order.supplier_code).or_default().push(days);
        }
    }
    let total = &report.total;
    add(cells, 0, TOTAL_KEY, 1, total.orders_received);
    add(cells, 0, TOTAL_KEY, 2, total.units_received);
    let (priced, listed) = (cells.get(&(0, TOTAL_KEY.to_owned(), 4)), cells.get(&(0, TOTAL_KEY.to_owned(), 5)));
    let ratio = basis_points(priced.copied().unwrap_or(0), listed.copied().unwrap_or(0));
    put(cells, 0, TOTAL_KEY, 6, ratio);
    put(cells, 0, TOTAL_KEY, 7, total.average_lead_time_tenths());
    put(cells, 0, TOTAL_KEY, 8, lead_times.get_mut(TOTAL_KEY).and_then(|d| median_tenths(d)));
    add(cells, 0, TOTAL_KEY, 9, total.orders_promised);
    add(cells, 0, TOTAL_KEY, 10, total.orders_on_time);
    put(cells, 0, TOTAL_KEY, 11, total.on_time_rate_bp().map(i64::from));
    for supplier in report.suppliers.iter().filter(|s| s.orders_received > 0) {
        let key = supplier.supplier_code.as_str();
        add(cells, 2, key, 1, supplier.orders_received);
        add(cells, 2, key, 2, supplier.units_received);
        put(cells, 2, key, 4, supplier.average_lead_time_tenths());
        put(cells, 2, key, 5, lead_times.get_mut(key).and_then(|d| median_tenths(d)));
        put(cells, 2, key, 6, supplier.on_time_rate_bp().map(i64::from));
    }
}

fn milestones(cells: &mut Cells, period: &Period, rows: &[MilestoneRow]) {
    for m in rows.iter().filter(|m| period.holds(m.needed_by)) {
        add(cells, 0, TOTAL_KEY, 12, 1);
        add(cells, 3, &m.office, 0, 1);
        if m.late {
            add(cells, 0, TOTAL_KEY, 13, 1);
            add(cells, 3, &m.office, 1, 1);
            add(cells, 3, &m.office, 2, m.quantity);
            let late_days = m.promise_date.map_or(0, |promise| (promise - m.needed_by).num_days().max(0));
            add(cells, 3, &m.office, 3, late_days);
        }
    }
}

/// Import-export figures of each period between two local dates.
pub async fn import_export(
    db: &Db,
    periods: &[Period],
    from: NaiveDate,
    to: NaiveDate,
    office: Option<Office>,
) -> Result<BTreeMap<Period, Cells>> {
    let orders = import_facts_store::orders(db, from, to, office).await?;
    let due = import_facts_store::milestones(db, from, to, office).await?;
    let mut tallied = BTreeMap::new();
    for period in periods {
        let mut cells = Cells::new();
        placed(&mut cells, period, &orders);
        received(&mut cells, period, &orders);
        milestones(&mut cells, period, &due);
        tallied.insert(*period, cells);
    }
    Ok(tallied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_lead_time_is_the_middle_one_in_tenths() {
        assert_eq!(median_tenths(&mut []), None);
        assert_eq!(median_tenths(&mut [44]), Some(440));
        assert_eq!(median_tenths(&mut [44, 38]), Some(410));
        assert_eq!(median_tenths(&mut [5, 1, 3, 10]), Some(40));
        assert_eq!(median_tenths(&mut [7, 3, 9]), Some(70));
        assert_eq!(median_tenths(&mut [1, 2]), Some(15));
    }

    #[test]
    fn rates_are_basis_points_rounded_half_up() {
        // One of two promised orders on time: 50%.
        assert_eq!(basis_points(1, 2), Some(5_000));
        // Two of three: 66.665% up to 6,667.
        assert_eq!(basis_points(2, 3), Some(6_667));
        assert_eq!(basis_points(1, 3), Some(3_333));
        // Landed 1,150 against a list value of 1,000: 115%.
        assert_eq!(basis_points(1_150, 1_000), Some(11_500));
        assert_eq!(basis_points(5, 0), None);
    }
}
