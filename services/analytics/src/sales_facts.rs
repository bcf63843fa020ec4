//! Confirmed sales orders from the sales feed, and the monthly sales report over them.
//!
//! An order counts in the local month (Asia/Ho_Chi_Minh) of its confirmation; a cancellation
//! takes it out again. Lines are kept by product id and put under a category and brand only when
//! the report is read, from the product projection of the import-planning feed, so the figures
//! are the same whichever feed analytics reads first.

use std::collections::BTreeMap;

use atq_platform::business_time::{local_date, timestamp_micros};
use atq_platform::error::Result;
use atq_platform::{Db, Error, Office, Tx, outbox};
use atq_proto::events::v1::Event;
use atq_proto::sales::v1 as sales;
use chrono::{Datelike, Months, NaiveDate};
use prost::Message;

use crate::product_facts::UNKNOWN;
use crate::sales_facts_store::{self, LineRow, OrderFact};

#[path = "sales_facts_rollup.rs"]
pub(crate) mod rollup;
use rollup::{BRAND, CATEGORY, GROUP, Lines, SALESPERSON};

use crate::margin_store::rollup::Lines as MarginLines;
use crate::rollup_batch::{Batched, Pending};

pub struct SalesFacts;

crate::rollup_batch::per_event!(SalesFacts);

#[tonic::async_trait]
impl Batched for SalesFacts {
    async fn apply_into(&self, tx: &mut Tx, event: &Event, pending: &mut Pending) -> Result<()> {
        let occurred_at = event.occurred_at.as_ref().map(timestamp_micros).unwrap_or_default();
        if outbox::is::<sales::OrderConfirmed>(event) {
            if let Some(order) = sales::OrderConfirmed::decode(event.payload.as_slice())?.order {
                confirmed(tx, &order, (event.position, occurred_at), pending).await?;
            }
        } else if outbox::is::<sales::OrderCancelled>(event)
            && let Some(order) = sales::OrderCancelled::decode(event.payload.as_slice())?.order
        {
            cancelled(tx, &order, (event.position, occurred_at), pending).await?;
        }
        Ok(())
    }
}

/// The local month of an instant, as `YYYY-MM`.
pub fn local_month(micros: i64) -> String {
    local_date(micros).format("%Y-%m").to_string()
}

fn office_code(value: i32) -> &'static str {
    Office::from_proto(value).map(Office::code).unwrap_or(UNKNOWN)
}

/// The customer group as the REST API writes it. A value this service does not know is shown,
/// not refused: a refusal would stop the whole feed.
fn group_code(value: i32) -> &'static str {
    crate::customer_facts::group_code(value).unwrap_or(UNKNOWN)
}

async fn confirmed(
    tx: &mut Tx,
    order: &sales::Order,
    (position, occurred_at): (i64, i64),
    pending: &mut Pending,
) -> Result<()> {
    let confirmed_at = order.confirmed_at.as_ref().map(timestamp_micros).unwrap_or(occurred_at);
    let salesperson = order.created_by.trim();
    let fact = OrderFact {
        order,
        office: office_code(order.office),
        group: group_code(order.customer_group),
        salesperson: if salesperson.is_empty() { UNKNOWN } else { salesperson },
        confirmed_at,
        confirmed_on: local_date(confirmed_at),
        month: local_month(confirmed_at),
        position,
    };
    // Lines are rewritten only with a newer head: a replayed or older event changes nothing, so
    // the rollups need not look at it.
    let old = sales_facts_store::head(tx, order.id).await?;
    if old.as_ref().is_some_and(|(_, at)| *at >= position) {
        return Ok(());
    }
    // The order's returns and shipments are found by its number, the one kept and the new one.
    let numbers = [old.map_or_else(|| order.number.clone(), |(number, _)| number), order.number.clone()];
    let lines = Lines::Order { order_id: order.id, numbers: numbers.clone() };
    let sales = rollup::Change::start(tx, lines, pending).await?;
    let margins = crate::margin_store::rollup::Change::start(tx, MarginLines::Orders(numbers), pending).await?;
    if sales_facts_store::record_confirmed(tx, &fact).await? {
        sales_facts_store::replace_lines(tx, order).await?;
        crate::customer_value_store::refresh_orders(tx, order.customer_id).await?;
    }
    sales.finish(tx, pending).await?;
    margins.finish(tx, pending).await
}

/// A cancelled order leaves the figures. An order cancelled before it was confirmed was never in
/// them: there is no row to change.
async fn cancelled(
    tx: &mut Tx,
    order: &sales::Order,
    (position, occurred_at): (i64, i64),
    pending: &mut Pending,
) -> Result<()> {
    let at = order.updated_at.as_ref().map(timestamp_micros).unwrap_or(occurred_at).max(1);
    // Only a newer event changes the order; the margins do not depend on its cancellation.
    if let Some((number, _)) = sales_facts_store::head(tx, order.id).await?.filter(|(_, kept)| *kept < position) {
        let lines = Lines::Order { order_id: order.id, numbers: [number.clone(), number] };
        let change = rollup::Change::start(tx, lines, pending).await?;
        sales_facts_store::record_cancelled(tx, order.id, at, position).await?;
        change.finish(tx, pending).await?;
    }
    crate::customer_value_store::refresh_orders(tx, order.customer_id).await
}

/// Exact sums in VND.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    pub net: i64,
    pub vat: i64,
    pub gross: i64,
    pub quantity: i64,
    pub orders: i64,
}

/// Figures being summed; counts an order once however many of its lines fall under it. Lines
/// arrive grouped by order, so a change of order id is a new order.
#[derive(Clone, Default)]
struct Tally {
    figures: Figures,
    last_order: Option<i64>,
}

