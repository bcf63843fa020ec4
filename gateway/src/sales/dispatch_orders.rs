//! `/api/v1/dispatch-orders` (lệnh xuất bán): requested by sales for a confirmed order, approved
//! or rejected by a director, shipped by the warehouse, delivered.

use atq_platform::Caller;
use atq_platform::caller::Action;
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
    ListBody, office_from_text, office_text, optional_id, page, record_response, rfc3339, version_if_sent,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(request_dispatch))
        .routes(routes!(list_dispatch_orders))
        .routes(routes!(get_dispatch_order))
        .routes(routes!(approve_dispatch))
        .routes(routes!(reject_dispatch))
        .routes(routes!(ship_dispatch))
        .routes(routes!(deliver_dispatch))
}

#[derive(Serialize, ToSchema)]
pub struct DispatchLineBody {
    pub line_no: i32,
    pub product_id: i64,
    pub model_code: String,
    pub quantity: i64,
    pub serials: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DispatchOrderBody {
    pub id: i64,
    /// "LX-2026-0001"
    pub number: String,
    pub order_id: i64,
    pub order_number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub office: String,
    pub warehouse: String,
    /// requested, approved, rejected, shipping, shipped, delivered
    pub status: String,
    pub lines: Vec<DispatchLineBody>,
    pub requested_by: String,
    pub decided_by: String,
    pub decision_note: String,
    /// "PX-2026-0001", once shipped
    pub goods_issue_number: String,
    /// Moving-average cost of the goods shipped, VND; only for those who may read costs
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_amount: Option<i64>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub shipped_at: Option<String>,
    pub delivered_at: Option<String>,
}

impl From<pb::DispatchOrder> for DispatchOrderBody {
    fn from(d: pb::DispatchOrder) -> Self {
        DispatchOrderBody {
            id: d.id,
            number: d.number,
            order_id: d.order_id,
            order_number: d.order_number,
            customer_id: d.customer_id,
            customer_name: d.customer_name,
            office: office_text(d.office),
            warehouse: office_text(d.warehouse),
            status: d.status,
            lines: d
                .lines
                .into_iter()
                .map(|l| DispatchLineBody {
                    line_no: l.line_no,
                    product_id: l.product_id,
                    model_code: l.model_code,
                    quantity: l.quantity,
                    serials: l.serials,
                })
                .collect(),
            requested_by: d.requested_by,
            decided_by: d.decided_by,
            decision_note: d.decision_note,
            goods_issue_number: d.goods_issue_number,
            cost_amount: Some(d.cost_amount),
            version: d.version,
            created_at: rfc3339(d.created_at.as_ref()),
            updated_at: rfc3339(d.updated_at.as_ref()),
            shipped_at: d.shipped_at.as_ref().map(|t| rfc3339(Some(t))),
            delivered_at: d.delivered_at.as_ref().map(|t| rfc3339(Some(t))),
        }
    }
}

impl DispatchOrderBody {
    /// The body as `caller` may read it (costs hidden from those who may not).
    fn for_caller(mut self, caller: &Caller) -> Self {
        self.cost_amount = self.cost_amount.and_then(|amount| crate::costs::visible_to(caller, amount));
        self
    }
}

fn dispatch_response(caller: &Caller, status: StatusCode, dispatch: pb::DispatchOrder) -> Response {
    let (version, location) = (dispatch.version, format!("/api/v1/dispatch-orders/{}", dispatch.id));
    record_response(status, DispatchOrderBody::from(dispatch).for_caller(caller), version, &location)
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct RequestDispatchLineBody {
    #[schema(required = true, minimum = 1)]
    pub line_no: i32,
    #[schema(required = true, minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct RequestDispatchBody {
    /// The order's warehouse when absent.
    pub warehouse: String,
    /// Everything reserved and not yet dispatched when empty.
    pub lines: Vec<RequestDispatchLineBody>,
}

/// Request a dispatch order for (part of) a confirmed order.
#[utoipa::path(post, path = "/api/v1/orders/{id}/dispatch-orders", tag = "dispatch orders", request_body = RequestDispatchBody,
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = DispatchOrderBody), BadRequest, NotFound, Conflict))]
pub async fn request_dispatch(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(order_id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<RequestDispatchBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteOrders)?;
    let message = pb::RequestDispatchRequest {
        order_id,
        warehouse: office_from_text(&body.warehouse),
        lines: body
            .lines
            .into_iter()
            .map(|l| pb::RequestDispatchLine { line_no: l.line_no, quantity: l.quantity })
            .collect(),
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let dispatch =
        ctx.call(&state.dispatch_orders, message, |mut c, r| async move { c.request_dispatch(r).await }).await?;
    Ok(dispatch_response(&caller, StatusCode::CREATED, dispatch))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct DispatchQuery {
    pub order_id: Option<String>,
    /// requested, approved, rejected, shipping, shipped, delivered
    pub status: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Dispatch orders, e.g. `?status=requested` for the directors, `?status=approved` for the warehouse.
#[utoipa::path(get, path = "/api/v1/dispatch-orders", tag = "dispatch orders", params(DispatchQuery),
    responses((status = 200, body = ListBody<DispatchOrderBody>), BadRequest))]
pub async fn list_dispatch_orders(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<DispatchQuery>,
) -> Result<axum::Json<ListBody<DispatchOrderBody>>, Problem> {
    caller.require(Action::ReadOrders)?;
    let order_id = optional_id("order_id", query.order_id.as_deref())?;
    let message = pb::ListDispatchOrdersRequest {
        order_id,
        status: query.status.unwrap_or_default(),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let page =
        ctx.call(&state.dispatch_orders, message, |mut c, r| async move { c.list_dispatch_orders(r).await }).await?;
    Ok(axum::Json(ListBody::new(
        page.items.into_iter().map(|d| DispatchOrderBody::from(d).for_caller(&caller)).collect(),
        page.next_cursor,
    )))
}

/// One dispatch order with its ETag.
#[utoipa::path(get, path = "/api/v1/dispatch-orders/{id}", tag = "dispatch orders", params(("id" = i64, Path)),
    responses((status = 200, body = DispatchOrderBody), NotFound))]
