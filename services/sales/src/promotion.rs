//! Promotion programmes: whom and what a programme covers, for which dates, and its one rule.
//! How active programmes apply to a document's lines is in [`crate::promotion_apply`].

use atq_platform::business_time::parse_local_date;
use atq_platform::limits::{MAX_AMOUNT, MAX_QUANTITY};
use atq_platform::validation::{Violations, optional_text, required_text};
use atq_platform::{Error, Office, text_status};
use atq_proto::sales::v1 as pb;
use chrono::NaiveDate;

use crate::customer::CustomerGroup;
use crate::target::category_word;
use crate::tier_rules::Tier;

text_status! {
    PromotionStatus {
        Draft = "draft",
        Active = "active",
        Ended = "ended",
    }
}

text_status! {
    RuleKind {
        PercentOff = "percent_off",
        AmountOff = "amount_off",
        BuyXGetY = "buy_x_get_y",
        Gift = "gift",
        OrderThreshold = "order_threshold",
    }
}

/// A share off is below the whole price, in basis points: goods given whole are a gift.
pub const MAX_PERCENT_BP: i64 = 10_000;
/// Programmes run for at most two years.
const MAX_DAYS: i64 = 731;
const MAX_LIST: usize = 200;

/// What a programme gives; amounts in VND without VAT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// This share off each covered line.
    PercentOff { bp: i64 },
    /// This much off each unit of a covered line (never below nothing).
    AmountOff { per_unit: i64 },
    /// Every `buy` units of a covered line give `free` units of `product_id` (None: the same).
    BuyXGetY { buy: i64, free: i64, product_id: Option<i64> },
    /// `quantity` units of `product_id` given with a document whose covered net reaches `min_net`.
    Gift { product_id: i64, quantity: i64, min_net: i64 },
    /// A share (`bp`) or an amount off the covered lines once their net reaches `min_net`.
    Threshold { min_net: i64, bp: i64, amount: i64 },
}

/// A programme as the rules see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Programme {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub offices: Vec<Office>,
    pub groups: Vec<CustomerGroup>,
    pub tiers: Vec<Tier>,
    pub product_ids: Vec<i64>,
    /// Catalog category words ("physics").
    pub categories: Vec<String>,
    pub rule: Rule,
    pub stackable: bool,
    pub note: String,
}

/// Who a document is for, as programmes select customers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buyer {
    pub office: Office,
    pub group: CustomerGroup,
    /// A dealer's current tier; None for everyone else.
    pub tier: Option<Tier>,
}

impl Programme {
    /// Whether the programme runs on `day` for this customer.
    pub fn covers_buyer(&self, buyer: &Buyer, day: NaiveDate) -> bool {
        let dated = self.starts_on <= day && day <= self.ends_on;
        let office = self.offices.is_empty() || self.offices.contains(&buyer.office);
        let anyone = self.groups.is_empty() && self.tiers.is_empty();
        let tier = buyer.group == CustomerGroup::Dealer && buyer.tier.is_some_and(|t| self.tiers.contains(&t));
        dated && office && (anyone || self.groups.contains(&buyer.group) || tier)
    }

    /// Whether a product (of this category word) is covered.
    pub fn covers_product(&self, product_id: i64, category: &str) -> bool {
        (self.product_ids.is_empty() && self.categories.is_empty())
            || self.product_ids.contains(&product_id)
            || self.categories.iter().any(|c| c == category)
    }

    /// The product this programme gives away, if it names one.
    pub fn free_product(&self) -> Option<i64> {
        match self.rule {
            Rule::BuyXGetY { product_id, .. } => product_id,
            Rule::Gift { product_id, .. } => Some(product_id),
            _ => None,
        }
    }
}

fn code_of(v: &mut Violations, text: &str) -> Option<String> {
    let code = text.trim().to_ascii_uppercase();
    let fits = (2..=30).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !fits {
        v.add("code", "must be 2 to 30 letters, digits or dashes");
        return None;
    }
    Some(code)
}

fn words_of<T: PartialEq>(
    v: &mut Violations,
    field: &str,
    texts: &[String],
    parse: impl Fn(&str) -> Option<T>,
    all: &str,
) -> Vec<T> {
    let mut out = Vec::new();
    if texts.len() > MAX_LIST {
        v.add(field, format!("at most {MAX_LIST} entries"));
        return out;
    }
    for text in texts {
        match parse(text.trim()) {
            Some(value) if !out.contains(&value) => out.push(value),
            Some(_) => {}
            None => v.add(field, format!("must each be one of {all}")),
        }
    }
    out
}

fn dates_of(v: &mut Violations, fields: &pb::PromotionFields) -> Option<(NaiveDate, NaiveDate)> {
    let starts = v.check("starts_on", parse_local_date(&fields.starts_on));
    let ends = v.check("ends_on", parse_local_date(&fields.ends_on));
    let (starts, ends) = (starts?, ends?);
    if ends < starts {
        v.add("ends_on", "must be on or after starts_on");
        return None;
    }
    if (ends - starts).num_days() >= MAX_DAYS {
        v.add("ends_on", format!("a programme runs for at most {MAX_DAYS} days"));
        return None;
    }
    Some((starts, ends))
}

