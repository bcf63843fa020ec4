//! `/api/v1/exchange-rates`, `/api/v1/duty-rates`, `/api/v1/landed-costs/preview`: what imported
//! goods really cost in VND.

use atq_platform::caller::Action;
use atq_platform::currency::{rate_e4_from_text, rate_e4_text};
use atq_platform::validation::Violations;
use atq_proto::common::v1::LocalDate;
use atq_proto::importplanning::v1 as pb;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::{Problem, ProblemBody};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{date_text, optional_date, rate_bp_from_text, rate_text, rfc3339};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_exchange_rates, list_exchange_rates))
        .routes(routes!(set_duty_rates, list_duty_rates))
        .routes(routes!(preview_landed_cost))
}

fn day_text(date: Option<&LocalDate>) -> String {
    date_text(date).unwrap_or_default()
}

#[derive(Serialize, ToSchema)]
pub struct ExchangeRateBody {
    pub currency: String,
    /// YYYY-MM-DD: in force from this day until the currency's next rate
    pub effective_on: String,
    /// VND per unit, as decimal text: "25380.5"
    pub rate: String,
    pub source: String,
    pub entered_by: String,
    pub entered_at: String,
}

impl From<pb::ExchangeRate> for ExchangeRateBody {
    fn from(r: pb::ExchangeRate) -> Self {
        ExchangeRateBody {
            currency: r.currency,
            effective_on: day_text(r.effective_on.as_ref()),
            rate: rate_e4_text(r.rate_e4),
            source: r.source,
            entered_by: r.entered_by,
            entered_at: rfc3339(r.entered_at.as_ref()),
        }
    }
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ExchangeRateIn {
    /// USD, EUR, JPY, GBP, CHF, CNY, KRW, SGD
    pub currency: String,
    /// YYYY-MM-DD
    pub effective_on: String,
    /// VND per unit, up to 4 decimal places
    pub rate: String,
    pub source: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ExchangeRatesIn {
    pub rates: Vec<ExchangeRateIn>,
}

#[derive(Serialize, ToSchema)]
pub struct SetRatesBody {
    pub rates: Vec<ExchangeRateBody>,
    pub created: i32,
    pub changed: i32,
    pub unchanged: i32,
}

/// Enter rates: JSON `{"rates": [...]}`, or `text/csv` with the columns currency, date, rate[,
/// source]. One rate per currency and day: a different value corrects it, the same changes nothing.
/// A statement with a bad row changes no rate.
#[utoipa::path(post, path = "/api/v1/exchange-rates", tag = "import costing", request_body = ExchangeRatesIn,
    responses((status = 200, body = SetRatesBody), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody)))]
pub async fn set_exchange_rates(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<axum::Json<SetRatesBody>, Problem> {
    caller.require(Action::WriteRates)?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let message = if content_type.starts_with("text/csv") || content_type.starts_with("text/plain") {
        let csv = String::from_utf8(body.to_vec()).map_err(|_| Problem::field("body", "must be UTF-8 text"))?;
        pb::SetExchangeRatesRequest { rates: Vec::new(), csv }
    } else {
        let input: ExchangeRatesIn =
            serde_json::from_slice(&body).map_err(|error| Problem::field("body", &error.to_string()))?;
        let mut v = Violations::new();
        let mut rates = Vec::new();
        for (i, rate) in input.rates.into_iter().enumerate() {
            let effective_on = optional_date(&mut v, &format!("rates[{i}].effective_on"), Some(&rate.effective_on));
            if rate.effective_on.trim().is_empty() {
                v.add(format!("rates[{i}].effective_on"), "is required");
            }
            let rate_e4 = v.check(&format!("rates[{i}].rate"), rate_e4_from_text(&rate.rate)).unwrap_or_default();
            rates.push(pb::ExchangeRateInput { currency: rate.currency, effective_on, rate_e4, source: rate.source });
        }
        v.finish()?;
        pb::SetExchangeRatesRequest { rates, csv: String::new() }
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let reply = ctx.call(&state.costing, message, |mut c, r| async move { c.set_exchange_rates(r).await }).await?;
    Ok(axum::Json(SetRatesBody {
        rates: reply.rates.into_iter().map(ExchangeRateBody::from).collect(),
        created: reply.created,
        changed: reply.changed,
        unchanged: reply.unchanged,
    }))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct RateQuery {
    pub currency: Option<String>,
    /// YYYY-MM-DD: the rates in force that day, one per currency, instead of the history
    pub on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RatesBody {
    pub items: Vec<ExchangeRateBody>,
}

/// Rate history (newest first), or with `?on=` the rates in force that day.
#[utoipa::path(get, path = "/api/v1/exchange-rates", tag = "import costing", params(RateQuery),
    responses((status = 200, body = RatesBody), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody)))]
pub async fn list_exchange_rates(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<RateQuery>,
) -> Result<axum::Json<RatesBody>, Problem> {
    caller.require(Action::ReadCosts)?;
    let mut v = Violations::new();
    let on = optional_date(&mut v, "on", query.on.as_deref());
    v.finish()?;
    let message = pb::ListExchangeRatesRequest { currency: query.currency.unwrap_or_default(), on };
    let ctx = CallContext::read(&state, &caller);
    let reply = ctx.call(&state.costing, message, |mut c, r| async move { c.list_exchange_rates(r).await }).await?;
    Ok(axum::Json(RatesBody { items: reply.items.into_iter().map(ExchangeRateBody::from).collect() }))
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DutyRateBody {
    /// An HS code or its first digits ("9027", "9027.80"); the longest match applies
    pub hs_code: String,
    /// "0.05" = 5%
    pub rate: String,
    pub note: String,
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DutyRatesBody {
    pub rates: Vec<DutyRateBody>,
}

fn duty_bodies(items: Vec<pb::DutyRate>) -> DutyRatesBody {
    DutyRatesBody {
        rates: items
            .into_iter()
            .map(|r| DutyRateBody { hs_code: r.hs_prefix, rate: rate_text(r.rate_bp), note: r.note })
            .collect(),
    }
}

/// Set import duty rates by HS code (added or replaced); answers with every rate on file.
#[utoipa::path(put, path = "/api/v1/duty-rates", tag = "import costing", request_body = DutyRatesBody,
    responses((status = 200, body = DutyRatesBody), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody)))]
