//! Reservations and their lines, and the queue of lines waiting for stock.

use atq_platform::error::Result;
use atq_platform::{Office, Tx};
use sqlx::AnyConnection;

/// A reservation's head: its warehouse code and status text as stored.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn head(conn: &mut AnyConnection, order_ref: &str) -> Result<Option<(String, String)>> {
    let head = sqlx::query_as("SELECT warehouse, status FROM reservations WHERE order_ref = $1")
        .bind(order_ref)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(head)
}

/// A reservation line as stored.
pub struct StoredLine {
    pub line_no: i64,
    pub product_id: i64,
    pub requested: i64,
    pub reserved: i64,
    pub issued: i64,
}

/// The lines of a reservation, in line order.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn lines(conn: &mut AnyConnection, order_ref: &str) -> Result<Vec<StoredLine>> {
    let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT line_no, product_id, requested, reserved, issued FROM reservation_lines WHERE order_ref = $1 ORDER BY line_no",
    )
    .bind(order_ref)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(line_no, product_id, requested, reserved, issued)| StoredLine {
            line_no,
            product_id,
            requested,
            reserved,
            issued,
        })
        .collect())
}

#[tracing::instrument(level = "debug", skip(tx, created_by))]
pub async fn insert(tx: &mut Tx, order_ref: &str, warehouse: Office, created_by: &str, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO reservations (order_ref, warehouse, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(order_ref)
    .bind(warehouse.code())
    .bind(ReservationStatus::Active.as_str())
    .bind(created_by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A new reservation line as stored.
pub struct NewLine<'a> {
    pub order_ref: &'a str,
    pub line_no: i64,
    pub product_id: i64,
    pub warehouse: Office,
    pub requested: i64,
    pub reserved: i64,
    pub priority: i64,
    pub needed_by: &'a str,
}

#[tracing::instrument(level = "debug", skip_all, fields(order_ref = line.order_ref, line_no = line.line_no))]
pub async fn insert_line(tx: &mut Tx, line: &NewLine<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO reservation_lines \
         (order_ref, line_no, product_id, warehouse, requested, reserved, waiting, priority, needed_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(line.order_ref)
    .bind(line.line_no)
    .bind(line.product_id)
    .bind(line.warehouse.code())
    .bind(line.requested)
    .bind(line.reserved)
    .bind(i64::from(line.reserved < line.requested))
    .bind(line.priority)
    .bind(line.needed_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks an active reservation released and stops its lines waiting; false when it was not active.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn mark_released(tx: &mut Tx, order_ref: &str, now: i64) -> Result<bool> {
    let changed =
        sqlx::query("UPDATE reservations SET status = $1, updated_at = $2 WHERE order_ref = $3 AND status = $4")
            .bind(ReservationStatus::Released.as_str())
            .bind(now)
            .bind(order_ref)
            .bind(ReservationStatus::Active.as_str())
            .execute(&mut **tx)
            .await?
            .rows_affected();
    if changed != 1 {
        return Ok(false);
    }
    sqlx::query("UPDATE reservation_lines SET waiting = 0 WHERE order_ref = $1")
        .bind(order_ref)
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

/// A line waiting for stock.
pub struct WaitingLine {
    pub id: i64,
    pub line_no: i64,
    pub product_id: i64,
    /// Still owed: requested, less what was issued and what is held.
    pub missing: i64,
    pub order_ref: String,
}

/// Lines waiting for a product in a warehouse: project orders first, then the soonest needed
/// (undated last), then the oldest.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn waiting(tx: &mut Tx, product_id: i64, warehouse: Office) -> Result<Vec<WaitingLine>> {
    let rows: Vec<(i64, i64, i64, i64, String)> = sqlx::query_as(
        "SELECT id, line_no, product_id, requested - issued - reserved, order_ref FROM reservation_lines \
         WHERE product_id = $1 AND warehouse = $2 AND waiting = 1 \
         ORDER BY priority DESC, CASE WHEN needed_by = '' THEN 1 ELSE 0 END, needed_by, id",
    )
    .bind(product_id)
    .bind(warehouse.code())
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, line_no, product_id, missing, order_ref)| WaitingLine {
            id,
            line_no,
            product_id,
            missing,
            order_ref,
        })
        .collect())
}

/// Adds `amount` to a line's reservation; it stops waiting once nothing is owed.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn grant(tx: &mut Tx, line_id: i64, amount: i64) -> Result<()> {
    sqlx::query(
        "UPDATE reservation_lines SET reserved = reserved + $1, \
         waiting = CASE WHEN issued + reserved + $1 < requested THEN 1 ELSE 0 END WHERE id = $2",
    )
    .bind(amount)
    .bind(line_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves `quantity` of an active order line from reserved to issued; false when it does not hold that many.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn consume(tx: &mut Tx, order_ref: &str, line_no: i64, quantity: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE reservation_lines SET reserved = reserved - $1, issued = issued + $1 \
         WHERE order_ref = $2 AND line_no = $3 AND reserved >= $1 \
         AND order_ref IN (SELECT order_ref FROM reservations WHERE status = $4)",
    )
    .bind(quantity)
    .bind(order_ref)
    .bind(line_no)
    .bind(ReservationStatus::Active.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// A reservation holds stock while active; once released it holds nothing and waits for nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReservationStatus {
    Active,
    Released,
}

impl ReservationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReservationStatus::Active => "active",
            ReservationStatus::Released => "released",
        }
    }
}
