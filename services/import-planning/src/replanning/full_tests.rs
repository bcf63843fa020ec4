//! The re-plan of everything on a real database (SQLite, or PostgreSQL when
//! `ATQ_TEST_POSTGRES_URL` is set): batched revisions and events, the fingerprint that stops a
//! re-plan with nothing changed, and a change landing between the read and the lock.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use atq_platform::business_time::{add_days, local_date, now_micros};
use atq_platform::testing::{TestDatabase, fresh_database};
use atq_platform::{Db, Result};
use atq_proto::importplanning::v1 as pb;
use chrono::NaiveDate;
use prost::Message;

use super::full::{READ_TRIES, Reads, replan_everything};
use crate::plan_store::{self, NewPlan, StoredMilestone};

const NEEDED_IN_DAYS: i64 = 200;

/// The warehouse of these tests: `free` units of product 1, none of product 2. The first `races`
/// reads of what orders hold also let another writer add a unit to plan 1's milestone, under the
/// planning lock, as an edited plan would.
struct Warehouse {
    db: Db,
    free: i64,
    races: usize,
    reads: AtomicUsize,
}

impl Warehouse {
    fn new(db: &Db, free: i64, races: usize) -> Self {
        Warehouse { db: db.clone(), free, races, reads: AtomicUsize::new(0) }
    }
}

impl Reads for Warehouse {
    fn free_stock(&self) -> impl Future<Output = Result<HashMap<i64, i64>>> + Send {
        std::future::ready(Ok(HashMap::from([(1, self.free)])))
    }

