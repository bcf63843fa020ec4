//! Analytics: reports for the directors, built from the departments' event feeds into this
//! service's own tables.
//!
//! Layers: the gRPC adapter (`reports_api.rs`) only authorises and translates wire <-> domain;
//! the feed projections and reports (`*_facts.rs`) hold the rules and call their store; SQL lives
//! only in `*_facts_store.rs`. Projections read events by message type (`outbox::is`).

mod customer_facts;
mod customer_facts_store;
mod customer_value;
mod customer_value_store;
mod daily_rollups;
mod forecast;
mod forecast_api;
mod forecast_pipeline;
mod forecast_report;
mod forecast_store;
mod import_facts;
mod import_facts_store;
mod margin;
mod margin_api;
mod margin_facts;
mod margin_store;
mod periods;
mod product_facts;
mod product_facts_store;
mod receivable_rollup;
mod reports_api;
mod return_facts;
mod return_facts_store;
mod rollup_batch;
mod sales_facts;
mod sales_facts_store;
mod service_api;
mod service_facts;
mod service_facts_store;
mod service_report;
mod stock_facts;
mod stock_facts_store;
mod stock_rollup;
mod summary;
mod summary_api;
mod summary_cells;
mod summary_facts;
mod summary_facts_store;
mod summary_import;
mod summary_receivables;
mod summary_service;
mod summary_stock;
mod supplier_facts;
mod supplier_facts_store;

use std::sync::Arc;

use atq_platform::caller::authenticate;
use atq_platform::feed_consumer::{FeedConsumer, Projection};
use atq_platform::settings::ServiceSettings;
use atq_platform::{CancellationToken, Db, InternalKey, Peers, Tx, grpc_server};
use atq_proto::analytics::v1::reports_server::ReportsServer;
use atq_proto::events::v1::Event;
use include_dir::{Dir, include_dir};
use rollup_batch::{Batched, Gathered};
use tokio::net::TcpListener;
use tonic::service::Routes;

pub const NAME: &str = "analytics";
/// The cursor name of the sales feed in `feed_cursors`.
pub const SALES_FEED: &str = "sales";
/// The cursor name of the import-planning feed (the catalog) in `feed_cursors`.
pub const CATALOG_FEED: &str = "import-planning";
/// The cursor name of the accounting-warehouse feed (returned goods) in `feed_cursors`.
pub const ACCOUNTING_FEED: &str = "accounting-warehouse";

/// The one migration source of both backends (see `atq_platform::migrations`).
static MIGRATIONS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/migrations");

/// Connects, migrates and claims this service's database.
pub async fn open_database(url: &str) -> anyhow::Result<Db> {
    let db = Db::open(url, NAME, &MIGRATIONS).await?;
    daily_rollups::backfill_if_asked(&db).await?;
    Ok(db)
}

pub async fn serve(
    settings: ServiceSettings,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let db = open_database(&settings.database_url).await?;
    // One consumer per feed, each with its own cursor.
    let consuming: Vec<_> = projections()
        .into_iter()
        .map(|(feed, projection)| {
            let consumer = FeedConsumer {
                feed: feed.to_owned(),
                address: producer_address(&settings.peers, feed).to_owned(),
                db: db.clone(),
                key: settings.internal_key.clone(),
                consumer: NAME.to_owned(),
                projection,
            };
            tokio::spawn(consumer.run(shutdown.clone()))
        })
        .collect();
    let routes = routes(&db, &settings.internal_key);
    let outcome = grpc_server::serve(NAME, listener, db.clone(), settings.internal_key, routes, shutdown.clone()).await;
    shutdown.cancel();
    for consumer in consuming {
        let _ = consumer.await;
    }
    db.close().await;
    outcome
}

/// The feeds analytics follows, by cursor name, and what it keeps from each. Public so that a
/// benchmark can load history through the same projections the service runs.
pub fn projections() -> Vec<(&'static str, Arc<dyn Projection>)> {
    vec![
        (SALES_FEED, Arc::new(SalesFeed::default())),
        (CATALOG_FEED, Arc::new(ImportPlanningFeed::default())),
        (ACCOUNTING_FEED, Arc::new(AccountingFeed::default())),
    ]
}

/// The service that produces a feed of [`projections`].
fn producer_address<'a>(peers: &'a Peers, feed: &str) -> &'a str {
    match feed {
        SALES_FEED => &peers.sales,
        CATALOG_FEED => &peers.import_planning,
        _ => &peers.accounting_warehouse,
    }
}

/// The report services over `db`, each authenticating its callers with `key`.
pub fn routes(db: &Db, key: &InternalKey) -> Routes {
    let reports =
        ReportsServer::with_interceptor(reports_api::ReportsApi { db: db.clone() }, authenticate(key.clone()));
    Routes::new(reports)
        .add_service(summary_api::server(db.clone(), key.clone()))
        .add_service(margin_api::server(db.clone(), key.clone()))
        .add_service(forecast_api::server(db.clone(), key.clone()))
        .add_service(service_api::server(db.clone(), key.clone()))
}

/// What analytics keeps from the sales feed: customers, confirmed orders and opportunities, in one
/// transaction per batch with the feed's one cursor; the rollups' changes once per batch.
#[derive(Default)]
struct SalesFeed(Gathered);

#[tonic::async_trait]
impl Projection for SalesFeed {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> atq_platform::Result<()> {
        let mut pending = self.0.take();
        customer_facts::CustomerFacts.apply_into(tx, event, &mut pending).await?;
        forecast_pipeline::OpportunityFacts.apply(tx, event).await?;
        service_facts::RequestFacts.apply(tx, event).await?;
        sales_facts::SalesFacts.apply_into(tx, event, &mut pending).await?;
        self.0.keep(pending);
        Ok(())
    }

    async fn finish_batch(&self, tx: &mut Tx) -> atq_platform::Result<()> {
        self.0.take().flush(tx).await
    }
}

/// What analytics keeps from the import-planning feed: the catalog's products and the supplier
/// orders, in one transaction per batch with the feed's one cursor.
#[derive(Default)]
struct ImportPlanningFeed(Gathered);

#[tonic::async_trait]
impl Projection for ImportPlanningFeed {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> atq_platform::Result<()> {
        // Taken and kept around the whole event: one that fails leaves no change behind.
        let mut pending = self.0.take();
        product_facts::ProductFacts.apply_into(tx, event, &mut pending).await?;
        service_facts::WarrantyFacts.apply(tx, event).await?;
        import_facts::ImportFacts.apply(tx, event).await?;
        supplier_facts::SupplierFacts.apply(tx, event).await?;
        self.0.keep(pending);
        Ok(())
    }

    async fn finish_batch(&self, tx: &mut Tx) -> atq_platform::Result<()> {
        self.0.take().flush(tx).await
    }
}

/// What analytics keeps from the accounting-warehouse feed: returns, goods issued at cost,
/// invoices, payments and stock moves (`return_facts`), the rollups' changes once per batch.
#[derive(Default)]
struct AccountingFeed(Gathered);

#[tonic::async_trait]
impl Projection for AccountingFeed {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> atq_platform::Result<()> {
        let mut pending = self.0.take();
        return_facts::ReturnFacts.apply_into(tx, event, &mut pending).await?;
        self.0.keep(pending);
        Ok(())
    }

    async fn finish_batch(&self, tx: &mut Tx) -> atq_platform::Result<()> {
        self.0.take().flush(tx).await
    }
}
