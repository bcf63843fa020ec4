//! gRPC adapter for `atq.accountingwarehouse.v1.ReceivableImports`: authorises (WriteAccounts) and
//! bounds the rows; the rules live in [`crate::receivable_import`].

use atq_platform::caller::{Action, authenticate};
use atq_platform::{Caller, Db, Error, InternalKey, idempotency};
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::accountingwarehouse::v1::receivable_imports_server::{ReceivableImports, ReceivableImportsServer};
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Response, Status};

use crate::receivable_import::{self, MAX_IMPORT_ROWS, MAX_MESSAGE_BYTES};
use crate::sales_customers::SalesCustomers;

pub struct ReceivableImportApi {
    pub db: Db,
    /// Rows name customers by the code sales keeps.
    pub customers: SalesCustomers,
}

/// The service behind the caller check; a 20,000-row import is larger than the default 4 MiB
/// message.
pub fn server(
    db: Db,
    customers: SalesCustomers,
    key: InternalKey,
) -> InterceptedService<ReceivableImportsServer<ReceivableImportApi>, impl tonic::service::Interceptor + Clone> {
    let server = ReceivableImportsServer::new(ReceivableImportApi { db, customers })
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    InterceptedService::new(server, authenticate(key))
}

#[tonic::async_trait]
impl ReceivableImports for ReceivableImportApi {
    async fn import_receivables(
        &self,
        request: Request<pb::ImportReceivablesRequest>,
    ) -> Result<Response<pb::ImportReceivablesResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteAccounts)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        if input.rows.is_empty() || input.rows.len() > MAX_IMPORT_ROWS {
            return Err(Error::invalid("rows", format!("must be 1 to {MAX_IMPORT_ROWS} rows")).into());
        }
        let answer = receivable_import::import(&self.db, &self.customers, &caller, key.as_deref(), &input).await?;
        Ok(Response::new(answer))
    }
}
