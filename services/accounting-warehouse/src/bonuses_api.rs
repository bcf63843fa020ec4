//! gRPC adapter for `atq.accountingwarehouse.v1.Bonuses`.
//!
//! Who may: schemes, accruals and settlements move the books, so they are accounting's acts
//! (WriteAccounts: accountant, director, admin); whoever reads accounts reads a customer's
//! statement, sales staff those of the customers sales shows them. The customer's group and tier
//! are asked of sales at the time, before the transaction opens.

use atq_platform::caller::Action;
use atq_platform::paging::Page;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::accountingwarehouse::v1::bonuses_server::Bonuses;
use tonic::{Request, Response, Status};

use crate::bonus_rules::{NewScheme, Period};
use crate::bonuses::{self, CustomerProfile};
use crate::sales_customers::SalesCustomers;

pub struct BonusesApi {
    pub db: Db,
    pub customers: SalesCustomers,
}

fn period(text: &str) -> Result<Period, Error> {
    Period::parse(text).map_err(|message| Error::invalid("period", message))
}

#[tonic::async_trait]
impl Bonuses for BonusesApi {
    async fn create_bonus_scheme(
        &self,
        request: Request<pb::CreateBonusSchemeRequest>,
    ) -> Result<Response<pb::BonusScheme>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteAccounts)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let scheme = NewScheme::try_from(&input)?;
        let scope = format!("bonuses.CreateBonusScheme:{}", caller.username);
        let created = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (caller, scheme) = (caller.clone(), scheme.clone());
            Box::pin(async move { bonuses::create_scheme(tx, &caller, scheme).await })
        })
        .await?;
        Ok(Response::new(created))
    }

    async fn get_bonus_scheme(
        &self,
        request: Request<pb::GetBonusSchemeRequest>,
    ) -> Result<Response<pb::BonusScheme>, Status> {
        Caller::of(&request)?.require(Action::ReadAccounts)?;
        let id = request.into_inner().id;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        let scheme = crate::bonus_store::find_scheme(&mut conn, id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("bonus scheme {id}")))?;
        Ok(Response::new(scheme))
    }

    async fn list_bonus_schemes(
        &self,
        request: Request<pb::ListBonusSchemesRequest>,
    ) -> Result<Response<pb::ListBonusSchemesResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadAccounts)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        v.finish()?;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        let mut items = crate::bonus_store::list_schemes(&mut conn, page.after_id, page.fetch_limit()).await?;
        let next_cursor = page.finish(&mut items, |item| item.id);
        Ok(Response::new(pb::ListBonusSchemesResponse { items, next_cursor }))
    }

    async fn get_bonus_statement(
        &self,
        request: Request<pb::GetBonusStatementRequest>,
    ) -> Result<Response<pb::BonusStatement>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadAccounts)?;
        let input = request.into_inner();
        // Another office's customer is not there, whatever the period says.
        let profile = self.customers.profile(&caller, input.customer_id).await?;
        let period = period(&input.period)?;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        Ok(Response::new(bonuses::statement(&mut conn, input.customer_id, &profile, &period).await?))
    }

    async fn run_bonus_accrual(
        &self,
        request: Request<pb::RunBonusAccrualRequest>,
    ) -> Result<Response<pb::BonusAccrualRun>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteAccounts)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let ids = {
            let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
            bonuses::customers_of_month(&mut conn, &input.month).await?
        };
        let mut customers: Vec<(i64, CustomerProfile)> = Vec::with_capacity(ids.len());
        for id in ids {
            customers.push((id, self.customers.profile(&caller, id).await?));
        }
        let scope = format!("bonuses.RunBonusAccrual:{}", caller.username);
        let month = input.month.clone();
        let run = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (caller, month, customers) = (caller.clone(), month.clone(), customers.clone());
            Box::pin(async move { bonuses::run_accrual(tx, &caller, &month, &customers).await })
        })
        .await?;
        Ok(Response::new(run))
    }

    async fn settle_bonus(
        &self,
        request: Request<pb::SettleBonusRequest>,
    ) -> Result<Response<pb::BonusStatement>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteAccounts)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let period = v.check("period", Period::parse(&input.period));
        v.check("method", bonuses::settlement_account(&input.method));
        v.finish()?;
        let period = period.ok_or_else(|| Error::invalid("period", "is required"))?;
        let profile = self.customers.profile(&caller, input.customer_id).await?;
        let scope = format!("bonuses.SettleBonus:{}", caller.username);
        let (customer_id, method) = (input.customer_id, input.method.clone());
        let settled = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (caller, profile, period, method) = (caller.clone(), profile.clone(), period.clone(), method.clone());
            Box::pin(async move { bonuses::settle(tx, &caller, (customer_id, &profile), &period, &method).await })
        })
        .await?;
        Ok(Response::new(settled))
    }
}
