//! Customer value: each active customer's purchases (kept up to date by the feed projections in
//! `customer_value_facts`), RFM scores, segment, lifetime-value estimate, share of the company's
//! revenue and an at-risk flag, judged on one local day.

use atq_platform::error::Result;
use atq_platform::{Db, Error};
use chrono::NaiveDate;

use crate::customer_value_store::{self, ValueRow};

pub const SCORING_METHOD: &str = "Quintiles over all active customers (at least one counted order): a customer's \
    score is ceil(5 × (customers with a worse figure + 1) / active customers), so equal figures score alike and \
    5 is best. Recency: days since the last order (fewer is better); frequency: orders; monetary: revenue \
    without VAT, returns taken off.";

pub const SEGMENT_RULES: &str = "First rule that holds: champions R≥4 and F≥4; new: one order and R≥4; \
    loyal: R≥3 and F≥3; potential: R≥3; at_risk: F≥3 (and R≤2); hibernating: the rest.";

pub const LIFETIME_VALUE_METHOD: &str = "Average yearly revenue × expected years. Yearly revenue = revenue × 365 / \
    days from the first purchase to the day judged on (at least 365). Expected years: 3 (the planning horizon) \
    for a customer buying on their cycle, 1 for one at risk.";

/// Years a customer buying on their cycle is expected to stay, and one at risk.
const EXPECTED_YEARS: i128 = 3;
const AT_RISK_YEARS: i128 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment {
    Champions,
    New,
    Loyal,
    Potential,
    AtRisk,
    Hibernating,
}

