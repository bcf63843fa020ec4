//! Lists of requests, filtered, and a request's timeline.

use atq_platform::caller::Action;
use atq_proto::sales::v1 as pb;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ServiceRequestBody, ServiceRequestEventBody, client};
use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, optional_id, page};

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct RequestQuery {
    /// new, in_progress, waiting_customer, waiting_supplier, resolved, closed or reopened
    pub status: Option<String>,
    pub kind: Option<String>,
    /// sales, import_export or accounting
    pub department: Option<String>,
    /// A username
    pub assignee: Option<String>,
    pub customer_id: Option<String>,
    /// true: past a due time (first response or resolution); false: within both
    pub breached: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Customer requests, filtered, in the order they were recorded; sales staff see their own office's.
#[utoipa::path(get, path = "/api/v1/requests", tag = "requests", params(RequestQuery),
    responses((status = 200, body = ListBody<ServiceRequestBody>), BadRequest))]
pub async fn list_requests(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<RequestQuery>,
) -> Result<Json<ListBody<ServiceRequestBody>>, Problem> {
    caller.require(Action::ReadCustomers)?;
    let message = pb::ListServiceRequestsRequest {
        status: query.status.unwrap_or_default(),
        kind: query.kind.unwrap_or_default(),
        department: query.department.unwrap_or_default(),
        assignee: query.assignee.unwrap_or_default(),
        customer_id: optional_id("customer_id", query.customer_id.as_deref())?,
        breached: query.breached.unwrap_or_default(),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let list = ctx.call(&client(&state)?, message, |mut c, r| async move { c.list_service_requests(r).await }).await?;
    Ok(Json(ListBody::new(list.items.into_iter().map(ServiceRequestBody::from).collect(), list.next_cursor)))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct TimelineQuery {
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Every change to a request, comment and status change, in the order they happened.
#[utoipa::path(get, path = "/api/v1/requests/{id}/timeline", tag = "requests",
    params(("id" = i64, Path), TimelineQuery),
    responses((status = 200, body = ListBody<ServiceRequestEventBody>), NotFound))]
pub async fn timeline(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<TimelineQuery>,
) -> Result<Json<ListBody<ServiceRequestEventBody>>, Problem> {
    caller.require(Action::ReadCustomers)?;
    let message = pb::ListServiceRequestEventsRequest { id, page: page(query.limit.as_deref(), query.cursor)? };
    let ctx = CallContext::read(&state, &caller);
    let list =
        ctx.call(&client(&state)?, message, |mut c, r| async move { c.list_service_request_events(r).await }).await?;
    Ok(Json(ListBody::new(list.items.into_iter().map(ServiceRequestEventBody::from).collect(), list.next_cursor)))
}
