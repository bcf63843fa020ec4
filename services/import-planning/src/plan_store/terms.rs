//! The supply terms of each product (`supply_terms`), and the planner's view of them.

use std::collections::HashMap;

use atq_platform::Tx;
use atq_platform::business_time::now_micros;
use atq_platform::db::id_list;
use atq_platform::error::Result;
use atq_proto::importplanning::v1 as pb;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::planner;

/// Customs clearance and transport when a product has no terms of its own.
pub const DEFAULT_BUFFER_DAYS: i64 = 14;

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

#[tracing::instrument(level = "debug", skip_all)]
pub async fn all_terms(executor: impl sqlx::Executor<'_, Database = Any>) -> Result<Vec<pb::SupplyTerms>> {
    let rows = sqlx::query(&format!("SELECT {TERMS_COLUMNS} FROM supply_terms ORDER BY product_id"))
        .fetch_all(executor)
        .await?;
    rows.iter().map(terms_from_row).collect()
}

#[tracing::instrument(level = "debug", skip_all, fields(product_id = terms.product_id))]
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
#[tracing::instrument(level = "debug", skip_all, fields(products = product_ids.map(<[i64]>::len)))]
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
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reorder_products(tx: &mut Tx) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar("SELECT product_id FROM supply_terms WHERE reorder_point > 0 ORDER BY product_id")
        .fetch_all(&mut **tx)
        .await?)
}
