//! The accounting-warehouse department's routes: stock, invoices and payments, the ledger, bank
//! statements.

mod accounting;
mod bank_statements;
mod returns;
mod stock;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(stock::router())
        .merge(accounting::router())
        .merge(bank_statements::router())
        .merge(returns::router())
}