    async fn held(&self, _orders: &HashMap<i64, Vec<String>>) -> Result<HashMap<(i64, i64), i64>> {
        if self.reads.fetch_add(1, Ordering::SeqCst) < self.races {
            let mut tx = self.db.begin().await?;
            plan_store::lock_planning(&mut tx).await?;
            sqlx::query("UPDATE plan_milestones SET quantity = quantity + 1 WHERE plan_id = 1")
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(HashMap::new())
    }
}

fn today() -> NaiveDate {
    local_date(now_micros())
}

/// One supplier (30 days' lead time), products 1 and 2, plan 1 (5 of product 1, for orders HD-1 and
/// HD-1B) and plan 2 (4 of product 2, order HD-2), both needed in 200 days.
async fn store() -> (TestDatabase, Db) {
    let database = fresh_database("import-planning").await.unwrap();
    let db = crate::open_database(&database.url).await.unwrap();
    sqlx::query(
        "INSERT INTO suppliers (id, code, name, name_key, country, currency, lead_time_days, contact_name, \
         contact_email, contact_phone, search_text, version, created_at, updated_at) \
         VALUES (1, 'NCC1', 'Supplier', 'supplier', 'DE', 'EUR', 30, '', '', '', 'ncc1', 1, 0, 0)",
    )
    .execute(db.pool())
    .await
    .unwrap();
    for id in [1_i64, 2] {
        sqlx::query(
            "INSERT INTO products (id, model_code, model_key, name_vi, name_en, category, brand, brand_class, \
             supplier_id, unit, hs_code, warranty_months, serial_tracked, list_price, vat_rate_bp, search_text, \
             version, created_at, updated_at) VALUES ($1, $2, $3, 'T', 'I', 'physics', 'B', 'big', 1, 'cái', '9027', \
             12, 0, 1000000, 1000, $3, 1, 0, 0)",
        )
        .bind(id)
        .bind(format!("M-{id}"))
        .bind(format!("m-{id}"))
        .execute(db.pool())
        .await
        .unwrap();
    }
    add_plan(&db, "HD-1", &["HD-1", "HD-1B"], 1, 5).await;
    add_plan(&db, "HD-2", &["HD-2"], 2, 4).await;
    (database, db)
}

async fn add_plan(db: &Db, source_ref: &str, orders: &[&str], product_id: i64, quantity: i64) {
    let mut tx = db.begin().await.unwrap();
    plan_store::lock_planning(&mut tx).await.unwrap();
    let plan = NewPlan {
        source_ref: source_ref.into(),
        order_ref: source_ref.into(),
        customer_id: 1,
        customer_name: "Trường".into(),
        office: None,
    };
    let plan_id = plan_store::insert_plan(&mut tx, &plan).await.unwrap();
    for order_ref in orders {
        plan_store::attach_order(&mut tx, plan_id, order_ref).await.unwrap();
    }
    let milestone = StoredMilestone {
        plan_id,
        line_no: 1,
        milestone_no: 1,
        product_id,
        needed_by: add_days(today(), NEEDED_IN_DAYS),
        quantity,
        promise_date: None,
        late: false,
        reason: String::new(),
        coverage: Vec::new(),
    };
    plan_store::replace_milestones(&mut tx, plan_id, &[milestone]).await.unwrap();
    tx.commit().await.unwrap();
}

/// What a re-plan writes anywhere: the lock's count, the revisions, the events and the promises.
async fn written(db: &Db) -> (i64, Vec<i64>, i64, Vec<(String, Vec<u8>)>) {
    let runs = sqlx::query_scalar("SELECT runs FROM planning_runs").fetch_one(db.pool()).await.unwrap();
    let revisions =
        sqlx::query_scalar("SELECT revision FROM import_plans ORDER BY id").fetch_all(db.pool()).await.unwrap();
    let events = sqlx::query_scalar("SELECT COUNT(*) FROM outbox").fetch_one(db.pool()).await.unwrap();
    let promises = sqlx::query_as("SELECT promise_date, coverage FROM plan_milestones ORDER BY plan_id")
        .fetch_all(db.pool())
        .await
        .unwrap();
    (runs, revisions, events, promises)
}

/// Plan 1's milestone as stored: quantity, promise and the units of each source covering it.
async fn plan_one(db: &Db) -> (i64, String, Vec<(String, i64)>) {
    let (quantity, promise, coverage): (i64, String, Vec<u8>) =
        sqlx::query_as("SELECT quantity, promise_date, coverage FROM plan_milestones WHERE plan_id = 1")
            .fetch_one(db.pool())
            .await
            .unwrap();
    let coverage = pb::PlannedMilestone::decode(coverage.as_slice()).unwrap().coverage;
    (quantity, promise, coverage.into_iter().map(|c| (c.source, c.quantity)).collect())
}

#[tokio::test]
async fn the_first_plan_of_everything_revises_and_announces_every_plan_at_once() {
    let (_database, db) = store().await;
    let run = replan_everything(&db, &Warehouse::new(&db, 5, 0), today()).await.unwrap();
    assert_eq!((run.changed, run.reads), (vec![1, 2], 1));
    let (_, revisions, _, _) = written(&db).await;
    assert_eq!(revisions, [1, 1]);
    let rows: Vec<(String, Vec<u8>)> = sqlx::query_as(
        "SELECT aggregate_id, payload FROM outbox WHERE aggregate_type = 'import_plan' ORDER BY position",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let events: Vec<(String, String, usize)> = rows
        .iter()
        .map(|(id, payload)| {
            let plan = pb::ImportPlanChanged::decode(payload.as_slice()).unwrap().plan.unwrap();
            (id.clone(), plan.order_ref, plan.lines.len())
        })
        .collect();
    let expected = [("1", "HD-1", 1), ("1", "HD-1B", 1), ("2", "HD-2", 1)];
    assert_eq!(events, expected.map(|(id, order, lines)| (id.to_owned(), order.to_owned(), lines)));
    // Plan 1 from stock today; plan 2 from a proposal arriving when needed.
    assert_eq!(plan_one(&db).await, (5, today().to_string(), vec![("stock".to_owned(), 5)]));
    let shortfall: i64 = sqlx::query_scalar("SELECT shortfall FROM plan_proposals WHERE product_id = 2")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(shortfall, 4);
}

#[tokio::test]
async fn a_re_plan_with_nothing_changed_reads_nothing_and_writes_nothing() {
    let (_database, db) = store().await;
    let warehouse = Warehouse::new(&db, 5, 0);
    replan_everything(&db, &warehouse, today()).await.unwrap();
    let before = written(&db).await;
    let again = replan_everything(&db, &warehouse, today()).await.unwrap();
    assert_eq!((again.changed.len(), again.reads), (0, 0));
    assert_eq!(written(&db).await, before);

    // Whatever a plan of everything reads, changed, makes the next one read again.
    let tomorrow = add_days(today(), 1);
    assert_eq!(replan_everything(&db, &warehouse, tomorrow).await.unwrap().reads, 1);
    assert_eq!(replan_everything(&db, &warehouse, tomorrow).await.unwrap().reads, 0);
    let four = Warehouse::new(&db, 4, 0);
    let run = replan_everything(&db, &four, tomorrow).await.unwrap();
    assert_eq!((run.changed, run.reads), (vec![1], 1));
    assert_eq!(replan_everything(&db, &four, tomorrow).await.unwrap().reads, 0);
    sqlx::query("UPDATE suppliers SET lead_time_days = 45, version = version + 1").execute(db.pool()).await.unwrap();
    assert_eq!(replan_everything(&db, &four, tomorrow).await.unwrap().reads, 1);
    assert_eq!(replan_everything(&db, &four, tomorrow).await.unwrap().reads, 0);
    // A writer of plans takes the planning lock: a new plan is planned by the next run.
    add_plan(&db, "HD-3", &["HD-3"], 2, 2).await;
    let run = replan_everything(&db, &four, tomorrow).await.unwrap();
    assert_eq!((run.changed, run.reads), (vec![3], 1));
    assert_eq!(replan_everything(&db, &four, tomorrow).await.unwrap().reads, 0);
}

#[tokio::test]
async fn a_change_between_the_read_and_the_lock_is_read_again_not_lost() {
    let (_database, db) = store().await;
    // The change lands after the milestones were read: the lock's count has moved when the run
    // takes the lock, so it reads again instead of writing a plan for 5 units.
    let run = replan_everything(&db, &Warehouse::new(&db, 5, 1), today()).await.unwrap();
    let needed_by = add_days(today(), NEEDED_IN_DAYS).to_string();
    let covered = vec![("stock".to_owned(), 5), ("proposal".to_owned(), 1)];
    assert_eq!(plan_one(&db).await, (6, needed_by.clone(), covered));
    assert_eq!(run.reads, 2);
    // A plan of everything that keeps being overtaken reads under the lock in the end.
    let tomorrow = add_days(today(), 1);
    let run = replan_everything(&db, &Warehouse::new(&db, 5, READ_TRIES), tomorrow).await.unwrap();
    assert_eq!(run.reads, READ_TRIES + 1);
    let covered = vec![("stock".to_owned(), 5), ("proposal".to_owned(), 4)];
    assert_eq!(plan_one(&db).await, (9, needed_by, covered));
}
