//! gRPC adapter for `atq.sales.v1.DispatchOrders`: sales requests, a director decides, the
//! warehouse ships (goods issue, idempotent per dispatch number there), delivery is confirmed.

use std::collections::HashMap;

use atq_platform::caller::Action;
use atq_platform::paging::Page;
use atq_platform::validation::{self, Violations};
use atq_platform::{Caller, Db, Error, InternalKey, Office, grpc_client, idempotency, outbox};
use atq_proto::accountingwarehouse::v1 as warehouse_pb;
use atq_proto::accountingwarehouse::v1::warehouse_client::WarehouseClient;
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::dispatch_orders_server::DispatchOrders;
use tonic::transport::Channel;
use tonic::{Request, Response, Status};

use crate::dispatch_store::{self, DispatchFilter, DispatchRow, NewDispatchLine, Transition, status};
use crate::order::status as order_status;
use crate::order_store::{self, OrderRow};

pub struct DispatchApi {
    pub db: Db,
    pub warehouse: WarehouseClient<Channel>,
    pub key: InternalKey,
}

impl DispatchApi {
    async fn visible(&self, caller: &Caller, id: i64) -> Result<DispatchRow, Error> {
        let mut conn = self.db.pool().acquire().await?;
        dispatch_store::find(&mut conn, id)
            .await?
            .filter(|d| caller.sees_office(d.office))
            .ok_or_else(|| Error::NotFound(format!("dispatch order {id}")))
    }

    async fn order(&self, conn: &mut sqlx::AnyConnection, order_id: i64) -> Result<OrderRow, Error> {
        order_store::find(conn, order_id).await?.ok_or_else(|| Error::NotFound(format!("order {order_id}")))
    }

    /// One step in its own transaction; returns the dispatch order as it then stands.
    async fn step(&self, dispatch: &DispatchRow, to: &str, change: Transition<'_>) -> Result<DispatchRow, Error> {
        let mut tx = self.db.begin().await?;
        dispatch_store::advance(&mut tx, dispatch, to, change).await?;
        let moved = dispatch_store::find(&mut tx, dispatch.id)
            .await?
            .ok_or_else(|| Error::NotFound("dispatch order".into()))?;
        tx.commit().await?;
        Ok(moved)
    }

    async fn issue(
        &self,
        caller: &Caller,
        dispatch: &DispatchRow,
        serials: &HashMap<i32, Vec<String>>,
    ) -> Result<warehouse_pb::GoodsIssue, Error> {
        let message = warehouse_pb::IssueRequest {
            dispatch_ref: dispatch.proto.number.clone(),
            order_ref: dispatch.proto.order_number.clone(),
            warehouse: dispatch.proto.warehouse,
            lines: dispatch
                .proto
                .lines
                .iter()
                .map(|l| warehouse_pb::IssueLine {
                    line_no: l.line_no,
                    product_id: l.product_id,
                    quantity: l.quantity,
                    serials: serials.get(&l.line_no).cloned().unwrap_or_default(),
                })
                .collect(),
        };
        let issued = grpc_client::with_retry(|| {
            let mut client = self.warehouse.clone();
            let request = grpc_client::request(message.clone(), &self.key, caller, None);
            async move { client.issue(request).await }
        })
        .await?;
        Ok(issued.into_inner())
    }
}

fn check_version(dispatch: &DispatchRow, expected: i64) -> Result<(), Error> {
    Error::unless_stale(expected, dispatch.proto.version)
}

