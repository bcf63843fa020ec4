//! Transfers (phiếu chuyển kho): good stock moves from one warehouse to another at its average
//! cost; a line short of available stock refuses the whole document.

use atq_platform::business_time::{now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, Office, Tx};
use atq_proto::accountingwarehouse::v1 as pb;

use crate::reservations;
use crate::serial_store;
use crate::stock::{Condition, SerialStatus, Tracking, check_lines_present, check_units};
use crate::stock_document_store;
use crate::stock_documents::{self, DocumentType, stock_move};
use crate::stock_store::{self, Move, Place};

pub struct TransferLine {
    pub product_id: i64,
    pub quantity: i64,
    pub serials: Vec<String>,
}

/// A checked transfer, ready to apply.
pub struct NewTransfer {
    pub from: Office,
    pub to: Office,
    pub note: String,
    pub lines: Vec<TransferLine>,
}

impl TryFrom<(&pb::CreateTransferRequest, &Tracking)> for NewTransfer {
    type Error = Error;

    fn try_from((input, tracking): (&pb::CreateTransferRequest, &Tracking)) -> Result<NewTransfer> {
        let mut v = Violations::new();
        let from = v.check("from_warehouse", Office::from_proto(input.from_warehouse));
        let to = v.check("to_warehouse", Office::from_proto(input.to_warehouse));
        if from.is_some() && from == to {
            v.add("to_warehouse", "must differ from from_warehouse");
        }
        check_lines_present(input.lines.len(), &mut v);
        let mut lines = Vec::new();
        for (i, line) in input.lines.iter().enumerate() {
            let units = (line.product_id, line.quantity, line.serials.as_slice());
            if let Some((quantity, serials)) = check_units(&mut v, tracking, i, units) {
                lines.push(TransferLine { product_id: line.product_id, quantity, serials });
            }
        }
        v.finish()?;
        let (Some(from), Some(to)) = (from, to) else { return Err(Error::invalid("from_warehouse", "is required")) };
        Ok(NewTransfer { from, to, note: input.note.trim().to_owned(), lines })
    }
}

pub async fn transfer(tx: &mut Tx, db: &Db, caller: &Caller, transfer: NewTransfer) -> Result<pb::Transfer> {
    let number = stock_documents::next_number(tx, DocumentType::Transfer).await?;
    let now = now_micros();
    let mut moves = Vec::new();
    for (i, line) in transfer.lines.iter().enumerate() {
        let source = Place { product_id: line.product_id, warehouse: transfer.from, condition: Condition::Good };
        let target = Place { warehouse: transfer.to, ..source };
        move_line(tx, db, i, line, (source, target), now).await?;
        let cost = stock_store::average_cost(&mut **tx, line.product_id).await?;
        for (place, signed) in [(source, -line.quantity), (target, line.quantity)] {
            let m = Move {
                document_type: DocumentType::Transfer,
                document_number: &number,
                place,
                quantity: signed,
                unit_cost: cost,
                reason: "",
                by: &caller.username,
                at: now,
            };
            stock_store::record_move(tx, &m).await?;
            moves.push(stock_move(place, signed));
        }
    }
    let from = transfer.from;
    let document = to_proto(transfer, number.clone(), caller, now);
    stock_documents::keep(tx, db, (DocumentType::Transfer, &number, from), &document, moves, caller).await?;
    Ok(document)
}

/// Takes line `i`'s units and serials from `source` and puts them at `target`.
async fn move_line(
    tx: &mut Tx,
    db: &Db,
    i: usize,
    line: &TransferLine,
    (source, target): (Place, Place),
    now: i64,
) -> Result<()> {
    let (product_id, from) = (line.product_id, source.warehouse);
    if !stock_store::take(tx, source, line.quantity).await? {
        let (on_hand, reserved) = stock_store::level(&mut **tx, source).await?;
        return Err(Error::Conflict(format!(
            "line {i}: only {} of product {product_id} available in {} ({on_hand} on hand, {reserved} reserved)",
            on_hand - reserved,
            from.code()
        )));
    }
    stock_store::add(tx, target, line.quantity).await?;
    reservations::fill_waiting(tx, db, target).await?;
    let refused =
        serial_store::update_serials(tx, source, &line.serials, target.warehouse, SerialStatus::InStock, now).await?;
    if !refused.is_empty() {
        return Err(Error::invalid(
            format!("lines[{i}].serials"),
            format!("not in stock in {}: {}", from.code(), refused.join(", ")),
        ));
    }
    Ok(())
}

fn to_proto(transfer: NewTransfer, number: String, caller: &Caller, now: i64) -> pb::Transfer {
    pb::Transfer {
        id: 0,
        number,
        from_warehouse: transfer.from.to_proto() as i32,
        to_warehouse: transfer.to.to_proto() as i32,
        note: transfer.note,
        lines: transfer
            .lines
            .into_iter()
            .map(|line| pb::TransferLine {
                product_id: line.product_id,
                quantity: line.quantity,
                serials: line.serials,
            })
            .collect(),
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    }
}

/// A kept transfer by its number, with the id it is kept under (as the list gives it).
pub async fn get(db: &Db, number: &str) -> Result<pb::Transfer> {
    use prost::Message;
    let (id, body) = stock_document_store::find(db, DocumentType::Transfer.as_str(), number.trim())
        .await?
        .ok_or_else(|| Error::NotFound("transfer with this number".to_owned()))?;
    Ok(pb::Transfer { id, ..pb::Transfer::decode(body.as_slice())? })
}
