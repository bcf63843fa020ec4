//! Import planning's feed tells sales when a project order's goods can be ready: each line shows
//! the plan's promise and, when planning cannot make the date, why.

use std::collections::BTreeMap;

use atq_platform::business_time::date_from_proto;
use atq_platform::error::Result;
use atq_platform::feed_consumer::Projection;
use atq_platform::{Tx, outbox};
use atq_proto::events::v1::Event;
use atq_proto::importplanning::v1::{ImportPlan, ImportPlanChanged, PlanLine, PlannedMilestone};
use chrono::NaiveDate;
use prost::Message;

use crate::order_store;

/// What an order line shows of its plan line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinePromise {
    pub line_no: i32,
    /// The latest promise date of the line's milestones: the line is ready when its last one is.
    pub promised_on: Option<NaiveDate>,
    /// The reason of the latest late milestone, the one holding the line back longest; empty
    /// when none is late.
    pub supply_note: String,
}

fn promise_date(milestone: &PlannedMilestone) -> Option<NaiveDate> {
    milestone.promise_date.as_ref().and_then(|d| date_from_proto(d).ok())
}

pub fn line_promise(line: &PlanLine) -> LinePromise {
    let promised_on = line.milestones.iter().filter_map(promise_date).max();
    let supply_note = line
        .milestones
        .iter()
        .filter(|m| m.late)
        .max_by_key(|m| (promise_date(m), m.milestone_no))
        .map(|m| m.reason.clone())
        .unwrap_or_default();
    LinePromise { line_no: line.line_no, promised_on, supply_note }
}

/// Events may be replayed, so only a revision newer than the one the order shows replaces it.
pub fn supersedes(stored_revision: i64, incoming_revision: i64) -> bool {
    incoming_revision > stored_revision
}

pub struct PlanFeed;

#[tonic::async_trait]
impl Projection for PlanFeed {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<()> {
        if !outbox::is::<ImportPlanChanged>(event) {
            return Ok(());
        }
        match ImportPlanChanged::decode(event.payload.as_slice())?.plan {
            Some(plan) if !plan.order_ref.is_empty() => apply_plan(tx, &plan).await,
            _ => Ok(()),
        }
    }
}

/// Unknown orders and lines are skipped, not refused: an error here would stall the whole feed.
async fn apply_plan(tx: &mut Tx, plan: &ImportPlan) -> Result<()> {
    let Some((order_id, stored)) = order_store::import_plan_revision(tx, &plan.order_ref).await? else {
        tracing::debug!(order = %plan.order_ref, plan = %plan.number, "import plan of an unknown order skipped");
        return Ok(());
    };
    if !supersedes(stored, plan.revision) {
        tracing::debug!(order = %plan.order_ref, plan = %plan.number, revision = plan.revision, stored, "stale import plan skipped");
        return Ok(());
    }
    order_store::set_import_plan(tx, order_id, &plan.number, plan.revision).await?;
    for (product_id, line) in by_product(plan) {
        let promise = line_promise(&line);
        let known =
            order_store::set_product_promise(tx, order_id, product_id, promise.promised_on, &promise.supply_note)
                .await?;
        if !known {
            tracing::debug!(order = %plan.order_ref, plan = %plan.number, product_id, "import plan product not on the order skipped");
        }
    }
    Ok(())
}

/// The plan's lines merged per product: an order line shows every milestone of its product.
fn by_product(plan: &ImportPlan) -> BTreeMap<i64, PlanLine> {
    let mut merged: BTreeMap<i64, PlanLine> = BTreeMap::new();
    for line in &plan.lines {
        merged
            .entry(line.product_id)
            .and_modify(|m| m.milestones.extend(line.milestones.iter().cloned()))
            .or_insert_with(|| line.clone());
    }
    merged
}

#[cfg(test)]
mod tests {
    use atq_platform::business_time::date_to_proto;
    use atq_platform::testing::fresh_database;
    use atq_platform::{Caller, Db, Office};
    use prost::Name;

    use super::*;
    use crate::customer::{CustomerFields, CustomerGroup};
    use crate::customer_store;
    use crate::order::{NewLine, NewOrder};

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn milestone(no: i32, promise: &str, late: bool, reason: &str) -> PlannedMilestone {
        PlannedMilestone {
            milestone_no: no,
            promise_date: Some(date_to_proto(date(promise))),
            late,
            reason: reason.into(),
            ..Default::default()
        }
    }

    fn line(milestones: Vec<PlannedMilestone>) -> PlanLine {
        PlanLine { line_no: 2, milestones, ..Default::default() }
    }

    #[test]
    fn a_line_is_promised_on_its_latest_milestone() {
        let promise = line_promise(&line(vec![
            milestone(1, "2026-05-04", false, ""),
            milestone(2, "2026-07-20", false, ""),
            milestone(3, "2026-06-01", false, ""),
        ]));
        assert_eq!(
            promise,
            LinePromise { line_no: 2, promised_on: Some(date("2026-07-20")), supply_note: String::new() }
        );
    }

