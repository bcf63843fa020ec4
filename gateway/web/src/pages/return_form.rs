//! Taking delivered goods back, starting from their invoice: one row per invoice line with the
//! units coming back, their condition (good or damaged) and, for serial-numbered products, their
//! serial numbers one per line; the date and the reason. Rows left at no units are not sent; each
//! refused row shows why beside it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::customers::{Choice, choices};
use crate::pages::documents::{product_name, products_by_id};
use crate::pages::forms::{FieldErrors, check_csrf, line_error_fields, new_idempotency_key, put_line_errors};
use crate::session::Session;
use crate::views::Invoice;
use crate::views::returns::SalesReturn;

pub const CONDITIONS: [&str; 2] = ["good", "damaged"];
const HEAD_FIELDS: [&str; 4] = ["invoice_id", "returned_on", "reason", "lines"];
/// The fields a return's line may have errors on, as the API names them (`lines[0].quantity`).
const LINE_FIELDS: [&str; 4] = ["invoice_line_no", "quantity", "condition", "serials"];

/// The form as typed; the line fields repeat once per invoice line.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReturnForm {
    csrf: String,
    idempotency_key: String,
    returned_on: String,
    reason: String,
    quantity: Vec<String>,
    condition: Vec<String>,
    serials: Vec<String>,
}

/// An invoice line as the form shows it, with what was typed for it and why it was refused.
pub struct ReturnRow {
    pub line_no: usize,
    pub product: String,
    pub invoiced: String,
    pub unit_price: String,
    pub quantity: String,
    pub conditions: Vec<Choice>,
    pub serials: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "return_form.html")]
struct FormPage {
    c: Chrome,
    invoice: Invoice,
    form: ReturnForm,
    rows: Vec<ReturnRow>,
    errors: FieldErrors,
    other_errors: String,
}

fn value_at(values: &[String], i: usize) -> String {
    values.get(i).map(|v| v.trim().to_owned()).unwrap_or_default()
}

async fn form_page(
    ui: &UiState,
    session: &Session,
    (invoice_id, form): (i64, ReturnForm),
    row_errors: Vec<String>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let t = session.texts();
    let invoice: Invoice = ui.api.get(session.api_caller(), &format!("/api/v1/invoices/{invoice_id}")).await?;
    let products = products_by_id(ui, session, invoice.lines.iter().map(|l| l.product_id).collect()).await?;
    let rows = invoice
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let name = products.get(&line.product_id).map(|p| product_name(p, t.lang)).unwrap_or_default();
            let condition = value_at(&form.condition, i);
            ReturnRow {
                line_no: i + 1,
                product: format!("{} — {name}", line.model_code),
                invoiced: format::number(line.quantity, t.lang),
                unit_price: format::money(line.unit_price, t.lang),
                quantity: value_at(&form.quantity, i),
                conditions: choices(
                    t,
                    "condition",
                    &CONDITIONS,
                    if condition.is_empty() { "good" } else { &condition },
                ),
                serials: value_at(&form.serials, i),
                error: row_errors.get(i).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let shown: Vec<String> = HEAD_FIELDS
        .iter()
        .map(|f| (*f).to_owned())
        .chain((0..invoice.lines.len()).flat_map(|i| line_error_fields(i, &LINE_FIELDS)))
        .collect();
    let other_errors = errors.others(&shown.iter().map(String::as_str).collect::<Vec<_>>());
    let title = format!("{} {}", t.get("returns.new"), invoice.number);
    let c = Chrome::new(session, "/returns", title, &format!("/invoices/{invoice_id}/return"));
    Ok(html(&FormPage { c, invoice, form, rows, errors, other_errors }))
}

pub async fn new_form(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    let form = ReturnForm { idempotency_key: new_idempotency_key(), ..Default::default() };
    form_page(&ui, &session, (id, form), Vec::new(), FieldErrors::default()).await
}

/// The lines to send: each row with units, with the index of its row; or the rows' own errors.
fn lines_to_send(form: &ReturnForm, t: Texts) -> Result<Vec<(usize, serde_json::Value)>, Vec<String>> {
    let mut lines = Vec::new();
    let mut errors = vec![String::new(); form.quantity.len()];
    for (i, typed) in form.quantity.iter().enumerate() {
        let typed = typed.trim();
        if typed.is_empty() || typed == "0" {
            continue;
        }
        let Ok(quantity) = typed.parse::<i64>() else {
            errors[i] = t.get("quotes.quantity_whole").to_owned();
            continue;
        };
        let serials = value_at(&form.serials, i);
        let serials: Vec<&str> = serials.lines().map(str::trim).filter(|s| !s.is_empty()).collect();
        let line = serde_json::json!({
            "invoice_line_no": i + 1, "quantity": quantity, "condition": value_at(&form.condition, i), "serials": serials,
        });
        lines.push((i, line));
    }
    if errors.iter().any(|e| !e.is_empty()) { Err(errors) } else { Ok(lines) }
}

pub async fn create(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ReturnForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let t = session.texts();
    let sent = match lines_to_send(&form, t) {
        Ok(sent) => sent,
        Err(row_errors) => return refused_form(&ui, &session, (id, form), row_errors, FieldErrors::default()).await,
    };
    let body = serde_json::json!({
        "invoice_id": id, "returned_on": form.returned_on.trim(), "reason": form.reason.trim(),
        "lines": sent.iter().map(|(_, line)| line).collect::<Vec<_>>(),
    });
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/returns", &body, &headers).await {
        Ok(answer) => {
            let created: SalesReturn = answer.json()?;
            Ok(Redirect::to(&format!("/returns/{}", created.id)).into_response())
        }
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, t)?;
            let mut row_errors = vec![String::new(); form.quantity.len()];
            put_line_errors(&errors, sent.iter().map(|(row, _)| *row), &LINE_FIELDS, &mut row_errors, |e| e);
            refused_form(&ui, &session, (id, form), row_errors, errors).await
        }
    }
}

/// The form again with its errors and a fresh idempotency key: a corrected form is a new request.
async fn refused_form(
    ui: &UiState,
    session: &Session,
    (id, form): (i64, ReturnForm),
    row_errors: Vec<String>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let form = ReturnForm { idempotency_key: new_idempotency_key(), ..form };
    form_page(ui, session, (id, form), row_errors, errors).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn rows_without_units_are_left_out_and_serials_are_one_per_line() {
        let strings = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>();
        let form = ReturnForm {
            quantity: strings(&["", "2", "0"]),
            condition: strings(&["good", "damaged", "good"]),
            serials: strings(&["", "SN-1\r\n SN-2 \r\n", ""]),
            ..ReturnForm::default()
        };
        let sent = lines_to_send(&form, Texts::new(Lang::En)).unwrap_or_default();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].0, 1);
        let expected = serde_json::json!({"invoice_line_no": 2, "quantity": 2, "condition": "damaged", "serials": ["SN-1", "SN-2"]});
        assert_eq!(sent[0].1, expected);
        let typo = ReturnForm { quantity: strings(&["two"]), ..ReturnForm::default() };
        assert!(lines_to_send(&typo, Texts::new(Lang::En)).is_err());
    }
}
