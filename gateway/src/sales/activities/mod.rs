//! `/api/v1/activities`: visits, calls, meetings, emails, tasks and notes, planned then done or
//! cancelled. The lists (with the CSV download), the call plan of a day and the customers nobody
//! has contacted lately are in [`lists`].

mod lists;

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::sales::v1 as pb;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{expected_version, office_from_text, office_text, record_response, rfc3339};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_activity, lists::list_activities))
        .routes(routes!(lists::day_plan))
        .routes(routes!(get_activity, update_activity))
        .routes(routes!(complete_activity))
        .routes(routes!(cancel_activity))
        .routes(routes!(lists::uncontacted_customers))
}

#[derive(Serialize, ToSchema)]
pub struct ActivityBody {
    pub id: i64,
    /// visit, call, meeting, email, task or note
    pub kind: String,
    pub subject: String,
    pub customer_id: Option<i64>,
    pub customer_code: String,
    pub customer_name: String,
    pub contact_id: Option<i64>,
    pub opportunity_id: Option<i64>,
    pub owner: String,
    /// HN, HCM or DL
    pub office: String,
    /// RFC 3339, UTC
    pub planned_at: String,
    pub duration_minutes: i32,
    /// planned, done or cancelled
    pub status: String,
    /// Planned for a time already past and not done.
    pub overdue: bool,
    pub done_at: Option<String>,
    /// reached, no_answer, follow_up, not_interested, ordered or other
    pub outcome: String,
    pub notes: String,
    pub checked_in_at: Option<String>,
    /// Degrees with six decimals, "21.028511".
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    pub cancel_reason: String,
    pub created_by: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// Micro-degrees as degrees with six decimals, without going through floating point.
pub fn degrees_text(micro: i64) -> String {
    let sign = if micro < 0 { "-" } else { "" };
    format!("{sign}{}.{:06}", micro.unsigned_abs() / 1_000_000, micro.unsigned_abs() % 1_000_000)
}

/// Degrees ("21.0285", "-105.8") as micro-degrees; at most six decimals.
pub fn micro_degrees(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let shaped = !whole.is_empty()
        && whole.len() <= 3
        && fraction.len() <= 6
        && whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit());
    if !shaped {
        return Err("must be degrees like 21.028511".into());
    }
    let whole: i64 = whole.parse().map_err(|_| "must be degrees like 21.028511".to_owned())?;
    let fraction: i64 = format!("{fraction:0<6}").parse().unwrap_or(0);
    let value = whole * 1_000_000 + fraction;
    Ok(if negative { -value } else { value })
}

fn optional_time(ts: Option<&prost_types::Timestamp>) -> Option<String> {
    ts.map(|ts| rfc3339(Some(ts)))
}

impl From<pb::Activity> for ActivityBody {
    fn from(a: pb::Activity) -> Self {
        let some_id = |id: i64| (id > 0).then_some(id);
        ActivityBody {
            id: a.id,
            kind: a.kind,
            subject: a.subject,
            customer_id: some_id(a.customer_id),
            customer_code: a.customer_code,
            customer_name: a.customer_name,
            contact_id: some_id(a.contact_id),
            opportunity_id: some_id(a.opportunity_id),
            owner: a.owner,
            office: office_text(a.office),
            planned_at: rfc3339(a.planned_at.as_ref()),
            duration_minutes: a.duration_minutes,
            status: a.status,
            overdue: a.overdue,
            done_at: optional_time(a.done_at.as_ref()),
            outcome: a.outcome,
            notes: a.notes,
            checked_in_at: optional_time(a.checked_in_at.as_ref()),
            latitude: a.position.map(|p| degrees_text(p.latitude_e6)),
            longitude: a.position.map(|p| degrees_text(p.longitude_e6)),
            cancel_reason: a.cancel_reason,
            created_by: a.created_by,
            version: a.version,
            created_at: rfc3339(a.created_at.as_ref()),
            updated_at: rfc3339(a.updated_at.as_ref()),
        }
    }
}

fn activity_response(status: StatusCode, activity: pb::Activity) -> Response {
    let (version, location) = (activity.version, format!("/api/v1/activities/{}", activity.id));
    record_response(status, ActivityBody::from(activity), version, &location)
}

