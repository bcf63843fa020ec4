//! gRPC adapter for `atq.sales.v1.Orders`. Confirming and cancelling touch the warehouse, so each
//! is done in steps that a retry resumes: the order is first marked (confirming, cancelling) in
//! its own transaction, then the warehouse is called with the order's number (idempotent there),
//! then the order is finished with the warehouse's answer.

use atq_platform::caller::Action;
use atq_platform::catalog::CatalogReader;
use atq_platform::paging::Page;
use atq_platform::validation::{self, Violations};
use atq_platform::{Caller, Db, Error, InternalKey, grpc_client, idempotency, outbox};
use atq_proto::accountingwarehouse::v1 as warehouse_pb;
use atq_proto::accountingwarehouse::v1::accounting_client::AccountingClient;
use atq_proto::accountingwarehouse::v1::warehouse_client::WarehouseClient;
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::orders_server::Orders;
use tonic::transport::Channel;
use tonic::{Code, Request, Response, Status};

use crate::order::{NewLine, NewOrder, status};
use crate::order_store::{self, OrderFilter, OrderRow};
use crate::quote::status as quote_status;
use crate::{contract, contract_store, customer_store, dispatch_store, quote_store};

pub struct OrderApi {
    pub db: Db,
    pub catalog: CatalogReader,
    pub warehouse: WarehouseClient<Channel>,
    pub accounting: AccountingClient<Channel>,
    pub key: InternalKey,
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

    /// The accepted quote of this customer that an order is made from. One already ordered is refused
    /// when the order is written, so that a retry with the same idempotency key still gets its order.
    async fn accepted_quote(&self, caller: &Caller, id: i64, customer_id: i64) -> Result<quote_store::QuoteRow, Error> {
        let mut conn = self.db.pool().acquire().await?;
        let quote = quote_store::find(&mut conn, id)
            .await?
            .filter(|quote| caller.sees_office(quote.office))
            .ok_or_else(|| Error::invalid("quote_id", "no quote in your territory has this id"))?;
        if quote.customer_id != customer_id {
            return Err(Error::invalid("quote_id", "the quote is for another customer"));
        }
        if quote.status() != quote_status::ACCEPTED {
            return Err(Error::invalid(
                "quote_id",
                format!("the quote is {}; only an accepted quote makes an order", quote.status()),
            ));
        }
        Ok(quote)
    }

    /// An order under a contract needs the contract signed and with the same customer.
    async fn signed_contract(&self, caller: &Caller, id: i64, customer_id: i64) -> Result<(), Error> {
        let mut conn = self.db.pool().acquire().await?;
        let contract = contract_store::find(&mut conn, id)
            .await?
            .filter(|contract| caller.sees_office(contract.office))
            .ok_or_else(|| Error::invalid("contract_id", "no contract in your territory has this id"))?;
        if contract.customer_id != customer_id {
            return Err(Error::invalid("contract_id", "the contract is with another customer"));
        }
        if contract.status != contract::status::SIGNED {
            return Err(Error::invalid(
                "contract_id",
                format!("the contract is {}; orders fall under signed contracts", contract.status),
            ));
        }
        Ok(())
    }

    async fn reserve(&self, caller: &Caller, order: &OrderRow) -> Result<warehouse_pb::Reservation, Error> {
        let message = warehouse_pb::ReserveRequest {
            order_ref: order.number.clone(),
            warehouse: order.warehouse.to_proto() as i32,
            lines: order
                .proto
                .lines
                .iter()
                .map(|l| warehouse_pb::ReserveLine {
                    line_no: l.line_no,
                    product_id: l.product_id,
                    quantity: l.quantity,
                    needed_by: l.delivery_date,
                })
                .collect(),
            // Project customers' backorders are served first, by their delivery dates.
            project: order.proto.customer_group() == pb::CustomerGroup::Project,
        };
        let reservation = grpc_client::with_retry(|| {
            let mut client = self.warehouse.clone();
            let request = grpc_client::request(message.clone(), &self.key, caller, None);
            async move { client.reserve(request).await }
        })
        .await?;
        Ok(reservation.into_inner())
    }

    /// Refuses an order that would take the customer beyond its credit limit, with the figures,
    /// unless a director overrides.
    async fn check_credit(&self, caller: &Caller, order: &OrderRow, override_credit: bool) -> Result<(), Error> {
        let message =
            warehouse_pb::CheckCreditRequest { customer_id: order.customer_id, amount: order.proto.total_gross };
        let check = grpc_client::with_retry(|| {
            let mut client = self.accounting.clone();
            let request = grpc_client::request(message, &self.key, caller, None);
            async move { client.check_credit(request).await }
        })
        .await?
        .into_inner();
        if check.allowed {
            return Ok(());
        }
        if override_credit {
            caller.require(Action::OverrideCredit)?;
            tracing::warn!(order = %order.number, by = %caller.username, limit = check.credit_limit, "credit limit overridden");
            return Ok(());
        }
        Err(Error::Conflict(format!(
            "order {} of {} đồng would take the customer's debt from {} to {} đồng, over its credit limit of {} đồng; \
             a director may confirm it anyway",
            order.number,
            check.amount,
            check.balance,
            check.balance + check.amount,
            check.credit_limit
        )))
    }

    async fn release(&self, caller: &Caller, order: &OrderRow) -> Result<(), Error> {
        let message = warehouse_pb::ReleaseRequest { order_ref: order.number.clone() };
        let released = grpc_client::with_retry(|| {
            let mut client = self.warehouse.clone();
            let request = grpc_client::request(message.clone(), &self.key, caller, None);
            async move { client.release(request).await }
        })
        .await;
        match released {
            // Nothing was reserved yet (the confirmation stopped before the warehouse).
            Err(status) if status.code() == Code::NotFound => Ok(()),
            other => other.map(|_| ()).map_err(Error::from),
        }
    }

