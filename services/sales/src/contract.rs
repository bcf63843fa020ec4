//! Contracts: what a new one needs, which status may follow which, and what a kept file may be.

use atq_platform::Error;
use atq_platform::business_time::{date_from_proto, local_date, now_micros};
use atq_platform::validation::{Violations, optional_text, required_text};
use atq_proto::common::v1::LocalDate;
use atq_proto::sales::v1 as pb;
use chrono::NaiveDate;

/// Larger scans belong compressed; this keeps a request well inside the gRPC message limit.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Room for the file and its envelope.
pub const MAX_MESSAGE_BYTES: usize = MAX_FILE_BYTES + 64 * 1024;

pub mod status {
    pub const DRAFT: &str = "draft";
    pub const SIGNED: &str = "signed";
    pub const COMPLETED: &str = "completed";
    pub const CANCELLED: &str = "cancelled";
    pub const ALL: [&str; 4] = [DRAFT, SIGNED, COMPLETED, CANCELLED];
}

/// Whether a contract may go from `from` to `to`; signing also needs a signed copy attached.
pub fn may_move(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        (status::DRAFT, status::SIGNED)
            | (status::SIGNED, status::COMPLETED)
            | (status::DRAFT, status::CANCELLED)
            | (status::SIGNED, status::CANCELLED)
    )
}

#[derive(Clone, Debug)]
pub struct NewContract {
    pub name: String,
    pub customer_id: i64,
    pub responsible: String,
    pub made_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub value: i64,
    pub note: String,
}

fn date(v: &mut Violations, field: &str, date: Option<&LocalDate>) -> Option<NaiveDate> {
    date.and_then(|d| v.check(field, date_from_proto(d)))
}

pub fn check_responsible(text: &str) -> Result<String, String> {
    required_text(text, 100)
}

impl NewContract {
    pub fn parse(input: &pb::CreateContractRequest, caller: &str) -> Result<NewContract, Error> {
        let mut v = Violations::new();
        let name = v.check("name", required_text(&input.name, 300)).unwrap_or_default();
        if input.customer_id <= 0 {
            v.add("customer_id", "is required");
        }
        let responsible = if input.responsible.trim().is_empty() {
            caller.to_owned()
        } else {
            v.check("responsible", check_responsible(&input.responsible)).unwrap_or_default()
        };
        let made_on = date(&mut v, "made_on", input.made_on.as_ref()).unwrap_or_else(|| local_date(now_micros()));
        let ends_on = date(&mut v, "ends_on", input.ends_on.as_ref());
        if ends_on.is_some_and(|end| end < made_on) {
            v.add("ends_on", "must not be before the date the contract was made");
        }
        if input.value < 0 {
            v.add("value", "must not be negative");
        }
        let note = v.check("note", optional_text(&input.note, 4000)).unwrap_or_default();
        v.finish()?;
        Ok(NewContract {
            name,
            customer_id: input.customer_id,
            responsible,
            made_on,
            ends_on,
            value: input.value,
            note,
        })
    }
}

/// The file types a signed copy comes in, told by their first bytes (the declared type must agree).
pub fn check_file(file_name: &str, content_type: &str, content: &[u8]) -> Result<(String, String), Error> {
    let mut v = Violations::new();
    let name = v.check("file_name", required_text(file_name, 255)).unwrap_or_default();
    if name.contains(['/', '\\']) {
        v.add("file_name", "must be a name, not a path");
    }
    let sniffed = if content.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if content.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    };
    if content.is_empty() {
        v.add("file", "is empty");
    } else if content.len() > MAX_FILE_BYTES {
        v.add("file", format!("is larger than {} MiB", MAX_FILE_BYTES / (1024 * 1024)));
    }
    let declared = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match sniffed {
        None if !content.is_empty() => v.add("file", "must be a PDF, JPEG or PNG file"),
        Some(kind) if !declared.is_empty() && declared != "application/octet-stream" && declared != kind => {
            v.add("content_type", format!("says {declared} but the file is {kind}"))
        }
        _ => {}
    }
    v.finish()?;
    Ok((name, sniffed.unwrap_or_default().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contract_is_signed_then_completed_or_cancelled_and_never_reopened() {
        assert!(may_move(status::DRAFT, status::SIGNED));
        assert!(may_move(status::SIGNED, status::COMPLETED));
        assert!(may_move(status::SIGNED, status::CANCELLED));
        assert!(!may_move(status::COMPLETED, status::SIGNED));
        assert!(!may_move(status::CANCELLED, status::DRAFT));
        assert!(!may_move(status::DRAFT, status::COMPLETED));
    }

    #[test]
    fn files_are_known_by_their_content_not_their_name() {
        assert_eq!(check_file("hd.pdf", "application/pdf", b"%PDF-1.7 ...").unwrap().1, "application/pdf");
        assert_eq!(check_file("scan.png", "", b"\x89PNG\r\n\x1a\n...").unwrap().1, "image/png");
        let Error::Invalid(fields) = check_file("hd.pdf", "application/pdf", b"MZ\x90\x00").unwrap_err() else {
            panic!("field errors")
        };
        assert_eq!(fields[0].field, "file");
        let Error::Invalid(fields) = check_file("../hd.pdf", "image/png", b"%PDF-1.4").unwrap_err() else {
            panic!("field errors")
        };
        assert_eq!(fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["file_name", "content_type"]);
    }

    #[test]
    fn a_contract_cannot_end_before_it_was_made() {
        let input = pb::CreateContractRequest {
            name: "Cung cấp thiết bị phòng thí nghiệm".into(),
            customer_id: 4,
            made_on: Some(LocalDate { year: 2026, month: 11, day: 20 }),
            ends_on: Some(LocalDate { year: 2026, month: 11, day: 19 }),
            ..Default::default()
        };
        let Error::Invalid(fields) = NewContract::parse(&input, "sales.hn").unwrap_err() else { panic!() };
        assert_eq!(fields[0].field, "ends_on");
        let input = pb::CreateContractRequest { ends_on: None, ..input };
        assert_eq!(NewContract::parse(&input, "sales.hn").unwrap().responsible, "sales.hn");
    }
}
