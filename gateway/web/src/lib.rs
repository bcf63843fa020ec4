//! The staff's web UI, served by the gateway on the same address as the REST API (`/` and the
//! pages under it; the API stays under `/api`). Pages are rendered on the server from templates
//! checked at compile time; a small embedded script (htmx) swaps parts of a page in place.
//!
//! Every read and write goes through the REST API in-process ([`api::Api`]), with the signed-in
//! person's own token: the same routes, the same authorisation by role and office, the same
//! validation and the same problem details as any other client. Nothing here decides a business
//! rule; it shows what the API answers, in Vietnamese or English.

mod api;
mod assets;
mod format;
mod i18n;
mod page;
mod pages;
mod session;
mod views;

use atq_gateway::AppState;
use axum::Router;

pub use i18n::Lang;

/// The UI's pages in front of `api` (the gateway's whole router): what no page answers goes to
/// the API. Fits [`atq_gateway::AddRoutes`].
pub fn with_ui(api: Router, state: &AppState) -> Router {
    let ui = UiState { api: api::Api::new(api.clone()), gateway: state.clone() };
    pages::router()
        .route_layer(axum::middleware::from_fn_with_state(ui.clone(), session::resume))
        .merge(assets::router())
        .with_state(ui)
        .fallback_service(api)
}

/// What every page handler shares.
#[derive(Clone)]
pub struct UiState {
    api: api::Api,
    gateway: AppState,
}
