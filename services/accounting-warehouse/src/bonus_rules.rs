//! The arithmetic and the checks of customer bonuses, apart from storage: periods, schemes and
//! their steps, the net of VAT of a payment and the bonus of a period.
//!
//! Rounding, stated once: the net part of an allocation is `allocated × invoice net / invoice
//! gross`, and a bonus `paid net × rate_bp / 10000`, each rounded half up to the đồng (VND has no
//! minor unit), computed in 128 bits and refused, never wrapped, should it leave 64.

use atq_platform::Error;
use atq_platform::business_time::{date_from_proto, within_business_range};
use atq_platform::error::Result;
use atq_platform::limits;
use atq_platform::validation::{Violations, required_text};
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::{Datelike, Months, NaiveDate};

pub const TIERS: [&str; 3] = ["distributor", "tier1", "tier2"];
pub const GROUPS: [&str; 3] = ["individual", "dealer", "project"];
/// A scheme has at most this many steps.
pub const MAX_STEPS: usize = 20;
/// The highest rate a step may give: the whole paid net revenue.
pub const MAX_RATE_BP: i32 = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodKind {
    Quarter,
    Year,
}

impl PeriodKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        }
    }

    pub fn parse(text: &str) -> Result<PeriodKind, String> {
        match text.trim() {
            "quarter" => Ok(PeriodKind::Quarter),
            "year" => Ok(PeriodKind::Year),
            _ => Err("must be quarter or year".into()),
        }
    }
}

/// A bonus period: a calendar quarter or year, both ends included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub label: String,
    pub kind: PeriodKind,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// "2026-Q4" or "2026".
    pub fn parse(text: &str) -> Result<Period, String> {
        let message = || "must be a quarter like 2026-Q4 or a year like 2026".to_owned();
        let text = text.trim();
        let (year, quarter) = match text.split_once("-Q") {
            Some((year, quarter)) => (year, Some(quarter.parse::<u32>().map_err(|_| message())?)),
            None => (text, None),
        };
        if year.len() != 4 {
            return Err(message());
        }
        let year = year.parse::<i32>().map_err(|_| message())?;
        let date = match quarter {
            Some(q @ 1..=4) => NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1),
            Some(_) => None,
            None => NaiveDate::from_ymd_opt(year, 1, 1),
        };
        let date = date.ok_or_else(message).and_then(within_business_range)?;
        let kind = if quarter.is_some() { PeriodKind::Quarter } else { PeriodKind::Year };
        Ok(Period::containing(kind, date))
    }

    /// The quarter or the year `date` falls in.
    pub fn containing(kind: PeriodKind, date: NaiveDate) -> Period {
        let (label, first_month, months) = match kind {
            PeriodKind::Quarter => {
                let quarter = date.month0() / 3;
                (format!("{}-Q{}", date.year(), quarter + 1), quarter * 3 + 1, 3)
            }
            PeriodKind::Year => (date.year().to_string(), 1, 12),
        };
        let start = NaiveDate::from_ymd_opt(date.year(), first_month, 1).unwrap_or(date);
        let end = last_day(start, months);
        Period { label, kind, start, end }
    }
}

/// The day before `start` + `months`.
fn last_day(start: NaiveDate, months: u32) -> NaiveDate {
    start.checked_add_months(Months::new(months)).and_then(|next| next.pred_opt()).unwrap_or(start)
}

/// "2026-10": (first day, last day) of the month.
pub fn parse_month(text: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let message = || "must be a month like 2026-10".to_owned();
    let (year, month) = text.trim().split_once('-').ok_or_else(message)?;
    if year.len() != 4 || month.len() != 2 {
        return Err(message());
    }
    let (year, month) = (year.parse::<i32>().map_err(|_| message())?, month.parse::<u32>().map_err(|_| message())?);
    let start = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(message).and_then(within_business_range)?;
    Ok((start, last_day(start, 1)))
}

