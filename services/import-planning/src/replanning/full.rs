//! The re-plan of everything (daily, and the first plan of a store). Reading every milestone takes
//! long, so it is read and planned outside the planning lock, which writers of plans, terms and
//! supplier orders take first: then, under the lock, the plan is written only if nobody took the
//! lock in between (its count moved by our own taking alone); otherwise everything is read again,
//! and after a few tries read under the lock. A change that lands between the read and the lock
//! is thus never written over with a plan that did not see it.
//!
//! What a run of everything read is kept as a fingerprint: the lock's count after it, the day,
//! the catalog's marks (edited without the lock) and the free stock. A run that finds the same
//! fingerprint stops before reading any milestone and writes nothing.

use std::collections::{BTreeSet, HashMap};

use atq_platform::error::Result;
use atq_platform::{Backend, Db, Tx};
use chrono::NaiveDate;

use super::{Gathered, Planned, Planning, gather, plan_gathered, store};
use crate::plan_store::{self, CatalogMarks};

/// Reads of everything before the lock is read under it.
pub(super) const READ_TRIES: usize = 3;

/// What a re-plan of everything needs from outside its database: the warehouse's stock.
pub trait Reads: Sync {
    /// Free good stock per product, every product.
    fn free_stock(&self) -> impl Future<Output = Result<HashMap<i64, i64>>> + Send;
    /// What the orders of each plan hold, per (plan, product).
    fn held(&self, orders: &HashMap<i64, Vec<String>>)
    -> impl Future<Output = Result<HashMap<(i64, i64), i64>>> + Send;
}

impl Reads for Planning {
    fn free_stock(&self) -> impl Future<Output = Result<HashMap<i64, i64>>> + Send {
        self.free_everywhere()
    }

    fn held(
        &self,
        orders: &HashMap<i64, Vec<String>>,
    ) -> impl Future<Output = Result<HashMap<(i64, i64), i64>>> + Send {
        self.held_by_orders(orders)
    }
}

/// What a re-plan of everything did.
#[derive(Debug, PartialEq, Eq)]
pub struct FullRun {
    /// The plans whose promises changed.
    pub changed: Vec<i64>,
    /// Times everything was read: 0 when nothing had changed since the last run of everything,
    /// more than 1 when a change landed between a read and the lock.
    pub reads: usize,
}

/// Re-plans everything as of `today` (see the module's comment).
pub async fn replan_everything(db: &Db, reads: &impl Reads, today: NaiveDate) -> Result<FullRun> {
    for attempt in 1..=READ_TRIES {
        let mut read = begin_read(db).await?;
        // First: whatever is read after it and changed since makes the count move.
        let counter = plan_store::planning_counter(&mut read).await?;
        let seen = Seen::read(&mut read, reads, today).await?;
        if plan_store::planned_fingerprint(&mut *read).await? == seen.fingerprint(counter) {
            read.rollback().await?;
            return Ok(FullRun { changed: Vec::new(), reads: attempt - 1 });
        }
        let planned = read_and_plan(&mut read, reads, &seen).await?;
        read.rollback().await?;
        let mut tx = db.begin().await?;
        plan_store::lock_planning(&mut tx).await?;
        if plan_store::planning_counter(&mut tx).await? != counter + 1 {
            tx.rollback().await?;
            tracing::debug!(attempt, "plans changed while everything was re-planned; reading again");
            continue;
        }
        let changed = write(&mut tx, db.backend(), &planned, &seen, counter + 1).await?;
        tx.commit().await?;
        return Ok(FullRun { changed, reads: attempt });
    }
    under_lock(db, reads, today).await
}

/// The last resort when writers keep moving: everything read under the lock, writers waiting.
async fn under_lock(db: &Db, reads: &impl Reads, today: NaiveDate) -> Result<FullRun> {
    let mut tx = db.begin().await?;
    plan_store::lock_planning(&mut tx).await?;
    let counter = plan_store::planning_counter(&mut tx).await?;
    let seen = Seen::read(&mut tx, reads, today).await?;
    if plan_store::planned_fingerprint(&mut *tx).await? == seen.fingerprint(counter - 1) {
        // Undone, so the lock's count stays as the fingerprint has it.
        tx.rollback().await?;
        return Ok(FullRun { changed: Vec::new(), reads: READ_TRIES });
    }
    let planned = read_and_plan(&mut tx, reads, &seen).await?;
    let changed = write(&mut tx, db.backend(), &planned, &seen, counter).await?;
    tx.commit().await?;
    Ok(FullRun { changed, reads: READ_TRIES + 1 })
}

/// A transaction that only reads, seeing one state throughout: deferred on SQLite (the write lock
/// is not taken), repeatable read on PostgreSQL.
async fn begin_read(db: &Db) -> Result<Tx> {
    Ok(match db.backend() {
        Backend::Sqlite => db.pool().begin_with("BEGIN").await?,
        Backend::Postgres => db.pool().begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?,
    })
}

/// What a run of everything reads before the milestones.
struct Seen {
    today: NaiveDate,
    catalog: CatalogMarks,
    free: HashMap<i64, i64>,
}

impl Seen {
    async fn read(tx: &mut Tx, reads: &impl Reads, today: NaiveDate) -> Result<Seen> {
        let catalog = plan_store::catalog_marks(tx).await?;
        let free = reads.free_stock().await?;
        Ok(Seen { today, catalog, free })
    }

    /// FNV-1a over the day, the lock's count, the catalog's marks and the free stock by product:
    /// the same on every replica and release, unlike the standard library's hasher.
    fn fingerprint(&self, counter: i64) -> String {
        let mut free: Vec<(i64, i64)> = self.free.iter().map(|(p, q)| (*p, *q)).collect();
        free.sort_unstable();
        let CatalogMarks { products, suppliers } = self.catalog;
        let mut numbers = vec![counter, products.0, products.1, suppliers.0, suppliers.1];
        numbers.extend(free.into_iter().flat_map(|(p, q)| [p, q]));
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let bytes = self.today.to_string().into_bytes().into_iter().chain(numbers.iter().flat_map(|n| n.to_le_bytes()));
        for byte in bytes {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        format!("v1:{}:{hash:016x}", self.today)
    }
}

/// Reads every open milestone, the terms and supplier orders of their products and what their
/// orders hold, and plans them as of the day `seen` was read.
async fn read_and_plan(tx: &mut Tx, reads: &impl Reads, seen: &Seen) -> Result<Planned> {
    let (stored, products) = gather(tx, &None).await?;
    let plan_ids: Vec<i64> = stored.iter().map(|(m, _)| m.plan_id).collect::<BTreeSet<_>>().into_iter().collect();
    let orders = plan_store::orders_of(tx, &plan_ids).await?;
    let held = reads.held(&orders).await?;
    let free = seen.free.iter().filter(|(p, _)| products.contains(p)).map(|(p, q)| (*p, *q)).collect();
    plan_gathered(tx, Gathered { stored, products, free, held }, seen.today).await
}

/// Writes the plan under the lock, with the day and the fingerprint of what it read (`counter`:
/// the lock's count with this run's own taking).
async fn write(tx: &mut Tx, backend: Backend, planned: &Planned, seen: &Seen, counter: i64) -> Result<Vec<i64>> {
    let today = seen.today;
    let changed = store(tx, backend, &None, &HashMap::new(), planned, today).await?;
    plan_store::set_last_full_replan(tx, &today.to_string()).await?;
    plan_store::set_planned_fingerprint(tx, &seen.fingerprint(counter)).await?;
    Ok(changed)
}
