//! Landed cost of a supplier shipment in VND, line by line. Each charge is converted once, at the
//! rate in force on the rate date, then split over the lines (by value, quantity or weight) so the
//! shares sum to it exactly. Duty is levied on the customs value (goods + freight + insurance,
//! CIF); import VAT on customs value + duty, shown but left out of the cost: it is deductible.

use std::collections::BTreeMap;

use atq_platform::Error;
use atq_platform::allocation::allocate;
use atq_platform::currency::{parse_currency, to_vnd};
use atq_platform::limits::{self, MAX_AMOUNT};
use atq_platform::validation::Violations;

pub const CHARGE_KINDS: [&str; 6] = ["freight", "insurance", "customs_fee", "handling", "domestic_transport", "other"];
pub const ALLOCATIONS: [&str; 3] = ["value", "quantity", "weight"];
/// The heaviest unit a shipment line may weigh: a thousand tonnes.
pub const MAX_UNIT_WEIGHT_GRAMS: i64 = 1_000_000_000;
/// Charges that are part of the customs (CIF) value.
const CIF_KINDS: [&str; 2] = ["freight", "insurance"];

/// A line as the computation needs it: the catalog has filled in HS code and VAT rate.
#[derive(Clone, Debug)]
pub struct Line {
    pub product_id: i64,
    pub model_code: String,
    pub hs_code: String,
    pub quantity: i64,
    /// Minor units of the shipment's currency.
    pub unit_price: i64,
    pub unit_weight_grams: i64,
    pub duty_rate_bp: i64,
    pub vat_rate_bp: i64,
}

