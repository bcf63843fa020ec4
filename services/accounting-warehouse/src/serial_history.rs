//! A serial unit's life in the company, read from what already records it: the receipts and
//! transfers that moved it (their bodies name the serials), the goods issue that took it to a
//! customer (with the dispatch order's invoice for the customer), the returns it came back on and
//! the warranty moves made on it. The sale behind a unit is its latest issue: a goods issue, or a
//! warranty replacement that carries the sale of the unit it replaced.

use atq_platform::business_time::{date_to_proto, local_date, to_timestamp};
use atq_platform::error::Result;
use atq_platform::{Error, Office};
use atq_proto::accountingwarehouse::v1 as pb;
use prost::Message;
use sqlx::AnyConnection;

use crate::serial_history_store::{self as store, UnitRow};
use crate::stock_store::share;
use crate::warranty_moves_store;

/// A sale of the unit, with the cost it left the warehouse at.
#[derive(Clone, Debug)]
pub struct Sold {
    pub sale: pb::SerialSale,
    pub unit_cost: i64,
}

/// A unit's history, and its latest sale even when it has come back since.
pub struct UnitHistory {
    pub unit: pb::SerialUnitHistory,
    pub last_sale: Option<Sold>,
}

/// The units with this serial number (of one product, or of all for 0) and their histories.
pub async fn history(conn: &mut AnyConnection, serial: &str, product_id: i64) -> Result<Vec<UnitHistory>> {
    let mut found = Vec::new();
    for row in store::units(conn, serial, product_id).await? {
        found.push(of_unit(conn, row).await?);
    }
    Ok(found)
}

/// The history of one unit the company has, or has had.
pub async fn of_unit(conn: &mut AnyConnection, row: UnitRow) -> Result<UnitHistory> {
    let mut events: Vec<(i64, pb::SerialEvent, Option<Sold>)> = Vec::new();
    stock_documents(conn, &row, &mut events).await?;
    issues(conn, &row, &mut events).await?;
    for r in store::returns_of(conn, row.product_id, &row.serial).await? {
        let mut event = event("returned", r.created_at, &r.number, &r.warehouse, &r.condition);
        (event.customer_id, event.note) = (r.customer_id, r.reason);
        events.push((r.created_at, event, None));
    }
    warranty_moves(conn, &row, &mut events).await?;
    // Stable: documents of one instant keep the order they were read in.
    events.sort_by_key(|(at, _, _)| *at);
    let sales: Vec<&Sold> = events.iter().filter_map(|(_, _, sold)| sold.as_ref()).collect();
    let (first_sale, last_sale) = (sales.first().map(|s| s.sale.clone()), sales.last().cloned().cloned());
    let with_customer = row.status == "issued";
    let unit = pb::SerialUnitHistory {
        product_id: row.product_id,
        serial: row.serial.clone(),
        warehouse: office(&row.warehouse),
        condition: condition(&row.condition),
        status: row.status.clone(),
        sale: last_sale.as_ref().filter(|_| with_customer).map(|s| s.sale.clone()),
        events: events.into_iter().map(|(_, event, _)| event).collect(),
        first_sale,
    };
    Ok(UnitHistory { unit, last_sale })
}

fn office(code: &str) -> i32 {
    Office::parse(code).map(|o| o.to_proto() as i32).unwrap_or_default()
}

fn condition(text: &str) -> i32 {
    warranty_moves_store::condition_of(text).to_proto() as i32
}

fn event(kind: &str, at: i64, number: &str, warehouse: &str, condition_text: &str) -> pb::SerialEvent {
    pb::SerialEvent {
        kind: kind.to_owned(),
        at: Some(to_timestamp(at)),
        date: Some(date_to_proto(local_date(at))),
        document_number: number.to_owned(),
        warehouse: office(warehouse),
        condition: condition(condition_text),
        ..Default::default()
    }
}

fn corrupt(what: &str) -> Error {
    Error::internal(anyhow::anyhow!("stored {what} cannot be read"))
}

