//! Import planning (import-export department): the catalog of suppliers and products, exchange
//! and duty rates, landed cost, price quote sheets, import plans timed to project schedules, and
//! supplier orders through to goods received.
//!
//! Layers: a gRPC adapter (`*_api.rs`) only authorises and translates wire <-> domain (`TryFrom`, field errors).
//! A use case (`import_plan`, `purchase_order/`, `costing`, ...) takes a checked command and a transaction: the rules.
//! SQL lives only in `*_store` (plain reads may go there straight); feeds (`*_feed.rs`) call use cases, never adapters.

pub mod catalog;
mod catalog_api;
mod costing;
mod costing_api;
pub mod import_plan;
mod import_plan_api;
pub mod landed_cost;
pub mod plan_store;
pub mod planner;
pub mod price_list;
mod price_list_api;
pub mod price_list_store;
pub mod product_import;
mod product_import_api;
pub mod product_import_store;
pub mod product_store;
pub mod purchase_order;
mod purchase_order_api;
pub mod purchase_order_store;
pub mod rate_store;
pub mod rates;
pub mod replanning;
mod sales;
mod sales_feed;
mod status;
mod stock_feed;
pub mod supplier_import;
mod supplier_import_api;
pub mod supplier_store;
pub mod supply_terms;
pub mod warehouse;
pub mod warranty;

use atq_platform::caller::authenticate;
use atq_platform::settings::ServiceSettings;
use std::sync::Arc;

use atq_platform::feed_consumer::{FeedConsumer, Projection};
use atq_platform::{CancellationToken, Db, grpc_client, grpc_server};
use atq_proto::accountingwarehouse::v1::warehouse_client::WarehouseClient;
use atq_proto::importplanning::v1::catalog_server::CatalogServer;
use atq_proto::importplanning::v1::costing_server::CostingServer;
use atq_proto::importplanning::v1::import_plans_server::ImportPlansServer;
use atq_proto::importplanning::v1::price_lists_server::PriceListsServer;
use atq_proto::importplanning::v1::purchase_orders_server::PurchaseOrdersServer;
use atq_proto::importplanning::v1::warranty_server::WarrantyServer;
use include_dir::{Dir, include_dir};
use tokio::net::TcpListener;
use tonic::service::Routes;

use crate::replanning::Planning;
use crate::warehouse::Warehouse;

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

/// Both feeds this service follows: confirmed project orders arrive as plan requests on the
/// sales feed; stock that moves changes what the plans can count on.
fn feeds(settings: &ServiceSettings, db: &Db, planning: &Planning) -> [FeedConsumer; 2] {
    let consumer = |feed: &str, address: &str, projection: Arc<dyn Projection>| FeedConsumer {
        feed: feed.to_owned(),
        address: address.to_owned(),
        db: db.clone(),
        key: settings.internal_key.clone(),
        consumer: NAME.to_owned(),
        projection,
    };
    [
        consumer(SALES_FEED, &settings.peers.sales, Arc::new(sales_feed::SalesFeed::new(planning.clone()))),
        consumer(
            STOCK_FEED,
            &settings.peers.accounting_warehouse,
            Arc::new(stock_feed::StockFeed::new(planning.clone())),
        ),
    ]
}

/// The gRPC services, each behind the caller check.
fn routes(settings: &ServiceSettings, db: &Db, planning: &Planning) -> anyhow::Result<Routes> {
    let auth = || authenticate(settings.internal_key.clone());
    let catalog = CatalogServer::with_interceptor(catalog_api::CatalogApi::new(db.clone()), auth());
    let costing = CostingServer::with_interceptor(costing_api::CostingApi { db: db.clone() }, auth());
    let price_lists = PriceListsServer::with_interceptor(
        price_list_api::PriceListsApi { db: db.clone(), warehouse: planning.warehouse.clone() },
        auth(),
    );
    let sales = sales::Sales::new(&settings.peers.sales, settings.internal_key.clone())?;
    let import_plans = ImportPlansServer::with_interceptor(
        import_plan_api::ImportPlansApi { planning: planning.clone(), sales },
        auth(),
    );
    let purchase_orders = PurchaseOrdersServer::with_interceptor(
        purchase_order_api::PurchaseOrdersApi { planning: planning.clone() },
        auth(),
    );
    Ok(Routes::new(catalog)
        .add_service(costing)
        .add_service(price_lists)
        .add_service(import_plans)
        .add_service(purchase_orders)
        .add_service(product_import_api::server(db.clone(), settings.internal_key.clone()))
        .add_service(supplier_import_api::server(db.clone(), settings.internal_key.clone()))
        .add_service(WarrantyServer::with_interceptor(warranty::api(settings, db)?, auth())))
}

pub async fn serve(
    settings: ServiceSettings,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let db = open_database(&settings.database_url).await?;
    let client = WarehouseClient::new(grpc_client::channel(&settings.peers.accounting_warehouse)?);
    let warehouse = Warehouse::new(client, settings.internal_key.clone());
    let planning = Planning { db: db.clone(), warehouse };
    let [sales_feed, stock_feed] = feeds(&settings, &db, &planning);
    let routes = routes(&settings, &db, &planning)?;
    let consuming = [
        tokio::spawn(sales_feed.run(shutdown.clone())),
        tokio::spawn(stock_feed.run(shutdown.clone())),
        tokio::spawn(planning.daily(shutdown.clone())),
    ];
    let outcome = grpc_server::serve(NAME, listener, db.clone(), settings.internal_key, routes, shutdown.clone()).await;
    shutdown.cancel();
    for task in consuming {
        let _ = task.await;
    }
    db.close().await;
    outcome
}
