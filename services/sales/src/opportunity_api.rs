//! gRPC adapter for `atq.sales.v1.Opportunities`: authorises, reads the catalog for products of
//! interest; the rules live in [`crate::opportunity`] and [`crate::pipeline`].
//!
//! Opportunities are the sales department's working file: sales staff (their own office) and the
//! directors read and write them, which is who may write customers.

use atq_platform::business_time::date_from_proto;
use atq_platform::caller::Action;
use atq_platform::catalog::CatalogReader;
use atq_platform::paging::Page;
use atq_platform::validation::{self, Violations};
use atq_platform::{Caller, Db, Error, Office, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::opportunities_server::Opportunities;
use tonic::{Request, Response, Status};

use crate::customer::parse_username;
use crate::customer_store;
use crate::opportunity::{self, NewOpportunity, Stage, StageMove, product_ids};
use crate::opportunity_store::{self, OpportunityFilter, OpportunityRow};
use crate::pipeline;

pub struct OpportunityApi {
    pub db: Db,
    pub catalog: CatalogReader,
}

const ACCESS: Action = Action::WriteCustomers;

impl OpportunityApi {
    async fn visible(&self, caller: &Caller, id: i64) -> Result<OpportunityRow, Error> {
        let mut conn = self.db.pool().acquire().await?;
        opportunity_store::find(&mut conn, id)
            .await?
            .filter(|row| caller.sees_office(row.office))
            .ok_or_else(|| Error::NotFound(format!("opportunity {id}")))
    }
}

/// The office a list asks for within the caller's territory; None inside `Some` means "all", and
/// an outer None means another office than the caller's (nothing to show).
fn office_within(v: &mut Violations, asked: i32, caller: &Caller) -> Option<Option<Office>> {
    let asked = (asked != 0).then(|| v.check("office", Office::from_proto(asked))).flatten();
    match (asked, caller.territory()) {
        (Some(asked), Some(own)) if asked != own => None,
        (asked, own) => Some(asked.or(own)),
    }
}

fn owner_filter(v: &mut Violations, text: &str) -> String {
    if text.trim().is_empty() { String::new() } else { v.check("owner", parse_username(text)).unwrap_or_default() }
}

#[tonic::async_trait]
impl Opportunities for OpportunityApi {
    async fn create_opportunity(
        &self,
        request: Request<pb::CreateOpportunityRequest>,
    ) -> Result<Response<pb::Opportunity>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(ACCESS)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let catalog = self.catalog.products(&caller, &product_ids(&input.products)).await?;
        let new = NewOpportunity::parse(&input, &caller, &catalog)?;
        let customer = customer_store::find(self.db.pool(), input.customer_id)
            .await?
            .filter(|c| caller.sees_office(c.fields.office))
            .ok_or_else(|| Error::invalid("customer_id", "no customer in your territory has this id"))?;
        Ok(Response::new(opportunity::create(&self.db, &caller, key.as_deref(), &input, new, customer).await?))
    }

    async fn get_opportunity(
        &self,
        request: Request<pb::GetOpportunityRequest>,
    ) -> Result<Response<pb::Opportunity>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(ACCESS)?;
        Ok(Response::new(self.visible(&caller, request.into_inner().id).await?.proto))
    }

    async fn list_opportunities(
        &self,
        request: Request<pb::ListOpportunitiesRequest>,
    ) -> Result<Response<pb::ListOpportunitiesResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(ACCESS)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        let stage = validation::status_filter(&mut v, &input.stage, Stage::ALL);
        let owner = owner_filter(&mut v, &input.owner);
        let office = office_within(&mut v, input.office, &caller);
        v.finish()?;
        let Some(office) = office else { return Ok(Response::new(pb::ListOpportunitiesResponse::default())) };
        let filter = OpportunityFilter {
            query: input.q,
            stage,
            owner,
            office,
            customer_id: input.customer_id.max(0),
            page: Some(page),
        };
        let mut rows = opportunity_store::list(&self.db, &filter).await?;
        let next_cursor = page.finish(&mut rows, |row| row.id);
        Ok(Response::new(pb::ListOpportunitiesResponse {
            items: rows.into_iter().map(|row| row.proto).collect(),
            next_cursor,
        }))
    }

    async fn update_opportunity(
        &self,
        request: Request<pb::UpdateOpportunityRequest>,
    ) -> Result<Response<pb::Opportunity>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(ACCESS)?;
        let input = request.into_inner();
        let row = self.visible(&caller, input.id).await?;
        Error::unless_stale(input.expected_version, row.proto.version)?;
        let wanted = input.products.as_ref().map(|p| product_ids(&p.items)).unwrap_or_default();
        let catalog = self.catalog.products(&caller, &wanted).await?;
        let change = opportunity::change_of(&row, &input, &caller, &catalog)?;
        Ok(Response::new(opportunity::update(&self.db, &row, &change).await?))
    }

    async fn change_stage(
        &self,
        request: Request<pb::ChangeStageRequest>,
    ) -> Result<Response<pb::Opportunity>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(ACCESS)?;
        let input = request.into_inner();
        let wanted = StageMove::try_from(&input)?;
        let row = self.visible(&caller, input.id).await?;
        Error::unless_stale(input.expected_version, row.proto.version)?;
        Ok(Response::new(opportunity::change_stage(&self.db, &caller, &row, &wanted).await?))
    }

    async fn opportunity_history(
        &self,
        request: Request<pb::OpportunityHistoryRequest>,
    ) -> Result<Response<pb::OpportunityHistoryResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(ACCESS)?;
        let row = self.visible(&caller, request.into_inner().id).await?;
        let changes = opportunity_store::history(&self.db, row.id).await?;
        Ok(Response::new(pb::OpportunityHistoryResponse { changes }))
    }

    async fn pipeline(&self, request: Request<pb::PipelineRequest>) -> Result<Response<pb::PipelineReport>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(ACCESS)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let owner = owner_filter(&mut v, &input.owner);
        let office = office_within(&mut v, input.office, &caller);
        let from = input.close_from.as_ref().and_then(|d| v.check("close_from", date_from_proto(d)));
        let to = input.close_to.as_ref().and_then(|d| v.check("close_to", date_from_proto(d)));
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            v.add("close_to", "must not be before close_from");
        }
        v.finish()?;
        let rows = match office {
            None => Vec::new(),
            Some(office) => {
                let filter = OpportunityFilter { owner, office, ..OpportunityFilter::default() };
                opportunity_store::list(&self.db, &filter).await?
            }
        };
        Ok(Response::new(pipeline::report(&rows, from, to)?))
    }
}
