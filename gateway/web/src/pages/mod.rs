//! The pages, one module per section; each module's `router` lists its routes.

mod account;
mod bank_statements;
mod catalog;
mod contracts;
mod costing;
mod customers;
mod dispatch;
mod documents;
mod forms;
mod home;
mod import_plans;
mod invoices;
mod orders;
mod price_sheet;
mod quotes;
mod receivables;
mod reports;
mod sign_in;
mod stock;
mod users;

use axum::Router;

use crate::UiState;

pub fn router() -> Router<UiState> {
    Router::new()
        .merge(sign_in::router())
        .merge(home::router())
        .merge(customers::router())
        .merge(quotes::router())
        .merge(orders::router())
        .merge(dispatch::router())
        .merge(invoices::router())
        .merge(account::router())
        .merge(users::router())
        .merge(stock::router())
        .merge(catalog::router())
        .merge(price_sheet::router())
        .merge(import_plans::router())
        .merge(receivables::router())
        .merge(reports::router())
        .merge(contracts::router())
        .merge(bank_statements::router())
        .merge(costing::router())
}

/// Every template and page source, for the test that each label they name is in the catalogs.
#[cfg(test)]
pub const SOURCES_FOR_CATALOG_CHECK: &[&str] = &[
    include_str!("../page.rs"),
    include_str!("home.rs"),
    include_str!("customers.rs"),
    include_str!("sign_in.rs"),
    include_str!("documents.rs"),
    include_str!("quotes/mod.rs"),
    include_str!("quotes/form.rs"),
    include_str!("orders.rs"),
    include_str!("dispatch.rs"),
    include_str!("dispatch/ship.rs"),
    include_str!("invoices.rs"),
    include_str!("account.rs"),
    include_str!("users.rs"),
    include_str!("../../templates/layout.html"),
    include_str!("../../templates/error.html"),
    include_str!("../../templates/login.html"),
    include_str!("../../templates/home.html"),
    include_str!("../../templates/customers.html"),
    include_str!("../../templates/customer.html"),
    include_str!("../../templates/customer_form.html"),
    include_str!("../../templates/quotes.html"),
    include_str!("../../templates/quote.html"),
    include_str!("../../templates/quote_form.html"),
    include_str!("../../templates/orders.html"),
    include_str!("../../templates/order.html"),
    include_str!("../../templates/dispatch_orders.html"),
    include_str!("../../templates/dispatch_order.html"),
    include_str!("../../templates/invoices.html"),
    include_str!("../../templates/invoice.html"),
    include_str!("../../templates/password.html"),
    include_str!("../../templates/users.html"),
    include_str!("../../templates/user.html"),
    include_str!("stock/mod.rs"),
    include_str!("stock/receipt.rs"),
    include_str!("catalog.rs"),
    include_str!("../../templates/chart.html"),
    include_str!("../../templates/stock.html"),
    include_str!("../../templates/stock_serials.html"),
    include_str!("../../templates/receipt_form.html"),
    include_str!("../../templates/products.html"),
    include_str!("../../templates/product.html"),
    include_str!("../../templates/suppliers.html"),
    include_str!("price_sheet.rs"),
    include_str!("import_plans/mod.rs"),
    include_str!("import_plans/timeline.rs"),
    include_str!("receivables.rs"),
    include_str!("reports/mod.rs"),
    include_str!("reports/chart.rs"),
    include_str!("../../templates/price_sheet.html"),
    include_str!("../../templates/price_lists.html"),
    include_str!("../../templates/price_list.html"),
    include_str!("../../templates/import_plans.html"),
    include_str!("../../templates/import_plan.html"),
    include_str!("../../templates/import_proposals.html"),
    include_str!("../../templates/receivables.html"),
    include_str!("../../templates/customer_balance.html"),
    include_str!("../../templates/reports.html"),
    include_str!("contracts/mod.rs"),
    include_str!("contracts/files.rs"),
    include_str!("contracts/form.rs"),
    include_str!("bank_statements.rs"),
    include_str!("../../templates/contracts.html"),
    include_str!("../../templates/contract.html"),
    include_str!("../../templates/contract_form.html"),
    include_str!("../../templates/bank_statements.html"),
    include_str!("costing/mod.rs"),
    include_str!("costing/landed.rs"),
    include_str!("../../templates/exchange_rates.html"),
    include_str!("../../templates/landed_cost.html"),
];