pub async fn set_duty_rates(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<DutyRatesBody>,
) -> Result<axum::Json<DutyRatesBody>, Problem> {
    caller.require(Action::WriteRates)?;
    let rates = body
        .rates
        .into_iter()
        .map(|r| pb::DutyRate { hs_prefix: r.hs_code, rate_bp: rate_bp_from_text(&r.rate), note: r.note })
        .collect();
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let reply = ctx
        .call(&state.costing, pb::SetDutyRatesRequest { rates }, |mut c, r| async move { c.set_duty_rates(r).await })
        .await?;
    Ok(axum::Json(duty_bodies(reply.items)))
}

/// Import duty rates on file.
#[utoipa::path(get, path = "/api/v1/duty-rates", tag = "import costing",
    responses((status = 200, body = DutyRatesBody), (status = 403, body = ProblemBody)))]
pub async fn list_duty_rates(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> Result<axum::Json<DutyRatesBody>, Problem> {
    caller.require(Action::ReadCosts)?;
    let ctx = CallContext::read(&state, &caller);
    let reply = ctx
        .call(&state.costing, pb::ListDutyRatesRequest {}, |mut c, r| async move { c.list_duty_rates(r).await })
        .await?;
    Ok(axum::Json(duty_bodies(reply.items)))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct LandedLineIn {
    pub product_id: i64,
    pub quantity: i64,
    /// Per unit in the shipment currency's minor unit (cents, yen)
    pub unit_price: i64,
    pub unit_weight_grams: i64,
    /// "0.05"; from the HS code when absent
    pub duty_rate: Option<String>,
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ChargeIn {
    /// freight, insurance, customs_fee, handling, domestic_transport, other
    pub kind: String,
    /// In the charge currency's minor unit
    pub amount: i64,
    pub currency: String,
    /// value (default), quantity or weight
    pub allocation: String,
}

impl From<ChargeIn> for pb::LandedCostCharge {
    fn from(c: ChargeIn) -> Self {
        pb::LandedCostCharge { kind: c.kind, amount: c.amount, currency: c.currency, allocation: c.allocation }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct LandedCostIn {
    pub supplier_id: i64,
    /// The goods' currency; the supplier's when absent
    pub currency: String,
    /// YYYY-MM-DD: rates in force that day are used (today when absent)
    pub rate_date: Option<String>,
    pub lines: Vec<LandedLineIn>,
    pub charges: Vec<ChargeIn>,
}

#[derive(Serialize, ToSchema)]
pub struct RateUsedBody {
    pub currency: String,
    pub rate: String,
    pub effective_on: String,
    pub source: String,
}

#[derive(Serialize, ToSchema)]
pub struct ChargeShareBody {
    pub kind: String,
    pub amount: i64,
}

#[derive(Serialize, ToSchema)]
pub struct LandedLineBody {
    pub line_no: i32,
    pub product_id: i64,
    pub model_code: String,
    pub hs_code: String,
    pub quantity: i64,
    /// VND from here on
    pub goods_value: i64,
    pub charges: Vec<ChargeShareBody>,
    /// Goods + freight + insurance (CIF): what duty is levied on
    pub customs_value: i64,
    pub duty_rate: String,
    pub import_duty: i64,
    pub landed_total: i64,
    pub landed_unit_cost: i64,
    pub import_vat_rate: String,
    /// Paid at the border and deducted later: not part of the cost
    pub import_vat: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ChargeBody {
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    pub allocation: String,
    /// The lines' shares sum to exactly this
    pub amount_vnd: i64,
}

#[derive(Serialize, ToSchema)]
pub struct LandedCostBody {
    pub currency: String,
    pub rate_date: String,
    /// Every conversion says which rate and date it used
    pub rates: Vec<RateUsedBody>,
    pub lines: Vec<LandedLineBody>,
    pub charges: Vec<ChargeBody>,
    pub total_goods: i64,
    pub total_charges: i64,
    pub total_duty: i64,
    pub total_landed: i64,
    pub total_import_vat: i64,
}

/// Compute the landed unit cost in VND per line of a shipment, without changing anything: goods
/// in the supplier's currency, each charge in its own currency split by value, quantity or weight
/// (shares sum exactly), duty by HS code on the customs value, import VAT shown apart.
#[utoipa::path(post, path = "/api/v1/landed-costs/preview", tag = "import costing", request_body = LandedCostIn,
    responses((status = 200, body = LandedCostBody), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody)))]
pub async fn preview_landed_cost(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    JsonBody(body): JsonBody<LandedCostIn>,
) -> Result<(StatusCode, axum::Json<LandedCostBody>), Problem> {
    caller.require(Action::ReadCosts)?;
    let mut v = Violations::new();
    let rate_date = optional_date(&mut v, "rate_date", body.rate_date.as_deref());
    v.finish()?;
    let message = pb::LandedCostRequest {
        supplier_id: body.supplier_id,
        currency: body.currency,
        rate_date,
        lines: body
            .lines
            .into_iter()
            .map(|l| pb::LandedCostLine {
                product_id: l.product_id,
                quantity: l.quantity,
                unit_price: l.unit_price,
                unit_weight_grams: l.unit_weight_grams,
                duty_rate_bp: l.duty_rate.as_deref().map(rate_bp_from_text),
            })
            .collect(),
        charges: body.charges.into_iter().map(pb::LandedCostCharge::from).collect(),
    };
    let ctx = CallContext::read(&state, &caller);
    let r = ctx.call(&state.costing, message, |mut c, r| async move { c.preview_landed_cost(r).await }).await?;
    let body = LandedCostBody {
        currency: r.currency,
        rate_date: day_text(r.rate_date.as_ref()),
        rates: r
            .rates
            .into_iter()
            .map(|u| RateUsedBody {
                currency: u.currency,
                rate: rate_e4_text(u.rate_e4),
                effective_on: day_text(u.effective_on.as_ref()),
                source: u.source,
            })
            .collect(),
        lines: r
            .lines
            .into_iter()
            .map(|l| LandedLineBody {
                line_no: l.line_no,
                product_id: l.product_id,
                model_code: l.model_code,
                hs_code: l.hs_code,
                quantity: l.quantity,
                goods_value: l.goods_value,
                charges: l.charges.into_iter().map(|c| ChargeShareBody { kind: c.kind, amount: c.amount }).collect(),
                customs_value: l.customs_value,
                duty_rate: rate_text(l.duty_rate_bp),
                import_duty: l.import_duty,
                landed_total: l.landed_total,
                landed_unit_cost: l.landed_unit_cost,
                import_vat_rate: rate_text(l.import_vat_rate_bp),
                import_vat: l.import_vat,
            })
            .collect(),
        charges: r
            .charges
            .into_iter()
            .map(|c| ChargeBody {
                kind: c.kind,
                amount: c.amount,
                currency: c.currency,
                allocation: c.allocation,
                amount_vnd: c.amount_vnd,
            })
            .collect(),
        total_goods: r.total_goods,
        total_charges: r.total_charges,
        total_duty: r.total_duty,
        total_landed: r.total_landed,
        total_import_vat: r.total_import_vat,
    };
    Ok((StatusCode::OK, axum::Json(body)))
}
