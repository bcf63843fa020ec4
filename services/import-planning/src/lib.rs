//! Import planning (import-export department): catalog, exchange rates, landed cost, price quote
//! sheets, import plans and supplier orders. Today it serves its event feed and health; its
//! domain arrives with the catalog and import-planning work.

use atq_platform::settings::ServiceSettings;
use atq_platform::{CancellationToken, Db, grpc_server};
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
    let outcome =
        grpc_server::serve(NAME, listener, db.clone(), settings.internal_key, Routes::default(), shutdown).await;
    db.close().await;
    outcome
}
