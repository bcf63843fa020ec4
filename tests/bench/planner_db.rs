//! The planner benchmark's database phase: the same workload stored in import planning's own
//! tables (SQLite file or a fresh PostgreSQL database), then re-planned the way the service does,
//! timing four runs: the first plan of everything and the daily re-plan with nothing changed
//! (`replanning::replan_everything`: read and planned outside the planning lock, what changed
//! written under it, nothing read past the fingerprint when nothing changed), the re-plan of one
//! plan's products after its schedule slips (`gather` and `settle` under the lock), and the
//! re-plan of everything the next day, when only the day moved. Free stock is given as the warehouse would report it; open supplier
//! orders are left out of this phase (they are netted in the in-memory phase).

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use anyhow::Context;
use atq_import_planning::plan_store::{self, StoredMilestone};
use atq_import_planning::planner::{Demand, Source, Terms};
use atq_import_planning::replanning::{self, FullRun, Gathered, Planning, Reads};
use atq_platform::Db;
use atq_platform::business_time::{local_date, now_micros};
use atq_platform::db::values_list;
use atq_tests::ScratchDatabase;

use super::ms;
use chrono::{Days, NaiveDate};

const BATCH: usize = 400;

enum Cell {
    Int(i64),
    Text(String),
    Bytes,
}

/// Inserts rows in multi-row statements of `BATCH` rows.
async fn insert(db: &Db, table: &str, columns: &[&str], rows: Vec<Vec<Cell>>) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    for chunk in rows.chunks(BATCH) {
        let values = values_list(db.backend(), chunk.len(), columns.len());
        let sql = format!("INSERT INTO {table} ({}) VALUES {values}", columns.join(", "));
        let mut query = sqlx::query(&sql);
        for row in chunk {
            for cell in row {
                query = match cell {
                    Cell::Int(value) => query.bind(*value),
                    Cell::Text(value) => query.bind(value.clone()),
                    Cell::Bytes => query.bind(Vec::<u8>::new()),
                };
            }
        }
        query.execute(&mut *tx).await.with_context(|| format!("loading {table}"))?;
    }
    tx.commit().await?;
    Ok(())
}

fn text(value: impl Into<String>) -> Cell {
    Cell::Text(value.into())
}

