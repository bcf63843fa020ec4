//! `/api/v1/requests`: customer questions, complaints and warranty claims, each owned by a
//! department, moved through its statuses, commented on, with every change on its timeline and
//! SLA clocks counted on Vietnamese working time. The lists are in [`lists`], the SLA targets in
//! [`sla_targets`], the files kept with a request in [`files`].

mod bodies;
mod files;
mod lists;
mod sla_targets;

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_platform::{Office, Role};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::service_requests_client::ServiceRequestsClient;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tonic::transport::Channel;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use bodies::{ServiceRequestBody, ServiceRequestEventBody};

use super::activities::instant;
use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Conflict, NotFound, PreconditionFailed, PreconditionRequired};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{expected_version, record_response, version_if_sent};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_request, lists::list_requests))
        .routes(routes!(get_request, update_request))
        .routes(routes!(change_status))
        .routes(routes!(add_comment))
        .routes(routes!(lists::timeline))
        .routes(routes!(sla_targets::list_sla_targets))
        .routes(routes!(sla_targets::update_sla_target))
        .routes(routes!(files::request_files, files::attach_request_file))
        .routes(routes!(files::download_request_file))
}

/// The sales service's client for requests, on the channel every sales client shares.
pub fn client(state: &AppState) -> Result<ServiceRequestsClient<Channel>, Problem> {
    Ok(ServiceRequestsClient::new(state.channel("sales")?))
}

fn request_response(status: StatusCode, request: pb::ServiceRequest) -> Response {
    let (version, location) = (request.version, format!("/api/v1/requests/{}", request.id));
    record_response(status, ServiceRequestBody::from(request), version, &location)
}

/// The office a colleague is kept to (for the sales service to check they can see the request),
/// unspecified when they see every office; a field error when they may not handle requests.
async fn assignee_office(state: &AppState, username: &str) -> Result<i32, Problem> {
    let Some(user) = crate::users::named_colleague(&state.db, "assignee", username).await? else { return Ok(0) };
    if !user.role.may(Action::WriteRequests) {
        return Err(Problem::field("assignee", "may not handle customer requests"));
    }
    Ok(match (user.role.is_office_scoped(), user.office) {
        (true, Some(office)) => office.to_proto() as i32,
        _ => 0,
    })
}

/// The active sales managers and their offices: those of the request's office are told when its
/// SLA is breached.
async fn sales_managers(state: &AppState) -> Result<Vec<pb::Mention>, Problem> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT username, office FROM users WHERE role = $1 AND active = 1 ORDER BY username")
            .bind(Role::SalesManager.as_str())
            .fetch_all(state.db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(username, office)| {
            Office::parse(&office).ok().map(|office| pb::Mention { username, office: office.to_proto() as i32 })
        })
        .collect())
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateServiceRequestBody {
    #[schema(minimum = 1)]
    pub customer_id: i64,
    /// One of the customer's contacts
    #[schema(minimum = 0)]
    pub contact_id: i64,
    /// phone, email, visit, web, sms or fax
    pub channel: String,
    /// price, quantity, quality, warranty, discount_programme, bonus, debt, policy,
    /// contract_change, delivery or other
    pub kind: String,
    pub subject: String,
    pub description: String,
    /// References as the customer gave them (not checked)
    #[schema(minimum = 0)]
    pub order_id: i64,
    #[schema(minimum = 0)]
    pub contract_id: i64,
    #[schema(minimum = 0)]
    pub product_id: i64,
    pub serial_number: String,
    /// low, normal (default), high or urgent
    pub priority: String,
    /// sales, import_export or accounting; by default import_export for warranty and
    /// contract_change, accounting for debt, sales otherwise
    pub department: String,
    /// An active user who handles requests
    pub assignee: String,
    /// RFC 3339: when the customer asked, if earlier than now (a call noted later, a request copied
    /// from the paper files). The SLA clocks start here.
    pub received_at: Option<String>,
}

/// Record a customer request. The same `Idempotency-Key` with the same body returns the first one.
#[utoipa::path(post, path = "/api/v1/requests", tag = "requests", request_body = CreateServiceRequestBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = ServiceRequestBody), BadRequest))]
pub async fn create_request(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateServiceRequestBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteRequests)?;
    let mut v = Violations::new();
    let received_at = instant(&mut v, "received_at", body.received_at.as_deref());
    v.finish()?;
    let message = pb::CreateServiceRequestRequest {
        customer_id: body.customer_id,
        contact_id: body.contact_id,
        channel: body.channel,
        kind: body.kind,
        subject: body.subject,
        description: body.description,
        order_id: body.order_id,
        contract_id: body.contract_id,
        product_id: body.product_id,
        serial_number: body.serial_number,
        priority: body.priority,
        department: body.department,
        assignee_office: assignee_office(&state, &body.assignee).await?,
        assignee: body.assignee.trim().to_owned(),
        received_at,
        managers: sales_managers(&state).await?,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let created =
        ctx.call(&client(&state)?, message, |mut c, r| async move { c.create_service_request(r).await }).await?;
    Ok(request_response(StatusCode::CREATED, created))
}

