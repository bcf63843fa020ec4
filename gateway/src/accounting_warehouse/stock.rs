//! `/api/v1/stock`: stock levels and serials, and the warehouse's receipts, transfers and counts.

use atq_platform::caller::Action;
use atq_proto::accountingwarehouse::v1 as pb;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Conflict, Forbidden};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, enum_from_text, enum_text, office_from_text, office_text, optional_id, rfc3339};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_stock))
        .routes(routes!(list_serials))
        .routes(routes!(create_receipt))
        .routes(routes!(create_transfer))
        .routes(routes!(create_count))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct StockQuery {
    pub product_id: Option<String>,
    /// HN, HCM or DL
    pub warehouse: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StockLevelBody {
    pub product_id: i64,
    pub warehouse: String,
    /// good or damaged
    pub condition: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
    /// Moving-average unit cost, VND; only for those who may read costs
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_unit_cost: Option<i64>,
}

/// Stock on hand, reserved and available, by product, warehouse and condition.
#[utoipa::path(get, path = "/api/v1/stock", tag = "warehouse", params(StockQuery),
    responses((status = 200, body = ListBody<StockLevelBody>), BadRequest))]
pub async fn list_stock(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<StockQuery>,
) -> Result<axum::Json<ListBody<StockLevelBody>>, Problem> {
    caller.require(Action::ReadStock)?;
    let message = pb::ListStockRequest {
        product_id: optional_id("product_id", query.product_id.as_deref())?,
        warehouse: query.warehouse.as_deref().map(office_from_text).unwrap_or(0),
    };
    let ctx = CallContext::read(&state, &caller);
    let levels = ctx.call(&state.warehouse, message, |mut c, r| async move { c.list_stock(r).await }).await?;
    let items = levels
        .items
        .into_iter()
        .map(|l| StockLevelBody {
            product_id: l.product_id,
            warehouse: office_text(l.warehouse),
            condition: enum_text::<pb::Condition>(l.condition),
            on_hand: l.on_hand,
            reserved: l.reserved,
            available: l.available,
            average_unit_cost: crate::costs::visible_to(&caller, l.average_unit_cost),
        })
        .collect();
    Ok(axum::Json(ListBody::new(items, String::new())))
}

#[derive(Serialize, ToSchema)]
pub struct SerialBody {
    pub serial: String,
    pub product_id: i64,
    pub warehouse: String,
    pub condition: String,
    /// in_stock, reserved, issued or missing
    pub status: String,
}

/// The serial-numbered units of a product.
#[utoipa::path(get, path = "/api/v1/stock/serials", tag = "warehouse", params(StockQuery),
    responses((status = 200, body = ListBody<SerialBody>), BadRequest))]
