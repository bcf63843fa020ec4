//! `/api/v1/orders`: sales orders, their confirmation (stock reserved, backorders waiting) and
//! cancellation.

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::sales::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{
    ListBody, enum_text, office_from_text, office_text, optional_id, page, rate_bp_from_text, rate_text,
    record_response, rfc3339, version_if_sent,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_order, list_orders))
        .routes(routes!(get_order))
        .routes(routes!(confirm_order))
        .routes(routes!(cancel_order))
}

#[derive(Serialize, ToSchema)]
pub struct OrderLineBody {
    pub line_no: i32,
    pub product_id: i64,
    pub model_code: String,
    pub product_name: String,
    pub supplier_id: i64,
    pub quantity: i64,
    /// VND per unit, without VAT, before any discount
    pub unit_price: i64,
    pub vat_rate: String,
    /// YYYY-MM-DD (Asia/Ho_Chi_Minh)
    pub delivery_date: Option<String>,
    /// The line's discounts (the quote's and the promotions'), VND without VAT
    pub discount_amount: i64,
    /// quantity × unit_price less discount_amount
    pub net_amount: i64,
    pub vat_amount: i64,
    pub gross_amount: i64,
    pub reserved: i64,
    /// Waiting for goods (confirmed orders).
    pub backordered: i64,
    pub shipped: i64,
    pub delivered: i64,
    /// YYYY-MM-DD: when import planning promises the goods ready; null until planned
    pub promised_on: Option<String>,
    /// Why the promise misses the schedule, as import planning says; empty when on time
    pub supply_note: String,
    /// The promotion programmes that took part of the line off or made it a gift, by name
    pub promotions: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderBody {
    pub id: i64,
    /// "DH-2026-0001"
    pub number: String,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub customer_group: String,
    pub office: String,
    pub warehouse: String,
    /// draft, confirming, confirmed, cancelling, cancelled, completed
    pub status: String,
    pub note: String,
    pub lines: Vec<OrderLineBody>,
    /// Sum of the lines' discounts, VND without VAT
    pub total_discount: i64,
    pub total_net: i64,
    pub total_vat: i64,
    pub total_gross: i64,
    pub created_by: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub confirmed_at: Option<String>,
    /// The accepted quote it was made from
    pub quote_id: Option<i64>,
    pub quote_number: Option<String>,
    /// The contract it falls under
    pub contract_id: Option<i64>,
    pub contract_number: Option<String>,
    /// The import plan that times the goods, "KH-2026-0001"; null until planned
    pub import_plan_number: Option<String>,
    /// The plan's latest revision shown on the order; 0 until planned
    pub import_plan_revision: i64,
}

impl From<pb::Order> for OrderBody {
    fn from(o: pb::Order) -> Self {
        OrderBody {
            id: o.id,
            number: o.number,
            customer_id: o.customer_id,
            customer_code: o.customer_code,
            customer_name: o.customer_name,
            customer_group: enum_text::<pb::CustomerGroup>(o.customer_group),
            office: office_text(o.office),
            warehouse: office_text(o.warehouse),
            status: o.status,
            note: o.note,
            lines: o
                .lines
                .into_iter()
                .map(|l| OrderLineBody {
                    line_no: l.line_no,
                    product_id: l.product_id,
                    model_code: l.model_code,
                    product_name: l.product_name,
                    supplier_id: l.supplier_id,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    vat_rate: rate_text(l.vat_rate_bp),
                    delivery_date: crate::wire::date_text(l.delivery_date.as_ref()),
                    discount_amount: l.discount_amount,
                    net_amount: l.net_amount,
                    vat_amount: l.vat_amount,
                    gross_amount: l.net_amount + l.vat_amount,
                    reserved: l.reserved,
                    backordered: l.backordered,
                    shipped: l.shipped,
                    delivered: l.delivered,
                    promised_on: crate::wire::date_text(l.promised_on.as_ref()),
                    supply_note: l.supply_note,
                    promotions: l.promotions,
                })
                .collect(),
            total_discount: o.total_discount,
            total_net: o.total_net,
            total_vat: o.total_vat,
            total_gross: o.total_gross,
            created_by: o.created_by,
            version: o.version,
            created_at: rfc3339(o.created_at.as_ref()),
            updated_at: rfc3339(o.updated_at.as_ref()),
            confirmed_at: o.confirmed_at.as_ref().map(|t| rfc3339(Some(t))),
            quote_id: (o.quote_id > 0).then_some(o.quote_id),
            quote_number: (!o.quote_number.is_empty()).then_some(o.quote_number),
            contract_id: (o.contract_id > 0).then_some(o.contract_id),
            contract_number: (!o.contract_number.is_empty()).then_some(o.contract_number),
            import_plan_number: (!o.import_plan_number.is_empty()).then_some(o.import_plan_number),
            import_plan_revision: o.import_plan_revision,
        }
    }
}

fn order_response(status: StatusCode, order: pb::Order) -> Response {
    let (version, location) = (order.version, format!("/api/v1/orders/{}", order.id));
    record_response(status, OrderBody::from(order), version, &location)
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateOrderLineBody {
    #[schema(required = true, minimum = 1)]
    pub product_id: i64,
    #[schema(required = true, minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
    /// VND per unit without VAT; the list price when absent
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub unit_price: Option<i64>,
    /// "0.10", "0.08" or "0.05"; the product's rate when absent
    pub vat_rate: Option<String>,
    /// YYYY-MM-DD
    pub delivery_date: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateOrderBody {
    #[schema(required = true, minimum = 1)]
    pub customer_id: i64,
    /// HN, HCM or DL; the customer's office when absent
    pub warehouse: String,
    pub note: String,
    /// Leave empty when quote_id is given: the order takes the quote's lines and prices
    pub lines: Vec<CreateOrderLineBody>,
    /// An accepted quote of the same customer
    #[schema(minimum = 0)]
    pub quote_id: i64,
    /// A signed contract of the same customer
    #[schema(minimum = 0)]
    pub contract_id: i64,
}

/// Create a draft order; prices and VAT rates default to the catalog's, or come from an accepted quote.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = CreateOrderBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = OrderBody), BadRequest, Forbidden))]
pub async fn create_order(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateOrderBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteOrders)?;
    let mut v = Violations::new();
    let mut lines = Vec::new();
    for (i, line) in body.lines.into_iter().enumerate() {
        let delivery_date =
            crate::wire::optional_date(&mut v, &format!("lines[{i}].delivery_date"), line.delivery_date.as_deref());
        lines.push(pb::CreateOrderLine {
            product_id: line.product_id,
            quantity: line.quantity,
            unit_price: line.unit_price,
            vat_rate_bp: line.vat_rate.as_deref().map(rate_bp_from_text),
            delivery_date,
        });
    }
    v.finish()?;
    let message = pb::CreateOrderRequest {
        customer_id: body.customer_id,
        warehouse: office_from_text(&body.warehouse),
        note: body.note,
        lines,
        quote_id: body.quote_id,
        contract_id: body.contract_id,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let order = ctx.call(&state.orders, message, |mut c, r| async move { c.create_order(r).await }).await?;
    Ok(order_response(StatusCode::CREATED, order))
}

/// One order with its lines and ETag.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", params(("id" = i64, Path)),
    responses((status = 200, body = OrderBody), NotFound))]
pub async fn get_order(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadOrders)?;
    let ctx = CallContext::read(&state, &caller);
    let order =
        ctx.call(&state.orders, pb::GetOrderRequest { id }, |mut c, r| async move { c.get_order(r).await }).await?;
    Ok(order_response(StatusCode::OK, order))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct OrderQuery {
    pub customer_id: Option<String>,
    /// draft, confirming, confirmed, cancelling, cancelled
    pub status: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Orders (without their lines); sales staff see their own office's.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(OrderQuery),
    responses((status = 200, body = ListBody<OrderBody>), BadRequest))]
