//! The warehouse keeper's goods receipt: the warehouse, opening stock or a supplier's delivery,
//! its reference, and line rows of a product, a quantity, the landed unit cost and, for
//! serial-numbered products, one serial number per line of a text box. Blank rows are left out;
//! each refused row shows why beside it.

use askama::Template;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use serde::Deserialize;

use super::catalog;
use crate::UiState;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::customers::{Choice, OFFICES, choices};
use crate::pages::documents::product_name;
use crate::pages::forms::{FieldErrors, check_csrf, line_error_fields, new_idempotency_key, put_line_errors};
use crate::session::Session;
use crate::views::Receipt;

/// Line rows of a new form; a refused form keeps its rows, and at least this many.
const EMPTY_ROWS: usize = 5;
pub const KINDS: [&str; 2] = ["purchase", "opening"];
const HEAD_FIELDS: [&str; 5] = ["warehouse", "kind", "reference", "note", "lines"];
/// The fields a receipt's line may have errors on, as the API names them (`lines[0].quantity`).
const LINE_FIELDS: [&str; 5] = ["product_id", "quantity", "condition", "unit_cost", "serials"];

/// The form as typed; the line fields repeat once per row.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReceiptForm {
    csrf: String,
    idempotency_key: String,
    warehouse: String,
    kind: String,
    reference: String,
    note: String,
    product_id: Vec<String>,
    quantity: Vec<String>,
    unit_cost: Vec<String>,
    serials: Vec<String>,
}

/// A line row as shown: what was typed, and why it was refused.
#[derive(Default)]
pub struct ReceiptRow {
    pub product_id: String,
    pub quantity: String,
    pub unit_cost: String,
    pub serials: String,
    pub error: String,
}

pub struct ProductChoice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "receipt_form.html")]
struct FormPage {
    c: Chrome,
    form: ReceiptForm,
    warehouses: Vec<Choice>,
    kinds: Vec<Choice>,
    products: Vec<ProductChoice>,
    rows: Vec<ReceiptRow>,
    errors: FieldErrors,
    other_errors: String,
}

async fn form_page(
    ui: &UiState,
    session: &Session,
    form: ReceiptForm,
    mut rows: Vec<ReceiptRow>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let t = session.texts();
    let mut products: Vec<ProductChoice> = catalog(ui, session, "")
        .await?
        .into_values()
        .map(|p| ProductChoice {
            value: p.id.to_string(),
            label: format!("{} — {}", p.model_code, product_name(&p, t.lang)),
        })
        .collect();
    products.sort_by(|a, b| a.label.cmp(&b.label));
    while rows.len() < EMPTY_ROWS {
        rows.push(ReceiptRow::default());
    }
    let shown: Vec<String> = HEAD_FIELDS
        .iter()
        .map(|f| (*f).to_owned())
        .chain((0..rows.len()).flat_map(|i| line_error_fields(i, &LINE_FIELDS)))
        .collect();
    let other_errors = errors.others(&shown.iter().map(String::as_str).collect::<Vec<_>>());
    let c = Chrome::new(session, "/stock", t.get("receipts.new").to_owned(), "/stock/receipts/new");
    Ok(html(&FormPage {
        c,
        warehouses: choices(t, "office", &OFFICES, &form.warehouse),
        kinds: choices(t, "receipt_kind", &KINDS, &form.kind),
        form,
        products,
        rows,
        errors,
        other_errors,
    }))
}

pub async fn new_form(State(ui): State<UiState>, session: Session) -> Result<Response, PageError> {
    let warehouse = session.caller.office.map(|o| o.code().to_owned()).unwrap_or_else(|| "HN".into());
    let form = ReceiptForm {
        idempotency_key: new_idempotency_key(),
        warehouse,
        kind: "purchase".into(),
        ..Default::default()
    };
    form_page(&ui, &session, form, Vec::new(), FieldErrors::default()).await
}

/// An amount typed with or without thousands separators (`1.500.000`, `1,500,000`, `1 500 000`).
fn whole_dong(typed: &str) -> Option<i64> {
    let digits: String = typed.chars().filter(|c| !matches!(c, '.' | ',' | ' ' | '\u{a0}')).collect();
    digits.parse().ok()
}

fn value_at(values: &[String], i: usize) -> String {
    values.get(i).map(|v| v.trim().to_owned()).unwrap_or_default()
}

