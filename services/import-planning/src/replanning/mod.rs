//! Re-planning: reads the schedules, stock and supplier orders of the products concerned, runs the
//! planner, stores its promises and proposals, and tells sales what moved. Runs one at a time
//! across replicas (the `planning_runs` row is taken first), inside the caller's transaction, so
//! a plan and its promises change together or not at all.

mod changes;
mod full;
#[cfg(test)]
mod full_tests;
mod reads;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use atq_platform::business_time::{local_date, now_micros};
use atq_platform::error::Result;
use atq_platform::{Backend, CancellationToken, Db, Error, Tx, outbox};
use atq_proto::importplanning::v1 as pb;
use chrono::NaiveDate;

use crate::plan_store::{self, StoredMilestone};
use crate::planner::{self, Demand, Source, Supply};
use crate::purchase_order_store;
use crate::warehouse::Warehouse;
pub use full::{FullRun, Reads, replan_everything};

#[derive(Clone)]
pub struct Planning {
    pub db: Db,
    pub warehouse: Warehouse,
}

/// Which products a re-plan covers: everything, or the products a change touched.
pub type Scope = Option<Vec<i64>>;

const DAILY_CHECK_EVERY: Duration = Duration::from_secs(600);
const DAILY_RETRY_AFTER: Duration = Duration::from_secs(30);

impl Planning {
    /// Takes the planning lock for the rest of the transaction.
    pub async fn lock(tx: &mut Tx) -> Result<()> {
        plan_store::lock_planning(tx).await
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

    /// Runs the re-plans `replans` gathered (nothing when it is empty), under the planning lock.
    pub async fn run_deferred(&self, tx: &mut Tx, replans: Replans) -> Result<Vec<i64>> {
        if replans.products.is_empty() && replans.before.is_empty() {
            return Ok(Vec::new());
        }
        Self::lock(tx).await?;
        self.run(tx, Some(replans.products.into_iter().collect()), &replans.before).await
    }

    /// Re-plans the products of these milestones, with nothing replaced before.
    pub async fn run_for(&self, tx: &mut Tx, products: BTreeSet<i64>) -> Result<Vec<i64>> {
        self.run(tx, Some(products.into_iter().collect()), &HashMap::new()).await
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
        let today = local_date(now_micros());
        if plan_store::last_full_replan(self.db.pool()).await? >= today.to_string() {
            return Ok(false);
        }
        let run = full::replan_everything(&self.db, self, today).await?;
        tracing::info!(day = %today, plans_changed = run.changed.len(), reads = run.reads, "daily re-plan done");
        Ok(true)
    }
}

/// Re-plans asked for and not yet run: the products to plan again, and for plans whose schedule
/// was replaced, their milestones as they were first (those plans get a new revision). A feed
/// batch gathers them over its events and runs them once (see [`Planning::run_deferred`]).
#[derive(Default)]
pub struct Replans {
    pub products: BTreeSet<i64>,
    pub before: HashMap<i64, Vec<StoredMilestone>>,
}

impl Replans {
    /// Adds `other`; a plan already listed keeps its older milestones.
    pub fn merge(&mut self, other: Replans) {
        self.products.extend(other.products);
        for (plan_id, milestones) in other.before {
            self.before.entry(plan_id).or_insert(milestones);
        }
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

/// Free stock today and the open supplier orders' lines of these products.
async fn supplies_of(
    tx: &mut Tx,
    product_list: &[i64],
    free: HashMap<i64, i64>,
    today: NaiveDate,
) -> Result<Vec<Supply>> {
    let mut supplies: Vec<Supply> = Vec::new();
    for (product_id, quantity) in free {
        supplies.push(Supply { product_id, available_on: today, quantity, source: Source::Stock });
    }
    for open in purchase_order_store::open_supply(tx, Some(product_list), today).await? {
        supplies.push(Supply {
            product_id: open.product_id,
            available_on: open.expected_on,
            quantity: open.quantity,
            source: Source::PurchaseOrder(open.number),
        });
    }
    Ok(supplies)
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
    let planned = plan_gathered(tx, gathered, today).await?;
    store(tx, backend, scope, before, &planned, today).await
}

/// What the planner made of what was gathered, beside what was stored before.
struct Planned {
    stored: Vec<(StoredMilestone, String)>,
    products: BTreeSet<i64>,
    outcome: planner::Outcome,
}

/// Reads the terms and supplier orders of the gathered products and plans them as of `today`.
async fn plan_gathered(tx: &mut Tx, gathered: Gathered, today: NaiveDate) -> Result<Planned> {
    let Gathered { stored, products, free, held } = gathered;
    let product_list: Vec<i64> = products.iter().copied().collect();
    let terms = plan_store::planner_terms(tx, Some(&product_list)).await?;
    let supplies = supplies_of(tx, &product_list, free, today).await?;
    let demands = demands_of(&stored, held);
    let outcome = planner::plan(&planner::Input { today, terms: &terms, demands: &demands, supplies: &supplies });
    Ok(Planned { stored, products, outcome })
}

/// Writes a plan: the promises and proposals that changed, a revision and an event for each plan
/// that moved. With the scope everything, proposals of products no longer planned go too.
async fn store(
    tx: &mut Tx,
    backend: Backend,
    scope: &Scope,
    before: &HashMap<i64, Vec<StoredMilestone>>,
    planned: &Planned,
    today: NaiveDate,
) -> Result<Vec<i64>> {
    let Planned { stored, products, outcome } = planned;
    let product_list: Vec<i64> = products.iter().copied().collect();
    // Only what changed is written: the daily re-plan of everything mostly confirms.
    plan_store::save_planned(tx, &changes::unsaved(stored, &outcome.planned, today)).await?;
    let proposal_scope = scope.as_ref().map(|_| product_list.as_slice());
    plan_store::replace_proposals(tx, proposal_scope, &outcome.proposals).await?;
    let moved = changes::moved_plans(stored, before, scope, products, &outcome.planned, today);
    plan_store::record_replans(tx, &moved).await?;
    let changed: Vec<i64> = moved.iter().map(|(plan_id, _)| *plan_id).collect();
    announce(tx, backend, &changed).await?;
    tracing::info!(
        products = products.len(),
        milestones = outcome.planned.len(),
        proposals = outcome.proposals.len(),
        changed = changed.len(),
        "re-planned"
    );
    Ok(changed)
}

/// Plans announced per batch: each batch's plans are read whole to be sent.
const ANNOUNCE_BATCH: usize = 500;

/// One event per order each changed plan serves, each naming its order, so sales can show it.
async fn announce(tx: &mut Tx, backend: Backend, changed: &[i64]) -> Result<()> {
    for chunk in changed.chunks(ANNOUNCE_BATCH) {
        let orders = plan_store::orders_of(tx, chunk).await?;
        let plans = plan_store::find_many(tx, chunk).await?;
        let mut events = Vec::new();
        for plan_id in chunk {
            let plan = plans
                .get(plan_id)
                .ok_or_else(|| Error::internal(anyhow::anyhow!("plan {plan_id} vanished while re-planning")))?;
            let refs = orders.get(plan_id).cloned().unwrap_or_else(|| vec![plan.order_ref.clone()]);
            for order_ref in refs {
                let event = pb::ImportPlanChanged { plan: Some(pb::ImportPlan { order_ref, ..plan.clone() }) };
                events.push((plan_id.to_string(), event));
            }
        }
        outbox::record_many(tx, backend, "import_plan", &events).await?;
    }
    Ok(())
}
