//! Returns of delivered goods: the list (of a customer or an invoice when named) and a return's
//! record with its lines and the reducing invoice that adjusts the original. The form that takes
//! goods back starts from an invoice (`return_form.rs`).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::return_form;
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::ListOf;
use crate::views::returns::SalesReturn;

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/returns", get(list))
        .route("/returns/{id}", get(show))
        .route("/returns/{id}/pdf", get(pdf))
        .route("/invoices/{id}/return", get(return_form::new_form).post(return_form::create))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReturnListQuery {
    customer_id: String,
    invoice_id: String,
    cursor: String,
}

/// A return as a list row shows it.
pub struct ReturnRow {
    pub id: i64,
    pub number: String,
    pub invoice_id: i64,
    pub invoice_number: String,
    pub customer_name: String,
    pub returned_on: String,
    pub gross: String,
    pub adjustment: String,
}

pub fn row(r: &SalesReturn, t: Texts) -> ReturnRow {
    ReturnRow {
        id: r.id,
        number: r.number.clone(),
        invoice_id: r.invoice_id,
        invoice_number: r.invoice_number.clone(),
        customer_name: r.customer_name.clone(),
        returned_on: format::date(&r.returned_on, t.lang),
        gross: format::money(r.total_gross, t.lang),
        adjustment: r.adjustment.as_ref().map(|a| a.number.clone()).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "returns.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<ReturnRow>,
    next_page: String,
}

/// An id typed in a filter, or nothing.
fn id_filter(text: &str) -> Option<i64> {
    text.trim().parse::<i64>().ok().filter(|id| *id > 0)
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ReturnListQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let mut params: Vec<(&str, String)> = Vec::new();
    if let Some(id) = id_filter(&query.customer_id) {
        params.push(("customer_id", id.to_string()));
    }
    if let Some(id) = id_filter(&query.invoice_id) {
        params.push(("invoice_id", id.to_string()));
    }
    let filters = params.clone();
    if !query.cursor.is_empty() {
        params.push(("cursor", query.cursor.clone()));
    }
    let path = format!("/api/v1/returns?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    let page: ListOf<SalesReturn> = ui.api.get(session.api_caller(), &path).await?;
    let next_page = if page.next_cursor.is_empty() {
        String::new()
    } else {
        let mut next = filters;
        next.push(("cursor", page.next_cursor.clone()));
        format!("/returns?{}", serde_urlencoded::to_string(&next).unwrap_or_default())
    };
    let c = Chrome::new(&session, "/returns", t.get("returns.title").to_owned(), "/returns");
    Ok(html(&ListPage { c, rows: page.items.iter().map(|r| row(r, t)).collect(), next_page }))
}

/// A returned line as shown.
pub struct LineRow {
    pub model_code: String,
    pub quantity: String,
    pub condition: String,
    pub serials: String,
    pub unit_price: String,
    pub net: String,
    pub vat: String,
}

#[derive(Template)]
#[template(path = "return.html")]
struct ShowPage {
    c: Chrome,
    sales_return: SalesReturn,
    returned_on: String,
    lines: Vec<LineRow>,
    net: String,
    vat: String,
    gross: String,
    adjustment_number: String,
    adjustment_date: String,
    adjustment_net: String,
    adjustment_vat: String,
    adjustment_gross: String,
    receivable_reduced: String,
    customer_credit: String,
}

/// The reducing invoice as printed, in the person's language.
async fn pdf(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    super::documents::printed(&ui, &session, &format!("/api/v1/returns/{id}/pdf")).await
}

async fn show(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    let t = session.texts();
    let sales_return: SalesReturn = ui.api.get(session.api_caller(), &format!("/api/v1/returns/{id}")).await?;
    let money = |vnd: i64| format::money(vnd, t.lang);
    let lines = sales_return
        .lines
        .iter()
        .map(|l| LineRow {
            model_code: l.model_code.clone(),
            quantity: format::number(l.quantity, t.lang),
            condition: t.word("condition", &l.condition),
            serials: l.serials.join(", "),
            unit_price: money(l.unit_price),
            net: money(l.net_amount),
            vat: money(l.vat_amount),
        })
        .collect();
    let adjustment = sales_return.adjustment.clone().unwrap_or_default();
    let title = format!("{} {}", t.get("returns.one"), sales_return.number);
    Ok(html(&ShowPage {
        c: Chrome::new(&session, "/returns", title, &format!("/returns/{id}")),
        returned_on: format::date(&sales_return.returned_on, t.lang),
        lines,
        net: money(sales_return.total_net),
        vat: money(sales_return.total_vat),
        gross: money(sales_return.total_gross),
        adjustment_number: adjustment.number,
        adjustment_date: format::date(&adjustment.issue_date, t.lang),
        adjustment_net: money(adjustment.total_net),
        adjustment_vat: money(adjustment.total_vat),
        adjustment_gross: money(adjustment.total_gross),
        receivable_reduced: money(sales_return.receivable_reduced),
        customer_credit: money(sales_return.customer_credit),
        sales_return,
    }))
}
