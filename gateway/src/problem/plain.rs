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
/// The largest problem translated (a problem larger still is answered without its field list).
const MAX_PROBLEM_BYTES: usize = 64 * 1024 * 1024;

pub async fn every_error_as_problem(request: Request, next: Next) -> Response {
    let english = crate::messages::prefers_english(request.headers());
    let response = next.run(request).await;
    let status = response.status();
    if !status.is_client_error() && !status.is_server_error() {
        return response;
    }
    let response = if is_problem(&response) { response } else { rewrite(response).await };
    let mut response = if english { response } else { in_vietnamese(response).await };
    if status == StatusCode::UNAUTHORIZED && !response.headers().contains_key(header::WWW_AUTHENTICATE) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// The problem with its title, detail and field messages in Vietnamese; the field keys and the
/// type stay as they are, so a program reads the same answer in either language.
async fn in_vietnamese(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    // The problem is this gateway's own answer, at most a few times the size of the body it
    // refuses (one message per bad field); a smaller limit here once emptied a large one.
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PROBLEM_BYTES).await else {
        let refused = Problem::for_status(parts.status, "the request was refused; its list of problems is too long");
        return refused.into_response();
    };
    let Ok(mut problem) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Response::from_parts(parts, axum::body::Body::from(bytes));
    };
    let translate = |value: &mut serde_json::Value| {
        if let Some(text) = value.as_str() {
            *value = serde_json::Value::String(crate::messages::in_vietnamese(text));
        }
    };
    translate(&mut problem["title"]);
    translate(&mut problem["detail"]);
    if let Some(errors) = problem.get_mut("errors").and_then(|e| e.as_array_mut()) {
        errors.iter_mut().for_each(|error| translate(&mut error["message"]));
    }
    let body = serde_json::to_vec(&problem).unwrap_or_else(|_| bytes.to_vec());
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static("vi"));
    Response::from_parts(parts, axum::body::Body::from(body))
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