/// Receipts and transfers that name the unit.
async fn stock_documents(
    conn: &mut AnyConnection,
    row: &UnitRow,
    events: &mut Vec<(i64, pb::SerialEvent, Option<Sold>)>,
) -> Result<()> {
    let names = |serials: &[String]| serials.contains(&row.serial);
    for (body, at) in store::documents_moving(conn, row.product_id, "receipt").await? {
        let receipt = pb::Receipt::decode(body.as_slice()).map_err(|_| corrupt("receipt"))?;
        for line in receipt.lines.iter().filter(|l| l.product_id == row.product_id && names(&l.serials)) {
            let mut e = event("received", at, &receipt.number, "", "good");
            (e.warehouse, e.condition, e.note) = (receipt.warehouse, line.condition, receipt.reference.clone());
            events.push((at, e, None));
        }
    }
    for (body, at) in store::documents_moving(conn, row.product_id, "transfer").await? {
        let transfer = pb::Transfer::decode(body.as_slice()).map_err(|_| corrupt("transfer"))?;
        if transfer.lines.iter().any(|l| l.product_id == row.product_id && names(&l.serials)) {
            let mut e = event("transferred", at, &transfer.number, "", "good");
            e.warehouse = transfer.to_warehouse;
            events.push((at, e, None));
        }
    }
    Ok(())
}

/// Goods issues that took the unit to a customer: each a sale.
async fn issues(
    conn: &mut AnyConnection,
    row: &UnitRow,
    events: &mut Vec<(i64, pb::SerialEvent, Option<Sold>)>,
) -> Result<()> {
    for body in store::issues_moving(conn, row.product_id).await? {
        let issue = pb::GoodsIssue::decode(body.as_slice()).map_err(|_| corrupt("goods issue"))?;
        let Some(line) = issue.lines.iter().find(|l| l.product_id == row.product_id && l.serials.contains(&row.serial))
        else {
            continue;
        };
        let at = issue.created_at.as_ref().map(atq_platform::business_time::timestamp_micros).unwrap_or_default();
        let invoice = store::invoice_of_dispatch(conn, &issue.dispatch_ref).await?;
        let (customer_id, customer_name, invoice_number) = invoice.unwrap_or_default();
        let mut e = event("issued", at, &issue.number, "", "good");
        e.warehouse = issue.warehouse;
        (e.order_ref, e.dispatch_ref) = (issue.order_ref.clone(), issue.dispatch_ref.clone());
        (e.customer_id, e.customer_name) = (customer_id, customer_name.clone());
        let sale = pb::SerialSale {
            order_ref: issue.order_ref.clone(),
            dispatch_ref: issue.dispatch_ref.clone(),
            document_number: issue.number.clone(),
            shipped_on: Some(date_to_proto(local_date(at))),
            customer_id,
            customer_name,
            invoice_number,
            ..Default::default()
        };
        let unit_cost = share(line.cost_amount, 1, line.quantity);
        events.push((at, e, Some(Sold { sale, unit_cost })));
    }
    Ok(())
}

/// Warranty moves on the unit; a replacement issued is a sale standing in for the earlier one.
async fn warranty_moves(
    conn: &mut AnyConnection,
    row: &UnitRow,
    events: &mut Vec<(i64, pb::SerialEvent, Option<Sold>)>,
) -> Result<()> {
    for stored in warranty_moves_store::moves_naming(conn, row.product_id, &row.serial).await? {
        let m = stored.body;
        let at = m.created_at.as_ref().map(atq_platform::business_time::timestamp_micros).unwrap_or_default();
        let moved_this = m.serial == row.serial;
        let kind = match (m.kind.as_str(), moved_this) {
            (kind, true) => kind,
            ("replacement_issued", false) => "replaced",
            (kind, false) => kind,
        };
        let mut e = event(kind, at, &m.number, "", "good");
        (e.warehouse, e.condition, e.case_ref) = (m.warehouse, m.condition, m.case_ref.clone());
        e.note =
            if moved_this { m.reference.clone() } else { format!("{} {}", m.serial, m.reference).trim().to_owned() };
        let sold = match (m.kind.as_str(), moved_this, stored.sale) {
            ("replacement_issued", true, Some(sale)) => {
                (e.order_ref, e.dispatch_ref) = (sale.order_ref.clone(), sale.dispatch_ref.clone());
                (e.customer_id, e.customer_name) = (sale.customer_id, sale.customer_name.clone());
                Some(Sold { sale, unit_cost: m.unit_cost })
            }
            _ => None,
        };
        events.push((at, e, sold));
    }
    Ok(())
}
