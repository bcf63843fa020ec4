//! The service-and-care report: requests per kind, department and office in each period with
//! their first-response and resolution times against the SLA, warranty cases per product and
//! supplier, failure rates (cases / units sold) and the suppliers' RMA turnaround.
//!
//! A request counts in the period of the local day it was received; a case in the period it was
//! opened; a return to the supplier when it left and, with its turnaround, when it came back.

use std::collections::BTreeMap;

use atq_platform::error::Result;
use atq_platform::{Db, Office};
use chrono::NaiveDate;

use crate::periods::Period;
use crate::service_facts::{CaseFact, RequestFact};
use crate::service_facts_store;

/// The key of every total.
pub const ALL: &str = "all";

pub const METHOD: &str = "Requests count in the local period they were received; times are working minutes \
     on the sales SLA calendar (means toward zero, over the requests answered or resolved). A clock breaches \
     when it stopped late, or is still running past its due time when the report is asked. Breach rate = \
     requests with either clock breached / requests, in basis points, half up. Warranty cases count in the \
     period they were opened; failure rate = cases / units on confirmed, not cancelled orders of the same \
     period and product, in basis points, half up. RMA turnaround = days from shipped to received back, \
     counted when received back, in tenths of a day, half up (the median of an even count is the mean of \
     the middle two).";

/// `sum * scale / count`, half up; none when there is nothing to divide.
pub fn ratio(sum: i64, count: i64, scale: i64) -> Option<i64> {
    (count > 0).then(|| {
        let (sum, count) = (i128::from(sum) * i128::from(scale), i128::from(count));
        i64::try_from((2 * sum + count).div_euclid(2 * count)).unwrap_or(i64::MAX)
    })
}

/// `sum / count` toward zero; none when there is nothing to divide.
fn mean(sum: i64, count: i64) -> Option<i64> {
    (count > 0).then(|| sum / count)
}

/// One group of requests' sums; the averages are taken once, at the end.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestFigures {
    pub requests: i64,
    pub answered: i64,
    first_response_minutes: i64,
    first_response_target: i64,
    pub first_response_breached: i64,
    pub resolved: i64,
    resolution_minutes: i64,
    resolution_target: i64,
    pub resolution_breached: i64,
    pub breached: i64,
}

impl RequestFigures {
    pub fn add(&mut self, fact: &RequestFact, now: i64) {
        self.requests += 1;
        if fact.first_response_minutes >= 0 {
            self.answered += 1;
            self.first_response_minutes = self.first_response_minutes.saturating_add(fact.first_response_minutes);
            self.first_response_target = self.first_response_target.saturating_add(fact.first_response_target);
        }
        if fact.resolution_minutes >= 0 {
            self.resolved += 1;
            self.resolution_minutes = self.resolution_minutes.saturating_add(fact.resolution_minutes);
            self.resolution_target = self.resolution_target.saturating_add(fact.resolution_target);
        }
        let (first, resolution) = (fact.first_response_late(now), fact.resolution_late(now));
        self.first_response_breached += i64::from(first);
        self.resolution_breached += i64::from(resolution);
        self.breached += i64::from(first || resolution);
    }

    /// Adds another group's sums to these.
    pub fn merge(&mut self, other: &RequestFigures) {
        let sums = [
            (&mut self.requests, other.requests),
            (&mut self.answered, other.answered),
            (&mut self.first_response_minutes, other.first_response_minutes),
            (&mut self.first_response_target, other.first_response_target),
            (&mut self.first_response_breached, other.first_response_breached),
            (&mut self.resolved, other.resolved),
            (&mut self.resolution_minutes, other.resolution_minutes),
            (&mut self.resolution_target, other.resolution_target),
            (&mut self.resolution_breached, other.resolution_breached),
            (&mut self.breached, other.breached),
        ];
        for (sum, more) in sums {
            *sum = sum.saturating_add(more);
        }
    }

    pub fn mean_first_response_minutes(&self) -> Option<i64> {
        mean(self.first_response_minutes, self.answered)
    }

    pub fn mean_first_response_target(&self) -> Option<i64> {
        mean(self.first_response_target, self.answered)
    }

    pub fn mean_resolution_minutes(&self) -> Option<i64> {
        mean(self.resolution_minutes, self.resolved)
    }

    pub fn mean_resolution_target(&self) -> Option<i64> {
        mean(self.resolution_target, self.resolved)
    }

    pub fn breach_rate_bp(&self) -> Option<i64> {
        ratio(self.breached, self.requests, 10_000)
    }
}

/// (period, kind, department, office).
pub type RequestKey = (Period, String, String, String);

/// One product's cases and units sold in a period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProductFigures {
    pub model_code: String,
    pub supplier_id: i64,
    pub supplier_code: String,
    pub cases: i64,
    pub units_sold: i64,
}

