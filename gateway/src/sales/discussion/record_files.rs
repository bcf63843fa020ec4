//! `/api/v1/{customers|opportunities}/{id}/files`: shared documents kept like contract files
//! (PDF, JPEG or PNG told by their first bytes, at most 10 MiB, the same file kept once).

use atq_proto::sales::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, NotFound, PayloadTooLarge};
use crate::rpc::CallContext;
use crate::sales::MAX_FILE_BYTES;
use crate::sales::contracts::content_disposition;
use crate::state::AppState;
use crate::wire::rfc3339;

use super::collection_of;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(customer_files, attach_customer_file))
        .routes(routes!(download_customer_file))
        .routes(routes!(opportunity_files, attach_opportunity_file))
        .routes(routes!(download_opportunity_file))
        .routes(routes!(dealer_application_files, attach_dealer_application_file))
        .routes(routes!(download_dealer_application_file))
}

#[derive(Serialize, ToSchema)]
pub struct RecordFileBody {
    pub id: i64,
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

impl From<pb::RecordFile> for RecordFileBody {
    fn from(f: pb::RecordFile) -> Self {
        RecordFileBody {
            href: format!("/api/v1/{}/{}/files/{}", collection_of(&f.subject_kind), f.subject_id, f.id),
            id: f.id,
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
pub struct FileQuery {
    /// The name to keep it under, e.g. "Hồ sơ năng lực.pdf"
    pub file_name: String,
}

async fn attach(
    state: &AppState,
    caller: &atq_platform::Caller,
    headers: &HeaderMap,
    (kind, id, file_name): (&str, i64, String),
    body: axum::body::Body,
) -> Result<Response, Problem> {
    let body = axum::body::to_bytes(body, MAX_FILE_BYTES)
        .await
        .map_err(|_| Problem::too_large(format!("a file may be at most {} MiB", MAX_FILE_BYTES / (1024 * 1024))))?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let message = pb::AttachRecordFileRequest {
        subject_kind: kind.to_owned(),
        subject_id: id,
        file_name,
        content_type,
        content: body.to_vec(),
    };
    let ctx = CallContext::write(state, caller, headers)?;
    let file = ctx.call(&state.discussion, message, |mut c, r| async move { c.attach_record_file(r).await }).await?;
    let file = RecordFileBody::from(file);
    let location = HeaderValue::from_str(&file.href).ok();
    let mut response = (StatusCode::CREATED, axum::Json(file)).into_response();
    if let Some(value) = location {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

async fn list(
    state: &AppState,
    caller: &atq_platform::Caller,
    kind: &str,
    id: i64,
) -> Result<Vec<RecordFileBody>, Problem> {
    let message = pb::ListRecordFilesRequest { subject_kind: kind.to_owned(), subject_id: id };
    let ctx = CallContext::read(state, caller);
    let files = ctx.call(&state.discussion, message, |mut c, r| async move { c.list_record_files(r).await }).await?;
    Ok(files.items.into_iter().map(RecordFileBody::from).collect())
}

async fn download(
    state: &AppState,
    caller: &atq_platform::Caller,
    kind: &str,
    id: i64,
    file_id: i64,
) -> Result<Response, Problem> {
    let message = pb::GetRecordFileRequest { subject_kind: kind.to_owned(), subject_id: id, file_id };
    let ctx = CallContext::read(state, caller);
    let content = ctx.call(&state.discussion, message, |mut c, r| async move { c.get_record_file(r).await }).await?;
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

/// The routes of one kind of record, so the OpenAPI document names each path.
macro_rules! file_routes {
    ($kind:literal, $path:tt, $one:tt, $tag:literal, $list:ident, $attach:ident, $download:ident) => {
        /// The files kept with the record.
        #[utoipa::path(get, path = $path, tag = $tag, params(("id" = i64, Path)),
                            responses((status = 200, body = Vec<RecordFileBody>), NotFound))]
        pub async fn $list(
            State(state): State<AppState>,
            AuthUser(caller): AuthUser,
            Path(id): Path<i64>,
        ) -> Result<axum::Json<Vec<RecordFileBody>>, Problem> {
            Ok(axum::Json(list(&state, &caller, $kind, id).await?))
        }

        /// Attach a document: the file itself as the body (application/pdf, image/jpeg or
        /// image/png, at most 10 MiB) and its name in `?file_name=`. The same file sent twice
        /// is kept once.
        #[utoipa::path(post, path = $path, tag = $tag,
                            request_body(content = Vec<u8>, content_type = "application/pdf"),
                            params(("id" = i64, Path), FileQuery),
                            responses((status = 201, body = RecordFileBody), BadRequest, NotFound, PayloadTooLarge))]
        pub async fn $attach(
            State(state): State<AppState>,
            AuthUser(caller): AuthUser,
            Path(id): Path<i64>,
            Query(query): Query<FileQuery>,
            headers: HeaderMap,
            body: axum::body::Body,
        ) -> Result<Response, Problem> {
            attach(&state, &caller, &headers, ($kind, id, query.file_name), body).await
        }

        /// Download a kept file as it was uploaded.
        #[utoipa::path(get, path = $one, tag = $tag, params(("id" = i64, Path), ("file_id" = i64, Path)),
                            responses((status = 200, content_type = "application/pdf", body = Vec<u8>), NotFound))]
        pub async fn $download(
            State(state): State<AppState>,
            AuthUser(caller): AuthUser,
            Path((id, file_id)): Path<(i64, i64)>,
        ) -> Result<Response, Problem> {
            download(&state, &caller, $kind, id, file_id).await
        }
    };
}

file_routes!(
    "customer",
    "/api/v1/customers/{id}/files",
    "/api/v1/customers/{id}/files/{file_id}",
    "customers",
    customer_files,
    attach_customer_file,
    download_customer_file
);
file_routes!(
    "opportunity",
    "/api/v1/opportunities/{id}/files",
    "/api/v1/opportunities/{id}/files/{file_id}",
    "opportunities",
    opportunity_files,
    attach_opportunity_file,
    download_opportunity_file
);
// A dealer-opening request's documents: the business licence, photos of the shop.
file_routes!(
    "dealer_application",
    "/api/v1/dealer-applications/{id}/files",
    "/api/v1/dealer-applications/{id}/files/{file_id}",
    "customers",
    dealer_application_files,
    attach_dealer_application_file,
    download_dealer_application_file
);
