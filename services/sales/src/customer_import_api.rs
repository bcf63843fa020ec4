//! gRPC adapter for `atq.sales.v1.CustomerImports`: authorises and bounds; the rules live in
//! [`crate::customer_import`].

use atq_platform::caller::Action;
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::customer_imports_server::CustomerImports;
use tonic::{Request, Response, Status};

use crate::customer_import::{self, MAX_IMPORT_ROWS};

pub struct CustomerImportApi {
    pub db: Db,
}

#[tonic::async_trait]
impl CustomerImports for CustomerImportApi {
    async fn import_customers(
        &self,
        request: Request<pb::ImportCustomersRequest>,
    ) -> Result<Response<pb::ImportCustomersResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        if input.rows.is_empty() || input.rows.len() > MAX_IMPORT_ROWS {
            return Err(Error::invalid("rows", format!("must be 1 to {MAX_IMPORT_ROWS} rows")).into());
        }
        Ok(Response::new(customer_import::import(&self.db, &caller, key.as_deref(), &input).await?))
    }
}
