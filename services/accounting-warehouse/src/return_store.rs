//! Returns of delivered goods, their lines and serials, the reducing invoices, and the changes a
//! return makes to the invoice it adjusts and to the payments that had paid it.

use atq_platform::error::Result;
use atq_platform::{Db, Office, Tx};
use atq_proto::accountingwarehouse::v1 as pb;
use prost::Message;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::stock_store::Place;

/// Takes the invoice's row lock, so two returns of one invoice queue and each sees what the
/// other took back; false when there is no such invoice.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn lock_invoice(tx: &mut Tx, invoice_id: i64) -> Result<bool> {
    let locked = sqlx::query("UPDATE invoices SET paid = paid WHERE id = $1")
        .bind(invoice_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(locked == 1)
}

/// What earlier returns took from one invoice line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Returned {
    pub quantity: i64,
    pub net: i64,
    pub vat: i64,
    pub cost: i64,
}

/// (invoice line no, what was returned of it) for the invoice's lines returned so far.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn returned_lines(tx: &mut Tx, invoice_id: i64) -> Result<Vec<(i64, Returned)>> {
    let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT invoice_line_no, CAST(SUM(quantity) AS BIGINT), CAST(SUM(net_amount) AS BIGINT), \
         CAST(SUM(vat_amount) AS BIGINT), CAST(SUM(cost_amount) AS BIGINT) \
         FROM sales_return_lines WHERE invoice_id = $1 GROUP BY invoice_line_no",
    )
    .bind(invoice_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(line, quantity, net, vat, cost)| (line, Returned { quantity, net, vat, cost })).collect())
}

/// (product, serial) of the units already returned from an invoice.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn returned_serials(tx: &mut Tx, invoice_id: i64) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query_as("SELECT product_id, serial FROM sales_return_serials WHERE invoice_id = $1")
        .bind(invoice_id)
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows)
}

/// A return's head as stored; its amounts are positive.
pub struct StoredReturn<'a> {
    pub number: &'a str,
    pub invoice_id: i64,
    pub customer_id: i64,
    pub office: Office,
    pub returned_on: String,
    pub reason: &'a str,
    pub totals: (i64, i64, i64),
    pub body: Vec<u8>,
    pub created_by: &'a str,
    pub created_at: i64,
}

