//! Dispatch orders (lệnh xuất bán): sales requests goods of a confirmed order, a director decides,
//! the warehouse ships (goods issue, idempotent per dispatch number there), delivery is confirmed.

use std::collections::HashMap;

use atq_platform::{Caller, Db, Error, Office, Tx, outbox};
use atq_proto::sales::v1 as pb;

use crate::dispatch_store::{self, DispatchRow, NewDispatchLine, Transition};
use crate::order::OrderStatus;
use crate::order_store::{self, OrderRow};
use crate::warehouse::Warehouse;
use atq_platform::text_status;

text_status! {
    /// The statuses a dispatch order passes through.
    DispatchStatus {
        Requested = "requested",
        Approved = "approved",
        Rejected = "rejected",
        /// The goods issue is under way; a retried shipment carries on from here.
        Shipping = "shipping",
        Shipped = "shipped",
        Delivered = "delivered",
    }
}

/// Goods asked for: every line's reserved units not yet dispatched when `lines` is empty.
#[derive(Clone)]
pub struct DispatchRequest {
    pub order_id: i64,
    /// The order's warehouse when not given.
    pub warehouse: Option<Office>,
    pub lines: Vec<pb::RequestDispatchLine>,
}

impl TryFrom<&pb::RequestDispatchRequest> for DispatchRequest {
    type Error = Error;

    fn try_from(input: &pb::RequestDispatchRequest) -> Result<Self, Error> {
        let warehouse = match input.warehouse {
            0 => None,
            value => Some(Office::from_proto(value).map_err(|m| Error::invalid("warehouse", m))?),
        };
        Ok(DispatchRequest { order_id: input.order_id, warehouse, lines: input.lines.clone() })
    }
}

/// A director's approval or rejection, or a confirmed delivery.
pub struct DispatchDecision {
    pub expected_version: i64,
    pub note: String,
}

impl From<&pb::DispatchActionRequest> for DispatchDecision {
    fn from(input: &pb::DispatchActionRequest) -> Self {
        DispatchDecision { expected_version: input.expected_version, note: input.note.trim().to_owned() }
    }
}

/// A shipment with the serial numbers of its lines, by line number.
pub struct Shipment {
    pub expected_version: i64,
    pub serials: HashMap<i32, Vec<String>>,
}

impl From<pb::ShipDispatchRequest> for Shipment {
    fn from(input: pb::ShipDispatchRequest) -> Self {
        let serials = input.lines.into_iter().map(|l| (l.line_no, l.serials)).collect();
        Shipment { expected_version: input.expected_version, serials }
    }
}

fn check_version(dispatch: &DispatchRow, expected: i64) -> Result<(), Error> {
    Error::unless_stale(expected, dispatch.proto.version)
}

fn refuse(dispatch: &DispatchRow, action: &str) -> Error {
    Error::Conflict(format!("dispatch order {} is {}; it cannot be {action}", dispatch.proto.number, dispatch.status))
}

async fn reread(tx: &mut Tx, id: i64) -> Result<DispatchRow, Error> {
    dispatch_store::find(tx, id).await?.ok_or_else(|| Error::NotFound(format!("dispatch order {id}")))
}

/// Writes a requested dispatch order for a confirmed order the caller sees.
pub async fn request(tx: &mut Tx, caller: &Caller, request: &DispatchRequest) -> Result<pb::DispatchOrder, Error> {
    let order = order_store::find(tx, request.order_id)
        .await?
        .filter(|o| caller.sees_office(o.office))
        .ok_or_else(|| Error::NotFound(format!("order {}", request.order_id)))?;
    if order.status != OrderStatus::Confirmed {
        return Err(Error::Conflict(format!("order {} is {}, not confirmed", order.number, order.status)));
    }
    let warehouse = request.warehouse.unwrap_or(order.warehouse);
    if warehouse != order.warehouse {
        return Err(Error::invalid(
            "warehouse",
            format!("the order's stock is reserved in {}", order.warehouse.code()),
        ));
    }
    let dispatched: HashMap<i64, i64> = dispatch_store::dispatched(tx, order.id).await?.into_iter().collect();
    let lines = pick_lines(&order, &dispatched, &request.lines)?;
    let id = dispatch_store::insert(tx, order.id, order.office, warehouse, &lines, &caller.username).await?;
    Ok(reread(tx, id).await?.proto)
}

