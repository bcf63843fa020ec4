//! `/api/v1/requests/{id}/files`: documents a customer sent with a request (a photo of the faulty
//! unit, a delivery note), kept like a customer's or an opportunity's files (PDF, JPEG or PNG told
//! by their first bytes, at most 10 MiB, the same file kept once) and never deleted. Each new file
//! also goes on the request's timeline.

use atq_platform::caller::Action;
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::service_request_files_client::ServiceRequestFilesClient;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tonic::transport::Channel;
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, NotFound, PayloadTooLarge};
use crate::rpc::CallContext;
use crate::sales::MAX_FILE_BYTES;
use crate::sales::contracts::content_disposition;
use crate::state::AppState;
use crate::wire::rfc3339;

/// A file travels whole in one message, a little over its own size.
const MAX_MESSAGE_BYTES: usize = MAX_FILE_BYTES + 64 * 1024;

fn client(state: &AppState) -> Result<ServiceRequestFilesClient<Channel>, Problem> {
    Ok(ServiceRequestFilesClient::new(state.channel("sales")?)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES))
}

#[derive(Serialize, ToSchema)]
pub struct RequestFileBody {
    pub id: i64,
    pub request_id: i64,
    pub file_name: String,
    /// application/pdf, image/jpeg or image/png
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
    /// Where to download it
    pub href: String,
}

impl From<pb::RecordFile> for RequestFileBody {
    fn from(f: pb::RecordFile) -> Self {
        RequestFileBody {
            href: format!("/api/v1/requests/{}/files/{}", f.subject_id, f.id),
            id: f.id,
            request_id: f.subject_id,
            file_name: f.file_name,
            content_type: f.content_type,
            size: f.size,
            sha256: f.sha256,
            uploaded_by: f.uploaded_by,
            uploaded_at: rfc3339(f.uploaded_at.as_ref()),
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct RequestFileQuery {
    /// The name to keep it under, e.g. "Ảnh máy hỏng.jpg"
    pub file_name: String,
}

/// The files kept with the request, oldest first.
#[utoipa::path(get, path = "/api/v1/requests/{id}/files", tag = "requests", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RequestFileBody>), NotFound))]
pub async fn request_files(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<Vec<RequestFileBody>>, Problem> {
    caller.require(Action::ReadCustomers)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::ListServiceRequestFilesRequest { id };
    let files =
        ctx.call(&client(&state)?, message, |mut c, r| async move { c.list_service_request_files(r).await }).await?;
    Ok(axum::Json(files.items.into_iter().map(RequestFileBody::from).collect()))
}

/// Attach a file to the request: the file itself as the body (application/pdf, image/jpeg or
/// image/png, at most 10 MiB) and its name in `?file_name=`. The same file sent twice is kept
/// once; a file is never deleted.
#[utoipa::path(post, path = "/api/v1/requests/{id}/files", tag = "requests",
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    params(("id" = i64, Path), RequestFileQuery),
    responses((status = 201, body = RequestFileBody), BadRequest, NotFound, PayloadTooLarge))]
pub async fn attach_request_file(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<RequestFileQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, Problem> {
    caller.require(Action::WriteRequests)?;
    let body = axum::body::to_bytes(body, MAX_FILE_BYTES)
        .await
        .map_err(|_| Problem::too_large(format!("a file may be at most {} MiB", MAX_FILE_BYTES / (1024 * 1024))))?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let message =
        pb::AttachServiceRequestFileRequest { id, file_name: query.file_name, content_type, content: body.to_vec() };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let file =
        ctx.call(&client(&state)?, message, |mut c, r| async move { c.attach_service_request_file(r).await }).await?;
    let file = RequestFileBody::from(file);
    let location = HeaderValue::from_str(&file.href).ok();
    let mut response = (StatusCode::CREATED, axum::Json(file)).into_response();
    if let Some(value) = location {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// Download a kept file as it was uploaded.
#[utoipa::path(get, path = "/api/v1/requests/{id}/files/{file_id}", tag = "requests",
    params(("id" = i64, Path), ("file_id" = i64, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), NotFound))]
pub async fn download_request_file(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path((id, file_id)): Path<(i64, i64)>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCustomers)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::GetServiceRequestFileRequest { id, file_id };
    let content =
        ctx.call(&client(&state)?, message, |mut c, r| async move { c.get_service_request_file(r).await }).await?;
    let file = content.file.unwrap_or_default();
    let mut response = content.content.into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, file.content_type.clone()),
        (header::CONTENT_DISPOSITION, content_disposition(&file.file_name)),
        (header::ETAG, format!("\"{}\"", file.sha256)),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    Ok(response)
}
