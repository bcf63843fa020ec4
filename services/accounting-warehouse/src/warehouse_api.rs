//! gRPC adapter for `atq.accountingwarehouse.v1.Warehouse`.

use atq_platform::caller::Action;
use atq_platform::paging::Page;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, Office, Tx, idempotency};
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::accountingwarehouse::v1::warehouse_server::Warehouse;
use tonic::{Request, Response, Status};

use crate::goods_issue::{self, NewIssue};
use crate::receipts::{self, NewReceipt};
use crate::reservations::{self, NewReservation};
use crate::stock::{Condition, Tracking, product_ids};
use crate::stock_queries;
use crate::stocktakes::{self, NewCount};
use crate::transfers::{self, NewTransfer};
use atq_platform::catalog::CatalogReader;

pub struct WarehouseApi {
    pub db: Db,
    pub catalog: CatalogReader,
}

fn optional_office(field: &str, value: i32) -> Result<Option<Office>, Error> {
    match value {
        0 => Ok(None),
        value => Office::from_proto(value).map(Some).map_err(|message| Error::invalid(field, message)),
    }
}

#[tonic::async_trait]
impl Warehouse for WarehouseApi {
    async fn list_stock(
        &self,
        request: Request<pb::ListStockRequest>,
    ) -> Result<Response<pb::ListStockResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadStock)?;
        let input = request.into_inner();
        let warehouse = optional_office("warehouse", input.warehouse)?;
        let rows = stock_queries::levels(&self.db, input.product_id, warehouse).await?;
        let items = rows
            .into_iter()
            .map(|row| pb::StockLevel {
                product_id: row.place.product_id,
                warehouse: row.place.warehouse.to_proto() as i32,
                condition: row.place.condition.to_proto() as i32,
                on_hand: row.on_hand,
                reserved: row.reserved,
                available: row.on_hand - row.reserved,
                average_unit_cost: row.average_unit_cost,
            })
            .collect();
        Ok(Response::new(pb::ListStockResponse { items }))
    }

    async fn list_serials(
        &self,
        request: Request<pb::ListSerialsRequest>,
    ) -> Result<Response<pb::ListSerialsResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadStock)?;
        let input = request.into_inner();
        let warehouse = optional_office("warehouse", input.warehouse)?;
        let rows = stock_queries::serials(&self.db, input.product_id, warehouse).await?;
        let items = rows
            .into_iter()
            .map(|row| pb::SerialUnit {
                warehouse: Office::parse(&row.warehouse).map(|o| o.to_proto() as i32).unwrap_or_default(),
                condition: Condition::parse(&row.condition).map(|c| c.to_proto() as i32).unwrap_or_default(),
                serial: row.serial,
                product_id: row.product_id,
                status: row.status,
            })
            .collect();
        Ok(Response::new(pb::ListSerialsResponse { items }))
    }

    async fn list_transfers(
        &self,
        request: Request<pb::ListTransfersRequest>,
    ) -> Result<Response<pb::ListTransfersResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadStock)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        v.finish()?;
        let from = optional_office("from_warehouse", input.from_warehouse)?;
        let (items, next_cursor) = stock_queries::transfers(&self.db, from, page).await?;
        Ok(Response::new(pb::ListTransfersResponse { items, next_cursor }))
    }

    async fn list_counts(
        &self,
        request: Request<pb::ListCountsRequest>,
    ) -> Result<Response<pb::ListCountsResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadStock)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        v.finish()?;
        let warehouse = optional_office("warehouse", input.warehouse)?;
        let (items, next_cursor) = stock_queries::counts(&self.db, warehouse, page).await?;
        Ok(Response::new(pb::ListCountsResponse { items, next_cursor }))
    }

    async fn get_transfer(
        &self,
        request: Request<pb::GetStockDocumentRequest>,
    ) -> Result<Response<pb::Transfer>, Status> {
        Caller::of(&request)?.require(Action::ReadStock)?;
        Ok(Response::new(transfers::get(&self.db, &request.into_inner().number).await?))
    }

    async fn get_count(
        &self,
        request: Request<pb::GetStockDocumentRequest>,
    ) -> Result<Response<pb::StockCount>, Status> {
        Caller::of(&request)?.require(Action::ReadStock)?;
        Ok(Response::new(stocktakes::get(&self.db, &request.into_inner().number).await?))
    }

    async fn get_goods_issue(
        &self,
        request: Request<pb::GetGoodsIssueRequest>,
    ) -> Result<Response<pb::GoodsIssue>, Status> {
        Caller::of(&request)?.require(Action::ReadCosts)?;
        let dispatch_ref = request.into_inner().dispatch_ref;
        let issue = stock_queries::goods_issue(&self.db, &dispatch_ref)
            .await?
            .ok_or_else(|| Error::NotFound(format!("goods issue of {dispatch_ref}")))?;
        Ok(Response::new(issue))
    }

    async fn reserve(&self, request: Request<pb::ReserveRequest>) -> Result<Response<pb::Reservation>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReserveStock)?;
        let reservation = NewReservation::try_from(&request.into_inner())?;
        // The order's number makes the call idempotent: a retry finds the reservation made.
        let mut tx = self.db.begin().await.map_err(Error::from)?;
        let reservation = reservations::reserve(&mut tx, &self.db, &caller, reservation).await?;
        tx.commit().await.map_err(Error::from)?;
        Ok(Response::new(reservation))
    }

    async fn release(&self, request: Request<pb::ReleaseRequest>) -> Result<Response<pb::Reservation>, Status> {
        Caller::of(&request)?.require(Action::ReserveStock)?;
        let order_ref = request.into_inner().order_ref;
        let mut tx = self.db.begin().await.map_err(Error::from)?;
        let reservation = reservations::release(&mut tx, &self.db, &order_ref).await?;
        tx.commit().await.map_err(Error::from)?;
        Ok(Response::new(reservation))
    }

    async fn get_reservation(
        &self,
        request: Request<pb::GetReservationRequest>,
    ) -> Result<Response<pb::Reservation>, Status> {
        Caller::of(&request)?.require(Action::ReadStock)?;
        let order_ref = request.into_inner().order_ref;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        let reservation = reservations::load(&mut conn, &order_ref)
            .await?
            .ok_or_else(|| Error::NotFound(format!("reservation {order_ref}")))?;
        Ok(Response::new(reservation))
    }

    async fn issue(&self, request: Request<pb::IssueRequest>) -> Result<Response<pb::GoodsIssue>, Status> {
        let ids = |input: &pb::IssueRequest| product_ids(input.lines.iter().map(|l| l.product_id));
        self.issue_document(request, "Issue", ids, |tx, db, caller, input, tracking| {
            Box::pin(
                async move { goods_issue::issue(tx, &db, &caller, NewIssue::try_from((&input, &tracking))?).await },
            )
        })
        .await
    }

    async fn create_receipt(
        &self,
        request: Request<pb::CreateReceiptRequest>,
    ) -> Result<Response<pb::Receipt>, Status> {
        let ids = |input: &pb::CreateReceiptRequest| product_ids(input.lines.iter().map(|l| l.product_id));
        self.issue_document(request, "CreateReceipt", ids, |tx, db, caller, input, tracking| {
            Box::pin(
                async move { receipts::receive(tx, &db, &caller, NewReceipt::try_from((&input, &tracking))?).await },
            )
        })
        .await
    }

    async fn create_transfer(
        &self,
        request: Request<pb::CreateTransferRequest>,
    ) -> Result<Response<pb::Transfer>, Status> {
        let ids = |input: &pb::CreateTransferRequest| product_ids(input.lines.iter().map(|l| l.product_id));
        self.issue_document(request, "CreateTransfer", ids, |tx, db, caller, input, tracking| {
            Box::pin(
                async move { transfers::transfer(tx, &db, &caller, NewTransfer::try_from((&input, &tracking))?).await },
            )
        })
        .await
    }

    async fn create_count(&self, request: Request<pb::CreateCountRequest>) -> Result<Response<pb::StockCount>, Status> {
        let ids = |input: &pb::CreateCountRequest| product_ids(input.lines.iter().map(|l| l.product_id));
        self.issue_document(request, "CreateCount", ids, |tx, db, caller, input, tracking| {
            Box::pin(async move { stocktakes::count(tx, &db, &caller, NewCount::try_from((&input, &tracking))?).await })
        })
        .await
    }
}