fn refuse(dispatch: &DispatchRow, action: &str) -> Error {
    Error::Conflict(format!("dispatch order {} is {}; it cannot be {action}", dispatch.proto.number, dispatch.status))
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
        let scope = format!("sales.RequestDispatch:{}", caller.username);
        let request_copy = input.clone();
        let dispatch = idempotency::run_once(&self.db, &scope, key.as_deref(), &request_copy, move |tx| {
            let (input, caller) = (input.clone(), caller.clone());
            Box::pin(async move {
                let order = order_store::find(tx, input.order_id)
                    .await?
                    .filter(|o| caller.sees_office(o.office))
                    .ok_or_else(|| Error::NotFound(format!("order {}", input.order_id)))?;
                if order.status != order_status::CONFIRMED {
                    return Err(Error::Conflict(format!("order {} is {}, not confirmed", order.number, order.status)));
                }
                let warehouse = match input.warehouse {
                    0 => order.warehouse,
                    value => Office::from_proto(value).map_err(|m| Error::invalid("warehouse", m))?,
                };
                if warehouse != order.warehouse {
                    return Err(Error::invalid(
                        "warehouse",
                        format!("the order's stock is reserved in {}", order.warehouse.code()),
                    ));
                }
                let dispatched: HashMap<i64, i64> =
                    dispatch_store::dispatched(tx, order.id).await?.into_iter().collect();
                let left = |line: &pb::OrderLine| {
                    line.reserved - dispatched.get(&i64::from(line.line_no)).copied().unwrap_or(0)
                };
                let mut v = Violations::new();
                let mut lines = Vec::new();
                if input.lines.is_empty() {
                    for line in order.proto.lines.iter().filter(|l| left(l) > 0) {
                        lines.push(NewDispatchLine {
                            line_no: i64::from(line.line_no),
                            product_id: line.product_id,
                            model_code: line.model_code.clone(),
                            quantity: left(line),
                        });
                    }
                    if lines.is_empty() {
                        return Err(Error::Conflict(format!(
                            "order {} has nothing reserved left to dispatch",
                            order.number
                        )));
                    }
                }
                for (i, wanted) in input.lines.iter().enumerate() {
                    match order.proto.lines.iter().find(|l| l.line_no == wanted.line_no) {
                        None => v.add(format!("lines[{i}].line_no"), "the order has no such line"),
                        Some(line) if wanted.quantity < 1 || wanted.quantity > left(line) => v.add(
                            format!("lines[{i}].quantity"),
                            format!("must be 1 to {} (reserved and not yet dispatched)", left(line).max(0)),
                        ),
                        Some(line) => lines.push(NewDispatchLine {
                            line_no: i64::from(line.line_no),
                            product_id: line.product_id,
                            model_code: line.model_code.clone(),
                            quantity: wanted.quantity,
                        }),
                    }
                }
                v.finish()?;
                let id =
                    dispatch_store::insert(tx, order.id, order.office, warehouse, &lines, &caller.username).await?;
                let row = dispatch_store::find(tx, id)
                    .await?
                    .ok_or_else(|| Error::NotFound(format!("dispatch order {id}")))?;
                Ok(row.proto)
            })
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
        let wanted = validation::status_filter(&mut v, &input.status, &status::ALL);
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
        let caller = Caller::of(&request)?;
        caller.require(Action::DecideDispatch)?;
        let input = request.into_inner();
        let dispatch = self.visible(&caller, input.id).await?;
        match dispatch.status.as_str() {
            status::APPROVED => return Ok(Response::new(dispatch.proto)),
            status::REQUESTED => check_version(&dispatch, input.expected_version)?,
            _ => return Err(refuse(&dispatch, "approved").into()),
        }
        let change = Transition {
            decided_by: Some(&caller.username),
            decision_note: Some(input.note.trim()),
            ..Default::default()
        };
        let approved = self.step(&dispatch, status::APPROVED, change).await?;
        tracing::info!(dispatch = %approved.proto.number, by = %caller.username, "dispatch order approved");
        Ok(Response::new(approved.proto))
    }

    async fn reject_dispatch(
        &self,
        request: Request<pb::DispatchActionRequest>,
    ) -> Result<Response<pb::DispatchOrder>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::DecideDispatch)?;
        let input = request.into_inner();
        let dispatch = self.visible(&caller, input.id).await?;
        match dispatch.status.as_str() {
            status::REJECTED => return Ok(Response::new(dispatch.proto)),
            status::REQUESTED => check_version(&dispatch, input.expected_version)?,
            _ => return Err(refuse(&dispatch, "rejected").into()),
        }
        if input.note.trim().is_empty() {
            return Err(Error::invalid("note", "say why the dispatch order is rejected").into());
        }
        let change = Transition {
            decided_by: Some(&caller.username),
            decision_note: Some(input.note.trim()),
            ..Default::default()
        };
        Ok(Response::new(self.step(&dispatch, status::REJECTED, change).await?.proto))
    }

    async fn ship_dispatch(
        &self,
        request: Request<pb::ShipDispatchRequest>,
    ) -> Result<Response<pb::DispatchOrder>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ShipDispatch)?;
        let input = request.into_inner();
        let mut dispatch = self.visible(&caller, input.id).await?;
        match dispatch.status.as_str() {
            status::SHIPPED | status::DELIVERED => return Ok(Response::new(dispatch.proto)),
            status::APPROVED => {
                check_version(&dispatch, input.expected_version)?;
                dispatch = self.step(&dispatch, status::SHIPPING, Transition::default()).await?;
            }
            status::SHIPPING => {}
            _ => return Err(refuse(&dispatch, "shipped").into()),
        }
        let serials: HashMap<i32, Vec<String>> = input.lines.into_iter().map(|l| (l.line_no, l.serials)).collect();
        let issued = self.issue(&caller, &dispatch, &serials).await?;

        let mut tx = self.db.begin().await.map_err(Error::from)?;
        for line in &issued.lines {
            dispatch_store::record_serials(&mut tx, dispatch.id, i64::from(line.line_no), &line.serials).await?;
        }
        let change =
            Transition { goods_issue: Some((&issued.number, issued.total_cost)), shipped: true, ..Default::default() };
        dispatch_store::advance(&mut tx, &dispatch, status::SHIPPED, change).await?;
        dispatch_store::add_to_order_lines(&mut tx, &dispatch.proto, "shipped").await?;
        let shipped = dispatch_store::find(&mut tx, dispatch.id)
            .await?
            .ok_or_else(|| Error::NotFound("dispatch order".into()))?;
        let order = self.order(&mut tx, dispatch.proto.order_id).await?;
        let event = pb::DispatchShipped {
            dispatch: Some(shipped.proto.clone()),
            order_lines: order.proto.lines.clone(),
            customer_group: order.proto.customer_group,
        };
        outbox::append(
            &mut tx,
            self.db.backend(),
            "dispatch_order",
            &dispatch.id.to_string(),
            "atq.sales.v1.DispatchShipped",
            &event,
        )
        .await?;
        tx.commit().await.map_err(Error::from)?;
        metrics::counter!("atq_dispatch_orders_shipped_total").increment(1);
        tracing::info!(dispatch = %shipped.proto.number, goods_issue = %issued.number, "dispatch order shipped");
        Ok(Response::new(shipped.proto))
    }

    async fn deliver_dispatch(
        &self,
        request: Request<pb::DispatchActionRequest>,
    ) -> Result<Response<pb::DispatchOrder>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ConfirmDelivery)?;
        let input = request.into_inner();
        let dispatch = self.visible(&caller, input.id).await?;
        match dispatch.status.as_str() {
            status::DELIVERED => return Ok(Response::new(dispatch.proto)),
            status::SHIPPED => check_version(&dispatch, input.expected_version)?,
            _ => return Err(refuse(&dispatch, "delivered").into()),
        }
        let mut tx = self.db.begin().await.map_err(Error::from)?;
        dispatch_store::advance(
            &mut tx,
            &dispatch,
            status::DELIVERED,
            Transition { delivered: true, ..Default::default() },
        )
        .await?;
        dispatch_store::add_to_order_lines(&mut tx, &dispatch.proto, "delivered").await?;
        let order = self.order(&mut tx, dispatch.proto.order_id).await?;
        // Partial deliveries add up; the order is complete when every line is delivered.
        if order.status == order_status::CONFIRMED && order.proto.lines.iter().all(|l| l.delivered >= l.quantity) {
            order_store::advance(&mut tx, &order, order_status::COMPLETED).await?;
        }
        let delivered = dispatch_store::find(&mut tx, dispatch.id)
            .await?
            .ok_or_else(|| Error::NotFound("dispatch order".into()))?;
        let event = pb::DispatchDelivered { dispatch: Some(delivered.proto.clone()) };
        outbox::append(
            &mut tx,
            self.db.backend(),
            "dispatch_order",
            &dispatch.id.to_string(),
            "atq.sales.v1.DispatchDelivered",
            &event,
        )
        .await?;
        tx.commit().await.map_err(Error::from)?;
        Ok(Response::new(delivered.proto))
    }
}
