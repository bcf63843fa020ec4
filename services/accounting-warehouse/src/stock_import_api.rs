//! gRPC adapter for `atq.accountingwarehouse.v1.StockImports`: authorises (WriteStock), bounds the
//! rows and asks the catalog which products are serial-tracked; the rules live in
//! [`crate::stock_import`].

use atq_platform::caller::{Action, authenticate};
use atq_platform::catalog::CatalogReader;
use atq_platform::{Caller, Db, Error, InternalKey};
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::accountingwarehouse::v1::stock_imports_server::{StockImports, StockImportsServer};
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Response, Status};

use crate::stock::{Tracking, product_ids};
use crate::stock_import::{self, MAX_IMPORT_ROWS, MAX_MESSAGE_BYTES};

/// The catalog answers at most this many products per call.
const CATALOG_BATCH: usize = 500;

pub struct StockImportApi {
    pub db: Db,
    pub catalog: CatalogReader,
}

/// The service behind the caller check; a 20,000-row import is larger than the default 4 MiB
/// message.
pub fn server(
    db: Db,
    catalog: CatalogReader,
    key: InternalKey,
) -> InterceptedService<StockImportsServer<StockImportApi>, impl tonic::service::Interceptor + Clone> {
    let server = StockImportsServer::new(StockImportApi { db, catalog })
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    InterceptedService::new(server, authenticate(key))
}

#[tonic::async_trait]
impl StockImports for StockImportApi {
    async fn import_stock(
        &self,
        request: Request<pb::ImportStockRequest>,
    ) -> Result<Response<pb::ImportStockResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteStock)?;
        let input = request.into_inner();
        if input.rows.is_empty() || input.rows.len() > MAX_IMPORT_ROWS {
            return Err(Error::invalid("rows", format!("must be 1 to {MAX_IMPORT_ROWS} rows")).into());
        }
        let ids = product_ids(input.rows.iter().map(|row| row.product_id));
        let mut tracking = Tracking::new();
        for batch in ids.chunks(CATALOG_BATCH) {
            let products = self.catalog.products(&caller, batch).await?;
            tracking.extend(products.into_iter().map(|(id, product)| (id, product.serial_tracked)));
        }
        Ok(Response::new(stock_import::import(&self.db, &caller, tracking, &input).await?))
    }
}
