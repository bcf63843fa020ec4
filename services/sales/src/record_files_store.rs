//! Files kept with a customer or an opportunity (`record_files`) or with a customer request
//! (`request_files`, whose rows point at the request), stored like contract files.

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

/// Where a record's files are kept: the table, and the kind and id that name the record in it.
#[derive(Clone, Copy, Debug)]
struct Owner<'a> {
    table: &'static str,
    kind: &'a str,
    id: i64,
}

impl<'a> From<&'a Subject> for Owner<'a> {
    fn from(subject: &'a Subject) -> Self {
        // A dealer-opening request's documents have their own table, whose rows name the request.
        let table = match subject.kind {
            crate::discussion::SubjectKind::DealerApplication => "dealer_application_files",
            _ => "record_files",
        };
        Owner { table, kind: subject.kind.as_str(), id: subject.id }
    }
}

/// The kind word of a request's files.
pub const REQUEST: &str = "request";

fn request_owner(request_id: i64) -> Owner<'static> {
    Owner { table: "request_files", kind: REQUEST, id: request_id }
}

/// Keeps the file with the record; the same content attached again returns the file already kept.
#[tracing::instrument(level = "debug", skip_all, fields(subject = %subject.kind, subject_id = subject.id, size = file.content.len()))]
pub async fn attach(tx: &mut Tx, subject: &Subject, file: &KeptFile<'_>) -> Result<pb::RecordFile> {
    Ok(attach_to(tx, subject.into(), file).await?.0)
}

/// Keeps the file with the request; true when it is new (not the same content again).
pub async fn attach_to_request(tx: &mut Tx, request_id: i64, file: &KeptFile<'_>) -> Result<(pb::RecordFile, bool)> {
    attach_to(tx, request_owner(request_id), file).await
}

pub async fn list_of_request(db: &Db, request_id: i64) -> Result<Vec<pb::RecordFile>> {
    list_of(db, request_owner(request_id)).await
}

pub async fn content_of_request(db: &Db, request_id: i64, file_id: i64) -> Result<Option<pb::RecordFileContent>> {
    content_of(db, request_owner(request_id), file_id).await
}

async fn attach_to(tx: &mut Tx, owner: Owner<'_>, file: &KeptFile<'_>) -> Result<(pb::RecordFile, bool)> {
    let digest = atq_platform::idempotency::hex_sha256(file.content);
    let existing = sqlx::query(&format!(
        "SELECT {FILES} FROM {} WHERE subject_kind = $1 AND subject_id = $2 AND sha256 = $3",
        owner.table
    ))
    .bind(owner.kind)
    .bind(owner.id)
    .bind(&digest)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(row) = existing {
        return Ok((file_from_row(&row)?, false));
    }
    let row = sqlx::query(&format!(
        "INSERT INTO {} (subject_kind, subject_id, file_name, content_type, size, sha256, content, \
         uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {FILES}",
        owner.table
    ))
    .bind(owner.kind)
    .bind(owner.id)
    .bind(file.file_name)
    .bind(file.content_type)
    .bind(file.content.len() as i64)
    .bind(&digest)
    .bind(file.content.to_vec())
    .bind(file.by)
    .bind(now_micros())
    .fetch_one(&mut **tx)
    .await?;
    Ok((file_from_row(&row)?, true))
}

/// The record's files, oldest first, without their content.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn list(db: &Db, subject: &Subject) -> Result<Vec<pb::RecordFile>> {
    list_of(db, subject.into()).await
}

async fn list_of(db: &Db, owner: Owner<'_>) -> Result<Vec<pb::RecordFile>> {
    let rows = sqlx::query(&format!(
        "SELECT {FILES} FROM {} WHERE subject_kind = $1 AND subject_id = $2 ORDER BY id",
        owner.table
    ))
    .bind(owner.kind)
    .bind(owner.id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(file_from_row).collect()
}

#[tracing::instrument(level = "debug", skip(db))]
pub async fn content(db: &Db, subject: &Subject, file_id: i64) -> Result<Option<pb::RecordFileContent>> {
    content_of(db, subject.into(), file_id).await
}

async fn content_of(db: &Db, owner: Owner<'_>, file_id: i64) -> Result<Option<pb::RecordFileContent>> {
    let row = sqlx::query(&format!(
        "SELECT {FILES}, content FROM {} WHERE subject_kind = $1 AND subject_id = $2 AND id = $3",
        owner.table
    ))
    .bind(owner.kind)
    .bind(owner.id)
    .bind(file_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(pb::RecordFileContent { file: Some(file_from_row(&row)?), content: row.try_get("content")? }))
}
