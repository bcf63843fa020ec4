//! Warranty moves on one serial unit (phiếu bảo hành), each in one transaction with its stock,
//! its serial, its moving-average value, its journal entry and its stock event:
//!
//! - a replacement: a good unit leaves stock for the customer in place of a faulty one. It is a
//!   cost of the sale already made, so it goes to the cost of goods sold (632), the account the
//!   original unit's cost went to; the chart in `journal.rs` has no separate warranty expense.
//! - the faulty unit back: into damaged stock at the cost it left at, out of 632 again, as a
//!   damaged return does (`returns.rs`); the unit keeps its value while the supplier's warranty
//!   can still repair, replace or credit it.
//! - to the supplier and back: see `warranty_moves_supplier.rs`.
//!
//! `move_ref` is the caller's key: the same reference again returns the move first made.

use atq_platform::business_time::{local_date, now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::validation::{Violations, document_ref, optional_text};
use atq_platform::{Caller, Db, Error, Office, Tx, outbox};
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::Datelike;

use crate::journal::{self, Posting};
use crate::serial_history::{self, Sold};
use crate::serial_history_api::parse_serial;
use crate::serial_history_store;
use crate::stock::Condition;
use crate::stock_documents::stock_move;
use crate::stock_store::{self, Place};
use crate::warranty_moves_store as store;
use crate::{stock_value, warranty_moves_supplier};

/// The four moves, as their kind is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    ReplacementIssued,
    FaultyReceived,
    ShippedToSupplier,
    ReceivedFromSupplier,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ReplacementIssued => "replacement_issued",
            Kind::FaultyReceived => "faulty_received",
            Kind::ShippedToSupplier => "shipped_to_supplier",
            Kind::ReceivedFromSupplier => "received_from_supplier",
        }
    }
}

/// A checked move request.
#[derive(Clone, Debug)]
pub struct MoveCommand {
    pub move_ref: String,
    pub case_ref: String,
    pub product_id: i64,
    pub serial: String,
    pub other_serial: String,
    pub warehouse: Option<Office>,
    pub reference: String,
    pub note: String,
}

impl TryFrom<&pb::WarrantyMoveRequest> for MoveCommand {
    type Error = Error;

    fn try_from(input: &pb::WarrantyMoveRequest) -> Result<MoveCommand> {
        let mut v = Violations::new();
        let move_ref = v.check("move_ref", document_ref(&input.move_ref, "a move reference"));
        let case_ref = v.check("case_ref", document_ref(&input.case_ref, "a warranty case number"));
        if input.product_id <= 0 {
            v.add("product_id", "is required");
        }
        let serial = v.check("serial", parse_serial(&input.serial));
        let other_serial = match input.other_serial.trim() {
            "" => Some(String::new()),
            text => v.check("other_serial", parse_serial(text)),
        };
        let warehouse = match input.warehouse {
            0 => None,
            value => v.check("warehouse", Office::from_proto(value)),
        };
        let reference = v.check("reference", optional_text(&input.reference, 64));
        let note = v.check("note", optional_text(&input.note, 500));
        v.finish()?;
        Ok(MoveCommand {
            move_ref: move_ref.unwrap_or_default(),
            case_ref: case_ref.unwrap_or_default(),
            product_id: input.product_id,
            serial: serial.unwrap_or_default(),
            other_serial: other_serial.unwrap_or_default(),
            warehouse,
            reference: reference.unwrap_or_default(),
            note: note.unwrap_or_default(),
        })
    }
}

/// What a move did, before it is numbered and kept.
pub struct Made {
    pub place: Place,
    /// +1 into stock, -1 out, 0 when no unit moves.
    pub quantity: i64,
    pub unit_cost: i64,
    pub postings: Vec<Posting>,
    /// Replacements: the sale the unit stands in for.
    pub sale: Option<pb::SerialSale>,
}

