//! `/api/v1/promotions`: promotion programmes (made as drafts, edited while drafts, activated,
//! ended) and what each cost and brought in; active ones apply by themselves to new quotes and to
//! orders typed without a quote. The JSON shapes are in [`bodies`].

mod bodies;

use atq_platform::caller::Action;
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::promotions_client::PromotionsClient;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use tonic::transport::Channel;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Conflict, NotFound, PreconditionFailed, PreconditionRequired};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, expected_version, page, record_response, version_if_sent};
use bodies::{PromotionBody, PromotionFieldsBody, PromotionReportBody};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_promotion, list_promotions))
        .routes(routes!(get_promotion, update_promotion))
        .routes(routes!(activate_promotion))
        .routes(routes!(end_promotion))
        .routes(routes!(promotion_report))
        .routes(routes!(promotions_report))
}

fn client(state: &AppState) -> Result<PromotionsClient<Channel>, Problem> {
    Ok(PromotionsClient::new(state.channel("sales")?))
}

fn promotion_response(status: StatusCode, promotion: pb::Promotion) -> Response {
    let (version, location) = (promotion.version, format!("/api/v1/promotions/{}", promotion.id));
    record_response(status, PromotionBody::from(promotion), version, &location)
}

/// Create a programme as a draft (sales managers: for their own office; directors: any). The
/// same `Idempotency-Key` with the same body returns the first one.
#[utoipa::path(post, path = "/api/v1/promotions", tag = "promotions", request_body = PromotionFieldsBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = PromotionBody), BadRequest))]
pub async fn create_promotion(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<PromotionFieldsBody>,
) -> Result<Response, Problem> {
    caller.require(Action::ManageSalesTeam)?;
    let message = pb::CreatePromotionRequest { promotion: Some(body.into_proto()) };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let created = ctx.call(&client(&state)?, message, |mut c, r| async move { c.create_promotion(r).await }).await?;
    Ok(promotion_response(StatusCode::CREATED, created))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct PromotionQuery {
    /// draft, active or ended
    pub status: Option<String>,
    /// YYYY-MM-DD: programmes in force that day
    pub on: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Programmes in id order; office staff see those covering their office.
#[utoipa::path(get, path = "/api/v1/promotions", tag = "promotions", params(PromotionQuery),
    responses((status = 200, body = ListBody<PromotionBody>), BadRequest))]
pub async fn list_promotions(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<PromotionQuery>,
) -> Result<axum::Json<ListBody<PromotionBody>>, Problem> {
    caller.require(Action::ReadOrders)?;
    let message = pb::ListPromotionsRequest {
        status: query.status.unwrap_or_default(),
        on: query.on.unwrap_or_default(),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let list = ctx.call(&client(&state)?, message, |mut c, r| async move { c.list_promotions(r).await }).await?;
    Ok(axum::Json(ListBody::new(list.items.into_iter().map(PromotionBody::from).collect(), list.next_cursor)))
}

/// One programme with its ETag; one not covering your office is not found.
#[utoipa::path(get, path = "/api/v1/promotions/{id}", tag = "promotions", params(("id" = i64, Path)),
    responses((status = 200, body = PromotionBody), NotFound))]
pub async fn get_promotion(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadOrders)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::GetPromotionRequest { id };
    let found = ctx.call(&client(&state)?, message, |mut c, r| async move { c.get_promotion(r).await }).await?;
    Ok(promotion_response(StatusCode::OK, found))
}

/// Replace a draft whole (an active or ended programme is 409). Send `If-Match` or `version`; a
/// stale one is 412.
#[utoipa::path(put, path = "/api/v1/promotions/{id}", tag = "promotions", request_body = PromotionFieldsBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = PromotionBody), BadRequest, NotFound, Conflict, PreconditionFailed,
        PreconditionRequired))]
pub async fn update_promotion(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<PromotionFieldsBody>,
) -> Result<Response, Problem> {
    caller.require(Action::ManageSalesTeam)?;
    let expected_version = expected_version(&headers, body.version)?;
    let message = pb::UpdatePromotionRequest { id, expected_version, promotion: Some(body.into_proto()) };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let written = ctx.call(&client(&state)?, message, |mut c, r| async move { c.update_promotion(r).await }).await?;
    Ok(promotion_response(StatusCode::OK, written))
}

/// Activate a draft: from now on it applies to new quotes and typed orders that qualify, on the
/// days of its period. Doing it again answers the programme as is.
#[utoipa::path(post, path = "/api/v1/promotions/{id}/activate", tag = "promotions",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = PromotionBody), BadRequest, NotFound, Conflict, PreconditionFailed))]
pub async fn activate_promotion(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::ManageSalesTeam)?;
    let message = pb::PromotionActionRequest { id, expected_version: version_if_sent(&headers)? };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let moved = ctx.call(&client(&state)?, message, |mut c, r| async move { c.activate_promotion(r).await }).await?;
    Ok(promotion_response(StatusCode::OK, moved))
}

/// End an active programme: it applies to nothing new; what it gave stays on the documents.
#[utoipa::path(post, path = "/api/v1/promotions/{id}/end", tag = "promotions",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = PromotionBody), BadRequest, NotFound, Conflict, PreconditionFailed))]
pub async fn end_promotion(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::ManageSalesTeam)?;
    let message = pb::PromotionActionRequest { id, expected_version: version_if_sent(&headers)? };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let moved = ctx.call(&client(&state)?, message, |mut c, r| async move { c.end_promotion(r).await }).await?;
    Ok(promotion_response(StatusCode::OK, moved))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ReportQuery {
    /// YYYY-MM-DD: the first day orders were made on
    pub from: Option<String>,
    /// YYYY-MM-DD: the last day, at most two years after from
    pub to: Option<String>,
}

async fn report(
    state: &AppState,
    caller: &atq_platform::Caller,
    query: ReportQuery,
    id: i64,
) -> Result<PromotionReportBody, Problem> {
    caller.require(Action::ReadOrders)?;
    let message = pb::PromotionReportRequest {
        from: query.from.unwrap_or_default(),
        to: query.to.unwrap_or_default(),
        promotion_id: id,
    };
    let ctx = CallContext::read(state, caller);
    let report = ctx.call(&client(state)?, message, |mut c, r| async move { c.get_promotion_report(r).await }).await?;
    Ok(PromotionReportBody::from(report))
}

/// One programme's cost and revenue by office: confirmed orders (not cancelled) made in the
/// period, the net of the lines it touched, the discount it gave and its free goods at price.
#[utoipa::path(get, path = "/api/v1/promotions/{id}/report", tag = "promotions", params(("id" = i64, Path), ReportQuery),
    responses((status = 200, body = PromotionReportBody), BadRequest, NotFound))]
pub async fn promotion_report(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<ReportQuery>,
) -> Result<axum::Json<PromotionReportBody>, Problem> {
    let ctx = CallContext::read(&state, &caller);
    ctx.call(&client(&state)?, pb::GetPromotionRequest { id }, |mut c, r| async move { c.get_promotion(r).await })
        .await?;
    Ok(axum::Json(report(&state, &caller, query, id).await?))
}

/// Every programme's cost and revenue by office over the period (office staff: their office).
#[utoipa::path(get, path = "/api/v1/reports/promotions", tag = "promotions", params(ReportQuery),
    responses((status = 200, body = PromotionReportBody), BadRequest))]
pub async fn promotions_report(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ReportQuery>,
) -> Result<axum::Json<PromotionReportBody>, Problem> {
    Ok(axum::Json(report(&state, &caller, query, 0).await?))
}
