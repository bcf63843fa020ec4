//! Import plan rows: `import_plans` and the orders each serves (`plan_orders`), the run of
//! re-plans (`planning_runs`); their milestones, proposals and the products' supply terms in the
//! modules below.

mod milestones;
mod proposals;
mod revisions;
mod runs;
mod terms;

use std::collections::{BTreeMap, HashMap};

use atq_platform::business_time::{date_to_proto, local_date, now_micros, stored_date, to_timestamp};
use atq_platform::db::id_list;
use atq_platform::error::Result;
use atq_platform::paging::Page;
use atq_platform::{Error, Office, Tx, numbering};
use atq_proto::importplanning::v1 as pb;
use chrono::Datelike;
use prost::Message;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row};

pub use milestones::{StoredMilestone, milestones_of_plan, open_milestones, replace_milestones, save_planned};
pub use proposals::{proposals, replace_proposals};
pub use revisions::{find_many, record_replans};
pub use runs::{CatalogMarks, catalog_marks, planned_fingerprint, planning_counter, set_planned_fingerprint};
pub use terms::{DEFAULT_BUFFER_DAYS, all_terms, default_terms, planner_terms, reorder_products, set_terms};

use atq_platform::text_status;

text_status! {
    /// Where an import plan stands: late when a milestone cannot make its date.
    PlanStatus {
        Open = "open",
        Late = "late",
        Closed = "closed",
    }
}

/// The stored word of an open plan, for loaders that write plan rows themselves.
pub const OPEN: &str = PlanStatus::Open.as_str();

const COLUMNS: &str = "id, number, source_ref, order_ref, customer_id, customer_name, office, status, revision, \
                       changes, created_at, updated_at";

#[derive(Clone, Debug)]
pub struct PlanHeader {
    pub id: i64,
    pub number: String,
    pub order_ref: String,
    pub status: PlanStatus,
    pub revision: i64,
    /// The office whose plan it is; None for a plan no office was given for.
    pub office: Option<Office>,
}

#[tracing::instrument(level = "debug", skip(tx))]
pub async fn header_by_source(tx: &mut Tx, source_ref: &str) -> Result<Option<PlanHeader>> {
    let row =
        sqlx::query("SELECT id, number, order_ref, status, revision, office FROM import_plans WHERE source_ref = $1")
            .bind(source_ref)
            .fetch_optional(&mut **tx)
            .await?;
    row.map(|row| {
        Ok(PlanHeader {
            id: row.try_get("id")?,
            number: row.try_get("number")?,
            order_ref: row.try_get("order_ref")?,
            status: PlanStatus::stored(&row.try_get::<String, _>("status")?)?,
            revision: row.try_get("revision")?,
            office: Office::parse(&row.try_get::<String, _>("office")?).ok(),
        })
    })
    .transpose()
}

#[derive(Clone, Debug)]
pub struct NewPlan {
    pub source_ref: String,
    pub order_ref: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub office: Option<Office>,
}

#[tracing::instrument(level = "debug", skip_all, fields(source_ref = %plan.source_ref))]
pub async fn insert_plan(tx: &mut Tx, plan: &NewPlan) -> Result<i64> {
    let now = now_micros();
    let year = local_date(now).year();
    let n = numbering::next_in_series(tx, &format!("KH-{year}")).await?;
    let number = format!("KH-{year}-{n:04}");
    Ok(sqlx::query_scalar(
        "INSERT INTO import_plans (number, source_ref, order_ref, customer_id, customer_name, office, status, \
         revision, changes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $9) RETURNING id",
    )
    .bind(number)
    .bind(&plan.source_ref)
    .bind(&plan.order_ref)
    .bind(plan.customer_id)
    .bind(&plan.customer_name)
    .bind(plan.office.map(|o| o.code()).unwrap_or_default())
    .bind(PlanStatus::Open.as_str())
    .bind(Vec::<u8>::new())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?)
}

