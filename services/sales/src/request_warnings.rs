//! Breach warnings: the first time a request is seen past a due time, the assignee and the
//! office's sales managers are told once, by a note on the customer's discussion that mentions
//! them (so it reaches their notifications). The mark and the note are written together.

use atq_platform::{Caller, Db, Error};
use atq_proto::sales::v1 as pb;

use crate::discussion::{Subject, SubjectKind, excerpt};
use crate::discussion_store::{self, NewComment};
use crate::request_store::{self, Breach, RequestRow};

/// The warnings `shown` calls for that have not gone out yet.
fn due_warnings(row: &RequestRow, shown: &pb::ServiceRequest) -> Vec<Breach> {
    let breached = |clock: &Option<pb::SlaClock>| clock.as_ref().is_some_and(|c| c.breached);
    let mut warnings = Vec::new();
    if breached(&shown.first_response) && row.first_response_warned_at == 0 {
        warnings.push(Breach::FirstResponse);
    }
    if breached(&shown.resolution) && row.resolution_warned_at == 0 {
        warnings.push(Breach::Resolution);
    }
    warnings
}

/// What the note says, in Vietnamese: the company's working language.
fn note(shown: &pb::ServiceRequest, breach: Breach) -> String {
    let what = match breach {
        Breach::FirstResponse => "phản hồi đầu tiên",
        Breach::Resolution => "giải quyết",
    };
    format!("Yêu cầu {} «{}» đã quá hạn {what} theo SLA.", shown.number, shown.subject)
}

/// Who is told: the assignee and the managers, each once.
fn recipients(row: &RequestRow) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in std::iter::once(&row.proto.assignee).chain(&row.managers) {
        if !name.is_empty() && !names.contains(name) {
            names.push(name.clone());
        }
    }
    names
}

/// Sends the warnings each shown request calls for, at most once each however often it is read
/// and however many sweeps run at once: the conditional mark decides who writes the note. Returns
/// how many this call sent.
pub async fn warn(db: &Db, requests: &[(RequestRow, pb::ServiceRequest)]) -> Result<i64, Error> {
    let mut sent = 0;
    for (row, shown) in requests {
        for breach in due_warnings(row, shown) {
            let mut tx = db.begin().await?;
            if request_store::mark_warned(&mut tx, row.id, breach).await? {
                let body = note(shown, breach);
                let comment = NewComment {
                    subject: Subject { kind: SubjectKind::Customer, id: shown.customer_id, office: row.office },
                    author: Caller::service(crate::NAME).username,
                    excerpt: excerpt(&body),
                    body,
                    mentions: recipients(row),
                };
                discussion_store::insert_comment(&mut tx, &comment).await?;
                tracing::info!(request = row.id, ?breach, "SLA breach warned");
                sent += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_names_the_request_and_the_clock() {
        let shown =
            pb::ServiceRequest { number: "YC-2026-0001".into(), subject: "Máy đo pH".into(), ..Default::default() };
        assert_eq!(
            note(&shown, Breach::Resolution),
            "Yêu cầu YC-2026-0001 «Máy đo pH» đã quá hạn giải quyết theo SLA."
        );
        assert!(note(&shown, Breach::FirstResponse).contains("phản hồi đầu tiên"));
    }
}
