//! Import plan rows: `import_plans`, their `plan_milestones`, the `plan_proposals` every re-plan
//! rewrites, and the `supply_terms` of each product.

use std::collections::{BTreeMap, HashMap};

use atq_platform::business_time::{date_to_proto, local_date, now_micros, stored_date, to_timestamp};
use atq_platform::db::{id_list, values_placeholders};
use atq_platform::error::Result;
use atq_platform::paging::Page;
use atq_platform::{Error, Office, Tx, numbering};
use atq_proto::importplanning::v1 as pb;
use chrono::{Datelike, NaiveDate};
use prost::Message;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row};

use crate::planner;

pub const OPEN: &str = "open";
pub const LATE: &str = "late";
pub const CLOSED: &str = "closed";
pub const STATUSES: [&str; 3] = [OPEN, LATE, CLOSED];

/// Customs clearance and transport when a product has no terms of its own.
pub const DEFAULT_BUFFER_DAYS: i64 = 14;
/// Proposal rows per insert statement (8 values each, well within both databases' limits).
const PROPOSAL_BATCH: usize = 200;
/// Milestones per update statement.
const MILESTONE_BATCH: usize = 200;

const COLUMNS: &str = "id, number, source_ref, order_ref, customer_id, customer_name, office, status, revision, \
                       changes, created_at, updated_at";

/// A product's terms, defaults filled in.
pub fn default_terms(product_id: i64) -> pb::SupplyTerms {
    pb::SupplyTerms {
        product_id,
        min_order_quantity: 1,
        pack_size: 1,
        reorder_point: 0,
        reorder_quantity: 0,
        buffer_days: DEFAULT_BUFFER_DAYS as i32,
    }
}

fn terms_from_row(row: &AnyRow) -> Result<pb::SupplyTerms> {
    Ok(pb::SupplyTerms {
        product_id: row.try_get("product_id")?,
        min_order_quantity: row.try_get("min_order_quantity")?,
        pack_size: row.try_get("pack_size")?,
        reorder_point: row.try_get("reorder_point")?,
        reorder_quantity: row.try_get("reorder_quantity")?,
        buffer_days: row.try_get::<i64, _>("buffer_days")? as i32,
    })
}

const TERMS_COLUMNS: &str = "product_id, min_order_quantity, pack_size, reorder_point, reorder_quantity, buffer_days";

pub async fn all_terms(executor: impl sqlx::Executor<'_, Database = Any>) -> Result<Vec<pb::SupplyTerms>> {
    let rows = sqlx::query(&format!("SELECT {TERMS_COLUMNS} FROM supply_terms ORDER BY product_id"))
        .fetch_all(executor)
        .await?;
    rows.iter().map(terms_from_row).collect()
}

