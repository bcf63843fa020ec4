//! What a draft changes against the published sheet.

use atq_platform::caller::Action;
use atq_proto::importplanning::v1 as pb;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{Forbidden, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;

use super::change_texts;

#[derive(Serialize, ToSchema)]
pub struct PriceChangeBody {
    pub product_id: i64,
    pub model_code: String,
    pub name_vi: String,
    pub customer_group: String,
    /// changed, unchanged, new or dropped
    pub change: String,
    /// Net prices, VND: old from the published version in force, new from this one
    pub old_price: Option<i64>,
    pub new_price: Option<i64>,
    pub difference: Option<i64>,
    /// difference / old price: "0.1018"
    pub change_rate: Option<String>,
    /// The same in percent: "10.18"
    pub percent_change: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PriceChangesBody {
    pub id: i64,
    pub number: String,
    /// The published version in force today that this one is compared with
    pub against_id: Option<i64>,
    pub against_number: Option<String>,
    pub items: Vec<PriceChangeBody>,
    /// Products priced here and not in the published version
    pub new_products: Vec<i64>,
    /// Products in the published version and not here
    pub dropped_products: Vec<i64>,
}

/// What this version changes against the published version in force today, per product and
/// customer group (net prices).
#[utoipa::path(get, path = "/api/v1/price-lists/{id}/changes", tag = "import costing", params(("id" = i64, Path)),
    responses((status = 200, body = PriceChangesBody), Forbidden, NotFound))]
pub async fn price_list_changes(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<PriceChangesBody>, Problem> {
    caller.require(Action::ReadCosts)?;
    let ctx = CallContext::read(&state, &caller);
    let c = ctx
        .call(&state.price_lists, pb::GetPriceListRequest { id }, |mut c, r| async move {
            c.get_price_list_changes(r).await
        })
        .await?;
    let items = c
        .items
        .into_iter()
        .map(|i| {
            let both = i.change == "changed" || i.change == "unchanged";
            let (rate, percent) = change_texts(i.change_e4);
            PriceChangeBody {
                product_id: i.product_id,
                model_code: i.model_code,
                name_vi: i.name_vi,
                customer_group: i.customer_group,
                old_price: (i.change != "new").then_some(i.old_price),
                new_price: (i.change != "dropped").then_some(i.new_price),
                difference: both.then_some(i.difference),
                change_rate: both.then_some(rate),
                percent_change: both.then_some(percent),
                change: i.change,
            }
        })
        .collect();
    Ok(axum::Json(PriceChangesBody {
        id: c.id,
        number: c.number,
        against_id: (c.against_id > 0).then_some(c.against_id),
        against_number: (!c.against_number.is_empty()).then_some(c.against_number),
        items,
        new_products: c.new_products,
        dropped_products: c.dropped_products,
    }))
}
