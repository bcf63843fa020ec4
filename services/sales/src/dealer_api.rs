//! gRPC adapter for `atq.sales.v1.Dealers`: authorises and translates; the rules live in
//! [`crate::tier_rules`], [`crate::dealer_decision`] and [`crate::dealer_re_evaluation`].
//! Sales staff write and evaluate applications; directors decide tiers and keep the rules.

use std::future::Future;
use std::pin::Pin;

use atq_platform::business_time::{local_date, now_micros};
use atq_platform::caller::Action;
use atq_platform::paging::Page;
use atq_platform::validation::{self, Violations};
use atq_platform::{Caller, Db, Error, Office, Tx, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::dealers_server::Dealers;
use tonic::{Request, Response, Status};

use crate::dealer_application::{ApplicationFields, ApplicationStatus};
use crate::dealer_application_store::{self, ApplicationFilter};
use crate::tier_rules::NewRuleVersion;
use crate::{dealer_decision, dealer_re_evaluation, tier_rules_store};

pub struct DealerApi {
    pub db: Db,
}

/// The work of one mutating call, in the transaction that also keeps its idempotent answer.
type TxFuture<'t, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 't>>;

impl DealerApi {
    /// Runs `work` once per idempotency key, for `caller` allowed to do `action`.
    async fn once<Req, Resp, F>(
        &self,
        request: Request<Req>,
        action: Action,
        rpc: &str,
        work: F,
    ) -> Result<Resp, Status>
    where
        Req: prost::Message + Clone + Send + 'static,
        Resp: prost::Message + Default,
        F: for<'t> Fn(&'t mut Tx, Caller, Req) -> TxFuture<'t, Resp>,
    {
        let caller = Caller::of(&request)?;
        caller.require(action)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let scope = format!("sales.{rpc}:{}", caller.username);
        let answer = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, |tx| {
            work(tx, caller.clone(), input.clone())
        })
        .await?;
        Ok(answer)
    }

    /// Runs a read in one transaction, so that a record and its parts are read together.
    async fn read<T>(&self, work: impl for<'t> FnOnce(&'t mut Tx) -> TxFuture<'t, T>) -> Result<T, Status> {
        let mut tx = self.db.begin().await.map_err(Error::from)?;
        let answer = work(&mut tx).await?;
        tx.commit().await.map_err(Error::from)?;
        Ok(answer)
    }
}

#[tonic::async_trait]
impl Dealers for DealerApi {
    async fn create_tier_rule_version(
        &self,
        request: Request<pb::CreateTierRuleVersionRequest>,
    ) -> Result<Response<pb::TierRuleVersion>, Status> {
        let version = NewRuleVersion::parse(request.get_ref(), local_date(now_micros()))?;
        let created = self
            .once(request, Action::DecideDealers, "CreateTierRuleVersion", move |tx, caller, _| {
                let version = version.clone();
                Box::pin(async move { Ok(tier_rules_store::insert_version(tx, &version, &caller).await?.to_proto()) })
            })
            .await?;
        tracing::info!(rule_version_id = created.id, "dealer tier rule version created");
        Ok(Response::new(created))
    }

    async fn get_tier_rule_version(
        &self,
        request: Request<pb::GetTierRuleVersionRequest>,
    ) -> Result<Response<pb::TierRuleVersion>, Status> {
        Caller::of(&request)?.require(Action::WriteCustomers)?;
        let id = request.into_inner().id;
        let found = self.read(|tx| Box::pin(async move { tier_rules_store::find_version(tx, id).await })).await?;
        let version = found.ok_or_else(|| Error::NotFound(format!("rule version {id}")))?;
        Ok(Response::new(version.to_proto()))
    }

    async fn list_tier_rule_versions(
        &self,
        request: Request<pb::ListTierRuleVersionsRequest>,
    ) -> Result<Response<pb::ListTierRuleVersionsResponse>, Status> {
        Caller::of(&request)?.require(Action::WriteCustomers)?;
        let versions = self.read(|tx| Box::pin(async move { tier_rules_store::list_versions(tx).await })).await?;
        let items = versions.iter().map(|version| version.to_proto()).collect();
        Ok(Response::new(pb::ListTierRuleVersionsResponse { items }))
    }

    async fn create_dealer_application(
        &self,
        request: Request<pb::CreateDealerApplicationRequest>,
    ) -> Result<Response<pb::DealerApplication>, Status> {
        let caller = Caller::of(&request)?;
        let fields = ApplicationFields::parse_new(request.get_ref(), &caller, dealer_decision::this_year())?;
        let created = self
            .once(request, Action::WriteCustomers, "CreateDealerApplication", move |tx, caller, _| {
                let fields = fields.clone();
                Box::pin(async move { dealer_decision::create(tx, &caller, fields).await })
            })
            .await?;
        tracing::info!(application_id = created.id, "dealer application created");
        Ok(Response::new(created))
    }

