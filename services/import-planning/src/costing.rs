//! Costing: the landed cost of a shipment at the rates in force on its rate date, for a preview
//! and for the final figures of a supplier order's receipt. The arithmetic is in `landed_cost`.

use std::collections::{BTreeMap, HashMap};

use atq_platform::business_time::{date_from_proto, date_to_proto, local_date, now_micros};
use atq_platform::currency::parse_currency;
use atq_platform::error::Result;
use atq_platform::limits;
use atq_platform::validation::Violations;
use atq_platform::{Db, Error};
use atq_proto::importplanning::v1 as pb;
use chrono::NaiveDate;

use crate::landed_cost::{self, Charge, Costed, Line, Rate};
use crate::product_store::{self, ProductRow};
use crate::{rate_store, supplier_store};

/// A shipment with more lines belongs split into several receipts.
const MAX_LINES: usize = 500;

/// A checked shipment: its currency, rate date, lines with their duty, and charges.
struct Shipment {
    currency: String,
    rate_date: NaiveDate,
    lines: Vec<Line>,
    charges: Vec<Charge>,
}

/// The landed cost of a shipment at the rates in force on its rate date.
pub async fn landed_cost(db: &Db, input: &pb::LandedCostRequest) -> Result<pb::LandedCostResult> {
    let shipment = check(db, input).await?;
    let rates = rate_store::rates_for(db, shipment.rate_date).await?;
    let costed = landed_cost::compute(&shipment.currency, &shipment.lines, &shipment.charges, &rates)?;
    Ok(result_of(&shipment, &rates, &costed))
}

/// Checks the shipment, naming every bad field at once (unknown products and missing duty
/// rates among them).
async fn check(db: &Db, input: &pb::LandedCostRequest) -> Result<Shipment> {
    let mut v = Violations::new();
    let currency = check_currency(db, &mut v, input).await?;
    let rate_date = match &input.rate_date {
        Some(date) => v.check("rate_date", date_from_proto(date)),
        None => Some(local_date(now_micros())),
    };
    if input.lines.is_empty() {
        v.add("lines", "at least one line is required");
    } else if input.lines.len() > MAX_LINES {
        // Refused before the products are read: one query serves a bounded list.
        return Err(Error::invalid("lines", format!("at most {MAX_LINES} lines")));
    }
    let duty_rates = rate_store::duty_rates(db).await?;
    let ids: Vec<i64> = input.lines.iter().map(|l| l.product_id).collect();
    let products: HashMap<i64, ProductRow> =
        product_store::find_many(db, &ids).await?.into_iter().map(|p| (p.id, p)).collect();
    let lines = check_lines(&mut v, &input.lines, &products, &duty_rates);
    let charges = charges_of(&input.charges);
    landed_cost::check_charges(&mut v, &charges);
    v.finish()?;
    let (Some(currency), Some(rate_date)) = (currency, rate_date) else {
        return Err(Error::invalid("currency", "is required"));
    };
    Ok(Shipment { currency, rate_date, lines, charges })
}

/// The shipment's currency: as given, else the supplier's.
async fn check_currency(db: &Db, v: &mut Violations, input: &pb::LandedCostRequest) -> Result<Option<String>> {
    let supplier = match input.supplier_id {
        id if id > 0 => supplier_store::find(db.pool(), id).await?,
        _ => None,
    };
    if input.supplier_id > 0 && supplier.is_none() {
        v.add("supplier_id", "no supplier has this id");
    }
    Ok(match (input.currency.trim(), &supplier) {
        ("", Some(supplier)) => Some(supplier.fields.currency.clone()),
        ("", None) => {
            v.add("currency", "is required without a supplier");
            None
        }
        (text, _) => v.check("currency", parse_currency(text)),
    })
}