fn bounded(v: &mut Violations, field: &str, value: i64, low: i64, high: i64) -> Option<i64> {
    if (low..=high).contains(&value) {
        Some(value)
    } else {
        v.add(field, format!("must be from {low} to {high}"));
        None
    }
}

/// The rule, each number within its bounds and only the numbers its kind uses.
pub fn rule_of(v: &mut Violations, rule: &pb::PromotionRule) -> Option<Rule> {
    let Some(kind) = RuleKind::parse(rule.kind.trim()) else {
        v.add("rule.kind", format!("must be one of {}", RuleKind::ALL.join(", ")));
        return None;
    };
    let bp = i64::from(rule.percent_bp);
    let unused = |v: &mut Violations, field: &str, value: i64| {
        if value != 0 {
            v.add(format!("rule.{field}"), format!("must be 0 for {kind}"));
        }
    };
    match kind {
        RuleKind::PercentOff => {
            unused(v, "amount", rule.amount);
            if !(1..MAX_PERCENT_BP).contains(&bp) {
                v.add("rule.percent", "must be above 0 and below 1");
                return None;
            }
            Some(Rule::PercentOff { bp })
        }
        RuleKind::AmountOff => {
            unused(v, "percent", bp);
            Some(Rule::AmountOff { per_unit: bounded(v, "rule.amount", rule.amount, 1, MAX_AMOUNT)? })
        }
        RuleKind::BuyXGetY => {
            let buy = bounded(v, "rule.buy_quantity", rule.buy_quantity, 1, MAX_QUANTITY);
            let free = bounded(v, "rule.free_quantity", rule.free_quantity, 1, MAX_QUANTITY);
            let product = bounded(v, "rule.free_product_id", rule.free_product_id, 0, i64::MAX);
            Some(Rule::BuyXGetY { buy: buy?, free: free?, product_id: Some(product?).filter(|id| *id > 0) })
        }
        RuleKind::Gift => {
            let product_id = bounded(v, "rule.free_product_id", rule.free_product_id, 1, i64::MAX);
            let quantity = bounded(v, "rule.free_quantity", rule.free_quantity, 1, MAX_QUANTITY);
            let min_net = bounded(v, "rule.min_order_net", rule.min_order_net, 0, MAX_AMOUNT);
            Some(Rule::Gift { product_id: product_id?, quantity: quantity?, min_net: min_net? })
        }
        RuleKind::OrderThreshold => threshold_of(v, rule, bp),
    }
}

fn threshold_of(v: &mut Violations, rule: &pb::PromotionRule, bp: i64) -> Option<Rule> {
    let min_net = bounded(v, "rule.min_order_net", rule.min_order_net, 1, MAX_AMOUNT);
    if (bp == 0) == (rule.amount == 0) {
        v.add("rule.percent", "give either a percent or an amount off the order, not both");
        return None;
    }
    if !(0..MAX_PERCENT_BP).contains(&bp) {
        v.add("rule.percent", "must be above 0 and below 1");
        return None;
    }
    let amount = bounded(v, "rule.amount", rule.amount, 0, MAX_AMOUNT);
    Some(Rule::Threshold { min_net: min_net?, bp, amount: amount? })
}

/// Parses a programme as typed, naming each bad field; `id` is 0 for a new one.
pub fn parse_fields(id: i64, fields: &pb::PromotionFields) -> Result<Programme, Error> {
    let mut v = Violations::new();
    let code = code_of(&mut v, &fields.code);
    // Names are shown on document lines, one per line of text.
    let one_line = |n: String| if n.contains('\n') { Err("must be one line".to_owned()) } else { Ok(n) };
    let name = v.check("name", required_text(&fields.name, 120).and_then(one_line));
    let dates = dates_of(&mut v, fields);
    let offices = words_of(&mut v, "offices", &fields.offices, |t| Office::parse(t).ok(), "HN, HCM, DL");
    let groups = words_of(
        &mut v,
        "customer_groups",
        &fields.customer_groups,
        |t| CustomerGroup::parse(t).ok(),
        "individual, dealer, project",
    );
    let tiers = words_of(&mut v, "tiers", &fields.tiers, Tier::parse, &Tier::ALL.join(", "));
    let categories = words_of(
        &mut v,
        "categories",
        &fields.categories,
        |t| category_known(t).then(|| t.to_owned()),
        "the catalog's categories (physics, chemistry, ...)",
    );
    let mut product_ids = Vec::new();
    if fields.product_ids.len() > MAX_LIST || fields.product_ids.iter().any(|id| *id <= 0) {
        v.add("product_ids", format!("at most {MAX_LIST} product ids, each positive"));
    } else {
        product_ids = fields.product_ids.clone();
        product_ids.sort_unstable();
        product_ids.dedup();
    }
    let rule = rule_of(&mut v, &fields.rule.clone().unwrap_or_default());
    let note = v.check("note", optional_text(&fields.note, 2000)).unwrap_or_default();
    v.finish()?;
    let ((starts_on, ends_on), rule) = dates.zip(rule).ok_or_else(|| Error::invalid("rule", "is invalid"))?;
    Ok(Programme {
        id,
        code: code.unwrap_or_default(),
        name: name.unwrap_or_default(),
        starts_on,
        ends_on,
        offices,
        groups,
        tiers,
        product_ids,
        categories,
        rule,
        stackable: fields.stackable,
        note,
    })
}

