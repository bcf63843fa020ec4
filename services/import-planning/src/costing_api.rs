//! gRPC adapter for `atq.importplanning.v1.Costing`: exchange and duty rates, landed-cost preview.

use std::collections::HashMap;

use atq_platform::business_time::{date_from_proto, date_to_proto, local_date, now_micros};
use atq_platform::caller::Action;
use atq_platform::currency::parse_currency;
use atq_platform::validation::{Violations, optional_text};
use atq_platform::{Caller, Db, Error};
use atq_proto::importplanning::v1 as pb;
use atq_proto::importplanning::v1::costing_server::Costing;
use tonic::{Request, Response, Status};

use crate::landed_cost::{self, Charge, Line};
use crate::rate_store::{self, Outcome};
use crate::rates::{MAX_RATES, hs_digits, parse_csv};
use crate::{product_store, supplier_store};

/// A shipment with more lines belongs split into several receipts.
const MAX_LINES: usize = 500;

pub struct CostingApi {
    pub db: Db,
}

#[tonic::async_trait]
impl Costing for CostingApi {
    async fn set_exchange_rates(
        &self,
        request: Request<pb::SetExchangeRatesRequest>,
    ) -> Result<Response<pb::SetExchangeRatesResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteRates)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let given = if input.csv.trim().is_empty() { input.rates } else { parse_csv(&input.csv, &mut v) };
        if given.is_empty() && v.is_empty() {
            v.add("rates", "at least one rate is required");
        } else if given.len() > MAX_RATES {
            v.add("rates", format!("at most {MAX_RATES} rates at once"));
        }
        let mut checked = Vec::new();
        for (i, rate) in given.iter().enumerate() {
            let currency = v.check(&format!("rates[{i}].currency"), parse_currency(&rate.currency));
            if currency.as_deref() == Some("VND") {
                v.add(format!("rates[{i}].currency"), "VND is the home currency");
            }
            let day = match &rate.effective_on {
                Some(date) => v.check(&format!("rates[{i}].effective_on"), date_from_proto(date)),
                None => {
                    v.add(format!("rates[{i}].effective_on"), "is required");
                    None
                }
            };
            if rate.rate_e4 <= 0 {
                v.add(format!("rates[{i}].rate"), "must be more than zero");
            }
            let source = v.check(&format!("rates[{i}].source"), optional_text(&rate.source, 100)).unwrap_or_default();
            if let (Some(currency), Some(day)) = (currency, day) {
                checked.push((currency, day, rate.rate_e4, source));
            }
        }
        v.finish()?;
        // All or nothing: a statement with one bad row changes no rate.
        let mut tx = self.db.begin().await.map_err(Error::from)?;
        let mut reply = pb::SetExchangeRatesResponse::default();
        for (currency, day, rate_e4, source) in &checked {
            let (outcome, stored) =
                rate_store::upsert(&mut tx, currency, *day, *rate_e4, source, &caller.username).await?;
            match outcome {
                Outcome::Created => reply.created += 1,
                Outcome::Changed => reply.changed += 1,
                Outcome::Unchanged => reply.unchanged += 1,
            }
            reply.rates.push(stored);
        }
        tx.commit().await.map_err(Error::from)?;
        tracing::info!(created = reply.created, changed = reply.changed, "exchange rates set");
        Ok(Response::new(reply))
    }

    async fn list_exchange_rates(
        &self,
        request: Request<pb::ListExchangeRatesRequest>,
    ) -> Result<Response<pb::ListExchangeRatesResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCosts)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let currency = match input.currency.trim() {
            "" => String::new(),
            text => v.check("currency", parse_currency(text)).unwrap_or_default(),
        };
        let on = input.on.as_ref().and_then(|d| v.check("on", date_from_proto(d)));
        v.finish()?;
        let mut items = match on {
            Some(day) => rate_store::in_force(&self.db, day).await?,
            None => rate_store::history(&self.db, &currency).await?,
        };
        if !currency.is_empty() {
            items.retain(|rate| rate.currency == currency);
        }
        Ok(Response::new(pb::ListExchangeRatesResponse { items }))
    }

    async fn set_duty_rates(
        &self,
        request: Request<pb::SetDutyRatesRequest>,
    ) -> Result<Response<pb::ListDutyRatesResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteRates)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        if input.rates.is_empty() {
            v.add("rates", "at least one rate is required");
        }
        let mut checked = Vec::new();
        for (i, rate) in input.rates.iter().enumerate() {
            let prefix = hs_digits(&rate.hs_prefix);
            if !(2..=10).contains(&prefix.len()) {
                v.add(format!("rates[{i}].hs_code"), "must be an HS code or its first 2 to 10 digits");
            }
            if !(0..=10_000).contains(&rate.rate_bp) {
                v.add(format!("rates[{i}].rate"), "must be from 0 to 1");
            }
            let note = v.check(&format!("rates[{i}].note"), optional_text(&rate.note, 200)).unwrap_or_default();
            checked.push((prefix, i64::from(rate.rate_bp), note));
        }
        v.finish()?;
        let mut tx = self.db.begin().await.map_err(Error::from)?;
        for (prefix, rate_bp, note) in &checked {
            rate_store::set_duty(&mut tx, prefix, *rate_bp, note).await?;
        }
        tx.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::ListDutyRatesResponse { items: rate_store::duty_rates(&self.db).await? }))
    }

    async fn list_duty_rates(
        &self,
        request: Request<pb::ListDutyRatesRequest>,
    ) -> Result<Response<pb::ListDutyRatesResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCosts)?;
        Ok(Response::new(pb::ListDutyRatesResponse { items: rate_store::duty_rates(&self.db).await? }))
    }

    async fn preview_landed_cost(
        &self,
        request: Request<pb::LandedCostRequest>,
    ) -> Result<Response<pb::LandedCostResult>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCosts)?;
        Ok(Response::new(landed_cost(&self.db, &request.into_inner()).await?))
    }
}

