//! The transactions sales commits: the order created, confirmed and dispatched.

use atq_platform::Tx;
use atq_platform::business_time::now_micros;

use super::feeds::{reservation_feed, take_reserved};
use super::order::Order;
use super::rows::*;

/// Create the order.
pub async fn create(tx: &mut Tx, order: &mut Order) -> anyhow::Result<()> {
    let (year, n) = (order.year, order.n);
    order.number = format!("DH-{year}-{:04}", next_number(tx, &format!("order-{year}")).await?);
    let now = now_micros();
    order.id = sqlx::query_scalar(
        "INSERT INTO orders (number, customer_id, office, warehouse, status, note, total_net, total_vat, created_by, \
         version, created_at, updated_at, confirmed_at, quote_id, contract_id) \
         VALUES ($1, $2, 'HN', 'HN', 'draft', '', $3, $4, 'sales.hn', 1, $5, $5, 0, 0, 0) RETURNING id",
    )
    .bind(&order.number)
    .bind(order.customer_id)
    .bind(order.net())
    .bind(order.vat())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    for (line_no, line) in order.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO order_lines (order_id, line_no, product_id, model_code, product_name, supplier_id, quantity, \
             unit_price, vat_rate_bp, delivery_date, net_amount, vat_amount, reserved, shipped, delivered) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, '', $9, $10, 0, 0, 0)",
        )
        .bind(order.id)
        .bind(line_no as i64 + 1)
        .bind(line.product_id)
        .bind(format!("ATQ-B{}", line.product_id))
        .bind("Máy ly tâm phòng thí nghiệm")
        .bind(line.quantity)
        .bind(line.unit_price)
        .bind(line.vat_bp)
        .bind(line.net)
        .bind(line.vat)
        .execute(&mut **tx)
        .await?;
    }
    remember(tx, "sales.CreateOrder:sales.hn", &format!("raw-{n}-create"), ORDER_BODY).await?;
    Ok(())
}

/// Confirm, first transaction (sales): the order is marked confirming.
pub async fn confirm_mark(tx: &mut Tx, order: &Order) -> anyhow::Result<()> {
    let now = now_micros();
    sqlx::query("UPDATE orders SET status = 'confirming', version = version + 1, updated_at = $1 WHERE id = $2 AND status = 'draft'")
        .bind(now)
        .bind(order.id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Confirm, last transaction (sales): the order takes the reservation and is confirmed; with it
/// the writes of sales' reservation feed that follow.
pub async fn confirm_finish(tx: &mut Tx, order: &mut Order) -> anyhow::Result<()> {
    let worker = order.worker;
    let now = now_micros();
    order.confirmed_at = now;
    take_reserved(tx, order).await?;
    sqlx::query(
        "UPDATE orders SET status = 'confirmed', version = version + 1, updated_at = $1, confirmed_at = $1 \
         WHERE id = $2 AND status = 'confirming'",
    )
    .bind(now_micros())
    .bind(order.id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE customers SET purchase_count = purchase_count + 1, last_purchase_on = $1 WHERE id = $2")
        .bind(atq_platform::business_time::local_date(now).to_string())
        .bind(order.customer_id)
        .execute(&mut **tx)
        .await?;
    outbox(tx, ("order", &order.id.to_string()), "atq.sales.v1.OrderConfirmed", ORDER_CONFIRMED_EVENT).await?;
    reservation_feed(tx, worker, order).await?;
    Ok(())
}

/// Request the dispatch order.
pub async fn request_dispatch(tx: &mut Tx, order: &mut Order) -> anyhow::Result<()> {
    let (year, n) = (order.year, order.n);
    let dispatch_number = format!("LX-{year}-{:04}", next_number(tx, &format!("dispatch-{year}")).await?);
    let now = now_micros();
    let dispatch_id: i64 = sqlx::query_scalar(
        "INSERT INTO dispatch_orders (number, order_id, office, warehouse, status, requested_by, decided_by, decision_note, \
         goods_issue_number, cost_amount, version, created_at, updated_at, shipped_at, delivered_at) \
         VALUES ($1, $2, 'HN', 'HN', 'requested', 'sales.hn', '', '', '', 0, 1, $3, $3, 0, 0) RETURNING id",
    )
    .bind(&dispatch_number)
    .bind(order.id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    for (line_no, line) in order.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO dispatch_lines (dispatch_id, line_no, product_id, model_code, quantity, serials) \
             VALUES ($1, $2, $3, $4, $5, '[]')",
        )
        .bind(dispatch_id)
        .bind(line_no as i64 + 1)
        .bind(line.product_id)
        .bind(format!("ATQ-B{}", line.product_id))
        .bind(line.quantity)
        .execute(&mut **tx)
        .await?;
    }
    remember(tx, "sales.RequestDispatch:sales.hn", &format!("raw-{n}-dispatch"), DISPATCH_BODY).await?;
    order.dispatch_id = dispatch_id;
    order.dispatch_number = dispatch_number;
    Ok(())
}

/// A director approves.
pub async fn approve(tx: &mut Tx, order: &Order) -> anyhow::Result<()> {
    let dispatch_id = order.dispatch_id;
    sqlx::query(
        "UPDATE dispatch_orders SET status = 'approved', version = version + 1, updated_at = $1, decided_by = 'director', \
         decision_note = '' WHERE id = $2 AND status = 'requested'",
    )
    .bind(now_micros())
    .bind(dispatch_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Ship, first transaction (sales): the dispatch order is marked shipping.
pub async fn ship_mark(tx: &mut Tx, order: &Order) -> anyhow::Result<()> {
    let dispatch_id = order.dispatch_id;
    let now = now_micros();
    sqlx::query("UPDATE dispatch_orders SET status = 'shipping', version = version + 1, updated_at = $1 WHERE id = $2 AND status = 'approved'")
        .bind(now)
        .bind(dispatch_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Ship, last transaction (sales): the dispatch order and the order lines take the goods issue;
/// with it the reservation feed's writes that follow.
pub async fn ship_finish(tx: &mut Tx, order: &Order) -> anyhow::Result<()> {
    let worker = order.worker;
    let (dispatch_id, issue_number, total_cost) = (order.dispatch_id, &order.issue_number, order.total_cost);
    for line_no in 1..=order.lines.len() as i64 {
        sqlx::query("UPDATE dispatch_lines SET serials = '[]' WHERE dispatch_id = $1 AND line_no = $2")
            .bind(dispatch_id)
            .bind(line_no)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(
        "UPDATE dispatch_orders SET status = 'shipped', version = version + 1, updated_at = $1, goods_issue_number = $2, \
         cost_amount = $3, shipped_at = $1 WHERE id = $4 AND status = 'shipping'",
    )
    .bind(now_micros())
    .bind(issue_number)
    .bind(total_cost)
    .bind(dispatch_id)
    .execute(&mut **tx)
    .await?;
    for (line_no, line) in order.lines.iter().enumerate() {
        sqlx::query("UPDATE order_lines SET shipped = shipped + $1 WHERE order_id = $2 AND line_no = $3")
            .bind(line.quantity)
            .bind(order.id)
            .bind(line_no as i64 + 1)
            .execute(&mut **tx)
            .await?;
    }
    outbox(tx, ("dispatch_order", &dispatch_id.to_string()), "atq.sales.v1.DispatchShipped", DISPATCH_SHIPPED_EVENT)
        .await?;
    reservation_feed(tx, worker, order).await?;
    Ok(())
}
