//! Stock transfers between warehouses (phiếu chuyển kho): the warehouse the goods leave and the
//! one they go to, and line rows of a product, a quantity and, for serial-numbered products, the
//! serial numbers moved. Blank rows are left out; each refused row shows why beside it. The API
//! keeps no list of transfers, so the page after a transfer shows the document just recorded.

use askama::Template;
use atq_platform::caller::Action;
use axum::extract::State;
use axum::http::Method;
use axum::response::Response;
use axum_extra::extract::Form;
use serde::Deserialize;

use super::catalog;
use super::receipt::ProductChoice;
use crate::UiState;
use crate::api::{ApiFieldError, ApiProblem};
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::customers::{Choice, OFFICES, choices};
use crate::pages::documents::{product_name, products_by_id};
use crate::pages::forms::{FieldErrors, check_csrf, line_error_fields, new_idempotency_key, put_line_errors};
use crate::session::Session;

/// Line rows of a new form; a refused form keeps its rows, and at least this many.
const EMPTY_ROWS: usize = 5;
const HEAD_FIELDS: [&str; 4] = ["from_warehouse", "to_warehouse", "note", "lines"];
/// The fields a transfer's line may have errors on, as the API names them (`lines[0].quantity`).
const LINE_FIELDS: [&str; 3] = ["product_id", "quantity", "serials"];

/// The forms that change stock are for those who may; others see the page the API would answer.
pub fn allowed(session: &Session, action: Action) -> Result<(), PageError> {
    if session.caller.role.may(action) {
        return Ok(());
    }
    Err(PageError::Api(ApiProblem { status: 403, detail: "error.forbidden".into(), ..ApiProblem::default() }))
}

/// Every product of the catalog as an option, by model code.
pub async fn product_choices(ui: &UiState, session: &Session) -> Result<Vec<ProductChoice>, PageError> {
    let lang = session.texts().lang;
    let mut products: Vec<ProductChoice> = catalog(ui, session, "")
        .await?
        .into_values()
        .map(|p| ProductChoice {
            value: p.id.to_string(),
            label: format!("{} — {}", p.model_code, product_name(&p, lang)),
        })
        .collect();
    products.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(products)
}

/// The trimmed value of a repeated field at row `i`.
pub fn value_at(values: &[String], i: usize) -> String {
    values.get(i).map(|v| v.trim().to_owned()).unwrap_or_default()
}

/// Serial numbers typed one per line.
pub fn serial_lines(typed: &str) -> Vec<String> {
    typed.lines().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// The line a stock conflict names ("line 1: only 2 of product 7 available ...", the API counts
/// the lines it was sent from 0) and what it says of it, to show on that line's row.
pub fn conflict_line(detail: &str) -> Option<(usize, &str)> {
    let (line, message) = detail.strip_prefix("line ")?.split_once(':')?;
    Some((line.parse().ok()?, message.trim()))
}

/// A stock conflict names its line only in its detail; as that line's error it shows on the line's
/// row like the API's field errors (and not again above the form).
pub fn conflict_on_its_line(mut problem: ApiProblem) -> ApiProblem {
    if problem.errors.is_empty()
        && let Some((line, message)) = conflict_line(&problem.detail)
    {
        let error = ApiFieldError { field: format!("lines[{line}]"), message: message.to_owned() };
        problem.errors.push(error);
    }
    problem
}

/// The form as typed; the line fields repeat once per row.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TransferForm {
    csrf: String,
    idempotency_key: String,
    from_warehouse: String,
    to_warehouse: String,
    note: String,
    product_id: Vec<String>,
    quantity: Vec<String>,
    serials: Vec<String>,
}

/// A line row as shown: what was typed, and why it was refused.
#[derive(Default)]
pub struct TransferRow {
    pub product_id: String,
    pub quantity: String,
    pub serials: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "stock_transfer_form.html")]
struct FormPage {
    c: Chrome,
    form: TransferForm,
    from_warehouses: Vec<Choice>,
    to_warehouses: Vec<Choice>,
    products: Vec<ProductChoice>,
    rows: Vec<TransferRow>,
    errors: FieldErrors,
    other_errors: String,
}