impl Tally {
    /// Sums of a rollup row, whose orders are counted already.
    fn add_figures(&mut self, cell: &rollup::Cell) {
        let f = &mut self.figures;
        f.net = f.net.saturating_add(cell.net);
        f.vat = f.vat.saturating_add(cell.vat);
        f.gross = f.gross.saturating_add(cell.net.saturating_add(cell.vat));
        f.quantity = f.quantity.saturating_add(cell.quantity);
        f.orders = f.orders.saturating_add(cell.orders);
    }

    fn add(&mut self, line: &LineRow) {
        self.figures.net += line.net;
        self.figures.vat += line.vat;
        self.figures.gross += line.net + line.vat;
        self.figures.quantity += line.quantity;
        // Returned goods (order id 0) reduce the figures but are no order.
        if line.order_id != 0 && self.last_order != Some(line.order_id) {
            self.figures.orders += 1;
            self.last_order = Some(line.order_id);
        }
    }
}

/// The dimensions a summary breaks the figures down by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dimension {
    Office,
    Category,
    Brand,
    CustomerGroup,
    Salesperson,
}

impl Dimension {
    pub const ALL: [Dimension; 5] =
        [Dimension::Office, Dimension::Category, Dimension::Brand, Dimension::CustomerGroup, Dimension::Salesperson];
}

/// The total and its breakdowns, each sorted by key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub total: Figures,
    pub by: BTreeMap<Dimension, Vec<(String, Figures)>>,
}

impl Summary {
    pub fn breakdown(&self, dimension: Dimension) -> &[(String, Figures)] {
        self.by.get(&dimension).map(Vec::as_slice).unwrap_or_default()
    }
}

#[derive(Default)]
pub(crate) struct SummaryTally {
    total: Tally,
    by: BTreeMap<(Dimension, String), Tally>,
}

impl SummaryTally {
    pub(crate) fn add(&mut self, line: &LineRow) {
        self.total.add(line);
        for dimension in Dimension::ALL {
            let key = match dimension {
                Dimension::Office => &line.office,
                Dimension::Category => &line.category,
                Dimension::Brand => &line.brand,
                Dimension::CustomerGroup => &line.group,
                Dimension::Salesperson => &line.salesperson,
            };
            self.by.entry((dimension, key.clone())).or_default().add(line);
        }
    }

    /// Adds a row of the monthly rollup. Every line is under one customer group, so the group
    /// rows also make the total and the offices.
    pub(crate) fn add_rolled(&mut self, row: &rollup::MonthRow) {
        let mut add = |dimension: Dimension, key: &str| {
            self.by.entry((dimension, key.to_owned())).or_default().add_figures(&row.cell);
        };
        match row.dimension.as_str() {
            GROUP => {
                add(Dimension::Office, &row.office);
                add(Dimension::CustomerGroup, &row.key);
                self.total.add_figures(&row.cell);
            }
            SALESPERSON => add(Dimension::Salesperson, &row.key),
            CATEGORY => add(Dimension::Category, &row.key),
            BRAND => add(Dimension::Brand, &row.key),
            _ => {}
        }
    }

    pub(crate) fn finish(self) -> Summary {
        let mut by: BTreeMap<Dimension, Vec<(String, Figures)>> =
            Dimension::ALL.into_iter().map(|d| (d, Vec::new())).collect();
        // BTreeMap order: by dimension, then by key.
        for ((dimension, key), tally) in self.by {
            by.entry(dimension).or_default().push((key, tally.figures));
        }
        Summary { total: self.total.figures, by }
    }
}

pub struct SalesReport {
    /// Every month from `from`'s to `to`'s, by its first day; months without sales are zero.
    pub months: Vec<(NaiveDate, Summary)>,
    /// The whole span.
    pub summary: Summary,
}

pub(crate) fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

fn month_start(month: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").map_err(Error::internal)
}

/// Sales confirmed between two local dates (inclusive) and not cancelled since, per local month
/// of confirmation, less goods returned in the span in the month of their return, limited to one
/// office when `office` is given. Whole months are read from the monthly rollup; only the days of
/// a month asked in part are summed from the fact lines.
pub async fn sales_by_month(db: &Db, from: NaiveDate, to: NaiveDate, office: Option<Office>) -> Result<SalesReport> {
    let mut months: BTreeMap<NaiveDate, SummaryTally> = BTreeMap::new();
    let mut month = first_of_month(from);
    while month <= to {
        months.insert(month, SummaryTally::default());
        month = month
            .checked_add_months(Months::new(1))
            .ok_or_else(|| Error::internal(anyhow::anyhow!("month out of range")))?;
    }
    let mut whole = SummaryTally::default();
    let split = rollup::split(from, to);
    for (first, last) in split.days {
        let mut lines = sales_facts_store::report_lines(db, first, last, office).await?;
        lines.extend(crate::return_facts::report_lines(db, first, last, office).await?);
        for line in &lines {
            months.entry(month_start(&line.month)?).or_default().add(line);
            whole.add(line);
        }
    }
    if let Some((first, last)) = &split.months {
        let dimensions = [GROUP, SALESPERSON, CATEGORY, BRAND];
        for row in rollup::read(db, (first, last), &dimensions, (office.map(Office::code), None)).await? {
            months.entry(month_start(&row.month)?).or_default().add_rolled(&row);
            whole.add_rolled(&row);
        }
    }
    Ok(SalesReport {
        months: months.into_iter().map(|(start, tally)| (start, tally.finish())).collect(),
        summary: whole.finish(),
    })
}

#[cfg(test)]
#[path = "sales_facts_tests.rs"]
mod tests;
