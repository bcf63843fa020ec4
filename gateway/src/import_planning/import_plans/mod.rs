//! `/api/v1/import-plans`: project schedules netted against stock, supplier orders and other
//! plans; a promise date per milestone and what cannot make its date; the supplier orders the
//! plans call for (`/api/v1/import-plans/proposals`); each product's supply terms
//! (`/api/v1/supply-terms`).

mod plans;
mod proposals;
mod supply_terms;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(plans::submit_import_plan, plans::list_import_plans))
        .routes(routes!(proposals::list_proposals))
        .routes(routes!(plans::get_import_plan))
        .routes(routes!(supply_terms::set_supply_terms, supply_terms::list_supply_terms))
}