/// The lines to dispatch: each wanted line within what is reserved and not yet dispatched, or all
/// of that when none is named.
fn pick_lines(
    order: &OrderRow,
    dispatched: &HashMap<i64, i64>,
    wanted: &[pb::RequestDispatchLine],
) -> Result<Vec<NewDispatchLine>, Error> {
    let left = |line: &pb::OrderLine| line.reserved - dispatched.get(&i64::from(line.line_no)).copied().unwrap_or(0);
    let new_line = |line: &pb::OrderLine, quantity| NewDispatchLine {
        line_no: i64::from(line.line_no),
        product_id: line.product_id,
        model_code: line.model_code.clone(),
        quantity,
    };
    if wanted.is_empty() {
        let lines: Vec<_> =
            order.proto.lines.iter().filter(|l| left(l) > 0).map(|line| new_line(line, left(line))).collect();
        if lines.is_empty() {
            return Err(Error::Conflict(format!("order {} has nothing reserved left to dispatch", order.number)));
        }
        return Ok(lines);
    }
    let mut v = atq_platform::validation::Violations::new();
    let mut lines = Vec::new();
    for (i, wanted) in wanted.iter().enumerate() {
        match order.proto.lines.iter().find(|l| l.line_no == wanted.line_no) {
            None => v.add(format!("lines[{i}].line_no"), "the order has no such line"),
            Some(line) if wanted.quantity < 1 || wanted.quantity > left(line) => v.add(
                format!("lines[{i}].quantity"),
                match left(line) {
                    n if n < 1 => {
                        "nothing of this line is reserved and waiting to be dispatched; wait until the goods are \
                                   reserved or leave the line out"
                            .to_owned()
                    }
                    n => format!("must be from 1 to {n}: only {n} of this line are reserved and not yet dispatched"),
                },
            ),
            Some(line) => lines.push(new_line(line, wanted.quantity)),
        }
    }
    v.finish()?;
    Ok(lines)
}

/// One step in its own transaction; returns the dispatch order as it then stands.
async fn step(
    db: &Db,
    dispatch: &DispatchRow,
    to: DispatchStatus,
    change: Transition<'_>,
) -> Result<DispatchRow, Error> {
    let mut tx = db.begin().await?;
    dispatch_store::advance(&mut tx, dispatch, to, change).await?;
    let moved = reread(&mut tx, dispatch.id).await?;
    tx.commit().await?;
    Ok(moved)
}

/// A director's decision on a requested dispatch order; repeating a done decision changes nothing.
pub async fn decide(
    db: &Db,
    caller: &Caller,
    dispatch: DispatchRow,
    to: DispatchStatus,
    decision: &DispatchDecision,
) -> Result<pb::DispatchOrder, Error> {
    let action = if to == DispatchStatus::Approved { "approved" } else { "rejected" };
    match dispatch.status {
        status if status == to => return Ok(dispatch.proto),
        DispatchStatus::Requested => check_version(&dispatch, decision.expected_version)?,
        _ => return Err(refuse(&dispatch, action)),
    }
    if to == DispatchStatus::Rejected && decision.note.is_empty() {
        return Err(Error::invalid("note", "say why the dispatch order is rejected"));
    }
    let change =
        Transition { decided_by: Some(&caller.username), decision_note: Some(&decision.note), ..Default::default() };
    let decided = step(db, &dispatch, to, change).await?;
    if to == DispatchStatus::Approved {
        tracing::info!(dispatch = %decided.proto.number, by = %caller.username, "dispatch order approved");
    }
    Ok(decided.proto)
}

