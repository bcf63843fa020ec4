//! gRPC adapter for `atq.importplanning.v1.SupplierImports`: authorises and bounds; the rules live
//! in [`crate::supplier_import`].

use atq_platform::caller::{Action, authenticate};
use atq_platform::{Caller, Db, Error, InternalKey, idempotency};
use atq_proto::importplanning::v1 as pb;
use atq_proto::importplanning::v1::supplier_imports_server::{SupplierImports, SupplierImportsServer};
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Response, Status};

use crate::product_import::{MAX_IMPORT_ROWS, MAX_MESSAGE_BYTES};
use crate::supplier_import;

pub struct SupplierImportApi {
    pub db: Db,
}

/// The service behind the caller check, taking a file as large as a product import.
pub fn server(
    db: Db,
    key: InternalKey,
) -> InterceptedService<SupplierImportsServer<SupplierImportApi>, impl tonic::service::Interceptor + Clone> {
    let server = SupplierImportsServer::new(SupplierImportApi { db })
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    InterceptedService::new(server, authenticate(key))
}

#[tonic::async_trait]
impl SupplierImports for SupplierImportApi {
    async fn import_suppliers(
        &self,
        request: Request<pb::ImportSuppliersRequest>,
    ) -> Result<Response<pb::ImportSuppliersResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCatalog)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        if input.rows.is_empty() || input.rows.len() > MAX_IMPORT_ROWS {
            return Err(Error::invalid("rows", format!("must be 1 to {MAX_IMPORT_ROWS} rows")).into());
        }
        Ok(Response::new(supplier_import::import(&self.db, &caller, key.as_deref(), &input).await?))
    }
}
