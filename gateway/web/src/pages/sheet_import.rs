//! A record list imported from a spreadsheet (CSV or Excel) in two steps: a check that lists
//! every row's problems and writes nothing, then the import, which writes all rows or none; and
//! the template to fill in. The API does the reading and every rule; these screens only show its
//! answers. Each screen (customers, catalog products) is a [`SheetImport`] description.
//!
//! Between the two steps the file is chosen again rather than carried in the page: a hidden copy
//! of a file of up to 10 MiB would make every page of the step that large, and whatever the page
//! carried would be sent back by the browser anyway. The check's page keeps the SHA-256 of the
//! file it checked, and the import refuses a file whose digest differs, so what is imported is
//! exactly what was checked (and the API checks every row again in any case).

mod actions;
mod file_form;

use askama::Template;
use atq_platform::caller::Action;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use crate::UiState;
use crate::api::{ApiProblem, Caller};
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::contracts::MAX_UPLOAD_BYTES;
use crate::pages::documents;
use crate::pages::forms::{check_csrf, new_idempotency_key};
use crate::session::Session;
use file_form::{Upload, content_type_of, digest_of, read_upload};

/// What sets one import screen apart from the other.
pub struct SheetImport {
    /// The list the records join: the menu entry, the way back and the created records' links.
    pub list_path: &'static str,
    /// The screen itself; its template download is `<page_path>/template`.
    pub page_path: &'static str,
    /// The API resource that reads the file (`?dry_run=` is added) and has `/template`.
    pub api_path: &'static str,
    /// Who may import: those who may add such records.
    pub permission: Action,
    /// The i18n section of the screen's texts; `TEXTS` are looked up in it.
    pub section: &'static str,
    /// The label of one of the file's columns (the API's key when it has none).
    pub column_label: fn(&str, Texts) -> String,
    /// Which fields of a created record are shown, and under which labels.
    pub created: CreatedFields,
}

/// The two fields a created record is listed by, linked to the record's own page.
pub struct CreatedFields {
    pub code_field: &'static str,
    pub name_field: &'static str,
    pub code_label: &'static str,
    pub name_label: &'static str,
}

/// The texts every import screen takes from its section (`<section>.<text>`): those of
/// `sheet_import.html` and of this module, and the list's `open`; each screen's tests check them.
#[cfg(test)]
pub const TEXTS: &str = "title back hint template_csv template_xlsx file check rows_read rows_valid row_errors \
    row column message ready same_file run created no_file other_file open";

pub fn router(sheet: &'static SheetImport) -> Router<UiState> {
    let screen = get(move |session: Session| show(sheet, session))
        .post(move |State(ui): State<UiState>, session: Session, multipart: Multipart| {
            upload(sheet, ui, session, multipart)
        })
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES));
    let template = get(move |State(ui): State<UiState>, session: Session, Query(query): Query<TemplateQuery>| {
        template(sheet, ui, session, query)
    });
    Router::new().route(sheet.page_path, screen).route(&format!("{}/template", sheet.page_path), template)
}

#[derive(Deserialize)]
struct RowError {
    row: i32,
    column: String,
    message: String,
}

/// A created record as the API lists it; its other fields differ from one import to another.
#[derive(Deserialize)]
struct Created {
    /// None for records without a page of their own (opening receipts): listed without a link.
    #[serde(default)]
    id: i64,
    #[serde(flatten)]
    fields: serde_json::Map<String, serde_json::Value>,
}

/// The API's answer to an import or its check.
#[derive(Deserialize)]
struct ImportAnswer {
    dry_run: bool,
    rows_read: i32,
    rows_valid: i32,
    errors: Vec<RowError>,
    /// What the import wrote: records, or the opening stock import's receipts.
    #[serde(default, alias = "receipts")]
    created: Vec<Created>,
    /// An import that may also update records: what each valid row does, and the counts.
    #[serde(default)]
    actions: Vec<actions::RowAction>,
    #[serde(flatten)]
    counts: actions::ActionCounts,
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
    /// Created, updated and unchanged rows, for an import that may update (else None and empty).
    pub tally: Option<actions::Tally>,
    pub actions: Vec<actions::RowActionView>,
    pub digest: String,
    pub file_name: String,
}

