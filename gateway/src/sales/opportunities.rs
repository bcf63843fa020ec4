//! `/api/v1/opportunities`: sales pursued with customers, stage by stage, and
//! `/api/v1/reports/pipeline`, what they are worth. Sales staff see their own office's.

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::sales::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use self::bodies::{OpportunityBody, OpportunityProductBody, StageChangeBody, product_inputs};
use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{
    BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, Unprocessable,
};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, expected_version, office_from_text, optional_date, optional_id, page, record_response};

mod bodies;
mod sheet;

const ACCESS: Action = Action::WriteCustomers;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_opportunity, list_opportunities))
        .routes(routes!(get_opportunity, update_opportunity))
        .routes(routes!(change_stage))
        .routes(routes!(opportunity_history))
        .routes(routes!(super::pipeline::pipeline))
}

fn opportunity_response(status: StatusCode, opportunity: pb::Opportunity) -> Response {
    let (version, location) = (opportunity.version, format!("/api/v1/opportunities/{}", opportunity.id));
    record_response(status, OpportunityBody::from(opportunity), version, &location)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateOpportunityBody {
    #[schema(required = true, minimum = 1)]
    pub customer_id: i64,
    #[schema(required = true, min_length = 1)]
    pub title: String,
    /// VND, 0 to 10^15
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub expected_value: i64,
    /// YYYY-MM-DD
    #[schema(required = true, value_type = String, format = Date)]
    pub expected_close_on: Option<String>,
    /// Percent; the stage's default when absent
    pub probability: Option<i32>,
    /// A username; the caller when absent
    pub owner: String,
    /// An open stage; prospecting when absent
    pub stage: String,
    pub products: Vec<OpportunityProductBody>,
}

/// Open an opportunity for a customer. The same `Idempotency-Key` with the same body returns the first.
#[utoipa::path(post, path = "/api/v1/opportunities", tag = "opportunities", request_body = CreateOpportunityBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = OpportunityBody), BadRequest, Forbidden, Unprocessable))]
pub async fn create_opportunity(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateOpportunityBody>,
) -> Result<Response, Problem> {
    caller.require(ACCESS)?;
    let mut v = Violations::new();
    let expected_close_on = optional_date(&mut v, "expected_close_on", body.expected_close_on.as_deref());
    v.finish()?;
    let message = pb::CreateOpportunityRequest {
        customer_id: body.customer_id,
        title: body.title,
        expected_value: body.expected_value,
        expected_close_on,
        probability: body.probability,
        owner: body.owner,
        products: product_inputs(body.products),
        stage: body.stage,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let created =
        ctx.call(&state.opportunities, message, |mut c, r| async move { c.create_opportunity(r).await }).await?;
    Ok(opportunity_response(StatusCode::CREATED, created))
}

/// One opportunity with its products and ETag.
#[utoipa::path(get, path = "/api/v1/opportunities/{id}", tag = "opportunities", params(("id" = i64, Path)),
    responses((status = 200, body = OpportunityBody), NotFound))]
pub async fn get_opportunity(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(ACCESS)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::GetOpportunityRequest { id };
    let found = ctx.call(&state.opportunities, message, |mut c, r| async move { c.get_opportunity(r).await }).await?;
    Ok(opportunity_response(StatusCode::OK, found))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateOpportunityBody {
    pub title: Option<String>,
    /// VND, 0 to 10^15
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub expected_value: Option<i64>,
    /// YYYY-MM-DD
    pub expected_close_on: Option<String>,
    /// Percent, within an open stage
    pub probability: Option<i32>,
    pub owner: Option<String>,
    /// Replaces the products of interest when present
    pub products: Option<Vec<OpportunityProductBody>>,
    /// The version read; alternatively send If-Match with the ETag.
    pub version: Option<i64>,
}

/// Change some fields. Send `If-Match` (the ETag you read) or `version`; a stale one is 412.
#[utoipa::path(patch, path = "/api/v1/opportunities/{id}", tag = "opportunities", request_body = UpdateOpportunityBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = OpportunityBody), BadRequest, NotFound, PreconditionFailed, PreconditionRequired))]
pub async fn update_opportunity(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<UpdateOpportunityBody>,
) -> Result<Response, Problem> {
    caller.require(ACCESS)?;
    let expected_version = expected_version(&headers, body.version)?;
    let mut v = Violations::new();
    let expected_close_on = optional_date(&mut v, "expected_close_on", body.expected_close_on.as_deref());
    v.finish()?;
    let message = pb::UpdateOpportunityRequest {
        id,
        expected_version,
        title: body.title,
        expected_value: body.expected_value,
        expected_close_on,
        probability: body.probability,
        owner: body.owner,
        products: body.products.map(|items| pb::OpportunityProducts { items: product_inputs(items) }),
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let updated =
        ctx.call(&state.opportunities, message, |mut c, r| async move { c.update_opportunity(r).await }).await?;
    Ok(opportunity_response(StatusCode::OK, updated))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct StageBody {
    /// prospecting, qualified, proposal, negotiation, won, lost
    #[schema(required = true, min_length = 1)]
    pub stage: String,
    /// price, competitor, budget, timing, no_decision, other; required for lost
    pub lost_reason: String,
    /// Who won it instead, for lost
    pub competitor: String,
    pub note: String,
    /// The version read; alternatively send If-Match with the ETag.
    pub version: Option<i64>,
}

/// Move to another stage. Open stages move freely; won and lost are reopened only by a sales
/// manager or a director (409 otherwise). The same stage again changes nothing.
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/stage", tag = "opportunities", request_body = StageBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = OpportunityBody), BadRequest, NotFound, Conflict, PreconditionFailed,
        PreconditionRequired))]