/// A checked scheme, ready to store.
#[derive(Clone, Debug)]
pub struct NewScheme {
    pub name: String,
    pub target_kind: String,
    pub target: String,
    pub period_kind: PeriodKind,
    pub effective_from: NaiveDate,
    pub steps: Vec<pb::BonusStep>,
}

impl TryFrom<&pb::CreateBonusSchemeRequest> for NewScheme {
    type Error = Error;

    fn try_from(input: &pb::CreateBonusSchemeRequest) -> Result<NewScheme> {
        let mut v = Violations::new();
        let name = v.check("name", required_text(&input.name, 200));
        let target_kind = input.target_kind.trim();
        let targets: &[&str] = match target_kind {
            "tier" => &TIERS,
            "group" => &GROUPS,
            _ => {
                v.add("target_kind", "must be tier or group");
                &[]
            }
        };
        let target = input.target.trim();
        if !targets.is_empty() && !targets.contains(&target) {
            v.add("target", format!("must be one of {}", targets.join(", ")));
        }
        let period_kind = v.check("period_kind", PeriodKind::parse(&input.period_kind));
        let effective_from = match &input.effective_from {
            None => {
                v.add("effective_from", "is required");
                None
            }
            Some(date) => v.check("effective_from", date_from_proto(date).and_then(within_business_range)),
        };
        check_steps(&input.steps, &mut v);
        v.finish()?;
        Ok(NewScheme {
            name: name.unwrap_or_default(),
            target_kind: target_kind.to_owned(),
            target: target.to_owned(),
            period_kind: period_kind.unwrap_or(PeriodKind::Quarter),
            effective_from: effective_from.unwrap_or_default(),
            steps: input.steps.clone(),
        })
    }
}

/// One to [`MAX_STEPS`] steps, thresholds ascending within the amount bound, rates within 0–100%.
fn check_steps(steps: &[pb::BonusStep], v: &mut Violations) {
    if steps.is_empty() || steps.len() > MAX_STEPS {
        v.add("steps", format!("must have from 1 to {MAX_STEPS} steps"));
        return;
    }
    for (index, step) in steps.iter().enumerate() {
        v.check(&format!("steps[{index}].threshold"), limits::amount(step.threshold));
        if !(0..=MAX_RATE_BP).contains(&step.rate_bp) {
            v.add(format!("steps[{index}].rate_bp"), format!("must be from 0 to {MAX_RATE_BP}"));
        }
        if index > 0 && step.threshold <= steps[index - 1].threshold {
            v.add(format!("steps[{index}].threshold"), "must be above the previous step's threshold");
        }
    }
}

/// The step reached by `paid_net`: (threshold, rate), or (0, 0) below the first threshold.
pub fn step_reached(steps: &[pb::BonusStep], paid_net: i64) -> (i64, i32) {
    steps.iter().rev().find(|step| paid_net >= step.threshold).map_or((0, 0), |step| (step.threshold, step.rate_bp))
}

/// `value × numerator / denominator`, rounded half up (away from zero for negatives).
fn scale(value: i64, numerator: i64, denominator: i64, what: &str) -> Result<i64> {
    if denominator == 0 {
        return Ok(0);
    }
    let product = i128::from(value) * i128::from(numerator);
    let denominator = i128::from(denominator);
    let half_up = (product.abs() * 2 + denominator.abs()) / (denominator.abs() * 2);
    let signed = if (product < 0) != (denominator < 0) { -half_up } else { half_up };
    i64::try_from(signed).map_err(|_| Error::internal(anyhow::anyhow!("{what} passes the range of the books")))
}

/// The part of `allocated` (with VAT) that is net revenue, pro rata to the invoice's totals.
pub fn net_of_vat(allocated: i64, invoice_net: i64, invoice_gross: i64) -> Result<i64> {
    scale(allocated, invoice_net, invoice_gross, "a payment's net part")
}

