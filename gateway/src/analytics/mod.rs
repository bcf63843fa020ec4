//! The analytics department's routes: the reports for the directors.

mod customer_value;
mod demand_csv;
mod forecast;
mod margins;
mod reports;
mod service;
mod summary;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    reports::router()
        .merge(summary::router())
        .merge(customer_value::router())
        .merge(margins::router())
        .merge(forecast::router())
        .merge(service::router())
}
