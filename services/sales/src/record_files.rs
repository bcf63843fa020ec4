//! Shared documents of a customer, an opportunity or a customer request: the same kinds, size and
//! sniffing rules as a contract's signed copies ([`crate::contract::check_file`]).

use atq_platform::business_time::now_micros;
use atq_platform::{Caller, Db, Error};
use atq_proto::sales::v1 as pb;

use crate::contract;
use crate::discussion::Subject;
use crate::record_files_store::{self, KeptFile};
use crate::request_store::{self, NewEvent};

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

/// Keeps a checked file with a customer request and, the first time, puts it on the request's
/// timeline (a file is never deleted: every request is kept whole).
pub async fn attach_to_request(
    db: &Db,
    caller: &Caller,
    request_id: i64,
    input: &pb::AttachServiceRequestFileRequest,
) -> Result<pb::RecordFile, Error> {
    let (file_name, content_type) = contract::check_file(&input.file_name, &input.content_type, &input.content)?;
    let file =
        KeptFile { file_name: &file_name, content_type: &content_type, content: &input.content, by: &caller.username };
    let mut tx = db.begin().await?;
    let (kept, new) = record_files_store::attach_to_request(&mut tx, request_id, &file).await?;
    if new {
        let at = now_micros().max(request_store::last_event_at(&mut tx, request_id).await?);
        let event = NewEvent {
            request_id,
            kind: "file",
            to_value: kept.id.to_string(),
            body: kept.file_name.clone(),
            actor: caller.username.clone(),
            at,
            ..NewEvent::default()
        };
        request_store::insert_event(&mut tx, &event).await?;
    }
    tx.commit().await?;
    tracing::info!(request = request_id, file = %kept.file_name, size = kept.size, new, "request file kept");
    Ok(kept)
}