impl Segment {
    /// The mapping stated in [`SEGMENT_RULES`].
    pub fn of(recency: u8, frequency: u8, orders: i64) -> Segment {
        match (recency, frequency) {
            (4.., 4..) => Segment::Champions,
            (4.., _) if orders == 1 => Segment::New,
            (3.., 3..) => Segment::Loyal,
            (3.., _) => Segment::Potential,
            (_, 3..) => Segment::AtRisk,
            _ => Segment::Hibernating,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::New => "new",
            Segment::Loyal => "loyal",
            Segment::Potential => "potential",
            Segment::AtRisk => "at_risk",
            Segment::Hibernating => "hibernating",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerValue {
    pub customer_id: i64,
    pub code: String,
    pub office: String,
    pub group: String,
    pub first_purchase: NaiveDate,
    pub last_purchase: NaiveDate,
    pub orders: i64,
    pub revenue: i64,
    pub average_order: i64,
    pub mean_days_between_orders_tenths: Option<i64>,
    pub days_since_last_order: i64,
    /// Recency, frequency and monetary scores, 1–5.
    pub scores: [u8; 3],
    pub segment: Segment,
    pub lifetime_value: i64,
    pub share_bp: i64,
    pub at_risk: bool,
}

/// Customers with one score have their figure in `min..=max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Band {
    pub score: u8,
    pub min: i64,
    pub max: i64,
}

pub struct ValueReport {
    pub as_of: NaiveDate,
    /// By revenue, highest first, then by customer id.
    pub customers: Vec<CustomerValue>,
    /// Recency (days since the last order), frequency and monetary bands.
    pub bands: [Vec<Band>; 3],
    pub company_revenue: i64,
}

/// Every active customer's value on `as_of`.
pub async fn customer_values(db: &Db, as_of: NaiveDate) -> Result<ValueReport> {
    let rows = customer_value_store::active(db).await?;
    value_report(&rows, as_of)
}

/// One customer's figures before scoring.
struct Base {
    row_index: usize,
    first: NaiveDate,
    last: NaiveDate,
    revenue: i64,
    days_since: i64,
}

pub fn value_report(rows: &[ValueRow], as_of: NaiveDate) -> Result<ValueReport> {
    let date = |text: &str| text.parse::<NaiveDate>().map_err(|e| Error::internal(anyhow::anyhow!("stored date: {e}")));
    let mut bases = Vec::with_capacity(rows.len());
    for (row_index, row) in rows.iter().enumerate() {
        let (first, last) = (date(&row.first_on)?, date(&row.last_on)?);
        let revenue =
            row.net.checked_sub(row.returned_net).ok_or_else(|| Error::internal(anyhow::anyhow!("revenue")))?;
        bases.push(Base { row_index, first, last, revenue, days_since: (as_of - last).num_days().max(0) });
    }
    // Fewer days since the last order is better: score the negation.
    let recency: Vec<i64> = bases.iter().map(|b| -b.days_since).collect();
    let frequency: Vec<i64> = bases.iter().map(|b| rows[b.row_index].orders).collect();
    let monetary: Vec<i64> = bases.iter().map(|b| b.revenue).collect();
    let scored = [scores(&recency), scores(&frequency), scores(&monetary)];
    let company_revenue = monetary.iter().try_fold(0i64, |sum, r| sum.checked_add(*r));
    let company_revenue = company_revenue.ok_or_else(|| Error::internal(anyhow::anyhow!("company revenue")))?;
    let mut customers: Vec<CustomerValue> = bases
        .iter()
        .enumerate()
        .map(|(i, base)| {
            value_of(&rows[base.row_index], base, [scored[0][i], scored[1][i], scored[2][i]], as_of, company_revenue)
        })
        .collect();
    customers.sort_by(|a, b| b.revenue.cmp(&a.revenue).then(a.customer_id.cmp(&b.customer_id)));
    let days: Vec<i64> = bases.iter().map(|b| b.days_since).collect();
    let bands = [bands(&scored[0], &days), bands(&scored[1], &frequency), bands(&scored[2], &monetary)];
    Ok(ValueReport { as_of, customers, bands, company_revenue })
}

fn value_of(row: &ValueRow, base: &Base, scores: [u8; 3], as_of: NaiveDate, company_revenue: i64) -> CustomerValue {
    let span_days = (base.last - base.first).num_days();
    let mean_gap_tenths = (row.orders > 1).then(|| (span_days * 20 + (row.orders - 1)) / (2 * (row.orders - 1)));
    // Later than twice the usual cycle: `days * 10 > 2 * tenths`.
    let at_risk = mean_gap_tenths.is_some_and(|gap| base.days_since * 10 > 2 * gap);
    let observed_days = i128::from((as_of - base.first).num_days().max(365));
    let years = if at_risk { AT_RISK_YEARS } else { EXPECTED_YEARS };
    let lifetime = i128::from(base.revenue) * 365 * years / observed_days;
    let share = if company_revenue > 0 { i128::from(base.revenue) * 10_000 / i128::from(company_revenue) } else { 0 };
    let clamp = |n: i128| i64::try_from(n).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX });
    CustomerValue {
        customer_id: row.customer_id,
        code: row.code.clone(),
        office: row.office.clone(),
        group: row.group.clone(),
        first_purchase: base.first,
        last_purchase: base.last,
        orders: row.orders,
        revenue: base.revenue,
        average_order: base.revenue / row.orders.max(1),
        mean_days_between_orders_tenths: mean_gap_tenths,
        days_since_last_order: base.days_since,
        scores,
        segment: Segment::of(scores[0], scores[1], row.orders),
        lifetime_value: clamp(lifetime),
        share_bp: clamp(share),
        at_risk,
    }
}

/// Quintile scores of figures where higher is better (see [`SCORING_METHOD`]).
pub fn scores(figures: &[i64]) -> Vec<u8> {
    let mut sorted = figures.to_vec();
    sorted.sort_unstable();
    let n = sorted.len().max(1);
    figures
        .iter()
        .map(|figure| {
            let worse = sorted.partition_point(|other| other < figure);
            // 1..=5 by construction.
            u8::try_from((5 * (worse + 1)).div_ceil(n)).unwrap_or(5)
        })
        .collect()
}

/// The figures each score covers, for the scores in use, best last.
fn bands(scores: &[u8], figures: &[i64]) -> Vec<Band> {
    let mut bands: Vec<Band> = Vec::new();
    for (score, figure) in scores.iter().zip(figures) {
        match bands.iter_mut().find(|b| b.score == *score) {
            Some(band) => {
                band.min = band.min.min(*figure);
                band.max = band.max.max(*figure);
            }
            None => bands.push(Band { score: *score, min: *figure, max: *figure }),
        }
    }
    bands.sort_by_key(|b| b.score);
    bands
}

#[cfg(test)]
#[path = "customer_value_tests.rs"]
mod tests;
