//! The form to plan an activity (kind, subject, customer, day, time, length, notes; a manager or
//! director may name a colleague) and to reschedule a planned one.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{KINDS, local_time, today};
use crate::UiState;
use crate::page::{Chrome, PageError, html};
use crate::pages::customers::{Choice, choices};
use crate::pages::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::session::Session;
use crate::views::{Activity, Customer, ListOf};

/// What the form holds, as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActivityForm {
    csrf: String,
    idempotency_key: String,
    version: i64,
    kind: String,
    subject: String,
    customer_id: String,
    owner: String,
    date: String,
    time: String,
    duration_minutes: String,
    notes: String,
}

pub struct CustomerChoice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "activity_form.html")]
struct FormPage {
    c: Chrome,
    action: String,
    form: ActivityForm,
    kinds: Vec<Choice>,
    customers: Vec<CustomerChoice>,
    plans_for_others: bool,
    errors: FieldErrors,
    other_errors: String,
}

const FORM_FIELDS: [&str; 8] =
    ["kind", "subject", "customer_id", "owner", "planned_at", "duration_minutes", "notes", "office"];

async fn customer_choices(ui: &UiState, session: &Session, chosen: &str) -> Result<Vec<CustomerChoice>, PageError> {
    let page: ListOf<Customer> = ui.api.get(session.api_caller(), "/api/v1/customers?limit=500").await?;
    let chosen_id = chosen.trim().parse::<i64>().unwrap_or_default();
    Ok(page
        .items
        .into_iter()
        .map(|c| CustomerChoice {
            selected: c.id == chosen_id,
            value: c.id.to_string(),
            label: format!("{} — {}", c.code, c.name),
        })
        .collect())
}

async fn form_page(
    ui: &UiState,
    session: &Session,
    action: String,
    form: ActivityForm,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let t = session.texts();
    let title = if form.version == 0 { t.get("activities.new") } else { t.get("activities.edit") };
    let c = Chrome::new(session, "/activities", title.to_owned(), &action);
    let customers =
        if form.version == 0 { customer_choices(ui, session, &form.customer_id).await? } else { Vec::new() };
    let role = session.caller.role;
    Ok(html(&FormPage {
        c,
        action,
        kinds: choices(t, "activity_kind", &KINDS, &form.kind),
        customers,
        plans_for_others: !matches!(role, atq_platform::Role::SalesRep),
        other_errors: errors.others(&FORM_FIELDS),
        errors,
        form,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    customer_id: String,
    kind: String,
    date: String,
}

pub async fn new_form(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<NewQuery>,
) -> Result<Response, PageError> {
    let form = ActivityForm {
        idempotency_key: new_idempotency_key(),
        kind: if KINDS.contains(&query.kind.as_str()) { query.kind } else { "call".into() },
        customer_id: crate::pages::documents::id_filter(&query.customer_id),
        date: chrono::NaiveDate::parse_from_str(&query.date, "%Y-%m-%d").unwrap_or_else(|_| today()).to_string(),
        time: "09:00".into(),
        duration_minutes: "30".into(),
        ..Default::default()
    };
    form_page(&ui, &session, "/activities".into(), form, FieldErrors::default()).await
}

/// The day and time typed, as an instant in Vietnam's time (UTC+7 all year).
fn planned_at(form: &ActivityForm) -> String {
    let time =
        if form.time.trim().len() == 5 { format!("{}:00", form.time.trim()) } else { form.time.trim().to_owned() };
    if form.date.trim().is_empty() { String::new() } else { format!("{}T{time}+07:00", form.date.trim()) }
}

fn minutes(form: &ActivityForm) -> i64 {
    form.duration_minutes.trim().parse::<i64>().unwrap_or(0)
}

pub async fn create(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<ActivityForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let body = serde_json::json!({
        "kind": form.kind, "subject": form.subject,
        "customer_id": form.customer_id.trim().parse::<i64>().unwrap_or(0),
        "owner": form.owner, "planned_at": planned_at(&form), "duration_minutes": minutes(&form), "notes": form.notes,
    });
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/activities", &body, &headers).await {
        Ok(answer) => {
            let created: Activity = answer.json()?;
            Ok(Redirect::to(&format!("/activities/{}", created.id)).into_response())
        }
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            let form = ActivityForm { idempotency_key: new_idempotency_key(), ..form };
            form_page(&ui, &session, "/activities".into(), form, errors).await
        }
    }
}

pub async fn edit_form(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let a: Activity = ui.api.get(session.api_caller(), &format!("/api/v1/activities/{id}")).await?;
    let local = local_time(&a.planned_at);
    let form = ActivityForm {
        version: a.version,
        kind: a.kind,
        subject: a.subject,
        customer_id: a.customer_id.map(|id| id.to_string()).unwrap_or_default(),
        owner: a.owner,
        date: local.map(|l| l.date_naive().to_string()).unwrap_or_default(),
        time: local.map(|l| l.format("%H:%M").to_string()).unwrap_or_default(),
        duration_minutes: a.duration_minutes.to_string(),
        notes: a.notes,
        ..Default::default()
    };
    form_page(&ui, &session, format!("/activities/{id}"), form, FieldErrors::default()).await
}

pub async fn update(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ActivityForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let mut body = serde_json::json!({
        "subject": form.subject, "planned_at": planned_at(&form), "duration_minutes": minutes(&form),
        "notes": form.notes, "version": form.version,
    });
    if !form.owner.trim().is_empty() {
        body["owner"] = form.owner.trim().into();
    }
    let path = format!("/api/v1/activities/{id}");
    match ui.api.send(session.api_caller(), Method::PATCH, &path, &body, &[]).await {
        Ok(_) => Ok(Redirect::to(&format!("/activities/{id}")).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            form_page(&ui, &session, format!("/activities/{id}"), form, errors).await
        }
    }
}
