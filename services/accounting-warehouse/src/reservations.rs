//! Stock reserved for orders. A line reserves what is available in good condition; the rest waits
//! as a backorder and is filled whenever good stock arrives or another order releases its
//! reservation: project orders' lines first, then by the date the customer needs the goods
//! (undated lines last), then first-come (in the order lines were made).

use std::collections::{BTreeMap, BTreeSet};

use atq_platform::business_time::{date_from_proto, now_micros, within_business_range};
use atq_platform::error::Result;
use atq_platform::validation::{Violations, document_ref};
use atq_platform::{Caller, Db, Error, Office, Tx, outbox};
use atq_proto::accountingwarehouse::v1 as pb;
use sqlx::AnyConnection;

use crate::reservation_store::{self, NewLine};
use crate::stock::{Condition, check_lines_present, parse_quantity};
use crate::stock_store::{self, Place};

pub use crate::reservation_store::ReservationStatus;

pub struct ReserveLine {
    pub line_no: i32,
    pub product_id: i64,
    pub quantity: i64,
    /// 'YYYY-MM-DD', or '' when not given.
    pub needed_by: String,
}

/// A checked reservation request.
pub struct NewReservation {
    pub order_ref: String,
    pub warehouse: Office,
    /// Project orders' lines are served first.
    pub project: bool,
    pub lines: Vec<ReserveLine>,
}

impl TryFrom<&pb::ReserveRequest> for NewReservation {
    type Error = Error;

    fn try_from(input: &pb::ReserveRequest) -> Result<NewReservation> {
        let mut v = Violations::new();
        let order_ref = v.check("order_ref", document_ref(&input.order_ref, "the order's number"));
        let warehouse = v.check("warehouse", Office::from_proto(input.warehouse));
        check_lines_present(input.lines.len(), &mut v);
        let mut seen = BTreeSet::new();
        let mut lines = Vec::with_capacity(input.lines.len());
        for (i, line) in input.lines.iter().enumerate() {
            v.check(&format!("lines[{i}].quantity"), parse_quantity(line.quantity));
            let needed_by = v.check(&format!("lines[{i}].needed_by"), parse_needed_by(line.needed_by.as_ref()));
            if line.product_id <= 0 {
                v.add(format!("lines[{i}].product_id"), "is required");
            }
            if line.line_no <= 0 || !seen.insert(line.line_no) {
                v.add(format!("lines[{i}].line_no"), "must be a positive number, once per order");
            }
            let (line_no, product_id, quantity) = (line.line_no, line.product_id, line.quantity);
            lines.push(ReserveLine { line_no, product_id, quantity, needed_by: needed_by.unwrap_or_default() });
        }
        v.finish()?;
        let (Some(order_ref), Some(warehouse)) = (order_ref, warehouse) else {
            return Err(Error::invalid("order_ref", "is required"));
        };
        Ok(NewReservation { order_ref, warehouse, project: input.project, lines })
    }
}

/// The date a line is needed by as stored: 'YYYY-MM-DD', or '' when not given. Four-digit
/// years only, so the text sorts as the dates do, and within the business range.
fn parse_needed_by(date: Option<&atq_proto::common::v1::LocalDate>) -> Result<String, String> {
    let Some(date) = date else { return Ok(String::new()) };
    if !(1..=9999).contains(&date.year) {
        return Err("must be a date between years 1 and 9999".into());
    }
    let date = date_from_proto(date).and_then(within_business_range)?;
    Ok(date.format("%Y-%m-%d").to_string())
}

pub async fn load(conn: &mut AnyConnection, order_ref: &str) -> Result<Option<pb::Reservation>> {
    let Some((warehouse, status)) = reservation_store::head(conn, order_ref).await? else { return Ok(None) };
    let rows = reservation_store::lines(conn, order_ref).await?;
    let active = status == ReservationStatus::Active.as_str();
    Ok(Some(pb::Reservation {
        order_ref: order_ref.to_owned(),
        warehouse: Office::parse(&warehouse).map(|o| o.to_proto() as i32).unwrap_or_default(),
        status,
        lines: rows
            .into_iter()
            .map(|line| pb::ReservationLine {
                line_no: line.line_no as i32,
                product_id: line.product_id,
                requested: line.requested,
                reserved: line.reserved,
                backordered: if active { (line.requested - line.issued - line.reserved).max(0) } else { 0 },
                issued: line.issued,
            })
            .collect(),
    }))
}

/// Publishes the reservation's new state and returns it.
pub async fn announce(tx: &mut Tx, db: &Db, order_ref: &str) -> Result<pb::Reservation> {
    let reservation = load(tx, order_ref).await?.ok_or_else(|| Error::NotFound(format!("reservation {order_ref}")))?;
    let event = pb::ReservationChanged { reservation: Some(reservation.clone()) };
    outbox::record(tx, db.backend(), "reservation", order_ref, &event).await?;
    Ok(reservation)
}

