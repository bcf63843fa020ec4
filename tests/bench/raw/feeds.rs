//! The feed consumers' writes: sales' in the transaction of the step that causes them, analytics'
//! in its own.

use atq_platform::Tx;

use super::order::Order;
use super::rows::cursor;

/// What the reservation feed does on sales' side for each ReservationChanged: the order lines
/// take the warehouse's figures, and the consumer's cursor moves.
pub async fn reservation_feed(tx: &mut Tx, worker: usize, order: &Order) -> anyhow::Result<()> {
    take_reserved(tx, order).await?;
    cursor(tx, worker).await
}

/// What analytics does with an OrderConfirmed from the sales feed: the order and its lines as
/// sales facts, and the consumer's cursor.
pub async fn analytics_feed(tx: &mut Tx, worker: usize, order: &Order, confirmed_at: i64) -> anyhow::Result<()> {
    let confirmed_on = atq_platform::business_time::local_date(confirmed_at);
    sqlx::query(
        "INSERT INTO sales_orders (order_id, number, office, customer_group, salesperson, confirmed_at, confirmed_on, \
         month, cancelled_at, total_net, total_vat, total_gross, position) \
         VALUES ($1, $2, 'HN', 'dealer', 'sales.hn', $3, $4, $5, 0, $6, $7, $8, $9) \
         ON CONFLICT (order_id) DO UPDATE SET confirmed_at = excluded.confirmed_at, position = excluded.position",
    )
    .bind(order.id)
    .bind(&order.number)
    .bind(confirmed_at)
    .bind(confirmed_on.to_string())
    .bind(confirmed_on.format("%Y-%m").to_string())
    .bind(order.net())
    .bind(order.vat())
    .bind(order.net() + order.vat())
    .bind(order.id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM sales_order_lines WHERE order_id = $1").bind(order.id).execute(&mut **tx).await?;
    for (line_no, line) in order.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO sales_order_lines (order_id, line_no, product_id, quantity, net_amount, vat_amount) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(order.id)
        .bind(line_no as i64 + 1)
        .bind(line.product_id)
        .bind(line.quantity)
        .bind(line.net)
        .bind(line.vat)
        .execute(&mut **tx)
        .await?;
    }
    cursor(tx, worker).await
}

/// The order lines take the quantities the warehouse reserved, as confirming does and as the
/// reservation feed does again for each ReservationChanged.
pub async fn take_reserved(tx: &mut Tx, order: &Order) -> anyhow::Result<()> {
    for (line_no, line) in order.lines.iter().enumerate() {
        sqlx::query(
            "UPDATE order_lines SET reserved = CASE WHEN reserved < $1 THEN $1 ELSE reserved END \
             WHERE line_no = $2 AND order_id IN (SELECT id FROM orders WHERE number = $3 AND status IN ('confirming', 'confirmed'))",
        )
        .bind(line.quantity)
        .bind(line_no as i64 + 1)
        .bind(&order.number)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