/// The landed cost of a shipment at the rates in force on its rate date: the preview, and the
/// final figures of a supplier order's receipt.
pub async fn landed_cost(db: &Db, input: &pb::LandedCostRequest) -> Result<pb::LandedCostResult, Error> {
    let mut v = Violations::new();
    let supplier = match input.supplier_id {
        id if id > 0 => supplier_store::find(db.pool(), id).await?,
        _ => None,
    };
    if input.supplier_id > 0 && supplier.is_none() {
        v.add("supplier_id", "no supplier has this id");
    }
    let currency = match (input.currency.trim(), &supplier) {
        ("", Some(supplier)) => Some(supplier.fields.currency.clone()),
        ("", None) => {
            v.add("currency", "is required without a supplier");
            None
        }
        (text, _) => v.check("currency", parse_currency(text)),
    };
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
    let products: HashMap<i64, product_store::ProductRow> =
        product_store::find_many(db, &ids).await?.into_iter().map(|p| (p.id, p)).collect();
    let mut lines = Vec::new();
    for (i, line) in input.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let Some(product) = products.get(&line.product_id) else {
            v.add(field("product_id"), "no product in the catalog has this id");
            continue;
        };
        if !(1..=1_000_000).contains(&line.quantity) {
            v.add(field("quantity"), "must be 1 to 1000000");
        }
        if line.unit_price < 0 {
            v.add(field("unit_price"), "must not be negative");
        }
        if line.unit_weight_grams < 0 {
            v.add(field("unit_weight_grams"), "must not be negative");
        }
        let duty = match line.duty_rate_bp {
            Some(bp) if (0..=10_000).contains(&bp) => Some(i64::from(bp)),
            Some(_) => {
                v.add(field("duty_rate"), "must be from 0 to 1");
                None
            }
            None => rate_store::duty_for(&duty_rates, &product.fields.hs_code).or_else(|| {
                v.add(
                    field("duty_rate"),
                    format!("no duty rate is on file for HS {}; give one or add it", product.fields.hs_code),
                );
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
    let charges: Vec<Charge> = input
        .charges
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
        .collect();
    landed_cost::check_charges(&mut v, &charges);
    v.finish()?;
    let (Some(currency), Some(rate_date)) = (currency, rate_date) else {
        return Err(Error::invalid("currency", "is required"));
    };
    let rates = rate_store::rates_for(db, rate_date).await?;
    let costed = landed_cost::compute(&currency, &lines, &charges, &rates)?;
    let mut used: Vec<&str> = charges.iter().map(|c| c.currency.as_str()).collect();
    used.push(&currency);
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
    let result_lines: Vec<pb::LandedCostLineResult> = lines
        .iter()
        .zip(&costed.lines)
        .enumerate()
        .map(|(i, (line, cost))| pb::LandedCostLineResult {
            line_no: i as i32 + 1,
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
        })
        .collect();
    let result = pb::LandedCostResult {
        currency,
        rate_date: Some(date_to_proto(rate_date)),
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
        lines: result_lines,
    };
    Ok(result)
}
