//! Each product's supply terms: minimum order quantity, pack size and lead time.

use atq_platform::caller::Action;
use atq_proto::importplanning::v1 as pb;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::ListBody;

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SupplyTermsBody {
    #[schema(required = true, minimum = 1)]
    pub product_id: i64,
    /// The supplier's minimum order quantity (1 when absent)
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub min_order_quantity: i64,
    /// Orders are whole packs of this many (1 when absent)
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub pack_size: i64,
    /// Free stock at or below this calls for a replenishment (0: none)
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub reorder_point: i64,
    /// How much a replenishment orders (0: up to twice the reorder point)
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub reorder_quantity: i64,
    /// Customs clearance and transport to the warehouse, days (14 when absent)
    pub buffer_days: Option<i32>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SupplyTermsIn {
    #[schema(required = true, min_items = 1, max_items = 5000)]
    pub terms: Vec<SupplyTermsBody>,
}

fn terms_bodies(items: Vec<pb::SupplyTerms>) -> ListBody<SupplyTermsBody> {
    let items = items
        .into_iter()
        .map(|t| SupplyTermsBody {
            product_id: t.product_id,
            min_order_quantity: t.min_order_quantity,
            pack_size: t.pack_size,
            reorder_point: t.reorder_point,
            reorder_quantity: t.reorder_quantity,
            buffer_days: Some(t.buffer_days),
        })
        .collect();
    ListBody::new(items, String::new())
}

/// Set how products are bought (MOQ, pack size, reorder point, customs/transport buffer); the
/// plans of those products are re-planned at once.
#[utoipa::path(put, path = "/api/v1/supply-terms", tag = "import planning", request_body = SupplyTermsIn,
    responses((status = 200, body = ListBody<SupplyTermsBody>), BadRequest, Forbidden))]
pub async fn set_supply_terms(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<SupplyTermsIn>,
) -> Result<axum::Json<ListBody<SupplyTermsBody>>, Problem> {
    caller.require(Action::WriteCatalog)?;
    let terms = body
        .terms
        .into_iter()
        .map(|t| pb::SupplyTerms {
            product_id: t.product_id,
            min_order_quantity: if t.min_order_quantity == 0 { 1 } else { t.min_order_quantity },
            pack_size: if t.pack_size == 0 { 1 } else { t.pack_size },
            reorder_point: t.reorder_point,
            reorder_quantity: t.reorder_quantity,
            buffer_days: t.buffer_days.unwrap_or(14),
        })
        .collect();
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let message = pb::SetSupplyTermsRequest { terms };
    let reply = ctx.call(&state.import_plans, message, |mut c, r| async move { c.set_supply_terms(r).await }).await?;
    Ok(axum::Json(terms_bodies(reply.items)))
}

/// Every product's supply terms that differ from the defaults.
#[utoipa::path(get, path = "/api/v1/supply-terms", tag = "import planning",
    responses((status = 200, body = ListBody<SupplyTermsBody>), Forbidden))]
pub async fn list_supply_terms(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> Result<axum::Json<ListBody<SupplyTermsBody>>, Problem> {
    caller.require(Action::ReadCatalog)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::ListSupplyTermsRequest {};
    let reply = ctx.call(&state.import_plans, message, |mut c, r| async move { c.list_supply_terms(r).await }).await?;
    Ok(axum::Json(terms_bodies(reply.items)))
}
