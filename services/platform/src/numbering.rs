//! Gapless numbers per series (customer codes, invoice numbers). The counter row is updated in the
//! caller's transaction, so a rolled-back document gives its number back and concurrent writers
//! queue on the row.

use crate::db::Tx;

pub async fn next_in_series(tx: &mut Tx, series: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar::<_, i64>(
        "INSERT INTO number_series (series, last_value) VALUES ($1, 1) \
         ON CONFLICT (series) DO UPDATE SET last_value = number_series.last_value + 1 \
         RETURNING last_value",
    )
    .bind(series)
    .fetch_one(&mut **tx)
    .await
}
