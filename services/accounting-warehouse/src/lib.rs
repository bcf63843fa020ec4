//! Accounting and warehouse: stock by warehouse and condition with serial numbers and
//! moving-average cost (receipts, transfers, stocktakes) now; reservations, goods issue, invoices,
//! receivables, payments and the journal to come.

pub mod documents;
pub mod goods_issue;
pub mod reservations;
pub mod stock;
pub mod stock_store;
mod warehouse_api;

use atq_platform::caller::authenticate;
use atq_platform::settings::ServiceSettings;
use atq_platform::{CancellationToken, Db, grpc_server};
use atq_proto::accountingwarehouse::v1::warehouse_server::WarehouseServer;
use sqlx::migrate::Migrator;
use tokio::net::TcpListener;
use tonic::service::Routes;

pub const NAME: &str = "accounting-warehouse";

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
    let catalog =
        atq_platform::catalog::CatalogReader::new(&settings.peers.import_planning, settings.internal_key.clone())?;
    let warehouse = WarehouseServer::with_interceptor(
        warehouse_api::WarehouseApi { db: db.clone(), catalog },
        authenticate(settings.internal_key.clone()),
    );
    let outcome =
        grpc_server::serve(NAME, listener, db.clone(), settings.internal_key, Routes::new(warehouse), shutdown).await;
    db.close().await;
    outcome
}
