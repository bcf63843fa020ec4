//! Commission plans, the paid shares of invoice lines, and the commission accruals.

use atq_platform::business_time::{date_to_proto, stored_date, to_timestamp};
use atq_platform::db::{backend_of, values_list};
use atq_platform::error::Result;
use atq_platform::{Error, Tx};
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::NaiveDate;
use prost::Message;
use sqlx::AnyConnection;

/// Stores a plan (its whole message in body); returns its id.
#[tracing::instrument(level = "debug", skip_all, fields(name = %plan.name))]
pub async fn insert_plan(tx: &mut Tx, plan: &pb::CommissionPlan, at: i64) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO commission_plans (name, role, office, username, versions, body, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&plan.name)
    .bind(&plan.role)
    .bind(&plan.office)
    .bind(&plan.username)
    .bind(plan.versions.len() as i64)
    .bind(plan.encode_to_vec())
    .bind(&plan.created_by)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Writes a plan with one more version over the one that had `before` versions; false when
/// another version was added meanwhile.
#[tracing::instrument(level = "debug", skip_all, fields(id = plan.id))]
pub async fn add_version(tx: &mut Tx, plan: &pb::CommissionPlan, before: usize) -> Result<bool> {
    let done = sqlx::query("UPDATE commission_plans SET versions = $1, body = $2 WHERE id = $3 AND versions = $4")
        .bind(plan.versions.len() as i64)
        .bind(plan.encode_to_vec())
        .bind(plan.id)
        .bind(before as i64)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

fn decode_plan((id, body): (i64, Vec<u8>)) -> Result<pb::CommissionPlan> {
    Ok(pb::CommissionPlan { id, ..pb::CommissionPlan::decode(body.as_slice())? })
}

pub async fn find_plan(conn: &mut AnyConnection, id: i64) -> Result<Option<pb::CommissionPlan>> {
    let row: Option<(i64, Vec<u8>)> = sqlx::query_as("SELECT id, body FROM commission_plans WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(decode_plan).transpose()
}

/// A page of plans by id; every plan when `limit` is `i64::MAX` (the company has a handful).
pub async fn list_plans(conn: &mut AnyConnection, after_id: i64, limit: i64) -> Result<Vec<pb::CommissionPlan>> {
    let rows: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT id, body FROM commission_plans WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after_id)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter().map(decode_plan).collect()
}

/// (line_no, net share, margin share) held by each line of an invoice so far.
pub async fn held_shares(tx: &mut Tx, invoice_id: i64) -> Result<Vec<(i64, i64, i64)>> {
    let rows = sqlx::query_as(
        "SELECT line_no, CAST(SUM(net_share) AS BIGINT), CAST(SUM(margin_share) AS BIGINT) \
         FROM commission_shares WHERE invoice_id = $1 GROUP BY line_no",
    )
    .bind(invoice_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows)
}

/// A share to record, or as recorded.
#[derive(Clone, Debug, Default)]
pub struct Share {
    pub id: i64,
    pub salesperson: String,
    pub invoice_id: i64,
    pub invoice_number: String,
    pub line_no: i64,
    pub product_id: i64,
    /// payment or return.
    pub kind: String,
    pub document_number: String,
    pub event_date: NaiveDate,
    pub net_share: i64,
    pub margin_share: i64,
}

/// Stores shares in one statement.
#[tracing::instrument(level = "debug", skip_all, fields(count = shares.len()))]
pub async fn insert_shares(tx: &mut Tx, shares: &[Share], at: i64) -> Result<()> {
    if shares.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO commission_shares (salesperson, invoice_id, invoice_number, line_no, product_id, kind, \
         document_number, event_date, month, net_share, margin_share, created_at) VALUES {}",
        values_list(backend_of(tx), shares.len(), 12)
    );
    let mut query = sqlx::query(&sql);
    for s in shares {
        query = query
            .bind(&s.salesperson)
            .bind(s.invoice_id)
            .bind(&s.invoice_number)
            .bind(s.line_no)
            .bind(s.product_id)
            .bind(&s.kind)
            .bind(&s.document_number)
            .bind(s.event_date.to_string())
            .bind(s.event_date.format("%Y-%m").to_string())
            .bind(s.net_share)
            .bind(s.margin_share)
            .bind(at);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

type ShareTuple = (i64, String, i64, String, i64, i64, String, String, String, i64, i64);

const SHARE_COLUMNS: &str = "id, salesperson, invoice_id, invoice_number, line_no, product_id, kind, \
                             document_number, event_date, net_share, margin_share";

fn share_of(row: ShareTuple) -> Result<Share> {
    let (id, salesperson, invoice_id, invoice_number, line_no, product_id, kind, document_number, date, net, margin) =
        row;
    let event_date = stored_date(&date, "a commission share's date")?
        .ok_or_else(|| Error::internal(anyhow::anyhow!("a commission share without a date")))?;
    Ok(Share {
        id,
        salesperson,
        invoice_id,
        invoice_number,
        line_no,
        product_id,
        kind,
        document_number,
        event_date,
        net_share: net,
        margin_share: margin,
    })
}

/// The invoices a person's shares of a month moved.
pub async fn invoices_of_month(conn: &mut AnyConnection, salesperson: &str, month: &str) -> Result<Vec<i64>> {
    let ids = sqlx::query_scalar(
        "SELECT DISTINCT invoice_id FROM commission_shares WHERE salesperson = $1 AND month = $2 ORDER BY 1",
    )
    .bind(salesperson)
    .bind(month)
    .fetch_all(&mut *conn)
    .await?;
    Ok(ids)
}

/// Every share of an invoice, in the order recorded.
pub async fn shares_of_invoice(conn: &mut AnyConnection, invoice_id: i64) -> Result<Vec<Share>> {
    let rows: Vec<ShareTuple> =
        sqlx::query_as(&format!("SELECT {SHARE_COLUMNS} FROM commission_shares WHERE invoice_id = $1 ORDER BY id"))
            .bind(invoice_id)
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter().map(share_of).collect()
}

/// The product ids of a month's shares (of everyone, for the accrual).
pub async fn products_of_month(conn: &mut AnyConnection, month: &str) -> Result<Vec<i64>> {
    let ids = sqlx::query_scalar(
        "SELECT DISTINCT s.product_id FROM commission_shares s WHERE s.invoice_id IN \
         (SELECT invoice_id FROM commission_shares WHERE month = $1) ORDER BY 1",
    )
    .bind(month)
    .fetch_all(&mut *conn)
    .await?;
    Ok(ids)
}

/// The people with shares or accruals in a month (never the empty salesperson).
pub async fn people_of_month(conn: &mut AnyConnection, month: &str) -> Result<Vec<String>> {
    let people = sqlx::query_scalar(
        "SELECT salesperson FROM commission_shares WHERE month = $1 AND salesperson <> '' \
         UNION SELECT salesperson FROM commission_accruals WHERE month = $1 ORDER BY 1",
    )
    .bind(month)
    .fetch_all(&mut *conn)
    .await?;
    Ok(people)
}

/// (invoices, net share) paid in a month on invoices without a salesperson.
pub async fn unattributed(conn: &mut AnyConnection, month: &str) -> Result<(i64, i64)> {
    let row = sqlx::query_as(
        "SELECT CAST(COUNT(DISTINCT invoice_id) AS BIGINT), CAST(COALESCE(SUM(net_share), 0) AS BIGINT) \
         FROM commission_shares WHERE salesperson = '' AND month = $1",
    )
    .bind(month)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row)
}

type AccrualTuple = (i64, String, String, i64, String, String, String, i64);

/// A person's accruals of a month, oldest first.
pub async fn accruals(conn: &mut AnyConnection, salesperson: &str, month: &str) -> Result<Vec<pb::CommissionAccrual>> {
    let rows: Vec<AccrualTuple> = sqlx::query_as(
        "SELECT id, salesperson, month, amount, document_number, entry_date, created_by, created_at \
         FROM commission_accruals WHERE salesperson = $1 AND month = $2 ORDER BY id",
    )
    .bind(salesperson)
    .bind(month)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(id, salesperson, month, amount, document_number, date, created_by, at)| {
            Ok(pb::CommissionAccrual {
                id,
                salesperson,
                month,
                amount,
                document_number,
                entry_date: stored_date(&date, "a commission accrual's date")?.map(date_to_proto),
                created_by,
                created_at: Some(to_timestamp(at)),
            })
        })
        .collect()
}

/// Stores an accrual (dated `entry_date`); returns its id.
pub async fn insert_accrual(
    tx: &mut Tx,
    accrual: &pb::CommissionAccrual,
    entry_date: NaiveDate,
    at: i64,
) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO commission_accruals (salesperson, month, amount, document_number, entry_date, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&accrual.salesperson)
    .bind(&accrual.month)
    .bind(accrual.amount)
    .bind(&accrual.document_number)
    .bind(entry_date.to_string())
    .bind(&accrual.created_by)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// (334 on the ledger: credit less debit, the commissions accrued).
pub async fn payable_figures(conn: &mut AnyConnection) -> Result<(i64, i64)> {
    let row = sqlx::query_as(
        "SELECT (SELECT CAST(COALESCE(SUM(credit - debit), 0) AS BIGINT) FROM journal_lines WHERE account = '334'), \
         (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM commission_accruals)",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(row)
}
