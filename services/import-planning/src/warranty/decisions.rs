//! What is done with a faulty unit: repaired in house, sent to the supplier (RMA) and back,
//! exchanged for a unit from stock, or, out of warranty, repaired for a quoted price.
//!
//! The warehouse moves a step needs are made first, each keyed by the case's number and the
//! step, then the case is saved: a step retried after a failure finds its moves already made.

use atq_platform::business_time::{date_from_proto, date_to_proto, local_date, now_micros, timestamp_micros};
use atq_platform::error::Result;
use atq_platform::validation::{Violations, document_ref, optional_text};
use atq_platform::{Caller, Error, Office, limits};
use atq_proto::accountingwarehouse::v1 as wh;
use atq_proto::importplanning::v1 as pb;
use chrono::NaiveDate;

use super::cases::{self, AT_SUPPLIER, DECIDED, DIAGNOSED, OPEN, Warranty, parse_serial};
use super::units::MoveKind;

pub const DECISIONS: &[&str] = &["repair_in_house", "repair_at_supplier", "exchange", "paid_repair"];
pub const OUTCOMES: &[&str] = &["repaired", "replaced", "credited"];

/// A day given or today; never in the future.
fn day_or_today(field: &str, date: Option<&atq_proto::common::v1::LocalDate>) -> Result<NaiveDate> {
    let today = local_date(now_micros());
    let day = date.map(date_from_proto).transpose().map_err(|m| Error::invalid(field, m))?.unwrap_or(today);
    if day > today {
        return Err(Error::invalid(field, "must not be in the future"));
    }
    Ok(day)
}

fn move_request(case: &pb::WarrantyCase, step: &str, serial: &str) -> wh::WarrantyMoveRequest {
    wh::WarrantyMoveRequest {
        move_ref: format!("{}:{step}", case.number),
        case_ref: case.number.clone(),
        product_id: case.product_id,
        serial: serial.to_owned(),
        ..Default::default()
    }
}

/// Decides the case; an exchange moves the units at once.
pub async fn decide(w: &Warranty, caller: &Caller, input: &pb::DecideCaseRequest) -> Result<pb::WarrantyCase> {
    let mut case = cases::load(&w.db, caller, input.id).await?;
    let replacement = input.replacement_serial.trim();
    let same = case.decision == input.decision && !case.decision.is_empty();
    if same && (case.decision != "exchange" || case.replacement_serial == replacement) {
        return Ok(case);
    }
    let mut v = Violations::new();
    if !DECISIONS.contains(&input.decision.as_str()) {
        v.add("decision", "must be repair_in_house, repair_at_supplier, exchange or paid_repair");
    } else if !case.covered && input.decision != "paid_repair" {
        v.add("decision", "out of warranty: only a paid repair can be offered");
    }
    let quote = match input.decision.as_str() {
        "paid_repair" => v.check("quote_amount", limits::positive_amount(input.quote_amount)),
        _ => Some(0),
    };
    let note = v.check("note", optional_text(&input.note, 2000));
    v.finish()?;
    if case.status != OPEN && case.status != DIAGNOSED {
        return Err(Error::Conflict("the case was decided already".into()));
    }
    if input.decision == "exchange" {
        exchange(w, caller, &mut case, input).await?;
    }
    case.decision.clone_from(&input.decision);
    case.quote_amount = quote.unwrap_or_default();
    case.status = DECIDED.into();
    let summary = match case.decision.as_str() {
        "paid_repair" => format!("paid_repair {}", case.quote_amount),
        "exchange" => format!("exchange {} -> {}", case.serial, case.replacement_serial),
        other => other.to_owned(),
    };
    let note = format!("{summary} {}", note.unwrap_or_default());
    cases::save(&w.db, caller, case, ("decided", note.trim().to_owned())).await
}

/// The replacement goes out from stock and the faulty unit comes back as damaged.
async fn exchange(
    w: &Warranty,
    caller: &Caller,
    case: &mut pb::WarrantyCase,
    input: &pb::DecideCaseRequest,
) -> Result<()> {
    let mut v = Violations::new();
    let replacement = v.check("replacement_serial", parse_serial(&input.replacement_serial));
    let policy = match input.replacement_warranty.as_str() {
        "" | "remaining" => Some("remaining"),
        "new" => Some("new"),
        _ => v.check("replacement_warranty", Err("must be remaining or new".to_owned())),
    };
    let warehouse = match input.warehouse {
        0 => Office::from_proto(case.office).ok(),
        value => v.check("warehouse", Office::from_proto(value)),
    };
    if warehouse.is_none() && input.warehouse == 0 {
        v.add("warehouse", "is required");
    }
    v.finish()?;
    let (Some(replacement), Some(warehouse)) = (replacement, warehouse) else {
        return Err(Error::invalid("warehouse", "is required"));
    };
    let out = wh::WarrantyMoveRequest {
        other_serial: case.serial.clone(),
        warehouse: warehouse.to_proto() as i32,
        note: "exchange".into(),
        ..move_request(case, "replacement", &replacement)
    };
    let renames = [("serial", "replacement_serial"), ("other_serial", "serial")];
    let issued = w.units.make(MoveKind::Replacement, out, caller, &renames).await?;
    let back = move_request(case, "faulty", &case.serial);
    w.units.make(MoveKind::FaultyBack, back, caller, &[]).await?;
    let issued_at = issued.created_at.as_ref().map(timestamp_micros).unwrap_or_else(now_micros);
    case.replacement_serial = replacement;
    case.replacement_warranty = policy.unwrap_or("remaining").to_owned();
    case.exchanged_on = Some(date_to_proto(local_date(issued_at)));
    Ok(())
}