#[tracing::instrument(level = "debug", skip(tx, plan))]
pub async fn update_plan(tx: &mut Tx, id: i64, plan: &NewPlan) -> Result<()> {
    sqlx::query(
        "UPDATE import_plans SET order_ref = $1, customer_id = $2, customer_name = $3, office = $4, \
         status = CASE WHEN status = $5 THEN $6 ELSE status END, updated_at = $7 WHERE id = $8",
    )
    .bind(&plan.order_ref)
    .bind(plan.customer_id)
    .bind(&plan.customer_name)
    .bind(plan.office.map(|o| o.code()).unwrap_or_default())
    .bind(PlanStatus::Closed.as_str())
    .bind(PlanStatus::Open.as_str())
    .bind(now_micros())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Counts an order's stock for the plan (idempotent).
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn attach_order(tx: &mut Tx, plan_id: i64, order_ref: &str) -> Result<()> {
    sqlx::query("INSERT INTO plan_orders (plan_id, order_ref) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(plan_id)
        .bind(order_ref)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip(tx))]
pub async fn detach_order(tx: &mut Tx, plan_id: i64, order_ref: &str) -> Result<()> {
    sqlx::query("DELETE FROM plan_orders WHERE plan_id = $1 AND order_ref = $2")
        .bind(plan_id)
        .bind(order_ref)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The plan an order belongs to (its own, or the contract's it joined), open or closed.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn plan_of_order(tx: &mut Tx, order_ref: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT plan_id FROM plan_orders WHERE order_ref = $1 ORDER BY plan_id LIMIT 1")
        .bind(order_ref)
        .fetch_optional(&mut **tx)
        .await?)
}

/// The orders each of these plans serves.
#[tracing::instrument(level = "debug", skip_all, fields(plans = plan_ids.len()))]
pub async fn orders_of(tx: &mut Tx, plan_ids: &[i64]) -> Result<HashMap<i64, Vec<String>>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    if plan_ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT plan_id, order_ref FROM plan_orders WHERE plan_id IN ({}) ORDER BY plan_id, order_ref",
        id_list(plan_ids)
    ))
    .fetch_all(&mut **tx)
    .await?;
    for (plan_id, order_ref) in rows {
        out.entry(plan_id).or_default().push(order_ref);
    }
    Ok(out)
}

#[tracing::instrument(level = "debug", skip(tx))]
pub async fn close_plan(tx: &mut Tx, id: i64) -> Result<()> {
    sqlx::query("UPDATE import_plans SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(PlanStatus::Closed.as_str())
        .bind(now_micros())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn header_from_row(row: &AnyRow) -> Result<pb::ImportPlan> {
    let office: String = row.try_get("office")?;
    let changes: Vec<u8> = row.try_get("changes")?;
    let changes = pb::ImportPlan::decode(changes.as_slice()).map_err(|e| Error::internal(anyhow::anyhow!(e)))?.changes;
    Ok(pb::ImportPlan {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        source_ref: row.try_get("source_ref")?,
        order_ref: row.try_get("order_ref")?,
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        office: Office::parse(&office).map(|o| o.to_proto() as i32).unwrap_or_default(),
        status: row.try_get("status")?,
        lines: Vec::new(),
        revision: row.try_get("revision")?,
        changes,
        created_at: Some(to_timestamp(row.try_get("created_at")?)),
        updated_at: Some(to_timestamp(row.try_get("updated_at")?)),
    })
}

/// The plan with its lines and what each milestone was promised.
#[tracing::instrument(level = "debug", skip(executor))]
pub async fn find(executor: &mut AnyConnection, id: i64) -> Result<Option<pb::ImportPlan>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM import_plans WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *executor)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut plan = header_from_row(&row)?;
    let rows = sqlx::query(&format!(
        "SELECT {LINE_COLUMNS} {LINE_FROM} WHERE m.plan_id = $1 ORDER BY m.line_no, m.milestone_no"
    ))
    .bind(id)
    .fetch_all(&mut *executor)
    .await?;
    plan.lines = lines_from_rows(&rows)?;
    Ok(Some(plan))
}

/// The columns and source of a plan's lines as [`lines_from_rows`] reads them.
const LINE_COLUMNS: &str = "m.plan_id, m.line_no, m.milestone_no, m.product_id, m.needed_by, m.quantity, \
                                       m.promise_date, m.late, m.reason, m.coverage, p.model_code, p.supplier_id";
const LINE_FROM: &str = "FROM plan_milestones m LEFT JOIN products p ON p.id = m.product_id";

