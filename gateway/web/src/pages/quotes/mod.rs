//! Quotes: the list (by status, by customer), a quote's record with its lines and totals and the
//! moves the customer's answer allows (send, accept, reject, make the order), and the form to
//! write a new one (in `form`).

mod form;

use askama::Template;
use atq_platform::caller::Action;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use super::customers::{Choice, OFFICES, choices};
use super::documents::{self, Acted, ActionForm, DocumentListRow, LineView, ListQuery, Totals, act, percent};
use super::forms::{check_csrf, new_idempotency_key};
use crate::UiState;
use crate::format;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::{Quote, QuoteLine};

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/quotes", get(list).post(form::create))
        .route("/quotes/new", get(form::new_form))
        .route("/quotes/{id}", get(show))
        .route("/quotes/{id}/send", post(send))
        .route("/quotes/{id}/accept", post(accept))
        .route("/quotes/{id}/reject", post(reject))
        .route("/quotes/{id}/order", post(make_order))
        .route("/quotes/{id}/pdf", get(pdf))
}

pub const STATUSES: [&str; 5] = ["draft", "sent", "accepted", "rejected", "expired"];

#[derive(Template)]
#[template(path = "quotes.html")]
struct ListPage {
    c: Chrome,
    statuses: Vec<Choice>,
    customer_id: String,
    rows: Vec<DocumentListRow>,
    next_page: String,
    new_quote: String,
    may_write: bool,
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let page =
        documents::read_list(&ui, &session, ("/api/v1/quotes", "/quotes"), &query, &["status", "customer_id"]).await?;
    let customer_id = query.customer_id.trim().to_owned();
    let new_quote = if customer_id.is_empty() {
        "/quotes/new".to_owned()
    } else {
        format!("/quotes/new?customer_id={customer_id}")
    };
    let c = Chrome::new(&session, "/quotes", t.get("quotes.title").to_owned(), "/quotes");
    Ok(html(&ListPage {
        c,
        statuses: choices(t, "status", &STATUSES, &query.status),
        customer_id: if customer_id.parse::<i64>().is_ok() { customer_id } else { String::new() },
        rows: documents::list_rows(page.rows, t),
        next_page: page.next_page,
        new_quote,
        may_write: session.caller.role.may(Action::WriteOrders),
    }))
}

#[derive(Template)]
#[template(path = "quote.html")]
struct ShowPage {
    c: Chrome,
    quote: Quote,
    status: String,
    valid_until: String,
    created_at: String,
    lines: Vec<LineView>,
    totals: Totals,
    /// Why the last action was refused.
    error: String,
    may_send: bool,
    may_decide: bool,
    may_order: bool,
    warehouses: Vec<Choice>,
    idempotency_key: String,
}

fn line_view(line: QuoteLine, lang: crate::Lang) -> LineView {
    let no_discount = line.discount.trim_start_matches(['0', '.']).is_empty();
    LineView {
        model_code: line.model_code,
        product_name: line.product_name,
        quantity: format::number(line.quantity, lang),
        unit_price: format::money(line.unit_price, lang),
        discount: if no_discount { String::new() } else { percent(&line.discount, lang) },
        net_unit_price: format::money(line.net_unit_price, lang),
        vat_rate: percent(&line.vat_rate, lang),
        net_amount: format::money(line.net_amount, lang),
        vat_amount: format::money(line.vat_amount, lang),
        gross_amount: format::money(line.gross_amount, lang),
        promotions: line.promotions.join(", "),
    }
}

/// A quote's page; `error` is why an action was just refused (empty when none).
async fn show_page(ui: &UiState, session: &Session, id: i64, error: String) -> Result<Response, PageError> {
    let t = session.texts();
    let mut quote: Quote = ui.api.get(session.api_caller(), &format!("/api/v1/quotes/{id}")).await?;
    let lines = std::mem::take(&mut quote.lines).into_iter().map(|l| line_view(l, t.lang)).collect();
    let may_write = session.caller.role.may(Action::WriteOrders);
    let status = quote.status.as_str();
    let c =
        Chrome::new(session, "/quotes", format!("{} {}", t.get("quotes.one"), quote.number), &format!("/quotes/{id}"));
    let page = ShowPage {
        c,
        status: t.word("status", status),
        valid_until: format::date(&quote.valid_until, t.lang),
        created_at: format::time(&quote.created_at, t.lang),
        lines,
        totals: Totals::new(quote.total_net, quote.total_vat, quote.total_gross, t.lang),
        error,
        may_send: may_write && status == "draft",
        may_decide: may_write && matches!(status, "draft" | "sent"),
        may_order: may_write && status == "accepted" && quote.order_id.is_none(),
        warehouses: choices(t, "office", &OFFICES, &quote.office),
        idempotency_key: new_idempotency_key(),
        quote,
    };
    Ok(html(&page))
}

async fn show(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    show_page(&ui, &session, id, String::new()).await
}

/// Makes a move of the quote and comes back to it; a refusal shows on its page.
async fn decide(ui: UiState, session: Session, id: i64, form: ActionForm, step: &str) -> Result<Response, PageError> {
    let body = serde_json::json!({ "note": form.note.trim() });
    let refused = async |why| show_page(&ui, &session, id, why).await;
    documents::post_step((&ui, &session), ("/api/v1/quotes", "/quotes", id), (step, &body), &form, refused).await
}

async fn send(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    decide(ui, session, id, ActionForm { note: String::new(), ..form }, "send").await
}

async fn accept(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    decide(ui, session, id, ActionForm { note: String::new(), ..form }, "accept").await
}

async fn reject(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    decide(ui, session, id, form, "reject").await
}

/// The order made from an accepted quote: its lines and prices, from the warehouse chosen.
async fn make_order(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let quote: Quote = ui.api.get(session.api_caller(), &format!("/api/v1/quotes/{id}")).await?;
    let body = serde_json::json!({ "customer_id": quote.customer_id, "quote_id": id, "warehouse": form.warehouse });
    // The version belongs to the quote, not to the order being created.
    let form = ActionForm { version: 0, ..form };
    match act(&ui, &session, "/api/v1/orders", &body, &form).await? {
        Acted::Done(answer) => Ok(Redirect::to(&format!("/orders/{}", documents::id_of(&answer)?)).into_response()),
        Acted::Refused(why) => Ok(show_page(&ui, &session, id, why).await?),
    }
}

async fn pdf(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    documents::printed(&ui, &session, &format!("/api/v1/quotes/{id}/pdf")).await
}
