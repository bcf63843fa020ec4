//! Stock reserved for orders. A line reserves what is available in good condition; the rest waits
//! as a backorder and is filled whenever good stock arrives or another order releases its
//! reservation: project orders' lines first, then by the date the customer needs the goods
//! (undated lines last), then first-come (in the order lines were made).

use std::collections::{BTreeMap, BTreeSet};

use atq_platform::business_time::{date_from_proto, now_micros};
use atq_platform::error::Result;
use atq_platform::validation::{Violations, document_ref};
use atq_platform::{Caller, Db, Error, Office, Tx, outbox};
use atq_proto::accountingwarehouse::v1 as pb;
use sqlx::AnyConnection;

use crate::stock::{Condition, parse_quantity};
use crate::stock_store::{self, Place};

struct Line {
    id: i64,
    line_no: i64,
    product_id: i64,
    /// Still owed: requested, less what was issued and what is held.
    missing: i64,
}

pub async fn load(conn: &mut AnyConnection, order_ref: &str) -> Result<Option<pb::Reservation>> {
    let head: Option<(String, String)> =
        sqlx::query_as("SELECT warehouse, status FROM reservations WHERE order_ref = $1")
            .bind(order_ref)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((warehouse, status)) = head else { return Ok(None) };
    let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT line_no, product_id, requested, reserved, issued FROM reservation_lines WHERE order_ref = $1 ORDER BY line_no",
    )
    .bind(order_ref)
    .fetch_all(&mut *conn)
    .await?;
    let active = status == "active";
    Ok(Some(pb::Reservation {
        order_ref: order_ref.to_owned(),
        warehouse: Office::parse(&warehouse).map(|o| o.to_proto() as i32).unwrap_or_default(),
        status,
        lines: rows
            .into_iter()
            .map(|(line_no, product_id, requested, reserved, issued)| pb::ReservationLine {
                line_no: line_no as i32,
                product_id,
                requested,
                reserved,
                backordered: if active { (requested - issued - reserved).max(0) } else { 0 },
                issued,
            })
            .collect(),
    }))
}

async fn publish(tx: &mut Tx, db: &Db, order_ref: &str) -> Result<pb::Reservation> {
    let reservation = load(tx, order_ref).await?.ok_or_else(|| Error::NotFound(format!("reservation {order_ref}")))?;
    let event = pb::ReservationChanged { reservation: Some(reservation.clone()) };
    outbox::append(tx, db.backend(), "reservation", order_ref, "atq.accountingwarehouse.v1.ReservationChanged", &event)
        .await?;
    Ok(reservation)
}

