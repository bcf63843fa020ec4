//! The directors' summary of one department: per period (month, quarter or year), each figure
//! beside the period before and the same period a year earlier, with the changes.
//!
//! Every period needed (the asked ones, their predecessors, a year earlier) is tallied once from
//! the facts read over the whole range in one query per fact table; sections and measures are
//! named by the department (see `summary_cells`).

use std::collections::{BTreeMap, BTreeSet};

use atq_platform::business_time::now_micros;
use atq_platform::error::Result;
use atq_platform::{Db, Error, Office};

use crate::periods::Period;
use crate::summary_cells;
use crate::summary_service;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Department {
    Sales,
    AccountingWarehouse,
    ImportExport,
    Service,
}

impl Department {
    pub fn parse(text: &str) -> std::result::Result<Department, String> {
        match text.trim() {
            "sales" => Ok(Department::Sales),
            "accounting-warehouse" => Ok(Department::AccountingWarehouse),
            "import-export" => Ok(Department::ImportExport),
            "service" => Ok(Department::Service),
            _ => Err("must be sales, accounting-warehouse, import-export or service".to_owned()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Department::Sales => "sales",
            Department::AccountingWarehouse => "accounting-warehouse",
            Department::ImportExport => "import-export",
            Department::Service => "service",
        }
    }
}

/// A department's figures of one period: (section, key, measure) -> amount or count. Sections and
/// measures are indexes into the department's layout.
pub type Cells = BTreeMap<(usize, String, usize), i64>;

/// How a department's summary is laid out: its sections, and the measures each has.
pub struct Layout {
    pub sections: &'static [(&'static str, &'static [&'static str])],
}

/// One figure beside the period before and the same period a year earlier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Measure {
    pub name: &'static str,
    pub current: i64,
    pub previous: i64,
    pub year_ago: i64,
}

impl Measure {
    pub fn change_previous(&self) -> i64 {
        self.current.saturating_sub(self.previous)
    }

    pub fn change_year_ago(&self) -> i64 {
        self.current.saturating_sub(self.year_ago)
    }

    pub fn change_previous_bp(&self) -> Option<i64> {
        change_bp(self.current, self.previous)
    }

    pub fn change_year_ago_bp(&self) -> Option<i64> {
        change_bp(self.current, self.year_ago)
    }
}

/// The change from `before` to `now` in basis points of `before`'s magnitude, toward zero; none
/// when `before` is zero (no base to compare with).
pub fn change_bp(now: i64, before: i64) -> Option<i64> {
    if before == 0 {
        return None;
    }
    let change = (i128::from(now) - i128::from(before)) * 10_000 / i128::from(before).abs();
    Some(i64::try_from(change).unwrap_or(if change < 0 { i64::MIN } else { i64::MAX }))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub key: String,
    pub measures: Vec<Measure>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub name: &'static str,
    pub rows: Vec<Row>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodSummary {
    pub period: Period,
    pub sections: Vec<Section>,
}

/// The summary of a department over the given periods, limited to one office when given.
pub async fn department_summary(
    db: &Db,
    department: Department,
    periods: &[Period],
    office: Option<Office>,
) -> Result<Vec<PeriodSummary>> {
    let needed: BTreeSet<Period> = periods.iter().flat_map(|p| [*p, p.previous(), p.year_ago()]).collect();
    let (Some(first), Some(last)) = (needed.first(), needed.last()) else {
        return Ok(Vec::new());
    };
    let (from, to) = (first.first_day, last.last_day());
    let needed: Vec<Period> = needed.into_iter().collect();
    let (layout, cells) = match department {
        Department::Sales => (&summary_cells::SALES, summary_cells::sales(db, &needed, from, to, office).await?),
        Department::AccountingWarehouse => {
            (&summary_cells::ACCOUNTING, summary_cells::accounting(db, &needed, from, to, office).await?)
        }
        Department::ImportExport => {
            (&summary_cells::IMPORT_EXPORT, summary_cells::import_export(db, &needed, from, to, office).await?)
        }
        Department::Service => {
            (&summary_service::SERVICE, summary_service::service(db, &needed, office, now_micros()).await?)
        }
    };
    periods
        .iter()
        .map(|period| {
            let of =
                |p: Period| cells.get(&p).ok_or_else(|| Error::internal(anyhow::anyhow!("period {p} not tallied")));
            let sections = assemble(layout, [of(*period)?, of(period.previous())?, of(period.year_ago())?]);
            Ok(PeriodSummary { period: *period, sections })
        })
        .collect()
}

/// Puts the three periods' cells side by side: every key any of them has, sorted; the total
/// section's one row even when all is zero.
pub fn assemble(layout: &Layout, [current, previous, year_ago]: [&Cells; 3]) -> Vec<Section> {
    layout
        .sections
        .iter()
        .enumerate()
        .map(|(index, (name, measures))| {
            let mut keys: BTreeSet<&String> = [current, previous, year_ago]
                .iter()
                .flat_map(|cells| cells.keys().filter(|k| k.0 == index).map(|k| &k.1))
                .collect();
            let total_key = summary_cells::TOTAL_KEY.to_owned();
            if *name == "total" {
                keys.insert(&total_key);
            }
            let rows = keys
                .into_iter()
                .map(|key| Row {
                    key: key.clone(),
                    measures: measures
                        .iter()
                        .enumerate()
                        .map(|(m, measure)| {
                            let at = |cells: &Cells| cells.get(&(index, key.clone(), m)).copied().unwrap_or(0);
                            Measure {
                                name: measure,
                                current: at(current),
                                previous: at(previous),
                                year_ago: at(year_ago),
                            }
                        })
                        .collect(),
                })
                .collect();
            Section { name, rows }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_absolute_and_in_basis_points_of_the_base() {
        assert_eq!(change_bp(150, 100), Some(5_000));
        assert_eq!(change_bp(50, 100), Some(-5_000));
        assert_eq!(change_bp(-50, -100), Some(5_000), "a smaller loss is a rise");
        assert_eq!(change_bp(1, 3), Some(-6_666), "toward zero");
        assert_eq!(change_bp(10, 0), None);
        assert_eq!(change_bp(i64::MAX, 1), Some(i64::MAX));
        let m = Measure { name: "net", current: 120, previous: 100, year_ago: 240 };
        assert_eq!((m.change_previous(), m.change_previous_bp()), (20, Some(2_000)));
        assert_eq!((m.change_year_ago(), m.change_year_ago_bp()), (-120, Some(-5_000)));
    }

    #[test]
    fn sections_list_every_key_of_the_three_periods() {
        const LAYOUT: Layout = Layout { sections: &[("total", &["net"]), ("by_office", &["net", "orders"])] };
        let current: Cells = [((1, "HN".to_owned(), 0), 10), ((1, "HN".to_owned(), 1), 1)].into_iter().collect();
        let previous: Cells = [((1, "DL".to_owned(), 0), 7)].into_iter().collect();
        let sections = assemble(&LAYOUT, [&current, &previous, &Cells::new()]);
        assert_eq!(sections[0].rows.len(), 1, "the total row is there when empty");
        assert_eq!(sections[0].rows[0].measures[0].current, 0);
        let offices: Vec<&str> = sections[1].rows.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(offices, ["DL", "HN"]);
        assert_eq!(sections[1].rows[0].measures[0], Measure { name: "net", current: 0, previous: 7, year_ago: 0 });
        assert_eq!(sections[1].rows[1].measures[1].current, 1);
    }
}
