//! gRPC adapter for `atq.importplanning.v1.PurchaseOrders`: supplier orders from draft to goods
//! received.

use std::sync::Arc;

use atq_platform::business_time::{local_date, now_micros};
use atq_platform::caller::Action;
use atq_platform::{Caller, Error, idempotency};
use atq_proto::importplanning::v1 as pb;
use atq_proto::importplanning::v1::purchase_orders_server::PurchaseOrders;
use tonic::{Request, Response, Status};

use crate::purchase_order;
use crate::purchase_order_store::{self as store, PurchaseOrderStatus};
use crate::replanning::Planning;
use crate::status::StatusPage;

pub struct PurchaseOrdersApi {
    pub planning: Planning,
}

/// Which orders a list asks for: of a status, from a supplier (0: any).
struct OrderFilter {
    list: StatusPage,
    supplier_id: i64,
}

impl TryFrom<&pb::ListPurchaseOrdersRequest> for OrderFilter {
    type Error = Error;

    fn try_from(input: &pb::ListPurchaseOrdersRequest) -> Result<Self, Error> {
        let list = StatusPage::parse(&input.status, input.page.as_ref(), PurchaseOrderStatus::ALL)?;
        Ok(OrderFilter { list, supplier_id: input.supplier_id })
    }
}

#[tonic::async_trait]
impl PurchaseOrders for PurchaseOrdersApi {
    async fn create_purchase_order(
        &self,
        request: Request<pb::CreatePurchaseOrderRequest>,
    ) -> Result<Response<pb::PurchaseOrder>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WritePurchases)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let draft = Arc::new(purchase_order::check(&self.planning.db, &input).await?);
        let planning = self.planning.clone();
        let scope = format!("importplanning.CreatePurchaseOrder:{}", caller.username);
        let by = caller.username.clone();
        let order = idempotency::run_once(&self.planning.db, &scope, key.as_deref(), &input, move |tx| {
            let (planning, draft, by) = (planning.clone(), draft.clone(), by.clone());
            Box::pin(async move { purchase_order::create(&planning, tx, &draft, &by).await })
        })
        .await?;
        let (number, supplier, lines) = (&order.number, &order.supplier_code, order.lines.len());
        tracing::info!(order = %number, supplier = %supplier, lines, "supplier order drafted");
        Ok(Response::new(order))
    }

    async fn get_purchase_order(
        &self,
        request: Request<pb::GetPurchaseOrderRequest>,
    ) -> Result<Response<pb::PurchaseOrder>, Status> {
        Caller::of(&request)?.require(Action::ReadCosts)?;
        let id = request.into_inner().id;
        let mut conn = self.planning.db.pool().acquire().await.map_err(Error::from)?;
        let order = store::find(&mut conn, id, local_date(now_micros()))
            .await?
            .ok_or_else(|| Error::NotFound(format!("supplier order {id}")))?;
        Ok(Response::new(order))
    }

    async fn list_purchase_orders(
        &self,
        request: Request<pb::ListPurchaseOrdersRequest>,
    ) -> Result<Response<pb::ListPurchaseOrdersResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadCosts)?;
        let filter = OrderFilter::try_from(request.get_ref())?;
        let today = local_date(now_micros());
        let pool = self.planning.db.pool();
        let StatusPage { status, page } = &filter.list;
        let mut items = store::list(pool, status, filter.supplier_id, *page, today).await?;
        let next_cursor = page.finish(&mut items, |o| o.id);
        Ok(Response::new(pb::ListPurchaseOrdersResponse { items, next_cursor }))
    }

    async fn advance_purchase_order(
        &self,
        request: Request<pb::AdvancePurchaseOrderRequest>,
    ) -> Result<Response<pb::PurchaseOrder>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WritePurchases)?;
        let mut tx = self.planning.db.begin().await.map_err(Error::from)?;
        let order = purchase_order::advance(&self.planning, &mut tx, request.get_ref()).await?;
        tx.commit().await.map_err(Error::from)?;
        tracing::info!(order = %order.number, status = %order.status, "supplier order advanced");
        Ok(Response::new(order))
    }

    async fn receive_purchase_order(
        &self,
        request: Request<pb::ReceivePurchaseOrderRequest>,
    ) -> Result<Response<pb::PurchaseOrder>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReceivePurchases)?;
        let order = purchase_order::receive(&self.planning, request.get_ref()).await?;
        let (number, receipt, landed) = (&order.number, &order.receipt_number, order.landed_total);
        tracing::info!(order = %number, receipt = %receipt, landed, "supplier order received");
        Ok(Response::new(order))
    }
}
