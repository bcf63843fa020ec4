//! The service-and-care department's summary: requests and their SLA, warranty cases and
//! returns to the supplier, per period, from the same facts and arithmetic as
//! `/api/v1/reports/service` (`service_report`), so the two agree.

use std::collections::BTreeMap;

use atq_platform::error::Result;
use atq_platform::{Db, Office};

use crate::periods::Period;
use crate::service_report::{self, RequestFigures, ServiceReport};
use crate::summary::{Cells, Layout};
use crate::summary_cells::TOTAL_KEY;

const REQUEST_MEASURES: &[&str] = &[
    "requests",
    "answered",
    "first_response_breached",
    "resolved",
    "resolution_breached",
    "breached",
    "breach_rate_bp",
    "mean_first_response_minutes",
    "mean_resolution_minutes",
];

pub const SERVICE: Layout = Layout {
    sections: &[
        ("total", REQUEST_MEASURES),
        ("by_kind", REQUEST_MEASURES),
        ("by_department", REQUEST_MEASURES),
        ("by_office", REQUEST_MEASURES),
        (
            "warranty_by_supplier",
            &["cases", "rmas_sent", "rmas_received", "median_turnaround_tenths", "mean_turnaround_tenths"],
        ),
    ],
};

fn put(cells: &mut Cells, section: usize, key: &str, f: &RequestFigures) {
    let values = [
        Some(f.requests),
        Some(f.answered),
        Some(f.first_response_breached),
        Some(f.resolved),
        Some(f.resolution_breached),
        Some(f.breached),
        f.breach_rate_bp(),
        f.mean_first_response_minutes(),
        f.mean_resolution_minutes(),
    ];
    for (measure, value) in values.into_iter().enumerate() {
        // A rate or mean with nothing to divide is left out (shown as 0).
        if let Some(value) = value {
            cells.insert((section, key.to_owned(), measure), value);
        }
    }
}

/// One period's cells: the groups are re-tallied from the same facts so rates stay exact.
fn cells_of(report: &ServiceReport, period: Period) -> Cells {
    let mut cells = Cells::new();
    let mut groups: [BTreeMap<&str, RequestFigures>; 3] = Default::default();
    for ((p, kind, department, office), f) in &report.requests {
        if *p != period {
            continue;
        }
        for (group, key) in groups.iter_mut().zip([kind, department, office]) {
            group.entry(key.as_str()).or_default().merge(f);
        }
    }
    if let Some(total) = report.totals.get(&period) {
        put(&mut cells, 0, TOTAL_KEY, total);
    }
    for (section, group) in groups.iter().enumerate() {
        for (key, f) in group {
            put(&mut cells, section + 1, key, f);
        }
    }
    for ((p, supplier_id), f) in &report.suppliers {
        if *p != period {
            continue;
        }
        let key = if f.supplier_code.is_empty() { supplier_id.to_string() } else { f.supplier_code.clone() };
        let values = [
            Some(f.cases),
            Some(f.rmas_sent),
            Some(f.turnaround_days.len() as i64),
            f.median_turnaround_tenths(),
            f.mean_turnaround_tenths(),
        ];
        for (measure, value) in values.into_iter().enumerate() {
            if let Some(value) = value {
                cells.insert((4, key.clone(), measure), value);
            }
        }
    }
    cells
}

/// Service figures of each period (in order), as they stand at `now`.
pub async fn service(db: &Db, periods: &[Period], office: Option<Office>, now: i64) -> Result<BTreeMap<Period, Cells>> {
    let report = service_report::service_report(db, periods, office, now).await?;
    Ok(periods.iter().map(|p| (*p, cells_of(&report, *p))).collect())
}
