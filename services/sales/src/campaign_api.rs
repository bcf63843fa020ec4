//! gRPC adapter for `atq.sales.v1.Campaigns`: authorises and translates; the rules live in
//! [`crate::campaign`], [`crate::campaign_flow`], [`crate::campaign_members`] and
//! [`crate::campaign_reminders`].

use atq_platform::business_time::{local_date, now_micros, parse_local_date};
use atq_platform::caller::Action;
use atq_platform::paging::Page;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, Office, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::campaigns_server::Campaigns;
use tonic::{Request, Response, Status};

use crate::campaign::{self, CampaignStatus};
use crate::campaign_flow::{self, visible};
use crate::{campaign_members, campaign_reminders, campaign_store};

pub struct CampaignApi {
    pub db: Db,
}

#[tonic::async_trait]
impl Campaigns for CampaignApi {
    async fn create_campaign(
        &self,
        request: Request<pb::CreateCampaignRequest>,
    ) -> Result<Response<pb::Campaign>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let parsed = campaign::parse_fields(&input.campaign.clone().unwrap_or_default())?;
        Ok(Response::new(campaign_flow::create(&self.db, &caller, key.as_deref(), &input, parsed).await?))
    }

    async fn get_campaign(&self, request: Request<pb::GetCampaignRequest>) -> Result<Response<pb::Campaign>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        Ok(Response::new(visible(&mut conn, &caller, request.into_inner().id).await?))
    }

    async fn list_campaigns(
        &self,
        request: Request<pb::ListCampaignsRequest>,
    ) -> Result<Response<pb::ListCampaignsResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        let status = match input.status.trim() {
            "" => "",
            text => v
                .check(
                    "status",
                    CampaignStatus::parse(text)
                        .ok_or_else(|| format!("must be one of {}", CampaignStatus::ALL.join(", "))),
                )
                .map_or("", CampaignStatus::as_str),
        };
        let asked = match input.office {
            0 => None,
            code => v.check("office", Office::from_proto(code)),
        };
        v.finish()?;
        let office = match (caller.territory(), asked) {
            (Some(own), Some(asked)) if own != asked => {
                return Ok(Response::new(pb::ListCampaignsResponse::default()));
            }
            (own, asked) => asked.or(own),
        };
        let mut rows = campaign_store::list(&self.db, status, office, page).await?;
        let next_cursor = page.finish(&mut rows, |row| row.id);
        Ok(Response::new(pb::ListCampaignsResponse { items: rows, next_cursor }))
    }

    async fn update_campaign(
        &self,
        request: Request<pb::UpdateCampaignRequest>,
    ) -> Result<Response<pb::Campaign>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        Ok(Response::new(campaign_flow::update(&self.db, &caller, &request.into_inner()).await?))
    }

    async fn add_segment(
        &self,
        request: Request<pb::AddSegmentRequest>,
    ) -> Result<Response<pb::AddSegmentResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        Ok(Response::new(campaign_members::add_segment(&self.db, &caller, &request.into_inner()).await?))
    }

    async fn list_members(
        &self,
        request: Request<pb::ListMembersRequest>,
    ) -> Result<Response<pb::ListMembersResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        let found = visible(&mut conn, &caller, request.into_inner().campaign_id).await?;
        drop(conn);
        let items = campaign_store::members(&self.db, found.id, caller.territory()).await?;
        Ok(Response::new(pb::ListMembersResponse { items }))
    }

    async fn set_member_status(
        &self,
        request: Request<pb::SetMemberStatusRequest>,
    ) -> Result<Response<pb::CampaignMember>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        Ok(Response::new(campaign_members::set_status(&self.db, &caller, &request.into_inner()).await?))
    }

    async fn get_results(
        &self,
        request: Request<pb::CampaignResultsRequest>,
    ) -> Result<Response<pb::CampaignResults>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        Ok(Response::new(campaign_members::results(&self.db, &caller, &request.into_inner()).await?))
    }

    async fn run_reminders(
        &self,
        request: Request<pb::RunRemindersRequest>,
    ) -> Result<Response<pb::RunRemindersResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let input = request.into_inner();
        let date = match input.date.trim() {
            "" => local_date(now_micros()),
            text => parse_local_date(text).map_err(|message| Error::invalid("date", message))?,
        };
        Ok(Response::new(campaign_reminders::run(&self.db, &caller, date).await?))
    }
}