async fn form_page(
    ui: &UiState,
    session: &Session,
    form: TransferForm,
    mut rows: Vec<TransferRow>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let t = session.texts();
    let products = product_choices(ui, session).await?;
    while rows.len() < EMPTY_ROWS {
        rows.push(TransferRow::default());
    }
    let shown: Vec<String> = HEAD_FIELDS
        .iter()
        .map(|f| (*f).to_owned())
        .chain((0..rows.len()).flat_map(|i| line_error_fields(i, &LINE_FIELDS)))
        .collect();
    let other_errors = errors.others(&shown.iter().map(String::as_str).collect::<Vec<_>>());
    let c = Chrome::new(session, "/stock", t.get("transfers.new").to_owned(), "/stock/transfers/new");
    Ok(html(&FormPage {
        c,
        from_warehouses: choices(t, "office", &OFFICES, &form.from_warehouse),
        to_warehouses: choices(t, "office", &OFFICES, &form.to_warehouse),
        form,
        products,
        rows,
        errors,
        other_errors,
    }))
}

pub async fn new_form(State(ui): State<UiState>, session: Session) -> Result<Response, PageError> {
    allowed(&session, Action::WriteStock)?;
    let from = session.caller.office.map(|o| o.code().to_owned()).unwrap_or_else(|| "HN".into());
    let form = TransferForm { idempotency_key: new_idempotency_key(), from_warehouse: from, ..Default::default() };
    form_page(&ui, &session, form, Vec::new(), FieldErrors::default()).await
}

/// The rows as typed, each with what is wrong with it before asking the API.
fn typed_rows(form: &TransferForm, t: Texts) -> Vec<TransferRow> {
    let count = [form.product_id.len(), form.quantity.len(), form.serials.len()].into_iter().max().unwrap_or(0);
    (0..count)
        .map(|i| {
            let mut row = TransferRow {
                product_id: value_at(&form.product_id, i),
                quantity: value_at(&form.quantity, i),
                serials: value_at(&form.serials, i),
                error: String::new(),
            };
            let blank = row.product_id.is_empty() && row.quantity.is_empty() && row.serials.is_empty();
            let error = if blank {
                ""
            } else if row.product_id.is_empty() {
                t.get("quotes.choose_product")
            } else if row.quantity.parse::<i64>().is_err() {
                t.get("quotes.quantity_whole")
            } else {
                ""
            };
            row.error = error.to_owned();
            row
        })
        .collect()
}

/// The lines to send: each filled row, with the index of its row.
fn lines_to_send(rows: &[TransferRow]) -> Vec<(usize, serde_json::Value)> {
    rows.iter()
        .enumerate()
        .filter(|(_, row)| !row.product_id.is_empty())
        .filter_map(|(i, row)| {
            let line = serde_json::json!({
                "product_id": row.product_id.parse::<i64>().ok()?,
                "quantity": row.quantity.parse::<i64>().ok()?,
                "serials": serial_lines(&row.serials),
            });
            Some((i, line))
        })
        .collect()
}

pub async fn create(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<TransferForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let t = session.texts();
    let mut rows = typed_rows(&form, t);
    if rows.iter().any(|row| !row.error.is_empty()) {
        return refused_form(&ui, &session, form, rows, FieldErrors::default()).await;
    }
    let sent = lines_to_send(&rows);
    let body = serde_json::json!({
        "from_warehouse": form.from_warehouse.trim(), "to_warehouse": form.to_warehouse.trim(),
        "note": form.note.trim(), "lines": sent.iter().map(|(_, line)| line).collect::<Vec<_>>(),
    });
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/stock/transfers", &body, &headers).await {
        Ok(answer) => transfer_page(&ui, &session, answer.json()?, true).await,
        Err(problem) => {
            let errors = FieldErrors::from_problem(conflict_on_its_line(problem), t)?;
            put_line_errors(&errors, sent.iter().map(|(row, _)| *row), &LINE_FIELDS, &mut rows, |row| &mut row.error);
            refused_form(&ui, &session, form, rows, errors).await
        }
    }
}

/// The form again with its errors and a fresh idempotency key: a corrected form is a new request.
async fn refused_form(
    ui: &UiState,
    session: &Session,
    form: TransferForm,
    rows: Vec<TransferRow>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let form = TransferForm { idempotency_key: new_idempotency_key(), ..form };
    form_page(ui, session, form, rows, errors).await
}

