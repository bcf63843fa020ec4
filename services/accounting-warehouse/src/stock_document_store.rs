//! The stock documents as issued (receipts, transfers, stocktakes, goods issues), kept whole.

use atq_platform::business_time::now_micros;
use atq_platform::error::Result;
use atq_platform::{Db, Office, Tx};

#[tracing::instrument(level = "debug", skip(tx, body))]
pub async fn insert(
    tx: &mut Tx,
    document_type: &str,
    number: &str,
    warehouse: Office,
    body: &[u8],
    created_by: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO stock_documents (number, document_type, warehouse, body, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(number)
    .bind(document_type)
    .bind(warehouse.code())
    .bind(body)
    .bind(created_by)
    .bind(now_micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A page of the kept documents of one type, oldest first, of one warehouse when given: each
/// document's id and body.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn list(
    db: &Db,
    document_type: &str,
    warehouse: Option<Office>,
    (after_id, limit): (i64, i64),
) -> Result<Vec<(i64, Vec<u8>)>> {
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT id, body FROM stock_documents WHERE document_type = $1 AND id > $2 \
         AND ($3 = '' OR warehouse = $3) ORDER BY id LIMIT $4",
    )
    .bind(document_type)
    .bind(after_id)
    .bind(warehouse.map(Office::code).unwrap_or(""))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|row| Ok((row.try_get("id")?, row.try_get("body")?))).collect()
}

/// One kept document of a type by its number: its id and body; None when no document of that
/// type has the number (a transfer's number asked for as a stocktake is not found either).
#[tracing::instrument(level = "debug", skip(db))]
pub async fn find(db: &Db, document_type: &str, number: &str) -> Result<Option<(i64, Vec<u8>)>> {
    use sqlx::Row;
    let row = sqlx::query("SELECT id, body FROM stock_documents WHERE document_type = $1 AND number = $2")
        .bind(document_type)
        .bind(number)
        .fetch_optional(db.pool())
        .await?;
    row.map(|row| Ok((row.try_get("id")?, row.try_get("body")?))).transpose()
}