/// One plan's lines from its milestone rows, in line and milestone order.
fn lines_from_rows(rows: &[AnyRow]) -> Result<Vec<pb::PlanLine>> {
    let today = local_date(now_micros());
    let mut lines: BTreeMap<i32, pb::PlanLine> = BTreeMap::new();
    for row in rows {
        let line_no = row.try_get::<i64, _>("line_no")? as i32;
        let coverage: Vec<u8> = row.try_get("coverage")?;
        let coverage =
            pb::PlannedMilestone::decode(coverage.as_slice()).map_err(|e| Error::internal(anyhow::anyhow!(e)))?;
        let line = lines.entry(line_no).or_insert(pb::PlanLine {
            line_no,
            product_id: row.try_get("product_id")?,
            model_code: row.try_get::<Option<String>, _>("model_code")?.unwrap_or_default(),
            supplier_id: row.try_get::<Option<i64>, _>("supplier_id")?.unwrap_or_default(),
            milestones: Vec::new(),
        });
        line.milestones.push(pb::PlannedMilestone {
            milestone_no: row.try_get::<i64, _>("milestone_no")? as i32,
            needed_by: stored_date(&row.try_get::<String, _>("needed_by")?, "plan")?.map(date_to_proto),
            quantity: row.try_get("quantity")?,
            // A promise kept in the past reads as today: the goods are ready now.
            promise_date: stored_date(&row.try_get::<String, _>("promise_date")?, "plan")?
                .map(|d| date_to_proto(d.max(today))),
            late: row.try_get::<i64, _>("late")? != 0,
            reason: row.try_get("reason")?,
            coverage: coverage.coverage,
        });
    }
    Ok(lines.into_values().collect())
}

/// Plans without lines, in id order (keyset paging).
#[tracing::instrument(level = "debug", skip(executor, page))]
pub async fn list(
    executor: impl sqlx::Executor<'_, Database = Any>,
    status: &str,
    office: Option<Office>,
    page: Page,
) -> Result<Vec<pb::ImportPlan>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM import_plans WHERE id > $1 AND ($2 = '' OR status = $2) \
         AND ($3 = '' OR office = $3) ORDER BY id LIMIT $4"
    ))
    .bind(page.after_id)
    .bind(status)
    .bind(office.map(|o| o.code()).unwrap_or_default())
    .bind(page.fetch_limit())
    .fetch_all(executor)
    .await?;
    rows.iter().map(header_from_row).collect()
}

/// Takes the planning lock for the rest of the transaction: re-plans run one at a time.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn lock_planning(tx: &mut Tx) -> Result<()> {
    sqlx::query("UPDATE planning_runs SET runs = runs + 1 WHERE id = 1").execute(&mut **tx).await?;
    Ok(())
}

/// The local day of the last re-plan of everything ("" before the first).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn last_full_replan(executor: impl sqlx::Executor<'_, Database = Any>) -> Result<String> {
    Ok(sqlx::query_scalar("SELECT last_full_on FROM planning_runs WHERE id = 1").fetch_one(executor).await?)
}

#[tracing::instrument(level = "debug", skip(tx))]
pub async fn set_last_full_replan(tx: &mut Tx, day: &str) -> Result<()> {
    sqlx::query("UPDATE planning_runs SET last_full_on = $1 WHERE id = 1").bind(day).execute(&mut **tx).await?;
    Ok(())
}

/// Of these products, those an open plan or a reorder point cares about.
#[tracing::instrument(level = "debug", skip_all, fields(products = product_ids.len()))]
pub async fn planned_products(tx: &mut Tx, product_ids: &[i64]) -> Result<Vec<i64>> {
    let list = id_list(product_ids);
    Ok(sqlx::query_scalar(&format!(
        "SELECT DISTINCT m.product_id FROM plan_milestones m JOIN import_plans p ON p.id = m.plan_id \
         WHERE p.status <> '{closed}' AND m.product_id IN ({list}) \
         UNION SELECT product_id FROM supply_terms WHERE reorder_point > 0 AND product_id IN ({list})",
        closed = PlanStatus::Closed.as_str()
    ))
    .fetch_all(&mut **tx)
    .await?)
}
