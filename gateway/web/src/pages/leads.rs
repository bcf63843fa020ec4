//! Leads: the list (searched without diacritics, by status, office and owner, downloadable), a
//! lead's page with its status, disqualification and the conversion into a customer, and the
//! form to add or change one with errors beside each field.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::customers::{Choice, GROUPS, OFFICES, choices};
use super::documents;
use super::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::UiState;
use crate::format;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::ListOf;
use crate::views::crm_contacts::{Converted, Lead};

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/leads", get(list).post(create))
        .route("/leads/new", get(new_form))
        .route("/leads/download", get(download))
        .route("/leads/{id}", get(show).post(update))
        .route("/leads/{id}/edit", get(edit_form))
        .route("/leads/{id}/status", post(set_status))
        .route("/leads/{id}/disqualify", post(disqualify))
        .route("/leads/{id}/convert", post(convert))
}

const STATUSES: [&str; 5] = ["new", "contacted", "qualified", "converted", "disqualified"];
const OPEN_STATUSES: [&str; 3] = ["new", "contacted", "qualified"];
const SOURCES: [&str; 6] = ["referral", "website", "exhibition", "cold_call", "visit", "other"];

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    q: String,
    status: String,
    office: String,
    owner: String,
    cursor: String,
}

pub struct LeadRow {
    pub id: i64,
    pub name: String,
    pub company: String,
    pub phone: String,
    pub source: String,
    pub status: String,
    pub office: String,
    pub owner: String,
}

