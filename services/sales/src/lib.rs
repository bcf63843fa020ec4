//! Sales (CRM): customers, quotes, contracts, sales orders and dispatch orders.

pub mod contract;
mod contract_api;
pub mod contract_store;
pub mod customer;
mod customer_api;
pub mod customer_store;
mod dispatch_api;
pub mod dispatch_store;
pub mod order;
mod order_api;
pub mod order_store;
mod plan_feed;
pub mod quote;
mod quote_api;
pub mod quote_store;
mod reservation_feed;

use std::sync::Arc;

use atq_platform::caller::authenticate;
use atq_platform::catalog::CatalogReader;
use atq_platform::feed_consumer::FeedConsumer;
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
    let customers = CustomersServer::with_interceptor(
        customer_api::CustomerApi::new(db.clone()),
        authenticate(settings.internal_key.clone()),
    );
    let orders = OrdersServer::with_interceptor(
        order_api::OrderApi {
            db: db.clone(),
            catalog: CatalogReader::new(&settings.peers.import_planning, settings.internal_key.clone())?,
            warehouse: WarehouseClient::new(grpc_client::channel(&settings.peers.accounting_warehouse)?),
            accounting: AccountingClient::new(grpc_client::channel(&settings.peers.accounting_warehouse)?),
            key: settings.internal_key.clone(),
        },
        authenticate(settings.internal_key.clone()),
    );
    let reservations = FeedConsumer {
        feed: WAREHOUSE_FEED.to_owned(),
        address: settings.peers.accounting_warehouse.clone(),
        db: db.clone(),
        key: settings.internal_key.clone(),
        consumer: NAME.to_owned(),
        projection: Arc::new(reservation_feed::ReservationFeed),
    };
    let plans = FeedConsumer {
        feed: PLANNING_FEED.to_owned(),
        address: settings.peers.import_planning.clone(),
        db: db.clone(),
        key: settings.internal_key.clone(),
        consumer: NAME.to_owned(),
        projection: Arc::new(plan_feed::PlanFeed),
    };
    let consuming = tokio::spawn(reservations.run(shutdown.clone()));
    let planning = tokio::spawn(plans.run(shutdown.clone()));
    let dispatch = DispatchOrdersServer::with_interceptor(
        dispatch_api::DispatchApi {
            db: db.clone(),
            warehouse: WarehouseClient::new(grpc_client::channel(&settings.peers.accounting_warehouse)?),
            key: settings.internal_key.clone(),
        },
        authenticate(settings.internal_key.clone()),
    );
    let quotes = QuotesServer::with_interceptor(
        quote_api::QuoteApi {
            db: db.clone(),
            catalog: CatalogReader::new(&settings.peers.import_planning, settings.internal_key.clone())?,
        },
        authenticate(settings.internal_key.clone()),
    );
    // Signed copies travel whole, so this service takes larger messages than the default 4 MiB.
    let contracts = InterceptedService::new(
        ContractsServer::new(contract_api::ContractApi { db: db.clone() })
            .max_decoding_message_size(contract::MAX_MESSAGE_BYTES)
            .max_encoding_message_size(contract::MAX_MESSAGE_BYTES),
        authenticate(settings.internal_key.clone()),
    );
    let routes =
        Routes::new(customers).add_service(orders).add_service(dispatch).add_service(quotes).add_service(contracts);
    let outcome = grpc_server::serve(NAME, listener, db.clone(), settings.internal_key, routes, shutdown.clone()).await;
    shutdown.cancel();
    let _ = consuming.await;
    let _ = planning.await;
    db.close().await;
    outcome
}
