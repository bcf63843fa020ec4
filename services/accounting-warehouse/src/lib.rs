//! Accounting and warehouse: stock by warehouse and condition with serial numbers and
//! moving-average cost (receipts, transfers, stocktakes), reservations and backorders, goods
//! issue, VAT invoices, payments and receivables, bank statements, and the double-entry journal.
//! Delivered goods come back through returns, each with a reducing invoice (`returns.rs`).
//! Customers earn sales bonuses on what they pay (`bonuses.rs`).
//!
//! Layers: adapters (`*_api.rs`) only authorise and turn wire messages into commands (`TryFrom`).
//! Use cases (`receipts.rs`, `payments.rs`, ...) take a command and a transaction; rules live there.
//! SQL lives only in `<resource>_store.rs`; the sales feed calls use cases, never the adapters.

mod accounting_api;
pub mod bank_statement_store;
pub mod bank_statements;
pub mod bonus_rules;
pub mod bonus_store;
pub mod bonuses;
mod bonuses_api;
pub mod commission_rules;
pub mod commission_store;
pub mod commissions;
mod commissions_api;
pub mod credit_terms_store;
pub mod goods_issue;
pub mod goods_issue_store;
pub mod invoice_store;
pub mod invoices;
pub mod journal;
pub mod journal_store;
mod money;
pub mod payment_store;
pub mod payments;
pub mod receipts;
pub mod receivable_import;
mod receivable_import_api;
pub mod receivable_import_store;
pub mod receivables;
pub mod reservation_store;
pub mod reservations;
pub mod return_lines;
pub mod return_store;
pub mod returns;
mod returns_api;
pub mod sales_customers;
mod sales_feed;
pub mod serial_history;
mod serial_history_api;
pub mod serial_history_store;
pub mod serial_store;
pub mod stock;
pub mod stock_document_store;
pub mod stock_documents;
pub mod stock_import;
mod stock_import_api;
pub mod stock_import_store;
pub mod stock_queries;
pub mod stock_store;
pub mod stock_value;
pub mod stocktakes;
pub mod transfers;
mod warehouse_api;
pub mod warranty_moves;
mod warranty_moves_api;
pub mod warranty_moves_store;
mod warranty_moves_supplier;

use std::sync::Arc;

use atq_platform::caller::authenticate;
use atq_platform::feed_consumer::FeedConsumer;
use atq_platform::settings::ServiceSettings;
use atq_platform::{CancellationToken, Db, grpc_server};
use atq_proto::accountingwarehouse::v1::accounting_server::AccountingServer;
use atq_proto::accountingwarehouse::v1::bonuses_server::BonusesServer;
use atq_proto::accountingwarehouse::v1::commissions_server::CommissionsServer;
use atq_proto::accountingwarehouse::v1::returns_server::ReturnsServer;
use atq_proto::accountingwarehouse::v1::serial_history_server::SerialHistoryServer;
use atq_proto::accountingwarehouse::v1::warehouse_server::WarehouseServer;
use atq_proto::accountingwarehouse::v1::warranty_moves_server::WarrantyMovesServer;
use include_dir::{Dir, include_dir};
use tokio::net::TcpListener;
use tonic::service::Routes;

pub const NAME: &str = "accounting-warehouse";
/// The cursor name of the sales feed in `feed_cursors`.
pub const SALES_FEED: &str = "sales";

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
    let catalog =
        atq_platform::catalog::CatalogReader::new(&settings.peers.import_planning, settings.internal_key.clone())?;
    let stock_imports = stock_import_api::server(db.clone(), catalog.clone(), settings.internal_key.clone());
    let commissions = CommissionsServer::with_interceptor(
        commissions_api::CommissionsApi { db: db.clone(), catalog: catalog.clone() },
        authenticate(settings.internal_key.clone()),
    );
    let warehouse = WarehouseServer::with_interceptor(
        warehouse_api::WarehouseApi { db: db.clone(), catalog },
        authenticate(settings.internal_key.clone()),
    );
    let customers = sales_customers::SalesCustomers::new(&settings.peers.sales, settings.internal_key.clone())?;
    let receivable_imports =
        receivable_import_api::server(db.clone(), customers.clone(), settings.internal_key.clone());
    let bonuses = BonusesServer::with_interceptor(
        bonuses_api::BonusesApi { db: db.clone(), customers: customers.clone() },
        authenticate(settings.internal_key.clone()),
    );
    let accounting = AccountingServer::with_interceptor(
        accounting_api::AccountingApi { db: db.clone(), customers },
        authenticate(settings.internal_key.clone()),
    );
    let returns = ReturnsServer::with_interceptor(
        returns_api::ReturnsApi { db: db.clone() },
        authenticate(settings.internal_key.clone()),
    );
    let serials = SerialHistoryServer::with_interceptor(
        serial_history_api::SerialHistoryApi { db: db.clone() },
        authenticate(settings.internal_key.clone()),
    );
    let moves = WarrantyMovesServer::with_interceptor(
        warranty_moves_api::WarrantyMovesApi { db: db.clone() },
        authenticate(settings.internal_key.clone()),
    );
    let shipments = FeedConsumer {
        feed: SALES_FEED.to_owned(),
        address: settings.peers.sales.clone(),
        db: db.clone(),
        key: settings.internal_key.clone(),
        consumer: NAME.to_owned(),
        projection: Arc::new(sales_feed::SalesFeed { db: db.clone() }),
    };
    let consuming = tokio::spawn(shipments.run(shutdown.clone()));
    let outcome = grpc_server::serve(
        NAME,
        listener,
        db.clone(),
        settings.internal_key,
        Routes::new(warehouse)
            .add_service(accounting)
            .add_service(bonuses)
            .add_service(commissions)
            .add_service(returns)
            .add_service(serials)
            .add_service(moves)
            .add_service(stock_imports)
            .add_service(receivable_imports),
        shutdown.clone(),
    )
    .await;
    shutdown.cancel();
    let _ = consuming.await;
    db.close().await;
    outcome
}
