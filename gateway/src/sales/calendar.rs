//! Calendars: `/api/v1/calendar` (personal, team or department view with the public holidays),
//! the caller's private subscription (`/api/v1/me/calendar`), and the subscription itself, an
//! iCalendar (RFC 5545) document at `/api/v1/calendar/feeds/{token}.ics` whose token is the only
//! credential.

use atq_platform::Caller;
use atq_platform::business_time::{date_from_proto, from_micros, timestamp_micros};
use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::sales::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::activities::ActivityBody;
use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{date_text, optional_date, rfc3339};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(calendar))
        .routes(routes!(my_calendar, revoke_my_calendar))
        .routes(routes!(rotate_my_calendar))
        .routes(routes!(calendar_feed))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct CalendarQuery {
    /// personal (default), team (your office) or department (the company; sales staff see their
    /// office)
    pub scope: Option<String>,
    /// YYYY-MM-DD, included; at most 62 days
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct HolidayBody {
    /// YYYY-MM-DD
    pub date: String,
    pub name_vi: String,
    pub name_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct CalendarBody {
    /// In time order; cancelled ones left out.
    pub activities: Vec<ActivityBody>,
    pub holidays: Vec<HolidayBody>,
}

fn holiday_body(h: pb::PublicHoliday) -> HolidayBody {
    HolidayBody { date: date_text(h.date.as_ref()).unwrap_or_default(), name_vi: h.name_vi, name_en: h.name_en }
}

/// Activities and public holidays over a date range.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "activities", params(CalendarQuery),
    responses((status = 200, body = CalendarBody), BadRequest))]
pub async fn calendar(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<CalendarQuery>,
) -> Result<axum::Json<CalendarBody>, Problem> {
    caller.require(Action::ReadCustomers)?;
    let mut v = Violations::new();
    let from = optional_date(&mut v, "from", query.from.as_deref());
    let to = optional_date(&mut v, "to", query.to.as_deref());
    v.finish()?;
    let message = pb::CalendarRequest { scope: query.scope.unwrap_or_default(), from, to };
    let ctx = CallContext::read(&state, &caller);
    let view = ctx.call(&state.activities, message, |mut c, r| async move { c.get_calendar(r).await }).await?;
    Ok(axum::Json(CalendarBody {
        activities: view.activities.into_iter().map(ActivityBody::from).collect(),
        holidays: view.holidays.into_iter().map(holiday_body).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct MyCalendarBody {
    /// The private address to subscribe to. Only the token's hash is kept, so it is given only
    /// when issued (the first time, or on rotate); null afterwards.
    pub url: Option<String>,
    pub created_at: String,
}

/// The address this request reached the gateway by (a proxy in front sets X-Forwarded-*).
fn feed_url(headers: &HeaderMap, token: &str) -> Option<String> {
    if token.is_empty() {
        return None;
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
    let host = text("x-forwarded-host").or_else(|| text(header::HOST.as_str())).unwrap_or("localhost");
    let scheme = text("x-forwarded-proto").unwrap_or("http");
    Some(format!("{scheme}://{host}/api/v1/calendar/feeds/{token}.ics"))
}

fn my_calendar_body(headers: &HeaderMap, feed: pb::CalendarFeed) -> axum::Json<MyCalendarBody> {
    axum::Json(MyCalendarBody { url: feed_url(headers, &feed.token), created_at: rfc3339(feed.created_at.as_ref()) })
}

/// The caller's private calendar subscription; one is issued when there is none.
#[utoipa::path(get, path = "/api/v1/me/calendar", tag = "activities",
    responses((status = 200, body = MyCalendarBody)))]
pub async fn my_calendar(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
) -> Result<axum::Json<MyCalendarBody>, Problem> {
    caller.require(Action::ReadCustomers)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::GetMyCalendarFeedRequest {};
    let feed =
        ctx.call(&state.calendar_feeds, message, |mut c, r| async move { c.get_my_calendar_feed(r).await }).await?;
    Ok(my_calendar_body(&headers, feed))
}

/// A new private address; the old one stops working at once.
#[utoipa::path(post, path = "/api/v1/me/calendar/rotate", tag = "activities",
    responses((status = 200, body = MyCalendarBody)))]
pub async fn rotate_my_calendar(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
) -> Result<axum::Json<MyCalendarBody>, Problem> {
    caller.require(Action::ReadCustomers)?;
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let message = pb::RotateCalendarFeedRequest {};
    let feed =
        ctx.call(&state.calendar_feeds, message, |mut c, r| async move { c.rotate_calendar_feed(r).await }).await?;
    Ok(my_calendar_body(&headers, feed))
}

/// Stop the private address; 204 whether or not there was one.
#[utoipa::path(delete, path = "/api/v1/me/calendar", tag = "activities", responses((status = 204)))]
pub async fn revoke_my_calendar(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
) -> Result<StatusCode, Problem> {
    caller.require(Action::ReadCustomers)?;
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let message = pb::RevokeCalendarFeedRequest {};
    ctx.call(&state.calendar_feeds, message, |mut c, r| async move { c.revoke_calendar_feed(r).await }).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The subscription: the owner's activities from 60 days back to 180 ahead and the public
/// holidays, as iCalendar. No sign-in: the token in the address is the credential; an unknown or
/// revoked one is 404.
#[utoipa::path(get, path = "/api/v1/calendar/feeds/{file}", tag = "activities", security(()),
    params(("file" = String, Path, description = "the token followed by .ics")),
    responses((status = 200, content_type = "text/calendar", body = String), NotFound))]
