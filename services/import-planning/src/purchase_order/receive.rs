//! Receiving a cleared supplier order: costed at landing (at the receipt day's rates), taken
//! into the warehouse at that cost, then marked received. The warehouse call sits between two
//! transactions of this service, so each step is safe to retry.

use std::collections::{BTreeSet, HashMap};

use atq_platform::Error;
use atq_platform::business_time::date_to_proto;
use atq_platform::error::Result;
use atq_platform::validation::Violations;
use atq_proto::accountingwarehouse::v1 as wh;
use atq_proto::importplanning::v1 as pb;

use super::{after_step, found, optional_day, today};
use crate::costing;
use crate::product_store::{self, ProductRow};
use crate::purchase_order_store::{self as store, PurchaseOrderStatus as Status, Step};
use crate::replanning::Planning;

/// Receives the order: its landed cost recorded, the warehouse receipt made, the order received.
pub async fn receive(planning: &Planning, input: &pb::ReceivePurchaseOrderRequest) -> Result<pb::PurchaseOrder> {
    let order = costed(planning, input).await?;
    if store::status_of(&order)? == Status::Received {
        return Ok(order);
    }
    // The warehouse receipt is keyed by the order's number, so a retry after a failure here
    // gets the same receipt back instead of a second one.
    let receipt = match take_in(planning, &order).await {
        Ok(receipt) => receipt,
        Err(error) => {
            // The warehouse refused the goods as described (a serial it knows, say): the
            // order goes back to cleared so the clerk can correct and receive again.
            if matches!(error, Error::Invalid(_) | Error::Conflict(_)) {
                back_to_cleared(planning, &order).await?;
            }
            return Err(error);
        }
    };
    let mut tx = planning.db.begin().await?;
    Planning::lock(&mut tx).await?;
    let current = found(&mut tx, order.id).await?;
    let done = if store::status_of(&current)? == Status::Receiving {
        let step = Step { receipt_number: Some(receipt.number.clone()), ..Step::to(Status::Received) };
        store::advance(&mut tx, current.id, current.version, &step).await?;
        let done = found(&mut tx, current.id).await?;
        after_step(planning, &mut tx, &done).await?;
        done
    } else {
        current
    };
    tx.commit().await?;
    Ok(done)
}

/// The order with its landed cost recorded (receiving), or already received. Two clerks
/// receiving at once: the loser of the version race finds it costed and carries on.
async fn costed(planning: &Planning, input: &pb::ReceivePurchaseOrderRequest) -> Result<pb::PurchaseOrder> {
    for attempt in 0..2 {
        let mut conn = planning.db.pool().acquire().await?;
        let order = store::find(&mut conn, input.id, today())
            .await?
            .ok_or_else(|| Error::NotFound(format!("supplier order {}", input.id)))?;
        drop(conn);
        match store::status_of(&order)? {
            Status::Received | Status::Receiving => return Ok(order),
            Status::Cleared => {
                if attempt == 0 {
                    Error::unless_stale(input.expected_version, order.version)?;
                }
                match cost(planning, &order, input).await {
                    Err(Error::StaleVersion { .. }) if attempt == 0 => continue,
                    outcome => return outcome,
                }
            }
            other => {
                return Err(Error::invalid(
                    "status",
                    format!("a {other} order cannot be received: clear customs first"),
                ));
            }
        }
    }
    Err(Error::Conflict(format!("supplier order {} changed meanwhile, try again", input.id)))
}

async fn back_to_cleared(planning: &Planning, order: &pb::PurchaseOrder) -> Result<()> {
    let mut tx = planning.db.begin().await?;
    store::advance(&mut tx, order.id, order.version, &Step::to(Status::Cleared)).await?;
    tx.commit().await?;
    Ok(())
}

