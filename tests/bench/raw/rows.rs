//! The rows every step writes alike: numbers from a series, outbox events, idempotency keys,
//! journal entries and feed cursors.

use atq_platform::Tx;
use atq_platform::business_time::now_micros;

/// Widths of the stored protobuf bodies, as the services' rows measure on average for these
/// two-line orders (bytes).
pub const ORDER_BODY: usize = 270;
pub const DISPATCH_BODY: usize = 150;
pub const RESERVATION_EVENT: usize = 46;
pub const ORDER_CONFIRMED_EVENT: usize = 296;
pub const DISPATCH_SHIPPED_EVENT: usize = 339;
pub const STOCK_MOVED_EVENT: usize = 70;
pub const GOODS_ISSUE_BODY: usize = 100;
pub const INVOICE_BODY: usize = 241;
pub const INVOICE_EVENT: usize = 246;
pub const PAYMENT_BODY: usize = 110;
const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

pub fn blob(len: usize, salt: usize) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(31).wrapping_add(salt) % 251) as u8).collect()
}

pub async fn next_number(tx: &mut Tx, series: &str) -> anyhow::Result<i64> {
    let value = sqlx::query_scalar::<_, i64>(
        "INSERT INTO number_series (series, last_value) VALUES ($1, 1) \
         ON CONFLICT (series) DO UPDATE SET last_value = number_series.last_value + 1 RETURNING last_value",
    )
    .bind(series)
    .fetch_one(&mut **tx)
    .await?;
    Ok(value)
}

pub async fn outbox(
    tx: &mut Tx,
    (aggregate_type, aggregate_id): (&str, &str),
    event_type: &str,
    payload_len: usize,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO outbox (event_id, event_type, aggregate_type, aggregate_id, occurred_at, payload, traceparent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(event_type)
    .bind(aggregate_type)
    .bind(aggregate_id)
    .bind(now_micros())
    .bind(blob(payload_len, aggregate_id.len()))
    .bind(TRACEPARENT)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn remember(tx: &mut Tx, scope: &str, key: &str, response_len: usize) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO idempotency_keys (scope, idem_key, request_hash, response, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(scope)
    .bind(key)
    .bind(format!("{:064x}", key.len() * 7919))
    .bind(blob(response_len, key.len()))
    .bind(now_micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn journal(
    tx: &mut Tx,
    document: (&str, &str),
    memo: &str,
    by: &str,
    lines: &[(&str, i64, i64, i64)],
) -> anyhow::Result<()> {
    let today = atq_platform::business_time::local_date(now_micros()).to_string();
    let entry_id: i64 = sqlx::query_scalar(
        "INSERT INTO journal_entries (entry_date, document_type, document_number, memo, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(today)
    .bind(document.0)
    .bind(document.1)
    .bind(memo)
    .bind(by)
    .bind(now_micros())
    .fetch_one(&mut **tx)
    .await?;
    for (line_no, (account, debit, credit, customer_id)) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO journal_lines (entry_id, line_no, account, debit, credit, customer_id) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(entry_id)
        .bind(line_no as i64 + 1)
        .bind(*account)
        .bind(*debit)
        .bind(*credit)
        .bind(*customer_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub async fn cursor(tx: &mut Tx, worker: usize) -> anyhow::Result<()> {
    sqlx::query("UPDATE feed_cursors SET position = position + 1 WHERE feed = $1")
        .bind(format!("feed-{worker}"))
        .execute(&mut **tx)
        .await?;
    Ok(())
}
