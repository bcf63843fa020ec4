//! Sales (CRM): customers, quotes, contracts, sales orders and dispatch orders.
//! Customers have contact persons and, for projects, parties; leads are converted into customers.
//! People discuss customers, opportunities, contracts and orders in comments with @mentions.
//!
//! Layers: a gRPC adapter (`*_api.rs`) only authorises and translates wire <-> domain; a use case
//! (`<resource>.rs`, or a folder per resource) takes a parsed command and a transaction and holds
//! the rules; SQL lives only in `<resource>_store.rs`. Feed consumers call use cases and stores.

pub mod activity;
mod activity_api;
pub mod activity_store;
pub mod calendar;
mod calendar_api;
pub mod calendar_store;
pub mod campaign;
mod campaign_api;
pub mod campaign_flow;
pub mod campaign_members;
pub mod campaign_reminder_store;
pub mod campaign_reminders;
pub mod campaign_store;
pub mod contact;
mod contact_api;
pub mod contact_store;
pub mod contract;
mod contract_api;
pub mod contract_store;
pub mod customer;
mod customer_api;
pub mod customer_import;
mod customer_import_api;
pub mod customer_import_store;
pub mod customer_store;
mod dealer_api;
pub mod dealer_application;
pub mod dealer_application_store;
pub mod dealer_contract;
pub mod dealer_decision;
pub mod dealer_re_evaluation;
pub mod dealer_re_evaluation_store;
pub mod discussion;
mod discussion_api;
pub mod discussion_store;
pub mod dispatch;
mod dispatch_api;
pub mod dispatch_store;
pub mod lead;
mod lead_api;
pub mod lead_store;
pub mod opportunity;
mod opportunity_api;
pub mod opportunity_store;
pub mod order;
mod order_api;
pub mod order_store;
mod pipeline;
mod plan_feed;
pub mod promotion;
mod promotion_api;
pub mod promotion_apply;
pub mod promotion_flow;
pub mod promotion_pricing;
pub mod promotion_store;
pub mod quote;
mod quote_api;
pub mod quote_store;
pub mod record_files;
pub mod record_files_store;
pub mod request;
mod request_api;
pub mod request_calendar;
pub mod request_calendar_store;
mod request_events;
mod request_files_api;
pub mod request_flow;
pub mod request_sla;
pub mod request_sla_targets;
pub mod request_store;
pub mod request_sweep;
pub mod request_warnings;
mod reservation_feed;
pub mod sales_report;
mod sales_report_api;
pub mod sales_report_figures;
pub mod sales_report_store;
pub mod sla;
pub mod target;
mod target_api;
pub mod target_results;
pub mod target_store;
pub mod tier_prices;
pub mod tier_rules;
pub mod tier_rules_store;
pub mod warehouse;

use std::sync::Arc;

use atq_platform::caller::authenticate;
use atq_platform::catalog::CatalogReader;
use atq_platform::feed_consumer::{FeedConsumer, Projection};
use atq_platform::settings::ServiceSettings;
use atq_platform::{CancellationToken, Db, grpc_client, grpc_server};
use atq_proto::accountingwarehouse::v1::accounting_client::AccountingClient;
use atq_proto::accountingwarehouse::v1::warehouse_client::WarehouseClient;
use atq_proto::sales::v1::contracts_server::ContractsServer;
use atq_proto::sales::v1::customers_server::CustomersServer;
use atq_proto::sales::v1::dispatch_orders_server::DispatchOrdersServer;
use atq_proto::sales::v1::orders_server::OrdersServer;
use atq_proto::sales::v1::quotes_server::QuotesServer;
use include_dir::{Dir, include_dir};
use tokio::net::TcpListener;
use tonic::service::Routes;
use tonic::service::interceptor::InterceptedService;

use crate::warehouse::Warehouse;