/// Checks what was received against the order: each line once, and one distinct serial per
/// unit of a serial-tracked product (none for the others).
fn check_received(
    v: &mut Violations,
    order: &pb::PurchaseOrder,
    lines: &[pb::ReceiveLine],
    products: &HashMap<i64, ProductRow>,
) {
    let tracked = |product_id: i64| products.get(&product_id).is_some_and(|p| p.fields.serial_tracked);
    let mut seen = BTreeSet::new();
    for (i, line) in lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let Some(ordered) = order.lines.iter().find(|l| l.line_no == line.line_no) else {
            v.add(field("line_no"), "the order has no such line");
            continue;
        };
        if !seen.insert(line.line_no) {
            v.add(field("line_no"), "is given twice");
        }
        v.check(&field("unit_weight_grams"), crate::landed_cost::unit_weight(line.unit_weight_grams));
        let (model, quantity) = (&ordered.model_code, ordered.quantity);
        match (tracked(ordered.product_id), line.serials.len() as i64) {
            (false, 0) => {}
            (false, _) => v.add(field("serials"), format!("{model} is not serial-tracked")),
            (true, n) if n != quantity => {
                v.add(field("serials"), format!("{model} is serial-tracked: give one serial per unit ({quantity})"))
            }
            (true, _) => {
                let distinct: BTreeSet<&str> = line.serials.iter().map(|s| s.trim()).collect();
                if distinct.len() != line.serials.len() || distinct.contains("") {
                    v.add(field("serials"), "must be distinct and not blank");
                }
            }
        }
    }
    for ordered in order.lines.iter().filter(|l| tracked(l.product_id)) {
        if !lines.iter().any(|l| l.line_no == ordered.line_no) {
            let (line_no, model) = (ordered.line_no, &ordered.model_code);
            v.add("lines", format!("line {line_no} ({model}) is serial-tracked: its serials are required"));
        }
    }
}

/// Computes the landed cost at the receipt day's rates and records it (status receiving).
async fn cost(
    planning: &Planning,
    order: &pb::PurchaseOrder,
    input: &pb::ReceivePurchaseOrderRequest,
) -> Result<pb::PurchaseOrder> {
    let mut v = Violations::new();
    let received_on = optional_day(&mut v, "received_on", &input.received_on).unwrap_or_else(today);
    let by_line: HashMap<i32, &pb::ReceiveLine> = input.lines.iter().map(|l| (l.line_no, l)).collect();
    let ids: Vec<i64> = order.lines.iter().map(|l| l.product_id).collect();
    let products: HashMap<i64, ProductRow> =
        product_store::find_many(&planning.db, &ids).await?.into_iter().map(|p| (p.id, p)).collect();
    check_received(&mut v, order, &input.lines, &products);
    v.finish()?;
    let request = pb::LandedCostRequest {
        supplier_id: order.supplier_id,
        currency: order.currency.clone(),
        rate_date: Some(date_to_proto(received_on)),
        lines: order
            .lines
            .iter()
            .map(|l| pb::LandedCostLine {
                product_id: l.product_id,
                quantity: l.quantity,
                unit_price: l.unit_price,
                unit_weight_grams: by_line.get(&l.line_no).map(|r| r.unit_weight_grams).unwrap_or_default(),
                duty_rate_bp: None,
            })
            .collect(),
        charges: input.charges.clone(),
    };
    let costed = costing::landed_cost(&planning.db, &request).await?;
    let mut tx = planning.db.begin().await?;
    for (line, cost) in order.lines.iter().zip(&costed.lines) {
        let serials = by_line.get(&line.line_no).map(|r| r.serials.as_slice()).unwrap_or_default();
        store::set_line_receipt(&mut tx, order.id, line.line_no, cost.landed_unit_cost, serials).await?;
    }
    let step =
        Step { received_on: Some(received_on), landed_total: Some(costed.total_landed), ..Step::to(Status::Receiving) };
    store::advance(&mut tx, order.id, order.version, &step).await?;
    let costed_order = found(&mut tx, order.id).await?;
    tx.commit().await?;
    Ok(costed_order)
}

/// The warehouse receipt at landed cost; waiting project orders get the goods first there.
async fn take_in(planning: &Planning, order: &pb::PurchaseOrder) -> Result<wh::Receipt> {
    let message = wh::CreateReceiptRequest {
        warehouse: order.warehouse,
        kind: "purchase".into(),
        reference: order.number.clone(),
        note: format!("{} {}", order.supplier_code, order.supplier_name),
        lines: order
            .lines
            .iter()
            .map(|l| wh::ReceiptLine {
                product_id: l.product_id,
                quantity: l.quantity,
                condition: wh::Condition::Good as i32,
                unit_cost: l.landed_unit_cost,
                serials: l.serials.clone(),
            })
            .collect(),
    };
    planning.warehouse.create_receipt(message, &format!("purchase-receipt:{}", order.number)).await
}
