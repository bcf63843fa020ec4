//! A JSON body extractor whose every rejection is a problem+json naming the field at fault.

use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

use crate::problem::Problem;

const MAX_BODY: usize = 1024 * 1024;

pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/json") || value.contains("+json"));
        if !is_json {
            return Err(Problem::field("body", "send JSON with Content-Type: application/json"));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|_| Problem::field("body", "could not be read"))?;
        if bytes.len() > MAX_BODY {
            return Err(Problem::field("body", "is larger than 1 MiB"));
        }
        let deserializer = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(deserializer).map(JsonBody).map_err(|error| {
            let path = error.path().to_string();
            let field = if path == "." { "body".to_owned() } else { path };
            let message = error.inner().to_string();
            // serde's message ends with " at line 1 column 9"; the field name says more.
            let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
            Problem::field(&field, &message)
        })
    }
}
