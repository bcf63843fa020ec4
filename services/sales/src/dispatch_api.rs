//! gRPC adapter for `atq.sales.v1.DispatchOrders`: authorises and translates; the steps live in
//! [`crate::dispatch`].

use atq_platform::caller::Action;
use atq_platform::paging::Page;
use atq_platform::validation::{self, Violations};
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::dispatch_orders_server::DispatchOrders;
use tonic::{Request, Response, Status};

use crate::dispatch::{self, DispatchDecision, DispatchRequest, DispatchStatus, Shipment};
use crate::dispatch_store::{self, DispatchFilter, DispatchRow};
use crate::warehouse::Warehouse;

pub struct DispatchApi {
    pub db: Db,
    pub warehouse: Warehouse,
}

impl DispatchApi {
    async fn visible(&self, caller: &Caller, id: i64) -> Result<DispatchRow, Error> {
        let mut conn = self.db.pool().acquire().await?;
        dispatch_store::find(&mut conn, id)
            .await?
            .filter(|d| caller.sees_office(d.office))
            .ok_or_else(|| Error::NotFound(format!("dispatch order {id}")))
    }

    async fn decide(
        &self,
        request: Request<pb::DispatchActionRequest>,
        to: DispatchStatus,
    ) -> Result<Response<pb::DispatchOrder>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::DecideDispatch)?;
        let input = request.into_inner();
        let dispatch = self.visible(&caller, input.id).await?;
        let decided = dispatch::decide(&self.db, &caller, dispatch, to, &DispatchDecision::from(&input)).await?;
        Ok(Response::new(decided))
    }
}

#[tonic::async_trait]
impl DispatchOrders for DispatchApi {
    async fn request_dispatch(
        &self,
        request: Request<pb::RequestDispatchRequest>,
    ) -> Result<Response<pb::DispatchOrder>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteOrders)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let command = DispatchRequest::try_from(&input)?;
        let scope = format!("sales.RequestDispatch:{}", caller.username);
        let dispatch = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (command, caller) = (command.clone(), caller.clone());
            Box::pin(async move { dispatch::request(tx, &caller, &command).await })
        })
        .await?;
        Ok(Response::new(dispatch))
    }

    async fn get_dispatch_order(
        &self,
        request: Request<pb::GetDispatchOrderRequest>,
    ) -> Result<Response<pb::DispatchOrder>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        Ok(Response::new(self.visible(&caller, request.into_inner().id).await?.proto))
    }

    async fn list_dispatch_orders(
        &self,
        request: Request<pb::ListDispatchOrdersRequest>,
    ) -> Result<Response<pb::ListDispatchOrdersResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        let wanted = validation::status_filter(&mut v, &input.status, DispatchStatus::ALL);
        v.finish()?;
        let filter =
            DispatchFilter { order_id: input.order_id.max(0), status: wanted, office: caller.territory(), page };
        let mut rows = dispatch_store::list(&self.db, &filter).await?;
        let next_cursor = page.finish(&mut rows, |row| row.id);
        Ok(Response::new(pb::ListDispatchOrdersResponse {
            items: rows.into_iter().map(|r| r.proto).collect(),
            next_cursor,
        }))
    }

    async fn approve_dispatch(
        &self,
        request: Request<pb::DispatchActionRequest>,
    ) -> Result<Response<pb::DispatchOrder>, Status> {
        self.decide(request, DispatchStatus::Approved).await
    }

    async fn reject_dispatch(
        &self,
        request: Request<pb::DispatchActionRequest>,
    ) -> Result<Response<pb::DispatchOrder>, Status> {
        self.decide(request, DispatchStatus::Rejected).await
    }

    async fn ship_dispatch(
        &self,
        request: Request<pb::ShipDispatchRequest>,
    ) -> Result<Response<pb::DispatchOrder>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ShipDispatch)?;
        let input = request.into_inner();
        let dispatch = self.visible(&caller, input.id).await?;
        let shipped = dispatch::ship(&self.db, &self.warehouse, &caller, dispatch, &Shipment::from(input)).await?;
        Ok(Response::new(shipped))
    }

    async fn deliver_dispatch(
        &self,
        request: Request<pb::DispatchActionRequest>,
    ) -> Result<Response<pb::DispatchOrder>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ConfirmDelivery)?;
        let input = request.into_inner();
        let dispatch = self.visible(&caller, input.id).await?;
        Ok(Response::new(dispatch::deliver(&self.db, dispatch, &DispatchDecision::from(&input)).await?))
    }
}