/// Makes the move once per `move_ref`; see the module's doc.
pub async fn make(tx: &mut Tx, db: &Db, caller: &Caller, kind: Kind, command: MoveCommand) -> Result<pb::WarrantyMove> {
    if let Some(done) = store::find_by_ref(tx, &command.move_ref).await? {
        if done.kind != kind.as_str() || done.serial != command.serial {
            return Err(Error::Conflict("this step was already made with another unit".into()));
        }
        return Ok(done);
    }
    let now = now_micros();
    let made = match kind {
        Kind::ReplacementIssued => issue_replacement(tx, &command, now).await?,
        Kind::FaultyReceived => receive_faulty(tx, &command, now).await?,
        Kind::ShippedToSupplier => warranty_moves_supplier::ship(tx, &command, now).await?,
        Kind::ReceivedFromSupplier => warranty_moves_supplier::receive(tx, &command, now).await?,
    };
    let year = local_date(now).year();
    let number = format!("BHK-{year}-{:04}", next_in_series(tx, &format!("BHK-{year}")).await?);
    let made_move = pb::WarrantyMove {
        number: number.clone(),
        move_ref: command.move_ref.clone(),
        kind: kind.as_str().to_owned(),
        case_ref: command.case_ref.clone(),
        product_id: command.product_id,
        serial: command.serial.clone(),
        other_serial: command.other_serial.clone(),
        warehouse: made.place.warehouse.to_proto() as i32,
        condition: made.place.condition.to_proto() as i32,
        quantity: made.quantity,
        unit_cost: made.unit_cost,
        reference: command.reference.clone(),
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    };
    let sale = made.sale.map(|sale| pb::SerialSale { document_number: number.clone(), ..sale });
    store::insert(tx, &made_move, sale.as_ref(), now).await?;
    let memo = format!("{} {} {}", command.case_ref, command.serial, command.note);
    journal::post(tx, ("warranty", &number), memo.trim(), &caller.username, &made.postings).await?;
    if made.quantity != 0 {
        let why = kind.as_str();
        store::record_stock_move(
            tx,
            (&number, made.place),
            (made.quantity, made.unit_cost),
            (why, &caller.username, now),
        )
        .await?;
        let moved = pb::StockMoved {
            document_type: "warranty".into(),
            document_number: number.clone(),
            moves: vec![stock_move(made.place, made.quantity)],
            moved_by: caller.username.clone(),
        };
        outbox::record(tx, db.backend(), "stock", &number, &moved).await?;
    }
    metrics::counter!("atq_warranty_moves_total", "kind" => kind.as_str()).increment(1);
    tracing::info!(number = %number, kind = kind.as_str(), case = %command.case_ref, "warranty move made");
    Ok(made_move)
}

/// The latest sale of a unit the company has had; a field error on `field` when it never went out.
pub async fn last_sale(tx: &mut Tx, (product_id, serial): (i64, &str), field: &str) -> Result<Sold> {
    let row = serial_history_store::units(tx, serial, product_id).await?.into_iter().next();
    let Some(row) = row else {
        return Err(Error::invalid(field, "no unit of this product has this serial number"));
    };
    let history = serial_history::of_unit(tx, row).await?;
    history.last_sale.ok_or_else(|| Error::invalid(field, "this unit was never delivered to a customer"))
}

/// A good unit from stock goes out in place of the customer's faulty one (`other_serial`).
async fn issue_replacement(tx: &mut Tx, command: &MoveCommand, now: i64) -> Result<Made> {
    let warehouse = command.warehouse.ok_or_else(|| Error::invalid("warehouse", "is required"))?;
    if command.other_serial.is_empty() {
        return Err(Error::invalid("other_serial", "is required: the unit being replaced"));
    }
    let replaced = last_sale(tx, (command.product_id, &command.other_serial), "other_serial").await?;
    let place = Place { product_id: command.product_id, warehouse, condition: Condition::Good };
    if !store::move_unit(tx, (&command.serial, "in_stock", Some(place)), (place, "issued"), now).await? {
        return Err(Error::invalid("serial", "is not in good stock in that warehouse"));
    }
    if !stock_store::take(tx, place, 1).await? {
        return Err(Error::Conflict("every good unit of this product in that warehouse is reserved".into()));
    }
    let unit_cost = stock_store::remove_value(tx, command.product_id, 1).await?;
    let sale = pb::SerialSale {
        replaces_serial: command.other_serial.clone(),
        case_ref: command.case_ref.clone(),
        ..replaced.sale
    };
    let postings = vec![Posting::debit("632", unit_cost), Posting::credit("156", unit_cost)];
    Ok(Made { place, quantity: -1, unit_cost, postings, sale: Some(sale) })
}

/// The customer's faulty unit comes back into damaged stock at the cost it left at.
async fn receive_faulty(tx: &mut Tx, command: &MoveCommand, now: i64) -> Result<Made> {
    let unit = store::unit(tx, command.product_id, &command.serial).await?;
    let Some((issued_from, _, status)) = unit else {
        return Err(Error::invalid("serial", "no unit of this product has this serial number"));
    };
    if status != "issued" {
        return Err(Error::invalid("serial", "is not out with a customer"));
    }
    let sold = last_sale(tx, (command.product_id, &command.serial), "serial").await?;
    let warehouse = match command.warehouse {
        Some(warehouse) => warehouse,
        None => Office::parse(&issued_from).map_err(|m| Error::internal(anyhow::anyhow!(m)))?,
    };
    let place = Place { product_id: command.product_id, warehouse, condition: Condition::Damaged };
    if !store::move_unit(tx, (&command.serial, "issued", None), (place, "in_stock"), now).await? {
        return Err(Error::invalid("serial", "is not out with a customer"));
    }
    stock_store::add(tx, place, 1).await?;
    stock_value::take_in(tx, command.product_id, (1, sold.unit_cost), "serial").await?;
    let postings = vec![Posting::debit("156", sold.unit_cost), Posting::credit("632", sold.unit_cost)];
    Ok(Made { place, quantity: 1, unit_cost: sold.unit_cost, postings, sale: None })
}