/// The rows as typed, each with what is wrong with it before asking the API.
fn typed_rows(form: &ReceiptForm, t: Texts) -> Vec<ReceiptRow> {
    let count = [form.product_id.len(), form.quantity.len(), form.unit_cost.len(), form.serials.len()]
        .into_iter()
        .max()
        .unwrap_or(0);
    (0..count)
        .map(|i| {
            let mut row = ReceiptRow {
                product_id: value_at(&form.product_id, i),
                quantity: value_at(&form.quantity, i),
                unit_cost: value_at(&form.unit_cost, i),
                serials: value_at(&form.serials, i),
                error: String::new(),
            };
            let blank = row.product_id.is_empty() && row.quantity.is_empty() && row.unit_cost.is_empty();
            let error = if blank && row.serials.is_empty() {
                ""
            } else if row.product_id.is_empty() {
                t.get("quotes.choose_product")
            } else if row.quantity.parse::<i64>().is_err() {
                t.get("quotes.quantity_whole")
            } else if whole_dong(&row.unit_cost).is_none() {
                t.get("receipts.cost_whole")
            } else {
                ""
            };
            row.error = error.to_owned();
            row
        })
        .collect()
}

/// The lines to send: each filled row, with the index of its row.
fn lines_to_send(rows: &[ReceiptRow]) -> Vec<(usize, serde_json::Value)> {
    rows.iter()
        .enumerate()
        .filter(|(_, row)| !row.product_id.is_empty())
        .filter_map(|(i, row)| {
            let serials: Vec<&str> = row.serials.lines().map(str::trim).filter(|s| !s.is_empty()).collect();
            let line = serde_json::json!({
                "product_id": row.product_id.parse::<i64>().ok()?,
                "quantity": row.quantity.parse::<i64>().ok()?,
                "unit_cost": whole_dong(&row.unit_cost)?,
                "serials": serials,
            });
            Some((i, line))
        })
        .collect()
}

pub async fn create(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<ReceiptForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let t = session.texts();
    let mut rows = typed_rows(&form, t);
    if rows.iter().any(|row| !row.error.is_empty()) {
        return refused_form(&ui, &session, form, rows, FieldErrors::default()).await;
    }
    let sent = lines_to_send(&rows);
    let body = serde_json::json!({
        "warehouse": form.warehouse.trim(), "kind": form.kind.trim(), "reference": form.reference.trim(),
        "note": form.note.trim(), "lines": sent.iter().map(|(_, line)| line).collect::<Vec<_>>(),
    });
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/stock/receipts", &body, &headers).await {
        Ok(answer) => {
            let receipt: Receipt = answer.json()?;
            let query =
                serde_urlencoded::to_string([("warehouse", form.warehouse.trim()), ("receipt", &receipt.number)])
                    .unwrap_or_default();
            Ok(Redirect::to(&format!("/stock?{query}")).into_response())
        }
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, t)?;
            put_line_errors(&errors, sent.iter().map(|(row, _)| *row), &LINE_FIELDS, &mut rows, |row| &mut row.error);
            refused_form(&ui, &session, form, rows, errors).await
        }
    }
}

/// The form again with its errors and a fresh idempotency key: a corrected form is a new request.
async fn refused_form(
    ui: &UiState,
    session: &Session,
    form: ReceiptForm,
    rows: Vec<ReceiptRow>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let form = ReceiptForm { idempotency_key: new_idempotency_key(), ..form };
    form_page(ui, session, form, rows, errors).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn amounts_are_read_with_any_thousands_separator() {
        assert_eq!(whole_dong("1.500.000"), Some(1_500_000));
        assert_eq!(whole_dong("1,500,000"), Some(1_500_000));
        assert_eq!(whole_dong(" 250 000 "), Some(250_000));
        assert_eq!(whole_dong("1,5tr"), None);
    }

    #[test]
    fn blank_rows_are_left_out_and_half_filled_ones_are_named() {
        let strings = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>();
        let form = ReceiptForm {
            product_id: strings(&["7", "", "", "9"]),
            quantity: strings(&["2", "", "3", "1"]),
            unit_cost: strings(&["100.000", "", "", "x"]),
            serials: strings(&["SN-1\r\n SN-2 \r\n", "", "", ""]),
            ..ReceiptForm::default()
        };
        let rows = typed_rows(&form, Texts::new(Lang::En));
        let errors: Vec<bool> = rows.iter().map(|r| !r.error.is_empty()).collect();
        assert_eq!(errors, [false, false, true, true]);
        let sent = lines_to_send(&rows[..1]);
        assert_eq!(sent[0].1["serials"], serde_json::json!(["SN-1", "SN-2"]));
        assert_eq!(sent[0].1["unit_cost"], 100_000);
    }
}
