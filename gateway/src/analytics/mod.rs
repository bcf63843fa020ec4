//! The analytics department's routes: the reports for the directors.

mod reports;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    reports::router()
}
