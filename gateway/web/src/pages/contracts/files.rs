//! A contract's signed copies: the upload form's file sent on to the API as it came, and each
//! kept file downloaded back through the API.

use axum::extract::{Multipart, Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};

use super::show_page;
use crate::UiState;
use crate::api::ApiProblem;
use crate::page::PageError;
use crate::pages::discussion::Draft;
use crate::pages::documents;
use crate::pages::forms::{FieldErrors, check_csrf};
use crate::session::Session;

/// The API keeps files of at most 10 MiB; the form's other fields and the multipart framing
/// need a little more, and a larger file is then refused by the API with its own words.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024 + 64 * 1024;

/// An uploaded form: its CSRF value and its one file.
#[derive(Default)]
pub struct Upload {
    pub csrf: String,
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

fn unreadable(error: impl std::fmt::Display, status: u16) -> PageError {
    PageError::Api(ApiProblem { status, title: String::new(), detail: error.to_string(), errors: Vec::new() })
}

/// Reads a multipart form of a `csrf` field and the file in `file_field`.
pub async fn read_upload(mut multipart: Multipart, file_field: &str) -> Result<Upload, PageError> {
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(|e| unreadable(e.body_text(), e.status().as_u16()))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "csrf" {
            upload.csrf = field.text().await.map_err(|e| unreadable(e.body_text(), e.status().as_u16()))?;
        } else if name == file_field {
            upload.file_name = field.file_name().unwrap_or_default().to_owned();
            upload.content_type = field.content_type().unwrap_or_default().to_owned();
            upload.bytes = field.bytes().await.map_err(|e| unreadable(e.body_text(), e.status().as_u16()))?.to_vec();
        }
    }
    Ok(upload)
}

/// The type a browser may not state (or state as plain bytes), read from the file's name.
fn content_type_of(upload: &Upload) -> String {
    let stated = upload.content_type.trim();
    if !stated.is_empty() && stated != "application/octet-stream" {
        return stated.to_owned();
    }
    let extension = upload.file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "pdf" => "application/pdf",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
    .to_owned()
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
        return show_page(&ui, &session, id, session.texts().get("contracts.no_file").to_owned(), Draft::default())
            .await;
    }
    let query = serde_urlencoded::to_string([("file_name", upload.file_name.as_str())]).unwrap_or_default();
    let path = format!("/api/v1/contracts/{id}/files?{query}");
    let content_type = content_type_of(&upload);
    let sent = ui.api.send_bytes(session.api_caller(), Method::POST, &path, (&content_type, upload.bytes), &[]).await;
    match sent {
        Ok(_) => Ok(Redirect::to(&format!("/contracts/{id}")).into_response()),
        Err(problem) => {
            let why = FieldErrors::from_problem(problem, session.texts())?.others(&[]);
            show_page(&ui, &session, id, why, Draft::default()).await
        }
    }
}

pub async fn download(
    State(ui): State<UiState>,
    session: Session,
    Path((id, file_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    documents::printed(&ui, &session, &format!("/api/v1/contracts/{id}/files/{file_id}")).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_without_a_stated_type_is_typed_by_its_name() {
        let upload = |name: &str, stated: &str| Upload {
            file_name: name.into(),
            content_type: stated.into(),
            ..Upload::default()
        };
        assert_eq!(content_type_of(&upload("HD ký.PDF", "")), "application/pdf");
        assert_eq!(content_type_of(&upload("scan.jpg", "application/octet-stream")), "image/jpeg");
        assert_eq!(content_type_of(&upload("scan.png", "image/png")), "image/png");
        assert_eq!(content_type_of(&upload("notes", "")), "application/octet-stream");
    }
}
