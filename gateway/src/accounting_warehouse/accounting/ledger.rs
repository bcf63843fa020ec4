//! The journal: the trial balance and its reconciliation with documents and stock.

use atq_platform::caller::Action;
use atq_proto::accountingwarehouse::v1 as pb;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::Forbidden;
use crate::rpc::CallContext;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct AccountBalanceBody {
    pub account: String,
    pub name: String,
    pub debit: i64,
    pub credit: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TrialBalanceBody {
    pub items: Vec<AccountBalanceBody>,
    pub total_debit: i64,
    pub total_credit: i64,
    pub balanced: bool,
}

/// Debits and credits per account; the journal balances when the totals agree.
#[utoipa::path(get, path = "/api/v1/accounting/trial-balance", tag = "accounting",
    responses((status = 200, body = TrialBalanceBody), Forbidden))]
pub async fn trial_balance(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> Result<axum::Json<TrialBalanceBody>, Problem> {
    caller.require(Action::WriteAccounts)?;
    let ctx = CallContext::read(&state, &caller);
    let t = ctx
        .call(&state.accounting, pb::TrialBalanceRequest {}, |mut c, r| async move { c.trial_balance(r).await })
        .await?;
    Ok(axum::Json(TrialBalanceBody {
        balanced: t.total_debit == t.total_credit,
        total_debit: t.total_debit,
        total_credit: t.total_credit,
        items: t
            .accounts
            .into_iter()
            .map(|a| AccountBalanceBody { account: a.account, name: a.name, debit: a.debit, credit: a.credit })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ReconciliationBody {
    pub total_debit: i64,
    pub total_credit: i64,
    /// Account 131 and the invoices less payments, less bonus credit notes, plus bonuses clawed
    /// back, it should equal
    pub receivable_ledger: i64,
    pub receivable_documents: i64,
    /// Account 156 and the moving-average value of the stock on hand
    pub inventory_ledger: i64,
    pub inventory_valuation: i64,
    pub stock_units: i64,
    pub costed_units: i64,
    /// Account 3388 (bonuses owed to customers) and the bonuses accrued less settled
    pub bonus_payable_ledger: i64,
    pub bonus_payable_documents: i64,
    /// Account 641 (selling expenses) and the bonuses accrued less clawed back
    pub selling_expense_ledger: i64,
    pub selling_expense_documents: i64,
    /// Account 5211 (trade discounts) and the invoices' discounts less the returned lines' share
    pub trade_discount_ledger: i64,
    pub trade_discount_documents: i64,
    /// Account 334 (owed to staff) and the sales commissions accrued; 641 includes them
    pub commission_payable_ledger: i64,
    pub commission_payable_documents: i64,
    /// Everything above agrees
    pub agree: bool,
}

/// Whether the journal balances and agrees with invoices, payments and stock.
#[utoipa::path(get, path = "/api/v1/accounting/reconciliation", tag = "accounting",
    responses((status = 200, body = ReconciliationBody), Forbidden))]
pub async fn reconciliation(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> Result<axum::Json<ReconciliationBody>, Problem> {
    caller.require(Action::WriteAccounts)?;
    let ctx = CallContext::read(&state, &caller);
    let r =
        ctx.call(&state.accounting, pb::ReconcileRequest {}, |mut c, r| async move { c.reconcile(r).await }).await?;
    Ok(axum::Json(ReconciliationBody {
        total_debit: r.total_debit,
        total_credit: r.total_credit,
        receivable_ledger: r.receivable_ledger,
        receivable_documents: r.receivable_documents,
        inventory_ledger: r.inventory_ledger,
        inventory_valuation: r.inventory_valuation,
        stock_units: r.stock_units,
        costed_units: r.costed_units,
        bonus_payable_ledger: r.bonus_payable_ledger,
        bonus_payable_documents: r.bonus_payable_documents,
        selling_expense_ledger: r.selling_expense_ledger,
        selling_expense_documents: r.selling_expense_documents,
        trade_discount_ledger: r.trade_discount_ledger,
        trade_discount_documents: r.trade_discount_documents,
        commission_payable_ledger: r.commission_payable_ledger,
        commission_payable_documents: r.commission_payable_documents,
        agree: r.agree,
    }))
}
