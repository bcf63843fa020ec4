//! Customers imported from a spreadsheet (CSV or Excel) in two steps: a check that lists every
//! row's problems and writes nothing, then the import, which writes all rows or none; and the
//! template to fill in. The API does the reading and every rule; this page only shows its answers.
//!
//! Between the two steps the file is chosen again rather than carried in the page: a hidden copy
//! of a file of up to 10 MiB would make every page of the step that large, and whatever the page
//! carried would be sent back by the browser anyway. The check's page keeps the SHA-256 of the
//! file it checked, and the import refuses a file whose digest differs, so what is imported is
//! exactly what was checked (and the API checks every row again in any case).

use askama::Template;
use atq_platform::caller::Action;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::UiState;
use crate::api::{ApiProblem, Caller};
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::contracts::MAX_UPLOAD_BYTES;
use crate::pages::documents;
use crate::pages::forms::{check_csrf, new_idempotency_key};
use crate::session::Session;

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/customers/import", get(show).post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
        .route("/customers/import/template", get(template))
}

/// The API's column keys and the labels the customer form already gives them.
const COLUMN_LABELS: [(&str, &str); 8] = [
    ("name", "customers.name"),
    ("group", "customers.group"),
    ("phone", "customers.phone"),
    ("email", "customers.email"),
    ("address", "customers.address"),
    ("office", "customers.office"),
    ("tax_code", "customers.tax_code"),
    ("assigned_to", "customers.assigned_to"),
];
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The upload form: which step, and for the import, the digest of the file checked and the key
/// that makes a resubmitted import write once.
#[derive(Default)]
struct Upload {
    csrf: String,
    step: String,
    digest: String,
    idempotency_key: String,
    file_name: String,
    content_type: String,
    bytes: Vec<u8>,
}

fn unreadable(error: &axum::extract::multipart::MultipartError) -> PageError {
    let status = error.status().as_u16();
    PageError::Api(ApiProblem { status, detail: error.body_text(), ..ApiProblem::default() })
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, PageError> {
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(|e| unreadable(&e))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "sheet" {
            upload.file_name = field.file_name().unwrap_or_default().to_owned();
            upload.content_type = field.content_type().unwrap_or_default().to_owned();
            upload.bytes = field.bytes().await.map_err(|e| unreadable(&e))?.to_vec();
            continue;
        }
        let value = field.text().await.map_err(|e| unreadable(&e))?;
        match name.as_str() {
            "csrf" => upload.csrf = value,
            "step" => upload.step = value,
            "digest" => upload.digest = value,
            "idempotency_key" => upload.idempotency_key = value,
            _ => {}
        }
    }
    Ok(upload)
}

/// The type to send: a browser may state none, or plain bytes; the name then tells.
fn content_type_of(upload: &Upload) -> &'static str {
    let stated = upload.content_type.to_ascii_lowercase();
    let named_xlsx = upload.file_name.to_ascii_lowercase().ends_with(".xlsx");
    if stated.contains("spreadsheetml") || named_xlsx { XLSX } else { "text/csv" }
}

