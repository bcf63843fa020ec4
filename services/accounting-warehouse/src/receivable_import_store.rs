//! What an import of opening receivables reads and writes beyond the invoice and payment stores:
//! the invoices that already have the old numbers, and an opening invoice under its old number.

use std::collections::HashMap;

use atq_platform::Tx;
use atq_platform::error::Result;
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::NaiveDate;
use prost::Message;
use sqlx::AnyConnection;

/// Values per `IN (...)` list: well under SQLite's and PostgreSQL's bind limits.
const CHUNK: usize = 400;

/// An invoice that already has a number a row names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberedInvoice {
    pub id: i64,
    pub series: String,
    pub customer_id: i64,
    pub total: i64,
    pub issue_date: String,
    pub due_date: String,
}

/// The invoices numbered as any of `numbers`, by number.
pub async fn invoices_numbered(
    conn: &mut AnyConnection,
    numbers: &[String],
) -> Result<HashMap<String, NumberedInvoice>> {
    let mut found = HashMap::new();
    for chunk in numbers.chunks(CHUNK) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT number, id, series, customer_id, total_net + total_vat, issue_date, due_date FROM invoices \
             WHERE number IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_as::<_, (String, i64, String, i64, i64, String, String)>(&sql);
        for number in chunk {
            query = query.bind(number);
        }
        for (number, id, series, customer_id, total, issue_date, due_date) in query.fetch_all(&mut *conn).await? {
            found.insert(number, NumberedInvoice { id, series, customer_id, total, issue_date, due_date });
        }
    }
    Ok(found)
}

/// Stores an opening invoice; returns its id. It came from no dispatch order, but the column is
/// unique and required: it holds the number marked as an opening balance, which no dispatch order
/// number can be, while the stored document says it has none.
pub async fn insert_opening_invoice(
    tx: &mut Tx,
    invoice: &pb::Invoice,
    (issued_on, due_on): (NaiveDate, NaiveDate),
    now: i64,
) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO invoices (number, series, sequence, customer_id, customer_name, order_number, dispatch_number, \
         issue_date, due_date, total_net, total_vat, paid, body, created_at) \
         VALUES ($1, $2, 0, $3, $4, '', $5, $6, $7, $8, $9, 0, $10, $11) RETURNING id",
    )
    .bind(&invoice.number)
    .bind(&invoice.series)
    .bind(invoice.customer_id)
    .bind(&invoice.customer_name)
    .bind(format!("opening balance {}", invoice.number))
    .bind(issued_on.to_string())
    .bind(due_on.to_string())
    .bind(invoice.total_net)
    .bind(invoice.total_vat)
    .bind(invoice.encode_to_vec())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}
