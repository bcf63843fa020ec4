//! `/api/v1/purchase-orders`: supplier orders (đơn mua hàng) — drafted by hand or from the import
//! plans' proposals, sent, confirmed with the supplier's ship date, shipped with the arrival
//! date, cleared through customs, received at landed cost into the warehouse.

use atq_platform::caller::{Action, Caller};
use atq_platform::validation::Violations;
use atq_proto::importplanning::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::costing::ChargeIn;
use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, NotFound, PreconditionFailed};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{
    ListBody, date_text, office_from_text, office_text, optional_date, optional_id, page, record_response, rfc3339,
    version_if_sent,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_purchase_order, list_purchase_orders))
        .routes(routes!(get_purchase_order))
        .routes(routes!(advance_purchase_order))
        .routes(routes!(receive_purchase_order))
}

#[derive(Serialize, ToSchema)]
pub struct PurchaseLineBody {
    pub line_no: i32,
    pub product_id: i64,
    pub model_code: String,
    pub quantity: i64,
    /// Per unit, in the order currency's minor unit; absent for callers who may not read costs
    pub unit_price: Option<i64>,
    /// VND per unit, once received
    pub landed_unit_cost: Option<i64>,
    pub serials: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PurchaseOrderBody {
    pub id: i64,
    /// DMH-2026-0001
    pub number: String,
    pub supplier_id: i64,
    pub supplier_code: String,
    pub supplier_name: String,
    pub currency: String,
    /// HN, HCM or DL: where the goods go
    pub warehouse: String,
    /// draft, sent, confirmed, shipped, cleared, receiving, received, cancelled
    pub status: String,
    pub note: String,
    pub lines: Vec<PurchaseLineBody>,
    /// In the order currency's minor unit; absent for callers who may not read costs
    pub goods_value: Option<i64>,
    /// The plan's latest day to place it
    pub order_by: Option<String>,
    pub sent_on: Option<String>,
    /// The supplier's confirmed ship date
    pub ship_date: Option<String>,
    /// Expected at the warehouse, told when shipped
    pub arrival_date: Option<String>,
    /// When planning counts on the goods being in the warehouse
    pub expected_on: Option<String>,
    /// What the supplier's first confirmation promised
    pub promised_on: Option<String>,
    pub cleared_on: Option<String>,
    pub received_on: Option<String>,
    /// The warehouse receipt (PN-...)
    pub receipt_number: Option<String>,
    /// VND, once received
    pub landed_total: Option<i64>,
    pub created_by: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<pb::PurchaseOrder> for PurchaseOrderBody {
    fn from(o: pb::PurchaseOrder) -> Self {
        let received = o.status == "received" || o.status == "receiving";
        PurchaseOrderBody {
            id: o.id,
            number: o.number,
            supplier_id: o.supplier_id,
            supplier_code: o.supplier_code,
            supplier_name: o.supplier_name,
            currency: o.currency,
            warehouse: office_text(o.warehouse),
            status: o.status,
            note: o.note,
            lines: o
                .lines
                .into_iter()
                .map(|l| PurchaseLineBody {
                    line_no: l.line_no,
                    product_id: l.product_id,
                    model_code: l.model_code,
                    quantity: l.quantity,
                    unit_price: Some(l.unit_price),
                    landed_unit_cost: received.then_some(l.landed_unit_cost),
                    serials: l.serials,
                })
                .collect(),
            goods_value: Some(o.goods_value),
            order_by: date_text(o.order_by.as_ref()),
            sent_on: date_text(o.sent_on.as_ref()),
            ship_date: date_text(o.ship_date.as_ref()),
            arrival_date: date_text(o.arrival_date.as_ref()),
            expected_on: date_text(o.expected_on.as_ref()),
            promised_on: date_text(o.promised_on.as_ref()),
            cleared_on: date_text(o.cleared_on.as_ref()),
            received_on: date_text(o.received_on.as_ref()),
            receipt_number: (!o.receipt_number.is_empty()).then_some(o.receipt_number),
            landed_total: received.then_some(o.landed_total),
            created_by: o.created_by,
            version: o.version,
            created_at: rfc3339(o.created_at.as_ref()),
            updated_at: rfc3339(o.updated_at.as_ref()),
        }
    }
}

fn order_response(status: StatusCode, order: pb::PurchaseOrder) -> Response {
    let (id, version) = (order.id, order.version);
    record_response(status, PurchaseOrderBody::from(order), version, &format!("/api/v1/purchase-orders/{id}"))
}

/// The warehouse keeper receives the goods but does not see what they cost.
fn receipt_response(caller: &Caller, order: pb::PurchaseOrder) -> Response {
    let (id, version) = (order.id, order.version);
    let mut body = PurchaseOrderBody::from(order);
    if !crate::costs::may_read(caller) {
        body.goods_value = None;
        body.landed_total = None;
        for line in &mut body.lines {
            line.unit_price = None;
            line.landed_unit_cost = None;
        }
    }
    record_response(StatusCode::OK, body, version, &format!("/api/v1/purchase-orders/{id}"))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct PurchaseLineIn {
    #[schema(required = true, minimum = 1)]
    pub product_id: i64,
    /// Ignored with from_proposals (the proposal's quantity)
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
    /// Per unit, in the supplier currency's minor unit (cents for USD)
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64)]
    pub unit_price: i64,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct PurchaseOrderIn {
    #[schema(required = true, minimum = 1)]
    pub supplier_id: i64,
    /// HN, HCM (default) or DL
    pub warehouse: String,
    pub note: String,
    pub lines: Vec<PurchaseLineIn>,
    /// Take what the import plans propose from this supplier; `lines` may then set prices
    pub from_proposals: bool,
}

/// Draft a supplier order, by hand or from the plans' proposals for one supplier. The plans are
/// re-planned at once: what it brings is counted on.
#[utoipa::path(post, path = "/api/v1/purchase-orders", tag = "import planning", request_body = PurchaseOrderIn,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = PurchaseOrderBody), BadRequest, Forbidden))]
pub async fn create_purchase_order(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<PurchaseOrderIn>,
) -> Result<Response, Problem> {
    caller.require(Action::WritePurchases)?;
    let warehouse = office_from_text(&body.warehouse);
    let message = pb::CreatePurchaseOrderRequest {
        supplier_id: body.supplier_id,
        warehouse,
        note: body.note,
        lines: body
            .lines
            .into_iter()
            .map(|l| pb::CreatePurchaseOrderLine {
                product_id: l.product_id,
                quantity: l.quantity,
                unit_price: l.unit_price,
            })
            .collect(),
        from_proposals: body.from_proposals,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let order =
        ctx.call(&state.purchase_orders, message, |mut c, r| async move { c.create_purchase_order(r).await }).await?;
    Ok(order_response(StatusCode::CREATED, order))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct PurchaseOrderQuery {
    pub status: Option<String>,
    pub supplier_id: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Supplier orders (without lines' serials), oldest first.
#[utoipa::path(get, path = "/api/v1/purchase-orders", tag = "import planning", params(PurchaseOrderQuery),
    responses((status = 200, body = ListBody<PurchaseOrderBody>), BadRequest, Forbidden))]
pub async fn list_purchase_orders(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<PurchaseOrderQuery>,
) -> Result<axum::Json<ListBody<PurchaseOrderBody>>, Problem> {
    caller.require(Action::ReadCosts)?;
    let message = pb::ListPurchaseOrdersRequest {
        status: query.status.unwrap_or_default(),
        supplier_id: optional_id("supplier_id", query.supplier_id.as_deref())?,
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let page =
        ctx.call(&state.purchase_orders, message, |mut c, r| async move { c.list_purchase_orders(r).await }).await?;
    Ok(axum::Json(ListBody::new(page.items.into_iter().map(PurchaseOrderBody::from).collect(), page.next_cursor)))
}

/// One supplier order with its ETag.
#[utoipa::path(get, path = "/api/v1/purchase-orders/{id}", tag = "import planning", params(("id" = i64, Path)),
    responses((status = 200, body = PurchaseOrderBody), Forbidden, NotFound))]
pub async fn get_purchase_order(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCosts)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::GetPurchaseOrderRequest { id };
    let order =
        ctx.call(&state.purchase_orders, message, |mut c, r| async move { c.get_purchase_order(r).await }).await?;
    Ok(order_response(StatusCode::OK, order))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct AdvanceIn {
    /// send, confirm, ship, clear or cancel
    #[schema(required = true, min_length = 1)]
    pub action: String,
    /// YYYY-MM-DD the step happened (send, clear); today when absent
    pub on: Option<String>,
    /// confirm: the supplier's ship date
    pub ship_date: Option<String>,
    /// ship: expected arrival at the warehouse
    pub arrival_date: Option<String>,
}

/// One step of the order's life. A later ship or arrival date than planned moves the promises of
/// the project orders waiting for it, and sales sees them on the orders. `If-Match` optional.
#[utoipa::path(post, path = "/api/v1/purchase-orders/{id}/advance", tag = "import planning", request_body = AdvanceIn,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = PurchaseOrderBody), BadRequest, Forbidden,
        NotFound, PreconditionFailed))]
