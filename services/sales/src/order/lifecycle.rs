//! Confirming and cancelling touch the warehouse, so each is done in steps that a retry resumes:
//! the order is first marked (confirming, cancelling) in its own transaction, then the warehouse
//! is called with the order's number (idempotent there), then the order is finished with the
//! warehouse's answer.

use atq_platform::{Caller, Db, Error, Tx, outbox};
use atq_proto::accountingwarehouse::v1 as warehouse_pb;
use atq_proto::sales::v1 as pb;

use super::OrderStatus;
use crate::dispatch_store;
use crate::order_store::{self, OrderRow};
use crate::warehouse::Warehouse;

/// A confirmation or cancellation as asked.
pub struct OrderAction {
    pub expected_version: i64,
    /// A director confirms over the customer's credit limit.
    pub override_credit: bool,
}

impl From<&pb::OrderActionRequest> for OrderAction {
    fn from(input: &pb::OrderActionRequest) -> Self {
        OrderAction { expected_version: input.expected_version, override_credit: input.override_credit }
    }
}

fn check_version(order: &OrderRow, expected: i64) -> Result<(), Error> {
    Error::unless_stale(expected, order.proto.version)
}

/// Confirms a draft order (credit checked, stock reserved) or finishes an interrupted confirmation.
pub async fn confirm(
    db: &Db,
    warehouse: &Warehouse,
    caller: &Caller,
    mut order: OrderRow,
    action: &OrderAction,
) -> Result<pb::Order, Error> {
    match order.status {
        OrderStatus::Confirmed => return Ok(order.proto),
        OrderStatus::Draft => {
            check_version(&order, action.expected_version)?;
            warehouse.check_credit(caller, &order, action.override_credit).await?;
            order = mark(db, &order, OrderStatus::Confirming).await?;
        }
        OrderStatus::Confirming => {}
        _ => return Err(Error::Conflict(format!("order {} is {}", order.number, order.status))),
    }
    let reservation = warehouse.reserve(caller, &order).await?;
    let confirmed = finish(db, &order, OrderStatus::Confirmed, Some(&reservation)).await?;
    metrics::counter!("atq_orders_confirmed_total").increment(1);
    tracing::info!(order = %confirmed.number, "order confirmed");
    Ok(confirmed)
}

/// Cancels an order whose goods have not left (stock released) or finishes an interrupted
/// cancellation.
pub async fn cancel(
    db: &Db,
    warehouse: &Warehouse,
    caller: &Caller,
    mut order: OrderRow,
    action: &OrderAction,
) -> Result<pb::Order, Error> {
    match order.status {
        OrderStatus::Cancelled => return Ok(order.proto),
        OrderStatus::Draft => {
            check_version(&order, action.expected_version)?;
            return finish(db, &order, OrderStatus::Cancelled, None).await;
        }
        OrderStatus::Confirming | OrderStatus::Confirmed => {
            check_version(&order, action.expected_version)?;
            refuse_if_dispatching(db, &order).await?;
            order = mark(db, &order, OrderStatus::Cancelling).await?;
        }
        OrderStatus::Cancelling => {}
        // Every line delivered: the goods are at the customer and the invoice stands.
        OrderStatus::Completed => {
            return Err(Error::Conflict(format!(
                "order {} is completed: its goods were delivered, so it can no longer be cancelled",
                order.number
            )));
        }
    }
    warehouse.release(caller, &order).await?;
    let cancelled = finish(db, &order, OrderStatus::Cancelled, None).await?;
    tracing::info!(order = %cancelled.number, "order cancelled");
    Ok(cancelled)
}

async fn refuse_if_dispatching(db: &Db, order: &OrderRow) -> Result<(), Error> {
    let mut conn = db.pool().acquire().await?;
    if order.proto.lines.iter().any(|l| l.shipped > 0) || dispatch_store::open_count(&mut conn, order.id).await? > 0 {
        return Err(Error::Conflict(format!(
            "order {} has dispatch orders under way or goods shipped; it can no longer be cancelled",
            order.number
        )));
    }
    Ok(())
}

/// The order as it stands within `tx`.
async fn reread(tx: &mut Tx, order: &OrderRow) -> Result<OrderRow, Error> {
    order_store::find(tx, order.id).await?.ok_or_else(|| Error::NotFound(format!("order {}", order.id)))
}

/// Moves the order on in a transaction of its own and returns it as it then stands.
async fn mark(db: &Db, order: &OrderRow, to: OrderStatus) -> Result<OrderRow, Error> {
    let mut tx = db.begin().await?;
    order_store::advance(&mut tx, order, to).await?;
    let marked = reread(&mut tx, order).await?;
    tx.commit().await?;
    Ok(marked)
}

/// The last step of confirming or cancelling: status, lines, the customer's purchases, the event.
async fn finish(
    db: &Db,
    order: &OrderRow,
    to: OrderStatus,
    reservation: Option<&warehouse_pb::Reservation>,
) -> Result<pb::Order, Error> {
    let mut tx = db.begin().await?;
    match reservation {
        Some(reservation) => order_store::apply_reservation(&mut tx, reservation).await?,
        None => order_store::clear_reservation(&mut tx, order.id).await?,
    }
    order_store::advance(&mut tx, order, to).await?;
    order_store::refresh_purchases(&mut tx, order.customer_id).await?;
    let finished = reread(&mut tx, order).await?;
    let id = order.id.to_string();
    let proto = Some(finished.proto.clone());
    if to == OrderStatus::Confirmed {
        outbox::record(&mut tx, db.backend(), "order", &id, &pb::OrderConfirmed { order: proto }).await?;
    } else {
        outbox::record(&mut tx, db.backend(), "order", &id, &pb::OrderCancelled { order: proto }).await?;
    }
    tx.commit().await?;
    Ok(finished.proto)
}