/// The faulty unit comes back from the customer as damaged and leaves for the supplier.
pub async fn ship(w: &Warranty, caller: &Caller, input: &pb::ShipToSupplierRequest) -> Result<pb::WarrantyCase> {
    let mut case = cases::load(&w.db, caller, input.id).await?;
    let rma =
        document_ref(&input.rma_number, "the supplier's RMA number").map_err(|m| Error::invalid("rma_number", m))?;
    if case.supplier_return.as_ref().is_some_and(|r| r.rma_number == rma) {
        return Ok(case);
    }
    let shipped_on = day_or_today("shipped_on", input.shipped_on.as_ref())?;
    if case.decision != "repair_at_supplier" || case.status != DECIDED || case.supplier_return.is_some() {
        return Err(Error::Conflict("only a case decided repair_at_supplier is sent to the supplier, once".into()));
    }
    w.units.make(MoveKind::FaultyBack, move_request(&case, "faulty", &case.serial), caller, &[]).await?;
    let out = wh::WarrantyMoveRequest { reference: rma.clone(), ..move_request(&case, "to-supplier", &case.serial) };
    w.units.make(MoveKind::ToSupplier, out, caller, &[("reference", "rma_number")]).await?;
    case.supplier_return = Some(pb::SupplierReturn {
        rma_number: rma.clone(),
        shipped_on: Some(date_to_proto(shipped_on)),
        ..Default::default()
    });
    case.status = AT_SUPPLIER.into();
    cases::save(&w.db, caller, case, ("sent_to_supplier", rma)).await
}

/// The supplier's answer; a repaired unit, or the supplier's new one, goes back to the customer.
pub async fn receive(
    w: &Warranty,
    caller: &Caller,
    input: &pb::ReceiveFromSupplierRequest,
) -> Result<pb::WarrantyCase> {
    let mut case = cases::load(&w.db, caller, input.id).await?;
    let mut sent = case.supplier_return.clone().unwrap_or_default();
    if case.status != AT_SUPPLIER && sent.outcome == input.outcome && !sent.outcome.is_empty() {
        return Ok(case);
    }
    let mut v = Violations::new();
    if !OUTCOMES.contains(&input.outcome.as_str()) {
        v.add("outcome", "must be repaired, replaced or credited");
    }
    let new_unit = match (input.outcome.as_str(), input.replacement_serial.trim()) {
        ("replaced", text) => v.check("replacement_serial", parse_serial(text)),
        _ => Some(String::new()),
    };
    v.finish()?;
    let received_on = day_or_today("received_on", input.received_on.as_ref())?;
    if case.status != AT_SUPPLIER {
        return Err(Error::Conflict("nothing of this case is at the supplier".into()));
    }
    let shipped_on =
        sent.shipped_on.as_ref().map(date_from_proto).transpose().map_err(|m| Error::internal(anyhow::anyhow!(m)))?;
    let turnaround = shipped_on.map_or(0, |shipped| (received_on - shipped).num_days());
    if turnaround < 0 {
        return Err(Error::invalid("received_on", "must not be before the day the unit was shipped"));
    }
    let new_unit = new_unit.unwrap_or_default();
    supplier_answer(w, caller, &mut case, (&input.outcome, &new_unit, received_on)).await?;
    sent.received_on = Some(date_to_proto(received_on));
    sent.outcome.clone_from(&input.outcome);
    sent.turnaround_days = i32::try_from(turnaround).unwrap_or(i32::MAX);
    sent.replacement_serial = new_unit;
    case.supplier_return = Some(sent);
    case.status = DECIDED.into();
    let note = format!("{} after {turnaround} days", input.outcome);
    cases::save(&w.db, caller, case, ("back_from_supplier", note)).await
}

/// The supplier's answer taken in; a unit that comes back (repaired, or the supplier's new one)
/// goes on to the customer in place of the faulty one.
async fn supplier_answer(
    w: &Warranty,
    caller: &Caller,
    case: &mut pb::WarrantyCase,
    (outcome, new_unit, received_on): (&str, &str, NaiveDate),
) -> Result<()> {
    let answer = wh::WarrantyMoveRequest {
        other_serial: new_unit.to_owned(),
        reference: outcome.to_owned(),
        ..move_request(case, "from-supplier", &case.serial)
    };
    let renames = [("other_serial", "replacement_serial"), ("reference", "outcome")];
    let back = w.units.make(MoveKind::FromSupplier, answer, caller, &renames).await?;
    if outcome == "credited" {
        return Ok(());
    }
    let unit = if new_unit.is_empty() { case.serial.as_str() } else { new_unit };
    let to_customer = wh::WarrantyMoveRequest {
        other_serial: case.serial.clone(),
        warehouse: back.warehouse,
        note: format!("back from the supplier ({outcome})"),
        ..move_request(case, "to-customer", unit)
    };
    w.units.make(MoveKind::Replacement, to_customer, caller, &[("serial", "replacement_serial")]).await?;
    if !new_unit.is_empty() {
        case.replacement_serial = new_unit.to_owned();
        case.replacement_warranty = "remaining".into();
        case.exchanged_on = Some(date_to_proto(received_on));
    }
    Ok(())
}
