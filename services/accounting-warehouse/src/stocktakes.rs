//! Stocktakes (kiểm kê): what was counted replaces what the books held. Differences need a
//! reason, move the stock and its value, and wait on 1381/3381 for the directors' decision;
//! serial units not found are marked missing and units found are taken in.

use std::collections::BTreeSet;

use atq_platform::business_time::{now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, Office, Tx};
use atq_proto::accountingwarehouse::v1 as pb;

use crate::journal::{self, Posting};
use crate::stock::{Condition, SerialStatus, Tracking, check_lines_present, parse_counted, parse_serials, tracked};
use crate::stock_documents::{self, DocumentType, stock_move};
use crate::stock_store::{self, Move, Place};
use crate::{money, reservations, serial_store, stock_document_store, stock_value};

/// What was found on the shelf for one line.
pub enum Counted {
    /// A product without serials: a number of units.
    Units(i64),
    /// A serial-tracked product: the serials found.
    Serials(Vec<String>),
}

pub struct CountLine {
    pub product_id: i64,
    pub condition: Condition,
    pub counted: Counted,
    pub reason: String,
}

/// A checked stocktake, ready to apply.
pub struct NewCount {
    pub warehouse: Office,
    pub lines: Vec<CountLine>,
}

impl TryFrom<(&pb::CreateCountRequest, &Tracking)> for NewCount {
    type Error = Error;

    fn try_from((input, tracking): (&pb::CreateCountRequest, &Tracking)) -> Result<NewCount> {
        let mut v = Violations::new();
        let warehouse = v.check("warehouse", Office::from_proto(input.warehouse));
        check_lines_present(input.lines.len(), &mut v);
        let mut lines = Vec::new();
        for (i, line) in input.lines.iter().enumerate() {
            let condition = v.check(&format!("lines[{i}].condition"), Condition::from_proto_or_good(line.condition));
            let is_tracked = tracked(tracking, &mut v, format!("lines[{i}].product_id"), line.product_id);
            let serials_field = format!("lines[{i}].serials");
            let counted = match is_tracked {
                Some(true) => v
                    .check(&serials_field, parse_serials(&line.serials, line.serials.len() as i64, true))
                    .map(Counted::Serials),
                Some(false) => {
                    let units = v.check(&format!("lines[{i}].counted"), parse_counted(line.counted));
                    let no_serials = v.check(&serials_field, parse_serials(&line.serials, 0, false));
                    units.zip(no_serials).map(|(units, _)| Counted::Units(units))
                }
                None => None,
            };
            if let (Some(condition), Some(counted)) = (condition, counted) {
                let reason = line.reason.trim().to_owned();
                lines.push(CountLine { product_id: line.product_id, condition, counted, reason });
            }
        }
        v.finish()?;
        let warehouse = warehouse.ok_or_else(|| Error::invalid("warehouse", "is required"))?;
        Ok(NewCount { warehouse, lines })
    }
}

/// The value a stocktake moves: surpluses found and shortages written off.
#[derive(Clone, Copy, Default)]
struct Differences {
    surplus_value: i64,
    shortage_value: i64,
}

/// The document being written: its number, author and time.
struct Document<'a> {
    number: &'a str,
    caller: &'a Caller,
    now: i64,
}

pub async fn count(tx: &mut Tx, db: &Db, caller: &Caller, stocktake: NewCount) -> Result<pb::StockCount> {
    let number = stock_documents::next_number(tx, DocumentType::Count).await?;
    let now = now_micros();
    let document = Document { number: &number, caller, now };
    let mut v = Violations::new();
    let mut results = Vec::new();
    let mut moves = Vec::new();
    let mut differences = Differences::default();
    // Line numbers in messages are the request's, which the checked lines keep in order.
    for (i, line) in stocktake.lines.into_iter().enumerate() {
        let place = Place { product_id: line.product_id, warehouse: stocktake.warehouse, condition: line.condition };
        let Some(result) = count_line(tx, db, &document, (i, place), line, &mut v, &mut differences).await? else {
            continue;
        };
        if result.difference != 0 {
            moves.push(stock_move(place, result.difference));
        }
        results.push(result);
    }
    v.finish()?;
    post(tx, &document, &differences).await?;
    let stock_count = pb::StockCount {
        id: 0,
        number: number.clone(),
        warehouse: stocktake.warehouse.to_proto() as i32,
        lines: results,
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    };
    stock_documents::keep(tx, db, (DocumentType::Count, &number, stocktake.warehouse), &stock_count, moves, caller)
        .await?;
    Ok(stock_count)
}

