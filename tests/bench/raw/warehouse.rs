//! The transactions accounting-warehouse commits: the reservation, the goods issue, the invoice
//! and the payment.

use atq_platform::Tx;
use atq_platform::business_time::now_micros;

use super::order::{Order, in_product_order};
use super::rows::*;

/// Confirm, second transaction (warehouse): the reservation, from stock.
pub async fn reserve(tx: &mut Tx, order: &Order) -> anyhow::Result<()> {
    let now = now_micros();
    sqlx::query(
        "INSERT INTO reservations (order_ref, warehouse, status, created_by, created_at, updated_at) \
         VALUES ($1, 'HN', 'active', 'sales.hn', $2, $2)",
    )
    .bind(&order.number)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for (line_no, line) in in_product_order(order) {
        let reserved = sqlx::query(
            "UPDATE stock_levels SET reserved = reserved + $1 \
             WHERE product_id = $2 AND warehouse = 'HN' AND condition = 'good' AND on_hand - reserved >= $1",
        )
        .bind(line.quantity)
        .bind(line.product_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        anyhow::ensure!(reserved == 1, "no stock left for product {}", line.product_id);
        sqlx::query(
            "INSERT INTO reservation_lines (order_ref, line_no, product_id, warehouse, requested, reserved, waiting, issued) \
             VALUES ($1, $2, $3, 'HN', $4, $4, 0, 0)",
        )
        .bind(&order.number)
        .bind(line_no as i64 + 1)
        .bind(line.product_id)
        .bind(line.quantity)
        .execute(&mut **tx)
        .await?;
    }
    outbox(tx, ("reservation", &order.number), "atq.accountingwarehouse.v1.ReservationChanged", RESERVATION_EVENT)
        .await?;
    Ok(())
}

/// Each line of the goods issue, in product order: out of the reservation and stock, at cost.
/// Returns the cost of all of them.
async fn issue_lines(
    tx: &mut Tx,
    order: &Order,
    issue_number: &str,
    dispatch_number: &str,
    now: i64,
) -> anyhow::Result<i64> {
    let mut total_cost = 0;
    for (line_no, line) in in_product_order(order) {
        let consumed = sqlx::query(
            "UPDATE reservation_lines SET reserved = reserved - $1, issued = issued + $1 \
             WHERE order_ref = $2 AND line_no = $3 AND reserved >= $1 \
             AND order_ref IN (SELECT order_ref FROM reservations WHERE status = 'active')",
        )
        .bind(line.quantity)
        .bind(&order.number)
        .bind(line_no as i64 + 1)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        anyhow::ensure!(consumed == 1, "order {} line {} holds too little", order.number, line_no + 1);
        sqlx::query(
            "UPDATE stock_levels SET on_hand = on_hand - $1, reserved = reserved - $1 \
             WHERE product_id = $2 AND warehouse = 'HN' AND condition = 'good' AND reserved >= $1 AND on_hand >= $1",
        )
        .bind(line.quantity)
        .bind(line.product_id)
        .execute(&mut **tx)
        .await?;
        let cost = line.quantity * line.unit_price * 7 / 10;
        total_cost += cost;
        sqlx::query(
            "UPDATE product_costs SET quantity = quantity - $1, total_value = total_value - $2 WHERE product_id = $3",
        )
        .bind(line.quantity)
        .bind(cost)
        .bind(line.product_id)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO stock_moves (document_type, document_number, product_id, warehouse, condition, quantity, \
             unit_cost, reason, created_by, created_at) VALUES ('issue', $1, $2, 'HN', 'good', $3, $4, $5, 'warehouse', $6)",
        )
        .bind(issue_number)
        .bind(line.product_id)
        .bind(-line.quantity)
        .bind(cost / line.quantity)
        .bind(dispatch_number)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(total_cost)
}

/// Ship, second transaction (warehouse): the goods issue, out of the reservation and stock, at
/// cost, with its journal entry.
pub async fn issue(tx: &mut Tx, order: &mut Order) -> anyhow::Result<()> {
    let (year, n) = (order.year, order.n);
    let dispatch_number = order.dispatch_number.clone();
    let dispatch_number = &dispatch_number;
    let now = now_micros();
    let issue_number = format!("PX-{year}-{:04}", next_number(tx, &format!("PX-{year}")).await?);
    let total_cost = issue_lines(tx, order, &issue_number, dispatch_number, now).await?;
    let memo = format!("{} {dispatch_number}", order.number);
    journal(tx, ("issue", &issue_number), &memo, "warehouse", &[("632", total_cost, 0, 0), ("156", 0, total_cost, 0)])
        .await?;
    sqlx::query(
        "INSERT INTO goods_issues (dispatch_ref, number, order_ref, warehouse, body, created_by, created_at) \
         VALUES ($1, $2, $3, 'HN', $4, 'warehouse', $5)",
    )
    .bind(dispatch_number)
    .bind(&issue_number)
    .bind(&order.number)
    .bind(blob(GOODS_ISSUE_BODY, n))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO stock_documents (number, document_type, warehouse, body, created_by, created_at) \
         VALUES ($1, 'issue', 'HN', $2, 'warehouse', $3)",
    )
    .bind(&issue_number)
    .bind(blob(GOODS_ISSUE_BODY, n))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    outbox(tx, ("stock", &issue_number), "atq.accountingwarehouse.v1.StockMoved", STOCK_MOVED_EVENT).await?;
    outbox(tx, ("reservation", &order.number), "atq.accountingwarehouse.v1.ReservationChanged", RESERVATION_EVENT)
        .await?;
    outbox(tx, ("goods_issue", &issue_number), "atq.accountingwarehouse.v1.GoodsIssued", GOODS_ISSUE_BODY).await?;
    order.issue_number = issue_number;
    order.total_cost = total_cost;
    Ok(())
}

