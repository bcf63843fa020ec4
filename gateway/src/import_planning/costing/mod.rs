//! `/api/v1/exchange-rates`, `/api/v1/duty-rates`, `/api/v1/landed-costs/preview`: what imported
//! goods really cost in VND.

mod landed_cost;
mod rates;

pub use landed_cost::ChargeIn;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rates::set_exchange_rates, rates::list_exchange_rates))
        .routes(routes!(rates::set_duty_rates, rates::list_duty_rates))
        .routes(routes!(landed_cost::preview_landed_cost))
}