pub async fn set_terms(tx: &mut Tx, terms: &pb::SupplyTerms, by: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO supply_terms (product_id, min_order_quantity, pack_size, reorder_point, reorder_quantity, \
         buffer_days, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (product_id) DO UPDATE SET min_order_quantity = excluded.min_order_quantity, \
         pack_size = excluded.pack_size, reorder_point = excluded.reorder_point, \
         reorder_quantity = excluded.reorder_quantity, buffer_days = excluded.buffer_days, \
         updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(terms.product_id)
    .bind(terms.min_order_quantity)
    .bind(terms.pack_size)
    .bind(terms.reorder_point)
    .bind(terms.reorder_quantity)
    .bind(i64::from(terms.buffer_days))
    .bind(by)
    .bind(now_micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The planner's terms for these products (every product when None): supplier and lead time
/// from the catalog, the rest from `supply_terms` or the defaults.
pub async fn planner_terms(tx: &mut Tx, product_ids: Option<&[i64]>) -> Result<HashMap<i64, planner::Terms>> {
    let mut sql = "SELECT p.id AS product_id, p.supplier_id, s.lead_time_days, t.min_order_quantity, t.pack_size, \
                   t.reorder_point, t.reorder_quantity, t.buffer_days FROM products p \
                   JOIN suppliers s ON s.id = p.supplier_id LEFT JOIN supply_terms t ON t.product_id = p.id"
        .to_owned();
    if let Some(ids) = product_ids {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        sql.push_str(&format!(" WHERE p.id IN ({})", id_list(ids)));
    }
    let rows = sqlx::query(&sql).fetch_all(&mut **tx).await?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in &rows {
        let optional = |column: &str| -> Result<Option<i64>> { Ok(row.try_get::<Option<i64>, _>(column)?) };
        let product_id: i64 = row.try_get("product_id")?;
        out.insert(
            product_id,
            planner::Terms {
                supplier_id: row.try_get("supplier_id")?,
                lead_time_days: row.try_get("lead_time_days")?,
                buffer_days: optional("buffer_days")?.unwrap_or(DEFAULT_BUFFER_DAYS),
                min_order_quantity: optional("min_order_quantity")?.unwrap_or(1),
                pack_size: optional("pack_size")?.unwrap_or(1),
                reorder_point: optional("reorder_point")?.unwrap_or(0),
                reorder_quantity: optional("reorder_quantity")?.unwrap_or(0),
            },
        );
    }
    Ok(out)
}

/// Products with a reorder point: each re-plan of everything checks them.
pub async fn reorder_products(tx: &mut Tx) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar("SELECT product_id FROM supply_terms WHERE reorder_point > 0 ORDER BY product_id")
        .fetch_all(&mut **tx)
        .await?)
}

#[derive(Clone, Debug)]
pub struct PlanHeader {
    pub id: i64,
    pub number: String,
    pub order_ref: String,
    pub status: String,
    pub revision: i64,
}

pub async fn header_by_source(tx: &mut Tx, source_ref: &str) -> Result<Option<PlanHeader>> {
    let row = sqlx::query("SELECT id, number, order_ref, status, revision FROM import_plans WHERE source_ref = $1")
        .bind(source_ref)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|row| {
        Ok(PlanHeader {
            id: row.try_get("id")?,
            number: row.try_get("number")?,
            order_ref: row.try_get("order_ref")?,
            status: row.try_get("status")?,
            revision: row.try_get("revision")?,
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
    .bind(OPEN)
    .bind(Vec::<u8>::new())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?)
}

pub async fn update_plan(tx: &mut Tx, id: i64, plan: &NewPlan) -> Result<()> {
    sqlx::query(
        "UPDATE import_plans SET order_ref = $1, customer_id = $2, customer_name = $3, office = $4, \
         status = CASE WHEN status = $5 THEN $6 ELSE status END, updated_at = $7 WHERE id = $8",
    )
    .bind(&plan.order_ref)
    .bind(plan.customer_id)
    .bind(&plan.customer_name)
    .bind(plan.office.map(|o| o.code()).unwrap_or_default())
    .bind(CLOSED)
    .bind(OPEN)
    .bind(now_micros())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Counts an order's stock for the plan (idempotent).
pub async fn attach_order(tx: &mut Tx, plan_id: i64, order_ref: &str) -> Result<()> {
    sqlx::query("INSERT INTO plan_orders (plan_id, order_ref) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(plan_id)
        .bind(order_ref)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn detach_order(tx: &mut Tx, plan_id: i64, order_ref: &str) -> Result<()> {
    sqlx::query("DELETE FROM plan_orders WHERE plan_id = $1 AND order_ref = $2")
        .bind(plan_id)
        .bind(order_ref)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The plan an order belongs to (its own, or the contract's it joined), open or closed.
pub async fn plan_of_order(tx: &mut Tx, order_ref: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT plan_id FROM plan_orders WHERE order_ref = $1 ORDER BY plan_id LIMIT 1")
        .bind(order_ref)
        .fetch_optional(&mut **tx)
        .await?)
}

/// The orders each of these plans serves.
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

pub async fn close_plan(tx: &mut Tx, id: i64) -> Result<()> {
    sqlx::query("UPDATE import_plans SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(CLOSED)
        .bind(now_micros())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One milestone as stored: the schedule and what was last promised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMilestone {
    pub plan_id: i64,
    pub line_no: i32,
    pub milestone_no: i32,
    pub product_id: i64,
    pub needed_by: NaiveDate,
    pub quantity: i64,
    pub promise_date: Option<NaiveDate>,
    pub late: bool,
    pub reason: String,
    /// As stored: a re-plan rewrites a milestone only when this or its promise changed.
    pub coverage: Vec<u8>,
}

fn milestone_from_row(row: &AnyRow) -> Result<StoredMilestone> {
    Ok(StoredMilestone {
        plan_id: row.try_get("plan_id")?,
        line_no: row.try_get::<i64, _>("line_no")? as i32,
        milestone_no: row.try_get::<i64, _>("milestone_no")? as i32,
        product_id: row.try_get("product_id")?,
        needed_by: stored_date(&row.try_get::<String, _>("needed_by")?, "plan")?
            .ok_or_else(|| Error::internal(anyhow::anyhow!("milestone without a date")))?,
        quantity: row.try_get("quantity")?,
        promise_date: stored_date(&row.try_get::<String, _>("promise_date")?, "plan")?,
        late: row.try_get::<i64, _>("late")? != 0,
        reason: row.try_get("reason")?,
        coverage: row.try_get("coverage")?,
    })
}

const MILESTONE_COLUMNS: &str = "m.plan_id, m.line_no, m.milestone_no, m.product_id, m.needed_by, m.quantity, \
                                 m.promise_date, m.late, m.reason, m.coverage";

pub async fn milestones_of_plan(tx: &mut Tx, plan_id: i64) -> Result<Vec<StoredMilestone>> {
    let rows = sqlx::query(&format!(
        "SELECT {MILESTONE_COLUMNS} FROM plan_milestones m WHERE m.plan_id = $1 ORDER BY m.line_no, m.milestone_no"
    ))
    .bind(plan_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(milestone_from_row).collect()
}

/// The milestones of every plan still open for these products (all products when None), with
/// the order each plan serves.
pub async fn open_milestones(tx: &mut Tx, product_ids: Option<&[i64]>) -> Result<Vec<(StoredMilestone, String)>> {
    let mut sql = format!(
        "SELECT {MILESTONE_COLUMNS}, p.order_ref FROM plan_milestones m JOIN import_plans p ON p.id = m.plan_id \
         WHERE p.status <> '{CLOSED}'"
    );
    if let Some(ids) = product_ids {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        sql.push_str(&format!(" AND m.product_id IN ({})", id_list(ids)));
    }
    let rows = sqlx::query(&sql).fetch_all(&mut **tx).await?;
    rows.iter().map(|row| Ok((milestone_from_row(row)?, row.try_get::<String, _>("order_ref")?))).collect()
}

pub async fn replace_milestones(tx: &mut Tx, plan_id: i64, milestones: &[StoredMilestone]) -> Result<()> {
    sqlx::query("DELETE FROM plan_milestones WHERE plan_id = $1").bind(plan_id).execute(&mut **tx).await?;
    for m in milestones {
        sqlx::query(
            "INSERT INTO plan_milestones (plan_id, line_no, milestone_no, product_id, needed_by, quantity, \
             promise_date, late, reason, coverage) VALUES ($1, $2, $3, $4, $5, $6, '', 0, '', $7)",
        )
        .bind(plan_id)
        .bind(i64::from(m.line_no))
        .bind(i64::from(m.milestone_no))
        .bind(m.product_id)
        .bind(m.needed_by.to_string())
        .bind(m.quantity)
        .bind(Vec::<u8>::new())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Stores what the planner promised, many milestones per statement (the same SQL on both
/// databases: a VALUES list joined in an UPDATE ... FROM).
pub async fn save_planned(tx: &mut Tx, planned: &[(&planner::Planned, Vec<u8>)]) -> Result<()> {
    for chunk in planned.chunks(MILESTONE_BATCH) {
        let sql = format!(
            "WITH v (plan_id, line_no, milestone_no, promise_date, late, reason, coverage) AS (VALUES {}) \
             UPDATE plan_milestones SET promise_date = v.promise_date, late = v.late, reason = v.reason, \
             coverage = v.coverage FROM v WHERE plan_milestones.plan_id = v.plan_id \
             AND plan_milestones.line_no = v.line_no AND plan_milestones.milestone_no = v.milestone_no",
            values_placeholders(chunk.len(), 7)
        );
        let mut query = sqlx::query(&sql);
        for (p, coverage) in chunk {
            query = query
                .bind(p.plan_id)
                .bind(i64::from(p.line_no))
                .bind(i64::from(p.milestone_no))
                .bind(p.promise_date.to_string())
                .bind(i64::from(p.late))
                .bind(p.reason.clone())
                .bind(coverage.clone());
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Records a re-plan's outcome on the plan: what moved, a new revision, and its status as its
/// milestones now stand (late when one cannot make its date; a closed plan stays closed).
pub async fn record_replan(tx: &mut Tx, plan_id: i64, changes: &[pb::PlanChange]) -> Result<()> {
    let encoded = pb::ImportPlan { changes: changes.to_vec(), ..Default::default() }.encode_to_vec();
    sqlx::query(
        "UPDATE import_plans SET status = CASE WHEN status = $1 THEN status \
         WHEN EXISTS (SELECT 1 FROM plan_milestones m WHERE m.plan_id = import_plans.id AND m.late = 1) THEN $2 \
         ELSE $3 END, changes = $4, revision = revision + 1, updated_at = $5 WHERE id = $6",
    )
    .bind(CLOSED)
    .bind(LATE)
    .bind(OPEN)
    .bind(encoded)
    .bind(now_micros())
    .bind(plan_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

type ProposalRow = (i64, i64, i64, i64, String, String, String, String);

fn proposal_row(p: &planner::Proposal) -> ProposalRow {
    let reason = match p.why {
        planner::Why::Project => "project",
        planner::Why::Reorder => "reorder",
    };
    (
        p.product_id,
        p.supplier_id,
        p.quantity,
        p.shortfall,
        p.order_by.to_string(),
        p.needed_by.to_string(),
        p.expected_on.to_string(),
        reason.to_owned(),
    )
}

/// Replaces the proposals of these products (all when None) with the planner's, rewriting only
/// the products whose proposals changed: a daily re-plan mostly finds them as they were.
pub async fn replace_proposals(
    tx: &mut Tx,
    product_ids: Option<&[i64]>,
    proposals: &[planner::Proposal],
) -> Result<()> {
    let mut sql = "SELECT product_id, supplier_id, quantity, shortfall, order_by, needed_by, expected_on, reason \
                   FROM plan_proposals"
        .to_owned();
    match product_ids {
        Some([]) => return Ok(()),
        Some(ids) => sql.push_str(&format!(" WHERE product_id IN ({})", id_list(ids))),
        None => {}
    }
    let stored: Vec<ProposalRow> = sqlx::query_as(&sql).fetch_all(&mut **tx).await?;
    let mut old: BTreeMap<i64, Vec<ProposalRow>> = BTreeMap::new();
    for row in stored {
        old.entry(row.0).or_default().push(row);
    }
    let mut new: BTreeMap<i64, Vec<ProposalRow>> = BTreeMap::new();
    for row in proposals.iter().map(proposal_row) {
        new.entry(row.0).or_default().push(row);
    }
    for rows in old.values_mut().chain(new.values_mut()) {
        rows.sort();
    }
    let changed: Vec<i64> = old
        .keys()
        .chain(new.keys())
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|product| old.get(product) != new.get(product))
        .collect();
    for chunk in changed.chunks(1_000) {
        sqlx::query(&format!("DELETE FROM plan_proposals WHERE product_id IN ({})", id_list(chunk)))
            .execute(&mut **tx)
            .await?;
    }
    let rows: Vec<&ProposalRow> = changed.iter().filter_map(|p| new.get(p)).flatten().collect();
    for chunk in rows.chunks(PROPOSAL_BATCH) {
        let sql = format!(
            "INSERT INTO plan_proposals (product_id, supplier_id, quantity, shortfall, order_by, needed_by, \
             expected_on, reason) VALUES {}",
            values_placeholders(chunk.len(), 8)
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = query
                .bind(row.0)
                .bind(row.1)
                .bind(row.2)
                .bind(row.3)
                .bind(row.4.clone())
                .bind(row.5.clone())
                .bind(row.6.clone())
                .bind(row.7.clone());
        }
        query.execute(&mut **tx).await?;
    }
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
pub async fn find(executor: &mut AnyConnection, id: i64) -> Result<Option<pb::ImportPlan>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM import_plans WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *executor)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut plan = header_from_row(&row)?;
    let rows = sqlx::query(
        "SELECT m.line_no, m.milestone_no, m.product_id, m.needed_by, m.quantity, m.promise_date, m.late, m.reason, \
         m.coverage, p.model_code, p.supplier_id FROM plan_milestones m LEFT JOIN products p ON p.id = m.product_id \
         WHERE m.plan_id = $1 ORDER BY m.line_no, m.milestone_no",
    )
    .bind(id)
    .fetch_all(&mut *executor)
    .await?;
    let today = local_date(now_micros());
    let mut lines: BTreeMap<i32, pb::PlanLine> = BTreeMap::new();
    for row in &rows {
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
    plan.lines = lines.into_values().collect();
    Ok(Some(plan))
}

/// Plans without lines, in id order (keyset paging).
pub async fn list(
    executor: impl sqlx::Executor<'_, Database = Any>,
    status: &str,
    page: Page,
) -> Result<Vec<pb::ImportPlan>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM import_plans WHERE id > $1 AND ($2 = '' OR status = $2) ORDER BY id LIMIT $3"
    ))
    .bind(page.after_id)
    .bind(status)
    .bind(page.fetch_limit())
    .fetch_all(executor)
    .await?;
    rows.iter().map(header_from_row).collect()
}

/// The proposals, grouped by supplier, earliest order-by first.
pub async fn proposals(
    executor: impl sqlx::Executor<'_, Database = Any>,
    supplier_id: i64,
) -> Result<Vec<pb::SupplierProposal>> {
    let rows = sqlx::query(
        "SELECT x.product_id, x.supplier_id, x.quantity, x.shortfall, x.order_by, x.needed_by, x.expected_on, \
         x.reason, p.model_code, s.code AS supplier_code, s.name AS supplier_name, s.currency \
         FROM plan_proposals x JOIN products p ON p.id = x.product_id JOIN suppliers s ON s.id = x.supplier_id \
         WHERE ($1 = 0 OR x.supplier_id = $1) ORDER BY x.supplier_id, x.order_by, x.product_id, x.id",
    )
    .bind(supplier_id)
    .fetch_all(executor)
    .await?;
    let mut out: Vec<pb::SupplierProposal> = Vec::new();
    for row in &rows {
        let supplier_id: i64 = row.try_get("supplier_id")?;
        let date = |column: &str| -> Result<Option<atq_proto::common::v1::LocalDate>> {
            Ok(stored_date(&row.try_get::<String, _>(column)?, "plan")?.map(date_to_proto))
        };
        let line = pb::ProposalLine {
            product_id: row.try_get("product_id")?,
            model_code: row.try_get("model_code")?,
            quantity: row.try_get("quantity")?,
            shortfall: row.try_get("shortfall")?,
            order_by: date("order_by")?,
            needed_by: date("needed_by")?,
            expected_on: date("expected_on")?,
            reason: row.try_get("reason")?,
        };
        match out.last_mut() {
            Some(group) if group.supplier_id == supplier_id => group.lines.push(line),
            _ => out.push(pb::SupplierProposal {
                supplier_id,
                supplier_code: row.try_get("supplier_code")?,
                supplier_name: row.try_get("supplier_name")?,
                currency: row.try_get("currency")?,
                order_by: line.order_by,
                lines: vec![line],
            }),
        }
    }
    out.sort_by_key(|group| group.order_by.map(|d| (d.year, d.month, d.day)));
    Ok(out)
}
