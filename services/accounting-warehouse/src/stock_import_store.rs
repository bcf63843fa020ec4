//! What an opening-stock import reads besides its rows: the serial units the company already has,
//! and whether the same rows were imported before.

use std::collections::HashSet;

use atq_platform::error::Result;
use sqlx::AnyConnection;

/// The serial numbers of `product_id` that are in stock or gone out (a unit written off as
/// missing may come in again, as a receipt allows).
pub async fn serials_held(conn: &mut AnyConnection, product_id: i64) -> Result<HashSet<String>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT serial FROM serials WHERE product_id = $1 AND status <> 'missing'")
            .bind(product_id)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|(serial,)| serial).collect())
}

/// Whether an import with this key (the digest of its rows) has been written.
pub async fn imported_before(conn: &mut AnyConnection, scope: &str, key: &str) -> Result<bool> {
    let count: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM idempotency_keys WHERE scope = $1 AND idem_key = $2")
        .bind(scope)
        .bind(key)
        .fetch_one(conn)
        .await?;
    Ok(count.0 > 0)
}
