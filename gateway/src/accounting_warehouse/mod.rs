//! The accounting-warehouse department's routes: stock, invoices and payments, the ledger, bank
//! statements, customer bonuses.

mod accounting;
mod bank_statements;
mod bonuses;
mod commissions;
mod returns;
mod stock;
mod stock_documents;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(stock::router())
        .merge(stock_documents::router())
        .merge(accounting::router())
        .merge(bank_statements::router())
        .merge(bonuses::router())
        .merge(commissions::router())
        .merge(returns::router())
}
