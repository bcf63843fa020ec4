//! Errors as RFC 9457 `application/problem+json`, from the one error table in the platform.

mod plain;

pub use plain::every_error_as_problem;

use atq_platform::error::RemoteError;
use atq_platform::{Error, ErrorCode, FieldError};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    pub reason: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// Seconds to wait before trying again (`Retry-After`).
    pub retry_after: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct ProblemBody {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldErrorBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Problem {
        Problem {
            status: StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            reason: code.reason(),
            title: code.title(),
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// A problem for a status the error table has no kind for (the framework's own answers).
    pub fn for_status(status: StatusCode, detail: impl Into<String>) -> Problem {
        let code = match status {
            StatusCode::BAD_REQUEST => Some(ErrorCode::InvalidInput),
            StatusCode::UNAUTHORIZED => Some(ErrorCode::Unauthenticated),
            StatusCode::FORBIDDEN => Some(ErrorCode::PermissionDenied),
            StatusCode::NOT_FOUND => Some(ErrorCode::NotFound),
            StatusCode::CONFLICT => Some(ErrorCode::Conflict),
            StatusCode::SERVICE_UNAVAILABLE => Some(ErrorCode::Unavailable),
            StatusCode::GATEWAY_TIMEOUT => Some(ErrorCode::TimedOut),
            StatusCode::INTERNAL_SERVER_ERROR => Some(ErrorCode::Internal),
            _ => None,
        };
        if let Some(code) = code {
            return Problem::new(code, detail);
        }
        let (reason, title) = match status {
            StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "Method not allowed"),
            StatusCode::REQUEST_TIMEOUT => ("request_timeout", "Request too slow"),
            StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "Body too large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "Unsupported media type"),
            StatusCode::TOO_MANY_REQUESTS => ("too_many_requests", "Too many requests"),
            _ if status.is_client_error() => ("bad_request", "Request refused"),
            _ => ("server_error", "Server error"),
        };
        Problem { status, reason, title, detail: detail.into(), errors: Vec::new(), retry_after: None }
    }

    pub fn invalid(errors: Vec<FieldError>) -> Problem {
        let detail = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
        Problem { errors, ..Problem::new(ErrorCode::InvalidInput, detail) }
    }

    pub fn field(field: &str, message: &str) -> Problem {
        Problem::invalid(vec![FieldError::new(field, message)])
    }

    pub fn unauthenticated(detail: &str) -> Problem {
        Problem::new(ErrorCode::Unauthenticated, detail)
    }

    /// 413: a body over the route's limit.
    pub fn too_large(detail: impl Into<String>) -> Problem {
        Problem::for_status(StatusCode::PAYLOAD_TOO_LARGE, detail)
    }

    /// 408: the body did not arrive in time.
    pub fn too_slow(detail: impl Into<String>) -> Problem {
        Problem::for_status(StatusCode::REQUEST_TIMEOUT, detail)
    }

    /// 429: too many failed sign-ins; try again after `seconds`.
    pub fn too_many_attempts(seconds: u64) -> Problem {
        Problem {
            retry_after: Some(seconds),
            ..Problem::for_status(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many failed sign-ins; try again in {seconds} s"),
            )
        }
    }

    /// 503: every password check is busy; try again shortly.
    pub fn busy(detail: impl Into<String>) -> Problem {
        Problem { retry_after: Some(1), ..Problem::new(ErrorCode::Unavailable, detail) }
    }

    /// 428: an update came without the version it was based on.
    pub fn precondition_required() -> Problem {
        Problem {
            status: StatusCode::PRECONDITION_REQUIRED,
            reason: "precondition_required",
            title: "Version required",
            detail: "send If-Match with the ETag you read, or version in the body".into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }
}

impl From<tonic::Status> for Problem {
    fn from(status: tonic::Status) -> Problem {
        let remote = RemoteError::from_status(&status);
        if remote.code == ErrorCode::InvalidInput && !remote.fields.is_empty() {
            return Problem::invalid(remote.fields);
        }
        Problem::new(remote.code, remote.message)
    }
}

impl From<Error> for Problem {
    fn from(error: Error) -> Problem {
        match error {
            Error::Invalid(fields) => Problem::invalid(fields),
            Error::Internal(source) => {
                tracing::error!(error = format!("{source:#}"), "internal error");
                Problem::new(ErrorCode::Internal, "internal error")
            }
            other => Problem::new(other.code(), other.to_string()),
        }
    }
}

impl From<sqlx::Error> for Problem {
    fn from(error: sqlx::Error) -> Problem {
        Problem::from(Error::from(error))
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = ProblemBody {
            type_uri: format!("/problems/{}", self.reason.replace('_', "-")),
            title: self.title.to_owned(),
            status: self.status.as_u16(),
            detail: self.detail,
            errors: self.errors.into_iter().map(|e| FieldErrorBody { field: e.field, message: e.message }).collect(),
            trace_id: atq_platform::telemetry::current_trace_id(),
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// The problem responses a route may document, each declared once: list them in a route's
/// `responses(...)` by name, as `responses((status = 200, body = X), NotFound, Forbidden)`.
pub mod responses {
    use std::collections::BTreeMap;

    use utoipa::IntoResponses;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, response::Response};

    macro_rules! problem_responses {
        ($($name:ident = $status:literal, $description:literal;)*) => {$(
            #[doc = $description]
            pub struct $name;

            impl IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<Response>> {
                    BTreeMap::from([($status.to_string(), problem_response($description))])
                }
            }
        )*};
    }

    problem_responses! {
        BadRequest = 400, "A field is missing or malformed; `errors` names each.";
        Unauthorized = 401, "Not signed in: no valid token, or wrong credentials.";
        Forbidden = 403, "The caller's role may not do this.";
        NotFound = 404, "No such record.";
        Conflict = 409, "Clashes with the record's state or with another record.";
        PreconditionFailed = 412, "The version sent is not the current one.";
        PayloadTooLarge = 413, "The body is over the route's limit.";
        Unprocessable = 422, "The request breaks a business rule.";
        PreconditionRequired = 428, "An update came without the version it was based on.";
        TooManyRequests = 429, "Too many failed attempts; `Retry-After` says when to try again.";
    }

    /// The body is the `ProblemBody` schema, registered once with the document's components.
    fn problem_response(description: &str) -> RefOr<Response> {
        let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ProblemBody"))).build();
        ResponseBuilder::new().description(description).content("application/problem+json", content).build().into()
    }
}