async fn grant(tx: &mut Tx, line: &Line, amount: i64) -> Result<()> {
    sqlx::query(
        "UPDATE reservation_lines SET reserved = reserved + $1, \
         waiting = CASE WHEN issued + reserved + $1 < requested THEN 1 ELSE 0 END WHERE id = $2",
    )
    .bind(amount)
    .bind(line.id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn parse_order_ref(text: &str) -> Result<String, String> {
    document_ref(text, "the order's number")
}

/// The date a line is needed by as stored: 'YYYY-MM-DD', or '' when not given. Four-digit
/// years only, so the text sorts as the dates do.
fn parse_needed_by(date: Option<&atq_proto::common::v1::LocalDate>) -> Result<String, String> {
    let Some(date) = date else { return Ok(String::new()) };
    if !(1..=9999).contains(&date.year) {
        return Err("must be a date between years 1 and 9999".into());
    }
    date_from_proto(date).map(|d| d.format("%Y-%m-%d").to_string())
}

pub async fn reserve(tx: &mut Tx, db: &Db, caller: &Caller, input: &pb::ReserveRequest) -> Result<pb::Reservation> {
    let mut v = Violations::new();
    let order_ref = v.check("order_ref", parse_order_ref(&input.order_ref));
    let warehouse = v.check("warehouse", Office::from_proto(input.warehouse));
    crate::documents::check_lines_present(input.lines.len(), &mut v);
    let mut seen = BTreeSet::new();
    let mut dated = Vec::with_capacity(input.lines.len());
    for (i, line) in input.lines.iter().enumerate() {
        v.check(&format!("lines[{i}].quantity"), parse_quantity(line.quantity));
        let needed_by = v.check(&format!("lines[{i}].needed_by"), parse_needed_by(line.needed_by.as_ref()));
        dated.push((line, needed_by.unwrap_or_default()));
        if line.product_id <= 0 {
            v.add(format!("lines[{i}].product_id"), "is required");
        }
        if line.line_no <= 0 || !seen.insert(line.line_no) {
            v.add(format!("lines[{i}].line_no"), "must be a positive number, once per order");
        }
    }
    v.finish()?;
    let (Some(order_ref), Some(warehouse)) = (order_ref, warehouse) else {
        return Err(Error::invalid("order_ref", "is required"));
    };

    if let Some(existing) = load(tx, &order_ref).await? {
        // The same order asking again (a retry) gets its reservation as it stands.
        let asked: BTreeMap<i32, (i64, i64)> =
            input.lines.iter().map(|l| (l.line_no, (l.product_id, l.quantity))).collect();
        let held: BTreeMap<i32, (i64, i64)> =
            existing.lines.iter().map(|l| (l.line_no, (l.product_id, l.requested))).collect();
        if asked != held || existing.warehouse != warehouse.to_proto() as i32 {
            return Err(Error::Conflict(format!("order {order_ref} already holds a different reservation")));
        }
        return Ok(existing);
    }

    let now = now_micros();
    sqlx::query(
        "INSERT INTO reservations (order_ref, warehouse, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, 'active', $3, $4, $4)",
    )
    .bind(&order_ref)
    .bind(warehouse.code())
    .bind(&caller.username)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let priority = i64::from(input.project);
    // Stock rows are locked in product order everywhere, so two orders of the same products
    // queue instead of deadlocking (on PostgreSQL a deadlock costs a second).
    dated.sort_by_key(|(line, _)| line.product_id);
    for (line, needed_by) in dated {
        let place = Place { product_id: line.product_id, warehouse, condition: Condition::Good };
        let reserved = stock_store::reserve_up_to(tx, place, line.quantity).await?;
        sqlx::query(
            "INSERT INTO reservation_lines \
             (order_ref, line_no, product_id, warehouse, requested, reserved, waiting, priority, needed_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&order_ref)
        .bind(i64::from(line.line_no))
        .bind(line.product_id)
        .bind(warehouse.code())
        .bind(line.quantity)
        .bind(reserved)
        .bind(i64::from(reserved < line.quantity))
        .bind(priority)
        .bind(needed_by)
        .execute(&mut **tx)
        .await?;
    }
    publish(tx, db, &order_ref).await
}

pub async fn release(tx: &mut Tx, db: &Db, order_ref: &str) -> Result<pb::Reservation> {
    let current = load(tx, order_ref).await?.ok_or_else(|| Error::NotFound(format!("reservation {order_ref}")))?;
    if current.status == "released" {
        return Ok(current);
    }
    let warehouse = Office::from_proto(current.warehouse).map_err(|e| Error::internal(anyhow::anyhow!(e)))?;
    let changed = sqlx::query(
        "UPDATE reservations SET status = 'released', updated_at = $1 WHERE order_ref = $2 AND status = 'active'",
    )
    .bind(now_micros())
    .bind(order_ref)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(Error::Conflict(format!("reservation {order_ref} changed meanwhile, try again")));
    }
    sqlx::query("UPDATE reservation_lines SET waiting = 0 WHERE order_ref = $1")
        .bind(order_ref)
        .execute(&mut **tx)
        .await?;
    let mut held: Vec<_> = current.lines.iter().filter(|l| l.reserved > 0).collect();
    held.sort_by_key(|line| line.product_id);
    for line in held {
        let place = Place { product_id: line.product_id, warehouse, condition: Condition::Good };
        stock_store::unreserve(tx, place, line.reserved).await?;
        fill_waiting(tx, db, place).await?;
    }
    publish(tx, db, order_ref).await
}

/// Gives newly available good stock at `place` to waiting lines: project orders first, then the
/// soonest needed (undated last), then the oldest, so that dated project deliveries are kept.
pub async fn fill_waiting(tx: &mut Tx, db: &Db, place: Place) -> Result<()> {
    if place.condition != Condition::Good {
        return Ok(());
    }
    let rows: Vec<(i64, i64, i64, i64, String)> = sqlx::query_as(
        "SELECT id, line_no, product_id, requested - issued - reserved, order_ref FROM reservation_lines \
         WHERE product_id = $1 AND warehouse = $2 AND waiting = 1 \
         ORDER BY priority DESC, CASE WHEN needed_by = '' THEN 1 ELSE 0 END, needed_by, id",
    )
    .bind(place.product_id)
    .bind(place.warehouse.code())
    .fetch_all(&mut **tx)
    .await?;
    let mut filled = BTreeSet::new();
    for (id, line_no, product_id, missing, order_ref) in rows {
        let line = Line { id, line_no, product_id, missing };
        let got = stock_store::reserve_up_to(tx, place, line.missing).await?;
        if got == 0 {
            break;
        }
        grant(tx, &line, got).await?;
        tracing::info!(order = %order_ref, line = line.line_no, product_id = line.product_id, units = got, "backorder filled");
        filled.insert(order_ref);
    }
    for order_ref in filled {
        publish(tx, db, &order_ref).await?;
    }
    Ok(())
}

/// Takes `quantity` units of an order line's reservation out of stock (goods issue); false when
/// the line does not hold that many.
pub async fn consume(tx: &mut Tx, order_ref: &str, line_no: i64, quantity: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE reservation_lines SET reserved = reserved - $1, issued = issued + $1 \
         WHERE order_ref = $2 AND line_no = $3 AND reserved >= $1 \
         AND order_ref IN (SELECT order_ref FROM reservations WHERE status = 'active')",
    )
    .bind(quantity)
    .bind(order_ref)
    .bind(line_no)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Publishes the reservation's new state (after a goods issue).
pub async fn announce(tx: &mut Tx, db: &Db, order_ref: &str) -> Result<()> {
    publish(tx, db, order_ref).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use atq_proto::common::v1::LocalDate;

    #[test]
    fn needed_by_is_stored_as_sortable_text_or_empty() {
        // Zero-padded, so text order is date order in the fill query.
        assert_eq!(parse_needed_by(Some(&LocalDate { year: 2026, month: 3, day: 5 })), Ok("2026-03-05".to_owned()));
        assert_eq!(parse_needed_by(None), Ok(String::new()));
        assert!(parse_needed_by(Some(&LocalDate { year: 2026, month: 2, day: 30 })).is_err());
        assert!(parse_needed_by(Some(&LocalDate { year: 12026, month: 1, day: 1 })).is_err());
        assert_eq!(parse_needed_by(Some(&LocalDate { year: 987, month: 1, day: 1 })), Ok("0987-01-01".to_owned()));
    }
}
