//! Goods issue (phiếu xuất kho) for a dispatch order: the units leave the order's reservation and
//! the warehouse, serials are marked issued, and the cost of goods is the moving-average value.

use atq_platform::business_time::{now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, Office, Tx, outbox};
use atq_proto::accountingwarehouse::v1 as pb;
use prost::Message;

use crate::goods_issue_store::{self, StoredIssue};
use crate::journal::{self, Posting};
use crate::serial_store;
use crate::stock::{Condition, SerialStatus, Tracking, check_lines_present, check_units};
use crate::stock_documents::{self, DocumentType, stock_move};
use crate::stock_store::{self, Move, Place, share};
use crate::{money, reservations};

pub struct IssueLine {
    /// The line's position in the request, for messages.
    pub index: usize,
    pub line_no: i32,
    pub product_id: i64,
    pub quantity: i64,
    pub serials: Vec<String>,
}

/// A checked goods issue.
pub struct NewIssue {
    pub dispatch_ref: String,
    pub order_ref: String,
    pub warehouse: Office,
    pub lines: Vec<IssueLine>,
}

impl TryFrom<(&pb::IssueRequest, &Tracking)> for NewIssue {
    type Error = Error;

    fn try_from((input, tracking): (&pb::IssueRequest, &Tracking)) -> Result<NewIssue> {
        let mut v = Violations::new();
        if input.dispatch_ref.trim().is_empty() {
            v.add("dispatch_ref", "is required");
        }
        if input.order_ref.trim().is_empty() {
            v.add("order_ref", "is required");
        }
        let warehouse = v.check("warehouse", Office::from_proto(input.warehouse));
        check_lines_present(input.lines.len(), &mut v);
        let mut lines = Vec::new();
        for (i, line) in input.lines.iter().enumerate() {
            let units = (line.product_id, line.quantity, line.serials.as_slice());
            if let Some((quantity, serials)) = check_units(&mut v, tracking, i, units) {
                let (line_no, product_id) = (line.line_no, line.product_id);
                lines.push(IssueLine { index: i, line_no, product_id, quantity, serials });
            }
        }
        v.finish()?;
        let warehouse = warehouse.ok_or_else(|| Error::invalid("warehouse", "is required"))?;
        let (dispatch_ref, order_ref) = (input.dispatch_ref.clone(), input.order_ref.clone());
        Ok(NewIssue { dispatch_ref, order_ref, warehouse, lines })
    }
}

pub async fn issue(tx: &mut Tx, db: &Db, caller: &Caller, request: NewIssue) -> Result<pb::GoodsIssue> {
    if let Some(body) = goods_issue_store::body_for_dispatch(tx, &request.dispatch_ref).await? {
        // The same dispatch order shipped again (a retry): the goods left once.
        return Ok(pb::GoodsIssue::decode(body.as_slice())?);
    }
    let NewIssue { dispatch_ref, order_ref, warehouse, mut lines } = request;
    // In product order, like reservations: concurrent issues queue instead of deadlocking.
    lines.sort_by_key(|line| line.product_id);
    let number = stock_documents::next_number(tx, DocumentType::Issue).await?;
    let now = now_micros();
    let mut issued = Vec::new();
    let mut moves = Vec::new();
    for line in lines {
        let place = Place { product_id: line.product_id, warehouse, condition: Condition::Good };
        let cost_amount = take_reserved(tx, &order_ref, place, &line, now).await?;
        let m = Move {
            document_type: DocumentType::Issue,
            document_number: &number,
            place,
            quantity: -line.quantity,
            unit_cost: share(cost_amount, 1, line.quantity),
            reason: &dispatch_ref,
            by: &caller.username,
            at: now,
        };
        stock_store::record_move(tx, &m).await?;
        moves.push(stock_move(place, -line.quantity));
        let (line_no, product_id, quantity, serials) = (line.line_no, line.product_id, line.quantity, line.serials);
        issued.push(pb::IssuedLine { line_no, product_id, quantity, serials, cost_amount });
    }
    let total_cost = money::sum(issued.iter().map(|l| l.cost_amount), "the goods issue's cost")?;
    let memo = format!("{order_ref} {dispatch_ref}");
    let postings = [Posting::debit("632", total_cost), Posting::credit("156", total_cost)];
    journal::post(tx, (DocumentType::Issue.as_str(), &number), &memo, &caller.username, &postings).await?;
    let goods_issue = pb::GoodsIssue {
        number: number.clone(),
        dispatch_ref,
        order_ref,
        warehouse: warehouse.to_proto() as i32,
        total_cost,
        lines: issued,
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    };
    record(tx, db, caller, &goods_issue, (warehouse, moves, now)).await?;
    Ok(goods_issue)
}

/// Takes a line's units out of the order's reservation and the warehouse; returns their cost.
async fn take_reserved(tx: &mut Tx, order_ref: &str, place: Place, line: &IssueLine, now: i64) -> Result<i64> {
    let (i, quantity, warehouse) = (line.index, line.quantity, place.warehouse);
    if !reservations::consume(tx, order_ref, i64::from(line.line_no), quantity).await? {
        return Err(Error::Conflict(format!(
            "order {order_ref} line {} does not hold {quantity} reserved units in {}",
            line.line_no,
            warehouse.code()
        )));
    }
    if !stock_store::issue_reserved(tx, place, quantity).await? {
        return Err(Error::Conflict(format!("line {i}: the reserved units are no longer in {}", warehouse.code())));
    }
    let refused = serial_store::update_serials(tx, place, &line.serials, warehouse, SerialStatus::Issued, now).await?;
    if !refused.is_empty() {
        return Err(Error::invalid(
            format!("lines[{i}].serials"),
            format!("not in stock in {}: {}", warehouse.code(), refused.join(", ")),
        ));
    }
    stock_store::remove_value(tx, line.product_id, quantity).await
}

/// Keeps the goods issue, and announces it with the order's reservation as it now stands.
async fn record(
    tx: &mut Tx,
    db: &Db,
    caller: &Caller,
    goods_issue: &pb::GoodsIssue,
    (warehouse, moves, now): (Office, Vec<pb::StockMove>, i64),
) -> Result<()> {
    let number = goods_issue.number.as_str();
    let stored = StoredIssue {
        dispatch_ref: &goods_issue.dispatch_ref,
        number,
        order_ref: &goods_issue.order_ref,
        warehouse,
        body: goods_issue.encode_to_vec(),
        created_by: &caller.username,
        created_at: now,
    };
    goods_issue_store::insert(tx, &stored).await?;
    stock_documents::keep(tx, db, (DocumentType::Issue, number, warehouse), goods_issue, moves, caller).await?;
    reservations::announce(tx, db, &goods_issue.order_ref).await?;
    let event = pb::GoodsIssued { issue: Some(goods_issue.clone()) };
    outbox::record(tx, db.backend(), "goods_issue", number, &event).await
}
