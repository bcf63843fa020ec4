//! The import-planning department's routes: the catalog, import costing, price sheets, import
//! plans and purchase orders.

mod costing;
mod import_plans;
mod price_lists;
mod products;
mod purchase_orders;
mod suppliers;
mod warranty;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(suppliers::router())
        .merge(products::router())
        .merge(costing::router())
        .merge(price_lists::router())
        .merge(import_plans::router())
        .merge(purchase_orders::router())
        .merge(warranty::router())
}
