//! Bank statements (sao kê ngân hàng) for the accountant: upload the bank's CSV export, see what
//! the import matched, and match by hand, to an invoice number, each line left for review.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::contracts::read_upload;
use super::forms::{FieldErrors, check_csrf};
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::{BankImport, BankLine, DocumentRow, ListOf};

/// The API takes statements of at most 5 MiB; a little more for the form around it.
const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024 + 64 * 1024;
/// Open invoices read per call when looking a number up, and how many calls at most.
const INVOICE_PAGE: &str = "500";
const MAX_INVOICE_PAGES: usize = 20;

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/bank-statements", get(review).post(import).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
        .route("/bank-statements/lines/{id}/match", post(match_line))
}

/// A bank line as shown.
pub struct LineRow {
    pub id: i64,
    pub booked_on: String,
    pub amount: String,
    pub description: String,
    pub reference: String,
    pub status: String,
    pub invoice_number: String,
    /// Why matching this line by hand was just refused; empty when not.
    pub error: String,
}

/// What an import did, as shown.
pub struct ImportResult {
    pub matched: i64,
    pub unmatched: i64,
    pub duplicates: i64,
    pub lines: Vec<LineRow>,
}

#[derive(Template)]
#[template(path = "bank_statements.html")]
struct ReviewPage {
    c: Chrome,
    result: Option<ImportResult>,
    /// Why the upload was refused; empty when not.
    error: String,
    lines: Vec<LineRow>,
    next_page: String,
    open_invoices: Vec<String>,
}

fn line_row(line: BankLine, t: Texts) -> LineRow {
    LineRow {
        id: line.id,
        booked_on: format::date(&line.booked_on, t.lang),
        amount: format::money(line.amount, t.lang),
        status: t.word("bank_status", &line.status),
        description: line.description,
        reference: line.reference,
        invoice_number: line.invoice_number,
        error: String::new(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReviewQuery {
    cursor: String,
}

/// What to show beside the review list: an import's result, a refusal of the upload, or a
/// refusal to match one line.
#[derive(Default)]
struct Outcome {
    result: Option<ImportResult>,
    error: String,
    refused_line: Option<(i64, String)>,
}

async fn review_page(ui: &UiState, session: &Session, cursor: &str, outcome: Outcome) -> Result<Response, PageError> {
    let t = session.texts();
    let mut params = vec![("status", "unmatched"), ("limit", "50")];
    if !cursor.is_empty() {
        params.push(("cursor", cursor));
    }
    let path = format!("/api/v1/bank-statements/lines?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    let page: ListOf<BankLine> = ui.api.get(session.api_caller(), &path).await?;
    let next_page = if page.next_cursor.is_empty() {
        String::new()
    } else {
        format!("/bank-statements?{}", serde_urlencoded::to_string([("cursor", &page.next_cursor)]).unwrap_or_default())
    };
    let mut lines: Vec<LineRow> = page.items.into_iter().map(|l| line_row(l, t)).collect();
    if let Some((id, why)) = outcome.refused_line {
        lines.iter_mut().filter(|l| l.id == id).for_each(|l| l.error = why.clone());
    }
    let open_invoices = open_invoices(ui, session, None).await?.into_iter().map(|i| i.number).collect();
    Ok(html(&ReviewPage {
        c: Chrome::new(session, "/bank-statements", t.get("bank.title").to_owned(), "/bank-statements"),
        result: outcome.result,
        error: outcome.error,
        lines,
        next_page,
        open_invoices,
    }))
}

async fn review(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ReviewQuery>,
) -> Result<Response, PageError> {
    review_page(&ui, &session, &query.cursor, Outcome::default()).await
}

/// Imports the uploaded statement and shows what became of each line beside the review list.
async fn import(State(ui): State<UiState>, session: Session, multipart: Multipart) -> Result<Response, PageError> {
    let upload = read_upload(multipart, "statement").await?;
    check_csrf(&session, &upload.csrf)?;
    let t = session.texts();
    if upload.bytes.is_empty() {
        let outcome = Outcome { error: t.get("bank.no_file").to_owned(), ..Outcome::default() };
        return review_page(&ui, &session, "", outcome).await;
    }
    let body = ("text/csv; charset=utf-8", upload.bytes);
    let outcome =
        match ui.api.send_bytes(session.api_caller(), Method::POST, "/api/v1/bank-statements", body, &[]).await {
            Ok(answer) => {
                let imported: BankImport = answer.json()?;
                let result = ImportResult {
                    matched: imported.matched,
                    unmatched: imported.unmatched,
                    duplicates: imported.duplicates,
                    lines: imported.lines.into_iter().map(|l| line_row(l, t)).collect(),
                };
                Outcome { result: Some(result), ..Outcome::default() }
            }
            Err(problem) => {
                let errors = FieldErrors::from_problem(problem, t)?;
                Outcome { error: errors.others(&[]), ..Outcome::default() }
            }
        };
    review_page(&ui, &session, "", outcome).await
}

/// The open invoices, or only the one numbered `number` when one is asked for (then read on
/// page after page until it is found).
async fn open_invoices(ui: &UiState, session: &Session, number: Option<&str>) -> Result<Vec<DocumentRow>, PageError> {
    let mut cursor = String::new();
    for _ in 0..MAX_INVOICE_PAGES {
        let mut params = vec![("status", "open"), ("limit", INVOICE_PAGE)];
        if !cursor.is_empty() {
            params.push(("cursor", &cursor));
        }
        let path = format!("/api/v1/invoices?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
        let page: ListOf<DocumentRow> = ui.api.get(session.api_caller(), &path).await?;
        let Some(number) = number else { return Ok(page.items) };
        if let Some(found) = page.items.into_iter().find(|i| i.number.eq_ignore_ascii_case(number)) {
            return Ok(vec![found]);
        }
        if page.next_cursor.is_empty() {
            break;
        }
        cursor = page.next_cursor;
    }
    Ok(Vec::new())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MatchForm {
    csrf: String,
    invoice_number: String,
}

async fn match_line(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<MatchForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let t = session.texts();
    let number = form.invoice_number.trim();
    let Some(invoice) = open_invoices(&ui, &session, Some(number)).await?.into_iter().next() else {
        let outcome = Outcome { refused_line: Some((id, t.get("bank.no_invoice").to_owned())), ..Outcome::default() };
        return review_page(&ui, &session, "", outcome).await;
    };
    let path = format!("/api/v1/bank-statements/lines/{id}/match");
    let body = serde_json::json!({ "invoice_id": invoice.id });
    match ui.api.send(session.api_caller(), Method::POST, &path, &body, &[]).await {
        Ok(_) => Ok(Redirect::to("/bank-statements").into_response()),
        Err(problem) => {
            let why = FieldErrors::from_problem(problem, t)?.others(&[]);
            review_page(&ui, &session, "", Outcome { refused_line: Some((id, why)), ..Outcome::default() }).await
        }
    }
}