pub async fn calendar_feed(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response, Problem> {
    let not_found = || Problem::from(atq_platform::Error::NotFound("calendar feed".into()));
    let token = file.strip_suffix(".ics").ok_or_else(not_found)?;
    let gateway = Caller::service("gateway");
    let ctx = CallContext::read(&state, &gateway);
    let message = pb::CalendarFeedByTokenRequest { token: token.to_owned(), from: None, to: None };
    let events =
        ctx.call(&state.calendar_feeds, message, |mut c, r| async move { c.calendar_feed_by_token(r).await }).await?;
    // A feed ends with its owner's account.
    match crate::users::find_active(&state.db, &events.username).await {
        Ok(Some(_)) => {}
        Ok(None) => return Err(not_found()),
        Err(error) => return Err(Problem::from(atq_platform::Error::from(error))),
    }
    let headers =
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CACHE_CONTROL, "private, max-age=300")];
    Ok((headers, ics_document(&events)).into_response())
}

/// The feed as RFC 5545 text: activities at their UTC times, holidays as all-day events. UIDs
/// stay the same from one download to the next, so calendars update events instead of doubling.
pub fn ics_document(events: &pb::CalendarFeedEvents) -> String {
    let mut calendar = Calendar::new();
    calendar.name(&format!("ATQ – {}", events.username));
    for activity in &events.activities {
        calendar.push(activity_event(activity));
    }
    for holiday in &events.holidays {
        let Some(date) = holiday.date.as_ref().and_then(|d| date_from_proto(d).ok()) else { continue };
        let event = Event::new()
            .uid(&format!("holiday-{date}@atq"))
            .summary(&format!("{} ({})", holiday.name_vi, holiday.name_en))
            .all_day(date)
            .done();
        calendar.push(event);
    }
    calendar.done().to_string()
}

fn activity_event(activity: &pb::Activity) -> Event {
    let start = from_micros(activity.planned_at.as_ref().map(timestamp_micros).unwrap_or_default());
    let end = start + chrono::TimeDelta::minutes(i64::from(activity.duration_minutes));
    let mut summary = format!("[{}] {}", activity.kind, activity.subject);
    if !activity.customer_name.is_empty() {
        summary.push_str(&format!(" – {}", activity.customer_name));
    }
    let mut event = Event::new();
    event.uid(&format!("activity-{}@atq", activity.id)).summary(&summary).starts(start).ends(end);
    let mut description = activity.notes.clone();
    if !activity.outcome.is_empty() {
        description = format!("{}: {}\n{description}", activity.status, activity.outcome);
    }
    if !description.trim().is_empty() {
        event.description(description.trim());
    }
    event.status(if activity.status == "done" { EventStatus::Confirmed } else { EventStatus::Tentative });
    event.done()
}
