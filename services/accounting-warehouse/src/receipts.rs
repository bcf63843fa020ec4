//! Receipts (phiếu nhập): opening stock or a purchase comes into a warehouse at its cost. The
//! input is checked whole, then every line is applied in one transaction, so a refused line
//! leaves nothing behind.

use atq_platform::business_time::{now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::limits;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, Office, Tx};
use atq_proto::accountingwarehouse::v1 as pb;

use crate::journal::{self, Posting};
use crate::stock::{Condition, Tracking, check_lines_present, parse_quantity, parse_serials, tracked};
use crate::stock_documents::{self, DocumentType, stock_move};
use crate::stock_store::{self, Move, Place};
use crate::{money, reservations, serial_store, stock_value};

/// Where received goods come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceiptKind {
    /// Stock the company starts with: the owner's capital.
    Opening,
    /// Bought goods: owed to the supplier.
    Purchase,
}

impl ReceiptKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptKind::Opening => "opening",
            ReceiptKind::Purchase => "purchase",
        }
    }

    pub fn parse(text: &str) -> Result<ReceiptKind, String> {
        match text {
            "opening" => Ok(ReceiptKind::Opening),
            "purchase" => Ok(ReceiptKind::Purchase),
            _ => Err("must be opening or purchase".into()),
        }
    }

    /// The account credited against the goods (156).
    fn source_account(self) -> &'static str {
        match self {
            ReceiptKind::Opening => "411",
            ReceiptKind::Purchase => "331",
        }
    }
}

pub struct ReceiptLine {
    pub product_id: i64,
    pub quantity: i64,
    pub condition: Condition,
    pub unit_cost: i64,
    /// quantity x unit cost, within the amount bound.
    pub value: i64,
    pub serials: Vec<String>,
}

/// A checked receipt, ready to apply.
pub struct NewReceipt {
    pub warehouse: Office,
    pub kind: ReceiptKind,
    pub reference: String,
    pub note: String,
    pub lines: Vec<ReceiptLine>,
}

impl TryFrom<(&pb::CreateReceiptRequest, &Tracking)> for NewReceipt {
    type Error = Error;

    fn try_from((input, tracking): (&pb::CreateReceiptRequest, &Tracking)) -> Result<NewReceipt> {
        let mut v = Violations::new();
        let warehouse = v.check("warehouse", Office::from_proto(input.warehouse));
        let kind = v.check("kind", ReceiptKind::parse(&input.kind));
        check_lines_present(input.lines.len(), &mut v);
        let mut lines = Vec::new();
        for (i, line) in input.lines.iter().enumerate() {
            let quantity = v.check(&format!("lines[{i}].quantity"), parse_quantity(line.quantity));
            let condition = v.check(&format!("lines[{i}].condition"), Condition::from_proto_or_good(line.condition));
            let unit_cost_field = format!("lines[{i}].unit_cost");
            let unit_cost = v.check(&unit_cost_field, limits::amount(line.unit_cost));
            let value = match (quantity, unit_cost) {
                (Some(q), Some(cost)) => v.check(&unit_cost_field, limits::line_total(q, cost)),
                _ => None,
            };
            let is_tracked = tracked(tracking, &mut v, format!("lines[{i}].product_id"), line.product_id);
            let serials = match (quantity, is_tracked) {
                (Some(q), Some(t)) => v.check(&format!("lines[{i}].serials"), parse_serials(&line.serials, q, t)),
                _ => None,
            };
            if let (Some(quantity), Some(condition), Some(value), Some(serials)) = (quantity, condition, value, serials)
            {
                let (product_id, unit_cost) = (line.product_id, line.unit_cost);
                lines.push(ReceiptLine { product_id, quantity, condition, unit_cost, value, serials });
            }
        }
        v.finish()?;
        let warehouse = warehouse.ok_or_else(|| Error::invalid("warehouse", "is required"))?;
        let kind = kind.ok_or_else(|| Error::invalid("kind", "must be opening or purchase"))?;
        let (reference, note) = (input.reference.trim().to_owned(), input.note.trim().to_owned());
        Ok(NewReceipt { warehouse, kind, reference, note, lines })
    }
}

pub async fn receive(tx: &mut Tx, db: &Db, caller: &Caller, receipt: NewReceipt) -> Result<pb::Receipt> {
    let number = stock_documents::next_number(tx, DocumentType::Receipt).await?;
    let now = now_micros();
    let mut refusals = Violations::new();
    let mut moves = Vec::new();
    for (i, line) in receipt.lines.iter().enumerate() {
        let place = Place { product_id: line.product_id, warehouse: receipt.warehouse, condition: line.condition };
        stock_store::add(tx, place, line.quantity).await?;
        reservations::fill_waiting(tx, db, place).await?;
        let refused = serial_store::receive_serials(tx, place, &line.serials, now).await?;
        if !refused.is_empty() {
            refusals.add(format!("lines[{i}].serials"), format!("already in the company: {}", refused.join(", ")));
        }
        let m = Move {
            document_type: DocumentType::Receipt,
            document_number: &number,
            place,
            quantity: line.quantity,
            unit_cost: line.unit_cost,
            reason: receipt.kind.as_str(),
            by: &caller.username,
            at: now,
        };
        stock_store::record_move(tx, &m).await?;
        let field = format!("lines[{i}].unit_cost");
        stock_value::take_in(tx, line.product_id, (line.quantity, line.value), &field).await?;
        moves.push(stock_move(place, line.quantity));
    }
    refusals.finish()?;
    post(tx, caller, &number, &receipt).await?;
    let warehouse = receipt.warehouse;
    let document = to_proto(receipt, number.clone(), caller, now);
    stock_documents::keep(tx, db, (DocumentType::Receipt, &number, warehouse), &document, moves, caller).await?;
    Ok(document)
}

/// The goods come in at their cost, against capital or the supplier.
async fn post(tx: &mut Tx, caller: &Caller, number: &str, receipt: &NewReceipt) -> Result<()> {
    let value = money::sum(receipt.lines.iter().map(|line| line.value), "the receipt's value")?;
    let memo = format!("{} {}", receipt.kind.as_str(), receipt.reference);
    let postings = [Posting::debit("156", value), Posting::credit(receipt.kind.source_account(), value)];
    journal::post(tx, (DocumentType::Receipt.as_str(), number), memo.trim(), &caller.username, &postings).await
}

fn to_proto(receipt: NewReceipt, number: String, caller: &Caller, now: i64) -> pb::Receipt {
    pb::Receipt {
        id: 0,
        number,
        warehouse: receipt.warehouse.to_proto() as i32,
        kind: receipt.kind.as_str().to_owned(),
        reference: receipt.reference,
        note: receipt.note,
        lines: receipt
            .lines
            .into_iter()
            .map(|line| pb::ReceiptLine {
                product_id: line.product_id,
                quantity: line.quantity,
                condition: line.condition.to_proto() as i32,
                unit_cost: line.unit_cost,
                serials: line.serials,
            })
            .collect(),
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    }
}
