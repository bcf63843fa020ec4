//! Files kept with a customer or an opportunity, stored like contract files.

use atq_platform::business_time::{now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::{Db, Tx};
use atq_proto::sales::v1 as pb;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::discussion::Subject;

const FILES: &str = "id, subject_kind, subject_id, file_name, content_type, size, sha256, uploaded_by, uploaded_at";

fn file_from_row(row: &AnyRow) -> Result<pb::RecordFile> {
    Ok(pb::RecordFile {
        id: row.try_get("id")?,
        subject_kind: row.try_get("subject_kind")?,
        subject_id: row.try_get("subject_id")?,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_at: Some(to_timestamp(row.try_get("uploaded_at")?)),
    })
}

/// A file as one the record already keeps, file name aside.
pub struct KeptFile<'a> {
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub content: &'a [u8],
    pub by: &'a str,
}

/// Keeps the file with the record; the same content attached again returns the file already kept.
#[tracing::instrument(level = "debug", skip_all, fields(subject = %subject.kind, subject_id = subject.id, size = file.content.len()))]
pub async fn attach(tx: &mut Tx, subject: &Subject, file: &KeptFile<'_>) -> Result<pb::RecordFile> {
    let digest = atq_platform::idempotency::hex_sha256(file.content);
    let existing = sqlx::query(&format!(
        "SELECT {FILES} FROM record_files WHERE subject_kind = $1 AND subject_id = $2 AND sha256 = $3"
    ))
    .bind(subject.kind.as_str())
    .bind(subject.id)
    .bind(&digest)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(row) = existing {
        return file_from_row(&row);
    }
    let row = sqlx::query(&format!(
        "INSERT INTO record_files (subject_kind, subject_id, file_name, content_type, size, sha256, content, \
         uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {FILES}"
    ))
    .bind(subject.kind.as_str())
    .bind(subject.id)
    .bind(file.file_name)
    .bind(file.content_type)
    .bind(file.content.len() as i64)
    .bind(&digest)
    .bind(file.content.to_vec())
    .bind(file.by)
    .bind(now_micros())
    .fetch_one(&mut **tx)
    .await?;
    file_from_row(&row)
}

/// The record's files, oldest first, without their content.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn list(db: &Db, subject: &Subject) -> Result<Vec<pb::RecordFile>> {
    let rows = sqlx::query(&format!(
        "SELECT {FILES} FROM record_files WHERE subject_kind = $1 AND subject_id = $2 ORDER BY id"
    ))
    .bind(subject.kind.as_str())
    .bind(subject.id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(file_from_row).collect()
}

#[tracing::instrument(level = "debug", skip(db))]
pub async fn content(db: &Db, subject: &Subject, file_id: i64) -> Result<Option<pb::RecordFileContent>> {
    let row = sqlx::query(&format!(
        "SELECT {FILES}, content FROM record_files WHERE subject_kind = $1 AND subject_id = $2 AND id = $3"
    ))
    .bind(subject.kind.as_str())
    .bind(subject.id)
    .bind(file_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(pb::RecordFileContent { file: Some(file_from_row(&row)?), content: row.try_get("content")? }))
}
