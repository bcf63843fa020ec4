//! Shared documents of a customer or an opportunity: the same kinds, size and sniffing rules as
//! a contract's signed copies ([`crate::contract::check_file`]).

use atq_platform::{Caller, Db, Error};
use atq_proto::sales::v1 as pb;

use crate::contract;
use crate::discussion::Subject;
use crate::record_files_store::{self, KeptFile};

/// Keeps a checked file with the record (kept once per content).
pub async fn attach(
    db: &Db,
    caller: &Caller,
    subject: &Subject,
    input: &pb::AttachRecordFileRequest,
) -> Result<pb::RecordFile, Error> {
    let (file_name, content_type) = contract::check_file(&input.file_name, &input.content_type, &input.content)?;
    let file =
        KeptFile { file_name: &file_name, content_type: &content_type, content: &input.content, by: &caller.username };
    let mut tx = db.begin().await?;
    let kept = record_files_store::attach(&mut tx, subject, &file).await?;
    tx.commit().await?;
    tracing::info!(subject = %subject.kind, subject_id = subject.id, file = %kept.file_name, size = kept.size, "file kept");
    Ok(kept)
}
