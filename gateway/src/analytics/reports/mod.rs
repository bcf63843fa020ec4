//! `/api/v1/reports`: figures for the directors, from analytics.

mod new_customers;
mod sales;
mod suppliers;

use atq_platform::validation::Violations;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(new_customers::new_customers))
        .routes(routes!(sales::sales))
        .routes(routes!(suppliers::suppliers))
}

/// `?format=`: json (the default) or csv.
fn wants_csv(v: &mut Violations, format: Option<&str>) -> bool {
    match format.map(str::trim) {
        None | Some("") | Some("json") => false,
        Some("csv") => true,
        Some(_) => {
            v.add("format", "must be json or csv");
            false
        }
    }
}
