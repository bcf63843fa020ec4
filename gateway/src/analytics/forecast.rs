//! Forecasts: `GET /api/v1/reports/forecast` (monthly net revenue per office and category) and
//! `GET /api/v1/reports/demand` (units per month per product, the import planner's input for
//! reorder points), each with the method every series used, why, and its error on the last
//! complete months.

use atq_platform::caller::Action;
use atq_proto::analytics::v1 as pb;
use atq_proto::analytics::v1::forecasts_client::ForecastsClient;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, Unauthorized};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{office_from_text, office_text};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(revenue_forecast)).routes(routes!(demand_forecast))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ForecastQuery {
    /// Months forecast, the current local month first: 3 to 6; default 3.
    #[param(minimum = 3, maximum = 6)]
    pub horizon: Option<i32>,
    /// One office's sales (`HN`, `HCM`, `DL`); a sales manager always sees their own.
    pub office: Option<String>,
    /// One product category, e.g. `chemistry`.
    #[param(max_length = 100)]
    pub category: Option<String>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct DemandQuery {
    /// Months forecast, the current local month first: 3 to 6; default 3.
    #[param(minimum = 3, maximum = 6)]
    pub horizon: Option<i32>,
    /// One product; default: every product sold in the last 24 months.
    #[param(minimum = 1)]
    pub product_id: Option<i64>,
    /// One office's sales (`HN`, `HCM`, `DL`); a sales manager always sees their own.
    pub office: Option<String>,
    /// json (default) or csv: one row per series and month (see the operation).
    pub format: Option<String>,
}

/// A month's figure: VND without VAT, or units.
#[derive(Serialize, ToSchema)]
pub struct MonthFigure {
    /// `YYYY-MM`, local (Asia/Ho_Chi_Minh).
    pub month: String,
    pub value: i64,
}

/// One of the last 3 complete months forecast again from the months before it alone.
#[derive(Serialize, ToSchema)]
pub struct BacktestBody {
    pub month: String,
    pub actual: i64,
    pub forecast: i64,
    /// The method the rule took on the history before that month.
    pub method: String,
}

#[derive(Serialize, ToSchema)]
pub struct SeriesBody {
    /// `all`, an office code, a category or a product id.
    pub key: String,
    /// A product's model code and category; null for other series.
    pub model_code: Option<String>,
    pub category: Option<String>,
    /// `seasonal_naive` (the same month last year) or `mean_of_last_3_months`.
    pub method: String,
    /// Why that method, in English (the web page words it in the reader's language).
    pub reason: String,
    /// Months from the series' first month with a figure to the last complete month.
    pub history_months: i32,
    /// The 24 complete months before the current one.
    pub history: Vec<MonthFigure>,
    /// The months ahead, the current one first.
    pub forecast: Vec<MonthFigure>,
    pub backtest: Vec<BacktestBody>,
    /// Mean |actual − forecast| over the backtest months, rounded half up.
    pub mean_absolute_error: i64,
    /// Mean absolute percentage error in basis points over the backtest months with a non-zero
    /// actual (each month's rounded half up, then the mean rounded half up); null without any.
    pub mape_bp: Option<i64>,
}

/// Open opportunities expected to close in one month.
#[derive(Serialize, ToSchema)]
pub struct PipelineMonthBody {
    /// `YYYY-MM` of the expected close date (an overdue month is kept), or `none`.
    pub month: String,
    pub opportunities: i64,
    /// Their expected values, VND.
    pub value: i64,
    /// Σ expected value × probability / 100, each opportunity's rounded half up to the đồng.
    pub weighted: i64,
}

/// Named apart in the OpenAPI document: another route's body has the same Rust name.
#[derive(Serialize, ToSchema)]
#[schema(as = RevenueForecastBody)]
pub struct ForecastBody {
    /// `net_revenue` (VND without VAT, returns taken off) or `units` (sold less returned).
    pub measure: String,
    /// `VND` for revenue, null for units.
    pub currency: Option<String>,
    pub horizon: i32,
    /// The rule, stated once for every series.
    pub method: String,
    /// First and last history month and the first month forecast, `YYYY-MM`.
    pub history_from: String,
    pub history_to: String,
    pub forecast_from: String,
    /// The office the figures are limited to; null for the whole company.
    pub office: Option<String>,
    /// The category the revenue is limited to; null for all.
    pub category: Option<String>,
    /// The product the demand is limited to; null for all.
    pub product_id: Option<i64>,
    /// Every sale the filters keep.
    pub total: SeriesBody,
    /// Revenue only: per office and per category (empty for demand).
    pub by_office: Vec<SeriesBody>,
    pub by_category: Vec<SeriesBody>,
    /// Demand only: per product (empty for revenue).
    pub by_product: Vec<SeriesBody>,
    /// Revenue only: the weighted pipeline of open opportunities (prospecting, qualified,
    /// proposal, negotiation) per expected close month, of the office; categories do not apply.
    /// Value, close date and probability as they stood at each opportunity's last stage change.
    pub pipeline: Vec<PipelineMonthBody>,
    /// Positions of the sales and accounting-warehouse feeds the history includes.
    pub sales_position: i64,
    pub accounting_position: i64,
}

const RULE: &str = "Seasonal naive (the same month last year) for a series with 12 or more months of history, \
otherwise the mean of its last 3 complete months (fewer when younger), rounded half away from zero. \
The error: each of the last 3 complete months forecast from the months before it alone.";

/// Why a series has its method, from what the response says of it.
pub fn reason(method: &str, history_months: i32) -> String {
    if method == "seasonal_naive" {
        format!("{history_months} months of history (12 or more): the same month last year")
    } else {
        format!("{history_months} months of history (fewer than 12): the mean of the last 3 months")
    }
}

fn series_body(series: pb::ForecastSeries) -> SeriesBody {
    let figures = |points: Vec<pb::ForecastPoint>| {
        points.into_iter().map(|p| MonthFigure { month: p.month, value: p.value }).collect()
    };
    let some = |s: String| Some(s).filter(|s| !s.is_empty());
    SeriesBody {
        reason: reason(&series.method, series.history_months),
        key: series.key,
        model_code: some(series.model_code),
        category: some(series.category),
        method: series.method,
        history_months: series.history_months,
        history: figures(series.history),
        forecast: figures(series.forecast),
        backtest: series
            .backtest
            .into_iter()
            .map(|b| BacktestBody { month: b.month, actual: b.actual, forecast: b.forecast, method: b.method })
            .collect(),
        mean_absolute_error: series.mean_absolute_error,
        mape_bp: series.mape_bp,
    }
}

fn forecast_body(answer: pb::ForecastResponse, revenue: bool) -> ForecastBody {
    let all = |list: Vec<pb::ForecastSeries>| list.into_iter().map(series_body).collect();
    ForecastBody {
        measure: if revenue { "net_revenue" } else { "units" }.to_owned(),
        currency: revenue.then(|| "VND".to_owned()),
        horizon: answer.horizon,
        method: RULE.to_owned(),
        history_from: answer.history_from,
        history_to: answer.history_to,
        forecast_from: answer.forecast_from,
        office: Some(office_text(answer.office)).filter(|s| !s.is_empty()),
        category: Some(answer.category).filter(|s| !s.is_empty()),
        product_id: Some(answer.product_id).filter(|id| *id != 0),
        total: series_body(answer.total.unwrap_or_default()),
        by_office: all(answer.by_office),
        by_category: all(answer.by_category),
        by_product: all(answer.by_product),
        pipeline: answer
            .pipeline
            .into_iter()
            .map(|m| PipelineMonthBody {
                month: m.month,
                opportunities: m.opportunities,
                value: m.value,
                weighted: m.weighted,
            })
            .collect(),
        sales_position: answer.sales_position,
        accounting_position: answer.accounting_position,
    }
}

/// Out of range is refused by analytics with the field named; 0 there means the default.
fn horizon_asked(horizon: Option<i32>) -> i32 {
    match horizon {
        None => 0,
        Some(n) if n < 1 => -1,
        Some(n) => n,
    }
}

/// Monthly net revenue (VND without VAT, returns taken off, as in the sales report) for the
/// current local month and the ones after it, `horizon` months in all: the company's, each
/// office's and each category's. From the 24 complete months before the current one, kept from
/// the sales and accounting-warehouse feeds. Each series states its method and why: seasonal
/// naive (the same month last year) with 12 or more months of history, otherwise the mean of the
/// last 3 months, rounded half away from zero to the đồng; and its error, from forecasting each
/// of the last 3 complete months from the months before it alone (mean absolute error in VND,
/// rounded half up, and MAPE in basis points). A sales manager sees their own office.
#[utoipa::path(get, path = "/api/v1/reports/forecast", tag = "reports", params(ForecastQuery),
    responses((status = 200, description = "The revenue forecast", body = ForecastBody),
        BadRequest, Unauthorized, Forbidden))]
