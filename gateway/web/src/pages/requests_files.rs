//! Files kept with a customer request: the upload form's file sent on to the API as it came (the
//! API tells its type by its first bytes), each kept file listed on the request's page and
//! downloaded back through the API with the person's session.

use axum::extract::{Multipart, Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::requests::show_page;
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::PageError;
use crate::pages::contracts::read_upload;
use crate::pages::documents;
use crate::pages::forms::{FieldErrors, check_csrf};
use crate::session::Session;

/// A kept file as the API lists it.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RequestFile {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

pub struct FileRow {
    pub href: String,
    pub file_name: String,
    pub content_type: String,
    pub size: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

pub fn file_row(request_id: i64, file: RequestFile, t: Texts) -> FileRow {
    FileRow {
        href: format!("/requests/{request_id}/files/{}", file.id),
        size: format!("{} KB", format::number(file.size.saturating_add(1023) / 1024, t.lang)),
        uploaded_at: format::time(&file.uploaded_at, t.lang),
        file_name: file.file_name,
        content_type: file.content_type,
        uploaded_by: file.uploaded_by,
    }
}

pub async fn upload(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let upload = read_upload(multipart, "file").await?;
    check_csrf(&session, &upload.csrf)?;
    if upload.bytes.is_empty() {
        let why = session.texts().get("requests.no_file").to_owned();
        return show_page(&ui, &session, id, FieldErrors::default(), why).await;
    }
    let query = serde_urlencoded::to_string([("file_name", upload.file_name.as_str())]).unwrap_or_default();
    let path = format!("/api/v1/requests/{id}/files?{query}");
    let content_type =
        if upload.content_type.is_empty() { "application/octet-stream" } else { upload.content_type.as_str() };
    let sent = ui.api.send_bytes(session.api_caller(), Method::POST, &path, (content_type, upload.bytes), &[]).await;
    match sent {
        Ok(_) => Ok(Redirect::to(&format!("/requests/{id}#files")).into_response()),
        Err(problem) => {
            let why = FieldErrors::from_problem(problem, session.texts())?.others(&[]);
            show_page(&ui, &session, id, FieldErrors::default(), why).await
        }
    }
}

pub async fn download(
    State(ui): State<UiState>,
    session: Session,
    Path((id, file_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    documents::printed(&ui, &session, &format!("/api/v1/requests/{id}/files/{file_id}")).await
}
