//! The double-entry journal behind stock and money: every document posts one balanced entry in
//! the transaction that records it, so the books agree with stock, invoices and receivables.

use atq_platform::business_time::{local_date, now_micros};
use atq_platform::error::Result;
use atq_platform::{Db, Error, Tx};
use atq_proto::accountingwarehouse::v1 as pb;
use sqlx::AnyConnection;

use crate::journal_store::{self, Figures, NewEntry};
use crate::money;

pub use crate::journal_store::Posting;

/// The accounts in use, from the Vietnamese chart of accounts (Circular 200).
pub const ACCOUNTS: &[(&str, &str)] = &[
    ("111", "Tiền mặt"),
    ("112", "Tiền gửi ngân hàng"),
    ("131", "Phải thu của khách hàng"),
    ("1381", "Tài sản thiếu chờ xử lý"),
    ("156", "Hàng hóa"),
    ("331", "Phải trả cho người bán"),
    ("334", "Phải trả người lao động"),
    ("3331", "Thuế GTGT phải nộp"),
    ("3381", "Tài sản thừa chờ giải quyết"),
    ("3388", "Phải trả, phải nộp khác"),
    ("411", "Vốn đầu tư của chủ sở hữu"),
    ("511", "Doanh thu bán hàng và cung cấp dịch vụ"),
    ("5211", "Chiết khấu thương mại"),
    ("5213", "Hàng bán bị trả lại"),
    ("632", "Giá vốn hàng bán"),
    ("641", "Chi phí bán hàng"),
];

pub const RECEIVABLE: &str = "131";

/// Chiết khấu thương mại: the discounts given on invoiced lines, a reduction of revenue (511).
pub const TRADE_DISCOUNTS: &str = "5211";

/// Posts a balanced entry dated today (local); nothing is posted for an entry of zero.
pub async fn post(tx: &mut Tx, document: (&str, &str), memo: &str, by: &str, postings: &[Posting]) -> Result<()> {
    let debits = money::sum(postings.iter().map(|p| p.debit), "an entry's debits")?;
    let credits = money::sum(postings.iter().map(|p| p.credit), "an entry's credits")?;
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
    let entry = NewEntry {
        entry_date: local_date(now_micros()).to_string(),
        document_type: document.0,
        document_number: document.1,
        memo,
        created_by: by,
        created_at: now_micros(),
    };
    journal_store::insert(tx, &entry, postings).await
}

/// A customer's receivable: debits less credits on 131.
pub async fn receivable(conn: &mut AnyConnection, customer_id: i64) -> Result<i64> {
    let (debit, credit) = journal_store::customer_totals(conn, RECEIVABLE, customer_id).await?;
    money::difference(debit, credit, "a customer's receivable")
}

/// Debit and credit totals per account, and over all accounts.
pub async fn trial_balance(db: &Db) -> Result<pb::TrialBalanceResponse> {
    let accounts: Vec<pb::AccountBalance> = journal_store::account_totals(db)
        .await?
        .into_iter()
        .map(|(account, debit, credit)| pb::AccountBalance {
            name: account_name(&account).into(),
            account,
            debit,
            credit,
        })
        .collect();
    Ok(pb::TrialBalanceResponse {
        total_debit: money::sum(accounts.iter().map(|a| a.debit), "the journal's debits")?,
        total_credit: money::sum(accounts.iter().map(|a| a.credit), "the journal's credits")?,
        accounts,
    })
}

pub fn account_name(account: &str) -> &'static str {
    ACCOUNTS.iter().find(|(code, _)| *code == account).map(|(_, name)| *name).unwrap_or("")
}

/// Compares the ledger with what it summarises: receivables with invoices, payments and the
/// bonuses settled against them or clawed back, goods with the stock's moving-average valuation,
/// the stock units with the costed units, the bonus payable (3388) and the selling expenses (641)
/// with the bonus movements.
pub async fn reconcile(conn: &mut AnyConnection) -> Result<pb::Reconciliation> {
    let Figures {
        total_debit,
        total_credit,
        receivable_ledger,
        invoiced,
        received,
        inventory_ledger,
        inventory_valuation,
        stock_units,
        costed_units,
        bonus_credit_notes,
        bonus_clawed_back,
        bonus_payable_ledger,
        bonus_payable_documents,
        selling_expense_ledger,
        selling_expense_documents,
        trade_discount_ledger,
        trade_discount_documents,
    } = journal_store::figures(conn).await?;
    let receivable_documents = money::difference(invoiced, received, "invoiced less received")?;
    let receivable_documents = money::difference(receivable_documents, bonus_credit_notes, "less bonus credit notes")?;
    let receivable_documents = money::sum([receivable_documents, bonus_clawed_back], "with bonuses clawed back")?;
    // Sales commissions accrued to staff: 334 against the accruals, which also charge 641.
    let (commission_payable_ledger, commission_payable_documents) =
        crate::commission_store::payable_figures(conn).await?;
    let selling_expense_documents =
        money::sum([selling_expense_documents, commission_payable_documents], "with commissions accrued")?;
    Ok(pb::Reconciliation {
        total_debit,
        total_credit,
        receivable_ledger,
        receivable_documents,
        inventory_ledger,
        inventory_valuation,
        stock_units,
        costed_units,
        bonus_payable_ledger,
        bonus_payable_documents,
        selling_expense_ledger,
        selling_expense_documents,
        trade_discount_ledger,
        trade_discount_documents,
        commission_payable_ledger,
        commission_payable_documents,
        agree: total_debit == total_credit
            && receivable_ledger == receivable_documents
            && inventory_ledger == inventory_valuation
            && stock_units == costed_units
            && bonus_payable_ledger == bonus_payable_documents
            && selling_expense_ledger == selling_expense_documents
            && trade_discount_ledger == trade_discount_documents
            && commission_payable_ledger == commission_payable_documents,
    })
}
