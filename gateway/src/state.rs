//! What every handler shares: clients of the services, keys, the gateway's own database.

use std::sync::Arc;

use atq_platform::{Db, InternalKey, Peers, grpc_client};
use atq_proto::accountingwarehouse::v1::accounting_client::AccountingClient;
use atq_proto::accountingwarehouse::v1::returns_client::ReturnsClient;
use atq_proto::accountingwarehouse::v1::warehouse_client::WarehouseClient;
use atq_proto::analytics::v1::reports_client::ReportsClient;
use atq_proto::importplanning::v1::catalog_client::CatalogClient;
use atq_proto::importplanning::v1::costing_client::CostingClient;
use atq_proto::importplanning::v1::import_plans_client::ImportPlansClient;
use atq_proto::importplanning::v1::price_lists_client::PriceListsClient;
use atq_proto::importplanning::v1::purchase_orders_client::PurchaseOrdersClient;
use atq_proto::sales::v1::contacts_client::ContactsClient;
use atq_proto::sales::v1::contracts_client::ContractsClient;
use atq_proto::sales::v1::customers_client::CustomersClient;
use atq_proto::sales::v1::dispatch_orders_client::DispatchOrdersClient;
use atq_proto::sales::v1::leads_client::LeadsClient;
use atq_proto::sales::v1::orders_client::OrdersClient;
use atq_proto::sales::v1::quotes_client::QuotesClient;
use tonic::transport::Channel;

use crate::auth::TokenKeys;
use crate::login_guard::LoginGuard;

/// Cloned for every request (axum hands each extractor its own copy): two reference counts, where
/// copying the two dozen service clients one by one cost a tenth of a read's time.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
    /// The OpenAPI document as served, set once the routes are assembled.
    pub openapi_json: Arc<String>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.shared
    }
}

/// What every handler reads through [`AppState`].
pub struct Shared {
    pub db: Db,
    pub internal_key: InternalKey,
    pub token_keys: TokenKeys,
    /// Failed sign-ins and the password-hashing slots, shared by every request of this replica.
    pub login_guard: Arc<LoginGuard>,
    pub customers: CustomersClient<Channel>,
    pub contacts: ContactsClient<Channel>,
    pub leads: LeadsClient<Channel>,
    pub orders: OrdersClient<Channel>,
    pub quotes: QuotesClient<Channel>,
    pub contracts: ContractsClient<Channel>,
    pub dispatch_orders: DispatchOrdersClient<Channel>,
    pub activities: atq_proto::sales::v1::activities_client::ActivitiesClient<Channel>,
    pub calendar_feeds: atq_proto::sales::v1::calendar_feeds_client::CalendarFeedsClient<Channel>,
    pub sales_reports: atq_proto::sales::v1::sales_reports_client::SalesReportsClient<Channel>,
    pub opportunities: atq_proto::sales::v1::opportunities_client::OpportunitiesClient<Channel>,
    pub targets: atq_proto::sales::v1::targets_client::TargetsClient<Channel>,
    pub customer_imports: atq_proto::sales::v1::customer_imports_client::CustomerImportsClient<Channel>,
    pub discussion: atq_proto::sales::v1::discussion_client::DiscussionClient<Channel>,
    pub reports: ReportsClient<Channel>,
    pub catalog: CatalogClient<Channel>,
    pub costing: CostingClient<Channel>,
    pub price_lists: PriceListsClient<Channel>,
    pub import_plans: ImportPlansClient<Channel>,
    pub purchase_orders: PurchaseOrdersClient<Channel>,
    pub warehouse: WarehouseClient<Channel>,
    pub accounting: AccountingClient<Channel>,
    pub returns: ReturnsClient<Channel>,
    /// Each service's channel, by name, for readiness.
    pub services: Arc<Vec<(&'static str, Channel)>>,
}

impl AppState {
    pub fn new(db: Db, internal_key: InternalKey, token_keys: TokenKeys, peers: &Peers) -> anyhow::Result<AppState> {
        let sales = grpc_client::channel(&peers.sales)?;
        let analytics = grpc_client::channel(&peers.analytics)?;
        let import_planning = grpc_client::channel(&peers.import_planning)?;
        let accounting_warehouse = grpc_client::channel(&peers.accounting_warehouse)?;
        let services = vec![
            ("sales", sales.clone()),
            ("import-planning", import_planning.clone()),
            ("accounting-warehouse", accounting_warehouse.clone()),
            ("analytics", analytics.clone()),
        ];
        let shared = Shared {
            db,
            internal_key,
            token_keys,
            login_guard: Arc::new(LoginGuard::default()),
            customers: CustomersClient::new(sales.clone()),
            contacts: ContactsClient::new(sales.clone()),
            leads: LeadsClient::new(sales.clone()),
            orders: OrdersClient::new(sales.clone()),
            quotes: QuotesClient::new(sales.clone()),
            // Signed copies travel whole (up to 10 MiB).
            contracts: ContractsClient::new(sales.clone())
                .max_decoding_message_size(crate::sales::MAX_FILE_BYTES + 64 * 1024)
                .max_encoding_message_size(crate::sales::MAX_FILE_BYTES + 64 * 1024),
            opportunities: atq_proto::sales::v1::opportunities_client::OpportunitiesClient::new(sales.clone()),
            targets: atq_proto::sales::v1::targets_client::TargetsClient::new(sales.clone()),
            // A 20,000-row import is larger than the default 4 MiB message.
            customer_imports: atq_proto::sales::v1::customer_imports_client::CustomerImportsClient::new(sales.clone())
                .max_decoding_message_size(32 * 1024 * 1024)
                .max_encoding_message_size(32 * 1024 * 1024),
            // Shared documents travel whole, like contract files.
            discussion: atq_proto::sales::v1::discussion_client::DiscussionClient::new(sales.clone())
                .max_decoding_message_size(crate::sales::MAX_FILE_BYTES + 64 * 1024)
                .max_encoding_message_size(crate::sales::MAX_FILE_BYTES + 64 * 1024),
            activities: atq_proto::sales::v1::activities_client::ActivitiesClient::new(sales.clone()),
            calendar_feeds: atq_proto::sales::v1::calendar_feeds_client::CalendarFeedsClient::new(sales.clone()),
            sales_reports: atq_proto::sales::v1::sales_reports_client::SalesReportsClient::new(sales.clone()),
            dispatch_orders: DispatchOrdersClient::new(sales),
            reports: ReportsClient::new(analytics),
            catalog: CatalogClient::new(import_planning.clone()),
            costing: CostingClient::new(import_planning.clone()),
            price_lists: PriceListsClient::new(import_planning.clone()),
            import_plans: ImportPlansClient::new(import_planning.clone()),
            purchase_orders: PurchaseOrdersClient::new(import_planning),
            warehouse: WarehouseClient::new(accounting_warehouse.clone()),
            returns: ReturnsClient::new(accounting_warehouse.clone()),
            accounting: AccountingClient::new(accounting_warehouse),
            services: Arc::new(services),
        };
        Ok(AppState { shared: Arc::new(shared), openapi_json: Arc::new(String::new()) })
    }

    /// The channel to a service by name (`sales`, `import-planning`, `accounting-warehouse`,
    /// `analytics`), for the clients a handler makes on it.
    pub fn channel(&self, service: &str) -> Result<Channel, crate::problem::Problem> {
        let found = self.services.iter().find(|(name, _)| *name == service).map(|(_, channel)| channel.clone());
        found.ok_or_else(|| crate::problem::Problem::busy(format!("the {service} service is not configured")))
    }
}
