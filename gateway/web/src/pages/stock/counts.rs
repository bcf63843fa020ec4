//! Stocktakes (kiểm kê): the count sheet of one warehouse lists what the books say it holds of
//! each product and condition; the keeper enters what was counted (for serial-numbered products,
//! the serial numbers found) and why a count differs. Rows left blank are not part of the count,
//! so a partial count of some shelves is possible. After posting, the page shows each line's
//! surplus or shortage as the API worked it out (in `posted`).

mod posted;

use std::collections::HashMap;

use askama::Template;
use atq_platform::caller::Action;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::Response;
use axum_extra::extract::Form;
use serde::Deserialize;

use super::receipt::ProductChoice;
use super::transfers::{allowed, conflict_on_its_line, product_choices, serial_lines, value_at};
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::customers::{Choice, OFFICES, choices};
use crate::pages::documents::{product_name, products_by_id};
use crate::pages::forms::{FieldErrors, check_csrf, line_error_fields, new_idempotency_key, put_line_errors};
use crate::session::Session;
use crate::views::{ListOf, StockLevel};
pub use posted::{StockCount, count_page};

/// Rows for products the books do not have in this warehouse but the count found.
const EXTRA_ROWS: usize = 3;
const HEAD_FIELDS: [&str; 2] = ["warehouse", "lines"];
/// The fields a count's line may have errors on, as the API names them (`lines[0].counted`).
const LINE_FIELDS: [&str; 5] = ["product_id", "condition", "counted", "serials", "reason"];
const CONDITIONS: [&str; 2] = ["good", "damaged"];

/// The sheet as typed; the row fields repeat once per row, in the sheet's order.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CountForm {
    csrf: String,
    idempotency_key: String,
    warehouse: String,
    /// `sheet` for a row the books have, `extra` for one the keeper adds.
    row_kind: Vec<String>,
    product_id: Vec<String>,
    condition: Vec<String>,
    counted: Vec<String>,
    serials: Vec<String>,
    reason: Vec<String>,
}

/// A row of the count sheet: what the books say, what was typed, and why it was refused.
#[derive(Default)]
pub struct SheetRow {
    pub extra: bool,
    pub product_id: String,
    pub condition: String,
    pub condition_label: String,
    pub model_code: String,
    pub name: String,
    pub tracked: bool,
    pub book: String,
    pub counted: String,
    pub serials: String,
    pub reason: String,
    pub error: String,
}

impl SheetRow {
    fn is_blank(&self) -> bool {
        self.counted.is_empty() && self.serials.is_empty() && (!self.extra || self.product_id.is_empty())
    }
}

#[derive(Template)]
#[template(path = "stock_count_form.html")]
struct SheetPage {
    c: Chrome,
    form: CountForm,
    warehouses: Vec<Choice>,
    warehouse_name: String,
    products: Vec<ProductChoice>,
    conditions: Vec<Choice>,
    rows: Vec<SheetRow>,
    errors: FieldErrors,
    other_errors: String,
}

/// A known warehouse code, else the person's own office's, else Hà Nội's.
fn warehouse_of(typed: &str, session: &Session) -> String {
    match OFFICES.iter().find(|o| **o == typed.trim()) {
        Some(code) => (*code).to_owned(),
        None => session.caller.office.map(|o| o.code().to_owned()).unwrap_or_else(|| "HN".into()),
    }
}

/// What the books hold in `warehouse`, by product and condition.
async fn book_of(ui: &UiState, session: &Session, warehouse: &str) -> Result<HashMap<(i64, String), i64>, PageError> {
    let query = serde_urlencoded::to_string([("warehouse", warehouse)]).unwrap_or_default();
    let levels: ListOf<StockLevel> = ui.api.get(session.api_caller(), &format!("/api/v1/stock?{query}")).await?;
    Ok(levels.items.into_iter().map(|l| ((l.product_id, l.condition), l.on_hand)).collect())
}

