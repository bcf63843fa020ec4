//! The documents of a dealer-opening request (the business licence, photos of the shop), kept
//! like a customer's files: listed on the dealer file with the upload form (`record_files.html`),
//! the uploaded file sent on to the API as it came (the API tells its type by its first bytes),
//! each kept file downloaded back through the API with the person's session.

use atq_platform::caller::Action;
use axum::extract::{Multipart, Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};

use super::show_full;
use crate::UiState;
use crate::format;
use crate::page::PageError;
use crate::pages::contracts::read_upload;
use crate::pages::discussion::{Draft, FileRow, Talk};
use crate::pages::documents;
use crate::pages::forms::{FieldErrors, check_csrf};
use crate::session::Session;
use crate::views::discussion::RecordFile;

fn api(id: i64) -> String {
    format!("/api/v1/dealer-applications/{id}/files")
}

/// The request's documents and upload form, with `file_error` when an upload was refused.
pub async fn kept(ui: &UiState, session: &Session, id: i64, file_error: String) -> Result<Talk, PageError> {
    let t = session.texts();
    let files: Vec<RecordFile> = ui.api.get(session.api_caller(), &api(id)).await?;
    let files = files
        .into_iter()
        .map(|file| FileRow {
            href: format!("/dealers/{id}/files/{}", file.id),
            size: format!("{} KB", format::number(file.size.saturating_add(1023) / 1024, t.lang)),
            uploaded_at: format::time(&file.uploaded_at, t.lang),
            file_name: file.file_name,
            content_type: file.content_type,
            uploaded_by: file.uploaded_by,
        })
        .collect();
    Ok(Talk {
        files_action: format!("/dealers/{id}/files"),
        files,
        draft: Draft { file_error, ..Draft::default() },
        may_upload: session.caller.role.may(Action::WriteCustomers),
        ..Talk::default()
    })
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
        let why = session.texts().get("record_files.no_file").to_owned();
        return show_full(&ui, &session, id, String::new(), why).await;
    }
    let query = serde_urlencoded::to_string([("file_name", upload.file_name.as_str())]).unwrap_or_default();
    let path = format!("{}?{query}", api(id));
    let content_type =
        if upload.content_type.is_empty() { "application/octet-stream" } else { upload.content_type.as_str() };
    let sent = ui.api.send_bytes(session.api_caller(), Method::POST, &path, (content_type, upload.bytes), &[]).await;
    match sent {
        Ok(_) => Ok(Redirect::to(&format!("/dealers/{id}#files")).into_response()),
        Err(problem) => {
            let why = FieldErrors::from_problem(problem, session.texts())?.others(&[]);
            show_full(&ui, &session, id, String::new(), why).await
        }
    }
}

pub async fn download(
    State(ui): State<UiState>,
    session: Session,
    Path((id, file_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    documents::printed(&ui, &session, &format!("{}/{file_id}", api(id))).await
}