pub async fn get_dispatch_order(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadOrders)?;
    let ctx = CallContext::read(&state, &caller);
    let dispatch = ctx
        .call(&state.dispatch_orders, pb::GetDispatchOrderRequest { id }, |mut c, r| async move {
            c.get_dispatch_order(r).await
        })
        .await?;
    Ok(dispatch_response(&caller, StatusCode::OK, dispatch))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DecisionBody {
    /// Why (required to reject).
    pub reason: String,
}

/// A director approves the dispatch order; the warehouse may ship it.
#[utoipa::path(post, path = "/api/v1/dispatch-orders/{id}/approve", tag = "dispatch orders",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = DispatchOrderBody), Forbidden, Conflict, PreconditionFailed))]
pub async fn approve_dispatch(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::DecideDispatch)?;
    let message = pb::DispatchActionRequest { id, expected_version: version_if_sent(&headers)?, note: String::new() };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let dispatch =
        ctx.call(&state.dispatch_orders, message, |mut c, r| async move { c.approve_dispatch(r).await }).await?;
    Ok(dispatch_response(&caller, StatusCode::OK, dispatch))
}

/// A director rejects the dispatch order, saying why; its units may be requested again.
#[utoipa::path(post, path = "/api/v1/dispatch-orders/{id}/reject", tag = "dispatch orders", request_body = DecisionBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = DispatchOrderBody), BadRequest, Forbidden, Conflict, PreconditionFailed))]
pub async fn reject_dispatch(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<DecisionBody>,
) -> Result<Response, Problem> {
    caller.require(Action::DecideDispatch)?;
    let message = pb::DispatchActionRequest { id, expected_version: version_if_sent(&headers)?, note: body.reason };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let dispatch =
        ctx.call(&state.dispatch_orders, message, |mut c, r| async move { c.reject_dispatch(r).await }).await?;
    Ok(dispatch_response(&caller, StatusCode::OK, dispatch))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ShipLineBody {
    pub line_no: i32,
    /// The units picked, for serial-tracked products.
    pub serials: Vec<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ShipBody {
    pub lines: Vec<ShipLineBody>,
}

/// The warehouse ships an approved dispatch order: goods issue from the order's reservation.
#[utoipa::path(post, path = "/api/v1/dispatch-orders/{id}/ship", tag = "dispatch orders", request_body = ShipBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = DispatchOrderBody), BadRequest, Forbidden, Conflict, PreconditionFailed))]
pub async fn ship_dispatch(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ShipBody>,
) -> Result<Response, Problem> {
    caller.require(Action::ShipDispatch)?;
    let message = pb::ShipDispatchRequest {
        id,
        expected_version: version_if_sent(&headers)?,
        lines: body.lines.into_iter().map(|l| pb::ShipLine { line_no: l.line_no, serials: l.serials }).collect(),
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let dispatch =
        ctx.call(&state.dispatch_orders, message, |mut c, r| async move { c.ship_dispatch(r).await }).await?;
    Ok(dispatch_response(&caller, StatusCode::OK, dispatch))
}

/// Delivery confirmed; the order completes when every line is delivered.
#[utoipa::path(post, path = "/api/v1/dispatch-orders/{id}/deliver", tag = "dispatch orders",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = DispatchOrderBody), Forbidden, Conflict, PreconditionFailed))]
pub async fn deliver_dispatch(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::ConfirmDelivery)?;
    let message = pb::DispatchActionRequest { id, expected_version: version_if_sent(&headers)?, note: String::new() };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let dispatch =
        ctx.call(&state.dispatch_orders, message, |mut c, r| async move { c.deliver_dispatch(r).await }).await?;
    Ok(dispatch_response(&caller, StatusCode::OK, dispatch))
}
