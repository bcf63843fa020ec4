//! Import planning (import-export department): the catalog of suppliers and products, exchange
//! and duty rates, landed cost, price quote sheets, import plans timed to project schedules, and
//! supplier orders through to goods received.

pub mod catalog;
mod catalog_api;
pub mod costing_api;
mod import_plan_api;
pub mod landed_cost;
pub mod plan_store;
pub mod planner;
pub mod price_list;
mod price_list_api;
pub mod price_list_store;
pub mod product_store;
mod purchase_order_api;
pub mod purchase_order_store;
pub mod rate_store;
pub mod rates;
pub mod replanning;
mod sales_feed;
mod stock_feed;
pub mod supplier_store;

use atq_platform::caller::authenticate;
use atq_platform::settings::ServiceSettings;
use std::sync::Arc;

use atq_platform::feed_consumer::FeedConsumer;
use atq_platform::{CancellationToken, Db, grpc_client, grpc_server};
use atq_proto::accountingwarehouse::v1::warehouse_client::WarehouseClient;
use atq_proto::importplanning::v1::catalog_server::CatalogServer;
use atq_proto::importplanning::v1::costing_server::CostingServer;
use atq_proto::importplanning::v1::import_plans_server::ImportPlansServer;
use atq_proto::importplanning::v1::price_lists_server::PriceListsServer;
use atq_proto::importplanning::v1::purchase_orders_server::PurchaseOrdersServer;
use include_dir::{Dir, include_dir};
use tokio::net::TcpListener;
use tonic::service::Routes;

pub const NAME: &str = "import-planning";
/// The cursor name of the sales feed in `feed_cursors`.
const SALES_FEED: &str = "sales";
/// The cursor name of the accounting-warehouse feed (stock) in `feed_cursors`.
const STOCK_FEED: &str = "accounting-warehouse";

/// The one migration source of both backends (see `atq_platform::migrations`).
static MIGRATIONS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/migrations");

/// Connects, migrates and claims this service's database.
pub async fn open_database(url: &str) -> anyhow::Result<Db> {
    Db::open(url, NAME, &MIGRATIONS).await
}

pub async fn serve(
    settings: ServiceSettings,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let db = open_database(&settings.database_url).await?;
    let catalog = CatalogServer::with_interceptor(
        catalog_api::CatalogApi::new(db.clone()),
        authenticate(settings.internal_key.clone()),
    );
    let costing = CostingServer::with_interceptor(
        costing_api::CostingApi { db: db.clone() },
        authenticate(settings.internal_key.clone()),
    );
    let warehouse = WarehouseClient::new(grpc_client::channel(&settings.peers.accounting_warehouse)?);
    let planning =
        replanning::Planning { db: db.clone(), warehouse: warehouse.clone(), key: settings.internal_key.clone() };
    let price_lists = PriceListsServer::with_interceptor(
        price_list_api::PriceListsApi { db: db.clone(), warehouse, key: settings.internal_key.clone() },
        authenticate(settings.internal_key.clone()),
    );
    let import_plans = ImportPlansServer::with_interceptor(
        import_plan_api::ImportPlansApi { planning: planning.clone() },
        authenticate(settings.internal_key.clone()),
    );
    let purchase_orders = PurchaseOrdersServer::with_interceptor(
        purchase_order_api::PurchaseOrdersApi { planning: planning.clone() },
        authenticate(settings.internal_key.clone()),
    );
    // Confirmed project orders arrive as plan requests on the sales feed.
    let sales_feed = FeedConsumer {
        feed: SALES_FEED.to_owned(),
        address: settings.peers.sales.clone(),
        db: db.clone(),
        key: settings.internal_key.clone(),
        consumer: NAME.to_owned(),
        projection: Arc::new(sales_feed::SalesFeed { planning: planning.clone() }),
    };
    // Stock that moves changes what the plans can count on.
    let stock_feed = FeedConsumer {
        feed: STOCK_FEED.to_owned(),
        address: settings.peers.accounting_warehouse.clone(),
        db: db.clone(),
        key: settings.internal_key.clone(),
        consumer: NAME.to_owned(),
        projection: Arc::new(stock_feed::StockFeed { planning: planning.clone() }),
    };
    let consuming = [
        tokio::spawn(sales_feed.run(shutdown.clone())),
        tokio::spawn(stock_feed.run(shutdown.clone())),
        tokio::spawn(planning.daily(shutdown.clone())),
    ];
    let routes = Routes::new(catalog)
        .add_service(costing)
        .add_service(price_lists)
        .add_service(import_plans)
        .add_service(purchase_orders);
    let outcome = grpc_server::serve(NAME, listener, db.clone(), settings.internal_key, routes, shutdown.clone()).await;
    shutdown.cancel();
    for task in consuming {
        let _ = task.await;
    }
    db.close().await;
    outcome
}