pub async fn change_stage(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<StageBody>,
) -> Result<Response, Problem> {
    caller.require(ACCESS)?;
    let expected_version = expected_version(&headers, body.version)?;
    let message = pb::ChangeStageRequest {
        id,
        expected_version,
        stage: body.stage,
        lost_reason: body.lost_reason,
        competitor: body.competitor,
        note: body.note,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let moved = ctx.call(&state.opportunities, message, |mut c, r| async move { c.change_stage(r).await }).await?;
    Ok(opportunity_response(StatusCode::OK, moved))
}

/// Every stage the opportunity took, oldest first.
#[utoipa::path(get, path = "/api/v1/opportunities/{id}/history", tag = "opportunities", params(("id" = i64, Path)),
    responses((status = 200, body = ListBody<StageChangeBody>), NotFound))]
pub async fn opportunity_history(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<ListBody<StageChangeBody>>, Problem> {
    caller.require(ACCESS)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::OpportunityHistoryRequest { id };
    let history =
        ctx.call(&state.opportunities, message, |mut c, r| async move { c.opportunity_history(r).await }).await?;
    let items = history.changes.into_iter().map(StageChangeBody::from).collect();
    Ok(axum::Json(ListBody::new(items, String::new())))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct OpportunityQuery {
    /// Matches title, customer code or name, competitor, ignoring case and diacritics.
    pub q: Option<String>,
    pub stage: Option<String>,
    pub owner: Option<String>,
    /// HN, HCM or DL
    pub office: Option<String>,
    pub customer_id: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
    /// json (default) or csv (every match, up to 10 000)
    pub format: Option<String>,
}

/// Opportunities, filtered and searched; sales staff see their own office's. `format=csv` downloads them.
#[utoipa::path(get, path = "/api/v1/opportunities", tag = "opportunities", params(OpportunityQuery),
    responses((status = 200, description = "The list; with `format=csv`, a CSV download (UTF-8 with BOM, for Excel)",
        content((ListBody<OpportunityBody> = "application/json"), (String = "text/csv"))),
        BadRequest))]
pub async fn list_opportunities(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<OpportunityQuery>,
) -> Result<Response, Problem> {
    caller.require(ACCESS)?;
    let csv = match query.format.as_deref().map(str::trim) {
        None | Some("" | "json") => false,
        Some("csv") => true,
        Some(_) => return Err(Problem::field("format", "must be json or csv")),
    };
    let message = pb::ListOpportunitiesRequest {
        q: query.q.unwrap_or_default(),
        stage: query.stage.unwrap_or_default(),
        owner: query.owner.unwrap_or_default(),
        office: query.office.as_deref().map(office_from_text).unwrap_or(0),
        customer_id: optional_id("customer_id", query.customer_id.as_deref())?,
        page: page(if csv { Some("500") } else { query.limit.as_deref() }, query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    if csv {
        return sheet::download(&ctx, message).await;
    }
    let page = ctx.call(&state.opportunities, message, |mut c, r| async move { c.list_opportunities(r).await }).await?;
    let items = page.items.into_iter().map(OpportunityBody::from).collect();
    Ok(axum::Json(ListBody::new(items, page.next_cursor)).into_response())
}
