//! `GET /api/v1/stock/transfers` and `GET /api/v1/stock/counts`: the transfers and stocktakes
//! the warehouse has recorded, oldest first, paged by cursor; and each one by its number.

use atq_platform::ErrorCode;
use atq_platform::caller::Action;
use atq_proto::accountingwarehouse::v1 as pb;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::stock::{CountBody, CountResultBody, TransferBody, TransferLineBody};
use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, enum_text, office_from_text, office_text, page, rfc3339};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_transfers))
        .routes(routes!(list_counts))
        .routes(routes!(get_transfer))
        .routes(routes!(get_count))
}

impl From<pb::Transfer> for TransferBody {
    fn from(t: pb::Transfer) -> Self {
        TransferBody {
            number: t.number,
            from_warehouse: office_text(t.from_warehouse),
            to_warehouse: office_text(t.to_warehouse),
            note: t.note,
            lines: t
                .lines
                .into_iter()
                .map(|l| TransferLineBody { product_id: l.product_id, quantity: l.quantity, serials: l.serials })
                .collect(),
            created_by: t.created_by,
            created_at: rfc3339(t.created_at.as_ref()),
        }
    }
}

impl From<pb::StockCount> for CountBody {
    fn from(c: pb::StockCount) -> Self {
        CountBody {
            number: c.number,
            warehouse: office_text(c.warehouse),
            lines: c
                .lines
                .into_iter()
                .map(|l| CountResultBody {
                    product_id: l.product_id,
                    condition: enum_text::<pb::Condition>(l.condition),
                    expected: l.expected,
                    counted: l.counted,
                    difference: l.difference,
                    reason: l.reason,
                    missing_serials: l.missing_serials,
                    surplus_serials: l.surplus_serials,
                })
                .collect(),
            created_by: c.created_by,
            created_at: rfc3339(c.created_at.as_ref()),
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct TransferQuery {
    /// HN, HCM or DL: the transfers out of that warehouse.
    pub from_warehouse: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// The transfers recorded, oldest first; out of one warehouse when named.
#[utoipa::path(get, path = "/api/v1/stock/transfers", tag = "warehouse", params(TransferQuery),
    responses((status = 200, body = ListBody<TransferBody>), BadRequest, Forbidden))]
pub async fn list_transfers(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<TransferQuery>,
) -> Result<axum::Json<ListBody<TransferBody>>, Problem> {
    caller.require(Action::ReadStock)?;
    let message = pb::ListTransfersRequest {
        from_warehouse: query.from_warehouse.as_deref().map(office_from_text).unwrap_or(0),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let page = ctx.call(&state.warehouse, message, |mut c, r| async move { c.list_transfers(r).await }).await?;
    Ok(axum::Json(ListBody::new(page.items.into_iter().map(TransferBody::from).collect(), page.next_cursor)))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct CountQuery {
    /// HN, HCM or DL
    pub warehouse: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// The stocktakes recorded, oldest first, with each line's surplus or shortage; of one warehouse
/// when named.
#[utoipa::path(get, path = "/api/v1/stock/counts", tag = "warehouse", params(CountQuery),
    responses((status = 200, body = ListBody<CountBody>), BadRequest, Forbidden))]
pub async fn list_counts(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<CountQuery>,
) -> Result<axum::Json<ListBody<CountBody>>, Problem> {
    caller.require(Action::ReadStock)?;
    let message = pb::ListCountsRequest {
        warehouse: query.warehouse.as_deref().map(office_from_text).unwrap_or(0),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let page = ctx.call(&state.warehouse, message, |mut c, r| async move { c.list_counts(r).await }).await?;
    Ok(axum::Json(ListBody::new(page.items.into_iter().map(CountBody::from).collect(), page.next_cursor)))
}

/// The longest number a document may have ("CK-2026-0001" and its like); a longer one names
/// nothing and is not sent on.
const MAX_NUMBER_CHARS: usize = 32;

fn request_for(number: String, kind: &str) -> Result<pb::GetStockDocumentRequest, Problem> {
    if number.trim().is_empty() || number.chars().count() > MAX_NUMBER_CHARS {
        return Err(Problem::new(ErrorCode::NotFound, format!("{kind} with this number not found")));
    }
    Ok(pb::GetStockDocumentRequest { number })
}

/// One transfer by its number (`CK-2026-0001`): where the goods left and went, each line's
/// quantity and serials, who recorded it and when. A transfer is final once recorded.
#[utoipa::path(get, path = "/api/v1/stock/transfers/{number}", tag = "warehouse",
    params(("number" = String, Path, description = "The transfer's number, e.g. CK-2026-0001")),
    responses((status = 200, body = TransferBody), BadRequest, Forbidden, NotFound))]
pub async fn get_transfer(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(number): Path<String>,
) -> Result<axum::Json<TransferBody>, Problem> {
    caller.require(Action::ReadStock)?;
    let message = request_for(number, "transfer")?;
    let ctx = CallContext::read(&state, &caller);
    let found = ctx.call(&state.warehouse, message, |mut c, r| async move { c.get_transfer(r).await }).await?;
    Ok(axum::Json(TransferBody::from(found)))
}

/// One stocktake by its number (`KK-2026-0001`): each line's book and counted quantity, its
/// surplus or shortage with the reason, and the serials missing or found. A stocktake is posted
/// once recorded.
#[utoipa::path(get, path = "/api/v1/stock/counts/{number}", tag = "warehouse",
    params(("number" = String, Path, description = "The stocktake's number, e.g. KK-2026-0001")),
    responses((status = 200, body = CountBody), BadRequest, Forbidden, NotFound))]
pub async fn get_count(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(number): Path<String>,
) -> Result<axum::Json<CountBody>, Problem> {
    caller.require(Action::ReadStock)?;
    let message = request_for(number, "stocktake")?;
    let ctx = CallContext::read(&state, &caller);
    let found = ctx.call(&state.warehouse, message, |mut c, r| async move { c.get_count(r).await }).await?;
    Ok(axum::Json(CountBody::from(found)))
}
