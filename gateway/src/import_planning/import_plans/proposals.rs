//! Purchase proposals: what to order from each supplier, and by when.

use atq_platform::caller::Action;
use atq_proto::importplanning::v1 as pb;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, date_text, optional_id};

#[derive(Serialize, ToSchema)]
pub struct ProposalLineBody {
    pub product_id: i64,
    pub model_code: String,
    pub quantity: i64,
    /// The demand before rounding up to MOQ and pack size
    pub shortfall: i64,
    pub order_by: Option<String>,
    pub needed_by: Option<String>,
    pub expected_on: Option<String>,
    /// project or reorder
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct SupplierProposalBody {
    pub supplier_id: i64,
    pub supplier_code: String,
    pub supplier_name: String,
    pub currency: String,
    /// The earliest order-by date of its lines
    pub order_by: Option<String>,
    pub lines: Vec<ProposalLineBody>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ProposalQuery {
    pub supplier_id: Option<String>,
}

/// The supplier orders the open plans and reorder points call for, grouped by supplier, the
/// most urgent first.
#[utoipa::path(get, path = "/api/v1/import-plans/proposals", tag = "import planning", params(ProposalQuery),
    responses((status = 200, body = ListBody<SupplierProposalBody>), BadRequest, Forbidden))]
pub async fn list_proposals(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ProposalQuery>,
) -> Result<axum::Json<ListBody<SupplierProposalBody>>, Problem> {
    caller.require(Action::ReadOrders)?;
    let message = pb::ListProposalsRequest { supplier_id: optional_id("supplier_id", query.supplier_id.as_deref())? };
    let ctx = CallContext::read(&state, &caller);
    let reply = ctx.call(&state.import_plans, message, |mut c, r| async move { c.list_proposals(r).await }).await?;
    let items = reply
        .items
        .into_iter()
        .map(|g| SupplierProposalBody {
            supplier_id: g.supplier_id,
            supplier_code: g.supplier_code,
            supplier_name: g.supplier_name,
            currency: g.currency,
            order_by: date_text(g.order_by.as_ref()),
            lines: g
                .lines
                .into_iter()
                .map(|l| ProposalLineBody {
                    product_id: l.product_id,
                    model_code: l.model_code,
                    quantity: l.quantity,
                    shortfall: l.shortfall,
                    order_by: date_text(l.order_by.as_ref()),
                    needed_by: date_text(l.needed_by.as_ref()),
                    expected_on: date_text(l.expected_on.as_ref()),
                    reason: l.reason,
                })
                .collect(),
        })
        .collect();
    Ok(axum::Json(ListBody::new(items, String::new())))
}
