//! Contracts: what a new one needs, which status may follow which, and what a kept file may be.

use atq_platform::business_time::{date_from_proto, local_date, now_micros};
use atq_platform::limits;
use atq_platform::validation::{Violations, optional_text, required_text};
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::common::v1::LocalDate;
use atq_proto::sales::v1 as pb;
use chrono::NaiveDate;

use crate::contract_store::{self, ContractChange, ContractRow};
use crate::customer_store::CustomerRow;
use crate::opportunity;
use atq_platform::text_status;

/// Larger scans belong compressed; this keeps a request well inside the gRPC message limit.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Room for the file and its envelope.
pub const MAX_MESSAGE_BYTES: usize = MAX_FILE_BYTES + 64 * 1024;

text_status! {
    ContractStatus {
        Draft = "draft",
        Signed = "signed",
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

text_status! {
    /// What a contract is for: a sale, or the terms of a dealership.
    ContractKind {
        Sale = "sale",
        Dealer = "dealer",
    }
}

/// Whether a contract may go from `from` to `to`; signing also needs a signed copy attached.
pub fn may_move(from: ContractStatus, to: ContractStatus) -> bool {
    use ContractStatus::{Cancelled, Completed, Draft, Signed};
    matches!((from, to), (Draft, Signed) | (Signed, Completed) | (Draft, Cancelled) | (Signed, Cancelled))
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
    /// The opportunity it closes.
    pub opportunity_id: Option<i64>,
    pub kind: ContractKind,
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
        v.check("value", limits::amount(input.value));
        let note = v.check("note", optional_text(&input.note, 4000)).unwrap_or_default();
        let kind = match input.kind.trim() {
            "" => ContractKind::Sale,
            text => ContractKind::parse(text).unwrap_or_else(|| {
                v.add("kind", format!("must be one of {}", ContractKind::ALL.join(", ")));
                ContractKind::Sale
            }),
        };
        v.finish()?;
        Ok(NewContract {
            name,
            customer_id: input.customer_id,
            responsible,
            made_on,
            ends_on,
            value: input.value,
            note,
            opportunity_id: (input.opportunity_id > 0).then_some(input.opportunity_id),
            kind,
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

/// The update applied to what was read, checked field by field.
pub fn change_of(contract: &ContractRow, input: &pb::UpdateContractRequest) -> Result<ContractChange, Error> {
    let current = &contract.proto;
    let mut v = Violations::new();
    let name = match &input.name {
        Some(name) => v.check("name", required_text(name, 300)).unwrap_or_default(),
        None => current.name.clone(),
    };
    let responsible = match &input.responsible {
        Some(text) => v.check("responsible", check_responsible(text)).unwrap_or_default(),
        None => current.responsible.clone(),
    };
    let made_on = current.made_on.as_ref().and_then(|d| date_from_proto(d).ok());
    let ends_on = match &input.ends_on {
        Some(date) => v.check("ends_on", date_from_proto(date)),
        None => current.ends_on.as_ref().and_then(|d| date_from_proto(d).ok()),
    };
    if let (Some(end), Some(made)) = (ends_on, made_on)
        && end < made
    {
        v.add("ends_on", "must not be before the date the contract was made");
    }
    let value = input.value.unwrap_or(current.value);
    v.check("value", limits::amount(value));
    let note = match &input.note {
        Some(note) => v.check("note", optional_text(note, 4000)).unwrap_or_default(),
        None => current.note.clone(),
    };
    let status = next_status(&mut v, contract, input.status.as_deref())?;
    v.finish()?;
    Ok(ContractChange { name, responsible, ends_on, value, note, status })
}

/// The status asked for, if the contract may take it now.
fn next_status(v: &mut Violations, contract: &ContractRow, asked: Option<&str>) -> Result<ContractStatus, Error> {
    let (current, number) = (contract.status, &contract.proto.number);
    let Some(text) = asked.map(str::trim) else { return Ok(current) };
    let Some(to) = ContractStatus::parse(text) else {
        v.add("status", format!("must be one of {}", ContractStatus::ALL.join(", ")));
        return Ok(current);
    };
    if to == current {
        return Ok(current);
    }
    if !may_move(current, to) {
        return Err(Error::Conflict(format!("contract {number} is {current}; it cannot become {to}")));
    }
    if to == ContractStatus::Signed && contract.proto.files.is_empty() {
        return Err(Error::Conflict(format!(
            "contract {number} has no signed copy attached; attach the signed PDF first"
        )));
    }
    Ok(to)
}

/// Writes the contract once per idempotency key (a retry gets the contract made the first time).
pub async fn create(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::CreateContractRequest,
    contract: NewContract,
    customer: CustomerRow,
) -> Result<pb::Contract, Error> {
    let scope = format!("sales.CreateContract:{}", caller.username);
    let by = caller.username.clone();
    let created = idempotency::run_once(db, &scope, key, input, move |tx| {
        let (contract, customer, by, caller) = (contract.clone(), customer.clone(), by.clone(), caller.clone());
        Box::pin(async move {
            if let Some(opportunity_id) = contract.opportunity_id {
                opportunity::open_for(tx, &caller, opportunity_id, customer.id).await?;
            }
            let id = contract_store::insert(tx, &contract, &customer, &by).await?;
            let row = contract_store::find(tx, id).await?.ok_or_else(|| Error::NotFound(format!("contract {id}")))?;
            Ok(row.proto)
        })
    })
    .await?;
    tracing::info!(contract = %created.number, "contract created");
    Ok(created)
}

/// Applies an update to the contract as it was read (refused if it changed meanwhile).
/// Signing a contract that names an opportunity wins it, by the person who signs.
pub async fn update(
    db: &Db,
    caller: &Caller,
    contract: &ContractRow,
    input: &pb::UpdateContractRequest,
) -> Result<pb::Contract, Error> {
    Error::unless_stale(input.expected_version, contract.proto.version)?;
    let change = change_of(contract, input)?;
    let mut tx = db.begin().await?;
    contract_store::update(&mut tx, contract, &change).await?;
    let opportunity_id = contract.proto.opportunity_id;
    if change.status == ContractStatus::Signed && contract.status != ContractStatus::Signed && opportunity_id > 0 {
        let reason = format!("contract {} signed", contract.proto.number);
        opportunity::win_in(&mut tx, db.backend(), opportunity_id, &caller.username, reason).await?;
    }
    let updated = contract_store::find(&mut tx, contract.id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("contract {}", contract.id)))?;
    tx.commit().await?;
    tracing::info!(contract = %updated.proto.number, status = %updated.status, "contract updated");
    Ok(updated.proto)
}

/// Keeps a file (a signed copy) with a contract that is not cancelled.
pub async fn attach(
    db: &Db,
    caller: &Caller,
    contract: &ContractRow,
    input: &pb::AttachFileRequest,
) -> Result<pb::ContractFile, Error> {
    if contract.status == ContractStatus::Cancelled {
        return Err(Error::Conflict(format!("contract {} is cancelled", contract.proto.number)));
    }
    let (file_name, content_type) = check_file(&input.file_name, &input.content_type, &input.content)?;
    let mut tx = db.begin().await?;
    let file =
        contract_store::attach(&mut tx, contract.id, &file_name, &content_type, &input.content, &caller.username)
            .await?;
    tx.commit().await?;
    tracing::info!(contract = %contract.proto.number, file = %file.file_name, size = file.size, "file kept");
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contract_is_signed_then_completed_or_cancelled_and_never_reopened() {
        use ContractStatus::{Cancelled, Completed, Draft, Signed};
        assert!(may_move(Draft, Signed));
        assert!(may_move(Signed, Completed));
        assert!(may_move(Signed, Cancelled));
        assert!(!may_move(Completed, Signed));
        assert!(!may_move(Cancelled, Draft));
        assert!(!may_move(Draft, Completed));
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
        let parsed = NewContract::parse(&input, "sales.hn").unwrap();
        assert_eq!((parsed.responsible.as_str(), parsed.kind), ("sales.hn", ContractKind::Sale));
        let dealer = pb::CreateContractRequest { kind: " dealer ".into(), ..input.clone() };
        assert_eq!(NewContract::parse(&dealer, "sales.hn").unwrap().kind, ContractKind::Dealer);
        let other = pb::CreateContractRequest { kind: "lease".into(), ..input };
        let Error::Invalid(fields) = NewContract::parse(&other, "sales.hn").unwrap_err() else { panic!() };
        assert_eq!(fields[0].field, "kind");
    }
}
