//! The sales department's routes: customers, quotes, contracts, orders and their dispatch.

mod activities;
mod calendar;
mod campaigns;
mod contacts;
mod contracts;
mod customers;
mod dealers;
mod discussion;
mod dispatch_orders;
mod holidays;
mod leads;
mod opportunities;
mod orders;
mod pipeline;
mod promotions;
mod quotes;
mod requests;
mod sales_reports;
mod targets;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub use contracts::MAX_FILE_BYTES;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(customers::router())
        .merge(contacts::router())
        .merge(leads::router())
        .merge(dealers::router())
        .merge(quotes::router())
        .merge(contracts::router())
        .merge(orders::router())
        .merge(dispatch_orders::router())
        .merge(opportunities::router())
        .merge(activities::router())
        .merge(calendar::router())
        .merge(targets::router())
        .merge(campaigns::router())
        .merge(promotions::router())
        .merge(sales_reports::router())
        .merge(discussion::router())
        .merge(requests::router())
        .merge(holidays::router())
}
