//! Exchange rates and import duty rates, as entered by accounting.

use atq_platform::caller::Action;
use atq_platform::currency::{rate_e4_from_text, rate_e4_text};
use atq_platform::validation::Violations;
use atq_proto::importplanning::v1 as pb;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{day_text, optional_date, rate_bp_from_text, rate_text, rfc3339};

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
    #[schema(required = true, min_length = 1)]
    pub currency: String,
    /// YYYY-MM-DD
    #[schema(required = true, format = Date)]
    pub effective_on: String,
    /// VND per unit, up to 4 decimal places
    #[schema(required = true, min_length = 1)]
    pub rate: String,
    pub source: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ExchangeRatesIn {
    #[schema(required = true, min_items = 1, max_items = 5000)]
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
    responses((status = 200, body = SetRatesBody), BadRequest, Forbidden))]
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
    responses((status = 200, body = RatesBody), BadRequest, Forbidden))]
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
    #[schema(required = true, min_length = 1)]
    pub hs_code: String,
    /// "0.05" = 5%
    #[schema(required = true, min_length = 1)]
    pub rate: String,
    pub note: String,
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DutyRatesBody {
    #[schema(required = true)]
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
    responses((status = 200, body = DutyRatesBody), BadRequest, Forbidden))]
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
    responses((status = 200, body = DutyRatesBody), Forbidden))]
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
