//! Sales orders: the list (by status, by customer) and an order's record with its lines, how far
//! each line has gone (reserved, waiting for goods, shipped, delivered), its dispatch orders, and
//! the moves its status allows: confirm (which a credit limit may refuse), cancel, and request
//! the dispatch order for what remains.

use askama::Template;
use atq_platform::caller::Action;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use super::customers::{Choice, choices};
use super::discussion::{self, Draft, Subject, Talk};
use super::documents::{self, Acted, ActionForm, DocumentListRow, LineView, ListQuery, Totals, act, percent};
use super::forms::{check_csrf, new_idempotency_key};
use crate::UiState;
use crate::format;
use crate::i18n::Lang;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::{DocumentRow, ListOf, Order, OrderLine};

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/orders", get(list))
        .route("/orders/{id}", get(show))
        .route("/orders/{id}/pdf", get(pdf))
        .route("/orders/{id}/confirm", post(confirm))
        .route("/orders/{id}/cancel", post(cancel))
        .route("/orders/{id}/dispatch", post(request_dispatch))
}

pub const STATUSES: [&str; 6] = ["draft", "confirming", "confirmed", "cancelling", "cancelled", "completed"];

#[derive(Template)]
#[template(path = "orders.html")]
struct ListPage {
    c: Chrome,
    statuses: Vec<Choice>,
    customer_id: String,
    rows: Vec<DocumentListRow>,
    next_page: String,
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let page =
        documents::read_list(&ui, &session, ("/api/v1/orders", "/orders"), &query, &["status", "customer_id"]).await?;
    let c = Chrome::new(&session, "/orders", t.get("orders.title").to_owned(), "/orders");
    Ok(html(&ListPage {
        c,
        statuses: choices(t, "status", &STATUSES, &query.status),
        customer_id: documents::id_filter(&query.customer_id),
        rows: documents::list_rows(page.rows, t),
        next_page: page.next_page,
    }))
}

/// A line of an order as shown: its prices, and how many units stand where.
pub struct OrderLineView {
    pub line: LineView,
    pub reserved: String,
    pub backordered: String,
    pub shipped: String,
    pub delivered: String,
}

fn line_view(line: OrderLine, lang: Lang) -> OrderLineView {
    OrderLineView {
        reserved: format::number(line.reserved, lang),
        backordered: format::number(line.backordered, lang),
        shipped: format::number(line.shipped, lang),
        delivered: format::number(line.delivered, lang),
        line: LineView {
            model_code: line.model_code,
            product_name: line.product_name,
            quantity: format::number(line.quantity, lang),
            unit_price: format::money(line.unit_price, lang),
            // The amount off the line: empty for a line without discount.
            discount: if line.discount_amount == 0 { String::new() } else { format::money(line.discount_amount, lang) },
            vat_rate: percent(&line.vat_rate, lang),
            net_amount: format::money(line.net_amount, lang),
            vat_amount: format::money(line.vat_amount, lang),
            gross_amount: format::money(line.gross_amount, lang),
            promotions: line.promotions.join(", "),
            ..LineView::default()
        },
    }
}

#[derive(Template)]
#[template(path = "order.html")]
struct ShowPage {
    c: Chrome,
    order: Order,
    status: String,
    warehouse: String,
    created_at: String,
    confirmed_at: String,
    lines: Vec<OrderLineView>,
    totals: Totals,
    dispatch_orders: Vec<DocumentListRow>,
    /// Why the last action was refused.
    error: String,
    may_confirm: bool,
    /// After a refused confirmation, a director may confirm beyond the credit limit.
    may_override: bool,
    may_cancel: bool,
    may_dispatch: bool,
    idempotency_key: String,
    talk: Talk,
}

/// Whether the order holds goods in its warehouse that a dispatch order could take.
fn has_reserved(order: &Order) -> bool {
    order.lines.iter().any(|line| line.reserved > 0)
}

/// An order's page; `error` is why an action was just refused (empty when none).
pub(in crate::pages) async fn show_page(
    ui: &UiState,
    session: &Session,
    id: i64,
    error: String,
    draft: Draft,
) -> Result<Response, PageError> {
    let t = session.texts();
    let mut order: Order = ui.api.get(session.api_caller(), &format!("/api/v1/orders/{id}")).await?;
    let dispatch_path = format!("/api/v1/dispatch-orders?order_id={id}&limit=50");
    let dispatches: ListOf<DocumentRow> = ui.api.get(session.api_caller(), &dispatch_path).await?;
    let role = session.caller.role;
    let may_write = role.may(Action::WriteOrders);
    let status = order.status.clone();
    let may_dispatch = may_write && status == "confirmed" && has_reserved(&order);
    let lines = std::mem::take(&mut order.lines).into_iter().map(|l| line_view(l, t.lang)).collect();
    let may_confirm = may_write && matches!(status.as_str(), "draft" | "confirming");
    let c =
        Chrome::new(session, "/orders", format!("{} {}", t.get("orders.one"), order.number), &format!("/orders/{id}"));
    let page = ShowPage {
        c,
        status: t.word("status", &status),
        warehouse: t.word("office", &order.warehouse),
        created_at: format::time(&order.created_at, t.lang),
        confirmed_at: order.confirmed_at.as_deref().map(|at| format::time(at, t.lang)).unwrap_or_default(),
        lines,
        totals: Totals::new(order.total_net, order.total_vat, order.total_gross, t.lang),
        dispatch_orders: documents::list_rows(dispatches.items, t),
        may_override: may_confirm && !error.is_empty() && role.may(Action::OverrideCredit),
        error,
        may_confirm,
        may_cancel: may_write && matches!(status.as_str(), "draft" | "confirming" | "confirmed" | "cancelling"),
        may_dispatch,
        idempotency_key: new_idempotency_key(),
        talk: discussion::load(ui, session, Subject::Order(id), draft).await?,
        order,
    };
    Ok(html(&page))
}