async fn load(db: &Db, terms: &HashMap<i64, Terms>, demands: &[Demand]) -> anyhow::Result<()> {
    let mut lead: HashMap<i64, i64> = HashMap::new();
    for t in terms.values() {
        lead.entry(t.supplier_id).or_insert(t.lead_time_days);
    }
    let mut suppliers: Vec<(i64, i64)> = lead.into_iter().collect();
    suppliers.sort();
    let supplier_rows = suppliers
        .iter()
        .map(|(id, days)| {
            let code = format!("NCC{id:04}");
            vec![
                Cell::Int(*id),
                text(code.clone()),
                text(format!("Supplier {id}")),
                text(format!("supplier {id}")),
                text("DE"),
                text("EUR"),
                Cell::Int(*days),
                text(""),
                text(""),
                text(""),
                text(code.to_lowercase()),
                Cell::Int(1),
                Cell::Int(0),
                Cell::Int(0),
            ]
        })
        .collect();
    insert(
        db,
        "suppliers",
        &[
            "id",
            "code",
            "name",
            "name_key",
            "country",
            "currency",
            "lead_time_days",
            "contact_name",
            "contact_email",
            "contact_phone",
            "search_text",
            "version",
            "created_at",
            "updated_at",
        ],
        supplier_rows,
    )
    .await?;
    let mut ids: Vec<&i64> = terms.keys().collect();
    ids.sort();
    let product_rows = ids
        .iter()
        .map(|id| {
            let model = format!("M-{id:05}");
            vec![
                Cell::Int(**id),
                text(model.clone()),
                text(model.to_lowercase()),
                text(format!("Thiết bị {id}")),
                text(format!("Instrument {id}")),
                text("physics"),
                text("Brand"),
                text("big"),
                Cell::Int(terms[*id].supplier_id),
                text("cái"),
                text("9027"),
                Cell::Int(12),
                Cell::Int(0),
                Cell::Int(1_000_000),
                Cell::Int(1000),
                text(model.to_lowercase()),
                Cell::Int(1),
                Cell::Int(0),
                Cell::Int(0),
            ]
        })
        .collect();
    insert(
        db,
        "products",
        &[
            "id",
            "model_code",
            "model_key",
            "name_vi",
            "name_en",
            "category",
            "brand",
            "brand_class",
            "supplier_id",
            "unit",
            "hs_code",
            "warranty_months",
            "serial_tracked",
            "list_price",
            "vat_rate_bp",
            "search_text",
            "version",
            "created_at",
            "updated_at",
        ],
        product_rows,
    )
    .await?;
    let term_rows = ids
        .iter()
        .map(|id| {
            let t = &terms[*id];
            vec![
                Cell::Int(**id),
                Cell::Int(t.min_order_quantity),
                Cell::Int(t.pack_size),
                Cell::Int(t.reorder_point),
                Cell::Int(t.reorder_quantity),
                Cell::Int(t.buffer_days),
                text("bench"),
                Cell::Int(0),
            ]
        })
        .collect();
    insert(
        db,
        "supply_terms",
        &[
            "product_id",
            "min_order_quantity",
            "pack_size",
            "reorder_point",
            "reorder_quantity",
            "buffer_days",
            "updated_by",
            "updated_at",
        ],
        term_rows,
    )
    .await?;
    let plans: BTreeSet<i64> = demands.iter().map(|d| d.plan_id).collect();
    let plan_rows = plans
        .iter()
        .map(|id| {
            vec![
                Cell::Int(*id),
                text(format!("KH-B-{id:06}")),
                text(format!("HD-B-{id:06}")),
                text(""),
                Cell::Int(0),
                text(""),
                text(""),
                text(plan_store::OPEN),
                Cell::Int(0),
                Cell::Bytes,
                Cell::Int(0),
                Cell::Int(0),
            ]
        })
        .collect();
    insert(
        db,
        "import_plans",
        &[
            "id",
            "number",
            "source_ref",
            "order_ref",
            "customer_id",
            "customer_name",
            "office",
            "status",
            "revision",
            "changes",
            "created_at",
            "updated_at",
        ],
        plan_rows,
    )
    .await?;
    let milestone_rows = demands
        .iter()
        .map(|d| {
            vec![
                Cell::Int(d.plan_id),
                Cell::Int(i64::from(d.line_no)),
                Cell::Int(i64::from(d.milestone_no)),
                Cell::Int(d.product_id),
                text(d.needed_by.to_string()),
                Cell::Int(d.quantity),
                text(""),
                Cell::Int(0),
                text(""),
                Cell::Bytes,
            ]
        })
        .collect();
    insert(
        db,
        "plan_milestones",
        &[
            "plan_id",
            "line_no",
            "milestone_no",
            "product_id",
            "needed_by",
            "quantity",
            "promise_date",
            "late",
            "reason",
            "coverage",
        ],
        milestone_rows,
    )
    .await
}

/// One re-plan as the service runs it for a few products, minus the warehouse reads (given
/// here): lock, gather, plan, write, commit.
async fn replan(
    db: &Db,
    scope: replanning::Scope,
    before: &HashMap<i64, Vec<StoredMilestone>>,
    free: &HashMap<i64, i64>,
) -> anyhow::Result<(Duration, usize)> {
    let started = Instant::now();
    let mut tx = db.begin().await?;
    Planning::lock(&mut tx).await?;
    let (stored, products) = replanning::gather(&mut tx, &scope).await?;
    let free = free.iter().filter(|(p, _)| products.contains(p)).map(|(p, q)| (*p, *q)).collect();
    let gathered = Gathered { stored, products, free, held: HashMap::new() };
    let changed = replanning::settle(&mut tx, db.backend(), &scope, before, gathered).await?;
    tx.commit().await?;
    Ok((started.elapsed(), changed.len()))
}

/// The warehouse as this phase has it: the workload's free stock, nothing held by orders.
struct Given<'a>(&'a HashMap<i64, i64>);

