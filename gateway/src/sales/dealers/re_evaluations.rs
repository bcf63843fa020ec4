//! A customer's dealer tier (`/api/v1/customers/{id}/tier`) and the yearly re-evaluation of
//! dealers from their confirmed orders (`/api/v1/dealers/re-evaluations`).

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::sales::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dealers;
use super::evaluation::{EvaluationBody, TierChangeBody};
use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Conflict, Forbidden, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, rfc3339};

#[derive(Serialize, ToSchema)]
pub struct CustomerTierBody {
    pub customer_id: i64,
    /// distributor, tier1 or tier2; null when the customer is not a dealer
    pub tier: Option<String>,
    /// Newest first
    pub history: Vec<TierChangeBody>,
    pub latest_evaluation: Option<EvaluationBody>,
}

/// A customer's current dealer tier, its tier history and its latest evaluation.
#[utoipa::path(get, path = "/api/v1/customers/{id}/tier", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = CustomerTierBody), Forbidden, NotFound))]
pub async fn customer_tier(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCustomers)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::GetCustomerTierRequest { customer_id: id };
    let tier = ctx.call(&dealers(&state)?, message, |mut c, r| async move { c.get_customer_tier(r).await }).await?;
    Ok(axum::Json(CustomerTierBody {
        customer_id: tier.customer_id,
        tier: (!tier.tier.is_empty()).then_some(tier.tier),
        history: tier.history.into_iter().map(TierChangeBody::from).collect(),
        latest_evaluation: tier.latest_evaluation.map(EvaluationBody::from),
    })
    .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ReEvaluationBody {
    pub id: i64,
    pub year: i32,
    pub customer_id: i64,
    pub customer_name: String,
    pub current_tier: String,
    /// distributor, tier1, tier2 or not_eligible
    pub proposed_tier: String,
    /// upgrade or downgrade
    pub direction: String,
    /// proposed or confirmed
    pub status: String,
    pub evaluation: Option<EvaluationBody>,
    /// Net totals of the dealer's confirmed orders in the year before, VND
    pub previous_year_sales: i64,
    /// Net totals of the dealer's confirmed orders in the year, VND
    pub year_sales: i64,
    pub confirmed_by: String,
    pub confirmed_at: Option<String>,
    pub created_at: String,
}

impl From<pb::ReEvaluation> for ReEvaluationBody {
    fn from(r: pb::ReEvaluation) -> Self {
        ReEvaluationBody {
            id: r.id,
            year: r.year,
            customer_id: r.customer_id,
            customer_name: r.customer_name,
            current_tier: r.current_tier,
            proposed_tier: r.proposed_tier,
            direction: r.direction,
            status: r.status,
            evaluation: r.evaluation.map(EvaluationBody::from),
            previous_year_sales: r.previous_year_sales,
            year_sales: r.year_sales,
            confirmed_by: r.confirmed_by,
            confirmed_at: r.confirmed_at.as_ref().map(|t| rfc3339(Some(t))),
            created_at: rfc3339(r.created_at.as_ref()),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct RunReEvaluationBody {
    /// The year whose confirmed orders are evaluated (with the year before for growth)
    #[schema(minimum = 1991, maximum = 2100)]
    pub year: i32,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ReEvaluationQuery {
    pub year: Option<String>,
    /// proposed or confirmed
    pub status: Option<String>,
}

/// A year's proposals are one page: a proposal per dealer at most.
fn list_body(list: pb::ListReEvaluationsResponse) -> Response {
    let items = list.items.into_iter().map(ReEvaluationBody::from).collect();
    axum::Json(ListBody::new(items, String::new())).into_response()
}

/// Re-evaluate every dealer for `year` (directors): a dealer whose figures now decide another
/// tier gets a proposal (upgrade or downgrade). Answers the year's proposals.
#[utoipa::path(post, path = "/api/v1/dealers/re-evaluations", tag = "customers", request_body = RunReEvaluationBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 200, body = ListBody<ReEvaluationBody>), BadRequest, Forbidden, Conflict))]
pub async fn run_re_evaluation(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<RunReEvaluationBody>,
) -> Result<Response, Problem> {
    caller.require(Action::DecideDealers)?;
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let message = pb::RunReEvaluationRequest { year: body.year };
    let list = ctx.call(&dealers(&state)?, message, |mut c, r| async move { c.run_re_evaluation(r).await }).await?;
    Ok(list_body(list))
}

/// Re-evaluation proposals in the caller's territory.
#[utoipa::path(get, path = "/api/v1/dealers/re-evaluations", tag = "customers", params(ReEvaluationQuery),
    responses((status = 200, body = ListBody<ReEvaluationBody>), BadRequest, Forbidden))]
pub async fn list_re_evaluations(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ReEvaluationQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let mut v = Violations::new();
    let year = match query.year.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => 0,
        Some(text) => v.check("year", text.parse::<i32>().map_err(|_| "must be a year".to_owned())).unwrap_or(0),
    };
    v.finish()?;
    let message = pb::ListReEvaluationsRequest { year, status: query.status.unwrap_or_default() };
    let ctx = CallContext::read(&state, &caller);
    let list = ctx.call(&dealers(&state)?, message, |mut c, r| async move { c.list_re_evaluations(r).await }).await?;
    Ok(list_body(list))
}

/// Confirm a proposal (directors): the proposed tier starts today in the dealer's history.
#[utoipa::path(post, path = "/api/v1/dealers/re-evaluations/{id}/confirm", tag = "customers",
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 200, body = ReEvaluationBody), Forbidden, NotFound, Conflict))]
pub async fn confirm_re_evaluation(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::DecideDealers)?;
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let message = pb::ConfirmReEvaluationRequest { id };
    let confirmed =
        ctx.call(&dealers(&state)?, message, |mut c, r| async move { c.confirm_re_evaluation(r).await }).await?;
    Ok((StatusCode::OK, axum::Json(ReEvaluationBody::from(confirmed))).into_response())
}
