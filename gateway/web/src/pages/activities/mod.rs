//! Activities: "my day" (the call plan of a day with what is done, the overdue ones, and the
//! customers nobody has contacted lately), an activity's record with the forms to complete it
//! (outcome, notes, check-in and position) or cancel it, and the form to plan or reschedule one.
//! The calendar's week view and the private subscription live in [`calendar`].

mod calendar;
mod form;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use serde::Deserialize;

use super::customers::{Choice, choices};
use super::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::{Activity, DayPlan, ListOf, UncontactedCustomer};

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/activities", get(my_day).post(form::create))
        .route("/activities/new", get(form::new_form))
        .route("/activities/{id}", get(show).post(form::update))
        .route("/activities/{id}/edit", get(form::edit_form))
        .route("/activities/{id}/complete", post(complete))
        .route("/activities/{id}/cancel", post(cancel))
        .merge(calendar::router())
}

pub const KINDS: [&str; 6] = ["visit", "call", "meeting", "email", "task", "note"];
pub const OUTCOMES: [&str; 6] = ["reached", "no_answer", "follow_up", "not_interested", "ordered", "other"];
/// How long without contact before a customer is named on "my day", unless the page asks.
const DEFAULT_UNCONTACTED_DAYS: u32 = 30;

/// An activity as a line of a list or a calendar day.
pub struct ActivityLine {
    pub id: i64,
    pub date: String,
    pub time: String,
    pub kind: String,
    pub subject: String,
    pub customer: String,
    pub owner: String,
    pub minutes: i32,
    pub status: String,
    pub done: bool,
    pub overdue: bool,
}

impl ActivityLine {
    pub fn of(a: Activity, t: Texts) -> ActivityLine {
        let local = local_time(&a.planned_at);
        ActivityLine {
            id: a.id,
            date: format::date(&local.map(|l| l.date_naive().to_string()).unwrap_or_default(), t.lang),
            time: local.map(|l| l.format("%H:%M").to_string()).unwrap_or_default(),
            kind: t.word("activity_kind", &a.kind),
            subject: a.subject,
            customer: a.customer_name,
            owner: a.owner,
            minutes: a.duration_minutes,
            done: a.status == "done",
            status: t.word("activity_status", &a.status),
            overdue: a.overdue,
        }
    }
}

/// An RFC 3339 instant in Vietnam's time.
pub fn local_time(rfc3339: &str) -> Option<chrono::DateTime<atq_platform::business_time::Tz>> {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|t| t.with_timezone(&atq_platform::business_time::BUSINESS_TZ))
}

