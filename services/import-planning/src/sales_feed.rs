//! Import planning's view of the sales feed: a confirmed project order becomes (or joins) an
//! import plan, timed by its lines' delivery dates; a cancelled one closes its plan. Applied in
//! the consumer's transaction with its cursor, so each order is planned once.

use atq_platform::Tx;
use atq_platform::business_time::{date_to_proto, local_date, now_micros};
use atq_platform::feed_consumer::Projection;
use atq_proto::events::v1::Event;
use atq_proto::importplanning::v1 as pb;
use atq_proto::sales::v1 as sales;
use prost::Message;

use crate::import_plan_api::{self, Checked};
use crate::plan_store;
use crate::replanning::Planning;

pub struct SalesFeed {
    pub planning: Planning,
}

/// The plan request of a project order: one milestone per line at its delivery date (today when
/// it has none: the customer wants it as soon as possible).
pub fn plan_request(order: &sales::Order) -> pb::SubmitImportPlanRequest {
    let today = date_to_proto(local_date(now_micros()));
    let source_ref = if order.contract_number.is_empty() { &order.number } else { &order.contract_number };
    pb::SubmitImportPlanRequest {
        source_ref: source_ref.clone(),
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
    async fn confirmed(&self, tx: &mut Tx, order: &sales::Order) -> atq_platform::Result<()> {
        let request = plan_request(order);
        // A contract planned ahead keeps its milestones; the order only brings its reservation.
        if let Some(header) = plan_store::header_by_source(tx, &request.source_ref).await?
            && request.source_ref != order.number
            && header.status != plan_store::CLOSED
        {
            Planning::lock(tx).await?;
            sqlx::query("UPDATE import_plans SET order_ref = $1 WHERE id = $2")
                .bind(&order.number)
                .bind(header.id)
                .execute(&mut **tx)
                .await?;
            let products: Vec<i64> = order.lines.iter().map(|l| l.product_id).collect();
            self.planning.run(tx, Some(products), &Default::default()).await?;
            return Ok(());
        }
        match import_plan_api::check(&self.planning, &request).await {
            Ok(checked) => {
                let checked: Checked = checked;
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
                    let source = if order.contract_number.is_empty() { &order.number } else { &order.contract_number };
                    import_plan_api::close(&self.planning, tx, source).await?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}