impl Reads for Given<'_> {
    fn free_stock(&self) -> impl Future<Output = atq_platform::Result<HashMap<i64, i64>>> + Send {
        std::future::ready(Ok(self.0.clone()))
    }

    fn held(
        &self,
        _orders: &HashMap<i64, Vec<String>>,
    ) -> impl Future<Output = atq_platform::Result<HashMap<(i64, i64), i64>>> + Send {
        std::future::ready(Ok(HashMap::new()))
    }
}

/// The service's re-plan of everything as of `today` (read outside the lock, written under it,
/// skipped when its fingerprint shows nothing changed).
async fn replan_all(db: &Db, free: &HashMap<i64, i64>, today: NaiveDate) -> anyhow::Result<(Duration, FullRun)> {
    let started = Instant::now();
    let run = replanning::replan_everything(db, &Given(free), today).await?;
    Ok((started.elapsed(), run))
}

/// Loads the workload into a fresh database and times the service's re-plans on it.
pub async fn run(
    postgres: Option<&str>,
    terms: &HashMap<i64, Terms>,
    demands: &[Demand],
    stock: &[(i64, i64, &Source)],
    in_memory: Duration,
) -> anyhow::Result<()> {
    let scratch = ScratchDatabase::create(postgres, "bench-planner", "import-planning").await?;
    // The server's database is dropped whatever happens in the phase.
    let measured = phase(&scratch, terms, demands, stock, in_memory).await;
    scratch.finish().await?;
    measured
}

async fn phase(
    scratch: &ScratchDatabase,
    terms: &HashMap<i64, Terms>,
    demands: &[Demand],
    stock: &[(i64, i64, &Source)],
    in_memory: Duration,
) -> anyhow::Result<()> {
    let db = atq_import_planning::open_database(&scratch.url).await?;
    let kind = scratch.kind();
    let started = Instant::now();
    load(&db, terms, demands).await?;
    println!(
        "\ndatabase phase on {kind}: the workload loaded into import planning's tables in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let free: HashMap<i64, i64> = stock
        .iter()
        .filter(|(_, _, source)| matches!(source, Source::Stock))
        .map(|(product, quantity, _)| (*product, *quantity))
        .collect();

    let today = local_date(now_micros());
    let (first, run) = replan_all(&db, &free, today).await?;
    println!(
        "  first plan of everything    {:>9.1} ms ({:.1}x the in-memory plan), {} plans changed",
        ms(first),
        ms(first) / ms(in_memory),
        run.changed.len()
    );
    let (daily, run) = replan_all(&db, &free, today).await?;
    println!(
        "  daily re-plan, no change    {:>9.1} ms ({:.2}x the in-memory plan), {} plans changed, {} reads",
        ms(daily),
        ms(daily) / ms(in_memory),
        run.changed.len(),
        run.reads
    );

    // One plan's schedule slips a month, as a re-submitted contract would.
    let plan_id = demands[demands.len() / 2].plan_id;
    let mut tx = db.begin().await?;
    Planning::lock(&mut tx).await?;
    let old = plan_store::milestones_of_plan(&mut tx, plan_id).await?;
    let moved: Vec<StoredMilestone> = old
        .iter()
        .map(|m| StoredMilestone { needed_by: m.needed_by + Days::new(30), promise_date: None, ..m.clone() })
        .collect();
    plan_store::replace_milestones(&mut tx, plan_id, &moved).await?;
    tx.commit().await?;
    let products: Vec<i64> = old.iter().map(|m| m.product_id).collect::<BTreeSet<_>>().into_iter().collect();
    let count = products.len();
    let before = HashMap::from([(plan_id, old)]);
    let (incremental, changed) = replan(&db, Some(products), &before, &free).await?;
    println!(
        "  one plan slips 30 days      {:>9.1} ms ({:.2}x the in-memory plan), its {count} products, {changed} plans changed",
        ms(incremental),
        ms(incremental) / ms(in_memory)
    );
    // The next morning: nothing changed but the day, so everything is read and planned again.
    let (next_day, run) = replan_all(&db, &free, today + Days::new(1)).await?;
    println!(
        "  re-plan the next day        {:>9.1} ms ({:.1}x the in-memory plan), {} plans changed",
        ms(next_day),
        ms(next_day) / ms(in_memory),
        run.changed.len()
    );
    db.close().await;
    Ok(())
}
