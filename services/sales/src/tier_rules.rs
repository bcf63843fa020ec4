//! Dealer tiers decided by data: a rule version is a decision table with one row of thresholds
//! per tier, highest tier first; the first row whose every condition holds decides the tier.
//! Every condition of every row is checked and kept with its numbers, so an evaluation explains
//! itself and tells how far the dealer is from the tier above.

use atq_platform::business_time::{date_from_proto, date_to_proto, local_date, now_micros, to_timestamp};
use atq_platform::limits::{MAX_AMOUNT, MAX_QUANTITY};
use atq_platform::text_status;
use atq_platform::validation::{Violations, required_text};
use atq_platform::{Caller, Error, Tx};
use atq_proto::sales::v1 as pb;
use chrono::NaiveDate;

use crate::tier_rules_store::{self, EvaluationRow};

text_status! {
    /// Dealer tiers, highest first.
    Tier {
        Distributor = "distributor",
        Tier1 = "tier1",
        Tier2 = "tier2",
    }
}

/// What an evaluation decides when no tier's conditions all hold.
pub const NOT_ELIGIBLE: &str = "not_eligible";
/// Growth from nothing counts as this much (+1000%), and no growth is counted above it.
pub const GROWTH_CAP_BP: i64 = 100_000;
const FULL_SHARE_BP: i64 = 10_000;

impl Tier {
    /// The tier above this one, if any.
    pub fn next_up(tier: Option<Tier>) -> Option<Tier> {
        match tier {
            None => Some(Tier::Tier2),
            Some(Tier::Tier2) => Some(Tier::Tier1),
            Some(Tier::Tier1) => Some(Tier::Distributor),
            Some(Tier::Distributor) => None,
        }
    }

    /// 3 for a distributor down to 0 for no tier, to tell upgrades from downgrades.
    pub fn rank(tier: Option<Tier>) -> u8 {
        match tier {
            None => 0,
            Some(Tier::Tier2) => 1,
            Some(Tier::Tier1) => 2,
            Some(Tier::Distributor) => 3,
        }
    }

    pub fn text_of(tier: Option<Tier>) -> &'static str {
        tier.map(Tier::as_str).unwrap_or(NOT_ELIGIBLE)
    }

    /// A tier named on the wire, as a field message when it is not one.
    pub fn parse_wire(text: &str) -> Result<Tier, String> {
        Tier::parse(text.trim()).ok_or_else(|| format!("must be one of {}", Tier::ALL.join(", ")))
    }
}

/// The figures a tier is decided on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DealerFigures {
    pub avg_lab_sales: i64,
    pub growth_bp: i64,
    pub big_brand_share_bp: i64,
    pub staff: i64,
    pub shops: i64,
}

impl DealerFigures {
    /// From lab-equipment sales of two consecutive years and the latest year's other figures.
    pub fn from_sales(previous: i64, latest: i64, big_brand_share_bp: i64, staff: i64, shops: i64) -> DealerFigures {
        let average = (i128::from(previous) + i128::from(latest)) / 2;
        DealerFigures {
            avg_lab_sales: i64::try_from(average).unwrap_or(i64::MAX),
            growth_bp: growth_bp(previous, latest),
            big_brand_share_bp,
            staff,
            shops,
        }
    }
}

/// Growth from `previous` to `latest` in basis points, held within ±[`GROWTH_CAP_BP`].
pub fn growth_bp(previous: i64, latest: i64) -> i64 {
    if previous <= 0 {
        return if latest > 0 { GROWTH_CAP_BP } else { 0 };
    }
    // i128: ten thousand times an amount of up to 10^15 does not fit 64 bits.
    let growth = (i128::from(latest) - i128::from(previous)) * i128::from(FULL_SHARE_BP) / i128::from(previous);
    i64::try_from(growth.clamp(-i128::from(GROWTH_CAP_BP), i128::from(GROWTH_CAP_BP))).unwrap_or(GROWTH_CAP_BP)
}

/// One row of the decision table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TierRule {
    pub tier: Tier,
    pub min_avg_lab_sales: i64,
    pub min_growth_bp: i64,
    pub min_big_brand_share_bp: i64,
    pub min_staff: i64,
    pub min_shops: i64,
}

impl TierRule {
    /// Each condition of the row: its name, the dealer's number and the threshold.
    fn conditions(&self, figures: &DealerFigures) -> [(&'static str, i64, i64); 5] {
        [
            ("avg_lab_sales", figures.avg_lab_sales, self.min_avg_lab_sales),
            ("growth_bp", figures.growth_bp, self.min_growth_bp),
            ("big_brand_share_bp", figures.big_brand_share_bp, self.min_big_brand_share_bp),
            ("staff", figures.staff, self.min_staff),
            ("shops", figures.shops, self.min_shops),
        ]
    }

    pub fn to_proto(&self) -> pb::TierRule {
        pb::TierRule {
            tier: self.tier.as_str().into(),
            min_avg_lab_sales: self.min_avg_lab_sales,
            min_growth_bp: self.min_growth_bp,
            min_big_brand_share_bp: self.min_big_brand_share_bp,
            min_staff: self.min_staff,
            min_shops: self.min_shops,
        }
    }
}

/// One condition checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierCheck {
    pub tier: Tier,
    pub condition: String,
    pub actual: i64,
    pub required: i64,
    pub passed: bool,
}