/// Applies one counted line; None (and a field error in `v`) when a difference has no reason.
async fn count_line(
    tx: &mut Tx,
    db: &Db,
    document: &Document<'_>,
    (i, place): (usize, Place),
    line: CountLine,
    v: &mut Violations,
    differences: &mut Differences,
) -> Result<Option<pb::CountResultLine>> {
    let (expected, reserved) = stock_store::level(&mut **tx, place).await?;
    let (counted, missing, surplus) = match line.counted {
        Counted::Units(units) => (units, Vec::new(), Vec::new()),
        Counted::Serials(found) => {
            let in_stock: BTreeSet<String> = serial_store::serials_in_stock(tx, place).await?.into_iter().collect();
            let found: BTreeSet<String> = found.into_iter().collect();
            let missing: Vec<String> = in_stock.difference(&found).cloned().collect();
            let surplus: Vec<String> = found.difference(&in_stock).cloned().collect();
            (found.len() as i64, missing, surplus)
        }
    };
    let difference = counted - expected;
    if difference != 0 && line.reason.is_empty() {
        v.add(format!("lines[{i}].reason"), "is required when the count differs from the stock");
        return Ok(None);
    }
    adjust(tx, db, (i, place), difference, (counted, reserved), differences).await?;
    serial_store::update_serials(tx, place, &missing, place.warehouse, SerialStatus::Missing, document.now).await?;
    let refused = serial_store::receive_serials(tx, place, &surplus, document.now).await?;
    if !refused.is_empty() {
        v.add(format!("lines[{i}].serials"), format!("in stock elsewhere or issued: {}", refused.join(", ")));
    }
    if difference != 0 {
        let cost = stock_store::average_cost(&mut **tx, place.product_id).await?;
        let m = Move {
            document_type: DocumentType::Count,
            document_number: document.number,
            place,
            quantity: difference,
            unit_cost: cost,
            reason: &line.reason,
            by: &document.caller.username,
            at: document.now,
        };
        stock_store::record_move(tx, &m).await?;
    }
    Ok(Some(pb::CountResultLine {
        product_id: place.product_id,
        condition: place.condition.to_proto() as i32,
        expected,
        counted,
        difference,
        reason: line.reason,
        missing_serials: missing,
        surplus_serials: surplus,
    }))
}

/// Brings stock and its value to what was counted: a shortage leaves at the average cost, a
/// surplus comes in at it.
async fn adjust(
    tx: &mut Tx,
    db: &Db,
    (i, place): (usize, Place),
    difference: i64,
    (counted, reserved): (i64, i64),
    differences: &mut Differences,
) -> Result<()> {
    if difference < 0 {
        if !stock_store::take(tx, place, -difference).await? {
            return Err(Error::Conflict(format!(
                "line {i}: {reserved} units are reserved; a count of {counted} would leave less than that"
            )));
        }
        let leaving = stock_store::remove_value(tx, place.product_id, -difference).await?;
        money::add(&mut differences.shortage_value, leaving, "the stocktake's shortage")?;
    } else if difference > 0 {
        let cost = stock_store::average_cost(&mut **tx, place.product_id).await?;
        let field = format!("lines[{i}].counted");
        let value = stock_value::line_value(&field, difference, cost)?;
        stock_store::add(tx, place, difference).await?;
        reservations::fill_waiting(tx, db, place).await?;
        stock_value::take_in(tx, place.product_id, (difference, value), &field).await?;
        money::add(&mut differences.surplus_value, value, "the stocktake's surplus")?;
    }
    Ok(())
}

/// Differences wait on 1381 (missing) and 3381 (found) until the directors decide on them.
async fn post(tx: &mut Tx, document: &Document<'_>, differences: &Differences) -> Result<()> {
    let Differences { surplus_value, shortage_value } = *differences;
    let postings = [
        Posting::debit("156", surplus_value),
        Posting::credit("3381", surplus_value),
        Posting::debit("1381", shortage_value),
        Posting::credit("156", shortage_value),
    ];
    journal::post(
        tx,
        (DocumentType::Count.as_str(), document.number),
        "stocktake",
        &document.caller.username,
        &postings,
    )
    .await
}

/// A kept stocktake by its number, with the id it is kept under (as the list gives it).
pub async fn get(db: &Db, number: &str) -> Result<pb::StockCount> {
    use prost::Message;
    let (id, body) = stock_document_store::find(db, DocumentType::Count.as_str(), number.trim())
        .await?
        .ok_or_else(|| Error::NotFound("stocktake with this number".to_owned()))?;
    Ok(pb::StockCount { id, ..pb::StockCount::decode(body.as_slice())? })
}
