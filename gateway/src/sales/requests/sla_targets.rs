//! `/api/v1/requests/sla-targets`: the first-response and resolution targets per kind and
//! priority, in working minutes. Everyone signed in reads them; administrators and directors
//! change one row at a time (If-Match or `version`), each change kept with who made it. A request
//! keeps the targets it was opened with.

use atq_platform::caller::Action;
use atq_proto::sales::v1 as pb;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::client;
use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, NotFound, PreconditionFailed, PreconditionRequired};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{expected_version, record_response, rfc3339};

#[derive(Serialize, ToSchema)]
pub struct SlaTargetBody {
    /// price, quantity, quality, warranty, discount_programme, bonus, debt, policy,
    /// contract_change, delivery or other
    pub kind: String,
    /// low, normal, high or urgent
    pub priority: String,
    /// Working minutes to the first answer to the customer
    pub first_response_minutes: i64,
    /// Working minutes to resolve (the clock pauses while waiting for the customer)
    pub resolution_minutes: i64,
    /// Send it back as If-Match (or `version`) to change the row
    pub version: i64,
    /// Who changed the row last; empty while the seeded value stands
    pub updated_by: String,
    pub updated_at: Option<String>,
    pub href: String,
}

impl From<pb::SlaTarget> for SlaTargetBody {
    fn from(t: pb::SlaTarget) -> Self {
        SlaTargetBody {
            href: format!("/api/v1/requests/sla-targets/{}/{}", t.kind, t.priority),
            updated_at: t.updated_at.as_ref().map(|at| rfc3339(Some(at))),
            kind: t.kind,
            priority: t.priority,
            first_response_minutes: t.first_response_minutes,
            resolution_minutes: t.resolution_minutes,
            version: t.version,
            updated_by: t.updated_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SlaTargetsBody {
    /// Every kind and priority, kinds then priorities in the order listed above
    pub items: Vec<SlaTargetBody>,
}

/// The SLA targets of every kind and priority.
#[utoipa::path(get, path = "/api/v1/requests/sla-targets", tag = "requests",
    responses((status = 200, body = SlaTargetsBody)))]
pub async fn list_sla_targets(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> Result<Json<SlaTargetsBody>, Problem> {
    let ctx = CallContext::read(&state, &caller);
    let found = ctx
        .call(&client(&state)?, pb::ListSlaTargetsRequest {}, |mut c, r| async move { c.list_sla_targets(r).await })
        .await?;
    Ok(Json(SlaTargetsBody { items: found.items.into_iter().map(SlaTargetBody::from).collect() }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateSlaTargetBody {
    /// 1 to 28,800 working minutes (60 working days)
    #[schema(minimum = 1, maximum = 28800)]
    pub first_response_minutes: i64,
    /// 1 to 28,800 working minutes, not shorter than the first response
    #[schema(minimum = 1, maximum = 28800)]
    pub resolution_minutes: i64,
    /// The version read; alternatively send If-Match with the ETag.
    pub version: Option<i64>,
}

/// Change both targets of one kind and priority (administrators and directors). Requests opened
/// from now on take the new targets; those already opened keep theirs. Send `If-Match` or
/// `version`; a stale one is 412.
#[utoipa::path(put, path = "/api/v1/requests/sla-targets/{kind}/{priority}", tag = "requests",
    request_body = UpdateSlaTargetBody,
    params(("kind" = String, Path), ("priority" = String, Path),
        ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = SlaTargetBody), BadRequest, NotFound, PreconditionFailed, PreconditionRequired))]
pub async fn update_sla_target(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path((kind, priority)): Path<(String, String)>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<UpdateSlaTargetBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCalendars)?;
    let expected_version = expected_version(&headers, body.version)?;
    let message = pb::UpdateSlaTargetRequest {
        kind,
        priority,
        expected_version,
        first_response_minutes: body.first_response_minutes,
        resolution_minutes: body.resolution_minutes,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let updated = ctx.call(&client(&state)?, message, |mut c, r| async move { c.update_sla_target(r).await }).await?;
    let (version, location) =
        (updated.version, format!("/api/v1/requests/sla-targets/{}/{}", updated.kind, updated.priority));
    Ok(record_response(StatusCode::OK, SlaTargetBody::from(updated), version, &location))
}