#[derive(Template)]
#[template(path = "leads.html")]
struct ListPage {
    c: Chrome,
    q: String,
    owner: String,
    statuses: Vec<Choice>,
    offices: Vec<Choice>,
    rows: Vec<LeadRow>,
    next_page: String,
    csv_link: String,
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let filters =
        [("q", query.q.as_str()), ("status", &query.status), ("office", &query.office), ("owner", &query.owner)];
    let set: Vec<(&str, &str)> = filters.iter().copied().filter(|(_, v)| !v.is_empty()).collect();
    let mut params = set.clone();
    params.push(("limit", "50"));
    if !query.cursor.is_empty() {
        params.push(("cursor", &query.cursor));
    }
    let api_path = format!("/api/v1/leads?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    let page: ListOf<Lead> = ui.api.get(session.api_caller(), &api_path).await?;
    let next_page = documents::next_page_link("/leads", &set, &page.next_cursor);
    let csv_link = format!("/leads/download?{}", serde_urlencoded::to_string(&set).unwrap_or_default());
    let rows = page
        .items
        .into_iter()
        .map(|l| LeadRow {
            id: l.id,
            name: l.name,
            company: l.company,
            phone: l.phone,
            source: t.word("lead_source", &l.source),
            status: t.word("lead_status", &l.status),
            office: t.word("office", &l.office),
            owner: l.owner,
        })
        .collect();
    let c = Chrome::new(&session, "/leads", t.get("leads.title").to_owned(), "/leads");
    Ok(html(&ListPage {
        c,
        statuses: choices(t, "lead_status", &STATUSES, &query.status),
        offices: choices(t, "office", &OFFICES, &query.office),
        q: query.q,
        owner: query.owner,
        rows,
        next_page,
        csv_link,
    }))
}

/// The filtered list as the API writes it for Excel.
async fn download(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let filters =
        [("q", query.q.as_str()), ("status", &query.status), ("office", &query.office), ("owner", &query.owner)];
    let mut params: Vec<(&str, &str)> = filters.into_iter().filter(|(_, v)| !v.is_empty()).collect();
    params.push(("format", "csv"));
    let path = format!("/api/v1/leads?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    documents::printed(&ui, &session, &path).await
}

#[derive(Template)]
#[template(path = "lead.html")]
struct ShowPage {
    c: Chrome,
    lead: Lead,
    group: String,
    source: String,
    status: String,
    office: String,
    created: String,
    is_open: bool,
    moves: Vec<Choice>,
    convert_key: String,
    error: String,
}

async fn show_page(ui: &UiState, session: &Session, id: i64, error: String) -> Result<Response, PageError> {
    let t = session.texts();
    let lead: Lead = ui.api.get(session.api_caller(), &format!("/api/v1/leads/{id}")).await?;
    let is_open = lead.status != "converted";
    let moves = OPEN_STATUSES
        .iter()
        .filter(|s| is_open && **s != lead.status)
        .map(|s| Choice { value: s, label: t.word("lead_status", s), selected: false })
        .collect();
    let c = Chrome::new(session, "/leads", lead.name.clone(), &format!("/leads/{id}"));
    Ok(html(&ShowPage {
        c,
        group: t.word("group", &lead.group),
        source: t.word("lead_source", &lead.source),
        status: t.word("lead_status", &lead.status),
        office: t.word("office", &lead.office),
        created: format::time(&lead.created_at, t.lang),
        is_open,
        moves,
        convert_key: new_idempotency_key(),
        lead,
        error,
    }))
}

async fn show(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    show_page(&ui, &session, id, String::new()).await
}

/// A step of the lead's page: its answer, or the page again with the API's reason.
async fn step(
    ui: &UiState,
    session: &Session,
    id: i64,
    path: &str,
    body: serde_json::Value,
    headers: &[(&str, String)],
) -> Result<Result<crate::api::Answer, Response>, PageError> {
    match ui.api.send(session.api_caller(), Method::POST, path, &body, headers).await {
        Ok(answer) => Ok(Ok(answer)),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            Ok(Err(show_page(ui, session, id, errors.others(&[])).await?))
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StepForm {
    csrf: String,
    version: i64,
    status: String,
    reason: String,
    idempotency_key: String,
}

async fn set_status(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let body = serde_json::json!({"status": form.status, "version": form.version});
    let path = format!("/api/v1/leads/{id}");
    match ui.api.send(session.api_caller(), Method::PATCH, &path, &body, &[]).await {
        Ok(_) => Ok(Redirect::to(&format!("/leads/{id}")).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            show_page(&ui, &session, id, errors.others(&[])).await
        }
    }
}

async fn disqualify(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let body = serde_json::json!({"reason": form.reason, "version": form.version});
    let path = format!("/api/v1/leads/{id}/disqualify");
    Ok(match step(&ui, &session, id, &path, body, &[]).await? {
        Ok(_) => Redirect::to(&format!("/leads/{id}")).into_response(),
        Err(page) => page,
    })
}

/// Converts the lead and lands on the customer it became.
async fn convert(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let path = format!("/api/v1/leads/{id}/convert");
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    Ok(match step(&ui, &session, id, &path, serde_json::json!({}), &headers).await? {
        Ok(answer) => {
            let converted: Converted = answer.json()?;
            Redirect::to(&format!("/customers/{}", converted.customer_id)).into_response()
        }
        Err(page) => page,
    })
}

/// What the form holds, as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct LeadForm {
    csrf: String,
    idempotency_key: String,
    version: i64,
    name: String,
    company: String,
    contact_name: String,
    position: String,
    group: String,
    source: String,
    office: String,
    phone: String,
    email: String,
    address: String,
    tax_code: String,
    notes: String,
}

impl LeadForm {
    fn body(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name, "company": self.company, "contact_name": self.contact_name,
            "position": self.position, "group": self.group, "source": self.source, "office": self.office,
            "phone": self.phone, "email": self.email, "address": self.address, "tax_code": self.tax_code,
            "notes": self.notes,
        })
    }
}

#[derive(Template)]
#[template(path = "lead_form.html")]
struct FormPage {
    c: Chrome,
    action: String,
    form: LeadForm,
    errors: FieldErrors,
    other_errors: String,
    groups: Vec<Choice>,
    sources: Vec<Choice>,
    offices: Vec<Choice>,
}

const FORM_FIELDS: [&str; 12] = [
    "name",
    "company",
    "contact_name",
    "position",
    "group",
    "source",
    "office",
    "phone",
    "email",
    "address",
    "tax_code",
    "notes",
];

fn form_page(session: &Session, action: String, form: LeadForm, errors: FieldErrors) -> Response {
    let t = session.texts();
    let title = if form.version == 0 { t.get("leads.new") } else { t.get("leads.edit") };
    let c = Chrome::new(session, "/leads", title.to_owned(), &action);
    let other_errors = errors.others(&FORM_FIELDS);
    let groups = choices(t, "group", &GROUPS, &form.group);
    let sources = choices(t, "lead_source", &SOURCES, &form.source);
    let offices = choices(t, "office", &OFFICES, &form.office);
    html(&FormPage { c, action, form, errors, other_errors, groups, sources, offices })
}

async fn new_form(session: Session) -> Response {
    let office = session.caller.office.map(|o| o.code().to_owned()).unwrap_or_default();
    let form = LeadForm {
        idempotency_key: new_idempotency_key(),
        office,
        group: "individual".into(),
        source: "other".into(),
        ..Default::default()
    };
    form_page(&session, "/leads".into(), form, FieldErrors::default())
}

async fn create(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<LeadForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/leads", &form.body(), &headers).await {
        Ok(answer) => {
            let created: Lead = answer.json()?;
            Ok(Redirect::to(&format!("/leads/{}", created.id)).into_response())
        }
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            // A corrected form is a new request: it gets a key of its own.
            let form = LeadForm { idempotency_key: new_idempotency_key(), ..form };
            Ok(form_page(&session, "/leads".into(), form, errors))
        }
    }
}

async fn edit_form(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    let l: Lead = ui.api.get(session.api_caller(), &format!("/api/v1/leads/{id}")).await?;
    let form = LeadForm {
        csrf: String::new(),
        idempotency_key: String::new(),
        version: l.version,
        name: l.name,
        company: l.company,
        contact_name: l.contact_name,
        position: l.position,
        group: l.group,
        source: l.source,
        office: l.office,
        phone: l.phone,
        email: l.email,
        address: l.address,
        tax_code: l.tax_code,
        notes: l.notes,
    };
    Ok(form_page(&session, format!("/leads/{id}"), form, FieldErrors::default()))
}

async fn update(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<LeadForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let mut body = form.body();
    body["version"] = form.version.into();
    match ui.api.send(session.api_caller(), Method::PATCH, &format!("/api/v1/leads/{id}"), &body, &[]).await {
        Ok(_) => Ok(Redirect::to(&format!("/leads/{id}")).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            Ok(form_page(&session, format!("/leads/{id}"), form, errors))
        }
    }
}