/// The lines with the catalog's HS code and VAT rate, and their duty: as given, else the rate on
/// file for the HS code.
fn check_lines(
    v: &mut Violations,
    input: &[pb::LandedCostLine],
    products: &HashMap<i64, ProductRow>,
    duty_rates: &[pb::DutyRate],
) -> Vec<Line> {
    let mut lines = Vec::new();
    for (i, line) in input.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let Some(product) = products.get(&line.product_id) else {
            v.add(field("product_id"), "no product in the catalog has this id");
            continue;
        };
        v.check(&field("quantity"), limits::quantity(line.quantity));
        v.check(&field("unit_price"), limits::amount(line.unit_price));
        v.check(&field("unit_weight_grams"), landed_cost::unit_weight(line.unit_weight_grams));
        let duty = match line.duty_rate_bp {
            Some(bp) if (0..=10_000).contains(&bp) => Some(i64::from(bp)),
            Some(_) => {
                v.add(field("duty_rate"), "must be from 0 to 1");
                None
            }
            None => rate_store::duty_for(duty_rates, &product.fields.hs_code).or_else(|| {
                let hs_code = &product.fields.hs_code;
                v.add(field("duty_rate"), format!("no duty rate is on file for HS {hs_code}; give one or add it"));
                None
            }),
        };
        lines.push(Line {
            product_id: product.id,
            model_code: product.fields.model_code.clone(),
            hs_code: product.fields.hs_code.clone(),
            quantity: line.quantity,
            unit_price: line.unit_price,
            unit_weight_grams: line.unit_weight_grams,
            duty_rate_bp: duty.unwrap_or_default(),
            vat_rate_bp: product.fields.vat_rate_bp,
        });
    }
    lines
}

/// The charges as given, split by value unless said otherwise.
fn charges_of(input: &[pb::LandedCostCharge]) -> Vec<Charge> {
    input
        .iter()
        .map(|c| Charge {
            kind: c.kind.trim().to_owned(),
            amount: c.amount,
            currency: c.currency.trim().to_ascii_uppercase(),
            allocation: match c.allocation.trim() {
                "" => "value".to_owned(),
                word => word.to_owned(),
            },
        })
        .collect()
}

fn result_of(shipment: &Shipment, rates: &BTreeMap<String, Rate>, costed: &Costed) -> pb::LandedCostResult {
    let Shipment { currency, rate_date, lines, charges } = shipment;
    let mut used: Vec<&str> = charges.iter().map(|c| c.currency.as_str()).collect();
    used.push(currency);
    let rates_used = rates
        .iter()
        .filter(|(code, _)| used.contains(&code.as_str()))
        .map(|(code, rate)| pb::RateUsed {
            currency: code.clone(),
            rate_e4: rate.rate_e4,
            effective_on: Some(date_to_proto(rate.effective_on)),
            source: rate.source.clone(),
        })
        .collect();
    pb::LandedCostResult {
        currency: currency.clone(),
        rate_date: Some(date_to_proto(*rate_date)),
        rates: rates_used,
        total_goods: costed.lines.iter().map(|l| l.goods_value).sum(),
        total_charges: costed.charges_vnd.iter().sum(),
        total_duty: costed.lines.iter().map(|l| l.import_duty).sum(),
        total_landed: costed.lines.iter().map(|l| l.landed_total).sum(),
        total_import_vat: costed.lines.iter().map(|l| l.import_vat).sum(),
        charges: charges
            .iter()
            .zip(&costed.charges_vnd)
            .map(|(c, vnd)| pb::ChargeResult {
                kind: c.kind.clone(),
                amount: c.amount,
                currency: c.currency.clone(),
                allocation: c.allocation.clone(),
                amount_vnd: *vnd,
            })
            .collect(),
        lines: lines
            .iter()
            .zip(&costed.lines)
            .enumerate()
            .map(|(i, (line, cost))| line_result(i, line, cost))
            .collect(),
    }
}

fn line_result(index: usize, line: &Line, cost: &landed_cost::LineCost) -> pb::LandedCostLineResult {
    pb::LandedCostLineResult {
        line_no: index as i32 + 1,
        product_id: line.product_id,
        model_code: line.model_code.clone(),
        hs_code: line.hs_code.clone(),
        quantity: line.quantity,
        goods_value: cost.goods_value,
        charges: cost
            .charges
            .iter()
            .map(|(kind, amount)| pb::ChargeShare { kind: kind.clone(), amount: *amount })
            .collect(),
        customs_value: cost.customs_value,
        duty_rate_bp: line.duty_rate_bp as i32,
        import_duty: cost.import_duty,
        landed_total: cost.landed_total,
        landed_unit_cost: cost.landed_unit_cost,
        import_vat_rate_bp: line.vat_rate_bp as i32,
        import_vat: cost.import_vat,
    }
}
