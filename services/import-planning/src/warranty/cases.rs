//! Warranty cases: opened on a serial (from a customer request or directly) with its coverage
//! checked on the day, diagnosed, decided (`decisions.rs`), closed. Every step is appended to the
//! case's timeline in the transaction that makes it; nothing is ever deleted.

use atq_platform::business_time::{date_to_proto, local_date, now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::validation::{Violations, required_text};
use atq_platform::{Caller, Db, Error, Tx, idempotency};
use atq_proto::importplanning::v1 as pb;
use chrono::Datelike;

use super::events;
use super::lookup;
use super::store;
use super::units::Units;

/// Status words of a case.
pub const OPEN: &str = "open";
pub const DIAGNOSED: &str = "diagnosed";
pub const DECIDED: &str = "decided";
pub const AT_SUPPLIER: &str = "at_supplier";
pub const CLOSED: &str = "closed";
pub const STATUSES: &[&str] = &[OPEN, DIAGNOSED, DECIDED, AT_SUPPLIER, CLOSED];

/// A contract may promise up to ten years.
const MAX_CONTRACT_MONTHS: i32 = 120;

/// What warranty works with: its database and the warehouse.
#[derive(Clone)]
pub struct Warranty {
    pub db: Db,
    pub units: Units,
}

/// A checked request to open a case.
#[derive(Clone, Debug)]
pub struct NewCase {
    pub serial: String,
    pub product_id: i64,
    pub request_id: i64,
    pub complaint: String,
    pub contract_months: i32,
}

impl TryFrom<&pb::OpenCaseRequest> for NewCase {
    type Error = Error;

    fn try_from(input: &pb::OpenCaseRequest) -> Result<NewCase> {
        let mut v = Violations::new();
        let serial = v.check("serial", parse_serial(&input.serial));
        if input.product_id < 0 {
            v.add("product_id", "must be a product id");
        }
        if input.request_id < 0 {
            v.add("request_id", "must be a request id");
        }
        let complaint = v.check("complaint", required_text(&input.complaint, 2000));
        if !(0..=MAX_CONTRACT_MONTHS).contains(&input.contract_warranty_months) {
            v.add("contract_warranty_months", format!("must be from 0 to {MAX_CONTRACT_MONTHS}"));
        }
        v.finish()?;
        Ok(NewCase {
            serial: serial.unwrap_or_default(),
            product_id: input.product_id,
            request_id: input.request_id,
            complaint: complaint.unwrap_or_default(),
            contract_months: input.contract_warranty_months,
        })
    }
}

/// A serial number as the warehouse writes them: 1 to 64 visible characters.
pub fn parse_serial(text: &str) -> Result<String, String> {
    let serial = text.trim();
    if serial.is_empty() || serial.len() > 64 || !serial.chars().all(|c| c.is_ascii_graphic()) {
        return Err("must be a serial number (1 to 64 visible characters)".into());
    }
    Ok(serial.to_owned())
}

fn entry(kind: &str, note: String, by: &str, at: i64) -> pb::TimelineEntry {
    pb::TimelineEntry { kind: kind.to_owned(), note, by: by.to_owned(), at: Some(to_timestamp(at)) }
}

/// Opens a case on the unit with its coverage today; `key` replays a retried opening.
pub async fn open(
    w: &Warranty,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::OpenCaseRequest,
) -> Result<pb::WarrantyCase> {
    let new = NewCase::try_from(input)?;
    let now = now_micros();
    let today = local_date(now);
    let months = i64::from(new.contract_months);
    let a = lookup::assess((&w.units, &w.db), caller, (&new.serial, new.product_id), (months, today)).await?;
    let sale = a.unit.sale.clone().or_else(|| a.unit.first_sale.clone()).unwrap_or_default();
    let coverage_note = if a.coverage.covered { "covered".to_owned() } else { a.coverage.reason.clone() };
    let case = pb::WarrantyCase {
        request_id: new.request_id,
        product_id: a.product.id,
        model_code: a.product.fields.model_code.clone(),
        serial: a.unit.serial.clone(),
        customer_id: sale.customer_id,
        customer_name: sale.customer_name.clone(),
        order_number: sale.order_ref.clone(),
        shipped_on: sale.shipped_on,
        warranty_months: i32::try_from(a.coverage.months).unwrap_or_default(),
        warranty_ends_on: a.coverage.ends_on.map(date_to_proto),
        covered: a.coverage.covered,
        coverage_reason: a.coverage.reason.clone(),
        complaint: new.complaint.clone(),
        status: OPEN.into(),
        office: a.office.map(|o| o.to_proto() as i32).unwrap_or_default(),
        timeline: vec![entry("opened", coverage_note, &caller.username, now)],
        version: 1,
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
        updated_at: Some(to_timestamp(now)),
        contract_warranty_months: new.contract_months,
        ..Default::default()
    };
    let scope = format!("importplanning.OpenWarrantyCase:{}", caller.username);
    let backend = w.db.backend();
    let opened = idempotency::run_once(&w.db, &scope, key, input, move |tx| {
        let case = case.clone();
        Box::pin(async move {
            let opened = insert(tx, case, now, today.year()).await?;
            events::record(tx, backend, &opened, "opened", now).await?;
            Ok(opened)
        })
    })
    .await?;
    tracing::info!(case = %opened.number, covered = opened.covered, "warranty case opened");
    Ok(opened)
}

async fn insert(tx: &mut Tx, mut case: pb::WarrantyCase, now: i64, year: i32) -> Result<pb::WarrantyCase> {
    case.number = format!("BH-{year}-{:04}", next_in_series(tx, &format!("BH-{year}")).await?);
    case.id = store::insert(tx, &case, now).await?;
    Ok(case)
}

/// The case, if the caller may see it (office-scoped callers: their office's cases).
pub async fn load(db: &Db, caller: &Caller, id: i64) -> Result<pb::WarrantyCase> {
    let mut conn = db.pool().acquire().await?;
    let case = store::find(&mut conn, id).await?;
    let visible = |case: &pb::WarrantyCase| {
        atq_platform::Office::from_proto(case.office).map_or(caller.territory().is_none(), |o| caller.sees_office(o))
    };
    case.filter(visible).ok_or_else(|| Error::NotFound(format!("warranty case {id}")))
}

/// Writes the case's next state with a timeline entry; a conflict if it changed meanwhile.
pub async fn save(
    db: &Db,
    caller: &Caller,
    mut case: pb::WarrantyCase,
    (kind, note): (&str, String),
) -> Result<pb::WarrantyCase> {
    let now = now_micros();
    case.version += 1;
    case.updated_at = Some(to_timestamp(now));
    case.timeline.push(entry(kind, note, &caller.username, now));
    let mut tx = db.begin().await?;
    store::update(&mut tx, &case, now).await?;
    events::record(&mut tx, db.backend(), &case, kind, now).await?;
    tx.commit().await?;
    tracing::info!(case = %case.number, step = kind, status = %case.status, "warranty case updated");
    Ok(case)
}

/// Records what is wrong with the unit; again while undecided to correct it.
pub async fn diagnose(db: &Db, caller: &Caller, input: &pb::DiagnoseCaseRequest) -> Result<pb::WarrantyCase> {
    let diagnosis = required_text(&input.diagnosis, 2000).map_err(|m| Error::invalid("diagnosis", m))?;
    let mut case = load(db, caller, input.id).await?;
    if case.diagnosis == diagnosis && case.status == DIAGNOSED {
        return Ok(case);
    }
    if case.status != OPEN && case.status != DIAGNOSED {
        return Err(Error::Conflict("the diagnosis is recorded before the decision".into()));
    }
    case.diagnosis.clone_from(&diagnosis);
    case.status = DIAGNOSED.into();
    save(db, caller, case, ("diagnosed", diagnosis)).await
}

/// Closes the case with what was done; not while the unit is at the supplier.
pub async fn close(db: &Db, caller: &Caller, input: &pb::CloseCaseRequest) -> Result<pb::WarrantyCase> {
    let resolution = required_text(&input.resolution, 2000).map_err(|m| Error::invalid("resolution", m))?;
    let mut case = load(db, caller, input.id).await?;
    if case.status == CLOSED {
        return if case.resolution == resolution {
            Ok(case)
        } else {
            Err(Error::Conflict("the case is already closed".into()))
        };
    }
    if case.status == AT_SUPPLIER {
        return Err(Error::Conflict("the unit is still at the supplier".into()));
    }
    case.resolution.clone_from(&resolution);
    case.status = CLOSED.into();
    save(db, caller, case, ("closed", resolution)).await
}