/// Fills in the product of each row and what the books hold of it.
async fn decorate(
    ui: &UiState,
    session: &Session,
    book: &HashMap<(i64, String), i64>,
    rows: &mut [SheetRow],
) -> Result<(), PageError> {
    let t = session.texts();
    let ids = rows.iter().filter_map(|r| r.product_id.parse::<i64>().ok()).collect();
    let products = products_by_id(ui, session, ids).await?;
    for row in rows.iter_mut() {
        let id = row.product_id.parse::<i64>().unwrap_or(0);
        if let Some(product) = products.get(&id) {
            row.model_code = product.model_code.clone();
            row.name = product_name(product, t.lang);
            row.tracked = product.serial_tracked;
        }
        let on_hand = book.get(&(id, row.condition.clone())).copied().unwrap_or(0);
        row.book = format::number(on_hand, t.lang);
        row.condition_label = t.word("condition", &row.condition);
    }
    Ok(())
}

/// The sheet with `rows` already decorated: the books' rows by model code, the added rows last.
/// Its key is always fresh: a corrected sheet is a new count.
async fn sheet_page(
    ui: &UiState,
    session: &Session,
    form: CountForm,
    mut rows: Vec<SheetRow>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let t = session.texts();
    let form = CountForm { idempotency_key: new_idempotency_key(), ..form };
    rows.sort_by(|a, b| (a.extra, &a.model_code, &a.condition).cmp(&(b.extra, &b.model_code, &b.condition)));
    let products = product_choices(ui, session).await?;
    let shown: Vec<String> = HEAD_FIELDS
        .iter()
        .map(|f| (*f).to_owned())
        .chain((0..rows.len()).flat_map(|i| line_error_fields(i, &LINE_FIELDS)))
        .collect();
    let other_errors = errors.others(&shown.iter().map(String::as_str).collect::<Vec<_>>());
    let here = format!("/stock/counts/new?warehouse={}", form.warehouse);
    let c = Chrome::new(session, "/stock", t.get("counts.new").to_owned(), &here);
    Ok(html(&SheetPage {
        c,
        warehouses: choices(t, "office", &OFFICES, &form.warehouse),
        warehouse_name: t.word("office", &form.warehouse),
        conditions: choices(t, "condition", &CONDITIONS, "good"),
        form,
        products,
        rows,
        errors,
        other_errors,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SheetQuery {
    warehouse: String,
}

pub async fn new_sheet(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<SheetQuery>,
) -> Result<Response, PageError> {
    allowed(&session, Action::WriteStock)?;
    let warehouse = warehouse_of(&query.warehouse, &session);
    let book = book_of(&ui, &session, &warehouse).await?;
    let mut rows: Vec<SheetRow> = book
        .keys()
        .map(|(id, condition)| SheetRow {
            product_id: id.to_string(),
            condition: condition.clone(),
            ..SheetRow::default()
        })
        .collect();
    rows.extend((0..EXTRA_ROWS).map(|_| SheetRow { extra: true, condition: "good".into(), ..SheetRow::default() }));
    decorate(&ui, &session, &book, &mut rows).await?;
    let form = CountForm { warehouse, ..CountForm::default() };
    sheet_page(&ui, &session, form, rows, FieldErrors::default()).await
}

/// The rows as typed, without the books' figures.
fn typed_rows(form: &CountForm) -> Vec<SheetRow> {
    (0..form.row_kind.len())
        .map(|i| SheetRow {
            extra: value_at(&form.row_kind, i) == "extra",
            product_id: value_at(&form.product_id, i),
            condition: value_at(&form.condition, i),
            counted: value_at(&form.counted, i),
            serials: value_at(&form.serials, i),
            reason: value_at(&form.reason, i),
            ..SheetRow::default()
        })
        .collect()
}

/// What is wrong with a filled row before asking the API; empty when nothing is.
fn row_error(row: &SheetRow, t: Texts) -> &'static str {
    if row.is_blank() {
        return "";
    }
    if row.product_id.is_empty() {
        return t.get("quotes.choose_product");
    }
    let counted = if row.counted.is_empty() { None } else { row.counted.parse::<i64>().ok().filter(|n| *n >= 0) };
    if !row.counted.is_empty() && counted.is_none() {
        return t.get("counts.counted_whole");
    }
    let found = serial_lines(&row.serials).len();
    if row.tracked && counted.is_some_and(|n| usize::try_from(n).ok() != Some(found)) {
        return t.get("counts.serials_match");
    }
    if !row.tracked && counted.is_none() {
        return t.get("counts.counted_whole");
    }
    ""
}

/// The lines to send: each filled row, with the index of its row.
fn lines_to_send(rows: &[SheetRow]) -> Vec<(usize, serde_json::Value)> {
    rows.iter()
        .enumerate()
        .filter(|(_, row)| !row.is_blank())
        .filter_map(|(i, row)| {
            let serials = if row.tracked { serial_lines(&row.serials) } else { Vec::new() };
            let counted = if row.tracked { i64::try_from(serials.len()).ok()? } else { row.counted.parse().ok()? };
            let line = serde_json::json!({
                "product_id": row.product_id.parse::<i64>().ok()?, "condition": row.condition,
                "counted": counted, "serials": serials, "reason": row.reason,
            });
            Some((i, line))
        })
        .collect()
}

pub async fn create(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<CountForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let t = session.texts();
    let form = CountForm { warehouse: warehouse_of(&form.warehouse, &session), ..form };
    let mut rows = typed_rows(&form);
    let book = book_of(&ui, &session, &form.warehouse).await?;
    decorate(&ui, &session, &book, &mut rows).await?;
    for row in &mut rows {
        row.error = row_error(row, t).to_owned();
    }
    if rows.iter().any(|row| !row.error.is_empty()) {
        return sheet_page(&ui, &session, form, rows, FieldErrors::default()).await;
    }
    let sent = lines_to_send(&rows);
    let body = serde_json::json!({
        "warehouse": form.warehouse, "lines": sent.iter().map(|(_, line)| line).collect::<Vec<_>>(),
    });
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/stock/counts", &body, &headers).await {
        Ok(answer) => count_page(&ui, &session, answer.json()?, true).await,
        Err(problem) => {
            let errors = FieldErrors::from_problem(conflict_on_its_line(problem), t)?;
            put_line_errors(&errors, sent.iter().map(|(row, _)| *row), &LINE_FIELDS, &mut rows, |row| &mut row.error);
            sheet_page(&ui, &session, form, rows, errors).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn row(tracked: bool, counted: &str, serials: &str) -> SheetRow {
        SheetRow {
            product_id: "7".into(),
            condition: "good".into(),
            tracked,
            counted: counted.into(),
            serials: serials.into(),
            ..SheetRow::default()
        }
    }

    #[test]
    fn a_count_is_a_whole_number_and_serials_match_it() {
        let t = Texts::new(Lang::En);
        assert!(row_error(&row(false, "", ""), t).is_empty(), "a blank row is not counted");
        assert!(row_error(&row(false, "3", ""), t).is_empty());
        assert!(!row_error(&row(false, "-1", ""), t).is_empty());
        assert!(!row_error(&row(false, "2,5", ""), t).is_empty());
        assert!(row_error(&row(true, "", "SN-1\nSN-2"), t).is_empty());
        assert!(row_error(&row(true, "0", ""), t).is_empty(), "none found is a count");
        assert!(!row_error(&row(true, "3", "SN-1\nSN-2"), t).is_empty());
        let extra = SheetRow { extra: true, counted: "1".into(), ..SheetRow::default() };
        assert!(!row_error(&extra, t).is_empty(), "an added row names its product");
    }

    #[test]
    fn serial_numbered_rows_send_the_serials_found_as_the_count() {
        let rows = [row(true, "", "SN-1\r\n SN-2 "), row(false, "", ""), row(false, "4", "")];
        let sent = lines_to_send(&rows);
        assert_eq!(sent.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [0, 2]);
        assert_eq!(sent[0].1["counted"], 2);
        assert_eq!(sent[0].1["serials"], serde_json::json!(["SN-1", "SN-2"]));
        assert_eq!(sent[1].1["counted"], 4);
    }
}