pub async fn revenue_forecast(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ForecastQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadReports)?;
    let message = pb::RevenueForecastRequest {
        horizon: horizon_asked(query.horizon),
        office: office_from_text(query.office.as_deref().unwrap_or_default()),
        category: query.category.unwrap_or_default(),
    };
    let ctx = CallContext::read(&state, &caller);
    let client = ForecastsClient::new(state.channel("analytics")?);
    let answer = ctx.call(&client, message, |mut c, r| async move { c.revenue_forecast(r).await }).await?;
    Ok(axum::Json(forecast_body(answer, true)).into_response())
}

/// Demand: units per month per product (sold less returned) for the current local month and the
/// ones after it, by the same rule and with the same error as the revenue forecast. This is the
/// import planner's input for reorder points: expected units per month over the supplier's lead
/// time, plus safety stock, less stock on hand and on order. A sales manager sees their own
/// office's sales. CSV columns: key, model_code, category, month, kind (history or forecast),
/// units, method, mean_absolute_error, mape_bp; the total (`all`) first, then each product.
#[utoipa::path(get, path = "/api/v1/reports/demand", tag = "reports", params(DemandQuery),
    responses((status = 200, description = "The demand forecast, or its CSV download",
            content((ForecastBody = "application/json"), (String = "text/csv"))),
        BadRequest, Unauthorized, Forbidden))]
pub async fn demand_forecast(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<DemandQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadReports)?;
    let mut v = atq_platform::validation::Violations::new();
    let csv = crate::wire::wants_csv(&mut v, query.format.as_deref());
    v.finish()?;
    let message = pb::DemandForecastRequest {
        horizon: horizon_asked(query.horizon),
        product_id: match query.product_id {
            Some(id) if id < 1 => -1,
            id => id.unwrap_or_default(),
        },
        office: office_from_text(query.office.as_deref().unwrap_or_default()),
    };
    let ctx = CallContext::read(&state, &caller);
    let client = ForecastsClient::new(state.channel("analytics")?);
    let answer = ctx.call(&client, message, |mut c, r| async move { c.demand_forecast(r).await }).await?;
    if csv {
        return super::demand_csv::demand_csv(&forecast_body(answer, false));
    }
    Ok(axum::Json(forecast_body(answer, false)).into_response())
}
