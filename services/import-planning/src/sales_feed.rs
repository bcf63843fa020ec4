//! Import planning's view of the sales feed: a confirmed project order joins the plan of its
//! contract when the import-export department has planned the contract's schedule, or becomes a
//! plan of its own, timed by its lines' delivery dates. A cancelled order closes its own plan or
//! leaves the contract's. Applied in the consumer's transaction with its cursor.

use atq_platform::business_time::{date_to_proto, local_date, now_micros};
use atq_platform::feed_consumer::Projection;
use atq_platform::{Tx, outbox};
use atq_proto::events::v1::Event;
use atq_proto::importplanning::v1 as pb;
use atq_proto::sales::v1 as sales;
use prost::Message;

use crate::import_plan;
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

/// The project order an event carries, if it is one.
fn project_order(order: Option<sales::Order>) -> Option<sales::Order> {
    order.filter(|o| o.customer_group == sales::CustomerGroup::Project as i32)
}

#[tonic::async_trait]
impl Projection for SalesFeed {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> atq_platform::Result<()> {
        let decode = |e: prost::DecodeError| atq_platform::Error::internal(anyhow::anyhow!(e));
        let payload = event.payload.as_slice();
        if outbox::is::<sales::OrderConfirmed>(event) {
            let order = sales::OrderConfirmed::decode(payload).map_err(decode)?.order;
            if let Some(order) = project_order(order) {
                import_plan::order_confirmed(&self.planning, tx, &order.contract_number, &plan_request(&order)).await?;
            }
        } else if outbox::is::<sales::OrderCancelled>(event) {
            let order = sales::OrderCancelled::decode(payload).map_err(decode)?.order;
            if let Some(order) = project_order(order) {
                import_plan::order_cancelled(&self.planning, tx, &order.number).await?;
            }
        }
        Ok(())
    }
}