/// Stores a return's head; returns its id.
#[tracing::instrument(level = "debug", skip_all, fields(number = head.number, invoice_id = head.invoice_id))]
pub async fn insert(tx: &mut Tx, head: &StoredReturn<'_>) -> Result<i64> {
    let (net, vat, cost) = head.totals;
    let id = sqlx::query_scalar(
        "INSERT INTO sales_returns (number, invoice_id, customer_id, office, warehouse, returned_on, reason, \
         total_net, total_vat, total_cost, body, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(head.number)
    .bind(head.invoice_id)
    .bind(head.customer_id)
    .bind(head.office.code())
    .bind(&head.returned_on)
    .bind(head.reason)
    .bind(net)
    .bind(vat)
    .bind(cost)
    .bind(&head.body)
    .bind(head.created_by)
    .bind(head.created_at)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

#[tracing::instrument(level = "debug", skip_all, fields(return_id, line_no = line.line_no))]
pub async fn insert_line(tx: &mut Tx, (return_id, invoice_id): (i64, i64), line: &pb::SalesReturnLine) -> Result<()> {
    let condition = if line.condition == pb::Condition::Damaged as i32 { "damaged" } else { "good" };
    sqlx::query(
        "INSERT INTO sales_return_lines (return_id, line_no, invoice_id, invoice_line_no, product_id, quantity, \
         condition, unit_price, vat_rate_bp, net_amount, vat_amount, unit_cost, cost_amount) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(return_id)
    .bind(i64::from(line.line_no))
    .bind(invoice_id)
    .bind(i64::from(line.invoice_line_no))
    .bind(line.product_id)
    .bind(line.quantity)
    .bind(condition)
    .bind(line.unit_price)
    .bind(i64::from(line.vat_rate_bp))
    .bind(line.net_amount)
    .bind(line.vat_amount)
    .bind(line.unit_cost)
    .bind(line.cost_amount)
    .execute(&mut **tx)
    .await?;
    for serial in &line.serials {
        sqlx::query(
            "INSERT INTO sales_return_serials (return_id, invoice_id, product_id, serial, condition) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(return_id)
        .bind(invoice_id)
        .bind(line.product_id)
        .bind(serial)
        .bind(condition)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Puts issued serial units back in stock at `place`; returns the serials that were not issued.
#[tracing::instrument(level = "debug", skip_all, fields(product_id = place.product_id, units = serials.len()))]
pub async fn serials_back(tx: &mut Tx, place: Place, serials: &[String], at: i64) -> Result<Vec<String>> {
    let mut refused = Vec::new();
    for serial in serials {
        let changed = sqlx::query(
            "UPDATE serials SET warehouse = $1, condition = $2, status = 'in_stock', updated_at = $3 \
             WHERE product_id = $4 AND serial = $5 AND status = 'issued'",
        )
        .bind(place.warehouse.code())
        .bind(place.condition.as_str())
        .bind(at)
        .bind(place.product_id)
        .bind(serial)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if changed != 1 {
            refused.push(serial.clone());
        }
    }
    Ok(refused)
}

/// Writes the stock move of a returned line into the move ledger.
#[tracing::instrument(level = "debug", skip_all, fields(number, product_id = place.product_id))]
pub async fn record_move(
    tx: &mut Tx,
    number: &str,
    place: Place,
    (quantity, unit_cost): (i64, i64),
    by: &str,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO stock_moves (document_type, document_number, product_id, warehouse, condition, quantity, \
         unit_cost, reason, created_by, created_at) VALUES ('return', $1, $2, $3, $4, $5, $6, 'sales return', $7, $8)",
    )
    .bind(number)
    .bind(place.product_id)
    .bind(place.warehouse.code())
    .bind(place.condition.as_str())
    .bind(quantity)
    .bind(unit_cost)
    .bind(by)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Lowers the invoice's figures by a return's net and VAT. What was still open falls first;
/// what the customer had already paid for the returned goods comes off the invoice's paid amount
/// and is returned to the payments that paid it (latest first) as their unallocated credit.
/// Returns (the open amount reduced, the customer's credit).
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn reduce_invoice(tx: &mut Tx, invoice_id: i64, (net, vat): (i64, i64)) -> Result<(i64, i64)> {
    let (total, paid): (i64, i64) = sqlx::query_as("SELECT total_net + total_vat, paid FROM invoices WHERE id = $1")
        .bind(invoice_id)
        .fetch_one(&mut **tx)
        .await?;
    let gross = net + vat;
    let open = total - paid;
    let reduced = gross.min(open);
    let credit = gross - reduced;
    sqlx::query(
        "UPDATE invoices SET total_net = total_net - $1, total_vat = total_vat - $2, paid = paid - $3 WHERE id = $4",
    )
    .bind(net)
    .bind(vat)
    .bind(credit)
    .bind(invoice_id)
    .execute(&mut **tx)
    .await?;
    release_allocations(tx, invoice_id, credit).await?;
    Ok((reduced, credit))
}

/// Takes `amount` off the invoice's payment allocations, latest payment first, and leaves it on
/// those payments as unallocated: the customer's credit.
async fn release_allocations(tx: &mut Tx, invoice_id: i64, amount: i64) -> Result<()> {
    let allocations: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT payment_id, amount FROM payment_allocations WHERE invoice_id = $1 AND amount > 0 ORDER BY payment_id DESC",
    )
    .bind(invoice_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut left = amount;
    for (payment_id, allocated) in allocations {
        if left == 0 {
            break;
        }
        let released = left.min(allocated);
        sqlx::query("UPDATE payment_allocations SET amount = amount - $1 WHERE payment_id = $2 AND invoice_id = $3")
            .bind(released)
            .bind(payment_id)
            .bind(invoice_id)
            .execute(&mut **tx)
            .await?;
        sqlx::query("UPDATE payments SET unallocated = unallocated + $1 WHERE id = $2")
            .bind(released)
            .bind(payment_id)
            .execute(&mut **tx)
            .await?;
        left -= released;
    }
    Ok(())
}

/// Stores the reducing invoice of a return.
#[tracing::instrument(level = "debug", skip_all, fields(number = %adjustment.number))]
pub async fn insert_adjustment(
    tx: &mut Tx,
    return_id: i64,
    adjustment: &pb::AdjustingInvoice,
    issue_date: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO adjusting_invoices (number, series, sequence, invoice_id, return_id, issue_date, total_net, \
         total_vat, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&adjustment.number)
    .bind(&adjustment.series)
    .bind(adjustment.sequence)
    .bind(adjustment.adjusts_invoice_id)
    .bind(return_id)
    .bind(issue_date)
    .bind(adjustment.total_net)
    .bind(adjustment.total_vat)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn from_row(row: &AnyRow) -> Result<pb::SalesReturn> {
    use sqlx::Row;
    let body: Vec<u8> = row.try_get("body")?;
    Ok(pb::SalesReturn { id: row.try_get("id")?, ..pb::SalesReturn::decode(body.as_slice())? })
}

/// A return with its office code, for the caller's territory check.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<(pb::SalesReturn, String)>> {
    use sqlx::Row;
    let row = sqlx::query("SELECT id, office, body FROM sales_returns WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| Ok((from_row(&row)?, row.try_get::<String, _>("office")?))).transpose()
}

/// A page of returns: of a customer and of an invoice (each 0 for all), of one office when given.
#[derive(Debug)]
pub struct ReturnQuery {
    pub customer_id: i64,
    pub invoice_id: i64,
    pub office: Option<Office>,
    pub after_id: i64,
    pub limit: i64,
}

#[tracing::instrument(level = "debug", skip(db))]
pub async fn list(db: &Db, query: &ReturnQuery) -> Result<Vec<pb::SalesReturn>> {
    let rows = sqlx::query(
        "SELECT id, body FROM sales_returns WHERE id > $1 AND ($2 = 0 OR customer_id = $2) \
         AND ($3 = 0 OR invoice_id = $3) AND ($4 = '' OR office = $4) ORDER BY id LIMIT $5",
    )
    .bind(query.after_id)
    .bind(query.customer_id)
    .bind(query.invoice_id)
    .bind(query.office.map(Office::code).unwrap_or(""))
    .bind(query.limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}
