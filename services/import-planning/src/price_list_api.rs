//! gRPC adapter for `atq.importplanning.v1.PriceLists`: the price quote sheet (bảng báo giá).

use atq_platform::business_time::{local_date, now_micros};
use atq_platform::caller::Action;
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::importplanning::v1 as pb;
use atq_proto::importplanning::v1::price_lists_server::PriceLists;
use tonic::{Request, Response, Status};

use crate::price_list;
use crate::price_list_store::{self, PriceListStatus};
use crate::status::StatusPage;
use crate::warehouse::Warehouse;

pub struct PriceListsApi {
    pub db: Db,
    pub warehouse: Warehouse,
}

impl TryFrom<&pb::ListPriceListsRequest> for StatusPage {
    type Error = Error;

    fn try_from(input: &pb::ListPriceListsRequest) -> Result<Self, Error> {
        StatusPage::parse(&input.status, input.page.as_ref(), PriceListStatus::ALL)
    }
}

#[tonic::async_trait]
impl PriceLists for PriceListsApi {
    async fn create_price_list(
        &self,
        request: Request<pb::CreatePriceListRequest>,
    ) -> Result<Response<pb::PriceList>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteRates)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let sheet = price_list::check(&self.db, &input).await?;
        let draft = price_list::draft(&self.warehouse, &caller, &sheet).await?;
        let scope = format!("importplanning.CreatePriceList:{}", caller.username);
        let by = caller.username.clone();
        let stored = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (draft, by) = (draft.clone(), by.clone());
            Box::pin(async move { price_list::store(tx, &draft, &by).await })
        })
        .await?;
        tracing::info!(price_list = %stored.number, lines = stored.lines.len(), "price list drafted");
        Ok(Response::new(stored))
    }

    async fn get_price_list(
        &self,
        request: Request<pb::GetPriceListRequest>,
    ) -> Result<Response<pb::PriceList>, Status> {
        Caller::of(&request)?.require(Action::ReadCosts)?;
        Ok(Response::new(price_list::found(&self.db, request.into_inner().id).await?))
    }

    async fn list_price_lists(
        &self,
        request: Request<pb::ListPriceListsRequest>,
    ) -> Result<Response<pb::ListPriceListsResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadCosts)?;
        let filter = StatusPage::try_from(request.get_ref())?;
        let mut items = price_list_store::list(&self.db, &filter.status, filter.page).await?;
        let next_cursor = filter.page.finish(&mut items, |l| l.id);
        let current = price_list_store::current_id(&self.db, local_date(now_micros())).await?;
        for item in &mut items {
            item.current = Some(item.id) == current;
        }
        Ok(Response::new(pb::ListPriceListsResponse { items, next_cursor }))
    }

    async fn get_price_list_changes(
        &self,
        request: Request<pb::GetPriceListRequest>,
    ) -> Result<Response<pb::PriceListChanges>, Status> {
        Caller::of(&request)?.require(Action::ReadCosts)?;
        Ok(Response::new(price_list::changes(&self.db, request.into_inner().id).await?))
    }

    async fn publish_price_list(
        &self,
        request: Request<pb::PublishPriceListRequest>,
    ) -> Result<Response<pb::PriceList>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteRates)?;
        let input = request.into_inner();
        let mut tx = self.db.begin().await.map_err(Error::from)?;
        let published =
            price_list::publish(&mut tx, self.db.backend(), input.id, input.expected_version, &caller.username).await?;
        if published {
            tx.commit().await.map_err(Error::from)?;
            tracing::info!(price_list = input.id, "price list published");
        }
        Ok(Response::new(price_list::found(&self.db, input.id).await?))
    }

    async fn get_current_price_list(
        &self,
        request: Request<pb::GetCurrentPriceListRequest>,
    ) -> Result<Response<pb::PriceList>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCatalog)?;
        let input = request.into_inner();
        let list = price_list::current(&self.db, &caller, &input.customer_group, &input.product_ids).await?;
        Ok(Response::new(list))
    }
}
