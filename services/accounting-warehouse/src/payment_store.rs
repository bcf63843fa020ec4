//! Payments received and how they were allocated to invoices.

use atq_platform::Tx;
use atq_platform::error::Result;

/// A payment as first stored; what is left unallocated is set once it is allocated.
pub struct NewPayment<'a> {
    pub number: &'a str,
    pub customer_id: i64,
    pub amount: i64,
    pub received_on: String,
    pub reference: &'a str,
    pub method: &'a str,
    pub created_by: &'a str,
    pub created_at: i64,
}

/// Stores a payment; returns its id.
#[tracing::instrument(level = "debug", skip_all, fields(number = payment.number, customer_id = payment.customer_id))]
pub async fn insert(tx: &mut Tx, payment: &NewPayment<'_>) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO payments (number, customer_id, amount, received_on, reference, method, unallocated, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8) RETURNING id",
    )
    .bind(payment.number)
    .bind(payment.customer_id)
    .bind(payment.amount)
    .bind(&payment.received_on)
    .bind(payment.reference)
    .bind(payment.method)
    .bind(payment.created_by)
    .bind(payment.created_at)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

#[tracing::instrument(level = "debug", skip(tx))]
pub async fn insert_allocation(tx: &mut Tx, payment_id: i64, invoice_id: i64, amount: i64) -> Result<()> {
    sqlx::query("INSERT INTO payment_allocations (payment_id, invoice_id, amount) VALUES ($1, $2, $3)")
        .bind(payment_id)
        .bind(invoice_id)
        .bind(amount)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip(tx))]
pub async fn set_unallocated(tx: &mut Tx, payment_id: i64, unallocated: i64) -> Result<()> {
    sqlx::query("UPDATE payments SET unallocated = $1 WHERE id = $2")
        .bind(unallocated)
        .bind(payment_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