pub fn today() -> NaiveDate {
    atq_platform::business_time::local_date(atq_platform::business_time::now_micros())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DayQuery {
    date: String,
    days: String,
}

pub struct QuietCustomer {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub assigned_to: String,
    pub last_contact: String,
}

#[derive(Template)]
#[template(path = "activities.html")]
struct DayPage {
    c: Chrome,
    date: String,
    day_title: String,
    previous_day: String,
    next_day: String,
    plan: Vec<ActivityLine>,
    done_count: i32,
    open_count: i32,
    overdue: Vec<ActivityLine>,
    quiet: Vec<QuietCustomer>,
    days: u32,
    may_write: bool,
}

async fn my_day(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<DayQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let date = NaiveDate::parse_from_str(query.date.trim(), "%Y-%m-%d").unwrap_or_else(|_| today());
    let days =
        query.days.trim().parse::<u32>().ok().filter(|d| (1..=3650).contains(d)).unwrap_or(DEFAULT_UNCONTACTED_DAYS);
    let caller = session.api_caller();
    let plan: DayPlan = ui.api.get(caller, &format!("/api/v1/activities/plan?date={date}")).await?;
    let me = serde_urlencoded::to_string([("owner", session.caller.username.as_str())]).unwrap_or_default();
    let overdue: ListOf<Activity> =
        ui.api.get(session.api_caller(), &format!("/api/v1/activities?status=overdue&limit=100&{me}")).await?;
    let quiet: ListOf<UncontactedCustomer> =
        ui.api.get(session.api_caller(), &format!("/api/v1/reports/uncontacted-customers?days={days}")).await?;
    let quiet = quiet
        .items
        .into_iter()
        .take(50)
        .map(|q| QuietCustomer {
            id: q.customer_id,
            code: q.code,
            name: q.name,
            assigned_to: q.assigned_to,
            last_contact: q
                .last_done_at
                .map(|d| format::time(&d, t.lang))
                .unwrap_or_else(|| t.get("activities.never").to_owned()),
        })
        .collect();
    let c = Chrome::new(&session, "/activities", t.get("activities.title").to_owned(), "/activities");
    Ok(html(&DayPage {
        c,
        date: date.to_string(),
        day_title: format::date(&date.to_string(), t.lang),
        previous_day: (date - chrono::Days::new(1)).to_string(),
        next_day: (date + chrono::Days::new(1)).to_string(),
        done_count: plan.done_count,
        open_count: plan.open_count,
        plan: plan.items.into_iter().map(|a| ActivityLine::of(a, t)).collect(),
        overdue: overdue.items.into_iter().map(|a| ActivityLine::of(a, t)).collect(),
        quiet,
        days,
        may_write: session.caller.role.may(atq_platform::caller::Action::WriteCustomers),
    }))
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ShowPage {
    c: Chrome,
    activity: Activity,
    line: ActivityLine,
    outcome: String,
    done_at: String,
    checked_in_at: String,
    opened_at: String,
    outcomes: Vec<Choice>,
    errors: FieldErrors,
    other_errors: String,
    may_write: bool,
}

async fn show_page(ui: &UiState, session: &Session, id: i64, errors: FieldErrors) -> Result<Response, PageError> {
    let t = session.texts();
    let activity: Activity = ui.api.get(session.api_caller(), &format!("/api/v1/activities/{id}")).await?;
    let when = |time: &Option<String>| time.as_deref().map(|d| format::time(d, t.lang)).unwrap_or_default();
    let c = Chrome::new(session, "/activities", activity.subject.clone(), &format!("/activities/{id}"));
    Ok(html(&ShowPage {
        c,
        outcome: if activity.outcome.is_empty() {
            String::new()
        } else {
            t.word("activity_outcome", &activity.outcome)
        },
        done_at: when(&activity.done_at),
        checked_in_at: when(&activity.checked_in_at),
        opened_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        line: ActivityLine::of(activity.clone(), t),
        outcomes: choices(t, "activity_outcome", &OUTCOMES, "reached"),
        other_errors: errors.others(&["outcome", "notes", "latitude", "longitude", "reason"]),
        errors,
        activity,
        may_write: session.caller.role.may(atq_platform::caller::Action::WriteCustomers),
    }))
}

async fn show(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    show_page(&ui, &session, id, FieldErrors::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CompleteForm {
    csrf: String,
    idempotency_key: String,
    version: i64,
    outcome: String,
    notes: String,
    check_in: String,
    /// When the form was opened: the check-in time, the same however often the form is sent.
    opened_at: String,
    latitude: String,
    longitude: String,
}

async fn complete(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<CompleteForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let mut body = serde_json::json!({"outcome": form.outcome, "notes": form.notes, "version": form.version});
    if !form.check_in.is_empty() {
        let opened = chrono::DateTime::parse_from_rfc3339(form.opened_at.trim()).map(|t| t.to_rfc3339());
        body["checked_in_at"] = opened.unwrap_or_else(|_| chrono::Utc::now().to_rfc3339()).into();
    }
    for (field, value) in [("latitude", &form.latitude), ("longitude", &form.longitude)] {
        if !value.trim().is_empty() {
            body[field] = value.trim().into();
        }
    }
    let key = if form.idempotency_key.is_empty() { new_idempotency_key() } else { form.idempotency_key.clone() };
    let path = format!("/api/v1/activities/{id}/complete");
    answer(
        &ui,
        &session,
        id,
        ui.api.send(session.api_caller(), Method::POST, &path, &body, &[("idempotency-key", key)]).await,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CancelForm {
    csrf: String,
    version: i64,
    reason: String,
}

async fn cancel(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<CancelForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let body = serde_json::json!({"reason": form.reason, "version": form.version});
    let path = format!("/api/v1/activities/{id}/cancel");
    answer(&ui, &session, id, ui.api.send(session.api_caller(), Method::POST, &path, &body, &[]).await).await
}

/// Back to the record when the API took the change; the record with the errors when it did not.
async fn answer(
    ui: &UiState,
    session: &Session,
    id: i64,
    outcome: Result<crate::api::Answer, crate::api::ApiProblem>,
) -> Result<Response, PageError> {
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/activities/{id}")).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            show_page(ui, session, id, errors).await
        }
    }
}
