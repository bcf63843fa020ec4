//! Re-planning: reads the schedules, stock and supplier orders of the products concerned, runs the
//! planner, stores its promises and proposals, and tells sales what moved. Runs one at a time
//! across replicas (the `planning_runs` row is taken first), inside the caller's transaction, so
//! a plan and its promises change together or not at all.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use atq_platform::business_time::{date_to_proto, local_date, now_micros};
use atq_platform::error::Result;
use atq_platform::{Backend, Caller, CancellationToken, Db, Error, InternalKey, Tx, grpc_client, outbox};
use atq_proto::accountingwarehouse::v1 as wh;
use atq_proto::accountingwarehouse::v1::warehouse_client::WarehouseClient;
use atq_proto::importplanning::v1 as pb;
use chrono::NaiveDate;
use futures::StreamExt;
use prost::Message;
use tonic::Code;
use tonic::transport::Channel;

use crate::plan_store::{self, StoredMilestone};
use crate::planner::{self, Demand, Source, Supply};
use crate::purchase_order_store;

#[derive(Clone)]
pub struct Planning {
    pub db: Db,
    pub warehouse: WarehouseClient<Channel>,
    pub key: InternalKey,
}

/// Which products a re-plan covers: everything, or the products a change touched.
pub type Scope = Option<Vec<i64>>;

type MilestoneKey = (i32, i32);

/// Up to this many products are read one by one; more in one read of all stock.
const FEW_PRODUCTS: usize = 20;
/// Reads of the warehouse in flight at once during a re-plan.
const PARALLEL_READS: usize = 8;
const DAILY_CHECK_EVERY: Duration = Duration::from_secs(600);
const DAILY_RETRY_AFTER: Duration = Duration::from_secs(30);

pub const IMPORT_PLAN_CHANGED: &str = "atq.importplanning.v1.ImportPlanChanged";

impl Planning {
    /// Takes the planning lock for the rest of the transaction.
    pub async fn lock(tx: &mut Tx) -> Result<()> {
        sqlx::query("UPDATE planning_runs SET runs = runs + 1 WHERE id = 1").execute(&mut **tx).await?;
        Ok(())
    }

    fn caller() -> Caller {
        Caller::service(crate::NAME)
    }

    async fn list_stock(&self, product_id: i64) -> Result<Vec<wh::StockLevel>> {
        let caller = Self::caller();
        let reply = grpc_client::with_retry(|| {
            let mut client = self.warehouse.clone();
            let message = wh::ListStockRequest { product_id, ..Default::default() };
            let request = grpc_client::request(message, &self.key, &caller, None);
            async move { client.list_stock(request).await }
        })
        .await?;
        Ok(reply.into_inner().items)
    }

    /// Free good stock per product, company-wide (on hand less what is reserved): a few products
    /// are asked for one by one, side by side; many at once in one read of all stock.
    async fn free_stock(&self, products: &BTreeSet<i64>) -> Result<HashMap<i64, i64>> {
        let levels: Vec<wh::StockLevel> = if products.len() <= FEW_PRODUCTS {
            let ids: Vec<i64> = products.iter().copied().collect();
            let planning = self.clone();
            let reads = futures::stream::iter(ids.into_iter().map(move |id| {
                let planning = planning.clone();
                async move { planning.list_stock(id).await }
            }))
            .buffer_unordered(PARALLEL_READS)
            .collect::<Vec<_>>()
            .await;
            reads.into_iter().collect::<Result<Vec<_>>>()?.into_iter().flatten().collect()
        } else {
            self.list_stock(0).await?
        };
        let mut free = HashMap::new();
        for level in levels {
            if level.condition != wh::Condition::Good as i32
                || level.available <= 0
                || !products.contains(&level.product_id)
            {
                continue;
            }
            *free.entry(level.product_id).or_insert(0) += level.available;
        }
        Ok(free)
    }

