//! Customer requests: the list with SLA badges and filters in the query string, one request with
//! its clocks, timeline, files, comment box and status change, the form that records a new one
//! (`requests_form.rs`), the files (`requests_files.rs`) and the SLA targets (`requests_sla.rs`).

use askama::Template;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;

use super::requests_files::{self, FileRow, RequestFile};
use super::{requests_form, requests_sla};
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::customers::{Choice, choices};
use crate::pages::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::session::Session;
use crate::views::ListOf;

pub const STATUSES: [&str; 7] =
    ["new", "in_progress", "waiting_customer", "waiting_supplier", "resolved", "closed", "reopened"];
pub const DEPARTMENTS: [&str; 3] = ["sales", "import_export", "accounting"];

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/requests", get(list))
        .route("/requests/new", get(requests_form::new_form).post(requests_form::create))
        .route("/requests/sla-targets", get(requests_sla::show))
        .route("/requests/sla-targets/{kind}/{priority}", post(requests_sla::save))
        .route(
            "/requests/{id}/files",
            post(requests_files::upload).layer(DefaultBodyLimit::max(super::contracts::MAX_UPLOAD_BYTES)),
        )
        .route("/requests/{id}/files/{file_id}", get(requests_files::download))
        .route("/requests/{id}", get(show))
        .route("/requests/{id}/status", post(change_status))
        .route("/requests/{id}/comments", post(comment))
}

/// One SLA clock as the API sends it.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SlaClock {
    pub due_at: Option<String>,
    pub minutes_left: i64,
    pub breached: bool,
}

/// A request as the API sends it (the fields the pages show).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ServiceRequest {
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub channel: String,
    pub kind: String,
    pub subject: String,
    pub description: String,
    pub serial_number: String,
    pub priority: String,
    pub department: String,
    pub assignee: String,
    pub status: String,
    pub received_at: String,
    pub first_response_at: Option<String>,
    pub first_response: Option<SlaClock>,
    pub resolution: Option<SlaClock>,
    pub sla_paused: bool,
    pub version: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Event {
    kind: String,
    field: String,
    from_value: String,
    to_value: String,
    body: String,
    actor: String,
    at: String,
}

/// An SLA clock as a badge: its text and its colour class (`ok`, `danger` or none).
pub struct Badge {
    pub text: String,
    pub class: &'static str,
    pub due: String,
}

/// Working minutes as hours and minutes, "2h05".
fn duration(minutes: i64) -> String {
    format!("{}h{:02}", minutes.abs() / 60, minutes.abs() % 60)
}

/// `met`: the clock stopped in time (answered, or resolved).
pub fn badge(clock: Option<&SlaClock>, paused: bool, met: bool, t: Texts) -> Badge {
    let clock = clock.cloned().unwrap_or_default();
    let due = clock.due_at.as_deref().map(|due| format::time(due, t.lang)).unwrap_or_default();
    if clock.breached {
        Badge { text: format!("{} {}", t.get("requests.overdue"), duration(clock.minutes_left)), class: "danger", due }
    } else if met {
        Badge { text: t.get("requests.met").to_owned(), class: "ok", due }
    } else if paused {
        Badge { text: t.get("requests.paused").to_owned(), class: "", due }
    } else {
        Badge { text: format!("{} {}", t.get("requests.left"), duration(clock.minutes_left)), class: "ok", due }
    }
}

pub struct RequestRow {
    pub id: i64,
    pub number: String,
    pub customer_name: String,
    pub subject: String,
    pub kind: String,
    pub priority: String,
    pub department: String,
    pub assignee: String,
    pub status: String,
    pub first_response: Badge,
    pub resolution: Badge,
}

/// The two badges of a request: first response, then resolution.
fn badges(r: &ServiceRequest, t: Texts) -> (Badge, Badge) {
    let resolved = matches!(r.status.as_str(), "resolved" | "closed");
    (
        badge(r.first_response.as_ref(), false, r.first_response_at.is_some(), t),
        badge(r.resolution.as_ref(), r.sla_paused, resolved, t),
    )
}

