//! The double-entry journal behind stock and money: every document posts one balanced entry in
//! the transaction that records it, so the books agree with stock, invoices and receivables.

use atq_platform::business_time::{local_date, now_micros};
use atq_platform::error::Result;
use atq_platform::{Db, Error, Tx};
use sqlx::{AnyConnection, Row};

/// The accounts in use, from the Vietnamese chart of accounts (Circular 200).
pub const ACCOUNTS: &[(&str, &str)] = &[
    ("111", "Tiền mặt"),
    ("112", "Tiền gửi ngân hàng"),
    ("131", "Phải thu của khách hàng"),
    ("1381", "Tài sản thiếu chờ xử lý"),
    ("156", "Hàng hóa"),
    ("331", "Phải trả cho người bán"),
    ("3331", "Thuế GTGT phải nộp"),
    ("3381", "Tài sản thừa chờ giải quyết"),
    ("411", "Vốn đầu tư của chủ sở hữu"),
    ("511", "Doanh thu bán hàng và cung cấp dịch vụ"),
    ("632", "Giá vốn hàng bán"),
];

pub const RECEIVABLE: &str = "131";

/// One side of an entry.
pub struct Posting {
    pub account: &'static str,
    pub debit: i64,
    pub credit: i64,
    /// The customer, on receivable lines; 0 elsewhere.
    pub customer_id: i64,
}

impl Posting {
    pub fn debit(account: &'static str, amount: i64) -> Posting {
        Posting { account, debit: amount, credit: 0, customer_id: 0 }
    }
    pub fn credit(account: &'static str, amount: i64) -> Posting {
        Posting { account, debit: 0, credit: amount, customer_id: 0 }
    }
    pub fn for_customer(self, customer_id: i64) -> Posting {
        Posting { customer_id, ..self }
    }
}

/// Posts a balanced entry dated today (local); nothing is posted for an entry of zero.
pub async fn post(tx: &mut Tx, document: (&str, &str), memo: &str, by: &str, postings: &[Posting]) -> Result<()> {
    let debits: i64 = postings.iter().map(|p| p.debit).sum();
    let credits: i64 = postings.iter().map(|p| p.credit).sum();
    if debits != credits || postings.iter().any(|p| p.debit < 0 || p.credit < 0) {
        return Err(Error::internal(anyhow::anyhow!(
            "unbalanced entry for {} {}: {debits} != {credits}",
            document.0,
            document.1
        )));
    }
    if debits == 0 {
        return Ok(());
    }
    let entry_id: i64 = sqlx::query_scalar(
        "INSERT INTO journal_entries (entry_date, document_type, document_number, memo, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(local_date(now_micros()).to_string())
    .bind(document.0)
    .bind(document.1)
    .bind(memo)
    .bind(by)
    .bind(now_micros())
    .fetch_one(&mut **tx)
    .await?;
    for (line_no, posting) in postings.iter().filter(|p| p.debit != 0 || p.credit != 0).enumerate() {
        sqlx::query(
            "INSERT INTO journal_lines (entry_id, line_no, account, debit, credit, customer_id) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(entry_id)
        .bind(line_no as i64 + 1)
        .bind(posting.account)
        .bind(posting.debit)
        .bind(posting.credit)
        .bind(posting.customer_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A customer's receivable: debits less credits on 131.
pub async fn receivable(conn: &mut AnyConnection, customer_id: i64) -> Result<i64> {
    let (debit, credit): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(debit), 0) AS BIGINT), CAST(COALESCE(SUM(credit), 0) AS BIGINT) FROM journal_lines \
         WHERE account = $1 AND customer_id = $2",
    )
    .bind(RECEIVABLE)
    .bind(customer_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(debit - credit)
}

/// Debit and credit totals per account.
pub async fn trial_balance(db: &Db) -> Result<Vec<(String, i64, i64)>> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT account, CAST(SUM(debit) AS BIGINT), CAST(SUM(credit) AS BIGINT) FROM journal_lines GROUP BY account ORDER BY account",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows)
}

pub fn account_name(account: &str) -> &'static str {
    ACCOUNTS.iter().find(|(code, _)| *code == account).map(|(_, name)| *name).unwrap_or("")
}

/// Compares the ledger with what it summarises: receivables with invoices and payments, goods
/// with the stock's moving-average valuation, and the stock units with the costed units.
pub async fn reconcile(conn: &mut AnyConnection) -> Result<atq_proto::accountingwarehouse::v1::Reconciliation> {
    // One statement, so every figure comes from the same snapshot while invoices, payments and
    // goods movements keep being posted.
    let row = sqlx::query(
        "SELECT \
         (SELECT CAST(COALESCE(SUM(debit), 0) AS BIGINT) FROM journal_lines) AS total_debit, \
         (SELECT CAST(COALESCE(SUM(credit), 0) AS BIGINT) FROM journal_lines) AS total_credit, \
         (SELECT CAST(COALESCE(SUM(debit - credit), 0) AS BIGINT) FROM journal_lines WHERE account = '131') \
           AS receivable_ledger, \
         (SELECT CAST(COALESCE(SUM(total_net + total_vat), 0) AS BIGINT) FROM invoices) AS invoiced, \
         (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM payments) AS received, \
         (SELECT CAST(COALESCE(SUM(debit - credit), 0) AS BIGINT) FROM journal_lines WHERE account = '156') \
           AS inventory_ledger, \
         (SELECT CAST(COALESCE(SUM(total_value), 0) AS BIGINT) FROM product_costs) AS inventory_valuation, \
         (SELECT CAST(COALESCE(SUM(on_hand), 0) AS BIGINT) FROM stock_levels) AS stock_units, \
         (SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM product_costs) AS costed_units",
    )
    .fetch_one(&mut *conn)
    .await?;
    let figure = |name: &str| row.try_get::<i64, _>(name);
    let (total_debit, total_credit, receivable_ledger) =
        (figure("total_debit")?, figure("total_credit")?, figure("receivable_ledger")?);
    let (invoiced, received) = (figure("invoiced")?, figure("received")?);
    let (inventory_ledger, inventory_valuation) = (figure("inventory_ledger")?, figure("inventory_valuation")?);
    let (stock_units, costed_units) = (figure("stock_units")?, figure("costed_units")?);
    let receivable_documents = invoiced - received;
    Ok(atq_proto::accountingwarehouse::v1::Reconciliation {
        total_debit,
        total_credit,
        receivable_ledger,
        receivable_documents,
        inventory_ledger,
        inventory_valuation,
        stock_units,
        costed_units,
        agree: total_debit == total_credit
            && receivable_ledger == receivable_documents
            && inventory_ledger == inventory_valuation
            && stock_units == costed_units,
    })
}
