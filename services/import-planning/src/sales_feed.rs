//! Import planning's view of the sales feed: a confirmed project order joins the plan of its
//! contract when the import-export department has planned the contract's schedule, or becomes a
//! plan of its own, timed by its lines' delivery dates. A cancelled order closes its own plan or
//! leaves the contract's. Applied in the consumer's transaction with its cursor.

use atq_platform::Tx;
use atq_platform::business_time::{date_to_proto, local_date, now_micros};
use atq_platform::feed_consumer::Projection;
use atq_proto::events::v1::Event;
use atq_proto::importplanning::v1 as pb;
use atq_proto::sales::v1 as sales;
use prost::Message;

use crate::import_plan_api;
use crate::plan_store;
use crate::replanning::Planning;

pub struct SalesFeed {
    pub planning: Planning,
}

/// The plan request of a project order: one milestone per line at its delivery date (today when
/// it has none: the customer wants it as soon as possible).
pub fn plan_request(order: &sales::Order) -> pb::SubmitImportPlanRequest {
    let today = date_to_proto(local_date(now_micros()));
    pb::SubmitImportPlanRequest {
        source_ref: order.number.clone(),
        order_ref: order.number.clone(),
        customer_id: order.customer_id,
        customer_name: order.customer_name.clone(),
        office: order.office,
        lines: order
            .lines
            .iter()
            .map(|line| pb::PlanLineRequest {
                line_no: line.line_no,
                product_id: line.product_id,
                milestones: vec![pb::Milestone {
                    needed_by: Some(line.delivery_date.unwrap_or(today)),
                    quantity: line.quantity,
                }],
            })
            .collect(),
    }
}

impl SalesFeed {
    /// The open plan of the order's contract, if the contract was planned.
    async fn contract_plan(&self, tx: &mut Tx, order: &sales::Order) -> atq_platform::Result<Option<i64>> {
        if order.contract_number.is_empty() {
            return Ok(None);
        }
        Ok(plan_store::header_by_source(tx, &order.contract_number)
            .await?
            .filter(|header| header.status != plan_store::CLOSED)
            .map(|header| header.id))
    }

    async fn confirmed(&self, tx: &mut Tx, order: &sales::Order) -> atq_platform::Result<()> {
        if let Some(plan_id) = self.contract_plan(tx, order).await? {
            return import_plan_api::join(&self.planning, tx, plan_id, &order.number).await;
        }
        match import_plan_api::check(&self.planning, &plan_request(order)).await {
            Ok(checked) => {
                import_plan_api::submit(&self.planning, tx, &checked).await?;
            }
            // An order the catalog no longer knows cannot be planned; it must not stall the feed.
            Err(atq_platform::Error::Invalid(violations)) => {
                tracing::warn!(order = %order.number, ?violations, "project order not planned");
            }
            Err(error) => return Err(error),
        }
        Ok(())
    }

    async fn cancelled(&self, tx: &mut Tx, order: &sales::Order) -> atq_platform::Result<()> {
        let Some(plan_id) = plan_store::plan_of_order(tx, &order.number).await? else { return Ok(()) };
        match plan_store::header_by_source(tx, &order.number).await? {
            Some(own) if own.id == plan_id => import_plan_api::close(&self.planning, tx, &order.number).await,
            _ => import_plan_api::leave(&self.planning, tx, plan_id, &order.number).await,
        }
    }
}

#[tonic::async_trait]
impl Projection for SalesFeed {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> atq_platform::Result<()> {
        let decode = |e: prost::DecodeError| atq_platform::Error::internal(anyhow::anyhow!(e));
        match event.event_type.as_str() {
            "atq.sales.v1.OrderConfirmed" => {
                let order = sales::OrderConfirmed::decode(event.payload.as_slice()).map_err(decode)?.order;
                if let Some(order) = order.filter(|o| o.customer_group == sales::CustomerGroup::Project as i32) {
                    self.confirmed(tx, &order).await?;
                }
            }
            "atq.sales.v1.OrderCancelled" => {
                let order = sales::OrderCancelled::decode(event.payload.as_slice()).map_err(decode)?.order;
                if let Some(order) = order.filter(|o| o.customer_group == sales::CustomerGroup::Project as i32) {
                    self.cancelled(tx, &order).await?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}
