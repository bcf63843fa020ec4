//! The tables of invoices and payments, and what the summaries read of them and of customers.

#[cfg(test)]
use std::collections::BTreeMap;

use atq_platform::error::Result;
use atq_platform::{Db, Office, Tx};
use chrono::NaiveDate;

#[cfg(test)]
use crate::summary_receivables::OpenItem;

pub struct InvoiceFact {
    pub invoice_id: i64,
    pub customer_id: i64,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub total_net: i64,
    pub total_vat: i64,
    pub total_gross: i64,
}

pub struct PaymentFact {
    pub payment_id: i64,
    pub customer_id: i64,
    pub received_on: NaiveDate,
    pub amount: i64,
}

/// Keeps an issued invoice once: a replayed event changes nothing.
#[tracing::instrument(level = "debug", skip_all, fields(invoice_id = fact.invoice_id))]
pub async fn record_invoice(tx: &mut Tx, fact: &InvoiceFact) -> Result<()> {
    sqlx::query(
        "INSERT INTO invoice_facts (invoice_id, customer_id, issued_on, total_net, total_vat, total_gross, due_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (invoice_id) DO UPDATE SET due_on = excluded.due_on",
    )
    .bind(fact.invoice_id)
    .bind(fact.customer_id)
    .bind(fact.issued_on.to_string())
    .bind(fact.total_net)
    .bind(fact.total_vat)
    .bind(fact.total_gross)
    .bind(fact.due_on.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Keeps a recorded payment once; true when it was new.
#[tracing::instrument(level = "debug", skip_all, fields(payment_id = fact.payment_id))]
pub async fn record_payment(tx: &mut Tx, fact: &PaymentFact) -> Result<bool> {
    let kept = sqlx::query(
        "INSERT INTO payment_facts (payment_id, customer_id, received_on, amount) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (payment_id) DO NOTHING",
    )
    .bind(fact.payment_id)
    .bind(fact.customer_id)
    .bind(fact.received_on.to_string())
    .bind(fact.amount)
    .execute(&mut **tx)
    .await?;
    Ok(kept.rows_affected() > 0)
}

/// Keeps what a payment paid of one invoice, on the payment's day, once; true when it was new.
pub async fn record_allocation(tx: &mut Tx, payment: &PaymentFact, invoice_id: i64, amount: i64) -> Result<bool> {
    let kept = sqlx::query(
        "INSERT INTO payment_allocation_facts (payment_id, invoice_id, received_on, amount) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (payment_id, invoice_id) DO NOTHING",
    )
    .bind(payment.payment_id)
    .bind(invoice_id)
    .bind(payment.received_on.to_string())
    .bind(amount)
    .execute(&mut **tx)
    .await?;
    Ok(kept.rows_affected() > 0)
}

/// A document on a local day: its ISO date, the customer's office and group ('' when analytics
/// has not heard of the customer) and up to three amounts (read by the raw scans the tests check
/// the daily rollup against; new customers have none).
pub struct DayRow {
    pub day: String,
    pub office: String,
    pub group: String,
    #[cfg_attr(not(test), expect(dead_code))]
    pub amounts: [i64; 3],
}

/// Runs one of the day queries below over two local dates (inclusive), of one office when given.
async fn day_rows(db: &Db, sql: &str, from: NaiveDate, to: NaiveDate, office: Option<Office>) -> Result<Vec<DayRow>> {
    let mut sql = sql.to_owned();
    if office.is_some() {
        sql.push_str(" AND c.office = $3");
    }
    let mut query =
        sqlx::query_as::<_, (String, Option<String>, Option<String>, i64, i64, i64)>(&sql).bind(from.to_string());
    query = query.bind(to.to_string());
    if let Some(office) = office {
        query = query.bind(office.code());
    }
    let rows = query.fetch_all(db.pool()).await?;
    Ok(rows
        .into_iter()
        .map(|(day, office, group, a, b, c)| DayRow {
            day,
            office: office.unwrap_or_default(),
            group: group.unwrap_or_default(),
            amounts: [a, b, c],
        })
        .collect())
}

/// Customers created in the span: amounts unused.
pub async fn new_customers(db: &Db, from: NaiveDate, to: NaiveDate, office: Option<Office>) -> Result<Vec<DayRow>> {
    let sql = "SELECT c.created_on, c.office, c.customer_group, CAST(0 AS BIGINT), CAST(0 AS BIGINT), \
               CAST(0 AS BIGINT) FROM customer_facts c WHERE c.created_on >= $1 AND c.created_on <= $2";
    day_rows(db, sql, from, to, office).await
}

/// Invoices issued in the span: net, VAT, gross. The summary reads `receivable_rollup::days`; this
/// raw scan is what the tests check it against.
#[cfg(test)]
pub async fn invoices(db: &Db, from: NaiveDate, to: NaiveDate, office: Option<Office>) -> Result<Vec<DayRow>> {
    let sql = "SELECT i.issued_on, c.office, c.customer_group, i.total_net, i.total_vat, i.total_gross \
               FROM invoice_facts i LEFT JOIN customer_facts c ON c.customer_id = i.customer_id \
               WHERE i.issued_on >= $1 AND i.issued_on <= $2";
    day_rows(db, sql, from, to, office).await
}

/// Payments received in the span: the amount (the tests' reference, as `invoices`).
#[cfg(test)]
pub async fn payments(db: &Db, from: NaiveDate, to: NaiveDate, office: Option<Office>) -> Result<Vec<DayRow>> {
    let sql = "SELECT p.received_on, c.office, c.customer_group, p.amount, CAST(0 AS BIGINT), CAST(0 AS BIGINT) \
               FROM payment_facts p LEFT JOIN customer_facts c ON c.customer_id = p.customer_id \
               WHERE p.received_on >= $1 AND p.received_on <= $2";
    day_rows(db, sql, from, to, office).await
}

/// Invoices issued on or before a local day with what payments received by then paid of each, of
/// one office when given: what was open at the end of any day up to it. The summary reads
/// `receivable_rollup::aging`; this raw scan is what the tests check it against.
#[cfg(test)]
pub async fn open_items(db: &Db, last: NaiveDate, office: Option<Office>) -> Result<Vec<OpenItem>> {
    let mut sql = "SELECT i.invoice_id, i.issued_on, i.due_on, i.total_gross FROM invoice_facts i \
                   LEFT JOIN customer_facts c ON c.customer_id = i.customer_id WHERE i.issued_on <= $1"
        .to_owned();
    if office.is_some() {
        sql.push_str(" AND c.office = $2");
    }
    let mut query = sqlx::query_as::<_, (i64, String, String, i64)>(&sql).bind(last.to_string());
    if let Some(office) = office {
        query = query.bind(office.code());
    }
    let mut items: BTreeMap<i64, OpenItem> = BTreeMap::new();
    for (invoice_id, issued_on, due_on, gross) in query.fetch_all(db.pool()).await? {
        let Ok(issued_on) = issued_on.parse::<NaiveDate>() else { continue };
        // Invoices read before due dates were kept fall due when issued until the feed is read again.
        let due_on = due_on.parse::<NaiveDate>().unwrap_or(issued_on);
        items.insert(invoice_id, OpenItem { issued_on, due_on, gross, paid: Vec::new() });
    }
    let allocations = sqlx::query_as::<_, (i64, String, i64)>(
        "SELECT invoice_id, received_on, amount FROM payment_allocation_facts WHERE received_on <= $1",
    )
    .bind(last.to_string())
    .fetch_all(db.pool())
    .await?;
    for (invoice_id, received_on, amount) in allocations {
        if let (Some(item), Ok(on)) = (items.get_mut(&invoice_id), received_on.parse::<NaiveDate>()) {
            item.paid.push((on, amount));
        }
    }
    Ok(items.into_values().collect())
}
