//! Bank statement lines, known by the hash of their content, and what each was matched to.

use atq_platform::Tx;
use atq_platform::business_time::date_to_proto;
use atq_platform::error::Result;
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::NaiveDate;
use sqlx::{AnyConnection, Row};

/// Stores a line not seen before; None when a line with the same identity is already stored.
#[tracing::instrument(level = "debug", skip_all, fields(hash = %line.hash))]
pub async fn insert(
    tx: &mut Tx,
    line: &StatementLine,
    status: BankLineStatus,
    imported_by: &str,
    now: i64,
) -> Result<Option<i64>> {
    let inserted = sqlx::query_scalar(
        "INSERT INTO bank_lines (line_hash, booked_on, amount, description, reference, status, invoice_number, \
         payment_number, imported_by, imported_at) VALUES ($1, $2, $3, $4, $5, $6, '', '', $7, $8) \
         ON CONFLICT (line_hash) DO NOTHING RETURNING id",
    )
    .bind(&line.hash)
    .bind(line.booked_on.to_string())
    .bind(line.amount)
    .bind(&line.description)
    .bind(&line.reference)
    .bind(status.as_str())
    .bind(imported_by)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(inserted)
}

/// (booked on, amount, description, reference) of a stored line.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn content(tx: &mut Tx, id: i64) -> Result<(String, i64, String, String)> {
    let content = sqlx::query_as("SELECT booked_on, amount, description, reference FROM bank_lines WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(content)
}

/// The status text of a stored line, if there is one.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn status(tx: &mut Tx, id: i64) -> Result<Option<String>> {
    let status =
        sqlx::query_scalar("SELECT status FROM bank_lines WHERE id = $1").bind(id).fetch_optional(&mut **tx).await?;
    Ok(status)
}

#[tracing::instrument(level = "debug", skip(tx))]
pub async fn mark_matched(tx: &mut Tx, id: i64, invoice_number: &str, payment_number: &str) -> Result<()> {
    sqlx::query("UPDATE bank_lines SET status = $1, invoice_number = $2, payment_number = $3 WHERE id = $4")
        .bind(BankLineStatus::Matched.as_str())
        .bind(invoice_number)
        .bind(payment_number)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Lines after `after_id`, of one status or of all ('').
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn list(conn: &mut AnyConnection, status: &str, after_id: i64, limit: i64) -> Result<Vec<pb::BankLine>> {
    let rows = sqlx::query(
        "SELECT id, booked_on, amount, description, reference, status, invoice_number, payment_number FROM bank_lines \
         WHERE id > $1 AND ($2 = '' OR status = $2) ORDER BY id LIMIT $3",
    )
    .bind(after_id)
    .bind(status)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let booked_on: String = row.try_get("booked_on")?;
            Ok(pb::BankLine {
                id: row.try_get("id")?,
                booked_on: booked_on.parse().ok().map(date_to_proto),
                amount: row.try_get("amount")?,
                description: row.try_get("description")?,
                reference: row.try_get("reference")?,
                status: row.try_get("status")?,
                invoice_number: row.try_get("invoice_number")?,
                payment_number: row.try_get("payment_number")?,
            })
        })
        .collect()
}

/// Where a statement line stands. A line already imported is reported as a duplicate, never stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BankLineStatus {
    /// Paid an invoice (or became the customer's credit).
    Matched,
    /// A credit waiting in the review list.
    Unmatched,
    /// A debit: money going out is not a customer's payment.
    Ignored,
    Duplicate,
}

impl BankLineStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            BankLineStatus::Matched => "matched",
            BankLineStatus::Unmatched => "unmatched",
            BankLineStatus::Ignored => "ignored",
            BankLineStatus::Duplicate => "duplicate",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct StatementLine {
    pub booked_on: NaiveDate,
    pub amount: i64,
    pub description: String,
    pub reference: String,
    pub hash: String,
}