impl TierCheck {
    pub fn to_proto(&self) -> pb::TierCheck {
        pb::TierCheck {
            tier: self.tier.as_str().into(),
            condition: self.condition.clone(),
            actual: self.actual,
            required: self.required,
            passed: self.passed,
            shortfall: if self.passed { 0 } else { self.required.saturating_sub(self.actual) },
        }
    }
}

/// Checks every condition of every row; the first row passed whole decides.
pub fn decide(rules: &[TierRule], figures: &DealerFigures) -> (Option<Tier>, Vec<TierCheck>) {
    let mut decided = None;
    let mut checks = Vec::new();
    for rule in rules {
        let mut all_hold = true;
        for (condition, actual, required) in rule.conditions(figures) {
            let passed = actual >= required;
            all_hold &= passed;
            checks.push(TierCheck { tier: rule.tier, condition: condition.into(), actual, required, passed });
        }
        if all_hold && decided.is_none() {
            decided = Some(rule.tier);
        }
    }
    (decided, checks)
}

/// The failed conditions of the tier above `decided`: what the dealer still lacks.
pub fn gaps(decided: Option<Tier>, checks: &[TierCheck]) -> (Option<Tier>, Vec<&TierCheck>) {
    let next = Tier::next_up(decided);
    let missing = checks.iter().filter(|check| Some(check.tier) == next && !check.passed).collect();
    (next, missing)
}

/// A new rule version as checked: a name, a start date not in the past, one row per tier.
#[derive(Clone, Debug)]
pub struct NewRuleVersion {
    pub name: String,
    pub effective_from: NaiveDate,
    pub rules: Vec<TierRule>,
}

fn bounded(v: &mut Violations, field: String, value: i64, min: i64, max: i64) -> i64 {
    if !(min..=max).contains(&value) {
        v.add(field, format!("must be from {min} to {max}"));
    }
    value
}

impl NewRuleVersion {
    /// A change never rewrites the past: the version starts today at the earliest.
    pub fn parse(input: &pb::CreateTierRuleVersionRequest, today: NaiveDate) -> Result<NewRuleVersion, Error> {
        let mut v = Violations::new();
        let name = v.check("name", required_text(&input.name, 200)).unwrap_or_default();
        let effective_from = match input.effective_from.as_ref() {
            None => v.check("effective_from", Err::<NaiveDate, _>("is required".to_owned())),
            Some(date) => v.check("effective_from", date_from_proto(date)),
        };
        if effective_from.is_some_and(|date| date < today) {
            v.add("effective_from", "must not be before today");
        }
        let mut rules = Vec::new();
        for (index, rule) in input.rules.iter().enumerate() {
            let field = |name: &str| format!("rules[{index}].{name}");
            let Some(tier) = v.check(&field("tier"), Tier::parse_wire(&rule.tier)) else { continue };
            if rules.iter().any(|known: &TierRule| known.tier == tier) {
                v.add(field("tier"), "appears twice");
            }
            rules.push(TierRule {
                tier,
                min_avg_lab_sales: bounded(&mut v, field("min_avg_lab_sales"), rule.min_avg_lab_sales, 0, MAX_AMOUNT),
                min_growth_bp: bounded(
                    &mut v,
                    field("min_growth_bp"),
                    rule.min_growth_bp,
                    -FULL_SHARE_BP,
                    GROWTH_CAP_BP,
                ),
                min_big_brand_share_bp: bounded(
                    &mut v,
                    field("min_big_brand_share_bp"),
                    rule.min_big_brand_share_bp,
                    0,
                    FULL_SHARE_BP,
                ),
                min_staff: bounded(&mut v, field("min_staff"), rule.min_staff, 0, MAX_QUANTITY),
                min_shops: bounded(&mut v, field("min_shops"), rule.min_shops, 0, MAX_QUANTITY),
            });
        }
        if v.is_empty() && rules.len() != Tier::ALL.len() {
            v.add("rules", "must have one row for each of distributor, tier1, tier2");
        }
        v.finish()?;
        rules.sort_by_key(|rule| std::cmp::Reverse(Tier::rank(Some(rule.tier))));
        Ok(NewRuleVersion { name, effective_from: effective_from.unwrap_or(today), rules })
    }
}

/// Evaluates `figures` with the rule version in force today and keeps the result, in `tx`.
pub async fn evaluate(
    tx: &mut Tx,
    caller: &Caller,
    subject: tier_rules_store::EvaluationSubject,
    figures: &DealerFigures,
) -> Result<EvaluationRow, Error> {
    let today = local_date(now_micros());
    let version = tier_rules_store::version_in_force(tx, today)
        .await?
        .ok_or_else(|| Error::Conflict(format!("no dealer tier rule version is in force on {today}")))?;
    let (decided, checks) = decide(&version.rules, figures);
    tier_rules_store::insert_evaluation(tx, subject, &version, today, decided, figures, &checks, caller).await
}

