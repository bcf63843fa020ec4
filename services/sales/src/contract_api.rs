//! gRPC adapter for `atq.sales.v1.Contracts`: authorises and translates; the rules live in
//! [`crate::contract`].

use atq_platform::caller::Action;
use atq_platform::paging::Page;
use atq_platform::validation::{self, Violations};
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::contracts_server::Contracts;
use tonic::{Request, Response, Status};

use crate::contract::{self, ContractStatus, NewContract};
use crate::contract_store::{self, ContractFilter, ContractRow};
use crate::customer_store;

pub struct ContractApi {
    pub db: Db,
}

impl ContractApi {
    async fn visible(&self, caller: &Caller, id: i64) -> Result<ContractRow, Error> {
        let mut conn = self.db.pool().acquire().await?;
        contract_store::find(&mut conn, id)
            .await?
            .filter(|contract| caller.sees_office(contract.office))
            .ok_or_else(|| Error::NotFound(format!("contract {id}")))
    }
}

#[tonic::async_trait]
impl Contracts for ContractApi {
    async fn create_contract(
        &self,
        request: Request<pb::CreateContractRequest>,
    ) -> Result<Response<pb::Contract>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteOrders)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let contract = NewContract::parse(&input, &caller.username)?;
        let customer = customer_store::find(self.db.pool(), input.customer_id)
            .await?
            .filter(|c| caller.sees_office(c.fields.office))
            .ok_or_else(|| Error::invalid("customer_id", "no customer in your territory has this id"))?;
        Ok(Response::new(contract::create(&self.db, &caller, key.as_deref(), &input, contract, customer).await?))
    }

    async fn get_contract(&self, request: Request<pb::GetContractRequest>) -> Result<Response<pb::Contract>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        Ok(Response::new(self.visible(&caller, request.into_inner().id).await?.proto))
    }

    async fn get_contract_by_number(
        &self,
        request: Request<pb::GetContractByNumberRequest>,
    ) -> Result<Response<pb::Contract>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        let number = request.into_inner().number;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        let id = contract_store::id_by_number(&mut conn, number.trim()).await?;
        drop(conn);
        let id = id.ok_or_else(|| Error::NotFound(format!("contract {number}")))?;
        Ok(Response::new(self.visible(&caller, id).await?.proto))
    }

    async fn list_contracts(
        &self,
        request: Request<pb::ListContractsRequest>,
    ) -> Result<Response<pb::ListContractsResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        let wanted = validation::status_filter(&mut v, &input.status, ContractStatus::ALL);
        v.finish()?;
        let filter =
            ContractFilter { customer_id: input.customer_id.max(0), status: wanted, office: caller.territory(), page };
        let mut rows = contract_store::list(&self.db, &filter).await?;
        let next_cursor = page.finish(&mut rows, |row| row.id);
        Ok(Response::new(pb::ListContractsResponse {
            items: rows.into_iter().map(|row| row.proto).collect(),
            next_cursor,
        }))
    }

    async fn update_contract(
        &self,
        request: Request<pb::UpdateContractRequest>,
    ) -> Result<Response<pb::Contract>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteOrders)?;
        let input = request.into_inner();
        let contract = self.visible(&caller, input.id).await?;
        Ok(Response::new(contract::update(&self.db, &caller, &contract, &input).await?))
    }

    async fn attach_file(&self, request: Request<pb::AttachFileRequest>) -> Result<Response<pb::ContractFile>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteOrders)?;
        let input = request.into_inner();
        let contract = self.visible(&caller, input.contract_id).await?;
        Ok(Response::new(contract::attach(&self.db, &caller, &contract, &input).await?))
    }

    async fn get_file(&self, request: Request<pb::GetFileRequest>) -> Result<Response<pb::FileContent>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        let input = request.into_inner();
        let contract = self.visible(&caller, input.contract_id).await?;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        let file = contract_store::file(&mut conn, contract.id, input.file_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("file {} of contract {}", input.file_id, contract.proto.number)))?;
        Ok(Response::new(file))
    }
}
