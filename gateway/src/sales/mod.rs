//! The sales department's routes: customers, quotes, contracts, orders and their dispatch.

mod contracts;
mod customers;
mod dispatch_orders;
mod orders;
mod quotes;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub use contracts::MAX_FILE_BYTES;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(customers::router())
        .merge(quotes::router())
        .merge(contracts::router())
        .merge(orders::router())
        .merge(dispatch_orders::router())
}
