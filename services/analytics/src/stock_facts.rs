//! Stock moves from the accounting-warehouse feed, and the stock they leave at a period's end:
//! units and value by warehouse and condition, slow-moving and damaged stock, and what stocktakes
//! found over or short in the period.
//!
//! Stock is valued as the warehouse values it: units on hand × the product's moving-average unit
//! cost (company-wide), the cost its newest move on or before the day carried. Good stock of a
//! product in a warehouse is slow-moving at a day when nothing of it left that warehouse by a goods
//! issue in the `SLOW_DAYS` days up to it and the warehouse already held the product then. The
//! summary reads these figures from the month-end rollups kept with the moves (`stock_rollup`).

use std::collections::BTreeMap;

#[cfg(test)]
use atq_platform::Error;
use atq_platform::business_time::{local_date, timestamp_micros};
use atq_platform::error::Result;
use atq_platform::{Office, Tx, outbox};
use atq_proto::accountingwarehouse::v1 as wh;
use atq_proto::events::v1::Event;
#[cfg(test)]
use chrono::{Days, NaiveDate};
use prost::Message;

use crate::product_facts::UNKNOWN;
use crate::rollup_batch::{Batched, Pending};
use crate::stock_facts_store::{self, MoveRow};

/// Days without a goods issue after which held stock counts as slow-moving.
pub const SLOW_DAYS: u64 = 90;
/// The document type of a goods issue, and of a stocktake, in the feed.
pub const ISSUE: &str = "issue";
pub const COUNT: &str = "count";
pub const GOOD: &str = "good";
pub const DAMAGED: &str = "damaged";

pub struct StockFacts;

crate::rollup_batch::per_event!(StockFacts);

#[tonic::async_trait]
impl Batched for StockFacts {
    async fn apply_into(&self, tx: &mut Tx, event: &Event, pending: &mut Pending) -> Result<()> {
        if !outbox::is::<wh::StockMoved>(event) {
            return Ok(());
        }
        let moved = wh::StockMoved::decode(event.payload.as_slice())?;
        let occurred_at = event.occurred_at.as_ref().map(timestamp_micros).unwrap_or_default();
        let moved_on = local_date(occurred_at);
        for (move_no, m) in moved.moves.iter().enumerate() {
            let row = MoveRow {
                document_type: moved.document_type.clone(),
                document_number: moved.document_number.clone(),
                product_id: m.product_id,
                warehouse: Office::from_proto(m.warehouse).map(Office::code).unwrap_or(UNKNOWN).to_owned(),
                condition: condition_word(m.condition).to_owned(),
                quantity: m.quantity,
                unit_cost: m.unit_cost,
                moved_on,
            };
            // A replayed event changes nothing: each move of a document is kept once, and only a
            // move kept for the first time goes into the month-end rollups.
            if stock_facts_store::record(tx, &row, move_no as i64, event.position).await? {
                pending.stock.push((row, event.position, move_no as i64));
            }
        }
        Ok(())
    }
}

fn condition_word(value: i32) -> &'static str {
    match wh::Condition::try_from(value) {
        Ok(wh::Condition::Damaged) => DAMAGED,
        // Unspecified is good, as the warehouse reads it.
        _ => GOOD,
    }
}

/// Units and value of one group of stock lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holding {
    pub products: i64,
    pub units: i64,
    pub value: i64,
}

#[cfg(test)]
impl Holding {
    fn add(&mut self, units: i64, unit_cost: i64) -> Result<()> {
        let overflow = || Error::internal(anyhow::anyhow!("stock value past the bound"));
        let value = units.checked_mul(unit_cost).ok_or_else(overflow)?;
        self.products += 1;
        self.units = self.units.checked_add(units).ok_or_else(overflow)?;
        self.value = self.value.checked_add(value).ok_or_else(overflow)?;
        Ok(())
    }
}

/// The stock at the end of one day: by (warehouse, condition), slow-moving and damaged by
/// warehouse.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct StockAt {
    pub by_place: BTreeMap<(String, String), Holding>,
    pub slow: BTreeMap<String, Holding>,
    pub damaged: BTreeMap<String, Holding>,
}