impl WarehouseApi {
    /// Every stock document the same way: the warehouse keeper's permission, one catalog call for
    /// its products, then the document applied once per idempotency key, in one transaction.
    async fn issue_document<Req, Resp>(
        &self,
        request: Request<Req>,
        operation: &str,
        product_ids_of: fn(&Req) -> Vec<i64>,
        apply: ApplyDocument<Req, Resp>,
    ) -> Result<Response<Resp>, Status>
    where
        Req: prost::Message + Clone + Send + Sync + 'static,
        Resp: prost::Message + Default + 'static,
    {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteStock)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let products = self.catalog.products(&caller, &product_ids_of(&input)).await?;
        let tracking: Tracking = products.into_iter().map(|(id, product)| (id, product.serial_tracked)).collect();
        let scope = format!("warehouse.{operation}:{}", caller.username);
        let db = self.db.clone();
        let document = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, |tx| {
            apply(tx, db.clone(), caller.clone(), input.clone(), tracking.clone())
        })
        .await?;
        Ok(Response::new(document))
    }
}

/// Checks one document against the catalog and applies it inside the transaction it is given.
type ApplyDocument<Req, Resp> =
    for<'t> fn(&'t mut Tx, Db, Caller, Req, Tracking) -> futures::future::BoxFuture<'t, atq_platform::Result<Resp>>;
