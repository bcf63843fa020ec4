//! gRPC adapter for `atq.sales.v1.ServiceRequestFiles`: the files of a customer request, kept like
//! a customer's ([`crate::record_files`]), for those who see the request's office only.

use atq_platform::caller::Action;
use atq_platform::{Caller, Db, Error};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::service_request_files_server::ServiceRequestFiles;
use tonic::{Request, Response, Status};

use crate::{record_files, record_files_store, request_store};

pub struct RequestFileApi {
    pub db: Db,
}

impl RequestFileApi {
    /// The request's id if the caller's territory holds it; "not found" otherwise, as everywhere.
    async fn visible(&self, caller: &Caller, id: i64) -> Result<i64, Error> {
        let mut conn = self.db.pool().acquire().await?;
        match request_store::find(&mut conn, id).await? {
            Some(row) if caller.sees_office(row.office) => Ok(row.id),
            _ => Err(Error::NotFound(format!("request {id}"))),
        }
    }
}

#[tonic::async_trait]
impl ServiceRequestFiles for RequestFileApi {
    async fn attach_service_request_file(
        &self,
        request: Request<pb::AttachServiceRequestFileRequest>,
    ) -> Result<Response<pb::RecordFile>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteRequests)?;
        let input = request.into_inner();
        let id = self.visible(&caller, input.id).await?;
        Ok(Response::new(record_files::attach_to_request(&self.db, &caller, id, &input).await?))
    }

    async fn list_service_request_files(
        &self,
        request: Request<pb::ListServiceRequestFilesRequest>,
    ) -> Result<Response<pb::ListRecordFilesResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let id = self.visible(&caller, request.into_inner().id).await?;
        Ok(Response::new(pb::ListRecordFilesResponse {
            items: record_files_store::list_of_request(&self.db, id).await?,
        }))
    }

    async fn get_service_request_file(
        &self,
        request: Request<pb::GetServiceRequestFileRequest>,
    ) -> Result<Response<pb::RecordFileContent>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let input = request.into_inner();
        let id = self.visible(&caller, input.id).await?;
        let file = record_files_store::content_of_request(&self.db, id, input.file_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("file {} of request {id}", input.file_id)))?;
        Ok(Response::new(file))
    }
}
