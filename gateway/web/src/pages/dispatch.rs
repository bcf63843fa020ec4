//! Dispatch orders (lệnh xuất bán): the list by status, and a dispatch order's record with the
//! moves of the people it passes through: the directors approve or reject it, the warehouse picks
//! the serial-numbered units and ships it, and the delivery is confirmed.

mod ship;

use std::collections::HashMap;

use askama::Template;
use atq_platform::caller::Action;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};

use super::customers::{Choice, choices};
use super::documents::{self, ActionForm, DocumentListRow, ListQuery, product_name};
use super::forms::check_csrf;
use crate::UiState;
use crate::format;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::DispatchOrder;

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/dispatch-orders", get(list))
        .route("/dispatch-orders/{id}", get(show))
        .route("/dispatch-orders/{id}/approve", post(approve))
        .route("/dispatch-orders/{id}/reject", post(reject))
        .route("/dispatch-orders/{id}/ship", post(ship::ship))
        .route("/dispatch-orders/{id}/deliver", post(deliver))
        .route("/dispatch-orders/{id}/pdf", get(pdf))
        .route("/dispatch-orders/{id}/goods-issue/pdf", get(goods_issue_pdf))
}

pub const STATUSES: [&str; 6] = ["requested", "approved", "rejected", "shipping", "shipped", "delivered"];

#[derive(Template)]
#[template(path = "dispatch_orders.html")]
struct ListPage {
    c: Chrome,
    statuses: Vec<Choice>,
    order_id: String,
    rows: Vec<DocumentListRow>,
    next_page: String,
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let route = ("/api/v1/dispatch-orders", "/dispatch-orders");
    let page = documents::read_list(&ui, &session, route, &query, &["status", "order_id"]).await?;
    let c = Chrome::new(&session, "/dispatch-orders", t.get("dispatch.title").to_owned(), "/dispatch-orders");
    Ok(html(&ListPage {
        c,
        statuses: choices(t, "status", &STATUSES, &query.status),
        order_id: documents::id_filter(&query.order_id),
        rows: documents::list_rows(page.rows, t),
        next_page: page.next_page,
    }))
}

/// A line of a dispatch order as shown; while it may be shipped, the units to pick from.
pub struct DispatchLineView {
    pub line_no: i32,
    pub model_code: String,
    pub product_name: String,
    pub quantity: String,
    /// The serial numbers shipped.
    pub serials: String,
    pub serial_tracked: bool,
    /// In stock in the dispatch order's warehouse: (serial, picked).
    pub available: Vec<(String, bool)>,
    pub error: String,
}

#[derive(Template)]
#[template(path = "dispatch_order.html")]
struct ShowPage {
    c: Chrome,
    dispatch: DispatchOrder,
    status: String,
    warehouse: String,
    created_at: String,
    shipped_at: String,
    delivered_at: String,
    lines: Vec<DispatchLineView>,
    /// Why the last action was refused.
    error: String,
    may_decide: bool,
    may_ship: bool,
    may_deliver: bool,
}

/// What a refused action leaves for the page: its message, and what the ship form had picked
/// (by line number) with the errors of its lines.
#[derive(Default)]
pub struct Refusal {
    pub message: String,
    pub picked: HashMap<i32, Vec<String>>,
    pub line_errors: HashMap<i32, String>,
}

/// A dispatch order's page, after `refusal` when an action was just refused.
pub async fn show_page(ui: &UiState, session: &Session, id: i64, refusal: Refusal) -> Result<Response, PageError> {
    let t = session.texts();
    let mut dispatch: DispatchOrder =
        ui.api.get(session.api_caller(), &format!("/api/v1/dispatch-orders/{id}")).await?;
    let role = session.caller.role;
    let status = dispatch.status.clone();
    let may_ship = role.may(Action::ShipDispatch) && matches!(status.as_str(), "approved" | "shipping");
    let lines = line_views(ui, session, &mut dispatch, may_ship, &refusal).await?;
    let day = |at: &Option<String>| at.as_deref().map(|a| format::time(a, t.lang)).unwrap_or_default();
    let title = format!("{} {}", t.get("dispatch.one"), dispatch.number);
    let page = ShowPage {
        c: Chrome::new(session, "/dispatch-orders", title, &format!("/dispatch-orders/{id}")),
        status: t.word("status", &status),
        warehouse: t.word("office", &dispatch.warehouse),
        created_at: format::time(&dispatch.created_at, t.lang),
        shipped_at: day(&dispatch.shipped_at),
        delivered_at: day(&dispatch.delivered_at),
        lines,
        error: refusal.message,
        may_decide: role.may(Action::DecideDispatch) && status == "requested",
        may_ship,
        may_deliver: role.may(Action::ConfirmDelivery) && status == "shipped",
        dispatch,
    };
    Ok(html(&page))
}

/// The lines as shown, taken out of `dispatch`; with the units to pick when it may be shipped.
async fn line_views(
    ui: &UiState,
    session: &Session,
    dispatch: &mut DispatchOrder,
    may_ship: bool,
    refusal: &Refusal,
) -> Result<Vec<DispatchLineView>, PageError> {
    let lang = session.texts().lang;
    let products =
        documents::products_by_id(ui, session, dispatch.lines.iter().map(|l| l.product_id).collect()).await?;
    let mut lines = Vec::new();
    for line in std::mem::take(&mut dispatch.lines) {
        let product = products.get(&line.product_id);
        let serial_tracked = product.is_some_and(|p| p.serial_tracked);
        let mut available = Vec::new();
        if may_ship && serial_tracked {
            let picked = refusal.picked.get(&line.line_no).map(Vec::as_slice).unwrap_or_default();
            for serial in ship::units_in_stock(ui, session, line.product_id, &dispatch.warehouse).await? {
                let is_picked = picked.contains(&serial);
                available.push((serial, is_picked));
            }
        }
        lines.push(DispatchLineView {
            line_no: line.line_no,
            model_code: line.model_code,
            product_name: product.map(|p| product_name(p, lang)).unwrap_or_default(),
            quantity: format::number(line.quantity, lang),
            serials: line.serials.join(", "),
            serial_tracked,
            available,
            error: refusal.line_errors.get(&line.line_no).cloned().unwrap_or_default(),
        });
    }
    Ok(lines)
}

async fn show(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    show_page(&ui, &session, id, Refusal::default()).await
}

/// Posts a move of the dispatch order; a refusal shows above its buttons.
async fn dispatch_action(
    ui: UiState,
    session: Session,
    id: i64,
    form: ActionForm,
    (step, body): (&str, serde_json::Value),
) -> Result<Response, PageError> {
    let refused = async |message| show_page(&ui, &session, id, Refusal { message, ..Refusal::default() }).await;
    let route = ("/api/v1/dispatch-orders", "/dispatch-orders", id);
    documents::post_step((&ui, &session), route, (step, &body), &form, refused).await
}

async fn approve(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    dispatch_action(ui, session, id, form, ("approve", serde_json::json!({}))).await
}

async fn reject(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let body = serde_json::json!({ "reason": form.reason.trim() });
    dispatch_action(ui, session, id, form, ("reject", body)).await
}

async fn deliver(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    dispatch_action(ui, session, id, form, ("deliver", serde_json::json!({}))).await
}

async fn pdf(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    documents::printed(&ui, &session, &format!("/api/v1/dispatch-orders/{id}/pdf")).await
}

/// The warehouse's goods issue slip (phiếu xuất kho), once the order has shipped.
async fn goods_issue_pdf(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    documents::printed(&ui, &session, &format!("/api/v1/dispatch-orders/{id}/goods-issue/pdf")).await
}