pub async fn reserve(tx: &mut Tx, db: &Db, caller: &Caller, request: NewReservation) -> Result<pb::Reservation> {
    let NewReservation { order_ref, warehouse, project, mut lines } = request;
    if let Some(existing) = load(tx, &order_ref).await? {
        // The same order asking again (a retry) gets its reservation as it stands.
        let asked: BTreeMap<i32, (i64, i64)> = lines.iter().map(|l| (l.line_no, (l.product_id, l.quantity))).collect();
        let held: BTreeMap<i32, (i64, i64)> =
            existing.lines.iter().map(|l| (l.line_no, (l.product_id, l.requested))).collect();
        if asked != held || existing.warehouse != warehouse.to_proto() as i32 {
            return Err(Error::Conflict(format!("order {order_ref} already holds a different reservation")));
        }
        return Ok(existing);
    }
    reservation_store::insert(tx, &order_ref, warehouse, &caller.username, now_micros()).await?;
    // Stock rows are locked in product order everywhere, so two orders of the same products
    // queue instead of deadlocking (on PostgreSQL a deadlock costs a second).
    lines.sort_by_key(|line| line.product_id);
    for line in lines {
        let place = Place { product_id: line.product_id, warehouse, condition: Condition::Good };
        let reserved = stock_store::reserve_up_to(tx, place, line.quantity).await?;
        let stored = NewLine {
            order_ref: &order_ref,
            line_no: i64::from(line.line_no),
            product_id: line.product_id,
            warehouse,
            requested: line.quantity,
            reserved,
            priority: i64::from(project),
            needed_by: &line.needed_by,
        };
        reservation_store::insert_line(tx, &stored).await?;
    }
    announce(tx, db, &order_ref).await
}

pub async fn release(tx: &mut Tx, db: &Db, order_ref: &str) -> Result<pb::Reservation> {
    let current = load(tx, order_ref).await?.ok_or_else(|| Error::NotFound(format!("reservation {order_ref}")))?;
    if current.status == ReservationStatus::Released.as_str() {
        return Ok(current);
    }
    let warehouse = Office::from_proto(current.warehouse).map_err(|e| Error::internal(anyhow::anyhow!(e)))?;
    if !reservation_store::mark_released(tx, order_ref, now_micros()).await? {
        return Err(Error::Conflict(format!("reservation {order_ref} changed meanwhile, try again")));
    }
    let mut held: Vec<_> = current.lines.iter().filter(|l| l.reserved > 0).collect();
    held.sort_by_key(|line| line.product_id);
    for line in held {
        let place = Place { product_id: line.product_id, warehouse, condition: Condition::Good };
        stock_store::unreserve(tx, place, line.reserved).await?;
        fill_waiting(tx, db, place).await?;
    }
    announce(tx, db, order_ref).await
}

/// Gives newly available good stock at `place` to waiting lines: project orders first, then the
/// soonest needed (undated last), then the oldest, so that dated project deliveries are kept.
pub async fn fill_waiting(tx: &mut Tx, db: &Db, place: Place) -> Result<()> {
    if place.condition != Condition::Good {
        return Ok(());
    }
    let mut filled = BTreeSet::new();
    for line in reservation_store::waiting(tx, place.product_id, place.warehouse).await? {
        let got = stock_store::reserve_up_to(tx, place, line.missing).await?;
        if got == 0 {
            break;
        }
        reservation_store::grant(tx, line.id, got).await?;
        tracing::info!(order = %line.order_ref, line = line.line_no, product_id = line.product_id, units = got, "backorder filled");
        filled.insert(line.order_ref);
    }
    for order_ref in filled {
        announce(tx, db, &order_ref).await?;
    }
    Ok(())
}

/// Takes `quantity` units of an order line's reservation out of stock (goods issue); false when
/// the line does not hold that many.
pub async fn consume(tx: &mut Tx, order_ref: &str, line_no: i64, quantity: i64) -> Result<bool> {
    reservation_store::consume(tx, order_ref, line_no, quantity).await
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
        // Outside the business range (1990 to 2100) is a typing mistake, however it would sort.
        assert!(parse_needed_by(Some(&LocalDate { year: 987, month: 1, day: 1 })).is_err());
        assert!(parse_needed_by(Some(&LocalDate { year: 9999, month: 12, day: 31 })).is_err());
        assert_eq!(parse_needed_by(Some(&LocalDate { year: 2100, month: 12, day: 31 })), Ok("2100-12-31".to_owned()));
    }
}