impl EvaluationRow {
    pub fn to_proto(&self) -> pb::TierEvaluation {
        let (next, missing) = gaps(self.decided, &self.checks);
        pb::TierEvaluation {
            id: self.id,
            rule_version_id: self.rule_version_id,
            rule_version_name: self.rule_version_name.clone(),
            evaluated_on: Some(date_to_proto(self.evaluated_on)),
            decided_tier: Tier::text_of(self.decided).into(),
            avg_lab_sales: self.figures.avg_lab_sales,
            growth_bp: self.figures.growth_bp,
            big_brand_share_bp: self.figures.big_brand_share_bp,
            staff: self.figures.staff,
            shops: self.figures.shops,
            checks: self.checks.iter().map(TierCheck::to_proto).collect(),
            next_tier: next.map(|tier| tier.as_str().to_owned()).unwrap_or_default(),
            gaps: missing.into_iter().map(TierCheck::to_proto).collect(),
            evaluated_by: self.evaluated_by.clone(),
            evaluated_at: Some(to_timestamp(self.evaluated_at)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The thresholds of the seeded version (migration 114).
    fn seeded() -> Vec<TierRule> {
        let rule = |tier, min_avg_lab_sales, min_growth_bp, min_big_brand_share_bp, min_staff, min_shops| TierRule {
            tier,
            min_avg_lab_sales,
            min_growth_bp,
            min_big_brand_share_bp,
            min_staff,
            min_shops,
        };
        vec![
            rule(Tier::Distributor, 20_000_000_000, 0, 5000, 20, 3),
            rule(Tier::Tier1, 5_000_000_000, -1000, 3000, 8, 1),
            rule(Tier::Tier2, 1_000_000_000, -2000, 0, 3, 1),
        ]
    }

    #[test]
    fn growth_is_counted_in_basis_points_and_capped() {
        assert_eq!(growth_bp(6_000_000_000, 8_000_000_000), 3333);
        assert_eq!(growth_bp(8_000_000_000, 6_000_000_000), -2500);
        assert_eq!(growth_bp(0, 1), GROWTH_CAP_BP);
        assert_eq!(growth_bp(0, 0), 0);
        assert_eq!(growth_bp(1, MAX_AMOUNT), GROWTH_CAP_BP);
    }

    #[test]
    fn the_first_tier_whose_every_condition_holds_decides_and_the_gaps_name_the_next() {
        let figures = DealerFigures::from_sales(6_000_000_000, 8_000_000_000, 4000, 12, 2);
        assert_eq!(figures.avg_lab_sales, 7_000_000_000);
        let (decided, checks) = decide(&seeded(), &figures);
        assert_eq!(decided, Some(Tier::Tier1));
        assert_eq!(checks.len(), 15);
        let (next, missing) = gaps(decided, &checks);
        assert_eq!(next, Some(Tier::Distributor));
        let shortfalls: Vec<(&str, i64)> =
            missing.iter().map(|c| (c.condition.as_str(), c.to_proto().shortfall)).collect();
        assert_eq!(
            shortfalls,
            [("avg_lab_sales", 13_000_000_000), ("big_brand_share_bp", 1000), ("staff", 8), ("shops", 1)]
        );
    }

    #[test]
    fn a_dealer_meeting_no_row_is_not_eligible_and_is_shown_what_tier2_needs() {
        let figures = DealerFigures::from_sales(100_000_000, 200_000_000, 1000, 2, 1);
        let (decided, checks) = decide(&seeded(), &figures);
        assert_eq!(Tier::text_of(decided), NOT_ELIGIBLE);
        let (next, missing) = gaps(decided, &checks);
        assert_eq!(next, Some(Tier::Tier2));
        assert_eq!(missing.len(), 2);
    }

    #[test]
    fn a_rule_version_needs_every_tier_once_and_cannot_start_in_the_past() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let mut input = pb::CreateTierRuleVersionRequest {
            name: "2026".into(),
            effective_from: Some(date_to_proto(today)),
            rules: seeded().iter().rev().map(TierRule::to_proto).collect(),
        };
        let parsed = NewRuleVersion::parse(&input, today).unwrap();
        assert_eq!(parsed.rules[0].tier, Tier::Distributor, "ordered highest first");
        input.rules.pop();
        input.effective_from = Some(date_to_proto(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()));
        let Error::Invalid(errors) = NewRuleVersion::parse(&input, today).err().unwrap() else {
            panic!("field errors")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["effective_from"]);
        input.effective_from = Some(date_to_proto(today));
        let Error::Invalid(errors) = NewRuleVersion::parse(&input, today).err().unwrap() else {
            panic!("field errors")
        };
        assert_eq!(errors[0].field, "rules");
    }
}
