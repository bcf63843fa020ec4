//! Errors the framework answers by itself (a path id that does not parse, a duplicate query
//! parameter, a body over the limit, a method the route does not have, no route at all) come as
//! plain text or empty; this layer rewrites every such answer as problem+json with the same
//! status and headers (`Allow` on a 405), and names the scheme to use on every 401.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Problem;

/// The most of a plain-text error kept as the problem's detail.
const MAX_DETAIL: usize = 300;

pub async fn every_error_as_problem(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !status.is_client_error() && !status.is_server_error() {
        return response;
    }
    let mut response = if is_problem(&response) { response } else { rewrite(response).await };
    if status == StatusCode::UNAUTHORIZED && !response.headers().contains_key(header::WWW_AUTHENTICATE) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

fn is_problem(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/problem+json"))
}

async fn rewrite(response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4 * MAX_DETAIL).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let mut detail: String = text.trim().chars().take(MAX_DETAIL).collect();
    if detail.is_empty() {
        detail = parts.status.canonical_reason().unwrap_or("request failed").to_owned();
    }
    let mut problem = Problem::for_status(parts.status, detail).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().append(name.clone(), value.clone());
        }
    }
    problem
}
