//! Discussion on sales records: what a comment may say, whom it may mention, and whom it tells.

use atq_platform::text_status;
use atq_platform::{Caller, Db, Error, Office, idempotency};
use atq_proto::sales::v1 as pb;
use unicode_normalization::UnicodeNormalization;

use crate::discussion_store::{self, NewComment};

/// Long enough for a meeting's notes; longer belongs in an attached file.
pub const MAX_BODY_CHARS: usize = 4000;
/// More names than this is a broadcast, not a mention.
pub const MAX_MENTIONS: usize = 20;
/// How much of a comment a notification repeats.
pub const EXCERPT_CHARS: usize = 140;

text_status! {
    /// The records people discuss.
    SubjectKind {
        Customer = "customer",
        Opportunity = "opportunity",
        Contract = "contract",
        Order = "order",
        /// A dealer-opening request: its documents (business licence, photos of the shop).
        DealerApplication = "dealer_application",
    }
}

impl SubjectKind {
    /// The table holding records of this kind (each has an `office` column).
    pub fn table(self) -> &'static str {
        match self {
            SubjectKind::Customer => "customers",
            SubjectKind::Opportunity => "opportunities",
            SubjectKind::Contract => "contracts",
            SubjectKind::Order => "orders",
            SubjectKind::DealerApplication => "dealer_applications",
        }
    }

    /// Files are kept with customers and opportunities; contracts keep theirs with the contract.
    pub fn keeps_files(self) -> bool {
        matches!(self, SubjectKind::Customer | SubjectKind::Opportunity | SubjectKind::DealerApplication)
    }
}

/// A record being discussed, found inside the caller's territory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subject {
    pub kind: SubjectKind,
    pub id: i64,
    pub office: Office,
}

/// The kind named on the wire, as a field error when it is not one.
pub fn parse_kind(text: &str, allowed: &[SubjectKind]) -> Result<SubjectKind, Error> {
    SubjectKind::parse(text.trim()).filter(|kind| allowed.contains(kind)).ok_or_else(|| {
        let names: Vec<&str> = allowed.iter().map(|kind| kind.as_str()).collect();
        Error::invalid("subject_kind", format!("must be one of {}", names.join(", ")))
    })
}

/// The record of `kind` and `id` if the caller may see it; "not found" otherwise, as everywhere.
pub async fn visible_subject(db: &Db, caller: &Caller, kind: SubjectKind, id: i64) -> Result<Subject, Error> {
    let office = discussion_store::subject_office(db, kind, id).await?;
    match office {
        Some(office) if caller.sees_office(office) => Ok(Subject { kind, id, office }),
        _ => Err(Error::NotFound(format!("{kind} {id}"))),
    }
}

/// A comment's text as kept: NFC, line breaks as `\n`, no other control characters, trimmed.
/// Unlike a name, a comment keeps its lines.
pub fn comment_body(text: &str) -> Result<String, String> {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    if unified.chars().any(|c| c.is_control() && c != '\n') {
        return Err("must not contain control characters".into());
    }
    let body: String = unified.trim().nfc().collect();
    match body.chars().count() {
        0 => Err("must not be empty".into()),
        n if n > MAX_BODY_CHARS => Err(format!("must be at most {MAX_BODY_CHARS} characters")),
        _ => Ok(body),
    }
}

/// The comment's beginning on one line, for a notification.
pub fn excerpt(body: &str) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= EXCERPT_CHARS {
        return line;
    }
    let cut: String = line.chars().take(EXCERPT_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

/// The mentioned colleagues, once each; one who cannot see the subject's office is refused,
/// since they could not open what they are told about.
pub fn check_mentions(subject: &Subject, mentions: &[pb::Mention]) -> Result<Vec<String>, Error> {
    let mut names: Vec<String> = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    for mention in mentions {
        let username = mention.username.trim().to_owned();
        if username.is_empty() || names.contains(&username) {
            continue;
        }
        let sees = match Office::from_proto(mention.office) {
            Ok(office) => office == subject.office,
            Err(_) => true,
        };
        if !sees {
            refused.push(username.clone());
        }
        names.push(username);
    }
    if let Some(first) = refused.first() {
        return Err(Error::invalid("body", format!("@{first} cannot see records of this office")));
    }
    if names.len() > MAX_MENTIONS {
        return Err(Error::invalid("body", format!("may mention at most {MAX_MENTIONS} colleagues")));
    }
    Ok(names)
}

/// Writes the comment, its mentions and a notification for each colleague mentioned (the author
/// is not told about their own comment), once per idempotency key.
pub async fn add_comment(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::AddCommentRequest,
    subject: Subject,
) -> Result<pb::Comment, Error> {
    let body = comment_body(&input.body).map_err(|message| Error::invalid("body", message))?;
    let mentions = check_mentions(&subject, &input.mentions)?;
    let comment = NewComment { subject, author: caller.username.clone(), excerpt: excerpt(&body), body, mentions };
    let scope = format!("sales.AddComment:{}", caller.username);
    let added = idempotency::run_once(db, &scope, key, input, move |tx| {
        let comment = comment.clone();
        Box::pin(async move { discussion_store::insert_comment(tx, &comment).await })
    })
    .await?;
    tracing::info!(comment_id = added.id, subject = %subject.kind, subject_id = subject.id, "comment added");
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject_in(office: Office) -> Subject {
        Subject { kind: SubjectKind::Customer, id: 7, office }
    }

    fn mention(username: &str, office: Option<Office>) -> pb::Mention {
        pb::Mention { username: username.into(), office: office.map(|o| o.to_proto() as i32).unwrap_or_default() }
    }

    #[test]
    fn a_comment_keeps_its_lines_and_refuses_other_control_characters() {
        assert_eq!(comment_body("  Gọi lại\r\nthứ Hai  ").unwrap(), "Gọi lại\nthứ Hai");
        assert_eq!(comment_body("Hoa\u{300}").unwrap(), "Hoà");
        assert_eq!(comment_body("a\tb").unwrap_err(), "must not contain control characters");
        assert_eq!(comment_body(" \n ").unwrap_err(), "must not be empty");
        assert!(comment_body(&"x".repeat(4000)).is_ok());
        assert_eq!(comment_body(&"x".repeat(4001)).unwrap_err(), "must be at most 4000 characters");
    }

    #[test]
    fn an_excerpt_is_one_line_of_at_most_140_characters() {
        assert_eq!(excerpt("Báo giá\nđã gửi"), "Báo giá đã gửi");
        let long = excerpt(&"chữ ".repeat(100));
        assert_eq!(long.chars().count(), 140);
        assert!(long.ends_with("ữ…"));
    }

    #[test]
    fn a_colleague_of_another_office_cannot_be_pulled_into_the_thread() {
        let subject = subject_in(Office::HaNoi);
        let names = check_mentions(
            &subject,
            &[mention("manager.hn", Some(Office::HaNoi)), mention("director", None), mention("manager.hn", None)],
        )
        .unwrap();
        assert_eq!(names, ["manager.hn", "director"]);
        let Error::Invalid(fields) =
            check_mentions(&subject, &[mention("sales.hcm", Some(Office::HoChiMinh))]).unwrap_err()
        else {
            panic!("field error")
        };
        assert_eq!(
            (fields[0].field.as_str(), fields[0].message.as_str()),
            ("body", "@sales.hcm cannot see records of this office")
        );
    }
}