/// The stock at the end of `day` from moves in feed order (those after `day` are skipped), in one
/// warehouse when given. The summary reads `stock_rollup::stock_at`; this scan of every move is
/// what the tests check it against.
#[cfg(test)]
pub fn stock_at(moves: &[MoveRow], day: NaiveDate, office: Option<&str>) -> Result<StockAt> {
    let window_start = day.checked_sub_days(Days::new(SLOW_DAYS)).unwrap_or(NaiveDate::MIN);
    let mut on_hand: BTreeMap<(i64, &str, &str), i64> = BTreeMap::new();
    let mut cost: BTreeMap<i64, i64> = BTreeMap::new();
    // (product, warehouse) -> first day held, last goods issue.
    let mut held_since: BTreeMap<(i64, &str), NaiveDate> = BTreeMap::new();
    let mut last_issue: BTreeMap<(i64, &str), NaiveDate> = BTreeMap::new();
    for m in moves.iter().filter(|m| m.moved_on <= day) {
        // Another warehouse's move still tells the product's cost, which is company-wide.
        if let Some(unit_cost) = m.unit_cost {
            cost.insert(m.product_id, unit_cost);
        }
        if office.is_some_and(|office| office != m.warehouse) {
            continue;
        }
        let units = on_hand.entry((m.product_id, &m.warehouse, &m.condition)).or_default();
        *units = units.checked_add(m.quantity).ok_or_else(|| Error::internal(anyhow::anyhow!("units")))?;
        if m.quantity > 0 {
            held_since.entry((m.product_id, &m.warehouse)).or_insert(m.moved_on);
        }
        if m.document_type == ISSUE {
            last_issue.insert((m.product_id, &m.warehouse), m.moved_on);
        }
    }
    let mut stock = StockAt::default();
    for ((product_id, warehouse, condition), units) in on_hand.into_iter().filter(|(_, units)| *units != 0) {
        let unit_cost = cost.get(&product_id).copied().unwrap_or(0);
        let place = (warehouse.to_owned(), condition.to_owned());
        stock.by_place.entry(place).or_default().add(units, unit_cost)?;
        if condition == DAMAGED {
            stock.damaged.entry(warehouse.to_owned()).or_default().add(units, unit_cost)?;
        } else if units > 0 {
            let key = (product_id, warehouse);
            let held_long = held_since.get(&key).is_some_and(|since| *since <= window_start);
            let issued_lately = last_issue.get(&key).is_some_and(|issued| *issued > window_start);
            if held_long && !issued_lately {
                stock.slow.entry(warehouse.to_owned()).or_default().add(units, unit_cost)?;
            }
        }
    }
    Ok(stock)
}

/// What the stocktakes of one warehouse found over or short in a period: (counts, surplus units,
/// surplus value, shortage units, shortage value), each difference valued at the product's cost
/// once the count was applied; of one warehouse when given (the tests' reference, as `stock_at`).
#[cfg(test)]
pub fn stocktakes(
    moves: &[MoveRow],
    (first, last): (NaiveDate, NaiveDate),
    office: Option<&str>,
) -> Result<BTreeMap<String, [i64; 5]>> {
    let mut found: BTreeMap<String, [i64; 5]> = BTreeMap::new();
    let mut counted: BTreeMap<&str, ()> = BTreeMap::new();
    let overflow = || Error::internal(anyhow::anyhow!("stocktake value past the bound"));
    let counts = moves.iter().filter(|m| m.document_type == COUNT && m.moved_on >= first && m.moved_on <= last);
    for m in counts.filter(|m| office.is_none_or(|office| office == m.warehouse)) {
        let figures = found.entry(m.warehouse.clone()).or_default();
        if counted.insert(&m.document_number, ()).is_none() {
            figures[0] += 1;
        }
        let units = m.quantity.checked_abs().ok_or_else(overflow)?;
        let value = units.checked_mul(m.unit_cost.unwrap_or(0)).ok_or_else(overflow)?;
        let slot = if m.quantity > 0 { 1 } else { 3 };
        figures[slot] = figures[slot].checked_add(units).ok_or_else(overflow)?;
        figures[slot + 1] = figures[slot + 1].checked_add(value).ok_or_else(overflow)?;
    }
    Ok(found)
}

#[cfg(test)]
#[path = "stock_facts_tests.rs"]
mod tests;
