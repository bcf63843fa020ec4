//! The stock documents as issued (receipts, transfers, stocktakes, goods issues), kept whole.

use atq_platform::business_time::now_micros;
use atq_platform::error::Result;
use atq_platform::{Office, Tx};

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
