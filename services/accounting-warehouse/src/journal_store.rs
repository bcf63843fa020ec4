//! Journal entries and their lines, and the sums read from them.

use atq_platform::error::Result;
use atq_platform::{Db, Tx};
use sqlx::{AnyConnection, Row};

/// The head of an entry as stored.
pub struct NewEntry<'a> {
    pub entry_date: String,
    pub document_type: &'a str,
    pub document_number: &'a str,
    pub memo: &'a str,
    pub created_by: &'a str,
    pub created_at: i64,
}

/// Inserts an entry and its non-zero lines, numbered from 1.
#[tracing::instrument(level = "debug", skip_all, fields(document = entry.document_number))]
pub async fn insert(tx: &mut Tx, entry: &NewEntry<'_>, postings: &[Posting]) -> Result<()> {
    let entry_id: i64 = sqlx::query_scalar(
        "INSERT INTO journal_entries (entry_date, document_type, document_number, memo, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&entry.entry_date)
    .bind(entry.document_type)
    .bind(entry.document_number)
    .bind(entry.memo)
    .bind(entry.created_by)
    .bind(entry.created_at)
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

/// (debits, credits) of one customer on an account.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn customer_totals(conn: &mut AnyConnection, account: &str, customer_id: i64) -> Result<(i64, i64)> {
    let totals = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(debit), 0) AS BIGINT), CAST(COALESCE(SUM(credit), 0) AS BIGINT) FROM journal_lines \
         WHERE account = $1 AND customer_id = $2",
    )
    .bind(account)
    .bind(customer_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(totals)
}

/// (account, debits, credits) per account.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn account_totals(db: &Db) -> Result<Vec<(String, i64, i64)>> {
    let rows = sqlx::query_as(
        "SELECT account, CAST(SUM(debit) AS BIGINT), CAST(SUM(credit) AS BIGINT) FROM journal_lines GROUP BY account ORDER BY account",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows)
}

/// The figures the ledger is reconciled with.
pub struct Figures {
    pub total_debit: i64,
    pub total_credit: i64,
    pub receivable_ledger: i64,
    pub invoiced: i64,
    pub received: i64,
    pub inventory_ledger: i64,
    pub inventory_valuation: i64,
    pub stock_units: i64,
    pub costed_units: i64,
    /// Bonuses settled as credit notes against 131, and clawed back onto it.
    pub bonus_credit_notes: i64,
    pub bonus_clawed_back: i64,
    /// 3388 (credit less debit) and the bonus movements' accrued less settled.
    pub bonus_payable_ledger: i64,
    pub bonus_payable_documents: i64,
    /// 641 (debit less credit) and the bonuses accrued less clawed back.
    pub selling_expense_ledger: i64,
    pub selling_expense_documents: i64,
    /// 5211 (debit less credit) and the invoices' discounts less the returned lines' share (a
    /// return line's discount is what its units would cost before discount less its net).
    pub trade_discount_ledger: i64,
    pub trade_discount_documents: i64,
}

#[tracing::instrument(level = "debug", skip(conn))]
pub async fn figures(conn: &mut AnyConnection) -> Result<Figures> {
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
         (SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM product_costs) AS costed_units, \
         (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM bonus_movements \
           WHERE kind = 'settlement' AND method = 'credit_note') AS bonus_credit_notes, \
         (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM bonus_movements WHERE kind = 'clawback') \
           AS bonus_clawed_back, \
         (SELECT CAST(COALESCE(SUM(credit - debit), 0) AS BIGINT) FROM journal_lines WHERE account = '3388') \
           AS bonus_payable_ledger, \
         (SELECT CAST(COALESCE(SUM(CASE kind WHEN 'accrual' THEN amount WHEN 'settlement' THEN -amount ELSE 0 END), 0) \
           AS BIGINT) FROM bonus_movements) AS bonus_payable_documents, \
         (SELECT CAST(COALESCE(SUM(debit - credit), 0) AS BIGINT) FROM journal_lines WHERE account = '641') \
           AS selling_expense_ledger, \
         (SELECT CAST(COALESCE(SUM(CASE kind WHEN 'accrual' THEN amount WHEN 'clawback' THEN -amount ELSE 0 END), 0) \
           AS BIGINT) FROM bonus_movements) AS selling_expense_documents, \
         (SELECT CAST(COALESCE(SUM(debit - credit), 0) AS BIGINT) FROM journal_lines WHERE account = '5211') \
           AS trade_discount_ledger, \
         (SELECT CAST(COALESCE(SUM(total_discount), 0) AS BIGINT) FROM invoices) \
           - (SELECT CAST(COALESCE(SUM(quantity * unit_price - net_amount), 0) AS BIGINT) FROM sales_return_lines) \
           AS trade_discount_documents",
    )
    .fetch_one(&mut *conn)
    .await?;
    let figure = |name: &str| row.try_get::<i64, _>(name);
    Ok(Figures {
        total_debit: figure("total_debit")?,
        total_credit: figure("total_credit")?,
        receivable_ledger: figure("receivable_ledger")?,
        invoiced: figure("invoiced")?,
        received: figure("received")?,
        inventory_ledger: figure("inventory_ledger")?,
        inventory_valuation: figure("inventory_valuation")?,
        stock_units: figure("stock_units")?,
        costed_units: figure("costed_units")?,
        bonus_credit_notes: figure("bonus_credit_notes")?,
        bonus_clawed_back: figure("bonus_clawed_back")?,
        bonus_payable_ledger: figure("bonus_payable_ledger")?,
        bonus_payable_documents: figure("bonus_payable_documents")?,
        selling_expense_ledger: figure("selling_expense_ledger")?,
        selling_expense_documents: figure("selling_expense_documents")?,
        trade_discount_ledger: figure("trade_discount_ledger")?,
        trade_discount_documents: figure("trade_discount_documents")?,
    })
}

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
