//! Each department's summary layout, and its figures per period tallied from the facts.
//!
//! Sales: confirmed orders not cancelled, in the local month of confirmation, less returns in the
//! month of their return (the monthly sales report's rule), and customers created. Accounting and
//! warehouse: invoices issued and payments received (collections), on their local dates, under
//! the customer's office, from their daily rollup; then receivables and stock at the period's end
//! (`summary_stock`).
//! Import-export: see `summary_import`.

use std::collections::BTreeMap;

use atq_platform::error::Result;
use atq_platform::{Db, Office};
use chrono::NaiveDate;

use crate::periods::Period;
use crate::sales_facts::{Dimension, Figures, Summary};
use crate::summary::{Cells, Layout};
use crate::summary_facts_store::{self, DayRow};
use crate::summary_stock;

/// The key of the total section's one row.
pub const TOTAL_KEY: &str = "all";

const SALES_MEASURES: &[&str] = &["net", "vat", "gross", "quantity", "orders", "new_customers"];

pub const SALES: Layout = Layout {
    sections: &[
        ("total", SALES_MEASURES),
        ("by_office", SALES_MEASURES),
        ("by_customer_group", SALES_MEASURES),
        // Customers have no salesperson of their own: no new customers here.
        ("by_salesperson", &["net", "vat", "gross", "quantity", "orders"]),
    ],
};

const ACCOUNTING_MEASURES: &[&str] =
    &["invoices", "invoiced_net", "invoiced_vat", "invoiced_gross", "payments", "collected"];

pub const ACCOUNTING: Layout = Layout {
    sections: &[
        ("total", ACCOUNTING_MEASURES),
        ("by_office", ACCOUNTING_MEASURES),
        summary_stock::SECTIONS[0],
        summary_stock::SECTIONS[1],
        summary_stock::SECTIONS[2],
        summary_stock::SECTIONS[3],
        summary_stock::SECTIONS[4],
        summary_stock::SECTIONS[5],
    ],
};

pub use crate::summary_import::{IMPORT_EXPORT, import_export};

/// Adds `amount` to a cell.
fn add(cells: &mut Cells, section: usize, key: &str, measure: usize, amount: i64) {
    let cell = cells.entry((section, key.to_owned(), measure)).or_default();
    *cell = cell.saturating_add(amount);
}

fn put_figures(cells: &mut Cells, section: usize, key: &str, f: &Figures) {
    for (measure, amount) in [f.net, f.vat, f.gross, f.quantity, f.orders].into_iter().enumerate() {
        add(cells, section, key, measure, amount);
    }
}

fn sales_cells(summary: &Summary) -> Cells {
    let mut cells = Cells::new();
    put_figures(&mut cells, 0, TOTAL_KEY, &summary.total);
    for (section, dimension) in [(1, Dimension::Office), (2, Dimension::CustomerGroup), (3, Dimension::Salesperson)] {
        for (key, figures) in summary.breakdown(dimension) {
            put_figures(&mut cells, section, key, figures);
        }
    }
    cells
}

/// Sales figures of each period over the facts between two local dates. Periods are whole
/// months, quarters or years, so each is read from the monthly rollup, never from the lines.
pub async fn sales(
    db: &Db,
    periods: &[Period],
    from: NaiveDate,
    to: NaiveDate,
    office: Option<Office>,
) -> Result<BTreeMap<Period, Cells>> {
    let customers = summary_facts_store::new_customers(db, from, to, office).await?;
    let new_customers = SALES_MEASURES.len() - 1;
    let mut tallied = BTreeMap::new();
    for period in periods {
        let summary =
            crate::sales_facts::sales_by_month(db, period.first_day, period.last_day(), office).await?.summary;
        let mut cells = sales_cells(&summary);
        for customer in customers.iter().filter(|c| in_period(period, c)) {
            add(&mut cells, 0, TOTAL_KEY, new_customers, 1);
            add(&mut cells, 1, &customer.office, new_customers, 1);
            add(&mut cells, 2, &customer.group, new_customers, 1);
        }
        tallied.insert(*period, cells);
    }
    Ok(tallied)
}

fn in_period(period: &Period, row: &DayRow) -> bool {
    row.day.parse::<NaiveDate>().is_ok_and(|day| period.holds(day))
}

/// Invoicing and collection figures of each period between two local dates, from the daily
/// rollup. A document of a customer analytics has not heard of yet counts under office `unknown`.
pub async fn accounting(
    db: &Db,
    periods: &[Period],
    from: NaiveDate,
    to: NaiveDate,
    office: Option<Office>,
) -> Result<BTreeMap<Period, Cells>> {
    let days = crate::receivable_rollup::days(db, (from, to), office).await?;
    let mut tallied = BTreeMap::new();
    for period in periods {
        let mut cells = Cells::new();
        let of_period = days.iter().filter(|(day, _, _)| day.parse::<NaiveDate>().is_ok_and(|day| period.holds(day)));
        for (_, office, [invoices, net, vat, gross, payments, collected]) in of_period {
            for (section, key) in [(0, TOTAL_KEY), (1, office_key(office))] {
                if *invoices != 0 {
                    for (measure, amount) in [*invoices, *net, *vat, *gross].into_iter().enumerate() {
                        add(&mut cells, section, key, measure, amount);
                    }
                }
                if *payments != 0 {
                    add(&mut cells, section, key, 4, *payments);
                    add(&mut cells, section, key, 5, *collected);
                }
            }
        }
        tallied.insert(*period, cells);
    }
    summary_stock::add_period_ends(db, &mut tallied, office).await?;
    Ok(tallied)
}

fn office_key(office: &str) -> &str {
    if office.is_empty() { crate::product_facts::UNKNOWN } else { office }
}

/// Measures that tell what goods cost the company: only for those who may read costs.
const COST_MEASURES: [&str; 7] = [
    "landed_value",
    "priced_landed_value",
    "landed_vs_list_bp",
    "goods_value",
    "value",
    "surplus_value",
    "shortage_value",
];

/// Takes the cost measures out of the summaries (a sales manager's).
pub fn hide_costs(summaries: &mut [crate::summary::PeriodSummary]) {
    let rows = summaries.iter_mut().flat_map(|s| s.sections.iter_mut()).flat_map(|s| s.rows.iter_mut());
    for row in rows {
        row.measures.retain(|m| !COST_MEASURES.contains(&m.name));
    }
}