/// Ships an approved dispatch order (the warehouse issues the goods) or finishes an interrupted
/// shipment.
pub async fn ship(
    db: &Db,
    warehouse: &Warehouse,
    caller: &Caller,
    mut dispatch: DispatchRow,
    shipment: &Shipment,
) -> Result<pb::DispatchOrder, Error> {
    match dispatch.status {
        DispatchStatus::Shipped | DispatchStatus::Delivered => return Ok(dispatch.proto),
        DispatchStatus::Approved => {
            check_version(&dispatch, shipment.expected_version)?;
            dispatch = step(db, &dispatch, DispatchStatus::Shipping, Transition::default()).await?;
        }
        DispatchStatus::Shipping => {}
        _ => return Err(refuse(&dispatch, "shipped")),
    }
    let issued = warehouse.issue(caller, &dispatch, &shipment.serials).await?;
    let mut tx = db.begin().await?;
    for line in &issued.lines {
        dispatch_store::record_serials(&mut tx, dispatch.id, i64::from(line.line_no), &line.serials).await?;
    }
    let change =
        Transition { goods_issue: Some((&issued.number, issued.total_cost)), shipped: true, ..Default::default() };
    dispatch_store::advance(&mut tx, &dispatch, DispatchStatus::Shipped, change).await?;
    dispatch_store::add_to_order_lines(&mut tx, &dispatch.proto, "shipped").await?;
    let shipped = reread(&mut tx, dispatch.id).await?;
    let order = order_of(&mut tx, &dispatch).await?;
    let event = pb::DispatchShipped {
        dispatch: Some(shipped.proto.clone()),
        order_lines: order.proto.lines,
        customer_group: order.proto.customer_group,
        salesperson: order.proto.created_by,
    };
    outbox::record(&mut tx, db.backend(), "dispatch_order", &dispatch.id.to_string(), &event).await?;
    tx.commit().await?;
    metrics::counter!("atq_dispatch_orders_shipped_total").increment(1);
    tracing::info!(dispatch = %shipped.proto.number, goods_issue = %issued.number, "dispatch order shipped");
    Ok(shipped.proto)
}

/// Confirms that a shipped dispatch order arrived; the order completes with its last delivery.
pub async fn deliver(db: &Db, dispatch: DispatchRow, decision: &DispatchDecision) -> Result<pb::DispatchOrder, Error> {
    match dispatch.status {
        DispatchStatus::Delivered => return Ok(dispatch.proto),
        DispatchStatus::Shipped => check_version(&dispatch, decision.expected_version)?,
        _ => return Err(refuse(&dispatch, "delivered")),
    }
    let mut tx = db.begin().await?;
    let change = Transition { delivered: true, ..Default::default() };
    dispatch_store::advance(&mut tx, &dispatch, DispatchStatus::Delivered, change).await?;
    dispatch_store::add_to_order_lines(&mut tx, &dispatch.proto, "delivered").await?;
    let order = order_of(&mut tx, &dispatch).await?;
    // Partial deliveries add up; the order is complete when every line is delivered.
    if order.status == OrderStatus::Confirmed && order.proto.lines.iter().all(|l| l.delivered >= l.quantity) {
        order_store::advance(&mut tx, &order, OrderStatus::Completed).await?;
    }
    let delivered = reread(&mut tx, dispatch.id).await?;
    let event = pb::DispatchDelivered { dispatch: Some(delivered.proto.clone()) };
    outbox::record(&mut tx, db.backend(), "dispatch_order", &dispatch.id.to_string(), &event).await?;
    tx.commit().await?;
    Ok(delivered.proto)
}

async fn order_of(tx: &mut Tx, dispatch: &DispatchRow) -> Result<OrderRow, Error> {
    let order_id = dispatch.proto.order_id;
    order_store::find(tx, order_id).await?.ok_or_else(|| Error::NotFound(format!("order {order_id}")))
}
