//! gRPC adapter for `atq.accountingwarehouse.v1.Returns`.
//!
//! Who may: a return issues a reducing invoice and lowers a customer's debt, so it is
//! accounting's act (WriteAccounts: accountant, director, admin); the warehouse's stock follows
//! from it. Whoever reads accounts reads returns, sales staff only those of their own office.

use atq_platform::caller::Action;
use atq_platform::paging::Page;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::accountingwarehouse::v1::returns_server::Returns;
use tonic::{Request, Response, Status};

use crate::returns::{self, NewReturn, Query};

pub struct ReturnsApi {
    pub db: Db,
}

#[tonic::async_trait]
impl Returns for ReturnsApi {
    async fn create_return(
        &self,
        request: Request<pb::CreateReturnRequest>,
    ) -> Result<Response<pb::SalesReturn>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteAccounts)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let command = NewReturn::try_from(&input)?;
        let scope = format!("returns.CreateReturn:{}", caller.username);
        let db = self.db.clone();
        let created = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (db, caller, command) = (db.clone(), caller.clone(), command.clone());
            Box::pin(async move { returns::create(tx, &db, &caller, command).await })
        })
        .await?;
        Ok(Response::new(created))
    }

    async fn get_return(&self, request: Request<pb::GetReturnRequest>) -> Result<Response<pb::SalesReturn>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadAccounts)?;
        let id = request.into_inner().id;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        match returns::find(&mut conn, id).await? {
            Some((found, Some(office))) if caller.sees_office(office) => Ok(Response::new(found)),
            _ => Err(Error::NotFound(format!("return {id}")).into()),
        }
    }

    async fn list_returns(
        &self,
        request: Request<pb::ListReturnsRequest>,
    ) -> Result<Response<pb::ListReturnsResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadAccounts)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        v.finish()?;
        let query = Query {
            customer_id: input.customer_id.max(0),
            invoice_id: input.invoice_id.max(0),
            office: caller.territory(),
            after_id: page.after_id,
            limit: page.fetch_limit(),
        };
        let mut items = returns::list(&self.db, &query).await?;
        let next_cursor = page.finish(&mut items, |item| item.id);
        Ok(Response::new(pb::ListReturnsResponse { items, next_cursor }))
    }
}
