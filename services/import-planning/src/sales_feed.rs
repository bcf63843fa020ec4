//! Import planning's view of the sales feed: a confirmed project order joins the plan of its
//! contract when the import-export department has planned the contract's schedule, or becomes a
//! plan of its own, timed by its lines' delivery dates. A cancelled order closes its own plan or
//! leaves the contract's. Applied in the consumer's transaction with its cursor.

use std::sync::Mutex;

use atq_platform::business_time::{date_to_proto, local_date, now_micros};
use atq_platform::feed_consumer::Projection;
use atq_platform::{Tx, outbox};
use atq_proto::events::v1::Event;
use atq_proto::importplanning::v1 as pb;
use atq_proto::sales::v1 as sales;
use prost::Message;

use crate::import_plan;
use crate::replanning::{Planning, Replans};

pub struct SalesFeed {
    pub planning: Planning,
    /// The re-plans the batch being applied asked for, run once at its end.
    pub pending: Mutex<Pending>,
}

impl SalesFeed {
    pub fn new(planning: Planning) -> Self {
        SalesFeed { planning, pending: Mutex::default() }
    }
}

/// Re-plans gathered over a batch, and the last position they come from: an event at or before
/// it starts a batch again after a failed one, whose re-plans were rolled back with it.
#[derive(Default)]
pub struct Pending {
    replans: Replans,
    last_position: i64,
}

impl Pending {
    /// Takes what `position` asks for next; forgets what a failed batch left.
    pub fn at(&mut self, position: i64) -> &mut Replans {
        if position <= self.last_position {
            self.replans = Replans::default();
        }
        self.last_position = position;
        &mut self.replans
    }

    pub fn take(&mut self) -> Replans {
        std::mem::take(&mut self.replans)
    }
}

/// The pending re-plans; a poisoned lock only means a batch failed, and its re-plans are dropped.
fn lock(pending: &Mutex<Pending>) -> std::sync::MutexGuard<'_, Pending> {
    pending.lock().unwrap_or_else(|poisoned| {
        let mut guard = poisoned.into_inner();
        guard.replans = Replans::default();
        guard
    })
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
                let replans =
                    import_plan::order_confirmed(&self.planning, tx, &order.contract_number, &plan_request(&order))
                        .await?;
                lock(&self.pending).at(event.position).merge(replans);
            }
        } else if outbox::is::<sales::OrderCancelled>(event) {
            let order = sales::OrderCancelled::decode(payload).map_err(decode)?.order;
            if let Some(order) = project_order(order) {
                import_plan::order_cancelled(&self.planning, tx, &order.number).await?;
            }
        }
        Ok(())
    }

    async fn finish_batch(&self, tx: &mut Tx) -> atq_platform::Result<()> {
        let replans = lock(&self.pending).take();
        self.planning.run_deferred(tx, replans).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn replans(product: i64, plan: Option<(i64, i32)>) -> Replans {
        let before = plan
            .map(|(plan_id, line_no)| {
                let milestone = crate::plan_store::StoredMilestone {
                    plan_id,
                    line_no,
                    milestone_no: 1,
                    product_id: product,
                    needed_by: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                    quantity: 1,
                    promise_date: None,
                    late: false,
                    reason: String::new(),
                    coverage: Vec::new(),
                };
                HashMap::from([(plan_id, vec![milestone])])
            })
            .unwrap_or_default();
        Replans { products: [product].into(), before }
    }

    #[test]
    fn a_batch_gathers_its_replans_and_a_plan_keeps_its_oldest_schedule() {
        let mut pending = Pending::default();
        pending.at(10).merge(replans(1, Some((7, 1))));
        pending.at(11).merge(replans(2, Some((7, 2))));
        let gathered = pending.take();
        assert_eq!(gathered.products, [1, 2].into());
        assert_eq!(gathered.before[&7][0].line_no, 1, "the schedule as it was before the batch");
        assert!(pending.take().products.is_empty(), "taken once");
    }

    #[test]
    fn a_batch_applied_again_after_a_failure_forgets_what_the_failed_one_gathered() {
        let mut pending = Pending::default();
        pending.at(10).merge(replans(1, Some((7, 1))));
        pending.at(11).merge(replans(2, None));
        // The failed batch rolled back; the feed resumes at its first event.
        pending.at(10).merge(replans(3, None));
        let gathered = pending.take();
        assert_eq!(gathered.products, [3].into());
        assert!(gathered.before.is_empty(), "plan 7 was rolled back with the failed batch");
    }
}
