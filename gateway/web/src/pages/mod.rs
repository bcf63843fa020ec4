//! The pages, one module per section; each module's `router` lists its routes.

mod account;
mod activities;
mod bank_statements;
mod bonuses;
mod campaigns;
mod catalog;
mod catalog_import;
mod commissions;
mod contracts;
mod costing;
mod customers;
mod dashboard;
mod dealers;
mod discussion;
mod dispatch;
mod documents;
mod forms;
mod home;
mod import_plans;
mod invoices;
mod leads;
mod opening_stock_import;
mod opportunities;
mod orders;
mod price_sheet;
mod promotions;
mod quotes;
mod receivable_import;
mod receivables;
mod reports;
mod requests;
mod requests_files;
mod requests_form;
mod requests_sla;
mod return_form;
mod returns;
mod sales_reports;
mod sheet_import;
mod sign_in;
mod stock;
mod supplier_import;
mod targets;
mod users;
mod warranty;

use axum::Router;

use crate::UiState;

pub fn router() -> Router<UiState> {
    Router::new()
        .merge(sign_in::router())
        .merge(home::router())
        .merge(dashboard::router())
        .merge(customers::router())
        .merge(leads::router())
        .merge(dealers::router())
        .merge(quotes::router())
        .merge(orders::router())
        .merge(dispatch::router())
        .merge(invoices::router())
        .merge(account::router())
        .merge(users::router())
        .merge(stock::router())
        .merge(catalog::router())
        .merge(catalog_import::router())
        .merge(supplier_import::router())
        .merge(opening_stock_import::router())
        .merge(receivable_import::router())
        .merge(price_sheet::router())
        .merge(import_plans::router())
        .merge(receivables::router())
        .merge(reports::router())
        .merge(contracts::router())
        .merge(bank_statements::router())
        .merge(costing::router())
        .merge(activities::router())
        .merge(opportunities::router())
        .merge(returns::router())
        .merge(bonuses::router())
        .merge(commissions::router())
        .merge(targets::router())
        .merge(campaigns::router())
        .merge(promotions::router())
        .merge(sales_reports::router())
        .merge(discussion::router())
        .merge(requests::router())
        .merge(warranty::router())
}

/// Every template and page source, for the test that each label they name is in the catalogs.
#[cfg(test)]
pub const SOURCES_FOR_CATALOG_CHECK: &[&str] = &[
    include_str!("../page.rs"),
    include_str!("home.rs"),
    include_str!("dashboard.rs"),
    include_str!("../../templates/dashboard.html"),
    include_str!("sales_reports.rs"),
    include_str!("../../templates/sales_report.html"),
    include_str!("../../templates/sales_reports.html"),
    include_str!("customers/mod.rs"),
    include_str!("customers/contacts.rs"),
    include_str!("sign_in.rs"),
    include_str!("documents.rs"),
    include_str!("quotes/mod.rs"),
    include_str!("quotes/form.rs"),
    include_str!("orders.rs"),
    include_str!("dispatch.rs"),
    include_str!("dispatch/ship.rs"),
    include_str!("invoices.rs"),
    include_str!("returns.rs"),
    include_str!("bonuses.rs"),
    include_str!("../../templates/bonus_schemes.html"),
    include_str!("../../templates/bonus_statement.html"),
    include_str!("commissions.rs"),
    include_str!("../../templates/commissions.html"),
    include_str!("../../templates/commission_statement.html"),
    include_str!("return_form.rs"),
    include_str!("../../templates/returns.html"),
    include_str!("../../templates/return.html"),
    include_str!("../../templates/return_form.html"),
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
    include_str!("reports/demand.rs"),
    include_str!("../../templates/demand.html"),
    include_str!("../../templates/forecast.html"),
    include_str!("sheet_import/actions.rs"),
    include_str!("../../templates/sheet_import.html"),
    include_str!("stock/transfers.rs"),
    include_str!("stock/counts.rs"),
    include_str!("stock/counts/posted.rs"),
    include_str!("../../templates/stock_transfer.html"),
    include_str!("../../templates/stock_count.html"),
    include_str!("../../templates/stock_transfers.html"),
    include_str!("../../templates/stock_counts.html"),
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
    include_str!("activities/mod.rs"),
    include_str!("activities/form.rs"),
    include_str!("activities/calendar.rs"),
    include_str!("../../templates/activities.html"),
    include_str!("opportunities/mod.rs"),
    include_str!("opportunities/form.rs"),
    include_str!("opportunities/pipeline.rs"),
    include_str!("../../templates/opportunities.html"),
    include_str!("../../templates/opportunity.html"),
    include_str!("../../templates/opportunity_form.html"),
    include_str!("../../templates/pipeline.html"),
    include_str!("../../templates/activity.html"),
    include_str!("../../templates/activity_form.html"),
    include_str!("../../templates/calendar.html"),
    include_str!("leads.rs"),
    include_str!("targets.rs"),
    include_str!("../../templates/targets.html"),
    include_str!("campaigns/mod.rs"),
    include_str!("campaigns/detail.rs"),
    include_str!("../../templates/campaigns.html"),
    include_str!("../../templates/campaign.html"),
    include_str!("../../templates/campaign_form.html"),
    include_str!("promotions/mod.rs"),
    include_str!("promotions/detail.rs"),
    include_str!("../../templates/promotions.html"),
    include_str!("../../templates/promotion.html"),
    include_str!("../../templates/promotion_form.html"),
    include_str!("../../templates/leads.html"),
    include_str!("../../templates/lead.html"),
    include_str!("../../templates/lead_form.html"),
    include_str!("dealers/mod.rs"),
    include_str!("dealers/form.rs"),
    include_str!("dealers/files.rs"),
    include_str!("../../templates/dealers.html"),
    include_str!("../../templates/dealer.html"),
    include_str!("../../templates/dealer_form.html"),
    include_str!("discussion/mod.rs"),
    include_str!("discussion/notifications.rs"),
    include_str!("discussion/record_files.rs"),
    include_str!("../../templates/discussion.html"),
    include_str!("../../templates/record_files.html"),
    include_str!("../../templates/notifications.html"),
    include_str!("warranty/mod.rs"),
    include_str!("warranty/case.rs"),
    include_str!("warranty/open.rs"),
    include_str!("warranty/views.rs"),
    include_str!("../../templates/warranty.html"),
    include_str!("../../templates/warranty_case.html"),
    include_str!("../../templates/warranty_case_form.html"),
    include_str!("../../templates/warranty_macros.html"),
];