/// One request with its SLA clocks and its ETag. Reading a request past a due time tells its
/// assignee and the office's sales managers, once.
#[utoipa::path(get, path = "/api/v1/requests/{id}", tag = "requests", params(("id" = i64, Path)),
    responses((status = 200, body = ServiceRequestBody), NotFound))]
pub async fn get_request(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCustomers)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::GetServiceRequestRequest { id };
    let found = ctx.call(&client(&state)?, message, |mut c, r| async move { c.get_service_request(r).await }).await?;
    Ok(request_response(StatusCode::OK, found))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateServiceRequestBody {
    pub subject: Option<String>,
    pub description: Option<String>,
    /// low, normal, high or urgent: moves the SLA due times
    pub priority: Option<String>,
    /// sales, import_export or accounting
    pub department: Option<String>,
    /// An active user who handles requests; empty to unassign
    pub assignee: Option<String>,
    #[schema(minimum = 0)]
    pub contact_id: Option<i64>,
    #[schema(minimum = 0)]
    pub order_id: Option<i64>,
    #[schema(minimum = 0)]
    pub contract_id: Option<i64>,
    #[schema(minimum = 0)]
    pub product_id: Option<i64>,
    pub serial_number: Option<String>,
    /// The version read; alternatively send If-Match with the ETag.
    pub version: Option<i64>,
}

/// Change, reassign or reprioritise a request; each change goes on its timeline. Send `If-Match`
/// or `version`; a stale one is 412. A closed request is 409.
#[utoipa::path(patch, path = "/api/v1/requests/{id}", tag = "requests", request_body = UpdateServiceRequestBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = ServiceRequestBody), BadRequest, NotFound, Conflict, PreconditionFailed,
        PreconditionRequired))]
pub async fn update_request(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<UpdateServiceRequestBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteRequests)?;
    let expected_version = expected_version(&headers, body.version)?;
    let assignee_office = match &body.assignee {
        Some(username) => assignee_office(&state, username).await?,
        None => 0,
    };
    let message = pb::UpdateServiceRequestRequest {
        id,
        expected_version,
        subject: body.subject,
        description: body.description,
        priority: body.priority,
        department: body.department,
        assignee: body.assignee.map(|name| name.trim().to_owned()),
        assignee_office,
        contact_id: body.contact_id,
        order_id: body.order_id,
        contract_id: body.contract_id,
        product_id: body.product_id,
        serial_number: body.serial_number,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let updated =
        ctx.call(&client(&state)?, message, |mut c, r| async move { c.update_service_request(r).await }).await?;
    Ok(request_response(StatusCode::OK, updated))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ChangeStatusBody {
    /// in_progress, waiting_customer, waiting_supplier, resolved, closed or reopened, along the
    /// allowed transitions
    pub status: String,
    pub note: String,
    /// RFC 3339: when it happened, if earlier (managers only; not before the latest entry)
    pub effective_at: Option<String>,
    pub version: Option<i64>,
}

/// Move a request to another status. Waiting for the customer pauses the resolution clock; the
/// first status change or comment by staff is the first response. A transition not allowed is 409.
#[utoipa::path(post, path = "/api/v1/requests/{id}/status", tag = "requests", request_body = ChangeStatusBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read"),
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 200, body = ServiceRequestBody), BadRequest, NotFound, Conflict, PreconditionFailed))]
pub async fn change_status(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ChangeStatusBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteRequests)?;
    let expected_version = match body.version {
        Some(version) => version,
        None => version_if_sent(&headers)?,
    };
    let mut v = Violations::new();
    let effective_at = instant(&mut v, "effective_at", body.effective_at.as_deref());
    v.finish()?;
    let message = pb::ChangeServiceRequestStatusRequest {
        id,
        expected_version,
        status: body.status,
        note: body.note,
        effective_at,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let changed =
        ctx.call(&client(&state)?, message, |mut c, r| async move { c.change_service_request_status(r).await }).await?;
    Ok(request_response(StatusCode::OK, changed))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct RequestCommentBody {
    /// Up to 4,000 characters; lines are kept
    pub body: String,
}

/// Comment on a request (its timeline). The same `Idempotency-Key` with the same body returns the
/// first one.
#[utoipa::path(post, path = "/api/v1/requests/{id}/comments", tag = "requests", request_body = RequestCommentBody,
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = ServiceRequestEventBody), BadRequest, NotFound))]
pub async fn add_comment(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<RequestCommentBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteRequests)?;
    let message = pb::AddServiceRequestCommentRequest { id, body: body.body };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let added =
        ctx.call(&client(&state)?, message, |mut c, r| async move { c.add_service_request_comment(r).await }).await?;
    let location = format!("/api/v1/requests/{id}/timeline");
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], axum::Json(ServiceRequestEventBody::from(added)))
        .into_response())
}
