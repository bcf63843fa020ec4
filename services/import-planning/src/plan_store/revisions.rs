//! What a re-plan writes on the plans it moved, and reads to announce them, many plans per
//! statement: a first plan of everything moves every plan, and one statement per plan made that
//! cost as much as the planning itself many times over.

use std::collections::HashMap;

use atq_platform::business_time::now_micros;
use atq_platform::db::{backend_of, id_list, values_list};
use atq_platform::error::Result;
use atq_platform::{Error, Tx};
use atq_proto::importplanning::v1 as pb;
use prost::Message;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{COLUMNS, LINE_COLUMNS, LINE_FROM, PlanStatus, header_from_row, lines_from_rows};

/// Plans per statement when recording re-plans (2 binds each).
const RECORD_BATCH: usize = 500;
/// Plans read per pair of statements when announcing them.
const FIND_BATCH: usize = 500;

/// Records each re-plan's outcome on its plan: what moved, a new revision, and its status as its
/// milestones now stand (late when one cannot make its date; a closed plan stays closed).
#[tracing::instrument(level = "debug", skip_all, fields(plans = moved.len()))]
pub async fn record_replans(tx: &mut Tx, moved: &[(i64, Vec<pb::PlanChange>)]) -> Result<()> {
    // The status words and the time are the same for every row: literals, so the VALUES list
    // holds the only binds (anonymous on SQLite, see `values_list`).
    let (closed, late, open) = (PlanStatus::Closed.as_str(), PlanStatus::Late.as_str(), PlanStatus::Open.as_str());
    let now = now_micros();
    for chunk in moved.chunks(RECORD_BATCH) {
        let sql = format!(
            "WITH v (id, changes) AS (VALUES {}) \
             UPDATE import_plans SET status = CASE WHEN import_plans.status = '{closed}' THEN import_plans.status \
             WHEN EXISTS (SELECT 1 FROM plan_milestones m WHERE m.plan_id = import_plans.id AND m.late = 1) \
             THEN '{late}' ELSE '{open}' END, changes = v.changes, revision = import_plans.revision + 1, \
             updated_at = {now} FROM v WHERE import_plans.id = v.id",
            values_list(backend_of(tx), chunk.len(), 2)
        );
        let mut query = sqlx::query(&sql);
        for (plan_id, changes) in chunk {
            let encoded = pb::ImportPlan { changes: changes.clone(), ..Default::default() }.encode_to_vec();
            query = query.bind(*plan_id).bind(encoded);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// These plans as [`super::find`] reads each, by id; a plan that does not exist is left out.
#[tracing::instrument(level = "debug", skip_all, fields(plans = ids.len()))]
pub async fn find_many(tx: &mut Tx, ids: &[i64]) -> Result<HashMap<i64, pb::ImportPlan>> {
    let mut plans = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(FIND_BATCH) {
        let list = id_list(chunk);
        let headers = sqlx::query(&format!("SELECT {COLUMNS} FROM import_plans WHERE id IN ({list})"))
            .fetch_all(&mut **tx)
            .await?;
        for row in &headers {
            let plan = header_from_row(row)?;
            plans.insert(plan.id, plan);
        }
        let rows = sqlx::query(&format!(
            "SELECT {LINE_COLUMNS} {LINE_FROM} WHERE m.plan_id IN ({list}) ORDER BY m.plan_id, m.line_no, m.milestone_no"
        ))
        .fetch_all(&mut **tx)
        .await?;
        for of_plan in rows.chunk_by(|a, b| plan_of(a).ok() == plan_of(b).ok()) {
            let plan_id = plan_of(&of_plan[0])?;
            let plan = plans
                .get_mut(&plan_id)
                .ok_or_else(|| Error::internal(anyhow::anyhow!("milestones of plan {plan_id} without its plan")))?;
            plan.lines = lines_from_rows(of_plan)?;
        }
    }
    Ok(plans)
}

fn plan_of(row: &AnyRow) -> Result<i64> {
    Ok(row.try_get("plan_id")?)
}