fn category_known(word: &str) -> bool {
    (1..=8).filter_map(category_word).any(|w| w == word)
}

/// The wire form of a rule.
pub fn rule_to_proto(rule: Rule) -> pb::PromotionRule {
    let kind = |k: RuleKind| k.as_str().to_owned();
    match rule {
        Rule::PercentOff { bp } => {
            pb::PromotionRule { kind: kind(RuleKind::PercentOff), percent_bp: bp as i32, ..Default::default() }
        }
        Rule::AmountOff { per_unit } => {
            pb::PromotionRule { kind: kind(RuleKind::AmountOff), amount: per_unit, ..Default::default() }
        }
        Rule::BuyXGetY { buy, free, product_id } => pb::PromotionRule {
            kind: kind(RuleKind::BuyXGetY),
            buy_quantity: buy,
            free_quantity: free,
            free_product_id: product_id.unwrap_or(0),
            ..Default::default()
        },
        Rule::Gift { product_id, quantity, min_net } => pb::PromotionRule {
            kind: kind(RuleKind::Gift),
            free_quantity: quantity,
            free_product_id: product_id,
            min_order_net: min_net,
            ..Default::default()
        },
        Rule::Threshold { min_net, bp, amount } => pb::PromotionRule {
            kind: kind(RuleKind::OrderThreshold),
            percent_bp: bp as i32,
            amount,
            min_order_net: min_net,
            ..Default::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(rule: pb::PromotionRule) -> pb::PromotionFields {
        pb::PromotionFields {
            code: "km-tet".into(),
            name: "Tết 2027".into(),
            starts_on: "2027-01-01".into(),
            ends_on: "2027-02-28".into(),
            offices: vec!["HN".into()],
            tiers: vec!["tier1".into()],
            rule: Some(rule),
            ..Default::default()
        }
    }

    fn rule(kind: &str) -> pb::PromotionRule {
        pb::PromotionRule { kind: kind.into(), ..Default::default() }
    }

    #[test]
    fn a_programme_parses_and_its_rule_round_trips() {
        let wire = pb::PromotionRule { percent_bp: 500, ..rule("percent_off") };
        let parsed = parse_fields(0, &fields(wire.clone())).unwrap();
        assert_eq!((parsed.code.as_str(), parsed.rule), ("KM-TET", Rule::PercentOff { bp: 500 }));
        assert_eq!(parsed.tiers, [Tier::Tier1]);
        assert_eq!(rule_to_proto(parsed.rule), wire);
    }

    #[test]
    fn every_bad_number_is_named() {
        let bad = |wire: pb::PromotionRule| match parse_fields(0, &fields(wire)).unwrap_err() {
            Error::Invalid(fields) => fields.into_iter().map(|f| f.field).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(bad(pb::PromotionRule { percent_bp: 10_000, ..rule("percent_off") }), ["rule.percent"]);
        assert_eq!(bad(pb::PromotionRule { amount: MAX_AMOUNT + 1, ..rule("amount_off") }), ["rule.amount"]);
        assert_eq!(
            bad(pb::PromotionRule { buy_quantity: 0, free_quantity: 1, ..rule("buy_x_get_y") }),
            ["rule.buy_quantity"]
        );
        assert_eq!(bad(pb::PromotionRule { free_quantity: 1, ..rule("gift") }), ["rule.free_product_id"]);
        assert_eq!(
            bad(pb::PromotionRule { percent_bp: 500, amount: 1, min_order_net: 10, ..rule("order_threshold") }),
            ["rule.percent"]
        );
        assert_eq!(bad(rule("bogus")), ["rule.kind"]);
    }

    #[test]
    fn buyers_are_covered_by_office_group_or_tier_and_date() {
        let p = parse_fields(1, &fields(pb::PromotionRule { percent_bp: 1, ..rule("percent_off") })).unwrap();
        let day = NaiveDate::from_ymd_opt(2027, 1, 10).unwrap();
        let dealer = Buyer { office: Office::HaNoi, group: CustomerGroup::Dealer, tier: Some(Tier::Tier1) };
        assert!(p.covers_buyer(&dealer, day));
        assert!(!p.covers_buyer(&Buyer { tier: Some(Tier::Tier2), ..dealer }, day));
        assert!(!p.covers_buyer(&Buyer { office: Office::HoChiMinh, ..dealer }, day));
        assert!(!p.covers_buyer(&Buyer { group: CustomerGroup::Project, ..dealer }, day));
        assert!(!p.covers_buyer(&dealer, NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()));
        assert!(p.covers_product(5, "physics"));
        let narrow = Programme { categories: vec!["physics".into()], ..p };
        assert!(narrow.covers_product(5, "physics") && !narrow.covers_product(5, "biology"));
    }
}
