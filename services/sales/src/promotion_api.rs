//! gRPC adapter for `atq.sales.v1.Promotions`: authorises and translates; the rules live in
//! [`crate::promotion`], [`crate::promotion_flow`] and [`crate::promotion_apply`].

use atq_platform::business_time::parse_local_date;
use atq_platform::caller::Action;
use atq_platform::catalog::CatalogReader;
use atq_platform::paging::Page;
use atq_platform::validation::{self, Violations};
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::promotions_server::Promotions;
use tonic::{Request, Response, Status};

use crate::promotion::{self, PromotionStatus};
use crate::promotion_flow::{self, sees, visible};
use crate::promotion_store;

/// The longest report window, in days.
const MAX_REPORT_DAYS: i64 = 731;

pub struct PromotionApi {
    pub db: Db,
    pub catalog: CatalogReader,
}

#[tonic::async_trait]
impl Promotions for PromotionApi {
    async fn create_promotion(
        &self,
        request: Request<pb::CreatePromotionRequest>,
    ) -> Result<Response<pb::Promotion>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ManageSalesTeam)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let programme = promotion::parse_fields(0, &input.promotion.clone().unwrap_or_default())?;
        promotion_flow::check_products(&self.catalog, &caller, &programme).await?;
        Ok(Response::new(promotion_flow::create(&self.db, &caller, key.as_deref(), &input, programme).await?))
    }

    async fn get_promotion(
        &self,
        request: Request<pb::GetPromotionRequest>,
    ) -> Result<Response<pb::Promotion>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        Ok(Response::new(visible(&mut conn, &caller, request.into_inner().id).await?.to_proto()))
    }

    async fn list_promotions(
        &self,
        request: Request<pb::ListPromotionsRequest>,
    ) -> Result<Response<pb::ListPromotionsResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        let status = validation::status_filter(&mut v, &input.status, PromotionStatus::ALL);
        let on = match input.on.trim() {
            "" => String::new(),
            text => v.check("on", parse_local_date(text)).map(|d| d.to_string()).unwrap_or_default(),
        };
        v.finish()?;
        let mut rows = promotion_store::list(&self.db, &status, &on, page).await?;
        let next_cursor = page.finish(&mut rows, |row| row.programme.id);
        let items = rows.iter().filter(|row| sees(&caller, &row.programme)).map(|row| row.to_proto()).collect();
        Ok(Response::new(pb::ListPromotionsResponse { items, next_cursor }))
    }

    async fn update_promotion(
        &self,
        request: Request<pb::UpdatePromotionRequest>,
    ) -> Result<Response<pb::Promotion>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ManageSalesTeam)?;
        let input = request.into_inner();
        // A programme the caller cannot see is not found, whatever the body says.
        visible(&mut *self.db.pool().acquire().await.map_err(Error::from)?, &caller, input.id).await?;
        let programme = promotion::parse_fields(input.id, &input.promotion.clone().unwrap_or_default())?;
        promotion_flow::check_products(&self.catalog, &caller, &programme).await?;
        Ok(Response::new(promotion_flow::update(&self.db, &caller, programme, input.expected_version).await?))
    }

    async fn activate_promotion(
        &self,
        request: Request<pb::PromotionActionRequest>,
    ) -> Result<Response<pb::Promotion>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ManageSalesTeam)?;
        let input = request.into_inner();
        let (from, to) = (PromotionStatus::Draft, PromotionStatus::Active);
        Ok(Response::new(promotion_flow::advance(&self.db, &caller, &input, from, to).await?))
    }

    async fn end_promotion(
        &self,
        request: Request<pb::PromotionActionRequest>,
    ) -> Result<Response<pb::Promotion>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ManageSalesTeam)?;
        let input = request.into_inner();
        let (from, to) = (PromotionStatus::Active, PromotionStatus::Ended);
        Ok(Response::new(promotion_flow::advance(&self.db, &caller, &input, from, to).await?))
    }

    /// A scoped caller reads the rows of their own office.
    async fn get_promotion_report(
        &self,
        request: Request<pb::PromotionReportRequest>,
    ) -> Result<Response<pb::PromotionReport>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let from = v.check("from", parse_local_date(&input.from));
        let to = v.check("to", parse_local_date(&input.to));
        if input.promotion_id < 0 {
            v.add("promotion_id", "must be an id");
        }
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                v.add("to", "must be on or after from");
            } else if (to - from).num_days() >= MAX_REPORT_DAYS {
                v.add("to", format!("a report covers at most {MAX_REPORT_DAYS} days"));
            }
        }
        v.finish()?;
        let (from, to) = from.zip(to).ok_or_else(|| Error::invalid("from", "is required"))?;
        let mut rows = promotion_store::report(&self.db, from, to, input.promotion_id).await?;
        if let Some(own) = caller.territory() {
            rows.retain(|row| row.office == own.code());
        }
        Ok(Response::new(pb::PromotionReport { from: from.to_string(), to: to.to_string(), rows }))
    }
}