pub const NAME: &str = "sales";
/// The cursor name of the accounting-warehouse feed in `feed_cursors`.
pub const WAREHOUSE_FEED: &str = "accounting-warehouse";
/// The cursor name of the import-planning feed in `feed_cursors`.
pub const PLANNING_FEED: &str = "import-planning";

/// The one migration source of both backends (see `atq_platform::migrations`).
static MIGRATIONS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/migrations");

/// Connects, migrates and claims this service's database.
pub async fn open_database(url: &str) -> anyhow::Result<Db> {
    Db::open(url, NAME, &MIGRATIONS).await
}

/// Runs the sales gRPC service on `listener` until `shutdown`.
pub async fn serve(
    settings: ServiceSettings,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let db = open_database(&settings.database_url).await?;
    let routes = routes(&db, &settings)?;
    let consuming = feeds(&db, &settings).map(|feed| tokio::spawn(feed.run(shutdown.clone())));
    let sweeping = request_sweep::start(&db, &shutdown)?;
    let outcome = grpc_server::serve(NAME, listener, db.clone(), settings.internal_key, routes, shutdown.clone()).await;
    shutdown.cancel();
    for consumer in consuming {
        let _ = consumer.await;
    }
    if let Some(sweep) = sweeping {
        let _ = sweep.await;
    }
    db.close().await;
    outcome
}

/// The sales gRPC services, each behind the caller check: order to cash here, the rest in
/// [`add_crm_services`].
fn routes(db: &Db, settings: &ServiceSettings) -> anyhow::Result<Routes> {
    let key = &settings.internal_key;
    let catalog = || CatalogReader::new(&settings.peers.import_planning, key.clone());
    let channel = grpc_client::channel(&settings.peers.accounting_warehouse)?;
    let warehouse = Warehouse {
        warehouse: WarehouseClient::new(channel.clone()),
        accounting: AccountingClient::new(channel),
        key: key.clone(),
    };
    let customers =
        CustomersServer::with_interceptor(customer_api::CustomerApi::new(db.clone()), authenticate(key.clone()));
    let orders = OrdersServer::with_interceptor(
        order_api::OrderApi { db: db.clone(), catalog: catalog()?, warehouse: warehouse.clone() },
        authenticate(key.clone()),
    );
    let dispatch = DispatchOrdersServer::with_interceptor(
        dispatch_api::DispatchApi { db: db.clone(), warehouse },
        authenticate(key.clone()),
    );
    let quotes = QuotesServer::with_interceptor(
        quote_api::QuoteApi { db: db.clone(), catalog: catalog()? },
        authenticate(key.clone()),
    );
    // Signed copies travel whole, so this service takes larger messages than the default 4 MiB.
    let contracts = InterceptedService::new(
        ContractsServer::new(contract_api::ContractApi { db: db.clone() })
            .max_decoding_message_size(contract::MAX_MESSAGE_BYTES)
            .max_encoding_message_size(contract::MAX_MESSAGE_BYTES),
        authenticate(key.clone()),
    );
    let routes =
        Routes::new(customers).add_service(orders).add_service(dispatch).add_service(quotes).add_service(contracts);
    add_crm_services(routes, db, settings)
}

