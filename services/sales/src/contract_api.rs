//! gRPC adapter for `atq.sales.v1.Contracts`.

use atq_platform::business_time::date_from_proto;
use atq_platform::caller::Action;
use atq_platform::paging::Page;
use atq_platform::validation::{self, Violations, optional_text, required_text};
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::contracts_server::Contracts;
use tonic::{Request, Response, Status};

use crate::contract::{self, NewContract, check_file, may_move, status};
use crate::contract_store::{self, ContractChange, ContractFilter, ContractRow};
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

/// The update applied to what was read, checked field by field.
fn change_of(contract: &ContractRow, input: &pb::UpdateContractRequest) -> Result<ContractChange, Error> {
    let current = &contract.proto;
    let mut v = Violations::new();
    let name = match &input.name {
        Some(name) => v.check("name", required_text(name, 300)).unwrap_or_default(),
        None => current.name.clone(),
    };
    let responsible = match &input.responsible {
        Some(text) => v.check("responsible", contract::check_responsible(text)).unwrap_or_default(),
        None => current.responsible.clone(),
    };
    let made_on = current.made_on.as_ref().and_then(|d| date_from_proto(d).ok());
    let ends_on = match &input.ends_on {
        Some(date) => v.check("ends_on", date_from_proto(date)),
        None => current.ends_on.as_ref().and_then(|d| date_from_proto(d).ok()),
    };
    if let (Some(end), Some(made)) = (ends_on, made_on)
        && end < made
    {
        v.add("ends_on", "must not be before the date the contract was made");
    }
    let value = input.value.unwrap_or(current.value);
    if value < 0 {
        v.add("value", "must not be negative");
    }
    let note = match &input.note {
        Some(note) => v.check("note", optional_text(note, 4000)).unwrap_or_default(),
        None => current.note.clone(),
    };
    let status = match input.status.as_deref().map(str::trim) {
        None => current.status.clone(),
        Some(to) if to == current.status => current.status.clone(),
        Some(to) if !status::ALL.contains(&to) => {
            v.add("status", format!("must be one of {}", status::ALL.join(", ")));
            current.status.clone()
        }
        Some(to) if !may_move(&current.status, to) => {
            return Err(Error::Conflict(format!(
                "contract {} is {}; it cannot become {to}",
                current.number, current.status
            )));
        }
        Some(to) if to == status::SIGNED && current.files.is_empty() => {
            return Err(Error::Conflict(format!(
                "contract {} has no signed copy attached; attach the signed PDF first",
                current.number
            )));
        }
        Some(to) => to.to_owned(),
    };
    v.finish()?;
    Ok(ContractChange { name, responsible, ends_on, value, note, status })
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
        let scope = format!("sales.CreateContract:{}", caller.username);
        let created = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (contract, customer, by) = (contract.clone(), customer.clone(), caller.username.clone());
            Box::pin(async move {
                let id = contract_store::insert(tx, &contract, &customer, &by).await?;
                let row =
                    contract_store::find(tx, id).await?.ok_or_else(|| Error::NotFound(format!("contract {id}")))?;
                Ok(row.proto)
            })
        })
        .await?;
        tracing::info!(contract = %created.number, "contract created");
        Ok(Response::new(created))
    }

    async fn get_contract(&self, request: Request<pb::GetContractRequest>) -> Result<Response<pb::Contract>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        Ok(Response::new(self.visible(&caller, request.into_inner().id).await?.proto))
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
        let wanted = validation::status_filter(&mut v, &input.status, &status::ALL);
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
        Error::unless_stale(input.expected_version, contract.proto.version)?;
        let change = change_of(&contract, &input)?;
        let mut tx = self.db.begin().await.map_err(Error::from)?;
        contract_store::update(&mut tx, &contract, &change).await?;
        let updated = contract_store::find(&mut tx, contract.id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("contract {}", contract.id)))?;
        tx.commit().await.map_err(Error::from)?;
        tracing::info!(contract = %updated.proto.number, status = %updated.status, "contract updated");
        Ok(Response::new(updated.proto))
    }

    async fn attach_file(&self, request: Request<pb::AttachFileRequest>) -> Result<Response<pb::ContractFile>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteOrders)?;
        let input = request.into_inner();
        let contract = self.visible(&caller, input.contract_id).await?;
        if contract.status == status::CANCELLED {
            return Err(Error::Conflict(format!("contract {} is cancelled", contract.proto.number)).into());
        }
        let (file_name, content_type) = check_file(&input.file_name, &input.content_type, &input.content)?;
        let mut tx = self.db.begin().await.map_err(Error::from)?;
        let file =
            contract_store::attach(&mut tx, contract.id, &file_name, &content_type, &input.content, &caller.username)
                .await?;
        tx.commit().await.map_err(Error::from)?;
        tracing::info!(contract = %contract.proto.number, file = %file.file_name, size = file.size, "file kept");
        Ok(Response::new(file))
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
