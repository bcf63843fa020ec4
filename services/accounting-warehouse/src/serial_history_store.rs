//! The reads behind a serial unit's history: the unit itself, the stock documents and goods issues
//! of its product (kept whole, so the serials are read from their bodies), the invoice of a
//! dispatch order, and the returns the unit came back on.

use atq_platform::error::Result;
use sqlx::AnyConnection;

/// A serial unit as stored.
pub struct UnitRow {
    pub product_id: i64,
    pub serial: String,
    pub warehouse: String,
    pub condition: String,
    pub status: String,
}

/// The units with this serial number, of one product or of every product (0).
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn units(conn: &mut AnyConnection, serial: &str, product_id: i64) -> Result<Vec<UnitRow>> {
    let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
        "SELECT product_id, serial, warehouse, condition, status FROM serials \
         WHERE serial = $1 AND ($2 = 0 OR product_id = $2) ORDER BY product_id",
    )
    .bind(serial)
    .bind(product_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(product_id, serial, warehouse, condition, status)| UnitRow {
            product_id,
            serial,
            warehouse,
            condition,
            status,
        })
        .collect())
}

/// The bodies (and creation times) of the stock documents of one type that moved the product:
/// the move ledger is indexed by product, the documents are read by number.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn documents_moving(
    conn: &mut AnyConnection,
    product_id: i64,
    document_type: &str,
) -> Result<Vec<(Vec<u8>, i64)>> {
    let rows = sqlx::query_as(
        "SELECT d.body, d.created_at FROM stock_documents d WHERE d.document_type = $2 AND d.number IN \
         (SELECT m.document_number FROM stock_moves m WHERE m.product_id = $1 AND m.document_type = $2) \
         ORDER BY d.id",
    )
    .bind(product_id)
    .bind(document_type)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows)
}

/// The bodies of the goods issues that took units of the product out.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn issues_moving(conn: &mut AnyConnection, product_id: i64) -> Result<Vec<Vec<u8>>> {
    let rows = sqlx::query_scalar(
        "SELECT g.body FROM goods_issues g WHERE g.number IN \
         (SELECT m.document_number FROM stock_moves m WHERE m.product_id = $1 AND m.document_type = 'issue') \
         ORDER BY g.created_at",
    )
    .bind(product_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows)
}

/// (customer id, customer name, invoice number) of the dispatch order's invoice, once invoiced.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn invoice_of_dispatch(
    conn: &mut AnyConnection,
    dispatch_ref: &str,
) -> Result<Option<(i64, String, String)>> {
    let row = sqlx::query_as("SELECT customer_id, customer_name, number FROM invoices WHERE dispatch_number = $1")
        .bind(dispatch_ref)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row)
}

/// A return the unit came back on.
pub struct ReturnRow {
    pub number: String,
    pub customer_id: i64,
    pub warehouse: String,
    pub condition: String,
    pub reason: String,
    pub created_at: i64,
}

#[tracing::instrument(level = "debug", skip(conn))]
pub async fn returns_of(conn: &mut AnyConnection, product_id: i64, serial: &str) -> Result<Vec<ReturnRow>> {
    let rows: Vec<(String, i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT r.number, r.customer_id, r.warehouse, s.condition, r.reason, r.created_at \
         FROM sales_return_serials s JOIN sales_returns r ON r.id = s.return_id \
         WHERE s.product_id = $1 AND s.serial = $2 ORDER BY r.id",
    )
    .bind(product_id)
    .bind(serial)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(number, customer_id, warehouse, condition, reason, created_at)| ReturnRow {
            number,
            customer_id,
            warehouse,
            condition,
            reason,
            created_at,
        })
        .collect())
}