pub async fn advance_purchase_order(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<AdvanceIn>,
) -> Result<Response, Problem> {
    caller.require(Action::WritePurchases)?;
    let expected = version_if_sent(&headers)?;
    let mut v = Violations::new();
    let on = optional_date(&mut v, "on", body.on.as_deref());
    let ship_date = optional_date(&mut v, "ship_date", body.ship_date.as_deref());
    let arrival_date = optional_date(&mut v, "arrival_date", body.arrival_date.as_deref());
    v.finish()?;
    let message = pb::AdvancePurchaseOrderRequest {
        id,
        expected_version: expected,
        action: body.action,
        on,
        ship_date,
        arrival_date,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let order =
        ctx.call(&state.purchase_orders, message, |mut c, r| async move { c.advance_purchase_order(r).await }).await?;
    Ok(order_response(StatusCode::OK, order))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ReceiveLineIn {
    #[schema(required = true, minimum = 1)]
    pub line_no: i32,
    /// One per unit, for serial-tracked products
    pub serials: Vec<String>,
    /// Per unit, for charges allocated by weight
    #[schema(minimum = 0, maximum = 1_000_000_000_i64)]
    pub unit_weight_grams: i64,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ReceiveIn {
    /// YYYY-MM-DD; today when absent. The exchange rates in force that day are used
    pub received_on: Option<String>,
    /// Freight, insurance, fees and transport actually paid
    pub charges: Vec<ChargeIn>,
    pub lines: Vec<ReceiveLineIn>,
}

/// Receive a cleared order: landed cost per line at the day's rates, the goods into the
/// warehouse at that cost (moving average updated), waiting project orders served first in
/// needed-by order. Safe to retry. `If-Match` optional.
#[utoipa::path(post, path = "/api/v1/purchase-orders/{id}/receive", tag = "import planning", request_body = ReceiveIn,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = PurchaseOrderBody), BadRequest, Forbidden,
        NotFound, PreconditionFailed))]
pub async fn receive_purchase_order(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ReceiveIn>,
) -> Result<Response, Problem> {
    caller.require(Action::ReceivePurchases)?;
    let expected = version_if_sent(&headers)?;
    let mut v = Violations::new();
    let received_on = optional_date(&mut v, "received_on", body.received_on.as_deref());
    v.finish()?;
    let message = pb::ReceivePurchaseOrderRequest {
        id,
        expected_version: expected,
        received_on,
        charges: body.charges.into_iter().map(pb::LandedCostCharge::from).collect(),
        lines: body
            .lines
            .into_iter()
            .map(|l| pb::ReceiveLine { line_no: l.line_no, serials: l.serials, unit_weight_grams: l.unit_weight_grams })
            .collect(),
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let order =
        ctx.call(&state.purchase_orders, message, |mut c, r| async move { c.receive_purchase_order(r).await }).await?;
    Ok(receipt_response(&caller, order))
}
