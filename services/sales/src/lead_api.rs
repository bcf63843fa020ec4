//! gRPC adapter for `atq.sales.v1.Leads`: authorises and translates; the rules live in
//! [`crate::lead`]. Leads are the sales department's own work, so even reading them takes the
//! right to write customers.

use atq_platform::caller::Action;
use atq_platform::paging::Page;
use atq_platform::validation::{self, Violations};
use atq_platform::{Caller, Db, Error, Office, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::leads_server::Leads;
use tonic::{Request, Response, Status};

use crate::customer::{parse_phone, parse_username};
use crate::lead::{self, LeadFields, STATUSES};
use crate::lead_store::{self, LeadFilter, LeadRow};

pub struct LeadApi {
    pub db: Db,
}

fn require_version(expected_version: i64) -> Result<(), Error> {
    if expected_version <= 0 {
        return Err(Error::invalid("version", "the version you read is required"));
    }
    Ok(())
}

#[tonic::async_trait]
impl Leads for LeadApi {
    async fn create_lead(&self, request: Request<pb::CreateLeadRequest>) -> Result<Response<pb::Lead>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let fields = LeadFields::parse_new(&input, &caller)?;
        let scope = format!("sales.CreateLead:{}", caller.username);
        let created = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (fields, caller) = (fields.clone(), caller.clone());
            Box::pin(async move { Ok(lead_store::insert(tx, &fields, &caller).await?.to_proto()) })
        })
        .await?;
        tracing::info!(lead_id = created.id, "lead created");
        Ok(Response::new(created))
    }

    async fn get_lead(&self, request: Request<pb::GetLeadRequest>) -> Result<Response<pb::Lead>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let id = request.into_inner().id;
        let row = lead_store::find(self.db.pool(), id)
            .await?
            .filter(|row| caller.sees_office(row.fields.office))
            .ok_or_else(|| Error::NotFound(format!("lead {id}")))?;
        Ok(Response::new(row.to_proto()))
    }

    async fn update_lead(&self, request: Request<pb::UpdateLeadRequest>) -> Result<Response<pb::Lead>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        require_version(input.expected_version)?;
        let scope = format!("sales.UpdateLead:{}", caller.username);
        let request_copy = input.clone();
        let updated = idempotency::run_once(&self.db, &scope, key.as_deref(), &request_copy, move |tx| {
            let (input, caller) = (input.clone(), caller.clone());
            Box::pin(async move { lead::update(tx, &caller, &input).await })
        })
        .await?;
        Ok(Response::new(updated))
    }

    async fn list_leads(
        &self,
        request: Request<pb::ListLeadsRequest>,
    ) -> Result<Response<pb::ListLeadsResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        let status = validation::status_filter(&mut v, &input.status, STATUSES);
        let office = (input.office != 0).then(|| v.check("office", Office::from_proto(input.office))).flatten();
        let owner = v.check("owner", parse_username(&input.owner)).unwrap_or_default();
        v.finish()?;
        let office = match (office, caller.territory()) {
            (Some(asked), Some(own)) if asked != own => return Ok(Response::new(pb::ListLeadsResponse::default())),
            (asked, own) => asked.or(own),
        };
        let query = parse_phone(&input.q).unwrap_or(input.q);
        let filter = LeadFilter { query, status, office, owner, page };
        let mut rows = lead_store::list(&self.db, &filter).await?;
        let next_cursor = page.finish(&mut rows, |row| row.id);
        let items = rows.iter().map(LeadRow::to_proto).collect();
        Ok(Response::new(pb::ListLeadsResponse { items, next_cursor }))
    }

    async fn disqualify_lead(&self, request: Request<pb::DisqualifyLeadRequest>) -> Result<Response<pb::Lead>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        require_version(input.expected_version)?;
        let scope = format!("sales.DisqualifyLead:{}", caller.username);
        let request_copy = input.clone();
        let updated = idempotency::run_once(&self.db, &scope, key.as_deref(), &request_copy, move |tx| {
            let (input, caller) = (input.clone(), caller.clone());
            Box::pin(async move { lead::disqualify(tx, &caller, &input).await })
        })
        .await?;
        Ok(Response::new(updated))
    }

    async fn convert_lead(
        &self,
        request: Request<pb::ConvertLeadRequest>,
    ) -> Result<Response<pb::ConvertLeadResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let scope = format!("sales.ConvertLead:{}", caller.username);
        let db = self.db.clone();
        let id = input.id;
        let converted = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (db, caller) = (db.clone(), caller.clone());
            Box::pin(async move { lead::convert(tx, &db, &caller, id).await })
        })
        .await?;
        tracing::info!(lead_id = id, customer_id = converted.customer_id, "lead converted");
        metrics::counter!("atq_leads_converted_total").increment(1);
        Ok(Response::new(converted))
    }
}
