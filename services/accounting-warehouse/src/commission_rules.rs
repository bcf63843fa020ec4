//! The arithmetic and the checks of sales commissions, apart from storage: plans and their
//! versions, which plan a person is paid under on a day, the paid share of an invoice line, and
//! the commission of each share.
//!
//! Rounding, stated once: a line's paid share is `line net (or margin) × invoice paid / invoice
//! gross`, a commission `share × rate_bp / 10000`, and a reversal `commission earned on the line ×
//! net share taken back / net share held`, each computed in 128 bits and rounded half up (half
//! away from zero for a negative figure) to the đồng; a figure that would leave 64 bits is refused.
//! Shares are recorded as changes of a running figure, so a line's shares sum to exactly what its
//! paid fraction gives, however many payments and returns it took.

use atq_platform::business_time::{date_from_proto, within_business_range};
use atq_platform::error::Result;
use atq_platform::validation::{Violations, optional_text, required_text};
use atq_platform::{Error, Office};
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::NaiveDate;

/// The catalog's categories, by their wire value (`atq.importplanning.v1.ProductCategory`).
pub const CATEGORIES: [&str; 8] =
    ["physics", "chemistry", "biology", "electrical", "electronics", "it", "automation", "environment"];
pub const BASES: [&str; 2] = ["paid_revenue", "gross_margin"];
pub const ROLES: [&str; 2] = ["sales_rep", "sales_manager"];
/// At most the whole basis.
pub const MAX_RATE_BP: i32 = 10_000;
/// A plan keeps at most this many versions.
pub const MAX_VERSIONS: usize = 100;

/// The category word of a catalog category value; "" for one this build does not know.
pub fn category_word(value: i32) -> &'static str {
    usize::try_from(value).ok().and_then(|v| v.checked_sub(1)).and_then(|i| CATEGORIES.get(i)).copied().unwrap_or("")
}

/// Checked terms of a plan version.
#[derive(Clone, Debug)]
pub struct Terms {
    pub effective_from: NaiveDate,
    pub basis: String,
    pub default_rate_bp: i32,
    pub rates: Vec<pb::CommissionCategoryRate>,
}

fn check_rate(rate_bp: i32) -> Result<i32, String> {
    if (0..=MAX_RATE_BP).contains(&rate_bp) { Ok(rate_bp) } else { Err(format!("must be 0 to {MAX_RATE_BP}")) }
}

/// Checks terms, adding field errors under `prefix` ("terms." in a new plan, "" in a new version,
/// whose body is the terms).
pub fn check_terms(input: Option<&pb::CommissionTerms>, prefix: &str, v: &mut Violations) -> Option<Terms> {
    let Some(input) = input else {
        v.add("terms", "is required");
        return None;
    };
    let field = |name: &str| format!("{prefix}{name}");
    let effective_from = match &input.effective_from {
        None => v.check(&field("effective_from"), Err::<NaiveDate, _>("is required".to_owned())),
        Some(date) => v.check(&field("effective_from"), date_from_proto(date).and_then(within_business_range)),
    };
    let basis = input.basis.trim();
    if !BASES.contains(&basis) {
        v.add(field("basis"), "must be paid_revenue or gross_margin");
    }
    let default_rate_bp = v.check(&field("default_rate_bp"), check_rate(input.default_rate_bp));
    if input.rates.len() > CATEGORIES.len() {
        v.add(field("rates"), format!("at most {} categories", CATEGORIES.len()));
    }
    let mut rates: Vec<pb::CommissionCategoryRate> = Vec::new();
    for (i, rate) in input.rates.iter().enumerate().take(CATEGORIES.len()) {
        let category = rate.category.trim();
        if !CATEGORIES.contains(&category) {
            v.add(field(&format!("rates[{i}].category")), format!("must be one of {}", CATEGORIES.join(", ")));
        } else if rates.iter().any(|r| r.category == category) {
            v.add(field(&format!("rates[{i}].category")), "is named twice");
        }
        if let Some(rate_bp) = v.check(&field(&format!("rates[{i}].rate_bp")), check_rate(rate.rate_bp)) {
            rates.push(pb::CommissionCategoryRate { category: category.to_owned(), rate_bp });
        }
    }
    Some(Terms { effective_from: effective_from?, basis: basis.to_owned(), default_rate_bp: default_rate_bp?, rates })
}

