//! gRPC adapter for `atq.importplanning.v1.ProductImports`: authorises and bounds; the rules live
//! in [`crate::product_import`].

use atq_platform::caller::{Action, authenticate};
use atq_platform::{Caller, Db, Error, InternalKey, idempotency};
use atq_proto::importplanning::v1 as pb;
use atq_proto::importplanning::v1::product_imports_server::{ProductImports, ProductImportsServer};
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Response, Status};

use crate::product_import::{self, MAX_IMPORT_ROWS, MAX_MESSAGE_BYTES};

pub struct ProductImportApi {
    pub db: Db,
}

/// The service behind the caller check; a 20,000-row import is larger than the default 4 MiB
/// message.
pub fn server(
    db: Db,
    key: InternalKey,
) -> InterceptedService<ProductImportsServer<ProductImportApi>, impl tonic::service::Interceptor + Clone> {
    let server = ProductImportsServer::new(ProductImportApi { db })
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    InterceptedService::new(server, authenticate(key))
}

#[tonic::async_trait]
impl ProductImports for ProductImportApi {
    async fn import_products(
        &self,
        request: Request<pb::ImportProductsRequest>,
    ) -> Result<Response<pb::ImportProductsResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCatalog)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        if input.rows.is_empty() || input.rows.len() > MAX_IMPORT_ROWS {
            return Err(Error::invalid("rows", format!("must be 1 to {MAX_IMPORT_ROWS} rows")).into());
        }
        Ok(Response::new(product_import::import(&self.db, &caller, key.as_deref(), &input).await?))
    }
}