/// An RFC 3339 instant ("2026-12-01T09:00:00+07:00") as a protobuf timestamp.
pub fn instant(v: &mut Violations, field: &str, text: Option<&str>) -> Option<prost_types::Timestamp> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    let parsed = chrono::DateTime::parse_from_rfc3339(text)
        .map_err(|_| "must be a date and time like 2026-12-01T09:00:00+07:00".to_owned());
    v.check(field, parsed).map(|t| atq_platform::business_time::to_timestamp(t.timestamp_micros()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateActivityBody {
    /// visit, call, meeting, email, task or note
    #[schema(required = true, min_length = 1)]
    pub kind: String,
    #[schema(required = true, min_length = 1)]
    pub subject: String,
    #[schema(minimum = 0)]
    pub customer_id: i64,
    #[schema(minimum = 0)]
    pub contact_id: i64,
    #[schema(minimum = 0)]
    pub opportunity_id: i64,
    /// A username; the caller when absent. Managers and directors plan for colleagues.
    pub owner: String,
    /// HN, HCM or DL, for an activity with no customer; the owner's office when absent
    pub office: String,
    /// RFC 3339
    #[schema(required = true, value_type = String, format = DateTime)]
    pub planned_at: Option<String>,
    #[schema(required = true, minimum = 1, maximum = 1440)]
    pub duration_minutes: i32,
    pub notes: String,
}

/// The office of a colleague the caller plans for, which must be an active user.
async fn owner_office(state: &AppState, owner: &str) -> Result<Option<atq_platform::Office>, Problem> {
    Ok(crate::users::named_colleague(&state.db, "owner", owner).await?.and_then(|user| user.office))
}

/// Plan an activity. The same `Idempotency-Key` with the same body returns the first one.
#[utoipa::path(post, path = "/api/v1/activities", tag = "activities", request_body = CreateActivityBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = ActivityBody), BadRequest, Forbidden))]
pub async fn create_activity(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateActivityBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let mut v = Violations::new();
    let planned_at = instant(&mut v, "planned_at", body.planned_at.as_deref());
    v.finish()?;
    let colleague_office = owner_office(&state, &body.owner).await?;
    let office = match body.office.trim() {
        "" => colleague_office.map(|o| o.to_proto() as i32).unwrap_or(0),
        text => office_from_text(text),
    };
    let message = pb::CreateActivityRequest {
        kind: body.kind,
        subject: body.subject,
        customer_id: body.customer_id,
        contact_id: body.contact_id,
        opportunity_id: body.opportunity_id,
        owner: body.owner.trim().to_owned(),
        office,
        planned_at,
        duration_minutes: body.duration_minutes,
        notes: body.notes,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let activity = ctx.call(&state.activities, message, |mut c, r| async move { c.create_activity(r).await }).await?;
    Ok(activity_response(StatusCode::CREATED, activity))
}

/// One activity, with its ETag.
#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activities", params(("id" = i64, Path)),
    responses((status = 200, body = ActivityBody), NotFound))]
pub async fn get_activity(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCustomers)?;
    let ctx = CallContext::read(&state, &caller);
    let activity = ctx
        .call(&state.activities, pb::GetActivityRequest { id }, |mut c, r| async move { c.get_activity(r).await })
        .await?;
    Ok(activity_response(StatusCode::OK, activity))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateActivityBody {
    pub subject: Option<String>,
    /// RFC 3339: reschedules the activity
    pub planned_at: Option<String>,
    pub duration_minutes: Option<i32>,
    pub notes: Option<String>,
    pub owner: Option<String>,
    /// The version read; alternatively send If-Match with the ETag.
    pub version: Option<i64>,
}

/// Change or reschedule a planned activity. Send `If-Match` or `version`; a stale one is 412.
#[utoipa::path(patch, path = "/api/v1/activities/{id}", tag = "activities", request_body = UpdateActivityBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = ActivityBody), BadRequest, NotFound, Conflict, PreconditionFailed,
        PreconditionRequired))]
