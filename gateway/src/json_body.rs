//! A JSON body extractor whose every rejection is a problem+json naming the field at fault.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

use crate::problem::Problem;

const MAX_BODY: usize = 1024 * 1024;

pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(is_json_media_type);
        if !is_json {
            return Err(Problem::field("body", "send JSON with Content-Type: application/json"));
        }
        let bytes = read_body(request.into_body(), MAX_BODY, "1 MiB").await?;
        let deserializer = &mut serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut *deserializer).map_err(|error| {
            let path = error.path().to_string();
            let field = if path == "." { "body".to_owned() } else { path };
            let message = error.inner().to_string();
            // serde's message ends with " at line 1 column 9"; the field name says more.
            let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
            Problem::field(&field, &message)
        })?;
        // One JSON value and nothing after it: a body with more is refused, not half read.
        deserializer.end().map_err(|_| Problem::field("body", "must hold one JSON value and nothing after it"))?;
        Ok(JsonBody(value))
    }
}

/// `application/json` or a `+json` type, in any letter case, with or without parameters.
fn is_json_media_type(value: &str) -> bool {
    let media_type = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    media_type == "application/json" || (media_type.starts_with("application/") && media_type.ends_with("+json"))
}

/// The whole body, refused with 413 past `limit` bytes (`limit_text` says it to people) and with
/// 408 when the client sends it too slowly.
pub async fn read_body(body: Body, limit: usize, limit_text: &str) -> Result<Bytes, Problem> {
    axum::body::to_bytes(body, limit).await.map_err(|error| {
        let cause = error.into_inner();
        if crate::listen::BodyTimedOut::caused(cause.as_ref()) {
            Problem::too_slow("the body did not arrive in time")
        } else if is_over_limit(cause.as_ref()) {
            Problem::too_large(format!("the body is larger than {limit_text}"))
        } else {
            Problem::field("body", "could not be read")
        }
    })
}

fn is_over_limit(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(error) = next {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        next = error.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::is_json_media_type;

    #[test]
    fn json_is_recognised_in_any_case_and_with_parameters() {
        for json in
            ["application/json", "APPLICATION/JSON", "application/json; charset=utf-8", "application/problem+json"]
        {
            assert!(is_json_media_type(json), "{json}");
        }
        for other in ["text/plain", "application/jsonx", "text/json+xml", ""] {
            assert!(!is_json_media_type(other), "{other}");
        }
    }
}