/// The invoice, from the shipment on the sales feed.
pub async fn invoice(tx: &mut Tx, order: &mut Order) -> anyhow::Result<()> {
    let (year, n, worker) = (order.year, order.n, order.worker);
    let dispatch_number = order.dispatch_number.clone();
    let issued_on = atq_platform::business_time::local_date(now_micros());
    let series = format!("C{:02}TAQ", year % 100);
    let sequence = next_number(tx, &format!("invoice-{series}")).await?;
    let invoice_number = format!("{series}-{sequence:07}");
    let (net, vat) = (order.net(), order.vat());
    let invoice_id: i64 = sqlx::query_scalar(
        "INSERT INTO invoices (number, series, sequence, customer_id, customer_name, order_number, dispatch_number, \
         issue_date, due_date, total_net, total_vat, paid, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13) RETURNING id",
    )
    .bind(&invoice_number)
    .bind(&series)
    .bind(sequence)
    .bind(order.customer_id)
    .bind(format!("Khách hàng {}", order.customer_id - 1))
    .bind(&order.number)
    .bind(&dispatch_number)
    .bind(issued_on.to_string())
    .bind((issued_on + chrono::Days::new(30)).to_string())
    .bind(net)
    .bind(vat)
    .bind(blob(INVOICE_BODY, n))
    .bind(now_micros())
    .fetch_one(&mut **tx)
    .await?;
    journal(
        tx,
        ("invoice", &invoice_number),
        &order.number,
        "accounting",
        &[("131", net + vat, 0, order.customer_id), ("511", 0, net, 0), ("3331", 0, vat, 0)],
    )
    .await?;
    outbox(tx, ("invoice", &invoice_id.to_string()), "atq.accountingwarehouse.v1.InvoiceIssued", INVOICE_EVENT).await?;
    cursor(tx, worker).await?;
    order.invoice_id = invoice_id;
    order.invoice_number = invoice_number;
    Ok(())
}

/// The accountant records the payment.
pub async fn pay(tx: &mut Tx, order: &Order) -> anyhow::Result<()> {
    let (year, n) = (order.year, order.n);
    let dispatch_number = &order.dispatch_number;
    let (invoice_id, invoice_number) = (order.invoice_id, &order.invoice_number);
    let (net, vat) = (order.net(), order.vat());
    let issued_on = atq_platform::business_time::local_date(now_micros());
    let amount = net + vat;
    let payment_number = format!("PT-{year}-{:04}", next_number(tx, &format!("payment-{year}")).await?);
    let payment_id: i64 = sqlx::query_scalar(
        "INSERT INTO payments (number, customer_id, amount, received_on, reference, method, unallocated, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'bank', 0, 'accountant', $6) RETURNING id",
    )
    .bind(&payment_number)
    .bind(order.customer_id)
    .bind(amount)
    .bind(issued_on.to_string())
    .bind(format!("UNC {dispatch_number}"))
    .bind(now_micros())
    .fetch_one(&mut **tx)
    .await?;
    let paid = sqlx::query("UPDATE invoices SET paid = paid + $1 WHERE id = $2 AND paid + $1 <= total_net + total_vat")
        .bind(amount)
        .bind(invoice_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    anyhow::ensure!(paid == 1, "invoice {invoice_number} could not take the payment");
    sqlx::query("INSERT INTO payment_allocations (payment_id, invoice_id, amount) VALUES ($1, $2, $3)")
        .bind(payment_id)
        .bind(invoice_id)
        .bind(amount)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE payments SET unallocated = 0 WHERE id = $1").bind(payment_id).execute(&mut **tx).await?;
    journal(
        tx,
        ("payment", &payment_number),
        &format!("UNC {dispatch_number}"),
        "accountant",
        &[("112", amount, 0, 0), ("131", 0, amount, order.customer_id)],
    )
    .await?;
    outbox(tx, ("payment", &payment_id.to_string()), "atq.accountingwarehouse.v1.PaymentRecorded", PAYMENT_BODY)
        .await?;
    remember(tx, "accounting.RecordPayment:accountant", &format!("raw-{n}-pay"), PAYMENT_BODY).await?;
    Ok(())
}
