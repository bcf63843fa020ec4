//! The stylesheet and the script, embedded in the binary and cached by browsers for a day; their
//! names carry a version so a new release is fetched at once.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

pub const STYLESHEET: &str = "/assets/app-1.css";
pub const SCRIPT: &str = "/assets/htmx-2.0.11.min.js";
pub const ICON: &str = "/assets/favicon-1.svg";

const CSS: &str = include_str!("../assets/app.css");
const HTMX: &str = include_str!("../assets/vendor/htmx-2.0.11.min.js");
const SVG_ICON: &str = include_str!("../assets/favicon.svg");

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(STYLESHEET, get(stylesheet))
        .route(SCRIPT, get(script))
        .route(ICON, get(icon))
        // Asked for by browsers on their own, whatever the page says.
        .route("/favicon.ico", get(icon))
}

const CACHE: &str = "public, max-age=86400, immutable";

async fn stylesheet() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, CACHE)], CSS)
}

async fn script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, CACHE)], HTMX)
}

async fn icon() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, CACHE)], SVG_ICON)
}