/// The bonus of `paid_net` at `rate_bp`.
pub fn bonus(paid_net: i64, rate_bp: i32) -> Result<i64> {
    scale(paid_net, i64::from(rate_bp), 10_000, "a bonus")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(list: &[(i64, i32)]) -> Vec<pb::BonusStep> {
        list.iter().map(|&(threshold, rate_bp)| pb::BonusStep { threshold, rate_bp }).collect()
    }

    #[test]
    fn periods_are_calendar_quarters_and_years() {
        let q4 = Period::parse("2026-Q4").unwrap();
        assert_eq!((q4.start.to_string(), q4.end.to_string()), ("2026-10-01".into(), "2026-12-31".into()));
        let q1 = Period::parse("2028-Q1").unwrap();
        assert_eq!(q1.end.to_string(), "2028-03-31");
        let year = Period::parse("2026").unwrap();
        assert_eq!((year.kind, year.end.to_string()), (PeriodKind::Year, "2026-12-31".into()));
        for wrong in ["2026-Q5", "2026-Q0", "26-Q1", "2026-10", "", "Q4"] {
            assert!(Period::parse(wrong).is_err(), "{wrong}");
        }
        let date = NaiveDate::from_ymd_opt(2026, 5, 17).unwrap();
        assert_eq!(Period::containing(PeriodKind::Quarter, date).label, "2026-Q2");
        assert_eq!(parse_month("2026-02").unwrap().1.to_string(), "2026-02-28");
        assert!(parse_month("2026-13").is_err() && parse_month("2026-1").is_err());
    }

    #[test]
    fn the_highest_step_reached_decides_the_rate_of_the_whole_revenue() {
        let table = steps(&[(100_000_000, 100), (500_000_000, 200), (1_000_000_000, 300)]);
        assert_eq!(step_reached(&table, 99_999_999), (0, 0));
        assert_eq!(step_reached(&table, 100_000_000), (100_000_000, 100));
        assert_eq!(step_reached(&table, 999_999_999), (500_000_000, 200));
        assert_eq!(step_reached(&table, 5_000_000_000), (1_000_000_000, 300));
        assert_eq!(bonus(999_999_999, 200).unwrap(), 20_000_000, "19,999,999.98 rounds up");
        assert_eq!(bonus(25, 200).unwrap(), 1, "0.5 rounds half up");
        assert_eq!(bonus(24, 200).unwrap(), 0);
        assert_eq!(bonus(-25, 200).unwrap(), -1);
    }

    #[test]
    fn the_net_part_of_a_payment_is_pro_rata_to_the_invoice() {
        assert_eq!(net_of_vat(104_500_000, 95_000_000, 104_500_000).unwrap(), 95_000_000);
        assert_eq!(net_of_vat(50_000_000, 95_000_000, 104_500_000).unwrap(), 45_454_545);
        assert_eq!(net_of_vat(11, 10, 11).unwrap(), 10);
        assert_eq!(net_of_vat(5, 0, 0).unwrap(), 0, "an invoice returned whole counts nothing");
        assert!(net_of_vat(i64::MAX, i64::MAX, 1).is_err(), "refused, never wrapped");
    }

    #[test]
    fn schemes_are_checked_field_by_field() {
        let request = pb::CreateBonusSchemeRequest {
            name: " ".into(),
            target_kind: "tier".into(),
            target: "dealer".into(),
            period_kind: "month".into(),
            effective_from: None,
            steps: steps(&[(10, 100), (10, 20_000), (-1, 0)]),
        };
        let Err(Error::Invalid(violations)) = NewScheme::try_from(&request) else { panic!("accepted") };
        let fields: Vec<&str> = violations.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "target",
                "period_kind",
                "effective_from",
                "steps[1].rate_bp",
                "steps[1].threshold",
                "steps[2].threshold",
                "steps[2].threshold"
            ]
        );
        let good = pb::CreateBonusSchemeRequest {
            name: "Đại lý cấp 1".into(),
            target: "tier1".into(),
            period_kind: "quarter".into(),
            effective_from: Some(atq_proto::common::v1::LocalDate { year: 2026, month: 1, day: 1 }),
            steps: steps(&[(0, 100), (10, 200)]),
            ..request
        };
        assert_eq!(NewScheme::try_from(&good).unwrap().period_kind, PeriodKind::Quarter);
    }
}
