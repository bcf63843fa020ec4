//! Invoices: the issued document kept whole, with the figures queries need beside it.

use atq_platform::error::Result;
use atq_platform::{Db, Error, Tx};
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::NaiveDate;
use prost::Message;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

#[tracing::instrument(level = "debug", skip(tx))]
pub async fn exists_for_dispatch(tx: &mut Tx, dispatch_number: &str) -> Result<bool> {
    let known: Option<i64> = sqlx::query_scalar("SELECT id FROM invoices WHERE dispatch_number = $1")
        .bind(dispatch_number)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(known.is_some())
}

/// Stores a new invoice, due on `due_on`; returns its id.
#[tracing::instrument(level = "debug", skip_all, fields(number = %invoice.number))]
pub async fn insert(
    tx: &mut Tx,
    invoice: &pb::Invoice,
    (issued_on, due_on): (NaiveDate, NaiveDate),
    now: i64,
) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO invoices (number, series, sequence, customer_id, customer_name, order_number, dispatch_number, \
         issue_date, due_date, total_net, total_vat, paid, body, created_at, total_discount) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13, $14) RETURNING id",
    )
    .bind(&invoice.number)
    .bind(&invoice.series)
    .bind(invoice.sequence)
    .bind(invoice.customer_id)
    .bind(&invoice.customer_name)
    .bind(&invoice.order_number)
    .bind(&invoice.dispatch_number)
    .bind(issued_on.to_string())
    .bind(due_on.to_string())
    .bind(invoice.total_net)
    .bind(invoice.total_vat)
    .bind(invoice.encode_to_vec())
    .bind(now)
    .bind(invoice.total_discount)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

const COLUMNS: &str = "id, number, customer_id, total_net, total_vat, paid, body";

fn from_row(row: &AnyRow) -> Result<pb::Invoice> {
    let body: Vec<u8> = row.try_get("body")?;
    let stored = pb::Invoice::decode(body.as_slice())?;
    let total: i64 = row.try_get::<i64, _>("total_net")? + row.try_get::<i64, _>("total_vat")?;
    let paid: i64 = row.try_get("paid")?;
    Ok(pb::Invoice {
        id: row.try_get("id")?,
        paid,
        open_amount: total - paid,
        status: InvoiceStatus::of(paid, total).as_str().into(),
        ..stored
    })
}

#[tracing::instrument(level = "debug", skip(conn))]
pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<pb::Invoice>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM invoices WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// A page of invoices: of one customer (or all, for 0), of one status (or all), after an id.
#[derive(Debug)]
pub struct InvoiceQuery {
    pub customer_id: i64,
    pub status: Option<InvoiceStatus>,
    pub after_id: i64,
    pub limit: i64,
}

#[tracing::instrument(level = "debug", skip(db))]
pub async fn list(db: &Db, query: &InvoiceQuery) -> Result<Vec<pb::Invoice>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM invoices WHERE id > $1 AND ($2 = 0 OR customer_id = $2) \
         AND ($3 = '' OR ($3 = 'paid' AND paid >= total_net + total_vat) OR ($3 = 'open' AND paid < total_net + total_vat)) \
         ORDER BY id LIMIT $4"
    ))
    .bind(query.after_id)
    .bind(query.customer_id)
    .bind(query.status.map(InvoiceStatus::as_str).unwrap_or(""))
    .bind(query.limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// An invoice not yet fully paid.
pub struct OpenItem {
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub open_amount: i64,
    pub due_on: NaiveDate,
}

/// Open invoices of one customer (or of all, for 0), oldest due first.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn open_items(conn: &mut AnyConnection, customer_id: i64) -> Result<Vec<OpenItem>> {
    let rows: Vec<(i64, String, i64, String, i64, String)> = sqlx::query_as(
        "SELECT id, number, customer_id, customer_name, total_net + total_vat - paid, due_date FROM invoices \
         WHERE ($1 = 0 OR customer_id = $1) AND paid < total_net + total_vat ORDER BY due_date, id",
    )
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(id, number, customer_id, customer_name, open_amount, due)| {
            let due_on = due.parse().map_err(Error::internal)?;
            Ok(OpenItem { id, number, customer_id, customer_name, open_amount, due_on })
        })
        .collect()
}

/// Adds a payment to an invoice, only as far as its total: false (and nothing changed) beyond it.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn add_paid(tx: &mut Tx, id: i64, amount: i64) -> Result<bool> {
    let applied =
        sqlx::query("UPDATE invoices SET paid = paid + $1 WHERE id = $2 AND paid + $1 <= total_net + total_vat")
            .bind(amount)
            .bind(id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    Ok(applied == 1)
}

/// (id, customer) of the invoice numbered `token`, or of an open invoice of the order numbered so.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn find_by_reference(conn: &mut AnyConnection, token: &str) -> Result<Option<(i64, i64)>> {
    let found = sqlx::query_as(
        "SELECT id, customer_id FROM invoices WHERE number = $1 \
         OR (order_number = $1 AND paid < total_net + total_vat) ORDER BY id LIMIT 1",
    )
    .bind(token)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found)
}

/// Whether the invoice exists and is not fully paid.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn is_open(tx: &mut Tx, id: i64) -> Result<bool> {
    let open: Option<i64> =
        sqlx::query_scalar("SELECT id FROM invoices WHERE id = $1 AND paid < total_net + total_vat")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(open.is_some())
}

/// The customer an invoice was issued to.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn customer_of(tx: &mut Tx, id: i64) -> Result<Option<i64>> {
    let customer_id =
        sqlx::query_scalar("SELECT customer_id FROM invoices WHERE id = $1").bind(id).fetch_optional(&mut **tx).await?;
    Ok(customer_id)
}

/// (invoiced, paid) over a customer's whole history.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn customer_totals(conn: &mut AnyConnection, customer_id: i64) -> Result<(i64, i64)> {
    let totals = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(total_net + total_vat), 0) AS BIGINT), \
         CAST(COALESCE((SELECT SUM(amount) FROM payments WHERE customer_id = $1), 0) AS BIGINT) \
         FROM invoices WHERE customer_id = $1",
    )
    .bind(customer_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(totals)
}

/// An invoice is open until it is paid in full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvoiceStatus {
    Open,
    Paid,
}

impl InvoiceStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Open => "open",
            InvoiceStatus::Paid => "paid",
        }
    }

    /// The status filter of a list: '' for all.
    pub fn parse_filter(text: &str) -> Option<InvoiceStatus> {
        match text {
            "open" => Some(InvoiceStatus::Open),
            "paid" => Some(InvoiceStatus::Paid),
            _ => None,
        }
    }

    pub fn of(paid: i64, total: i64) -> InvoiceStatus {
        if paid >= total { InvoiceStatus::Paid } else { InvoiceStatus::Open }
    }
}