#[derive(Clone, Debug)]
pub struct Charge {
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    pub allocation: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rate {
    pub rate_e4: i64,
    pub effective_on: chrono::NaiveDate,
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineCost {
    pub goods_value: i64,
    /// (kind, VND) in the order the charges came.
    pub charges: Vec<(String, i64)>,
    pub customs_value: i64,
    pub import_duty: i64,
    pub landed_total: i64,
    pub landed_unit_cost: i64,
    pub import_vat: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Costed {
    pub lines: Vec<LineCost>,
    /// Each charge in VND.
    pub charges_vnd: Vec<i64>,
}

/// Rounds `numerator / denominator` half up (both positive).
fn div_half_up(numerator: i128, denominator: i128) -> i128 {
    (numerator + denominator / 2) / denominator
}

fn percent_of(amount: i64, rate_bp: i64) -> Option<i64> {
    i64::try_from(div_half_up(i128::from(amount) * i128::from(rate_bp), 10_000)).ok()
}

/// Checks the charges' words and currencies, naming each bad field.
pub fn check_charges(v: &mut Violations, charges: &[Charge]) {
    for (i, charge) in charges.iter().enumerate() {
        if !CHARGE_KINDS.contains(&charge.kind.as_str()) {
            v.add(format!("charges[{i}].kind"), format!("must be one of {}", CHARGE_KINDS.join(", ")));
        }
        v.check(&format!("charges[{i}].amount"), limits::amount(charge.amount));
        if let Err(message) = parse_currency(&charge.currency) {
            v.add(format!("charges[{i}].currency"), message);
        }
        if !ALLOCATIONS.contains(&charge.allocation.as_str()) {
            v.add(format!("charges[{i}].allocation"), format!("must be one of {}", ALLOCATIONS.join(", ")));
        }
    }
}

/// A unit weight from 0 to [`MAX_UNIT_WEIGHT_GRAMS`].
pub fn unit_weight(grams: i64) -> Result<i64, String> {
    if (0..=MAX_UNIT_WEIGHT_GRAMS).contains(&grams) {
        Ok(grams)
    } else {
        Err(format!("must be from 0 to {MAX_UNIT_WEIGHT_GRAMS}"))
    }
}

/// The landed cost of `lines` bought in `currency`, with `charges`, at `rates` (VND per unit of
/// each currency used; VND itself needs none).
pub fn compute(
    currency: &str,
    lines: &[Line],
    charges: &[Charge],
    rates: &BTreeMap<String, Rate>,
) -> Result<Costed, Error> {
    let too_large = || Error::invalid("lines", "the amounts are too large");
    let convert = |amount: i64, currency: &str, field: String| -> Result<i64, Error> {
        if currency == "VND" {
            return Ok(amount);
        }
        let rate =
            rates.get(currency).ok_or_else(|| Error::invalid(field, format!("no exchange rate for {currency}")))?;
        to_vnd(amount, currency, rate.rate_e4).ok_or_else(too_large)
    };
    let mut goods = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let value = limits::line_total(line.quantity, line.unit_price)
            .map_err(|message| Error::invalid(format!("lines[{i}].unit_price"), message))?;
        goods.push(convert(value, currency, format!("lines[{i}].unit_price"))?);
    }
    let mut shares_by_charge = Vec::with_capacity(charges.len());
    let mut charges_vnd = Vec::with_capacity(charges.len());
    for (i, charge) in charges.iter().enumerate() {
        let amount = convert(charge.amount, &charge.currency, format!("charges[{i}].currency"))?;
        let weights: Vec<i128> = match charge.allocation.as_str() {
            "quantity" => lines.iter().map(|l| i128::from(l.quantity)).collect(),
            "weight" => lines.iter().map(|l| i128::from(l.quantity) * i128::from(l.unit_weight_grams)).collect(),
            _ => goods.iter().map(|g| i128::from(*g)).collect(),
        };
        let shares = allocate(amount, &weights).ok_or_else(|| {
            Error::invalid(
                format!("charges[{i}].allocation"),
                format!("the lines have no {} to split this charge by", charge.allocation),
            )
        })?;
        shares_by_charge.push(shares);
        charges_vnd.push(amount);
    }
    let mut costs = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        let line_charges: Vec<(String, i64)> =
            charges.iter().zip(&shares_by_charge).map(|(c, shares)| (c.kind.clone(), shares[index])).collect();
        costs.push(line_cost(line, goods[index], line_charges).ok_or_else(too_large)?);
    }
    // Every total a caller sums from these must fit: the landed total (the largest) within the
    // amount bound, the others without overflow.
    let column = |of: fn(&LineCost) -> i64| limits::checked_sum(costs.iter().map(of));
    let landed = column(|c| c.landed_total).filter(|total| *total <= MAX_AMOUNT);
    let others = [column(|c| c.goods_value), column(|c| c.import_duty), column(|c| c.import_vat)];
    if landed.is_none() || others.iter().any(Option::is_none) || limits::checked_sum(charges_vnd.clone()).is_none() {
        return Err(too_large());
    }
    Ok(Costed { lines: costs, charges_vnd })
}

/// A line's cost from its goods value and its share of each charge, in VND; None when the
/// amounts are too large.
fn line_cost(line: &Line, goods_value: i64, charges: Vec<(String, i64)>) -> Option<LineCost> {
    let cif_charges =
        limits::checked_sum(charges.iter().filter(|(kind, _)| CIF_KINDS.contains(&kind.as_str())).map(|(_, a)| *a))?;
    let all_charges = limits::checked_sum(charges.iter().map(|(_, a)| *a))?;
    let customs_value = goods_value.checked_add(cif_charges)?;
    let import_duty = percent_of(customs_value, line.duty_rate_bp)?;
    let import_vat = percent_of(customs_value.checked_add(import_duty)?, line.vat_rate_bp)?;
    let landed_total = limits::checked_sum([goods_value, all_charges, import_duty])?;
    let landed_unit_cost =
        i64::try_from(div_half_up(i128::from(landed_total), i128::from(line.quantity.max(1)))).ok()?;
    Some(LineCost { goods_value, charges, customs_value, import_duty, landed_total, landed_unit_cost, import_vat })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(rate_e4: i64) -> Rate {
        Rate { rate_e4, effective_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(), source: String::new() }
    }

    fn line(quantity: i64, unit_price: i64, grams: i64) -> Line {
        Line {
            product_id: 1,
            model_code: "M".into(),
            hs_code: "9027".into(),
            quantity,
            unit_price,
            unit_weight_grams: grams,
            duty_rate_bp: 0,
            vat_rate_bp: 1000,
        }
    }

    fn charge(kind: &str, amount: i64, currency: &str, allocation: &str) -> Charge {
        Charge { kind: kind.into(), amount, currency: currency.into(), allocation: allocation.into() }
    }

    #[test]
    fn amounts_past_the_bounds_are_refused_not_capped() {
        let mut v = Violations::new();
        check_charges(&mut v, &[charge("freight", MAX_AMOUNT + 1, "VND", "value")]);
        assert!(!v.is_empty());
        assert!(unit_weight(MAX_UNIT_WEIGHT_GRAMS + 1).is_err() && unit_weight(-1).is_err());
        let rates = BTreeMap::new();
        assert!(compute("VND", &[line(1, MAX_AMOUNT, 0)], &[], &rates).is_ok());
        assert!(compute("VND", &[line(1, MAX_AMOUNT, 0), line(1, MAX_AMOUNT, 0)], &[], &rates).is_err());
        assert!(compute("VND", &[line(2, MAX_AMOUNT, 0)], &[], &rates).is_err());
    }

    #[test]
    fn every_charge_is_split_exactly_and_duty_is_on_the_customs_value() {
        let rates = BTreeMap::from([("USD".to_owned(), rate(253_805_000)), ("EUR".to_owned(), rate(274_505_000))]);
        let mut lines = vec![line(3, 100_000, 2_500), line(1, 233_333, 10_000), line(7, 1_001, 300)];
        lines[1].duty_rate_bp = 500;
        let charges = vec![
            charge("freight", 45_000, "EUR", "weight"),
            charge("insurance", 31_77, "USD", "value"),
            charge("customs_fee", 1_000_001, "VND", "quantity"),
        ];
        let costed = compute("USD", &lines, &charges, &rates).unwrap();
        for (c, total) in costed.charges_vnd.iter().enumerate() {
            let split: i64 = costed.lines.iter().map(|l| l.charges[c].1).sum();
            assert_eq!(split, *total, "charge {c} split exactly");
        }
        assert_eq!(costed.charges_vnd[0], 12_352_725); // 450 EUR x 27,450.5
        let second = &costed.lines[1];
        let cif = second.goods_value + second.charges[0].1 + second.charges[1].1;
        assert_eq!(second.customs_value, cif);
        assert_eq!(second.import_duty, (cif * 5 + 50) / 100);
        assert_eq!(second.landed_total, cif + second.charges[2].1 + second.import_duty);
        assert_eq!(costed.lines[0].import_duty, 0);
    }

    #[test]
    fn a_charge_with_nothing_to_split_by_is_refused() {
        let rates = BTreeMap::new();
        let lines = vec![line(1, 100, 0)];
        let Err(Error::Invalid(fields)) = compute("VND", &lines, &[charge("freight", 5, "VND", "weight")], &rates)
        else {
            panic!("expected a field error")
        };
        assert_eq!(fields[0].field, "charges[0].allocation");
        let Err(Error::Invalid(fields)) = compute("JPY", &lines, &[], &rates) else { panic!("no rate") };
        assert_eq!(fields[0].field, "lines[0].unit_price");
    }
}
