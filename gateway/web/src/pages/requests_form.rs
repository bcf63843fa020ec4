//! Recording a customer request: customer (by id, or from the customer's page), channel, kind,
//! subject, description, priority, department (by default the kind's), assignee and the serial
//! number it is about. A refused form comes back with each field's error beside it.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use serde::Deserialize;

use super::requests::{DEPARTMENTS, ServiceRequest};
use crate::UiState;
use crate::page::{Chrome, PageError, html};
use crate::pages::customers::{Choice, choices};
use crate::pages::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::session::Session;

pub const CHANNELS: [&str; 6] = ["phone", "email", "visit", "web", "sms", "fax"];
pub const KINDS: [&str; 11] = [
    "price",
    "quantity",
    "quality",
    "warranty",
    "discount_programme",
    "bonus",
    "debt",
    "policy",
    "contract_change",
    "delivery",
    "other",
];
pub const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];
const SHOWN: [&str; 9] =
    ["customer_id", "channel", "kind", "subject", "description", "priority", "department", "assignee", "serial_number"];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RequestForm {
    csrf: String,
    idempotency_key: String,
    customer_id: String,
    channel: String,
    kind: String,
    subject: String,
    description: String,
    priority: String,
    department: String,
    assignee: String,
    serial_number: String,
}

#[derive(Template)]
#[template(path = "request_form.html")]
struct FormPage {
    c: Chrome,
    form: RequestForm,
    channels: Vec<Choice>,
    kinds: Vec<Choice>,
    priorities: Vec<Choice>,
    departments: Vec<Choice>,
    errors: FieldErrors,
    other_errors: String,
}

fn form_page(session: &Session, form: RequestForm, errors: FieldErrors) -> Response {
    let t = session.texts();
    let priority = if form.priority.is_empty() { "normal" } else { form.priority.as_str() };
    let other_errors = errors.others(&SHOWN);
    html(&FormPage {
        c: Chrome::new(session, "/requests", t.get("requests.new").to_owned(), "/requests/new"),
        channels: choices(t, "channel", &CHANNELS, &form.channel),
        kinds: choices(t, "request_kind", &KINDS, &form.kind),
        priorities: choices(t, "priority", &PRIORITIES, priority),
        departments: choices(t, "department", &DEPARTMENTS, &form.department),
        form,
        errors,
        other_errors,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    customer_id: String,
}

pub async fn new_form(session: Session, Query(query): Query<NewQuery>) -> Result<Response, PageError> {
    let form = RequestForm {
        idempotency_key: new_idempotency_key(),
        customer_id: query.customer_id,
        assignee: session.caller.username.clone(),
        ..Default::default()
    };
    Ok(form_page(&session, form, FieldErrors::default()))
}

pub async fn create(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<RequestForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let customer_id = form.customer_id.trim().parse::<i64>().unwrap_or(0);
    let body = serde_json::json!({
        "customer_id": customer_id, "channel": form.channel.trim(), "kind": form.kind.trim(),
        "subject": form.subject, "description": form.description, "priority": form.priority.trim(),
        "department": form.department.trim(), "assignee": form.assignee.trim(),
        "serial_number": form.serial_number,
    });
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/requests", &body, &headers).await {
        Ok(answer) => {
            let created: ServiceRequest = answer.json()?;
            Ok(Redirect::to(&format!("/requests/{}", created.id)).into_response())
        }
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            let form = RequestForm { idempotency_key: new_idempotency_key(), ..form };
            Ok(form_page(&session, form, errors))
        }
    }
}