fn digest_of(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

#[derive(Deserialize, Default)]
struct RowError {
    row: i32,
    column: String,
    message: String,
}

#[derive(Deserialize)]
struct Created {
    id: i64,
    code: String,
    name: String,
}

/// The API's answer to an import or its check.
#[derive(Deserialize)]
struct ImportAnswer {
    dry_run: bool,
    rows_read: i32,
    rows_valid: i32,
    errors: Vec<RowError>,
    created: Vec<Created>,
}

pub struct RowErrorView {
    pub row: String,
    pub column: String,
    pub message: String,
}

pub struct CreatedView {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// What the last step came to; nothing shown before the first upload.
#[derive(Default)]
pub struct Outcome {
    pub shown: bool,
    /// The file was checked and had no problem: the import may follow.
    pub ready: bool,
    pub refused: String,
    pub rows_read: i32,
    pub rows_valid: i32,
    pub errors: Vec<RowErrorView>,
    pub created: Vec<CreatedView>,
    pub digest: String,
    pub file_name: String,
}

#[derive(Template)]
#[template(path = "customer_import.html")]
struct ImportPage {
    c: Chrome,
    outcome: Outcome,
    /// The key of the import the page offers.
    idempotency_key: String,
}

fn page(session: &Session, outcome: Outcome) -> Response {
    let t = session.texts();
    let c = Chrome::new(session, "/customers", t.get("customer_import.title").to_owned(), "/customers/import");
    html(&ImportPage { c, outcome, idempotency_key: new_idempotency_key() })
}

/// Importing customers is for those who may add them.
fn allowed(session: &Session) -> Result<(), PageError> {
    if session.caller.role.may(Action::WriteCustomers) {
        return Ok(());
    }
    Err(PageError::Api(ApiProblem { status: 403, detail: "error.forbidden".into(), ..ApiProblem::default() }))
}

async fn show(session: Session) -> Result<Response, PageError> {
    allowed(&session)?;
    Ok(page(&session, Outcome::default()))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TemplateQuery {
    format: String,
}

/// The API's template, passed through with its name.
async fn template(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<TemplateQuery>,
) -> Result<Response, PageError> {
    let format = if query.format == "xlsx" { "xlsx" } else { "csv" };
    documents::printed(&ui, &session, &format!("/api/v1/imports/customers/template?format={format}")).await
}

fn column_label(column: &str, t: Texts) -> String {
    match COLUMN_LABELS.iter().find(|(key, _)| *key == column) {
        Some((_, label)) => t.get(label).to_owned(),
        None => column.to_owned(),
    }
}

fn error_view(error: RowError, t: Texts) -> RowErrorView {
    RowErrorView {
        row: error.row.to_string(),
        column: column_label(&error.column, t),
        message: t.message(&error.message),
    }
}

/// A refused import names its rows' problems as `rows[3].phone`; anything else is about the file.
fn refusal(problem: ApiProblem, t: Texts, outcome: &mut Outcome) -> Result<(), PageError> {
    if !matches!(problem.status, 400 | 409 | 413 | 422) {
        return Err(PageError::from(problem));
    }
    let mut about_file = Vec::new();
    for error in problem.errors {
        let at_row = error.field.strip_prefix("rows[").and_then(|rest| rest.split_once("]."));
        match at_row.and_then(|(row, column)| Some((row.parse::<i32>().ok()?, column))) {
            Some((row, column)) => {
                let error = RowError { row, column: column.to_owned(), message: error.message };
                outcome.errors.push(error_view(error, t));
            }
            None => about_file.push(t.message(&error.message)),
        }
    }
    if outcome.errors.is_empty() && about_file.is_empty() {
        about_file.push(t.message(if problem.detail.is_empty() { &problem.title } else { &problem.detail }));
    }
    outcome.refused = about_file.join(" · ");
    Ok(())
}

/// Sends the file to the API as a check (`dry_run`) or as the import.
async fn send(ui: &UiState, caller: Caller<'_>, upload: Upload, dry_run: bool, t: Texts) -> Result<Outcome, PageError> {
    let mut outcome = Outcome {
        shown: true,
        digest: digest_of(&upload.bytes),
        file_name: upload.file_name.clone(),
        ..Outcome::default()
    };
    let path = format!("/api/v1/imports/customers?dry_run={dry_run}");
    let headers: Vec<(&str, String)> =
        if dry_run { Vec::new() } else { vec![("idempotency-key", upload.idempotency_key.clone())] };
    let body = (content_type_of(&upload), upload.bytes);
    match ui.api.send_bytes(caller, Method::POST, &path, body, &headers).await {
        Ok(answer) => {
            let answer: ImportAnswer = answer.json()?;
            outcome.rows_read = answer.rows_read;
            outcome.rows_valid = answer.rows_valid;
            outcome.ready = answer.dry_run && answer.errors.is_empty();
            outcome.errors = answer.errors.into_iter().map(|e| error_view(e, t)).collect();
            outcome.created =
                answer.created.into_iter().map(|c| CreatedView { id: c.id, code: c.code, name: c.name }).collect();
        }
        Err(problem) => refusal(problem, t, &mut outcome)?,
    }
    Ok(outcome)
}

/// Checks the uploaded file (`step=check`) or imports it (`step=import`, the checked file again).
async fn upload(State(ui): State<UiState>, session: Session, multipart: Multipart) -> Result<Response, PageError> {
    let upload = read_upload(multipart).await?;
    check_csrf(&session, &upload.csrf)?;
    allowed(&session)?;
    let t = session.texts();
    if upload.bytes.is_empty() {
        let refused = t.get("customer_import.no_file").to_owned();
        return Ok(page(&session, Outcome { shown: true, refused, ..Outcome::default() }));
    }
    let importing = upload.step == "import";
    if importing && !upload.digest.eq_ignore_ascii_case(&digest_of(&upload.bytes)) {
        let refused = t.get("customer_import.other_file").to_owned();
        return Ok(page(&session, Outcome { shown: true, refused, ..Outcome::default() }));
    }
    let outcome = send(&ui, session.api_caller(), upload, !importing, t).await?;
    Ok(page(&session, outcome))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiFieldError;
    use crate::i18n::Lang;

    #[test]
    fn the_type_sent_follows_the_stated_type_or_the_name() {
        let upload = |name: &str, stated: &str| Upload {
            file_name: name.into(),
            content_type: stated.into(),
            ..Upload::default()
        };
        assert_eq!(content_type_of(&upload("khach-hang.xlsx", "application/octet-stream")), XLSX);
        assert_eq!(content_type_of(&upload("export", XLSX)), XLSX);
        assert_eq!(content_type_of(&upload("khach-hang.csv", "")), "text/csv");
    }

    #[test]
    fn a_refused_import_shows_each_row_problem_and_what_is_about_the_file() {
        let field = |field: &str, message: &str| ApiFieldError { field: field.into(), message: message.into() };
        let problem = ApiProblem {
            status: 400,
            errors: vec![field("rows[3].phone", "must not be empty"), field("body", "has no rows")],
            ..ApiProblem::default()
        };
        let mut outcome = Outcome::default();
        assert!(refusal(problem, Texts::new(Lang::En), &mut outcome).is_ok());
        assert_eq!(outcome.errors.len(), 1);
        assert_eq!((outcome.errors[0].row.as_str(), outcome.errors[0].column.as_str()), ("3", "Phone"));
        assert_eq!(outcome.refused, "has no rows");
        let unavailable = ApiProblem { status: 503, ..ApiProblem::default() };
        assert!(refusal(unavailable, Texts::new(Lang::En), &mut Outcome::default()).is_err());
    }

    /// The labels these screens name are in both catalogs (the shared check reads a list of
    /// sources that these files are not on).
    #[test]
    fn every_label_of_these_screens_is_in_both_catalogs() {
        let sources = [
            include_str!("import.rs"),
            include_str!("../stock/transfers.rs"),
            include_str!("../stock/counts.rs"),
            include_str!("../../../templates/customer_import.html"),
            include_str!("../../../templates/stock_transfer_form.html"),
            include_str!("../../../templates/stock_transfer.html"),
            include_str!("../../../templates/stock_count_form.html"),
            include_str!("../../../templates/stock_count.html"),
        ];
        let namespaces =
            ["customer_import", "transfers", "counts", "customers", "documents", "stock", "common", "quotes"];
        let mut checked = 0;
        for literal in sources.iter().flat_map(|source| source.split('"').skip(1).step_by(2)) {
            let Some((namespace, name)) = literal.split_once('.') else { continue };
            if !namespaces.contains(&namespace)
                || name.is_empty()
                || name == "html"
                || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                continue;
            }
            for lang in [Lang::Vi, Lang::En] {
                assert_ne!(Texts::new(lang).get(literal), literal, "{literal} in {lang:?}");
            }
            checked += 1;
        }
        assert!(checked > 50, "the sources were read: {checked}");
    }

    #[test]
    fn the_digest_names_the_file_checked() {
        assert_eq!(digest_of(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
