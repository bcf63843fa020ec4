//! `/api/v1/reports`: figures for the directors, from analytics.

mod new_customers;
mod sales;
mod sales_xlsx;
mod suppliers;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(new_customers::new_customers))
        .routes(routes!(sales::sales))
        .routes(routes!(suppliers::suppliers))
}
