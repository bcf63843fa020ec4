//! `GET /api/v1/stock/transfers` and `GET /api/v1/stock/counts`: the transfers and stocktakes
//! the warehouse has recorded, oldest first, paged by cursor.

use atq_platform::caller::Action;
use atq_proto::accountingwarehouse::v1 as pb;
use axum::extract::{Query, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::stock::{CountBody, CountResultBody, TransferBody, TransferLineBody};
use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, enum_text, office_from_text, office_text, page, rfc3339};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_transfers)).routes(routes!(list_counts))
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