impl ProductFigures {
    pub fn failure_rate_bp(&self) -> Option<i64> {
        ratio(self.cases, self.units_sold, 10_000)
    }
}

/// One supplier's cases and returns in a period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SupplierFigures {
    pub supplier_code: String,
    pub supplier_name: String,
    pub cases: i64,
    pub rmas_sent: i64,
    pub turnaround_days: Vec<i64>,
}

impl SupplierFigures {
    pub fn median_turnaround_tenths(&self) -> Option<i64> {
        let mut days = self.turnaround_days.clone();
        days.sort_unstable();
        let n = days.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(days[n / 2].saturating_mul(10)),
            // Tenths of the mean of the middle two: (a + b) × 10 / 2, exact.
            _ => Some(days[n / 2 - 1].saturating_add(days[n / 2]).saturating_mul(5)),
        }
    }

    pub fn mean_turnaround_tenths(&self) -> Option<i64> {
        ratio(self.turnaround_days.iter().sum(), self.turnaround_days.len() as i64, 10)
    }
}

#[derive(Clone, Debug, Default)]
pub struct ServiceReport {
    pub requests: BTreeMap<RequestKey, RequestFigures>,
    pub totals: BTreeMap<Period, RequestFigures>,
    pub products: BTreeMap<(Period, i64), ProductFigures>,
    pub suppliers: BTreeMap<(Period, i64), SupplierFigures>,
}

fn day(text: &str) -> Option<NaiveDate> {
    text.parse().ok()
}

fn period_of(periods: &[Period], text: &str) -> Option<Period> {
    let day = day(text)?;
    periods.iter().copied().find(|p| p.holds(day))
}

/// Tallies the facts into the periods; `units` are (month `YYYY-MM`, product, units sold).
pub fn tally(
    periods: &[Period],
    requests: &[RequestFact],
    cases: &[CaseFact],
    units: &[(String, i64, i64)],
    now: i64,
) -> ServiceReport {
    let mut report = ServiceReport {
        totals: periods.iter().map(|p| (*p, RequestFigures::default())).collect(),
        ..ServiceReport::default()
    };
    for fact in requests {
        let Some(period) = period_of(periods, &fact.received_on) else { continue };
        let key = (period, fact.kind.clone(), fact.department.clone(), fact.office.clone());
        report.requests.entry(key).or_default().add(fact, now);
        report.totals.entry(period).or_default().add(fact, now);
    }
    for case in cases {
        tally_case(&mut report, periods, case);
    }
    for (month, product_id, quantity) in units {
        let Some(period) = period_of(periods, &format!("{month}-01")) else { continue };
        if let Some(figures) = report.products.get_mut(&(period, *product_id)) {
            figures.units_sold = figures.units_sold.saturating_add(*quantity);
        }
    }
    report
}

/// The supplier's figures of a period, named as the case names the supplier.
fn supplier<'a>(report: &'a mut ServiceReport, period: Period, case: &CaseFact) -> &'a mut SupplierFigures {
    let figures = report.suppliers.entry((period, case.supplier_id)).or_default();
    figures.supplier_code.clone_from(&case.supplier_code);
    figures.supplier_name.clone_from(&case.supplier_name);
    figures
}

fn tally_case(report: &mut ServiceReport, periods: &[Period], case: &CaseFact) {
    if let Some(period) = period_of(periods, &case.opened_on) {
        let product = report.products.entry((period, case.product_id)).or_default();
        product.model_code.clone_from(&case.model_code);
        product.supplier_id = case.supplier_id;
        product.supplier_code.clone_from(&case.supplier_code);
        product.cases += 1;
        supplier(report, period, case).cases += 1;
    }
    if let Some(period) = period_of(periods, &case.rma_shipped_on) {
        supplier(report, period, case).rmas_sent += 1;
    }
    if let (Some(period), Some(shipped), Some(received)) =
        (period_of(periods, &case.rma_received_on), day(&case.rma_shipped_on), day(&case.rma_received_on))
    {
        supplier(report, period, case).turnaround_days.push((received - shipped).num_days());
    }
}

/// The report over the periods, limited to one office when given, as the facts stand at `now`.
pub async fn service_report(db: &Db, periods: &[Period], office: Option<Office>, now: i64) -> Result<ServiceReport> {
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
        return Ok(ServiceReport::default());
    };
    let (from, to) = (first.first_day, last.last_day());
    let requests = service_facts_store::requests(db, from, to, office).await?;
    let cases = service_facts_store::cases(db, from, to, office).await?;
    let mut products: Vec<i64> = cases.iter().map(|c| c.product_id).collect();
    products.sort_unstable();
    products.dedup();
    let units = service_facts_store::units_sold(db, from, to, office, &products).await?;
    Ok(tally(periods, &requests, &cases, &units, now))
}

#[cfg(test)]
#[path = "service_report_tests.rs"]
mod tests;
