//! Accounting routes: invoices, payments, customer balances and aging, credit terms, and the
//! trial balance of the journal.

mod invoices;
mod ledger;
mod payments;
mod receivables;

use atq_platform::Caller;
use atq_proto::sales::v1::GetCustomerRequest;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::problem::Problem;
use crate::rpc::CallContext;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(invoices::list_invoices))
        .routes(routes!(invoices::get_invoice))
        .routes(routes!(payments::record_payment))
        .routes(routes!(receivables::customer_balance))
        .routes(routes!(receivables::set_credit_terms))
        .routes(routes!(receivables::receivables_aging))
        .routes(routes!(ledger::trial_balance))
        .routes(routes!(ledger::reconciliation))
}

/// Sales staff follow the debts of their own territory's customers only.
async fn ensure_visible(state: &AppState, caller: &Caller, customer_id: i64) -> Result<(), Problem> {
    if !caller.role.is_office_scoped() {
        return Ok(());
    }
    let ctx = CallContext::read(state, caller);
    ctx.call(
        &state.customers,
        GetCustomerRequest { id: customer_id },
        |mut c, r| async move { c.get_customer(r).await },
    )
    .await
    .map(|_| ())
}