    /// Units an order already holds or has received, per product.
    async fn held_by_order(&self, order_ref: &str) -> Result<HashMap<i64, i64>> {
        let caller = Self::caller();
        let reply = grpc_client::with_retry(|| {
            let mut client = self.warehouse.clone();
            let message = wh::GetReservationRequest { order_ref: order_ref.to_owned() };
            let request = grpc_client::request(message, &self.key, &caller, None);
            async move { client.get_reservation(request).await }
        })
        .await;
        let reservation = match reply {
            Ok(reply) => reply.into_inner(),
            Err(status) if status.code() == Code::NotFound => return Ok(HashMap::new()),
            Err(status) => return Err(status.into()),
        };
        let mut held = HashMap::new();
        // A released reservation (the order was cancelled) holds nothing any more.
        if reservation.status != "active" {
            return Ok(held);
        }
        for line in reservation.lines {
            *held.entry(line.product_id).or_insert(0) += line.reserved + line.issued;
        }
        Ok(held)
    }

    /// Re-plans the products in `scope`. `before` holds, for plans whose schedule the caller has
    /// just replaced, the milestones as they were; those plans always get a new revision.
    /// Returns the plans whose promises changed.
    pub async fn run(
        &self,
        tx: &mut Tx,
        scope: Scope,
        before: &HashMap<i64, Vec<StoredMilestone>>,
    ) -> Result<Vec<i64>> {
        let (stored, products) = gather(tx, &scope).await?;
        if products.is_empty() {
            plan_store::replace_proposals(tx, scope.as_deref(), &[]).await?;
            return Ok(Vec::new());
        }
        let free = self.free_stock(&products).await?;
        let held = self.held(tx, &stored).await?;
        settle(tx, self.db.backend(), &scope, before, Gathered { stored, products, free, held }).await
    }