    /// Moves the order on in a transaction of its own and returns it as it then stands.
    async fn mark(&self, order: &OrderRow, to: &str) -> Result<OrderRow, Error> {
        let mut tx = self.db.begin().await?;
        order_store::advance(&mut tx, order, to).await?;
        let marked = order_store::find(&mut tx, order.id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("order {}", order.id)))?;
        tx.commit().await?;
        Ok(marked)
    }

    /// The last step of confirming or cancelling: status, lines, the customer's purchases, the event.
    async fn finish(
        &self,
        order: &OrderRow,
        to: &str,
        reservation: Option<&warehouse_pb::Reservation>,
    ) -> Result<pb::Order, Error> {
        let mut tx = self.db.begin().await?;
        match reservation {
            Some(reservation) => order_store::apply_reservation(&mut tx, reservation).await?,
            None => order_store::clear_reservation(&mut tx, order.id).await?,
        }
        order_store::advance(&mut tx, order, to).await?;
        order_store::refresh_purchases(&mut tx, order.customer_id).await?;
        let finished = order_store::find(&mut tx, order.id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("order {}", order.id)))?;
        let id = order.id.to_string();
        let proto = Some(finished.proto.clone());
        if to == status::CONFIRMED {
            let event = pb::OrderConfirmed { order: proto };
            outbox::append(&mut tx, self.db.backend(), "order", &id, "atq.sales.v1.OrderConfirmed", &event).await?;
        } else {
            let event = pb::OrderCancelled { order: proto };
            outbox::append(&mut tx, self.db.backend(), "order", &id, "atq.sales.v1.OrderCancelled", &event).await?;
        }
        tx.commit().await?;
        Ok(finished.proto)
    }
}

fn check_version(order: &OrderRow, expected: i64) -> Result<(), Error> {
    Error::unless_stale(expected, order.proto.version)
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
        let mut order = NewOrder::parse(&input, &catalog)?;
        if order.quote_id > 0 {
            let quote = self.accepted_quote(&caller, order.quote_id, order.customer_id).await?;
            order.lines = quote.proto.lines.iter().map(NewLine::from_quote).collect();
        }
        if order.contract_id > 0 {
            self.signed_contract(&caller, order.contract_id, order.customer_id).await?;
        }
        let warehouse = order.warehouse.unwrap_or(customer.fields.office);
        let scope = format!("sales.CreateOrder:{}", caller.username);
        let created = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (order, customer, by) = (order.clone(), customer.clone(), caller.username.clone());
            Box::pin(async move {
                let id = order_store::insert(tx, &order, &customer, warehouse, &by).await?;
                if order.quote_id > 0 {
                    quote_store::link_order(tx, order.quote_id, id).await?;
                }
                let row = order_store::find(tx, id).await?.ok_or_else(|| Error::NotFound(format!("order {id}")))?;
                Ok(row.proto)
            })
        })
        .await?;
        tracing::info!(order = %created.number, lines = created.lines.len(), "order created");
        Ok(Response::new(created))
    }

    async fn get_order(&self, request: Request<pb::GetOrderRequest>) -> Result<Response<pb::Order>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        Ok(Response::new(self.visible(&caller, request.into_inner().id).await?.proto))
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
        let wanted = validation::status_filter(&mut v, &input.status, &status::ALL);
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
        let mut order = self.visible(&caller, input.id).await?;
        match order.status.as_str() {
            status::CONFIRMED => return Ok(Response::new(order.proto)),
            status::DRAFT => {
                check_version(&order, input.expected_version)?;
                self.check_credit(&caller, &order, input.override_credit).await?;
                order = self.mark(&order, status::CONFIRMING).await?;
            }
            status::CONFIRMING => {}
            _ => return Err(Error::Conflict(format!("order {} is {}", order.number, order.status)).into()),
        }
        let reservation = self.reserve(&caller, &order).await?;
        let confirmed = self.finish(&order, status::CONFIRMED, Some(&reservation)).await?;
        metrics::counter!("atq_orders_confirmed_total").increment(1);
        tracing::info!(order = %confirmed.number, "order confirmed");
        Ok(Response::new(confirmed))
    }

    async fn cancel_order(&self, request: Request<pb::OrderActionRequest>) -> Result<Response<pb::Order>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteOrders)?;
        let input = request.into_inner();
        let mut order = self.visible(&caller, input.id).await?;
        match order.status.as_str() {
            status::CANCELLED => return Ok(Response::new(order.proto)),
            status::DRAFT => {
                check_version(&order, input.expected_version)?;
                return Ok(Response::new(self.finish(&order, status::CANCELLED, None).await?));
            }
            status::CONFIRMING | status::CONFIRMED => {
                check_version(&order, input.expected_version)?;
                let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
                if order.proto.lines.iter().any(|l| l.shipped > 0)
                    || dispatch_store::open_count(&mut conn, order.id).await? > 0
                {
                    return Err(Error::Conflict(format!(
                        "order {} has dispatch orders under way or goods shipped; it can no longer be cancelled",
                        order.number
                    ))
                    .into());
                }
                drop(conn);
                order = self.mark(&order, status::CANCELLING).await?;
            }
            _ => {}
        }
        self.release(&caller, &order).await?;
        let cancelled = self.finish(&order, status::CANCELLED, None).await?;
        tracing::info!(order = %cancelled.number, "order cancelled");
        Ok(Response::new(cancelled))
    }
}
