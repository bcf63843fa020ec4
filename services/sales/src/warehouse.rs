//! What sales asks of the accounting-warehouse service: stock held for an order, stock given
//! back, the customer's credit, goods issued for a dispatch order. Each call is idempotent there
//! by the order's or the dispatch order's number, so retries are safe.

use std::collections::HashMap;

use atq_platform::caller::Action;
use atq_platform::{Caller, Error, InternalKey, grpc_client};
use atq_proto::accountingwarehouse::v1 as warehouse_pb;
use atq_proto::accountingwarehouse::v1::accounting_client::AccountingClient;
use atq_proto::accountingwarehouse::v1::warehouse_client::WarehouseClient;
use atq_proto::sales::v1 as pb;
use tonic::Code;
use tonic::transport::Channel;

use crate::dispatch_store::DispatchRow;
use crate::order_store::OrderRow;

#[derive(Clone)]
pub struct Warehouse {
    pub warehouse: WarehouseClient<Channel>,
    pub accounting: AccountingClient<Channel>,
    pub key: InternalKey,
}

impl Warehouse {
    pub async fn reserve(&self, caller: &Caller, order: &OrderRow) -> Result<warehouse_pb::Reservation, Error> {
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
    pub async fn check_credit(&self, caller: &Caller, order: &OrderRow, override_credit: bool) -> Result<(), Error> {
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

    pub async fn release(&self, caller: &Caller, order: &OrderRow) -> Result<(), Error> {
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

    /// The goods issue of a dispatch order, with the serial numbers given per line.
    pub async fn issue(
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
