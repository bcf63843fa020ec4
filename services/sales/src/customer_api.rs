//! gRPC adapter for `atq.sales.v1.Customers`: identity and input checks, then the store.

use atq_platform::caller::Action;
use atq_platform::paging::Page;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, Office, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::customers_server::Customers;
use tonic::{Request, Response, Status};

use crate::customer::{self, CustomerFields, CustomerGroup, parse_phone};
use crate::customer_store::{self, CustomerRow, ListFilter};

pub struct CustomerApi {
    db: Db,
}

impl CustomerApi {
    pub fn new(db: Db) -> Self {
        CustomerApi { db }
    }
}

/// A customer outside the caller's territory is reported as missing, never shown.
fn visible(row: Option<CustomerRow>, caller: &Caller, id: i64) -> Result<CustomerRow, Error> {
    row.filter(|row| caller.sees_office(row.fields.office)).ok_or_else(|| Error::NotFound(format!("customer {id}")))
}

#[tonic::async_trait]
impl Customers for CustomerApi {
    async fn create_customer(
        &self,
        request: Request<pb::CreateCustomerRequest>,
    ) -> Result<Response<pb::Customer>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let fields = CustomerFields::parse_new(&input, &caller)?;
        let scope = format!("sales.CreateCustomer:{}", caller.username);
        let db = self.db.clone();
        let customer = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (db, fields, caller) = (db.clone(), fields.clone(), caller.clone());
            Box::pin(async move { Ok(customer_store::insert(tx, &db, &fields, &caller).await?.to_proto()) })
        })
        .await?;
        tracing::info!(customer_id = customer.id, code = %customer.code, "customer created");
        metrics::counter!("atq_customers_created_total").increment(1);
        Ok(Response::new(customer))
    }

    async fn get_customer(&self, request: Request<pb::GetCustomerRequest>) -> Result<Response<pb::Customer>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let id = request.into_inner().id;
        let row = visible(customer_store::find(self.db.pool(), id).await?, &caller, id)?;
        Ok(Response::new(row.to_proto()))
    }

    async fn update_customer(
        &self,
        request: Request<pb::UpdateCustomerRequest>,
    ) -> Result<Response<pb::Customer>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        if input.expected_version <= 0 {
            return Err(Error::invalid("version", "the version you read is required").into());
        }
        let scope = format!("sales.UpdateCustomer:{}", caller.username);
        let db = self.db.clone();
        let request_copy = input.clone();
        let customer = idempotency::run_once(&self.db, &scope, key.as_deref(), &request_copy, move |tx| {
            let (db, input, caller) = (db.clone(), input.clone(), caller.clone());
            Box::pin(async move { customer::update(tx, &db, &caller, &input).await })
        })
        .await?;
        Ok(Response::new(customer))
    }

    async fn list_customers(
        &self,
        request: Request<pb::ListCustomersRequest>,
    ) -> Result<Response<pb::ListCustomersResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        let group = (input.group != 0).then(|| v.check("group", CustomerGroup::from_proto(input.group))).flatten();
        let office = (input.office != 0).then(|| v.check("office", Office::from_proto(input.office))).flatten();
        let assigned_to = v.check("assigned_to", customer::parse_username(&input.assigned_to)).unwrap_or_default();
        v.finish()?;
        let office = match (office, caller.territory()) {
            (Some(asked), Some(own)) if asked != own => {
                return Ok(Response::new(pb::ListCustomersResponse::default()));
            }
            (asked, own) => asked.or(own),
        };
        // A phone typed as +84 or with spaces is searched in its stored form.
        let query = parse_phone(&input.q).unwrap_or(input.q);
        let filter = ListFilter { query, group, office, assigned_to, page };
        let mut rows = customer_store::list(&self.db, &filter).await?;
        let next_cursor = page.finish(&mut rows, |row| row.id);
        let items = rows.iter().map(CustomerRow::to_proto).collect();
        Ok(Response::new(pb::ListCustomersResponse { items, next_cursor }))
    }

    async fn customer_history(
        &self,
        request: Request<pb::CustomerHistoryRequest>,
    ) -> Result<Response<pb::CustomerHistoryResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let id = request.into_inner().id;
        visible(customer_store::find(self.db.pool(), id).await?, &caller, id)?;
        let revisions = customer_store::revisions(&self.db, id).await?;
        Ok(Response::new(pb::CustomerHistoryResponse { revisions }))
    }
}