/// A checked new plan: whom it is for and its first terms.
#[derive(Clone, Debug)]
pub struct NewPlan {
    pub name: String,
    pub role: String,
    pub office: String,
    pub username: String,
    pub terms: Terms,
}

impl TryFrom<&pb::CreateCommissionPlanRequest> for NewPlan {
    type Error = Error;

    fn try_from(input: &pb::CreateCommissionPlanRequest) -> Result<NewPlan> {
        let mut v = Violations::new();
        let name = v.check("name", required_text(&input.name, 200));
        let role = input.role.trim();
        if !role.is_empty() && !ROLES.contains(&role) {
            v.add("role", "must be sales_rep, sales_manager or empty for every role");
        }
        let office = match input.office.trim() {
            "" => Some(String::new()),
            code => v.check("office", Office::parse(code)).map(|o| o.code().to_owned()),
        };
        let username = v.check("username", optional_text(&input.username, 100));
        let terms = check_terms(input.terms.as_ref(), "terms.", &mut v);
        v.finish()?;
        let missing = || Error::internal(anyhow::anyhow!("checked plan fields missing"));
        Ok(NewPlan {
            name: name.ok_or_else(missing)?,
            role: role.to_owned(),
            office: office.ok_or_else(missing)?,
            username: username.ok_or_else(missing)?,
            terms: terms.ok_or_else(missing)?,
        })
    }
}

/// How specific a plan is for a person: None when it is not for them.
fn specificity(plan: &pb::CommissionPlan, staff: &pb::StaffMember) -> Option<u8> {
    let matches = |field: &str, value: &str| field.is_empty() || field.eq_ignore_ascii_case(value);
    let for_them = matches(&plan.username, &staff.username)
        && matches(&plan.role, &staff.role)
        && matches(&plan.office, &staff.office);
    if !for_them {
        return None;
    }
    Some(
        u8::from(!plan.username.is_empty()) * 4
            + u8::from(!plan.office.is_empty()) * 2
            + u8::from(!plan.role.is_empty()),
    )
}

/// The version of a plan in force on `day`: the latest effective on or before it.
pub fn version_on(plan: &pb::CommissionPlan, day: NaiveDate) -> Option<&pb::CommissionPlanVersion> {
    plan.versions
        .iter()
        .filter(|v| v.effective_from.as_ref().and_then(|d| date_from_proto(d).ok()).is_some_and(|from| from <= day))
        .max_by_key(|v| (v.effective_from.as_ref().map(|d| (d.year, d.month, d.day)), v.version))
}

/// The plan a person is paid under on `day`, with its version then: the most specific plan that
/// has a version in force (the newest plan among equals).
pub fn plan_on<'a>(
    plans: &'a [pb::CommissionPlan],
    staff: &pb::StaffMember,
    day: NaiveDate,
) -> Option<(&'a pb::CommissionPlan, &'a pb::CommissionPlanVersion)> {
    plans
        .iter()
        .filter_map(|plan| Some((specificity(plan, staff)?, plan, version_on(plan, day)?)))
        .max_by_key(|(rank, plan, _)| (*rank, plan.id))
        .map(|(_, plan, version)| (plan, version))
}

/// The rate of a category under a version.
pub fn rate_for(version: &pb::CommissionPlanVersion, category: &str) -> i32 {
    version.rates.iter().find(|r| r.category == category).map_or(version.default_rate_bp, |r| r.rate_bp)
}

/// `value × part / whole` rounded half up (half away from zero); 0 when `whole` is not positive.
pub fn prorate(value: i64, part: i64, whole: i64) -> Result<i64> {
    if whole <= 0 {
        return Ok(0);
    }
    let exact = i128::from(value) * i128::from(part);
    let whole = i128::from(whole);
    let rounded = if exact >= 0 { (2 * exact + whole) / (2 * whole) } else { -((-2 * exact + whole) / (2 * whole)) };
    i64::try_from(rounded).map_err(|_| Error::internal(anyhow::anyhow!("a commission figure passes 64 bits")))
}

