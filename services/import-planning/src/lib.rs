//! Import planning (import-export department): the catalog of suppliers and products, exchange
//! and duty rates, landed cost; price quote sheets, import plans and supplier orders to come.

pub mod catalog;
mod catalog_api;
mod costing_api;
pub mod landed_cost;
pub mod price_list;
mod price_list_api;
pub mod price_list_store;
pub mod product_store;
pub mod rate_store;
pub mod rates;
pub mod supplier_store;

use atq_platform::caller::authenticate;
use atq_platform::settings::ServiceSettings;
use atq_platform::{CancellationToken, Db, grpc_client, grpc_server};
use atq_proto::accountingwarehouse::v1::warehouse_client::WarehouseClient;
use atq_proto::importplanning::v1::catalog_server::CatalogServer;
use atq_proto::importplanning::v1::costing_server::CostingServer;
use atq_proto::importplanning::v1::price_lists_server::PriceListsServer;
use sqlx::migrate::Migrator;
use tokio::net::TcpListener;
use tonic::service::Routes;

pub const NAME: &str = "import-planning";

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// Connects, migrates and claims this service's database.
pub async fn open_database(url: &str) -> anyhow::Result<Db> {
    Db::open(url, NAME, &SQLITE, &POSTGRES).await
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
    let price_lists = PriceListsServer::with_interceptor(
        price_list_api::PriceListsApi {
            db: db.clone(),
            warehouse: WarehouseClient::new(grpc_client::channel(&settings.peers.accounting_warehouse)?),
            key: settings.internal_key.clone(),
        },
        authenticate(settings.internal_key.clone()),
    );
    let routes = Routes::new(catalog).add_service(costing).add_service(price_lists);
    let outcome = grpc_server::serve(NAME, listener, db.clone(), settings.internal_key, routes, shutdown).await;
    db.close().await;
    outcome
}