pub async fn update_activity(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<UpdateActivityBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let expected_version = expected_version(&headers, body.version)?;
    let mut v = Violations::new();
    let planned_at = instant(&mut v, "planned_at", body.planned_at.as_deref());
    v.finish()?;
    if let Some(owner) = &body.owner {
        owner_office(&state, owner).await?;
    }
    let message = pb::UpdateActivityRequest {
        id,
        expected_version,
        subject: body.subject,
        planned_at,
        duration_minutes: body.duration_minutes,
        notes: body.notes,
        owner: body.owner,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let activity = ctx.call(&state.activities, message, |mut c, r| async move { c.update_activity(r).await }).await?;
    Ok(activity_response(StatusCode::OK, activity))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CompleteActivityBody {
    /// reached, no_answer, follow_up, not_interested, ordered or other
    #[schema(required = true, min_length = 1)]
    pub outcome: String,
    pub notes: String,
    /// RFC 3339: when the salesperson checked in on a visit
    pub checked_in_at: Option<String>,
    /// Degrees, "21.028511"; with longitude
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    pub version: Option<i64>,
}

fn position(v: &mut Violations, latitude: Option<&str>, longitude: Option<&str>) -> Option<pb::ActivityPosition> {
    let blank = |t: Option<&str>| t.is_none_or(|t| t.trim().is_empty());
    match (blank(latitude), blank(longitude)) {
        (true, true) => None,
        (false, false) => {
            let latitude_e6 = v.check("latitude", micro_degrees(latitude.unwrap_or_default()));
            let longitude_e6 = v.check("longitude", micro_degrees(longitude.unwrap_or_default()));
            Some(pb::ActivityPosition { latitude_e6: latitude_e6?, longitude_e6: longitude_e6? })
        }
        (true, false) => {
            v.add("latitude", "is required with longitude");
            None
        }
        (false, true) => {
            v.add("longitude", "is required with latitude");
            None
        }
    }
}

/// Mark a planned activity done. Done twice is 409; a retry with the same `Idempotency-Key` gets
/// the first answer.
#[utoipa::path(post, path = "/api/v1/activities/{id}/complete", tag = "activities",
    request_body = CompleteActivityBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read"),
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 200, body = ActivityBody), BadRequest, NotFound, Conflict, PreconditionFailed))]
pub async fn complete_activity(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CompleteActivityBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let expected_version = crate::wire::version_if_given(&headers, body.version)?;
    let mut v = Violations::new();
    let checked_in_at = instant(&mut v, "checked_in_at", body.checked_in_at.as_deref());
    let position = position(&mut v, body.latitude.as_deref(), body.longitude.as_deref());
    v.finish()?;
    let message = pb::CompleteActivityRequest {
        id,
        expected_version,
        outcome: body.outcome,
        notes: body.notes,
        checked_in_at,
        position,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let activity = ctx.call(&state.activities, message, |mut c, r| async move { c.complete_activity(r).await }).await?;
    Ok(activity_response(StatusCode::OK, activity))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CancelActivityBody {
    #[schema(required = true, min_length = 1)]
    pub reason: String,
    pub version: Option<i64>,
}

/// Cancel a planned activity, saying why.
#[utoipa::path(post, path = "/api/v1/activities/{id}/cancel", tag = "activities", request_body = CancelActivityBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read"),
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 200, body = ActivityBody), BadRequest, NotFound, Conflict, PreconditionFailed))]
pub async fn cancel_activity(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CancelActivityBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let expected_version = crate::wire::version_if_given(&headers, body.version)?;
    let message = pb::CancelActivityRequest { id, expected_version, reason: body.reason };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let activity = ctx.call(&state.activities, message, |mut c, r| async move { c.cancel_activity(r).await }).await?;
    Ok(activity_response(StatusCode::OK, activity))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degrees_go_to_micro_degrees_and_back_exactly() {
        assert_eq!(micro_degrees("21.028511"), Ok(21_028_511));
        assert_eq!(micro_degrees("-105.8"), Ok(-105_800_000));
        assert_eq!(micro_degrees("10"), Ok(10_000_000));
        assert!(micro_degrees("21.0285111").is_err());
        assert!(micro_degrees("1e5").is_err());
        assert_eq!(degrees_text(-105_800_000), "-105.800000");
        assert_eq!(degrees_text(21_028_511), "21.028511");
    }
}