#[derive(Template)]
#[template(path = "sheet_import.html")]
struct ImportPage {
    c: Chrome,
    sheet: &'static SheetImport,
    outcome: Outcome,
    /// The key of the import the page offers.
    idempotency_key: String,
}

impl ImportPage {
    /// One of the screen's `TEXTS`, from its section.
    fn label(&self, text: &str) -> String {
        section_text(self.sheet, text, self.c.t)
    }
}

fn section_text(sheet: &SheetImport, text: &str, t: Texts) -> String {
    t.get(&format!("{}.{text}", sheet.section)).to_owned()
}

fn page(sheet: &'static SheetImport, session: &Session, outcome: Outcome) -> Response {
    let title = section_text(sheet, "title", session.texts());
    let c = Chrome::new(session, sheet.list_path, title, sheet.page_path);
    html(&ImportPage { c, sheet, outcome, idempotency_key: new_idempotency_key() })
}

fn allowed(sheet: &SheetImport, session: &Session) -> Result<(), PageError> {
    if session.caller.role.may(sheet.permission) {
        return Ok(());
    }
    Err(PageError::Api(ApiProblem { status: 403, detail: "error.forbidden".into(), ..ApiProblem::default() }))
}

async fn show(sheet: &'static SheetImport, session: Session) -> Result<Response, PageError> {
    allowed(sheet, &session)?;
    Ok(page(sheet, &session, Outcome::default()))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TemplateQuery {
    format: String,
}

/// The API's template, passed through with its name.
async fn template(
    sheet: &'static SheetImport,
    ui: UiState,
    session: Session,
    query: TemplateQuery,
) -> Result<Response, PageError> {
    let format = if query.format == "xlsx" { "xlsx" } else { "csv" };
    documents::printed(&ui, &session, &format!("{}/template?format={format}", sheet.api_path)).await
}

fn error_view(sheet: &SheetImport, error: RowError, t: Texts) -> RowErrorView {
    RowErrorView {
        row: error.row.to_string(),
        column: (sheet.column_label)(&error.column, t),
        message: t.message(&error.message),
    }
}

fn created_view(fields: &CreatedFields, created: Created) -> CreatedView {
    let text = |field: &str| created.fields.get(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    CreatedView { id: created.id, code: text(fields.code_field), name: text(fields.name_field) }
}

/// A refused import names its rows' problems as `rows[3].phone`; anything else is about the file.
fn refusal(sheet: &SheetImport, problem: ApiProblem, t: Texts, outcome: &mut Outcome) -> Result<(), PageError> {
    if !matches!(problem.status, 400 | 409 | 413 | 422) {
        return Err(PageError::from(problem));
    }
    let mut about_file = Vec::new();
    for error in problem.errors {
        let at_row = error.field.strip_prefix("rows[").and_then(|rest| rest.split_once("]."));
        match at_row.and_then(|(row, column)| Some((row.parse::<i32>().ok()?, column))) {
            Some((row, column)) => {
                let error = RowError { row, column: column.to_owned(), message: error.message };
                outcome.errors.push(error_view(sheet, error, t));
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
async fn send(
    sheet: &SheetImport,
    ui: &UiState,
    caller: Caller<'_>,
    upload: Upload,
    dry_run: bool,
    t: Texts,
) -> Result<Outcome, PageError> {
    let mut outcome = Outcome {
        shown: true,
        digest: digest_of(&upload.bytes),
        file_name: upload.file_name.clone(),
        ..Outcome::default()
    };
    let path = format!("{}?dry_run={dry_run}", sheet.api_path);
    let headers: Vec<(&str, String)> =
        if dry_run { Vec::new() } else { vec![("idempotency-key", upload.idempotency_key.clone())] };
    let body = (content_type_of(&upload), upload.bytes);
    match ui.api.send_bytes(caller, Method::POST, &path, body, &headers).await {
        Ok(answer) => {
            let answer: ImportAnswer = answer.json()?;
            outcome.rows_read = answer.rows_read;
            outcome.rows_valid = answer.rows_valid;
            // A file imported before has nothing left to write: no row is valid, none is wrong.
            outcome.ready = answer.dry_run && answer.errors.is_empty() && answer.rows_valid > 0;
            outcome.errors = answer.errors.into_iter().map(|e| error_view(sheet, e, t)).collect();
            outcome.created = answer.created.into_iter().map(|c| created_view(&sheet.created, c)).collect();
            outcome.tally = actions::tally(&answer.counts, answer.dry_run, t);
            outcome.actions = actions::views(answer.actions, answer.dry_run, t);
        }
        Err(problem) => refusal(sheet, problem, t, &mut outcome)?,
    }
    Ok(outcome)
}

/// Checks the uploaded file (`step=check`) or imports it (`step=import`, the checked file again).
async fn upload(
    sheet: &'static SheetImport,
    ui: UiState,
    session: Session,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let upload = read_upload(multipart).await?;
    check_csrf(&session, &upload.csrf)?;
    allowed(sheet, &session)?;
    let t = session.texts();
    if upload.bytes.is_empty() {
        let refused = section_text(sheet, "no_file", t);
        return Ok(page(sheet, &session, Outcome { shown: true, refused, ..Outcome::default() }));
    }
    let importing = upload.step == "import";
    if importing && !upload.digest.eq_ignore_ascii_case(&digest_of(&upload.bytes)) {
        let refused = section_text(sheet, "other_file", t);
        return Ok(page(sheet, &session, Outcome { shown: true, refused, ..Outcome::default() }));
    }
    let outcome = send(sheet, &ui, session.api_caller(), upload, !importing, t).await?;
    Ok(page(sheet, &session, outcome))
}

/// Checks a screen's description against both catalogs: every text of `TEXTS` and the created
/// records' labels exist; returns how many labels were checked. Each screen's tests call it.
#[cfg(test)]
pub fn assert_labelled(sheet: &SheetImport) -> usize {
    use crate::i18n::Lang;
    let created = [sheet.created.code_label, sheet.created.name_label];
    let keys: Vec<String> = TEXTS
        .split_whitespace()
        .map(|text| format!("{}.{text}", sheet.section))
        .chain(created.map(str::to_owned))
        .collect();
    for key in &keys {
        for lang in [Lang::Vi, Lang::En] {
            assert_ne!(Texts::new(lang).get(key), key, "{key} in {lang:?}");
        }
    }
    keys.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiFieldError;
    use crate::i18n::Lang;

    const SHEET: SheetImport = SheetImport {
        list_path: "/things",
        page_path: "/things/import",
        api_path: "/api/v1/imports/things",
        permission: Action::WriteCustomers,
        section: "customer_import",
        column_label: |column, _| column.to_uppercase(),
        created: CreatedFields { code_field: "sku", name_field: "title", code_label: "", name_label: "" },
    };

    #[test]
    fn a_refused_import_shows_each_row_problem_and_what_is_about_the_file() {
        let field = |field: &str, message: &str| ApiFieldError { field: field.into(), message: message.into() };
        let problem = ApiProblem {
            status: 400,
            errors: vec![field("rows[3].phone", "must not be empty"), field("body", "has no rows")],
            ..ApiProblem::default()
        };
        let mut outcome = Outcome::default();
        assert!(refusal(&SHEET, problem, Texts::new(Lang::En), &mut outcome).is_ok());
        assert_eq!(outcome.errors.len(), 1);
        assert_eq!((outcome.errors[0].row.as_str(), outcome.errors[0].column.as_str()), ("3", "PHONE"));
        assert_eq!(outcome.refused, "has no rows");
        let unavailable = ApiProblem { status: 503, ..ApiProblem::default() };
        assert!(refusal(&SHEET, unavailable, Texts::new(Lang::En), &mut Outcome::default()).is_err());
    }

    #[test]
    fn a_created_record_is_shown_by_the_fields_the_screen_names() {
        let created: Created = serde_json::from_str(r#"{"id": 7, "sku": "TB-01", "title": "Tủ", "x": 1}"#).unwrap();
        let view = created_view(&SHEET.created, created);
        assert_eq!((view.id, view.code.as_str(), view.name.as_str()), (7, "TB-01", "Tủ"));
    }
}