/// A transfer as the API answers it.
#[derive(Deserialize)]
pub struct Transfer {
    pub number: String,
    pub from_warehouse: String,
    pub to_warehouse: String,
    #[serde(default)]
    pub note: String,
    pub lines: Vec<TransferLine>,
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub created_at: String,
}

#[derive(Deserialize)]
pub struct TransferLine {
    pub product_id: i64,
    pub quantity: i64,
    #[serde(default)]
    pub serials: Vec<String>,
}

pub struct MovedRow {
    pub product_id: i64,
    pub model_code: String,
    pub name: String,
    pub quantity: String,
    pub serials: String,
}

#[derive(Template)]
#[template(path = "stock_transfer.html")]
struct RecordedPage {
    c: Chrome,
    /// Shown right after the form: it says so; opened from the list, it is the document alone.
    just_recorded: bool,
    may_write: bool,
    transfer: Transfer,
    from: String,
    to: String,
    at: String,
    rows: Vec<MovedRow>,
}

/// A transfer: the one just recorded (a resubmitted form shows the same one: the key is the same)
/// or one opened from the list.
pub async fn transfer_page(
    ui: &UiState,
    session: &Session,
    transfer: Transfer,
    just_recorded: bool,
) -> Result<Response, PageError> {
    let t = session.texts();
    let products = products_by_id(ui, session, transfer.lines.iter().map(|l| l.product_id).collect()).await?;
    let rows = transfer
        .lines
        .iter()
        .map(|line| {
            let product = products.get(&line.product_id);
            MovedRow {
                product_id: line.product_id,
                model_code: product.map(|p| p.model_code.clone()).unwrap_or_else(|| format!("#{}", line.product_id)),
                name: product.map(|p| product_name(p, t.lang)).unwrap_or_default(),
                quantity: format::number(line.quantity, t.lang),
                serials: line.serials.join(", "),
            }
        })
        .collect();
    let (title, here) = if just_recorded {
        (format!("{} {}", t.get("transfers.recorded"), transfer.number), "/stock/transfers/new".to_owned())
    } else {
        (
            format!("{} {}", t.get("stock_document.transfer"), transfer.number),
            format!("/stock/transfers/{}", transfer.number),
        )
    };
    let c = Chrome::new(session, "/stock", title, &here);
    Ok(html(&RecordedPage {
        c,
        just_recorded,
        may_write: session.caller.role.may(Action::WriteStock),
        from: t.word("office", &transfer.from_warehouse),
        to: t.word("office", &transfer.to_warehouse),
        at: format::time(&transfer.created_at, t.lang),
        transfer,
        rows,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn blank_rows_are_left_out_and_half_filled_ones_are_named() {
        let form = TransferForm {
            product_id: strings(&["7", "", "", "9"]),
            quantity: strings(&["2", "", "3", "x"]),
            serials: strings(&["SN-1\r\n SN-2 \r\n", "", "", ""]),
            ..TransferForm::default()
        };
        let rows = typed_rows(&form, Texts::new(Lang::En));
        let errors: Vec<bool> = rows.iter().map(|r| !r.error.is_empty()).collect();
        assert_eq!(errors, [false, false, true, true]);
        let sent = lines_to_send(&rows[..2]);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].1["serials"], serde_json::json!(["SN-1", "SN-2"]));
        assert_eq!(sent[0].1["quantity"], 2);
    }

    #[test]
    fn a_stock_conflict_names_the_line_it_was_sent_as() {
        let detail = "line 1: only 2 of product 7 available in HN (2 on hand, 0 reserved)";
        assert_eq!(conflict_line(detail), Some((1, "only 2 of product 7 available in HN (2 on hand, 0 reserved)")));
        assert_eq!(conflict_line("lines are required"), None);
        assert_eq!(conflict_line("line x: y"), None);
        let problem = ApiProblem { status: 409, detail: detail.into(), ..ApiProblem::default() };
        let on_line = conflict_on_its_line(problem);
        assert_eq!(on_line.errors[0].field, "lines[1]");
        assert!(on_line.errors[0].message.starts_with("only 2 of product 7"));
    }
}
