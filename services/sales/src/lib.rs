//! Sales (CRM): customers now; quotes, contracts, orders and dispatch orders as they come.

pub mod customer;
mod customer_api;
pub mod customer_store;

use atq_platform::caller::authenticate;
use atq_platform::settings::ServiceSettings;
use atq_platform::{CancellationToken, Db, grpc_server};
use atq_proto::sales::v1::customers_server::CustomersServer;
use sqlx::migrate::Migrator;
use tokio::net::TcpListener;
use tonic::service::Routes;

pub const NAME: &str = "sales";

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// Connects, migrates and claims this service's database.
pub async fn open_database(url: &str) -> anyhow::Result<Db> {
    Db::open(url, NAME, &SQLITE, &POSTGRES).await
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
    let outcome =
        grpc_server::serve(NAME, listener, db.clone(), settings.internal_key, Routes::new(customers), shutdown).await;
    db.close().await;
    outcome
}