pub async fn list_orders(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<OrderQuery>,
) -> Result<axum::Json<ListBody<OrderBody>>, Problem> {
    caller.require(Action::ReadOrders)?;
    let customer_id = optional_id("customer_id", query.customer_id.as_deref())?;
    let message = pb::ListOrdersRequest {
        customer_id,
        status: query.status.unwrap_or_default(),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let page = ctx.call(&state.orders, message, |mut c, r| async move { c.list_orders(r).await }).await?;
    Ok(axum::Json(ListBody::new(page.items.into_iter().map(OrderBody::from).collect(), page.next_cursor)))
}

fn action(id: i64, headers: &HeaderMap) -> Result<pb::OrderActionRequest, Problem> {
    let expected_version = version_if_sent(headers)?;
    Ok(pb::OrderActionRequest { id, expected_version, override_credit: false })
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ConfirmBody {
    /// Confirm beyond the customer's credit limit (directors only).
    pub override_credit: bool,
}

/// The confirmation's options; an empty body means none.
fn confirm_options(body: &[u8]) -> Result<ConfirmBody, Problem> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(ConfirmBody::default());
    }
    serde_json::from_slice(body).map_err(|error| Problem::field("body", &error.to_string()))
}

/// Confirm: the customer's credit limit is checked (over it: 409 with the figures, unless a
/// director sets override_credit), then stock is reserved from the order's warehouse; what is
/// missing waits as a backorder and is reserved as goods arrive. Repeating it changes nothing.
#[utoipa::path(post, path = "/api/v1/orders/{id}/confirm", tag = "orders", request_body(content = ConfirmBody, description = "optional"),
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = OrderBody), NotFound, Conflict, PreconditionFailed))]
pub async fn confirm_order(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    caller.require(Action::WriteOrders)?;
    let options = confirm_options(&body)?;
    let message = pb::OrderActionRequest { override_credit: options.override_credit, ..action(id, &headers)? };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let order = ctx.call(&state.orders, message, |mut c, r| async move { c.confirm_order(r).await }).await?;
    Ok(order_response(StatusCode::OK, order))
}

/// Cancel: what the order had reserved is released to waiting orders. Repeating it changes nothing.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = OrderBody), NotFound, Conflict, PreconditionFailed))]
pub async fn cancel_order(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::WriteOrders)?;
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let order =
        ctx.call(&state.orders, action(id, &headers)?, |mut c, r| async move { c.cancel_order(r).await }).await?;
    Ok(order_response(StatusCode::OK, order))
}
