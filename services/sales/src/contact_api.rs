//! gRPC adapter for `atq.sales.v1.Contacts`: authorises and translates; the rules live in
//! [`crate::contact`].

use atq_platform::caller::Action;
use atq_platform::paging::Page;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::contacts_server::Contacts;
use tonic::{Request, Response, Status};

use crate::contact::{self, ContactFields, NewParty};
use crate::contact_store::{self, ContactRow};
use crate::customer::parse_phone;
use crate::customer_store;

pub struct ContactApi {
    pub db: Db,
}

impl ContactApi {
    /// Checks that the customer is inside the caller's territory.
    async fn customer_in_territory(&self, caller: &Caller, id: i64) -> Result<(), Error> {
        customer_store::find(self.db.pool(), id)
            .await?
            .filter(|row| caller.sees_office(row.fields.office))
            .map(|_| ())
            .ok_or_else(|| Error::NotFound(format!("customer {id}")))
    }
}

#[tonic::async_trait]
impl Contacts for ContactApi {
    async fn create_contact(
        &self,
        request: Request<pb::CreateContactRequest>,
    ) -> Result<Response<pb::Contact>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let fields = ContactFields::parse_new(&input)?;
        let scope = format!("sales.CreateContact:{}", caller.username);
        let customer_id = input.customer_id;
        let contact = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (fields, caller) = (fields.clone(), caller.clone());
            Box::pin(async move { contact::create(tx, &caller, customer_id, &fields).await })
        })
        .await?;
        Ok(Response::new(contact))
    }

    async fn update_contact(
        &self,
        request: Request<pb::UpdateContactRequest>,
    ) -> Result<Response<pb::Contact>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        if input.expected_version <= 0 {
            return Err(Error::invalid("version", "the version you read is required").into());
        }
        let scope = format!("sales.UpdateContact:{}", caller.username);
        let request_copy = input.clone();
        let contact = idempotency::run_once(&self.db, &scope, key.as_deref(), &request_copy, move |tx| {
            let (input, caller) = (input.clone(), caller.clone());
            Box::pin(async move { contact::update(tx, &caller, &input).await })
        })
        .await?;
        Ok(Response::new(contact))
    }

    async fn list_customer_contacts(
        &self,
        request: Request<pb::ListCustomerContactsRequest>,
    ) -> Result<Response<pb::ListContactsResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let customer_id = request.into_inner().customer_id;
        self.customer_in_territory(&caller, customer_id).await?;
        let rows = contact_store::of_customer(&self.db, customer_id).await?;
        let items = rows.iter().map(ContactRow::to_proto).collect();
        Ok(Response::new(pb::ListContactsResponse { items, next_cursor: String::new() }))
    }

    async fn search_contacts(
        &self,
        request: Request<pb::SearchContactsRequest>,
    ) -> Result<Response<pb::ListContactsResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        v.finish()?;
        // A phone typed as +84 or with spaces is searched in its stored form.
        let query = parse_phone(&input.q).unwrap_or(input.q);
        let mut rows = contact_store::search(&self.db, &query, caller.territory(), page).await?;
        let next_cursor = page.finish(&mut rows, |row| row.id);
        let items = rows.iter().map(ContactRow::to_proto).collect();
        Ok(Response::new(pb::ListContactsResponse { items, next_cursor }))
    }

    async fn add_project_party(
        &self,
        request: Request<pb::AddProjectPartyRequest>,
    ) -> Result<Response<pb::ProjectParty>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let party = NewParty::parse(&input)?;
        let scope = format!("sales.AddProjectParty:{}", caller.username);
        let project_id = input.project_customer_id;
        let added = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (party, caller) = (party.clone(), caller.clone());
            Box::pin(async move { contact::add_party(tx, &caller, project_id, &party).await })
        })
        .await?;
        Ok(Response::new(added))
    }

    async fn remove_project_party(
        &self,
        request: Request<pb::RemoveProjectPartyRequest>,
    ) -> Result<Response<pb::RemoveProjectPartyResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let input = request.into_inner();
        let mut tx = self.db.begin().await.map_err(Error::from)?;
        contact::remove_party(&mut tx, &caller, input.project_customer_id, input.party_id).await?;
        tx.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::RemoveProjectPartyResponse {}))
    }

    async fn list_project_parties(
        &self,
        request: Request<pb::ListProjectPartiesRequest>,
    ) -> Result<Response<pb::ListProjectPartiesResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let project_id = request.into_inner().project_customer_id;
        self.customer_in_territory(&caller, project_id).await?;
        let items = contact_store::parties(&self.db, project_id).await?;
        Ok(Response::new(pb::ListProjectPartiesResponse { items }))
    }
}
