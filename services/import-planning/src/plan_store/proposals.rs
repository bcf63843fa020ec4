//! The supplier-order proposals every re-plan rewrites (`plan_proposals`).

use std::collections::{BTreeMap, BTreeSet};

use atq_platform::Tx;
use atq_platform::business_time::{date_to_proto, stored_date};
use atq_platform::db::{backend_of, id_list, values_list};
use atq_platform::error::Result;
use atq_proto::importplanning::v1 as pb;
use sqlx::{Any, Row};

use crate::planner;

/// Proposal rows per insert statement (8 values each, well within both databases' limits).
const PROPOSAL_BATCH: usize = 200;

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

/// Rows per product, each product's sorted so two sets compare as sets.
fn by_product(rows: impl IntoIterator<Item = ProposalRow>) -> BTreeMap<i64, Vec<ProposalRow>> {
    let mut grouped: BTreeMap<i64, Vec<ProposalRow>> = BTreeMap::new();
    for row in rows {
        grouped.entry(row.0).or_default().push(row);
    }
    for rows in grouped.values_mut() {
        rows.sort();
    }
    grouped
}

/// Replaces the proposals of these products (all when None) with the planner's, rewriting only
/// the products whose proposals changed: a daily re-plan mostly finds them as they were.
#[tracing::instrument(
    level = "debug",
    skip_all,
    fields(products = product_ids.map(<[i64]>::len), proposals = proposals.len())
)]
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
    let old = by_product(stored);
    let new = by_product(proposals.iter().map(proposal_row));
    let changed: Vec<i64> = old
        .keys()
        .chain(new.keys())
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|product| old.get(product) != new.get(product))
        .collect();
    for chunk in changed.chunks(1_000) {
        sqlx::query(&format!("DELETE FROM plan_proposals WHERE product_id IN ({})", id_list(chunk)))
            .execute(&mut **tx)
            .await?;
    }
    let rows: Vec<&ProposalRow> = changed.iter().filter_map(|p| new.get(p)).flatten().collect();
    insert_rows(tx, &rows).await
}

async fn insert_rows(tx: &mut Tx, rows: &[&ProposalRow]) -> Result<()> {
    for chunk in rows.chunks(PROPOSAL_BATCH) {
        let sql = format!(
            "INSERT INTO plan_proposals (product_id, supplier_id, quantity, shortfall, order_by, needed_by, \
             expected_on, reason) VALUES {}",
            values_list(backend_of(tx), chunk.len(), 8)
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

/// The proposals, grouped by supplier, earliest order-by first.
#[tracing::instrument(level = "debug", skip(executor))]
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
