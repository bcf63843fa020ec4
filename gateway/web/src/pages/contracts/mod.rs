//! Contracts (hợp đồng) with customers: the list by status and customer, a contract's record
//! with its signed copies (kept, listed and downloaded through the API), the form to upload one,
//! the form to move its status on, and the form to make a new draft.

mod files;
mod form;

use askama::Template;
use atq_platform::caller::Action;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::customers::{Choice, choices};
use super::discussion::{self, Draft, Subject, Talk};
use super::forms::{FieldErrors, check_csrf};
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::{Contract, ContractFile, ListOf};

pub use files::{MAX_UPLOAD_BYTES, read_upload};

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/contracts", get(list).post(form::create))
        .route("/contracts/new", get(form::new_form))
        .route("/contracts/{id}", get(show))
        .route("/contracts/{id}/pdf", get(pdf))
        .route("/contracts/{id}/status", post(change_status))
        .route("/contracts/{id}/files", post(files::upload).layer(DefaultBodyLimit::max(files::MAX_UPLOAD_BYTES)))
        .route("/contracts/{id}/files/{file_id}", get(files::download))
}

pub const STATUSES: [&str; 4] = ["draft", "signed", "completed", "cancelled"];
/// The statuses a contract may be moved to; the API says whether it may go there now.
const NEXT_STATUSES: [&str; 3] = ["signed", "completed", "cancelled"];

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    status: String,
    customer_id: String,
    cursor: String,
}

pub struct ContractRow {
    pub id: i64,
    pub number: String,
    pub name: String,
    pub customer: String,
    pub made_on: String,
    pub ends_on: String,
    pub value: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "contracts.html")]
struct ListPage {
    c: Chrome,
    statuses: Vec<Choice>,
    customer_id: String,
    rows: Vec<ContractRow>,
    next_page: String,
    new_contract: String,
    may_write: bool,
}

fn day(date: Option<&str>, t: Texts) -> String {
    date.map(|d| format::date(d, t.lang)).unwrap_or_default()
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let customer_id = query.customer_id.trim();
    let customer_id = if customer_id.parse::<i64>().is_ok() { customer_id.to_owned() } else { String::new() };
    let filters: Vec<(&str, &str)> = [("status", query.status.trim()), ("customer_id", customer_id.as_str())]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .collect();
    let mut params = filters.clone();
    params.push(("limit", "50"));
    if !query.cursor.is_empty() {
        params.push(("cursor", &query.cursor));
    }
    let api_path = format!("/api/v1/contracts?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    let page: ListOf<Contract> = ui.api.get(session.api_caller(), &api_path).await?;
    let next_page = if page.next_cursor.is_empty() {
        String::new()
    } else {
        let mut next = filters;
        next.push(("cursor", &page.next_cursor));
        format!("/contracts?{}", serde_urlencoded::to_string(&next).unwrap_or_default())
    };
    let rows = page
        .items
        .into_iter()
        .map(|k| ContractRow {
            id: k.id,
            made_on: day(k.made_on.as_deref(), t),
            ends_on: day(k.ends_on.as_deref(), t),
            value: format::money(k.value, t.lang),
            status: t.word("status", &k.status),
            number: k.number,
            name: k.name,
            customer: k.customer_name,
        })
        .collect();
    let new_contract = if customer_id.is_empty() {
        "/contracts/new".to_owned()
    } else {
        format!("/contracts/new?customer_id={customer_id}")
    };
    Ok(html(&ListPage {
        c: Chrome::new(&session, "/contracts", t.get("contracts.title").to_owned(), "/contracts"),
        statuses: choices(t, "status", &STATUSES, &query.status),
        customer_id,
        rows,
        next_page,
        new_contract,
        may_write: session.caller.role.may(Action::WriteOrders),
    }))
}

/// A signed copy as listed.
pub struct FileRow {
    pub href: String,
    pub file_name: String,
    pub content_type: String,
    pub size: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

#[derive(Template)]
#[template(path = "contract.html")]
struct ShowPage {
    c: Chrome,
    contract: Contract,
    status: String,
    made_on: String,
    ends_on: String,
    value: String,
    files: Vec<FileRow>,
    next_statuses: Vec<Choice>,
    /// Why the last upload or status change was refused; empty when none.
    error: String,
    may_write: bool,
    talk: Talk,
}

fn file_row(contract_id: i64, file: ContractFile, t: Texts) -> FileRow {
    FileRow {
        href: format!("/contracts/{contract_id}/files/{}", file.id),
        size: format!("{} KB", format::number(file.size.saturating_add(1023) / 1024, t.lang)),
        uploaded_at: format::time(&file.uploaded_at, t.lang),
        file_name: file.file_name,
        content_type: file.content_type,
        uploaded_by: file.uploaded_by,
    }
}

/// A contract's page; `error` is why an action was just refused (empty when none).
pub(in crate::pages) async fn show_page(
    ui: &UiState,
    session: &Session,
    id: i64,
    error: String,
    draft: Draft,
) -> Result<Response, PageError> {
    let t = session.texts();
    let contract: Contract = ui.api.get(session.api_caller(), &format!("/api/v1/contracts/{id}")).await?;
    let files: Vec<ContractFile> = ui.api.get(session.api_caller(), &format!("/api/v1/contracts/{id}/files")).await?;
    let title = format!("{} {}", t.get("contracts.one"), contract.number);
    let next: Vec<&'static str> = NEXT_STATUSES.iter().copied().filter(|s| *s != contract.status).collect();
    Ok(html(&ShowPage {
        c: Chrome::new(session, "/contracts", title, &format!("/contracts/{id}")),
        status: t.word("status", &contract.status),
        made_on: day(contract.made_on.as_deref(), t),
        ends_on: day(contract.ends_on.as_deref(), t),
        value: format::money(contract.value, t.lang),
        files: files.into_iter().map(|f| file_row(id, f, t)).collect(),
        next_statuses: choices(t, "status", &next, ""),
        error,
        may_write: session.caller.role.may(Action::WriteOrders),
        talk: discussion::load(ui, session, Subject::Contract(id), draft).await?,
        contract,
    }))
}

/// The contract as printed for both parties to sign.
async fn pdf(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    super::documents::printed(&ui, &session, &format!("/api/v1/contracts/{id}/pdf")).await
}

async fn show(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    show_page(&ui, &session, id, String::new(), Draft::default()).await
}

/// The status form: the status asked for and the version the page showed.
#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusForm {
    csrf: String,
    version: i64,
    status: String,
}

async fn change_status(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<StatusForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let body = serde_json::json!({ "status": form.status.trim() });
    let if_match = [("if-match", format!("\"{}\"", form.version))];
    let path = format!("/api/v1/contracts/{id}");
    match ui.api.send(session.api_caller(), Method::PATCH, &path, &body, &if_match).await {
        Ok(_) => Ok(Redirect::to(&format!("/contracts/{id}")).into_response()),
        Err(problem) => {
            let why = FieldErrors::from_problem(problem, session.texts())?.others(&[]);
            show_page(&ui, &session, id, why, Draft::default()).await
        }
    }
}
