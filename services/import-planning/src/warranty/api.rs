//! gRPC adapter for `atq.importplanning.v1.Warranty`.
//!
//! Who may: anyone who reads stock looks a serial up (ReadStock); anyone who reads customers reads
//! warranty cases (ReadCustomers), office-scoped callers those of their office; the import-export
//! department handles them (HandleWarranty: import officer, director, admin).

use atq_platform::caller::Action;
use atq_platform::paging::Page;
use atq_platform::validation::{Violations, status_filter};
use atq_platform::{Caller, idempotency};
use atq_proto::importplanning::v1 as pb;
use atq_proto::importplanning::v1::warranty_server;
use tonic::{Request, Response, Status};

use super::cases::{self, STATUSES, Warranty};
use super::store::{self, CaseQuery};
use super::{decisions, lookup};

pub struct WarrantyApi {
    pub warranty: Warranty,
}

/// The caller of a writing request, allowed to handle warranty.
fn handler<T>(request: &Request<T>) -> Result<Caller, Status> {
    let caller = Caller::of(request)?;
    caller.require(Action::HandleWarranty)?;
    Ok(caller)
}

#[tonic::async_trait]
impl warranty_server::Warranty for WarrantyApi {
    async fn look_up_serial(
        &self,
        request: Request<pb::LookUpSerialRequest>,
    ) -> Result<Response<pb::SerialWarranty>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadStock)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        v.check("serial", cases::parse_serial(&input.serial));
        if input.product_id < 0 {
            v.add("product_id", "must be a product id");
        }
        v.finish()?;
        let w = &self.warranty;
        Ok(Response::new(lookup::look_up(&w.units, &w.db, &caller, &input).await?))
    }

    async fn open_case(&self, request: Request<pb::OpenCaseRequest>) -> Result<Response<pb::WarrantyCase>, Status> {
        let caller = handler(&request)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        Ok(Response::new(cases::open(&self.warranty, &caller, key.as_deref(), &input).await?))
    }

    async fn get_case(&self, request: Request<pb::GetCaseRequest>) -> Result<Response<pb::WarrantyCase>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        Ok(Response::new(cases::load(&self.warranty.db, &caller, request.get_ref().id).await?))
    }

    async fn list_cases(
        &self,
        request: Request<pb::ListCasesRequest>,
    ) -> Result<Response<pb::ListCasesResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let status = status_filter(&mut v, &input.status, STATUSES);
        let page = Page::parse(input.page.as_ref(), &mut v);
        v.finish()?;
        let query = CaseQuery {
            status,
            serial: input.serial.trim().to_owned(),
            customer_id: input.customer_id.max(0),
            office: caller.territory(),
            after_id: page.after_id,
            limit: page.fetch_limit(),
        };
        let mut items = store::list(&self.warranty.db, &query).await?;
        let next_cursor = page.finish(&mut items, |case| case.id);
        Ok(Response::new(pb::ListCasesResponse { items, next_cursor }))
    }

    async fn diagnose_case(
        &self,
        request: Request<pb::DiagnoseCaseRequest>,
    ) -> Result<Response<pb::WarrantyCase>, Status> {
        let caller = handler(&request)?;
        Ok(Response::new(cases::diagnose(&self.warranty.db, &caller, request.get_ref()).await?))
    }

    async fn decide_case(&self, request: Request<pb::DecideCaseRequest>) -> Result<Response<pb::WarrantyCase>, Status> {
        let caller = handler(&request)?;
        Ok(Response::new(decisions::decide(&self.warranty, &caller, request.get_ref()).await?))
    }

    async fn ship_to_supplier(
        &self,
        request: Request<pb::ShipToSupplierRequest>,
    ) -> Result<Response<pb::WarrantyCase>, Status> {
        let caller = handler(&request)?;
        Ok(Response::new(decisions::ship(&self.warranty, &caller, request.get_ref()).await?))
    }

    async fn receive_from_supplier(
        &self,
        request: Request<pb::ReceiveFromSupplierRequest>,
    ) -> Result<Response<pb::WarrantyCase>, Status> {
        let caller = handler(&request)?;
        Ok(Response::new(decisions::receive(&self.warranty, &caller, request.get_ref()).await?))
    }

    async fn close_case(&self, request: Request<pb::CloseCaseRequest>) -> Result<Response<pb::WarrantyCase>, Status> {
        let caller = handler(&request)?;
        Ok(Response::new(cases::close(&self.warranty.db, &caller, request.get_ref()).await?))
    }
}
