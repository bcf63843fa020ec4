//! The table of each customer's purchases, kept up to date by the feed projections.

use atq_platform::error::Result;
use atq_platform::{Db, Tx};

/// Rewrites the order part of a customer's row from that customer's counted order heads: the
/// orders are few per customer, so this stays cheap, and it is right whatever order the events
/// (confirmations, cancellations, replays) arrive in. Customer 0 (unknown) is not kept.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn refresh_orders(tx: &mut Tx, customer_id: i64) -> Result<()> {
    if customer_id <= 0 {
        return Ok(());
    }
    let (first_on, last_on, orders, net): (Option<String>, Option<String>, i64, i64) = sqlx::query_as(
        "SELECT MIN(confirmed_on), MAX(confirmed_on), COUNT(*), CAST(COALESCE(SUM(total_net), 0) AS BIGINT) \
         FROM sales_orders WHERE customer_id = $1 AND cancelled_at = 0",
    )
    .bind(customer_id)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO customer_value_facts (customer_id, first_on, last_on, orders, net, returned_net) \
         VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT (customer_id) DO UPDATE SET first_on = excluded.first_on, \
         last_on = excluded.last_on, orders = excluded.orders, net = excluded.net",
    )
    .bind(customer_id)
    .bind(first_on.unwrap_or_default())
    .bind(last_on.unwrap_or_default())
    .bind(orders)
    .bind(net)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Rewrites the returned amount of a customer's row from the customer's kept return lines. Only
/// this column: the sales feed writes the others in its own transactions.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn refresh_returns(tx: &mut Tx, customer_id: i64) -> Result<()> {
    if customer_id <= 0 {
        return Ok(());
    }
    let (returned,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(net_amount), 0) AS BIGINT) FROM sales_return_lines WHERE customer_id = $1",
    )
    .bind(customer_id)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO customer_value_facts (customer_id, first_on, last_on, orders, net, returned_net) \
         VALUES ($1, '', '', 0, 0, $2) ON CONFLICT (customer_id) DO UPDATE SET returned_net = excluded.returned_net",
    )
    .bind(customer_id)
    .bind(returned)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A customer's kept purchases with what analytics knows of the customer.
pub struct ValueRow {
    pub customer_id: i64,
    pub code: String,
    pub office: String,
    pub group: String,
    pub first_on: String,
    pub last_on: String,
    pub orders: i64,
    pub net: i64,
    pub returned_net: i64,
}

/// Every customer with at least one counted order.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn active(db: &Db) -> Result<Vec<ValueRow>> {
    type Row = (i64, String, String, String, String, String, i64, i64, i64);
    let rows = sqlx::query_as::<_, Row>(
        "SELECT v.customer_id, COALESCE(c.code, ''), COALESCE(c.office, ''), COALESCE(c.customer_group, ''), \
         v.first_on, v.last_on, v.orders, v.net, v.returned_net \
         FROM customer_value_facts v LEFT JOIN customer_facts c ON c.customer_id = v.customer_id \
         WHERE v.orders > 0 ORDER BY v.customer_id",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(customer_id, code, office, group, first_on, last_on, orders, net, returned_net)| ValueRow {
            customer_id,
            code,
            office,
            group,
            first_on,
            last_on,
            orders,
            net,
            returned_net,
        })
        .collect())
}