/// The sales order as printed for the customer to sign, in the person's language.
async fn pdf(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    documents::printed(&ui, &session, &format!("/api/v1/orders/{id}/pdf")).await
}

async fn show(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    show_page(&ui, &session, id, String::new(), Draft::default()).await
}

/// Posts a move of the order; a refusal (a credit limit, a stale page) shows above its buttons.
async fn order_action(
    ui: UiState,
    session: Session,
    id: i64,
    form: ActionForm,
    (step, body): (&str, serde_json::Value),
) -> Result<Response, PageError> {
    let refused = async |why| show_page(&ui, &session, id, why, Draft::default()).await;
    documents::post_step((&ui, &session), ("/api/v1/orders", "/orders", id), (step, &body), &form, refused).await
}

async fn confirm(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let body = if form.override_credit.is_empty() {
        serde_json::json!({})
    } else {
        serde_json::json!({ "override_credit": true })
    };
    order_action(ui, session, id, form, ("confirm", body)).await
}

async fn cancel(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    order_action(ui, session, id, form, ("cancel", serde_json::json!({}))).await
}

/// A dispatch order for everything of the order reserved and not yet dispatched.
async fn request_dispatch(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let form = ActionForm { version: 0, ..form };
    let path = format!("/api/v1/orders/{id}/dispatch-orders");
    match act(&ui, &session, &path, &serde_json::json!({}), &form).await? {
        Acted::Done(answer) => {
            Ok(Redirect::to(&format!("/dispatch-orders/{}", documents::id_of(&answer)?)).into_response())
        }
        Acted::Refused(why) => Ok(show_page(&ui, &session, id, why, Draft::default()).await?),
    }
}

#[cfg(test)]
mod tests {
    use askama::Template;
    use atq_platform::{Caller, Role};

    use super::*;

    fn session(role: Role) -> Session {
        Session {
            caller: Caller { username: "ha".into(), role, office: None },
            token: String::new(),
            display_name: "Hà".into(),
            csrf: "token".into(),
            lang: Lang::Vi,
            client: None,
        }
    }

    fn draft_order() -> Order {
        Order {
            id: 7,
            number: "DH-2026-0007".into(),
            customer_id: 3,
            customer_name: "Trường THPT Chu Văn An".into(),
            warehouse: "HN".into(),
            status: "draft".into(),
            note: String::new(),
            lines: Vec::new(),
            total_net: 1_000_000,
            total_vat: 100_000,
            total_gross: 1_100_000,
            created_by: "ha".into(),
            version: 2,
            created_at: "2026-03-01T02:00:00Z".into(),
            confirmed_at: None,
            quote_id: None,
            quote_number: None,
        }
    }

    fn page(error: &str, may_override: bool) -> String {
        let session = session(Role::Director);
        ShowPage {
            c: Chrome::new(&session, "/orders", "DH-2026-0007".into(), "/orders/7"),
            order: draft_order(),
            status: "Nháp".into(),
            warehouse: "Hà Nội".into(),
            created_at: String::new(),
            confirmed_at: String::new(),
            lines: Vec::new(),
            totals: Totals::new(1_000_000, 100_000, 1_100_000, Lang::Vi),
            dispatch_orders: Vec::new(),
            error: error.into(),
            may_confirm: true,
            may_override,
            may_cancel: true,
            may_dispatch: false,
            idempotency_key: "k".into(),
            talk: Talk::default(),
        }
        .render()
        .unwrap()
    }

    #[test]
    fn a_refused_confirmation_shows_above_the_buttons() {
        let html = page("vượt hạn mức công nợ", true);
        let (error_at, button_at) =
            (html.find("id=\"action-error\"").unwrap(), html.find("id=\"confirm-order\"").unwrap());
        assert!(error_at < button_at);
        assert!(html.contains("name=\"override_credit\"") && html.contains("1.100.000 ₫"));
        assert!(html.contains("id=\"cancel-order\"") && !html.contains("id=\"request-dispatch\""));
    }

    #[test]
    fn the_credit_override_is_offered_only_after_a_refusal() {
        let html = page("", false);
        assert!(!html.contains("override_credit") && !html.contains("action-error"));
    }
}