    #[test]
    fn the_note_is_the_reason_of_the_latest_late_milestone() {
        let promise = line_promise(&line(vec![
            milestone(1, "2026-06-10", true, "supplier lead time 8 weeks"),
            milestone(2, "2026-08-15", true, "the supplier order arrives 2026-08-01"),
            milestone(3, "2026-09-01", false, ""),
        ]));
        assert_eq!(promise.promised_on, Some(date("2026-09-01")));
        assert_eq!(promise.supply_note, "the supplier order arrives 2026-08-01");
    }

    #[test]
    fn a_line_without_promises_shows_none() {
        let undated =
            PlannedMilestone { milestone_no: 1, late: true, reason: "no supplier".into(), ..Default::default() };
        let promise = line_promise(&line(vec![undated]));
        assert_eq!((promise.promised_on, promise.supply_note.as_str()), (None, "no supplier"));
        assert_eq!(line_promise(&line(Vec::new())).promised_on, None);
    }

    #[test]
    fn only_a_newer_revision_replaces_the_stored_one() {
        assert!(supersedes(0, 1));
        assert!(supersedes(3, 4));
        assert!(!supersedes(4, 4));
        assert!(!supersedes(4, 3));
    }

    /// A draft order of two lines, by number.
    async fn order(db: &Db) -> (i64, String) {
        let mut tx = db.begin().await.unwrap();
        let fields = CustomerFields {
            name: "Trường THCS Ngô Sĩ Liên".into(),
            group: CustomerGroup::Project,
            phone: "0241234567".into(),
            email: String::new(),
            address: "Hà Nội".into(),
            office: Office::HaNoi,
            tax_code: String::new(),
            assigned_to: "sales.hn".into(),
        };
        let customer = customer_store::insert(&mut tx, db, &fields, &Caller::service("test")).await.unwrap();
        let new_line = |line_no| NewLine {
            line_no,
            product_id: line_no + 6,
            model_code: "M7".into(),
            product_name: "Kính hiển vi".into(),
            supplier_id: 3,
            quantity: 2,
            unit_price: 1_000,
            vat_rate_bp: 1000,
            delivery_date: None,
            net_amount: 2_000,
            vat_amount: 200,
            discount_amount: 0,
            promotions: Vec::new(),
        };
        let new = NewOrder {
            customer_id: customer.id,
            warehouse: None,
            note: String::new(),
            lines: vec![new_line(1), new_line(2)],
            quote_id: 0,
            contract_id: 0,
            promotion_uses: Vec::new(),
        };
        let id = order_store::insert(&mut tx, &new, &customer, Office::HaNoi, "sales.hn").await.unwrap();
        tx.commit().await.unwrap();
        let number = reload(db, id).await.number;
        (id, number)
    }

    async fn reload(db: &Db, id: i64) -> order_store::OrderRow {
        let mut conn = db.pool().acquire().await.unwrap();
        order_store::find(&mut conn, id).await.unwrap().unwrap()
    }

    fn changed(order_ref: &str, revision: i64, promise: &str) -> Event {
        let plan = ImportPlan {
            number: "KH-2026-0001".into(),
            order_ref: order_ref.into(),
            revision,
            lines: vec![
                // A contract's plan numbers its lines its own way: lines match by product.
                PlanLine {
                    line_no: 5,
                    product_id: 8,
                    milestones: vec![milestone(1, promise, true, "on the water")],
                    ..Default::default()
                },
                PlanLine {
                    line_no: 6,
                    product_id: 8,
                    milestones: vec![milestone(2, "2026-05-01", false, "")],
                    ..Default::default()
                },
                PlanLine {
                    line_no: 9,
                    product_id: 99,
                    milestones: vec![milestone(1, promise, false, "")],
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let payload = ImportPlanChanged { plan: Some(plan) }.encode_to_vec();
        Event { event_type: ImportPlanChanged::full_name(), payload, ..Default::default() }
    }

    async fn apply(db: &Db, event: &Event) {
        let mut tx = db.begin().await.unwrap();
        PlanFeed.apply(&mut tx, event).await.unwrap();
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn a_plan_shows_on_its_order_and_a_replayed_older_one_does_not() {
        let database = fresh_database("sales").await.unwrap();
        let db = crate::open_database(&database.url).await.unwrap();
        let (id, number) = order(&db).await;

        apply(&db, &changed(&number, 2, "2026-08-15")).await;
        apply(&db, &changed(&number, 1, "2026-06-01")).await;
        apply(&db, &changed("DH-1999-0001", 5, "2026-06-01")).await;

        let order = reload(&db, id).await.proto;
        assert_eq!(
            (order.import_plan_number.as_str(), order.import_plan_revision, order.version),
            ("KH-2026-0001", 2, 1)
        );
        assert_eq!((order.lines[0].promised_on, order.lines[0].supply_note.as_str()), (None, ""));
        assert_eq!(order.lines[1].promised_on, Some(date_to_proto(date("2026-08-15"))));
        assert_eq!(order.lines[1].supply_note, "on the water");
        db.close().await;
    }
}
