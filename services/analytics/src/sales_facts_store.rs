//! The tables of confirmed sales orders and their lines.

use atq_platform::error::Result;
use atq_platform::{Db, Office, Tx};
use atq_proto::sales::v1 as sales;
use chrono::NaiveDate;

use crate::product_facts::UNKNOWN;

/// A confirmed order's head as the report keeps it.
pub struct OrderFact<'a> {
    pub order: &'a sales::Order,
    pub office: &'a str,
    pub group: &'a str,
    pub salesperson: &'a str,
    pub confirmed_at: i64,
    pub confirmed_on: NaiveDate,
    /// `YYYY-MM`.
    pub month: String,
    pub position: i64,
}

/// Writes the head of a confirmed order; false when the table already has it from a later event.
/// Keyed by the order and guarded by the feed position; a later confirmation (after a
/// cancellation) counts the order again.
#[tracing::instrument(level = "debug", skip_all, fields(order_id = fact.order.id, position = fact.position))]
pub async fn record_confirmed(tx: &mut Tx, fact: &OrderFact<'_>) -> Result<bool> {
    let order = fact.order;
    let written = sqlx::query(
        "INSERT INTO sales_orders (order_id, number, office, customer_group, salesperson, confirmed_at, confirmed_on, \
         month, cancelled_at, total_net, total_vat, total_gross, position, customer_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $11, $12, $13) \
         ON CONFLICT (order_id) DO UPDATE SET number = excluded.number, office = excluded.office, \
         customer_id = excluded.customer_id, \
         customer_group = excluded.customer_group, salesperson = excluded.salesperson, \
         confirmed_at = excluded.confirmed_at, confirmed_on = excluded.confirmed_on, month = excluded.month, \
         cancelled_at = 0, total_net = excluded.total_net, total_vat = excluded.total_vat, \
         total_gross = excluded.total_gross, position = excluded.position \
         WHERE sales_orders.position < excluded.position",
    )
    .bind(order.id)
    .bind(&order.number)
    .bind(fact.office)
    .bind(fact.group)
    .bind(fact.salesperson)
    .bind(fact.confirmed_at)
    .bind(fact.confirmed_on.to_string())
    .bind(&fact.month)
    .bind(order.total_net)
    .bind(order.total_vat)
    .bind(order.total_gross)
    .bind(fact.position)
    .bind(order.customer_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(written > 0)
}

/// The number and feed position of a kept order.
pub async fn head(tx: &mut Tx, order_id: i64) -> Result<Option<(String, i64)>> {
    let found = sqlx::query_as("SELECT number, position FROM sales_orders WHERE order_id = $1")
        .bind(order_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(found)
}

/// Replaces the kept lines of an order with the event's.
#[tracing::instrument(level = "debug", skip_all, fields(order_id = order.id, lines = order.lines.len()))]
pub async fn replace_lines(tx: &mut Tx, order: &sales::Order) -> Result<()> {
    sqlx::query("DELETE FROM sales_order_lines WHERE order_id = $1").bind(order.id).execute(&mut **tx).await?;
    for line in &order.lines {
        sqlx::query(
            "INSERT INTO sales_order_lines (order_id, line_no, product_id, quantity, net_amount, vat_amount) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(order.id)
        .bind(line.line_no)
        .bind(line.product_id)
        .bind(line.quantity)
        .bind(line.net_amount)
        .bind(line.vat_amount)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Marks an order cancelled at `at`, unless the table has a later event of it.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn record_cancelled(tx: &mut Tx, order_id: i64, at: i64, position: i64) -> Result<()> {
    sqlx::query("UPDATE sales_orders SET cancelled_at = $1, position = $2 WHERE order_id = $3 AND position < $2")
        .bind(at)
        .bind(position)
        .bind(order_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One order line with what the report breaks it down by.
pub struct LineRow {
    /// `YYYY-MM`.
    pub month: String,
    pub order_id: i64,
    pub office: String,
    pub group: String,
    pub salesperson: String,
    pub category: String,
    pub brand: String,
    pub quantity: i64,
    pub net: i64,
    pub vat: i64,
}

/// Lines of orders confirmed between two local dates (inclusive) and not cancelled, of one office
/// when `office` is given, grouped by order within each month (the tallies rely on it).
#[tracing::instrument(level = "debug", skip(db))]
pub async fn report_lines(db: &Db, from: NaiveDate, to: NaiveDate, office: Option<Office>) -> Result<Vec<LineRow>> {
    let mut sql = String::from(
        "SELECT o.month, o.order_id, o.office, o.customer_group, o.salesperson, p.category, p.brand, \
         l.quantity, l.net_amount, l.vat_amount \
         FROM sales_orders o JOIN sales_order_lines l ON l.order_id = o.order_id \
         LEFT JOIN product_facts p ON p.product_id = l.product_id \
         WHERE o.cancelled_at = 0 AND o.confirmed_on >= $1 AND o.confirmed_on <= $2",
    );
    if office.is_some() {
        sql.push_str(" AND o.office = $3");
    }
    sql.push_str(" ORDER BY o.month, o.order_id, l.line_no");
    type Row = (String, i64, String, String, String, Option<String>, Option<String>, i64, i64, i64);
    let mut query = sqlx::query_as::<_, Row>(&sql).bind(from.to_string()).bind(to.to_string());
    if let Some(office) = office {
        query = query.bind(office.code());
    }
    let rows = query.fetch_all(db.pool()).await?;
    Ok(rows
        .into_iter()
        .map(|(month, order_id, office, group, salesperson, category, brand, quantity, net, vat)| LineRow {
            month,
            order_id,
            office,
            group,
            salesperson,
            category: category.unwrap_or_else(|| UNKNOWN.to_owned()),
            brand: brand.unwrap_or_else(|| UNKNOWN.to_owned()),
            quantity,
            net,
            vat,
        })
        .collect())
}
