//! A supplier order's steps: sent, confirmed with a ship date, shipped with an arrival date,
//! cleared through customs, or cancelled.

use atq_platform::business_time::add_days;
use atq_platform::error::Result;
use atq_platform::validation::Violations;
use atq_platform::{Error, Tx};
use atq_proto::common::v1::LocalDate;
use atq_proto::importplanning::v1 as pb;
use chrono::NaiveDate;

use super::{after_step, found, optional_day, today};
use crate::purchase_order_store::{self as store, PurchaseOrderStatus as Status, Step};
use crate::replanning::Planning;

/// Moves the order one step, as the request's action says, at the version the caller read.
pub async fn advance(
    planning: &Planning,
    tx: &mut Tx,
    input: &pb::AdvancePurchaseOrderRequest,
) -> Result<pb::PurchaseOrder> {
    Planning::lock(tx).await?;
    let order = found(tx, input.id).await?;
    Error::unless_stale(input.expected_version, order.version)?;
    let mut v = Violations::new();
    let step = step_for(&mut v, &order, input)?;
    v.finish()?;
    let Some(mut step) = step else { return Err(Error::invalid("action", "is required")) };
    // The first confirmation is what the supplier promised: the on-time yardstick.
    if step.status == Status::Confirmed && order.promised_on.is_none() {
        let buffer = store::buffer_days(tx, order.id).await?;
        step.promised_on = step.ship_date.map(|d| add_days(d, buffer));
    }
    store::advance(tx, order.id, order.version, &step).await?;
    let order = found(tx, order.id).await?;
    after_step(planning, tx, &order).await?;
    Ok(order)
}

/// A date a step needs: checked when given, asked for (with `what` it is) when not.
fn required_day(v: &mut Violations, field: &str, date: &Option<LocalDate>, what: &str) -> Option<NaiveDate> {
    if date.is_none() {
        v.add(field, format!("is required: {what}"));
    }
    optional_day(v, field, date)
}

/// The step an action takes from the order's current status, with its dates.
fn step_for(
    v: &mut Violations,
    order: &pb::PurchaseOrder,
    input: &pb::AdvancePurchaseOrderRequest,
) -> Result<Option<Step>> {
    let on = optional_day(v, "on", &input.on).unwrap_or_else(today);
    let status = store::status_of(order)?;
    let from = |allowed: &[Status]| allowed.contains(&status);
    let refuse = |v: &mut Violations, what: &str| {
        v.add("action", format!("a {status} order cannot be {what}"));
        None
    };
    Ok(match input.action.trim() {
        "send" if from(&[Status::Draft]) => {
            if let Some(line) = order.lines.iter().find(|l| l.unit_price <= 0) {
                v.add("action", format!("line {} has no unit price; set the supplier's price first", line.line_no));
                return Ok(None);
            }
            Some(Step { sent_on: Some(on), ..Step::to(Status::Sent) })
        }
        "send" => refuse(v, "sent"),
        "confirm" if from(&[Status::Sent, Status::Confirmed]) => {
            let ship_date = required_day(v, "ship_date", &input.ship_date, "the supplier's confirmed ship date");
            Some(Step { ship_date, ..Step::to(Status::Confirmed) })
        }
        "confirm" => refuse(v, "confirmed"),
        "ship" if from(&[Status::Confirmed, Status::Shipped]) => {
            let arrival_date =
                required_day(v, "arrival_date", &input.arrival_date, "when the goods are expected at the warehouse");
            Some(Step { arrival_date, ..Step::to(Status::Shipped) })
        }
        "ship" => refuse(v, "shipped"),
        "clear" if from(&[Status::Shipped]) => Some(Step { cleared_on: Some(on), ..Step::to(Status::Cleared) }),
        "clear" => refuse(v, "cleared through customs"),
        "cancel" if from(&[Status::Draft, Status::Sent, Status::Confirmed]) => Some(Step::to(Status::Cancelled)),
        "cancel" => refuse(v, "cancelled"),
        _ => {
            v.add("action", "must be send, confirm, ship, clear or cancel");
            None
        }
    })
}
