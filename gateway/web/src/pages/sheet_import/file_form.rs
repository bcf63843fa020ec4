//! The upload form of an import screen as the browser sends it (multipart): the step, the CSRF
//! value, the digest of the file checked and the import's key, and the file itself with the
//! type it is sent to the API as and its digest.

use axum::extract::Multipart;
use sha2::{Digest, Sha256};

use crate::api::ApiProblem;
use crate::page::PageError;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The upload form: which step, and for the import, the digest of the file checked and the key
/// that makes a resubmitted import write once.
#[derive(Default)]
pub(super) struct Upload {
    pub csrf: String,
    pub step: String,
    pub digest: String,
    pub idempotency_key: String,
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

fn unreadable(error: &axum::extract::multipart::MultipartError) -> PageError {
    let status = error.status().as_u16();
    PageError::Api(ApiProblem { status, detail: error.body_text(), ..ApiProblem::default() })
}

pub(super) async fn read_upload(mut multipart: Multipart) -> Result<Upload, PageError> {
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(|e| unreadable(&e))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "sheet" {
            upload.file_name = field.file_name().unwrap_or_default().to_owned();
            upload.content_type = field.content_type().unwrap_or_default().to_owned();
            upload.bytes = field.bytes().await.map_err(|e| unreadable(&e))?.to_vec();
            continue;
        }
        let value = field.text().await.map_err(|e| unreadable(&e))?;
        match name.as_str() {
            "csrf" => upload.csrf = value,
            "step" => upload.step = value,
            "digest" => upload.digest = value,
            "idempotency_key" => upload.idempotency_key = value,
            _ => {}
        }
    }
    Ok(upload)
}

/// The type to send: a browser may state none, or plain bytes; the name then tells.
pub(super) fn content_type_of(upload: &Upload) -> &'static str {
    let stated = upload.content_type.to_ascii_lowercase();
    let named_xlsx = upload.file_name.to_ascii_lowercase().ends_with(".xlsx");
    if stated.contains("spreadsheetml") || named_xlsx { XLSX } else { "text/csv" }
}

/// The SHA-256 of the file, as the check's page keeps it.
pub(super) fn digest_of(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_sent_follows_the_stated_type_or_the_name() {
        let upload = |name: &str, stated: &str| Upload {
            file_name: name.into(),
            content_type: stated.into(),
            ..Upload::default()
        };
        assert_eq!(content_type_of(&upload("khach-hang.xlsx", "application/octet-stream")), XLSX);
        assert_eq!(content_type_of(&upload("export", XLSX)), XLSX);
        assert_eq!(content_type_of(&upload("khach-hang.csv", "")), "text/csv");
    }

    #[test]
    fn the_digest_names_the_file_checked() {
        assert_eq!(digest_of(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
