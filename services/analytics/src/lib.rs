//! Analytics: reports for the directors, built from the departments' event feeds into this
//! service's own tables.

mod customer_facts;
mod reports_api;

use std::sync::Arc;

use atq_platform::caller::authenticate;
use atq_platform::feed_consumer::FeedConsumer;
use atq_platform::settings::ServiceSettings;
use atq_platform::{CancellationToken, Db, grpc_server};
use atq_proto::analytics::v1::reports_server::ReportsServer;
use sqlx::migrate::Migrator;
use tokio::net::TcpListener;
use tonic::service::Routes;

pub const NAME: &str = "analytics";
/// The cursor name of the sales feed in `feed_cursors`.
pub const SALES_FEED: &str = "sales";

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
    let consumer = FeedConsumer {
        feed: SALES_FEED.to_owned(),
        address: settings.peers.sales.clone(),
        db: db.clone(),
        key: settings.internal_key.clone(),
        consumer: NAME.to_owned(),
        projection: Arc::new(customer_facts::CustomerFacts),
    };
    let consuming = tokio::spawn(consumer.run(shutdown.clone()));
    let reports = ReportsServer::with_interceptor(
        reports_api::ReportsApi { db: db.clone() },
        authenticate(settings.internal_key.clone()),
    );
    let outcome =
        grpc_server::serve(NAME, listener, db.clone(), settings.internal_key, Routes::new(reports), shutdown.clone())
            .await;
    shutdown.cancel();
    let _ = consuming.await;
    db.close().await;
    outcome
}
