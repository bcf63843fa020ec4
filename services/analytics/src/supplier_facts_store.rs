//! The table of supplier orders, one row per order as its newest event shows it.

use atq_platform::business_time::date_from_proto;
use atq_platform::error::Result;
use atq_platform::{Db, Tx};
use atq_proto::common::v1::LocalDate;
use atq_proto::importplanning::v1 as purchasing;
use chrono::NaiveDate;

use crate::supplier_facts::{CANCELLED, OrderRow, RECEIVED};

/// Writes the order as the event at `position` shows it, unless the table has a later event.
#[tracing::instrument(level = "debug", skip_all, fields(number = %order.number, position))]
pub async fn record(tx: &mut Tx, order: &purchasing::PurchaseOrder, position: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO supplier_orders (number, order_id, supplier_id, supplier_code, supplier_name, status, sent_on, \
         promised_on, received_on, line_count, units, position) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (number) DO UPDATE SET order_id = excluded.order_id, supplier_id = excluded.supplier_id, \
         supplier_code = excluded.supplier_code, supplier_name = excluded.supplier_name, status = excluded.status, \
         sent_on = excluded.sent_on, promised_on = excluded.promised_on, received_on = excluded.received_on, \
         line_count = excluded.line_count, units = excluded.units, position = excluded.position \
         WHERE supplier_orders.position < excluded.position",
    )
    .bind(&order.number)
    .bind(order.id)
    .bind(order.supplier_id)
    .bind(&order.supplier_code)
    .bind(&order.supplier_name)
    .bind(&order.status)
    .bind(date_text(order.sent_on.as_ref()))
    .bind(date_text(order.promised_on.as_ref()))
    .bind(date_text(order.received_on.as_ref()))
    .bind(order.lines.len() as i64)
    .bind(order.lines.iter().map(|l| l.quantity).sum::<i64>())
    .bind(position)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `YYYY-MM-DD`, or '' for a date the order does not have (an unset date may come as zeros).
fn date_text(date: Option<&LocalDate>) -> String {
    date.and_then(|d| date_from_proto(d).ok()).map(|d| d.to_string()).unwrap_or_default()
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Orders received between two local dates (inclusive) and orders still open, in feed order.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn report_orders(db: &Db, from: NaiveDate, to: NaiveDate) -> Result<Vec<OrderRow>> {
    type Row = (i64, String, String, String, String, String, String, i64);
    let rows = sqlx::query_as::<_, Row>(
        "SELECT supplier_id, supplier_code, supplier_name, status, sent_on, promised_on, received_on, units \
         FROM supplier_orders \
         WHERE (status = $1 AND received_on >= $3 AND received_on <= $4) \
         OR (status <> $1 AND status <> $2 AND sent_on <> '') \
         ORDER BY position",
    )
    .bind(RECEIVED)
    .bind(CANCELLED)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(supplier_id, supplier_code, supplier_name, status, sent_on, promised_on, received_on, units)| OrderRow {
            supplier_id,
            supplier_code,
            supplier_name,
            status,
            sent_on: parse_date(&sent_on),
            promised_on: parse_date(&promised_on),
            received_on: parse_date(&received_on),
            units,
        })
        .collect())
}