/// The CRM, service-and-care and report services, added to `routes`.
fn add_crm_services(routes: Routes, db: &Db, settings: &ServiceSettings) -> anyhow::Result<Routes> {
    let key = &settings.internal_key;
    let catalog = || CatalogReader::new(&settings.peers.import_planning, key.clone());
    Ok(routes
        .add_service(atq_proto::sales::v1::activities_server::ActivitiesServer::with_interceptor(
            activity_api::ActivityApi { db: db.clone() },
            authenticate(key.clone()),
        ))
        .add_service(atq_proto::sales::v1::calendar_feeds_server::CalendarFeedsServer::with_interceptor(
            calendar_api::CalendarFeedApi { db: db.clone() },
            authenticate(key.clone()),
        ))
        .add_service(atq_proto::sales::v1::sales_reports_server::SalesReportsServer::with_interceptor(
            sales_report_api::SalesReportApi::new(db.clone(), settings)?,
            authenticate(key.clone()),
        ))
        // A 20,000-row import is larger than the default 4 MiB message.
        .add_service(InterceptedService::new(
            atq_proto::sales::v1::customer_imports_server::CustomerImportsServer::new(
                customer_import_api::CustomerImportApi { db: db.clone() },
            )
            .max_decoding_message_size(customer_import::MAX_MESSAGE_BYTES)
            .max_encoding_message_size(customer_import::MAX_MESSAGE_BYTES),
            authenticate(key.clone()),
        ))
        .add_service(atq_proto::sales::v1::dealers_server::DealersServer::with_interceptor(
            dealer_api::DealerApi { db: db.clone() },
            authenticate(key.clone()),
        ))
        .add_service(atq_proto::sales::v1::promotions_server::PromotionsServer::with_interceptor(
            promotion_api::PromotionApi { db: db.clone(), catalog: catalog()? },
            authenticate(key.clone()),
        ))
        .add_service(atq_proto::sales::v1::campaigns_server::CampaignsServer::with_interceptor(
            campaign_api::CampaignApi { db: db.clone() },
            authenticate(key.clone()),
        ))
        .add_service(atq_proto::sales::v1::targets_server::TargetsServer::with_interceptor(
            target_api::TargetApi { db: db.clone(), catalog: catalog()? },
            authenticate(key.clone()),
        ))
        .add_service(atq_proto::sales::v1::service_requests_server::ServiceRequestsServer::with_interceptor(
            request_api::ServiceRequestApi { db: db.clone() },
            authenticate(key.clone()),
        ))
        // A request's file travels whole, like a contract's signed copy.
        .add_service(InterceptedService::new(
            atq_proto::sales::v1::service_request_files_server::ServiceRequestFilesServer::new(
                request_files_api::RequestFileApi { db: db.clone() },
            )
            .max_decoding_message_size(contract::MAX_MESSAGE_BYTES)
            .max_encoding_message_size(contract::MAX_MESSAGE_BYTES),
            authenticate(key.clone()),
        ))
        .add_service(atq_proto::sales::v1::contacts_server::ContactsServer::with_interceptor(
            contact_api::ContactApi { db: db.clone() },
            authenticate(key.clone()),
        ))
        .add_service(atq_proto::sales::v1::leads_server::LeadsServer::with_interceptor(
            lead_api::LeadApi { db: db.clone() },
            authenticate(key.clone()),
        ))
        .add_service(atq_proto::sales::v1::opportunities_server::OpportunitiesServer::with_interceptor(
            opportunity_api::OpportunityApi { db: db.clone(), catalog: catalog()? },
            authenticate(key.clone()),
        ))
        .add_service(InterceptedService::new(
            atq_proto::sales::v1::discussion_server::DiscussionServer::new(discussion_api::DiscussionApi {
                db: db.clone(),
            })
            .max_decoding_message_size(contract::MAX_MESSAGE_BYTES)
            .max_encoding_message_size(contract::MAX_MESSAGE_BYTES),
            authenticate(key.clone()),
        )))
}

/// The feeds sales follows: the warehouse's reservations and import planning's plans.
fn feeds(db: &Db, settings: &ServiceSettings) -> [FeedConsumer; 2] {
    let consumer = |feed: &str, address: &str, projection: Arc<dyn Projection>| FeedConsumer {
        feed: feed.to_owned(),
        address: address.to_owned(),
        db: db.clone(),
        key: settings.internal_key.clone(),
        consumer: NAME.to_owned(),
        projection,
    };
    [
        consumer(WAREHOUSE_FEED, &settings.peers.accounting_warehouse, Arc::new(reservation_feed::ReservationFeed)),
        consumer(PLANNING_FEED, &settings.peers.import_planning, Arc::new(plan_feed::PlanFeed)),
    ]
}
