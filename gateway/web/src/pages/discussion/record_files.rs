//! Files kept with a customer or an opportunity: the upload form's file sent on to the API as it
//! came (the API tells its type by its first bytes), and each kept file downloaded back through
//! the API with the person's session, like a contract's signed copies.

use axum::extract::{Multipart, Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};

use super::{Draft, Subject, host_page};
use crate::UiState;
use crate::page::PageError;
use crate::pages::contracts::read_upload;
use crate::pages::documents;
use crate::pages::forms::{FieldErrors, check_csrf};
use crate::session::Session;

pub async fn upload_to_customer(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    upload(&ui, &session, Subject::Customer(id), multipart).await
}

pub async fn upload_to_opportunity(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    upload(&ui, &session, Subject::Opportunity(id), multipart).await
}

async fn upload(
    ui: &UiState,
    session: &Session,
    subject: Subject,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let upload = read_upload(multipart, "file").await?;
    check_csrf(session, &upload.csrf)?;
    let refused = |file_error: String| Draft { file_error, ..Draft::default() };
    if upload.bytes.is_empty() {
        let why = session.texts().get("record_files.no_file").to_owned();
        return host_page(ui, session, subject, refused(why)).await;
    }
    let query = serde_urlencoded::to_string([("file_name", upload.file_name.as_str())]).unwrap_or_default();
    let path = format!("{}?{query}", subject.api("files"));
    let content_type =
        if upload.content_type.is_empty() { "application/octet-stream" } else { upload.content_type.as_str() };
    let sent = ui.api.send_bytes(session.api_caller(), Method::POST, &path, (content_type, upload.bytes), &[]).await;
    match sent {
        Ok(_) => Ok(Redirect::to(&format!("{}#files", subject.page())).into_response()),
        Err(problem) => {
            let why = FieldErrors::from_problem(problem, session.texts())?.others(&[]);
            host_page(ui, session, subject, refused(why)).await
        }
    }
}

pub async fn download_from_customer(
    State(ui): State<UiState>,
    session: Session,
    Path((id, file_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    documents::printed(&ui, &session, &Subject::Customer(id).api(&format!("files/{file_id}"))).await
}

pub async fn download_from_opportunity(
    State(ui): State<UiState>,
    session: Session,
    Path((id, file_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    documents::printed(&ui, &session, &Subject::Opportunity(id).api(&format!("files/{file_id}"))).await
}
