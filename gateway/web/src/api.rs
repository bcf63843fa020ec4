//! Calls to the REST API in-process: a request built here goes through the gateway's own router,
//! with the person's token, so a page can do exactly what that person could do over HTTP and no
//! more. Answers are read back from their JSON; errors keep the API's problem details.

use std::net::SocketAddr;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tower::ServiceExt;

/// Far above any page's data; a report bigger than this is a fault, not a page.
const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;

#[derive(Clone)]
pub struct Api {
    router: Router,
}

/// Who is calling: their token (none for signing in) and the address their browser came from,
/// which the API's sign-in throttling counts.
#[derive(Clone, Copy)]
pub struct Caller<'a> {
    pub token: Option<&'a str>,
    pub client: Option<SocketAddr>,
}

/// A problem the API answered, as its problem+json said it.
#[derive(Debug, Deserialize, Default)]
pub struct ApiProblem {
    #[serde(skip)]
    pub status: u16,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub errors: Vec<ApiFieldError>,
}

#[derive(Debug, Deserialize, Clone)]
pub struct ApiFieldError {
    pub field: String,
    pub message: String,
}

impl ApiProblem {
    fn internal(detail: impl Into<String>) -> ApiProblem {
        ApiProblem { status: 500, title: "Internal Server Error".into(), detail: detail.into(), errors: Vec::new() }
    }

    pub fn is_sign_in(&self) -> bool {
        self.status == 401
    }
}

/// A successful answer: its headers (ETag, Location, Content-Disposition) and body.
pub struct Answer {
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiProblem> {
        serde_json::from_slice(&self.body).map_err(|error| ApiProblem::internal(format!("unexpected answer: {error}")))
    }
}

impl Api {
    pub fn new(router: Router) -> Api {
        Api { router }
    }

    pub async fn get<T: DeserializeOwned>(&self, caller: Caller<'_>, path: &str) -> Result<T, ApiProblem> {
        self.call(caller, Method::GET, path, None, &[]).await?.json()
    }

    /// Sends `body` as JSON; `headers` such as `Idempotency-Key` or `If-Match` go with it.
    pub async fn send(
        &self,
        caller: Caller<'_>,
        method: Method,
        path: &str,
        body: &serde_json::Value,
        headers: &[(&str, String)],
    ) -> Result<Answer, ApiProblem> {
        let bytes = serde_json::to_vec(body).map_err(|error| ApiProblem::internal(error.to_string()))?;
        self.call(caller, method, path, Some(bytes), headers).await
    }

    pub async fn call(
        &self,
        caller: Caller<'_>,
        method: Method,
        path: &str,
        json: Option<Vec<u8>>,
        headers: &[(&str, String)],
    ) -> Result<Answer, ApiProblem> {
        let request = build_request(caller, method, path, json, headers)?;
        self.exchange(request).await
    }

    /// Sends `bytes` as they are (an uploaded file, a bank statement) with their `content_type`.
    pub async fn send_bytes(
        &self,
        caller: Caller<'_>,
        method: Method,
        path: &str,
        (content_type, bytes): (&str, Vec<u8>),
        headers: &[(&str, String)],
    ) -> Result<Answer, ApiProblem> {
        let (mut parts, _) = build_request(caller, method, path, None, headers)?.into_parts();
        let content_type = header::HeaderValue::from_str(content_type)
            .map_err(|_| ApiProblem::internal(format!("not a content type: {content_type}")))?;
        parts.headers.insert(header::CONTENT_TYPE, content_type);
        self.exchange(Request::from_parts(parts, Body::from(bytes))).await
    }

    async fn exchange(&self, request: Request<Body>) -> Result<Answer, ApiProblem> {
        let response = self.router.clone().oneshot(request).await.map_err(|never| match never {})?;
        let (parts, body) = response.into_parts();
        let body = http_body_util::Limited::new(body, MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|error| ApiProblem::internal(format!("cannot read the answer: {error}")))?
            .to_bytes();
        if parts.status.is_success() {
            return Ok(Answer { headers: parts.headers, body });
        }
        Err(problem_of(parts.status, &body))
    }
}

fn build_request(
    caller: Caller<'_>,
    method: Method,
    path: &str,
    json: Option<Vec<u8>>,
    headers: &[(&str, String)],
) -> Result<Request<Body>, ApiProblem> {
    let mut builder = Request::builder().method(method).uri(path);
    // Messages come in English, the key of the one table both languages are read from; a
    // printed document asks for the person's own language.
    if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("accept-language")) {
        builder = builder.header(header::ACCEPT_LANGUAGE, "en");
    }
    if let Some(token) = caller.token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    for (name, value) in headers {
        builder = builder.header(*name, value);
    }
    let body = match json {
        Some(bytes) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(bytes)
        }
        None => Body::empty(),
    };
    let mut request = builder.body(body).map_err(|error| ApiProblem::internal(error.to_string()))?;
    if let Some(client) = caller.client {
        request.extensions_mut().insert(ConnectInfo(client));
    }
    Ok(request)
}

fn problem_of(status: StatusCode, body: &[u8]) -> ApiProblem {
    let mut problem: ApiProblem = serde_json::from_slice(body).unwrap_or_default();
    problem.status = status.as_u16();
    if problem.title.is_empty() {
        problem.title = status.canonical_reason().unwrap_or("Error").to_owned();
    }
    problem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_keeps_its_status_and_field_errors() {
        let body = br#"{"type":"/problems/validation","title":"Bad Request","status":400,
            "detail":"invalid","errors":[{"field":"phone","message":"must be 10 digits"}]}"#;
        let problem = problem_of(StatusCode::BAD_REQUEST, body);
        assert_eq!(problem.status, 400);
        assert_eq!(problem.errors[0].field, "phone");
        let unreadable = problem_of(StatusCode::BAD_GATEWAY, b"<html>");
        assert_eq!((unreadable.status, unreadable.title.as_str()), (502, "Bad Gateway"));
    }
}
