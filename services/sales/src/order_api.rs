//! gRPC adapter for `atq.sales.v1.Orders`: authorises, reads the catalog for new lines, and
//! leaves the steps of confirming and cancelling to [`crate::order::lifecycle`].

use atq_platform::caller::Action;
use atq_platform::catalog::CatalogReader;
use atq_platform::paging::Page;
use atq_platform::validation::{self, Violations};
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::orders_server::Orders;
use tonic::{Request, Response, Status};

use crate::customer_store;
use crate::order::lifecycle::{self, OrderAction};
use crate::order::{OrderStatus, create};
use crate::order_store::{self, OrderFilter, OrderRow};
use crate::promotion_pricing;
use crate::warehouse::Warehouse;

pub struct OrderApi {
    pub db: Db,
    pub catalog: CatalogReader,
    pub warehouse: Warehouse,
}

impl OrderApi {
    /// An order the caller may see, with its lines.
    async fn visible(&self, caller: &Caller, id: i64) -> Result<OrderRow, Error> {
        let mut conn = self.db.pool().acquire().await?;
        order_store::find(&mut conn, id)
            .await?
            .filter(|order| caller.sees_office(order.office))
            .ok_or_else(|| Error::NotFound(format!("order {id}")))
    }
}

#[tonic::async_trait]
impl Orders for OrderApi {
    async fn create_order(&self, request: Request<pb::CreateOrderRequest>) -> Result<Response<pb::Order>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteOrders)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let customer = customer_store::find(self.db.pool(), input.customer_id)
            .await?
            .filter(|c| caller.sees_office(c.fields.office))
            .ok_or_else(|| Error::invalid("customer_id", "no customer in your territory has this id"))?;
        let ids: Vec<i64> = input.lines.iter().map(|l| l.product_id).filter(|id| *id > 0).collect();
        let catalog = self.catalog.products(&caller, &ids).await?;
        let order =
            promotion_pricing::typed_order(&self.db, &self.catalog, &caller, &input, &customer, &catalog).await?;
        let created = create::create(&self.db, &caller, key.as_deref(), &input, order, customer).await?;
        Ok(Response::new(created))
    }

    async fn get_order(&self, request: Request<pb::GetOrderRequest>) -> Result<Response<pb::Order>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        Ok(Response::new(self.visible(&caller, request.into_inner().id).await?.proto))
    }

    async fn get_order_by_number(
        &self,
        request: Request<pb::GetOrderByNumberRequest>,
    ) -> Result<Response<pb::Order>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        let number = request.into_inner().number;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        let id = order_store::id_by_number(&mut conn, number.trim()).await?;
        drop(conn);
        let id = id.ok_or_else(|| Error::NotFound(format!("order {number}")))?;
        Ok(Response::new(self.visible(&caller, id).await?.proto))
    }

    async fn list_orders(
        &self,
        request: Request<pb::ListOrdersRequest>,
    ) -> Result<Response<pb::ListOrdersResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        let wanted = validation::status_filter(&mut v, &input.status, OrderStatus::ALL);
        v.finish()?;
        let filter =
            OrderFilter { customer_id: input.customer_id.max(0), status: wanted, office: caller.territory(), page };
        let mut rows = order_store::list(&self.db, &filter).await?;
        let next_cursor = page.finish(&mut rows, |row| row.id);
        Ok(Response::new(pb::ListOrdersResponse {
            items: rows.into_iter().map(|row| row.proto).collect(),
            next_cursor,
        }))
    }

    async fn confirm_order(&self, request: Request<pb::OrderActionRequest>) -> Result<Response<pb::Order>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteOrders)?;
        let input = request.into_inner();
        let order = self.visible(&caller, input.id).await?;
        let confirmed =
            lifecycle::confirm(&self.db, &self.warehouse, &caller, order, &OrderAction::from(&input)).await?;
        Ok(Response::new(confirmed))
    }

    async fn cancel_order(&self, request: Request<pb::OrderActionRequest>) -> Result<Response<pb::Order>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteOrders)?;
        let input = request.into_inner();
        let order = self.visible(&caller, input.id).await?;
        let cancelled =
            lifecycle::cancel(&self.db, &self.warehouse, &caller, order, &OrderAction::from(&input)).await?;
        Ok(Response::new(cancelled))
    }
}