    /// Re-plans everything once per local day, whichever replica gets there first: promises and
    /// order-by dates count from today, so they age even when nothing else happens.
    pub async fn daily(self, shutdown: CancellationToken) {
        loop {
            let pause = match self.replan_today().await {
                Ok(_) => DAILY_CHECK_EVERY,
                Err(error) => {
                    tracing::warn!(%error, "daily re-plan failed; trying again soon");
                    DAILY_RETRY_AFTER
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }

    async fn replan_today(&self) -> Result<bool> {
        let today = local_date(now_micros()).to_string();
        let last: String =
            sqlx::query_scalar("SELECT last_full_on FROM planning_runs WHERE id = 1").fetch_one(self.db.pool()).await?;
        if last >= today {
            return Ok(false);
        }
        let mut tx = self.db.begin().await?;
        Self::lock(&mut tx).await?;
        let last: String =
            sqlx::query_scalar("SELECT last_full_on FROM planning_runs WHERE id = 1").fetch_one(&mut *tx).await?;
        if last >= today {
            return Ok(false);
        }
        let changed = self.run(&mut tx, None, &HashMap::new()).await?;
        sqlx::query("UPDATE planning_runs SET last_full_on = $1 WHERE id = 1").bind(&today).execute(&mut *tx).await?;
        tx.commit().await?;
        tracing::info!(day = %today, plans_changed = changed.len(), "daily re-plan done");
        Ok(true)
    }

    /// What each plan's orders already hold, per plan and product; each order's reservation is
    /// read side by side: a re-plan of everything reads them all.
    async fn held(&self, tx: &mut Tx, stored: &[(StoredMilestone, String)]) -> Result<HashMap<(i64, i64), i64>> {
        let plan_ids: Vec<i64> = stored.iter().map(|(m, _)| m.plan_id).collect::<BTreeSet<_>>().into_iter().collect();
        let orders = plan_store::orders_of(tx, &plan_ids).await?;
        let pairs: Vec<(i64, String)> =
            orders.iter().flat_map(|(plan_id, refs)| refs.iter().map(move |r| (*plan_id, r.clone()))).collect();
        let planning = self.clone();
        let reads = futures::stream::iter(pairs.into_iter().map(move |(plan_id, order_ref)| {
            let planning = planning.clone();
            async move { planning.held_by_order(&order_ref).await.map(|held| (plan_id, held)) }
        }))
        .buffer_unordered(PARALLEL_READS)
        .collect::<Vec<_>>()
        .await;
        let mut held: HashMap<(i64, i64), i64> = HashMap::new();
        for read in reads {
            let (plan_id, by_product) = read?;
            for (product_id, units) in by_product {
                *held.entry((plan_id, product_id)).or_insert(0) += units;
            }
        }
        Ok(held)
    }
}

/// The planner's demand: each milestone, with what the plan's orders already hold spread over
/// the plan's milestones of that product, earliest first.
pub fn demands_of(stored: &[(StoredMilestone, String)], mut held: HashMap<(i64, i64), i64>) -> Vec<Demand> {
    let mut ordered: Vec<&StoredMilestone> = stored.iter().map(|(m, _)| m).collect();
    ordered.sort_by_key(|m| (m.needed_by, m.plan_id, m.line_no, m.milestone_no));
    let mut demands = Vec::with_capacity(stored.len());
    for m in ordered {
        let reserved = match held.get_mut(&(m.plan_id, m.product_id)) {
            Some(units) => {
                let take = (*units).min(m.quantity);
                *units -= take;
                take
            }
            None => 0,
        };
        demands.push(Demand {
            plan_id: m.plan_id,
            line_no: m.line_no,
            milestone_no: m.milestone_no,
            product_id: m.product_id,
            needed_by: m.needed_by,
            quantity: m.quantity,
            reserved,
        });
    }
    demands
}

/// What a re-plan reads before it plans: the milestones in scope, their products, free stock per
/// product and what each plan's orders hold per product.
pub struct Gathered {
    pub stored: Vec<(StoredMilestone, String)>,
    pub products: BTreeSet<i64>,
    pub free: HashMap<i64, i64>,
    pub held: HashMap<(i64, i64), i64>,
}

/// The open milestones in scope and the products to plan (with every reorder product when the
/// scope is everything).
pub async fn gather(tx: &mut Tx, scope: &Scope) -> Result<(Vec<(StoredMilestone, String)>, BTreeSet<i64>)> {
    let stored = plan_store::open_milestones(tx, scope.as_deref()).await?;
    let products: BTreeSet<i64> = match scope {
        Some(ids) => ids.iter().copied().collect(),
        None => {
            let mut all: BTreeSet<i64> = stored.iter().map(|(m, _)| m.product_id).collect();
            all.extend(plan_store::reorder_products(tx).await?);
            all
        }
    };
    Ok((stored, products))
}

/// Plans what was gathered and stores it: promises, proposals, what moved, and an event per
/// order of each plan that changed. Everything but the warehouse reads, so it can be measured
/// on its own.
pub async fn settle(
    tx: &mut Tx,
    backend: Backend,
    scope: &Scope,
    before: &HashMap<i64, Vec<StoredMilestone>>,
    gathered: Gathered,
) -> Result<Vec<i64>> {
    let today = local_date(now_micros());
    let Gathered { stored, products, free, held } = gathered;
    let product_list: Vec<i64> = products.iter().copied().collect();
    let terms = plan_store::planner_terms(tx, Some(&product_list)).await?;
    let mut supplies: Vec<Supply> = Vec::new();
    for (product_id, quantity) in free {
        supplies.push(Supply { product_id, available_on: today, quantity, source: Source::Stock });
    }
    for open in purchase_order_store::open_supply(tx, Some(&product_list), today).await? {
        supplies.push(Supply {
            product_id: open.product_id,
            available_on: open.expected_on,
            quantity: open.quantity,
            source: Source::PurchaseOrder(open.number),
        });
    }

    let demands = demands_of(&stored, held);
    let outcome = planner::plan(&planner::Input { today, terms: &terms, demands: &demands, supplies: &supplies });
    // Only what changed is written: the daily re-plan of everything mostly confirms.
    let as_stored: HashMap<(i64, i32, i32), &StoredMilestone> =
        stored.iter().map(|(m, _)| ((m.plan_id, m.line_no, m.milestone_no), m)).collect();
    let mut to_save = Vec::new();
    for planned in &outcome.planned {
        let coverage = coverage_of(planned).encode_to_vec();
        let unchanged = as_stored.get(&(planned.plan_id, planned.line_no, planned.milestone_no)).is_some_and(|m| {
            same_promise(m.promise_date, planned.promise_date, today)
                && m.late == planned.late
                && m.reason == planned.reason
                && m.coverage == coverage
        });
        if !unchanged {
            to_save.push((planned, coverage));
        }
    }
    plan_store::save_planned(tx, &to_save).await?;
    plan_store::replace_proposals(tx, Some(&product_list), &outcome.proposals).await?;

    // What moved, plan by plan.
    let mut old: BTreeMap<i64, BTreeMap<MilestoneKey, StoredMilestone>> = BTreeMap::new();
    for (m, _) in &stored {
        if !before.contains_key(&m.plan_id) {
            old.entry(m.plan_id).or_default().insert((m.line_no, m.milestone_no), m.clone());
        }
    }
    for (plan_id, milestones) in before {
        let entry = old.entry(*plan_id).or_default();
        for m in milestones.iter().filter(|m| scope.is_none() || products.contains(&m.product_id)) {
            entry.insert((m.line_no, m.milestone_no), m.clone());
        }
    }
    let mut new: BTreeMap<i64, BTreeMap<MilestoneKey, &planner::Planned>> = BTreeMap::new();
    for planned in &outcome.planned {
        new.entry(planned.plan_id).or_default().insert((planned.line_no, planned.milestone_no), planned);
    }
    let plan_ids: BTreeSet<i64> = old.keys().chain(new.keys()).chain(before.keys()).copied().collect();
    let mut moved = Vec::new();
    for plan_id in plan_ids {
        let empty_old = BTreeMap::new();
        let empty_new = BTreeMap::new();
        let changes = diff(old.get(&plan_id).unwrap_or(&empty_old), new.get(&plan_id).unwrap_or(&empty_new), today);
        if !changes.is_empty() || before.contains_key(&plan_id) {
            moved.push((plan_id, changes));
        }
    }
    let changed: Vec<i64> = moved.iter().map(|(plan_id, _)| *plan_id).collect();
    for (plan_id, changes) in &moved {
        plan_store::record_replan(tx, *plan_id, changes).await?;
    }
    // One event per order the plan serves, each naming its order, so sales can show it.
    let orders = plan_store::orders_of(tx, &changed).await?;
    for plan_id in &changed {
        let plan = plan_store::find(tx, *plan_id)
            .await?
            .ok_or_else(|| Error::internal(anyhow::anyhow!("plan {plan_id} vanished while re-planning")))?;
        let refs = orders.get(plan_id).cloned().unwrap_or_else(|| vec![plan.order_ref.clone()]);
        for order_ref in refs {
            let event = pb::ImportPlanChanged { plan: Some(pb::ImportPlan { order_ref, ..plan.clone() }) };
            outbox::append(tx, backend, "import_plan", &plan_id.to_string(), IMPORT_PLAN_CHANGED, &event).await?;
        }
    }
    tracing::info!(
        products = products.len(),
        milestones = outcome.planned.len(),
        proposals = outcome.proposals.len(),
        changed = changed.len(),
        "re-planned"
    );
    Ok(changed)
}

fn coverage_of(planned: &planner::Planned) -> pb::PlannedMilestone {
    pb::PlannedMilestone {
        coverage: planned
            .coverage
            .iter()
            .map(|cover| {
                // Units on hand carry no date: they are ready now, whatever day it is.
                let (source, reference, dated) = match &cover.source {
                    Source::Reserved => ("reserved", String::new(), false),
                    Source::Stock => ("stock", String::new(), false),
                    Source::PurchaseOrder(number) => ("purchase_order", number.clone(), true),
                    Source::Proposal => ("proposal", String::new(), true),
                };
                pb::Coverage {
                    source: source.to_owned(),
                    reference,
                    quantity: cover.quantity,
                    available_on: dated.then(|| date_to_proto(cover.available_on)),
                }
            })
            .collect(),
        ..Default::default()
    }
}

fn proto_day(date: Option<NaiveDate>) -> Option<atq_proto::common::v1::LocalDate> {
    date.map(date_to_proto)
}

/// Milestones added, removed, or whose schedule or promise moved.
/// Goods ready yesterday are ready today: a promise in the past reads as today, so the days
/// passing alone never count as a move.
fn same_promise(old: Option<NaiveDate>, new: NaiveDate, today: NaiveDate) -> bool {
    old.map(|o| o.max(today)) == Some(new.max(today))
}

fn diff(
    old: &BTreeMap<MilestoneKey, StoredMilestone>,
    new: &BTreeMap<MilestoneKey, &planner::Planned>,
    today: NaiveDate,
) -> Vec<pb::PlanChange> {
    let keys: BTreeSet<MilestoneKey> = old.keys().chain(new.keys()).copied().collect();
    let mut changes = Vec::new();
    for key in keys {
        let (before, after) = (old.get(&key), new.get(&key));
        let change = match (before, after) {
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            (Some(b), Some(a))
                if b.needed_by != a.needed_by
                    || b.quantity != a.quantity
                    || !same_promise(b.promise_date, a.promise_date, today)
                    || b.late != a.late =>
            {
                "moved"
            }
            _ => continue,
        };
        changes.push(pb::PlanChange {
            line_no: key.0,
            milestone_no: key.1,
            product_id: after.map(|a| a.product_id).or(before.map(|b| b.product_id)).unwrap_or_default(),
            change: change.to_owned(),
            old_needed_by: proto_day(before.map(|b| b.needed_by)),
            new_needed_by: proto_day(after.map(|a| a.needed_by)),
            old_promise_date: proto_day(before.and_then(|b| b.promise_date)),
            new_promise_date: proto_day(after.map(|a| a.promise_date)),
            was_late: before.is_some_and(|b| b.late),
            late: after.is_some_and(|a| a.late),
            old_quantity: before.map(|b| b.quantity).unwrap_or_default(),
            new_quantity: after.map(|a| a.quantity).unwrap_or_default(),
        });
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn stored(line_no: i32, needed_by: &str, promise: &str, late: bool) -> StoredMilestone {
        StoredMilestone {
            plan_id: 1,
            line_no,
            milestone_no: 1,
            product_id: 7,
            needed_by: day(needed_by),
            quantity: 5,
            promise_date: Some(day(promise)),
            late,
            reason: String::new(),
            coverage: Vec::new(),
        }
    }

    fn planned(line_no: i32, needed_by: &str, promise: &str, late: bool) -> planner::Planned {
        planner::Planned {
            plan_id: 1,
            line_no,
            milestone_no: 1,
            product_id: 7,
            needed_by: day(needed_by),
            quantity: 5,
            promise_date: day(promise),
            late,
            reason: String::new(),
            coverage: Vec::new(),
        }
    }

    #[test]
    fn a_re_plan_reports_only_what_moved() {
        let old: BTreeMap<_, _> = [
            ((1, 1), stored(1, "2027-03-01", "2027-02-20", false)),
            ((2, 1), stored(2, "2027-04-01", "2027-03-20", false)),
            ((3, 1), stored(3, "2027-05-01", "2027-04-20", false)),
        ]
        .into();
        let same = planned(1, "2027-03-01", "2027-02-20", false);
        let moved = planned(2, "2027-04-01", "2027-04-10", true);
        let added = planned(4, "2027-06-01", "2027-05-01", false);
        let new: BTreeMap<_, _> = [((1, 1), &same), ((2, 1), &moved), ((4, 1), &added)].into();
        let changes = diff(&old, &new, day("2027-01-01"));
        let kinds: Vec<(i32, &str)> = changes.iter().map(|c| (c.line_no, c.change.as_str())).collect();
        assert_eq!(kinds, [(2, "moved"), (3, "removed"), (4, "added")]);
        assert_eq!(changes[0].old_promise_date, Some(date_to_proto(day("2027-03-20"))));
        assert_eq!(changes[0].new_promise_date, Some(date_to_proto(day("2027-04-10"))));
        assert!(changes[0].late && !changes[0].was_late);
    }

    #[test]
    fn goods_ready_yesterday_are_still_ready_today() {
        let today = day("2027-01-02");
        assert!(same_promise(Some(day("2027-01-01")), today, today));
        assert!(!same_promise(Some(day("2027-01-01")), day("2027-01-05"), today));
        assert!(!same_promise(None, today, today));
    }
}
