//! Invoices (one per shipment): the list by status and customer, and an invoice's record with its
//! lines, its net and VAT per rate, what is paid and what is still open, and its printed copy.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;

use super::customers::{Choice, choices};
use super::documents::{self, DocumentListRow, LineView, ListQuery, Totals, percent, product_name};
use super::returns::{self, ReturnRow};
use crate::UiState;
use crate::format;
use crate::i18n::Lang;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::returns::SalesReturn;
use crate::views::{Invoice, InvoiceLine, ListOf, Product, VatSummary};

pub fn router() -> Router<UiState> {
    Router::new().route("/invoices", get(list)).route("/invoices/{id}", get(show)).route("/invoices/{id}/pdf", get(pdf))
}

pub const STATUSES: [&str; 2] = ["open", "paid"];

#[derive(Template)]
#[template(path = "invoices.html")]
struct ListPage {
    c: Chrome,
    statuses: Vec<Choice>,
    customer_id: String,
    /// Sales staff read invoices one customer at a time.
    needs_customer: bool,
    rows: Vec<DocumentListRow>,
    next_page: String,
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let customer_id = query.customer_id.trim();
    let customer_id = if customer_id.parse::<i64>().is_ok() { customer_id.to_owned() } else { String::new() };
    let needs_customer = session.caller.role.is_office_scoped() && customer_id.is_empty();
    let (rows, next_page) = if needs_customer {
        (Vec::new(), String::new())
    } else {
        let route = ("/api/v1/invoices", "/invoices");
        let page = documents::read_list(&ui, &session, route, &query, &["status", "customer_id"]).await?;
        (documents::list_rows(page.rows, t), page.next_page)
    };
    let c = Chrome::new(&session, "/invoices", t.get("invoices.title").to_owned(), "/invoices");
    Ok(html(&ListPage {
        c,
        statuses: choices(t, "status", &STATUSES, &query.status),
        customer_id,
        needs_customer,
        rows,
        next_page,
    }))
}

/// Net and VAT at one rate, as shown.
pub struct VatRow {
    pub rate: String,
    pub net: String,
    pub vat: String,
    pub gross: String,
}

#[derive(Template)]
#[template(path = "invoice.html")]
struct ShowPage {
    c: Chrome,
    invoice: Invoice,
    status: String,
    issue_date: String,
    due_date: String,
    lines: Vec<LineView>,
    vat_rows: Vec<VatRow>,
    totals: Totals,
    paid: String,
    open_amount: String,
    /// The goods that came back from this invoice, each with its reducing invoice.
    returns: Vec<ReturnRow>,
    /// Accounting takes goods back (and issues the reducing invoice).
    may_return: bool,
}

/// A sum the page shows; an amount too large to add up is shown as nothing rather than wrong.
fn sum_money(a: i64, b: i64, lang: Lang) -> String {
    a.checked_add(b).map(|sum| format::money(sum, lang)).unwrap_or_default()
}

fn line_view(line: InvoiceLine, product: Option<&Product>, lang: Lang) -> LineView {
    LineView {
        model_code: line.model_code,
        product_name: product.map(|p| product_name(p, lang)).unwrap_or_default(),
        quantity: format::number(line.quantity, lang),
        unit_price: format::money(line.unit_price, lang),
        discount: if line.discount_amount == 0 { String::new() } else { format::money(line.discount_amount, lang) },
        vat_rate: percent(&line.vat_rate, lang),
        net_amount: format::money(line.net_amount, lang),
        vat_amount: format::money(line.vat_amount, lang),
        gross_amount: sum_money(line.net_amount, line.vat_amount, lang),
        ..LineView::default()
    }
}

fn vat_row(summary: &VatSummary, lang: Lang) -> VatRow {
    VatRow {
        rate: percent(&summary.vat_rate, lang),
        net: format::money(summary.net_amount, lang),
        vat: format::money(summary.vat_amount, lang),
        gross: sum_money(summary.net_amount, summary.vat_amount, lang),
    }
}

async fn show(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    let t = session.texts();
    let mut invoice: Invoice = ui.api.get(session.api_caller(), &format!("/api/v1/invoices/{id}")).await?;
    let products =
        documents::products_by_id(&ui, &session, invoice.lines.iter().map(|l| l.product_id).collect()).await?;
    let lines = std::mem::take(&mut invoice.lines)
        .into_iter()
        .map(|line| {
            let product = products.get(&line.product_id);
            line_view(line, product, t.lang)
        })
        .collect();
    let returned: ListOf<SalesReturn> =
        ui.api.get(session.api_caller(), &format!("/api/v1/returns?invoice_id={id}")).await?;
    let title = format!("{} {}", t.get("invoices.one"), invoice.number);
    Ok(html(&ShowPage {
        c: Chrome::new(&session, "/invoices", title, &format!("/invoices/{id}")),
        status: t.word("status", &invoice.status),
        issue_date: format::date(&invoice.issue_date, t.lang),
        due_date: format::date(&invoice.due_date, t.lang),
        lines,
        vat_rows: invoice.vat.iter().map(|v| vat_row(v, t.lang)).collect(),
        totals: Totals::new(invoice.total_net, invoice.total_vat, invoice.total_gross, t.lang),
        paid: format::money(invoice.paid, t.lang),
        open_amount: format::money(invoice.open_amount, t.lang),
        returns: returned.items.iter().map(|r| returns::row(r, t)).collect(),
        may_return: session.caller.role.may(atq_platform::caller::Action::WriteAccounts),
        invoice,
    }))
}

async fn pdf(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    documents::printed(&ui, &session, &format!("/api/v1/invoices/{id}/pdf")).await
}
