//! The milestones of import plans (`plan_milestones`): each line's schedule and what was last
//! promised for it.

use atq_platform::business_time::stored_date;
use atq_platform::db::{backend_of, id_list, values_list};
use atq_platform::error::Result;
use atq_platform::{Error, Tx};
use chrono::NaiveDate;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::PlanStatus;
use crate::planner;

/// Milestones per update statement.
const MILESTONE_BATCH: usize = 200;

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

#[tracing::instrument(level = "debug", skip(tx))]
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
#[tracing::instrument(level = "debug", skip_all, fields(products = product_ids.map(<[i64]>::len)))]
pub async fn open_milestones(tx: &mut Tx, product_ids: Option<&[i64]>) -> Result<Vec<(StoredMilestone, String)>> {
    let mut sql = format!(
        "SELECT {MILESTONE_COLUMNS}, p.order_ref FROM plan_milestones m JOIN import_plans p ON p.id = m.plan_id \
         WHERE p.status <> '{}'",
        PlanStatus::Closed.as_str()
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

#[tracing::instrument(level = "debug", skip(tx, milestones), fields(milestones = milestones.len()))]
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
#[tracing::instrument(level = "debug", skip_all, fields(milestones = planned.len()))]
pub async fn save_planned(tx: &mut Tx, planned: &[(&planner::Planned, Vec<u8>)]) -> Result<()> {
    for chunk in planned.chunks(MILESTONE_BATCH) {
        let sql = format!(
            "WITH v (plan_id, line_no, milestone_no, promise_date, late, reason, coverage) AS (VALUES {}) \
             UPDATE plan_milestones SET promise_date = v.promise_date, late = v.late, reason = v.reason, \
             coverage = v.coverage FROM v WHERE plan_milestones.plan_id = v.plan_id \
             AND plan_milestones.line_no = v.line_no AND plan_milestones.milestone_no = v.milestone_no",
            values_list(backend_of(tx), chunk.len(), 7)
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