pub async fn list_serials(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<StockQuery>,
) -> Result<axum::Json<ListBody<SerialBody>>, Problem> {
    caller.require(Action::ReadStock)?;
    let product_id = optional_id("product_id", query.product_id.as_deref())?;
    if product_id == 0 {
        return Err(Problem::field("product_id", "is required"));
    }
    let message =
        pb::ListSerialsRequest { product_id, warehouse: query.warehouse.as_deref().map(office_from_text).unwrap_or(0) };
    let ctx = CallContext::read(&state, &caller);
    let serials = ctx.call(&state.warehouse, message, |mut c, r| async move { c.list_serials(r).await }).await?;
    let items = serials
        .items
        .into_iter()
        .map(|s| SerialBody {
            serial: s.serial,
            product_id: s.product_id,
            warehouse: office_text(s.warehouse),
            condition: enum_text::<pb::Condition>(s.condition),
            status: s.status,
        })
        .collect();
    Ok(axum::Json(ListBody::new(items, String::new())))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ReceiptLineBody {
    #[schema(required = true, minimum = 1)]
    pub product_id: i64,
    #[schema(required = true, minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
    /// good (default) or damaged
    pub condition: String,
    /// VND per unit, landed
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub unit_cost: i64,
    pub serials: Vec<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateReceiptBody {
    /// HN, HCM or DL
    #[schema(required = true, min_length = 1)]
    pub warehouse: String,
    /// opening or purchase
    #[schema(required = true, min_length = 1)]
    pub kind: String,
    pub reference: String,
    pub note: String,
    #[schema(required = true, min_items = 1, max_items = 500)]
    pub lines: Vec<ReceiptLineBody>,
}

#[derive(Serialize, ToSchema)]
pub struct ReceiptBody {
    /// "PN-2026-0001"
    pub number: String,
    pub warehouse: String,
    pub kind: String,
    pub reference: String,
    pub note: String,
    pub lines: Vec<ReceiptLineBody>,
    pub created_by: String,
    pub created_at: String,
}

/// Receive goods into a warehouse (opening stock or a supplier delivery).
#[utoipa::path(post, path = "/api/v1/stock/receipts", tag = "warehouse", request_body = CreateReceiptBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = ReceiptBody), BadRequest, Forbidden))]
pub async fn create_receipt(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateReceiptBody>,
) -> Result<(StatusCode, axum::Json<ReceiptBody>), Problem> {
    caller.require(Action::WriteStock)?;
    let message = pb::CreateReceiptRequest {
        warehouse: office_from_text(&body.warehouse),
        kind: body.kind.trim().to_owned(),
        reference: body.reference,
        note: body.note,
        lines: body
            .lines
            .into_iter()
            .map(|l| pb::ReceiptLine {
                product_id: l.product_id,
                quantity: l.quantity,
                condition: enum_from_text::<pb::Condition>(&l.condition),
                unit_cost: l.unit_cost,
                serials: l.serials,
            })
            .collect(),
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let r = ctx.call(&state.warehouse, message, |mut c, r| async move { c.create_receipt(r).await }).await?;
    let lines = r
        .lines
        .into_iter()
        .map(|l| ReceiptLineBody {
            product_id: l.product_id,
            quantity: l.quantity,
            condition: enum_text::<pb::Condition>(l.condition),
            unit_cost: l.unit_cost,
            serials: l.serials,
        })
        .collect();
    let body = ReceiptBody {
        number: r.number,
        warehouse: office_text(r.warehouse),
        kind: r.kind,
        reference: r.reference,
        note: r.note,
        lines,
        created_by: r.created_by,
        created_at: rfc3339(r.created_at.as_ref()),
    };
    Ok((StatusCode::CREATED, axum::Json(body)))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct TransferLineBody {
    #[schema(required = true, minimum = 1)]
    pub product_id: i64,
    #[schema(required = true, minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
    pub serials: Vec<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateTransferBody {
    #[schema(required = true, min_length = 1)]
    pub from_warehouse: String,
    #[schema(required = true, min_length = 1)]
    pub to_warehouse: String,
    pub note: String,
    #[schema(required = true, min_items = 1, max_items = 500)]
    pub lines: Vec<TransferLineBody>,
}

#[derive(Serialize, ToSchema)]
pub struct TransferBody {
    /// "CK-2026-0001"
    pub number: String,
    pub from_warehouse: String,
    pub to_warehouse: String,
    pub note: String,
    pub lines: Vec<TransferLineBody>,
    pub created_by: String,
    pub created_at: String,
}

/// Move goods in good condition from one warehouse to another; refused (409) when there is not
/// enough available stock.
#[utoipa::path(post, path = "/api/v1/stock/transfers", tag = "warehouse", request_body = CreateTransferBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = TransferBody), BadRequest, Conflict))]
pub async fn create_transfer(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateTransferBody>,
) -> Result<(StatusCode, axum::Json<TransferBody>), Problem> {
    caller.require(Action::WriteStock)?;
    let message = pb::CreateTransferRequest {
        from_warehouse: office_from_text(&body.from_warehouse),
        to_warehouse: office_from_text(&body.to_warehouse),
        note: body.note,
        lines: body
            .lines
            .into_iter()
            .map(|l| pb::TransferLine { product_id: l.product_id, quantity: l.quantity, serials: l.serials })
            .collect(),
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let t = ctx.call(&state.warehouse, message, |mut c, r| async move { c.create_transfer(r).await }).await?;
    let body = TransferBody::from(t);
    Ok((StatusCode::CREATED, axum::Json(body)))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CountLineBody {
    #[schema(required = true, minimum = 1)]
    pub product_id: i64,
    /// good (default) or damaged
    pub condition: String,
    /// Units found (products without serial numbers).
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub counted: i64,
    /// Serials found (serial-tracked products).
    pub serials: Vec<String>,
    /// Required when the count differs from the stock.
    pub reason: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateCountBody {
    #[schema(required = true, min_length = 1)]
    pub warehouse: String,
    #[schema(required = true, min_items = 1, max_items = 500)]
    pub lines: Vec<CountLineBody>,
}

#[derive(Serialize, ToSchema)]
pub struct CountResultBody {
    pub product_id: i64,
    pub condition: String,
    pub expected: i64,
    pub counted: i64,
    /// Positive: surplus; negative: shortage.
    pub difference: i64,
    pub reason: String,
    pub missing_serials: Vec<String>,
    pub surplus_serials: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CountBody {
    /// "KK-2026-0001"
    pub number: String,
    pub warehouse: String,
    pub lines: Vec<CountResultBody>,
    pub created_by: String,
    pub created_at: String,
}

/// Record a stocktake: stock is set to what was counted, and every surplus and shortage is kept
/// with its reason.
#[utoipa::path(post, path = "/api/v1/stock/counts", tag = "warehouse", request_body = CreateCountBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = CountBody), BadRequest, Conflict))]
pub async fn create_count(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateCountBody>,
) -> Result<(StatusCode, axum::Json<CountBody>), Problem> {
    caller.require(Action::WriteStock)?;
    let message = pb::CreateCountRequest {
        warehouse: office_from_text(&body.warehouse),
        lines: body
            .lines
            .into_iter()
            .map(|l| pb::CountLine {
                product_id: l.product_id,
                condition: enum_from_text::<pb::Condition>(&l.condition),
                counted: l.counted,
                serials: l.serials,
                reason: l.reason,
            })
            .collect(),
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let c = ctx.call(&state.warehouse, message, |mut c, r| async move { c.create_count(r).await }).await?;
    let body = CountBody::from(c);
    Ok((StatusCode::CREATED, axum::Json(body)))
}
