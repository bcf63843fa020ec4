//! Customer value: `GET /api/v1/reports/customers` (every active customer) and
//! `GET /api/v1/customers/{id}/value` (one), with RFM scores, segment, lifetime value and share of
//! the company's revenue, and the thresholds and methods behind them.

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::analytics::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::summary::summaries_client;
use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, NotFound, Unauthorized};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{date_text, day_text, office_text, optional_date};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(customer_values)).routes(routes!(customer_value))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ValueQuery {
    /// The local day `YYYY-MM-DD` recency and the at-risk flag are judged on. Default: today
    /// (Asia/Ho_Chi_Minh). The figures are every order analytics holds.
    pub as_of: Option<String>,
}

/// One customer's purchases: confirmed orders not cancelled, returns taken off. Money in VND
/// without VAT.
#[derive(Serialize, ToSchema)]
pub struct CustomerValueBody {
    pub customer_id: i64,
    pub code: String,
    /// Office code of the customer (`HN`, `HCM`, `DL`).
    pub office: String,
    /// `individual`, `dealer` or `project`.
    pub customer_group: String,
    /// Local dates `YYYY-MM-DD` of the first and the last order counted.
    pub first_purchase: Option<String>,
    pub last_purchase: Option<String>,
    pub orders: i64,
    pub revenue: i64,
    /// revenue / orders, rounded toward zero.
    pub average_order: i64,
    /// (last − first purchase) / (orders − 1) in tenths of a day (305 = 30.5 days); null below
    /// two orders.
    pub mean_days_between_orders_tenths: Option<i64>,
    pub days_since_last_order: i64,
    /// RFM scores, 1–5 (5 best); see `scoring_method` and the bands.
    pub recency_score: i32,
    pub frequency_score: i32,
    pub monetary_score: i32,
    /// `champions`, `loyal`, `new`, `potential`, `at_risk` or `hibernating`; see `segment_rules`.
    pub segment: String,
    /// See `lifetime_value_method`.
    pub lifetime_value: i64,
    /// revenue / company revenue in basis points (1234 = 12.34%).
    pub share_bp: i64,
    /// No order for longer than twice the customer's mean days between orders (never with a
    /// single order: no cycle yet).
    pub at_risk: bool,
}

/// The figures of one score: customers scored `score` have theirs in `min..=max`.
#[derive(Serialize, ToSchema)]
pub struct ScoreBandBody {
    pub score: i32,
    pub min: i64,
    pub max: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CustomerValuesBody {
    /// The local day judged on, `YYYY-MM-DD`.
    pub as_of: String,
    /// `VND`.
    pub currency: String,
    /// The office the list is limited to (a sales manager's own); null for the whole company.
    pub office: Option<String>,
    /// By revenue, highest first.
    pub customers: Vec<CustomerValueBody>,
    /// Days since the last order per recency score, orders per frequency score, revenue per
    /// monetary score, over every active customer of the company.
    pub recency_bands: Vec<ScoreBandBody>,
    pub frequency_bands: Vec<ScoreBandBody>,
    pub monetary_bands: Vec<ScoreBandBody>,
    /// The whole company's revenue the shares are taken of.
    pub company_revenue: i64,
    pub scoring_method: String,
    pub segment_rules: String,
    pub lifetime_value_method: String,
    /// Position of the sales feed the figures include.
    pub sales_position: i64,
}

fn value_body(c: &pb::CustomerValue) -> CustomerValueBody {
    CustomerValueBody {
        customer_id: c.customer_id,
        code: c.code.clone(),
        office: office_text(c.office),
        customer_group: c.customer_group.clone(),
        first_purchase: date_text(c.first_purchase.as_ref()),
        last_purchase: date_text(c.last_purchase.as_ref()),
        orders: c.orders,
        revenue: c.revenue,
        average_order: c.average_order,
        mean_days_between_orders_tenths: c.mean_days_between_orders_tenths,
        days_since_last_order: c.days_since_last_order,
        recency_score: c.recency_score,
        frequency_score: c.frequency_score,
        monetary_score: c.monetary_score,
        segment: c.segment.clone(),
        lifetime_value: c.lifetime_value,
        share_bp: c.share_bp,
        at_risk: c.at_risk,
    }
}

fn values_body(answer: pb::CustomerValuesResponse) -> CustomerValuesBody {
    let bands = |bands: &[pb::ScoreBand]| -> Vec<ScoreBandBody> {
        bands.iter().map(|b| ScoreBandBody { score: b.score, min: b.min, max: b.max }).collect()
    };
    CustomerValuesBody {
        as_of: day_text(answer.as_of.as_ref()),
        currency: "VND".to_owned(),
        office: Some(office_text(answer.office)).filter(|o| !o.is_empty()),
        customers: answer.customers.iter().map(value_body).collect(),
        recency_bands: bands(&answer.recency_bands),
        frequency_bands: bands(&answer.frequency_bands),
        monetary_bands: bands(&answer.monetary_bands),
        company_revenue: answer.company_revenue,
        scoring_method: answer.scoring_method,
        segment_rules: answer.segment_rules,
        lifetime_value_method: answer.lifetime_value_method,
        sales_position: answer.sales_position,
    }
}

/// Every active customer's value (at least one counted order), by revenue: first and last
/// purchase, orders, revenue, average order, mean days between orders, RFM scores (quintiles over
/// the company's active customers, thresholds in the bands), segment, lifetime-value estimate,
/// share of company revenue and an at-risk flag. Kept up to date from the sales and
/// accounting-warehouse feeds. A sales manager sees their own office's customers, scored among
/// the whole company.
#[utoipa::path(get, path = "/api/v1/reports/customers", tag = "reports", params(ValueQuery),
    responses((status = 200, body = CustomerValuesBody), BadRequest, Unauthorized, Forbidden))]
pub async fn customer_values(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ValueQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadReports)?;
    let mut v = Violations::new();
    let as_of = optional_date(&mut v, "as_of", query.as_of.as_deref());
    v.finish()?;
    let ctx = CallContext::read(&state, &caller);
    let client = summaries_client(&state)?;
    let message = pb::CustomerValuesRequest { as_of };
    let answer = ctx.call(&client, message, |mut c, r| async move { c.customer_values(r).await }).await?;
    Ok(axum::Json(values_body(answer)).into_response())
}

/// One customer's value, scored among every active customer of the company (the list's answer
/// with this customer only). 404 for a customer without a counted order, or of another office
/// for a sales manager.
#[utoipa::path(get, path = "/api/v1/customers/{id}/value", tag = "reports",
    params(("id" = i64, Path), ValueQuery),
    responses((status = 200, body = CustomerValuesBody), BadRequest, Unauthorized, Forbidden, NotFound))]
pub async fn customer_value(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<ValueQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadReports)?;
    let mut v = Violations::new();
    let as_of = optional_date(&mut v, "as_of", query.as_of.as_deref());
    v.finish()?;
    let ctx = CallContext::read(&state, &caller);
    let client = summaries_client(&state)?;
    let message = pb::CustomerValueRequest { customer_id: id, as_of };
    let answer = ctx.call(&client, message, |mut c, r| async move { c.customer_value(r).await }).await?;
    Ok(axum::Json(values_body(answer)).into_response())
}