    async fn get_dealer_application(
        &self,
        request: Request<pb::GetDealerApplicationRequest>,
    ) -> Result<Response<pb::DealerApplication>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let id = request.into_inner().id;
        let answer = self
            .read(|tx| {
                Box::pin(async move {
                    let row = dealer_decision::visible(tx, &caller, id).await?;
                    dealer_decision::answer(tx, &row).await
                })
            })
            .await?;
        Ok(Response::new(answer))
    }

    async fn list_dealer_applications(
        &self,
        request: Request<pb::ListDealerApplicationsRequest>,
    ) -> Result<Response<pb::ListDealerApplicationsResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        let status = validation::status_filter(&mut v, &input.status, ApplicationStatus::ALL);
        let office = (input.office != 0).then(|| v.check("office", Office::from_proto(input.office))).flatten();
        v.finish()?;
        let office = match (office, caller.territory()) {
            (Some(asked), Some(own)) if asked != own => {
                return Ok(Response::new(pb::ListDealerApplicationsResponse::default()));
            }
            (asked, own) => asked.or(own),
        };
        let filter = ApplicationFilter { status, office, customer_id: input.customer_id, page };
        let mut rows = dealer_application_store::list(&self.db, &filter).await?;
        let next_cursor = page.finish(&mut rows, |row| row.id);
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            items.push(dealer_decision::answer(&mut conn, row).await?);
        }
        Ok(Response::new(pb::ListDealerApplicationsResponse { items, next_cursor }))
    }

    async fn update_dealer_application(
        &self,
        request: Request<pb::UpdateDealerApplicationRequest>,
    ) -> Result<Response<pb::DealerApplication>, Status> {
        if request.get_ref().expected_version <= 0 {
            return Err(Error::invalid("version", "the version you read is required").into());
        }
        let updated = self
            .once(request, Action::WriteCustomers, "UpdateDealerApplication", |tx, caller, input| {
                Box::pin(async move { dealer_decision::update(tx, &caller, &input).await })
            })
            .await?;
        Ok(Response::new(updated))
    }

    async fn submit_dealer_application(
        &self,
        request: Request<pb::DealerApplicationActionRequest>,
    ) -> Result<Response<pb::DealerApplication>, Status> {
        let submitted = self
            .once(request, Action::WriteCustomers, "SubmitDealerApplication", |tx, caller, input| {
                Box::pin(async move { dealer_decision::submit(tx, &caller, input.id, input.expected_version).await })
            })
            .await?;
        Ok(Response::new(submitted))
    }

    async fn evaluate_dealer_application(
        &self,
        request: Request<pb::DealerApplicationActionRequest>,
    ) -> Result<Response<pb::DealerApplication>, Status> {
        let evaluated = self
            .once(request, Action::WriteCustomers, "EvaluateDealerApplication", |tx, caller, input| {
                Box::pin(async move { dealer_decision::evaluate(tx, &caller, input.id, input.expected_version).await })
            })
            .await?;
        tracing::info!(application_id = evaluated.id, "dealer application evaluated");
        Ok(Response::new(evaluated))
    }

    async fn approve_dealer_application(
        &self,
        request: Request<pb::ApproveDealerApplicationRequest>,
    ) -> Result<Response<pb::DealerApplication>, Status> {
        let db = self.db.clone();
        let approved = self
            .once(request, Action::DecideDealers, "ApproveDealerApplication", move |tx, caller, input| {
                let db = db.clone();
                Box::pin(async move { dealer_decision::approve(tx, &db, &caller, &input).await })
            })
            .await?;
        tracing::info!(application_id = approved.id, customer_id = approved.customer_id, "dealer approved");
        Ok(Response::new(approved))
    }

    async fn reject_dealer_application(
        &self,
        request: Request<pb::RejectDealerApplicationRequest>,
    ) -> Result<Response<pb::DealerApplication>, Status> {
        let rejected = self
            .once(request, Action::DecideDealers, "RejectDealerApplication", |tx, caller, input| {
                Box::pin(async move { dealer_decision::reject(tx, &caller, &input).await })
            })
            .await?;
        Ok(Response::new(rejected))
    }

    async fn get_customer_tier(
        &self,
        request: Request<pb::GetCustomerTierRequest>,
    ) -> Result<Response<pb::CustomerTier>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let customer_id = request.into_inner().customer_id;
        let tier = self
            .read(|tx| Box::pin(async move { dealer_decision::customer_tier(tx, &caller, customer_id).await }))
            .await?;
        Ok(Response::new(tier))
    }

    async fn run_re_evaluation(
        &self,
        request: Request<pb::RunReEvaluationRequest>,
    ) -> Result<Response<pb::ListReEvaluationsResponse>, Status> {
        let items = self
            .once(request, Action::DecideDealers, "RunReEvaluation", |tx, caller, input| {
                Box::pin(async move {
                    let items = dealer_re_evaluation::run(tx, &caller, input.year).await?;
                    Ok(pb::ListReEvaluationsResponse { items })
                })
            })
            .await?;
        Ok(Response::new(items))
    }

    async fn list_re_evaluations(
        &self,
        request: Request<pb::ListReEvaluationsRequest>,
    ) -> Result<Response<pb::ListReEvaluationsResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let status = validation::status_filter(&mut v, &input.status, dealer_re_evaluation::STATUSES);
        v.finish()?;
        let year = if input.year == 0 { 0 } else { dealer_re_evaluation::parse_year(input.year)? };
        let items = self
            .read(|tx| Box::pin(async move { dealer_re_evaluation::list(tx, &caller, year, &status).await }))
            .await?;
        Ok(Response::new(pb::ListReEvaluationsResponse { items }))
    }

    async fn confirm_re_evaluation(
        &self,
        request: Request<pb::ConfirmReEvaluationRequest>,
    ) -> Result<Response<pb::ReEvaluation>, Status> {
        let confirmed = self
            .once(request, Action::DecideDealers, "ConfirmReEvaluation", |tx, caller, input| {
                Box::pin(async move { dealer_re_evaluation::confirm(tx, &caller, input.id).await })
            })
            .await?;
        tracing::info!(re_evaluation_id = confirmed.id, tier = %confirmed.proposed_tier, "dealer tier re-evaluated");
        Ok(Response::new(confirmed))
    }
}
