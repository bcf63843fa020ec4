//! Customers' credit limits and payment terms.

use atq_platform::Tx;
use atq_platform::error::Result;
use sqlx::AnyConnection;

/// (credit limit, payment terms in days), if terms were set for the customer.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn find(conn: &mut AnyConnection, customer_id: i64) -> Result<Option<(i64, i64)>> {
    let terms = sqlx::query_as("SELECT credit_limit, payment_terms_days FROM credit_terms WHERE customer_id = $1")
        .bind(customer_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(terms)
}

#[tracing::instrument(level = "debug", skip(tx, updated_by))]
pub async fn upsert(
    tx: &mut Tx,
    customer_id: i64,
    credit_limit: i64,
    payment_terms_days: i64,
    updated_by: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO credit_terms (customer_id, credit_limit, payment_terms_days, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (customer_id) DO UPDATE SET credit_limit = $2, payment_terms_days = $3, updated_by = $4, updated_at = $5",
    )
    .bind(customer_id)
    .bind(credit_limit)
    .bind(payment_terms_days)
    .bind(updated_by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