/// The paid shares (net, margin) a line holds when the invoice is `paid` of `gross`: its current
/// net and margin (net less the cost of the goods still sold, never below 0) times the paid
/// fraction.
pub fn paid_shares((net, cost): (i64, i64), (paid, gross): (i64, i64)) -> Result<(i64, i64)> {
    let paid = paid.clamp(0, gross.max(0));
    let margin = net.saturating_sub(cost).max(0);
    Ok((prorate(net, paid, gross)?, prorate(margin, paid, gross)?))
}

/// The commission of a share at a rate.
pub fn commission(share: i64, rate_bp: i32) -> Result<i64> {
    prorate(share, i64::from(rate_bp), 10_000)
}

/// One recorded share of a line, in the order recorded, and how it is priced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pricing {
    /// Earned at a rate on the share named by the basis (a payment).
    Rate { basis_margin: bool, rate_bp: i32 },
    /// No plan applies, or no salesperson: nothing earned.
    Nothing,
}

/// The commissions of a line's shares in the order recorded: a payment's share earns its rate; a
/// return takes back the commission held on the line in the proportion of the net share it takes
/// back (the rate of when it was earned, whatever plan is in force at the return).
pub fn price_line(shares: &[(i64, i64, bool)], pricing: &[Pricing]) -> Result<Vec<i64>> {
    let (mut held_net, mut held_commission) = (0_i64, 0_i64);
    let mut out = Vec::with_capacity(shares.len());
    for (&(net, margin, is_return), how) in shares.iter().zip(pricing) {
        let amount = if is_return && net < 0 {
            -prorate(held_commission, -net, held_net)?.min(held_commission.max(0))
        } else {
            match how {
                Pricing::Rate { basis_margin, rate_bp } => {
                    commission(if *basis_margin { margin } else { net }, *rate_bp)?
                }
                Pricing::Nothing => 0,
            }
        };
        held_net = held_net.checked_add(net).ok_or_else(|| Error::internal(anyhow::anyhow!("share overflow")))?;
        held_commission = held_commission
            .checked_add(amount)
            .ok_or_else(|| Error::internal(anyhow::anyhow!("commission overflow")))?;
        out.push(amount);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use atq_platform::business_time::date_to_proto;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn version(n: i32, from: NaiveDate, default_rate_bp: i32) -> pb::CommissionPlanVersion {
        pb::CommissionPlanVersion {
            version: n,
            effective_from: Some(date_to_proto(from)),
            basis: "paid_revenue".into(),
            default_rate_bp,
            rates: vec![pb::CommissionCategoryRate { category: "physics".into(), rate_bp: default_rate_bp * 2 }],
            ..Default::default()
        }
    }

    fn plan(
        id: i64,
        (role, office, username): (&str, &str, &str),
        versions: Vec<pb::CommissionPlanVersion>,
    ) -> pb::CommissionPlan {
        pb::CommissionPlan {
            id,
            role: role.into(),
            office: office.into(),
            username: username.into(),
            versions,
            ..Default::default()
        }
    }

    fn staff(username: &str, role: &str, office: &str) -> pb::StaffMember {
        pb::StaffMember { username: username.into(), role: role.into(), office: office.into() }
    }

    #[test]
    fn shares_round_half_up_and_a_margin_below_cost_is_nothing() {
        assert_eq!(paid_shares((1_000, 600), (550, 1_100)).unwrap(), (500, 200));
        assert_eq!(paid_shares((3, 0), (1, 2)).unwrap(), (2, 2), "1.5 rounds up");
        assert_eq!(paid_shares((1_000, 1_200), (1_100, 1_100)).unwrap(), (1_000, 0));
        assert_eq!(paid_shares((1_000, 0), (0, 0)).unwrap(), (0, 0), "an invoice returned whole holds nothing");
        assert_eq!(prorate(-3, 1, 2).unwrap(), -2, "half away from zero");
        assert_eq!(commission(1_000_005, 250).unwrap(), 25_000);
        assert_eq!(commission(i64::MAX, 10_000).unwrap(), i64::MAX);
    }

    #[test]
    fn the_most_specific_plan_in_force_wins_and_versions_keep_their_dates() {
        let plans = vec![
            plan(1, ("", "", ""), vec![version(1, day(2026, 1, 1), 100)]),
            plan(2, ("sales_rep", "HN", ""), vec![version(1, day(2026, 1, 1), 200), version(2, day(2026, 12, 1), 300)]),
            plan(3, ("", "", "sales.hcm"), vec![version(1, day(2027, 1, 1), 500)]),
        ];
        let hn = staff("sales.hn", "sales_rep", "HN");
        let (p, v) = plan_on(&plans, &hn, day(2026, 11, 30)).unwrap();
        assert_eq!((p.id, v.version, rate_for(v, "physics"), rate_for(v, "it")), (2, 1, 400, 200));
        assert_eq!(plan_on(&plans, &hn, day(2026, 12, 1)).unwrap().1.version, 2, "the later version from its date");
        let hcm = staff("sales.hcm", "sales_rep", "HCM");
        assert_eq!(plan_on(&plans, &hcm, day(2026, 12, 1)).unwrap().0.id, 1, "a plan not yet in force is passed over");
        assert_eq!(plan_on(&plans, &hcm, day(2027, 1, 1)).unwrap().0.id, 3);
        assert!(plan_on(&plans, &hn, day(2025, 12, 31)).is_none());
    }

    #[test]
    fn a_return_takes_back_the_commission_held_in_proportion() {
        let rate = |rate_bp| Pricing::Rate { basis_margin: false, rate_bp };
        // Half paid at 2%, the rest at 3% (a later version), then a third of the net comes back.
        let shares = [(500_000, 0, false), (500_000, 0, false), (-333_333, 0, true)];
        let priced = price_line(&shares, &[rate(200), rate(300), rate(300)]).unwrap();
        assert_eq!(priced, vec![10_000, 15_000, -8_333]);
        // A return of everything gives back exactly what was earned.
        let whole = price_line(&[(7, 0, false), (-7, 0, true)], &[rate(1_500), Pricing::Nothing]).unwrap();
        assert_eq!(whole.iter().sum::<i64>(), 0);
        let margin = price_line(&[(1_000, 400, false)], &[Pricing::Rate { basis_margin: true, rate_bp: 1_000 }]);
        assert_eq!(margin.unwrap(), vec![40]);
        assert_eq!(price_line(&[(1_000, 400, false)], &[Pricing::Nothing]).unwrap(), vec![0]);
    }

    #[test]
    fn terms_are_checked_field_by_field() {
        let mut v = Violations::new();
        let input = pb::CommissionTerms {
            effective_from: Some(date_to_proto(day(2026, 1, 1))),
            basis: "profit".into(),
            default_rate_bp: 10_001,
            rates: vec![
                pb::CommissionCategoryRate { category: "physics".into(), rate_bp: 100 },
                pb::CommissionCategoryRate { category: "physics".into(), rate_bp: 100 },
                pb::CommissionCategoryRate { category: "toys".into(), rate_bp: -1 },
            ],
        };
        assert!(check_terms(Some(&input), "terms.", &mut v).is_none());
        let fields: Vec<String> = match v.finish() {
            Err(Error::Invalid(violations)) => violations.into_iter().map(|f| f.field).collect(),
            other => panic!("expected field errors, got {other:?}"),
        };
        for field in ["terms.basis", "terms.default_rate_bp", "terms.rates[1].category", "terms.rates[2].category"] {
            assert!(fields.iter().any(|f| f == field), "{field} in {fields:?}");
        }
        assert_eq!(category_word(1), "physics");
        assert_eq!((category_word(0), category_word(9)), ("", ""));
    }
}