fn row(r: &ServiceRequest, t: Texts) -> RequestRow {
    let (first_response, resolution) = badges(r, t);
    RequestRow {
        id: r.id,
        number: r.number.clone(),
        customer_name: r.customer_name.clone(),
        subject: r.subject.clone(),
        kind: t.word("request_kind", &r.kind),
        priority: t.word("priority", &r.priority),
        department: t.word("department", &r.department),
        assignee: r.assignee.clone(),
        status: t.word("request_status", &r.status),
        first_response,
        resolution,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    status: String,
    department: String,
    breached: String,
    cursor: String,
}

#[derive(Template)]
#[template(path = "requests.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<RequestRow>,
    statuses: Vec<Choice>,
    departments: Vec<Choice>,
    breached: bool,
    next_page: String,
    may_set_targets: bool,
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let breached = if query.breached == "true" { "true" } else { "" };
    let filters = [("status", query.status.as_str()), ("department", &query.department), ("breached", breached)];
    let set: Vec<(&str, &str)> = filters.iter().copied().filter(|(_, v)| !v.is_empty()).collect();
    let mut params = set.clone();
    if !query.cursor.is_empty() {
        params.push(("cursor", &query.cursor));
    }
    let path = format!("/api/v1/requests?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    let page: ListOf<ServiceRequest> = ui.api.get(session.api_caller(), &path).await?;
    let next_page = if page.next_cursor.is_empty() {
        String::new()
    } else {
        let mut next = set;
        next.push(("cursor", &page.next_cursor));
        format!("/requests?{}", serde_urlencoded::to_string(&next).unwrap_or_default())
    };
    let c = Chrome::new(&session, "/requests", t.get("requests.title").to_owned(), "/requests");
    Ok(html(&ListPage {
        rows: page.items.iter().map(|r| row(r, t)).collect(),
        statuses: choices(t, "request_status", &STATUSES, &query.status),
        departments: choices(t, "department", &DEPARTMENTS, &query.department),
        breached: !breached.is_empty(),
        next_page,
        may_set_targets: session.caller.role.may(atq_platform::caller::Action::WriteCalendars),
        c,
    }))
}

pub struct EventRow {
    pub at: String,
    pub actor: String,
    pub what: String,
    pub body: String,
}

fn event_row(e: &Event, t: Texts) -> EventRow {
    let what = match e.kind.as_str() {
        "status" => format!(
            "{}: {} → {}",
            t.get("requests.event_status"),
            t.word("request_status", &e.from_value),
            t.word("request_status", &e.to_value)
        ),
        "department" => format!(
            "{}: {} → {}",
            t.get("requests.department"),
            t.word("department", &e.from_value),
            t.word("department", &e.to_value)
        ),
        "created" | "comment" | "file" => t.word("request_event", &e.kind),
        _ => format!("{} {}: {} → {}", t.word("request_event", &e.kind), e.field, e.from_value, e.to_value),
    };
    EventRow { at: format::time(&e.at, t.lang), actor: e.actor.clone(), what, body: e.body.clone() }
}

#[derive(Template)]
#[template(path = "request.html")]
struct ShowPage {
    c: Chrome,
    request: ServiceRequest,
    kind: String,
    status: String,
    received_at: String,
    first_response: Badge,
    resolution: Badge,
    events: Vec<EventRow>,
    next_statuses: Vec<Choice>,
    errors: FieldErrors,
    idempotency_key: String,
    files: Vec<FileRow>,
    file_error: String,
    may_upload: bool,
}

/// The statuses a request may move to from `status` (the API refuses the others).
fn next_statuses(status: &str) -> &'static [&'static str] {
    match status {
        "new" | "reopened" => &["in_progress", "waiting_customer", "waiting_supplier", "resolved"],
        "in_progress" => &["waiting_customer", "waiting_supplier", "resolved"],
        "waiting_customer" => &["in_progress", "waiting_supplier", "resolved"],
        "waiting_supplier" => &["in_progress", "waiting_customer", "resolved"],
        "resolved" => &["closed", "reopened"],
        _ => &["reopened"],
    }
}

