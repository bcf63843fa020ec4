//! Receipts (phiếu nhập), transfers (phiếu chuyển kho) and stocktakes (kiểm kê): each checks its
//! input whole, then applies every line in one transaction, so a refused line leaves nothing behind.

use std::collections::{BTreeSet, HashMap};

use atq_platform::business_time::{local_date, now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, Office, Tx, outbox};
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::Datelike;
use prost::Message;

use crate::journal::{self, Posting};
use crate::reservations;
use crate::stock::{Condition, parse_quantity, parse_serials};
use crate::stock_store::{self, Move, Place};

/// Product id -> serial-tracked, from the catalog.
pub type Tracking = HashMap<i64, bool>;

pub(crate) fn tracked(tracking: &Tracking, v: &mut Violations, field: String, product_id: i64) -> Option<bool> {
    let known = tracking.get(&product_id).copied();
    if known.is_none() {
        v.add(field, "no product in the catalog has this id");
    }
    known
}

pub(crate) async fn next_number(tx: &mut Tx, prefix: &str) -> Result<String> {
    let year = local_date(now_micros()).year();
    let n = next_in_series(tx, &format!("{prefix}-{year}")).await?;
    Ok(format!("{prefix}-{year}-{n:04}"))
}

pub(crate) async fn keep_document(
    tx: &mut Tx,
    db: &Db,
    (document_type, number, warehouse): (&str, &str, Office),
    body: &impl Message,
    moves: Vec<pb::StockMove>,
    caller: &Caller,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO stock_documents (number, document_type, warehouse, body, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(number)
    .bind(document_type)
    .bind(warehouse.code())
    .bind(body.encode_to_vec())
    .bind(&caller.username)
    .bind(now_micros())
    .execute(&mut **tx)
    .await?;
    let event = pb::StockMoved {
        document_type: document_type.to_owned(),
        document_number: number.to_owned(),
        moves,
        moved_by: caller.username.clone(),
    };
    outbox::append(tx, db.backend(), "stock", number, "atq.accountingwarehouse.v1.StockMoved", &event).await
}

pub(crate) fn stock_move(place: Place, quantity: i64) -> pb::StockMove {
    pb::StockMove {
        product_id: place.product_id,
        warehouse: place.warehouse.to_proto() as i32,
        condition: place.condition.to_proto() as i32,
        quantity,
    }
}

/// Ids of the products a document names, for one catalog call.
pub fn product_ids(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    ids.filter(|id| *id > 0).collect::<BTreeSet<_>>().into_iter().collect()
}

pub fn check_lines_present(count: usize, v: &mut Violations) {
    if count == 0 {
        v.add("lines", "at least one line is required");
    } else if count > 500 {
        v.add("lines", "at most 500 lines per document");
    }
}

const RECEIPT_KINDS: [&str; 2] = ["opening", "purchase"];

pub async fn receive(
    tx: &mut Tx,
    db: &Db,
    caller: &Caller,
    input: &pb::CreateReceiptRequest,
    tracking: &Tracking,
) -> Result<pb::Receipt> {
    let mut v = Violations::new();
    let warehouse = v.check("warehouse", Office::from_proto(input.warehouse));
    if !RECEIPT_KINDS.contains(&input.kind.as_str()) {
        v.add("kind", "must be opening or purchase");
    }
    check_lines_present(input.lines.len(), &mut v);
    let mut lines = Vec::new();
    for (i, line) in input.lines.iter().enumerate() {
        let quantity = v.check(&format!("lines[{i}].quantity"), parse_quantity(line.quantity));
        let condition = v.check(&format!("lines[{i}].condition"), Condition::from_proto_or_good(line.condition));
        if line.unit_cost < 0 {
            v.add(format!("lines[{i}].unit_cost"), "must not be negative");
        }
        let is_tracked = tracked(tracking, &mut v, format!("lines[{i}].product_id"), line.product_id);
        let serials = match (quantity, is_tracked) {
            (Some(q), Some(t)) => v.check(&format!("lines[{i}].serials"), parse_serials(&line.serials, q, t)),
            _ => None,
        };
        if let (Some(quantity), Some(condition), Some(serials)) = (quantity, condition, serials) {
            lines.push((line.product_id, quantity, condition, line.unit_cost, serials));
        }
    }
    v.finish()?;
    let warehouse = warehouse.ok_or_else(|| Error::invalid("warehouse", "is required"))?;

    let number = next_number(tx, "PN").await?;
    let now = now_micros();
    let mut refusals = Violations::new();
    let mut moves = Vec::new();
    for (i, (product_id, quantity, condition, unit_cost, serials)) in lines.iter().enumerate() {
        let place = Place { product_id: *product_id, warehouse, condition: *condition };
        stock_store::add(tx, place, *quantity).await?;
        reservations::fill_waiting(tx, db, place).await?;
        let refused = stock_store::receive_serials(tx, place, serials, now).await?;
        if !refused.is_empty() {
            refusals.add(format!("lines[{i}].serials"), format!("already in the company: {}", refused.join(", ")));
        }
        let m = Move {
            document_type: "receipt",
            document_number: &number,
            place,
            quantity: *quantity,
            unit_cost: *unit_cost,
            reason: &input.kind,
            by: &caller.username,
            at: now,
        };
        stock_store::record_move(tx, &m).await?;
        stock_store::add_value(tx, *product_id, *quantity, quantity.saturating_mul(*unit_cost)).await?;
        moves.push(stock_move(place, *quantity));
    }
    refusals.finish()?;
    let value: i64 = lines.iter().map(|(_, quantity, _, unit_cost, _)| quantity.saturating_mul(*unit_cost)).sum();
    // Opening stock is the owner's capital; a purchase is owed to the supplier.
    let source = if input.kind == "opening" { "411" } else { "331" };
    let memo = format!("{} {}", input.kind, input.reference.trim());
    journal::post(
        tx,
        ("receipt", &number),
        memo.trim(),
        &caller.username,
        &[Posting::debit("156", value), Posting::credit(source, value)],
    )
    .await?;
    let receipt = pb::Receipt {
        id: 0,
        number: number.clone(),
        warehouse: warehouse.to_proto() as i32,
        kind: input.kind.clone(),
        reference: input.reference.trim().to_owned(),
        note: input.note.trim().to_owned(),
        lines: lines
            .into_iter()
            .map(|(product_id, quantity, condition, unit_cost, serials)| pb::ReceiptLine {
                product_id,
                quantity,
                condition: condition.to_proto() as i32,
                unit_cost,
                serials,
            })
            .collect(),
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    };
    keep_document(tx, db, ("receipt", &number, warehouse), &receipt, moves, caller).await?;
    Ok(receipt)
}

pub async fn transfer(
    tx: &mut Tx,
    db: &Db,
    caller: &Caller,
    input: &pb::CreateTransferRequest,
    tracking: &Tracking,
) -> Result<pb::Transfer> {
    let mut v = Violations::new();
    let from = v.check("from_warehouse", Office::from_proto(input.from_warehouse));
    let to = v.check("to_warehouse", Office::from_proto(input.to_warehouse));
    if from.is_some() && from == to {
        v.add("to_warehouse", "must differ from from_warehouse");
    }
    check_lines_present(input.lines.len(), &mut v);
    let mut lines = Vec::new();
    for (i, line) in input.lines.iter().enumerate() {
        let quantity = v.check(&format!("lines[{i}].quantity"), parse_quantity(line.quantity));
        let is_tracked = tracked(tracking, &mut v, format!("lines[{i}].product_id"), line.product_id);
        if let (Some(q), Some(t)) = (quantity, is_tracked)
            && let Some(serials) = v.check(&format!("lines[{i}].serials"), parse_serials(&line.serials, q, t))
        {
            lines.push((line.product_id, q, serials));
        }
    }
    v.finish()?;
    let (Some(from), Some(to)) = (from, to) else { return Err(Error::invalid("from_warehouse", "is required")) };

    let number = next_number(tx, "CK").await?;
    let now = now_micros();
    let mut moves = Vec::new();
    for (i, (product_id, quantity, serials)) in lines.iter().enumerate() {
        let source = Place { product_id: *product_id, warehouse: from, condition: Condition::Good };
        let target = Place { warehouse: to, ..source };
        if !stock_store::take(tx, source, *quantity).await? {
            let (on_hand, reserved) = stock_store::level(&mut **tx, source).await?;
            return Err(Error::Conflict(format!(
                "line {i}: only {} of product {product_id} available in {} ({on_hand} on hand, {reserved} reserved)",
                on_hand - reserved,
                from.code()
            )));
        }
        stock_store::add(tx, target, *quantity).await?;
        reservations::fill_waiting(tx, db, target).await?;
        let refused = stock_store::update_serials(tx, source, serials, to, "in_stock", now).await?;
        if !refused.is_empty() {
            return Err(Error::invalid(
                format!("lines[{i}].serials"),
                format!("not in stock in {}: {}", from.code(), refused.join(", ")),
            ));
        }
        let cost = stock_store::average_cost(&mut **tx, *product_id).await?;
        for (place, signed) in [(source, -quantity), (target, *quantity)] {
            let m = Move {
                document_type: "transfer",
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
    let transfer = pb::Transfer {
        id: 0,
        number: number.clone(),
        from_warehouse: from.to_proto() as i32,
        to_warehouse: to.to_proto() as i32,
        note: input.note.trim().to_owned(),
        lines: lines
            .into_iter()
            .map(|(product_id, quantity, serials)| pb::TransferLine { product_id, quantity, serials })
            .collect(),
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    };
    keep_document(tx, db, ("transfer", &number, from), &transfer, moves, caller).await?;
    Ok(transfer)
}

pub async fn count(
    tx: &mut Tx,
    db: &Db,
    caller: &Caller,
    input: &pb::CreateCountRequest,
    tracking: &Tracking,
) -> Result<pb::StockCount> {
    let mut v = Violations::new();
    let warehouse = v.check("warehouse", Office::from_proto(input.warehouse));
    check_lines_present(input.lines.len(), &mut v);
    let mut lines = Vec::new();
    for (i, line) in input.lines.iter().enumerate() {
        let condition = v.check(&format!("lines[{i}].condition"), Condition::from_proto_or_good(line.condition));
        let is_tracked = tracked(tracking, &mut v, format!("lines[{i}].product_id"), line.product_id);
        let found = match is_tracked {
            Some(true) => {
                v.check(&format!("lines[{i}].serials"), parse_serials(&line.serials, line.serials.len() as i64, true))
            }
            Some(false) if line.counted < 0 => {
                v.add(format!("lines[{i}].counted"), "must not be negative");
                None
            }
            Some(false) => v.check(&format!("lines[{i}].serials"), parse_serials(&line.serials, 0, false)),
            None => None,
        };
        if let (Some(condition), Some(tracked), Some(found)) = (condition, is_tracked, found) {
            lines.push((i, line, condition, tracked, found));
        }
    }
    v.finish()?;
    let warehouse = warehouse.ok_or_else(|| Error::invalid("warehouse", "is required"))?;

    let number = next_number(tx, "KK").await?;
    let now = now_micros();
    let mut v = Violations::new();
    let mut results = Vec::new();
    let mut moves = Vec::new();
    let (mut surplus_value, mut shortage_value) = (0, 0);
    for (i, line, condition, is_tracked, found) in lines {
        let place = Place { product_id: line.product_id, warehouse, condition };
        let (expected, reserved) = stock_store::level(&mut **tx, place).await?;
        let (counted, missing, surplus) = if is_tracked {
            let in_stock: BTreeSet<String> = stock_store::serials_in_stock(tx, place).await?.into_iter().collect();
            let found: BTreeSet<String> = found.into_iter().collect();
            let missing: Vec<String> = in_stock.difference(&found).cloned().collect();
            let surplus: Vec<String> = found.difference(&in_stock).cloned().collect();
            (found.len() as i64, missing, surplus)
        } else {
            (line.counted, Vec::new(), Vec::new())
        };
        let difference = counted - expected;
        let reason = line.reason.trim().to_owned();
        if difference != 0 && reason.is_empty() {
            v.add(format!("lines[{i}].reason"), "is required when the count differs from the stock");
            continue;
        }
        if difference < 0 {
            if !stock_store::take(tx, place, -difference).await? {
                return Err(Error::Conflict(format!(
                    "line {i}: {reserved} units are reserved; a count of {counted} would leave less than that"
                )));
            }
            shortage_value += stock_store::remove_value(tx, line.product_id, -difference).await?;
        } else if difference > 0 {
            let cost = stock_store::average_cost(&mut **tx, line.product_id).await?;
            stock_store::add(tx, place, difference).await?;
            reservations::fill_waiting(tx, db, place).await?;
            stock_store::add_value(tx, line.product_id, difference, difference.saturating_mul(cost)).await?;
            surplus_value += difference.saturating_mul(cost);
        }
        stock_store::update_serials(tx, place, &missing, warehouse, "missing", now).await?;
        let refused = stock_store::receive_serials(tx, place, &surplus, now).await?;
        if !refused.is_empty() {
            v.add(format!("lines[{i}].serials"), format!("in stock elsewhere or issued: {}", refused.join(", ")));
        }
        if difference != 0 {
            let cost = stock_store::average_cost(&mut **tx, line.product_id).await?;
            let m = Move {
                document_type: "count",
                document_number: &number,
                place,
                quantity: difference,
                unit_cost: cost,
                reason: &reason,
                by: &caller.username,
                at: now,
            };
            stock_store::record_move(tx, &m).await?;
            moves.push(stock_move(place, difference));
        }
        results.push(pb::CountResultLine {
            product_id: line.product_id,
            condition: condition.to_proto() as i32,
            expected,
            counted,
            difference,
            reason,
            missing_serials: missing,
            surplus_serials: surplus,
        });
    }
    v.finish()?;
    // Differences wait on 1381 (missing) and 3381 (found) until the directors decide on them.
    journal::post(
        tx,
        ("count", &number),
        "stocktake",
        &caller.username,
        &[
            Posting::debit("156", surplus_value),
            Posting::credit("3381", surplus_value),
            Posting::debit("1381", shortage_value),
            Posting::credit("156", shortage_value),
        ],
    )
    .await?;
    let stock_count = pb::StockCount {
        id: 0,
        number: number.clone(),
        warehouse: warehouse.to_proto() as i32,
        lines: results,
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    };
    keep_document(tx, db, ("count", &number, warehouse), &stock_count, moves, caller).await?;
    Ok(stock_count)
}