/// The request's page; `file_error` is why an upload was refused, shown by the upload form.
pub async fn show_page(
    ui: &UiState,
    session: &Session,
    id: i64,
    errors: FieldErrors,
    file_error: String,
) -> Result<Response, PageError> {
    let t = session.texts();
    let request: ServiceRequest = ui.api.get(session.api_caller(), &format!("/api/v1/requests/{id}")).await?;
    let events: ListOf<Event> =
        ui.api.get(session.api_caller(), &format!("/api/v1/requests/{id}/timeline?limit=500")).await?;
    let files: Vec<RequestFile> = ui.api.get(session.api_caller(), &format!("/api/v1/requests/{id}/files")).await?;
    let title = format!("{} {}", t.get("requests.one"), request.number);
    let (first_response, resolution) = badges(&request, t);
    Ok(html(&ShowPage {
        c: Chrome::new(session, "/requests", title, &format!("/requests/{id}")),
        kind: t.word("request_kind", &request.kind),
        status: t.word("request_status", &request.status),
        received_at: format::time(&request.received_at, t.lang),
        first_response,
        resolution,
        events: events.items.iter().map(|e| event_row(e, t)).collect(),
        next_statuses: choices(t, "request_status", next_statuses(&request.status), ""),
        errors,
        idempotency_key: new_idempotency_key(),
        files: files.into_iter().map(|f| requests_files::file_row(id, f, t)).collect(),
        file_error,
        may_upload: session.caller.role.may(atq_platform::caller::Action::WriteRequests),
        request,
    }))
}

async fn show(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    show_page(&ui, &session, id, FieldErrors::default(), String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActionForm {
    csrf: String,
    idempotency_key: String,
    status: String,
    note: String,
    body: String,
    version: String,
}

/// Sends one action of the detail page; back to the request, with the refusal shown if refused.
async fn act(
    ui: &UiState,
    session: &Session,
    id: i64,
    path: &str,
    body: serde_json::Value,
    key: &str,
) -> Result<Response, PageError> {
    let mut headers = vec![("idempotency-key", key.to_owned())];
    headers.retain(|(_, value)| !value.is_empty());
    match ui.api.send(session.api_caller(), Method::POST, path, &body, &headers).await {
        Ok(_) => Ok(Redirect::to(&format!("/requests/{id}")).into_response()),
        Err(problem) => {
            show_page(ui, session, id, FieldErrors::from_problem(problem, session.texts())?, String::new()).await
        }
    }
}

async fn change_status(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let mut body = serde_json::json!({"status": form.status.trim(), "note": form.note});
    if let Ok(version) = form.version.trim().parse::<i64>() {
        body["version"] = version.into();
    }
    act(&ui, &session, id, &format!("/api/v1/requests/{id}/status"), body, &form.idempotency_key).await
}

async fn comment(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let body = serde_json::json!({"body": form.body});
    act(&ui, &session, id, &format!("/api/v1/requests/{id}/comments"), body, &form.idempotency_key).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn a_clock_shows_as_time_left_overdue_or_paused() {
        let t = Texts::new(Lang::En);
        let late = SlaClock { due_at: None, minutes_left: -125, breached: true };
        assert_eq!(badge(Some(&late), false, true, t).class, "danger", "late stays late once answered");
        assert!(badge(Some(&late), false, false, t).text.ends_with("2h05"));
        let running = SlaClock { due_at: None, minutes_left: 45, breached: false };
        assert_eq!(
            (badge(Some(&running), false, false, t).class, badge(Some(&running), true, false, t).class),
            ("ok", "")
        );
        assert_eq!(badge(Some(&running), false, true, t).text, "Met");
        assert_eq!(next_statuses("resolved"), ["closed", "reopened"]);
    }
}
