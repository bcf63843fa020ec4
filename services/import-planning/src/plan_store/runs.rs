//! What tells a re-plan of everything that nothing moved since the last one: the count of times
//! the planning lock was taken (every change a re-plan reads takes it first, see
//! [`super::lock_planning`]), marks of the catalog (edited without the lock), and the fingerprint
//! the last re-plan of everything left (`planning_runs.planned_fingerprint`).

use atq_platform::Tx;
use atq_platform::error::Result;
use sqlx::{Any, AnyConnection};

/// How many times the planning lock was taken, as this connection sees it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn planning_counter(conn: &mut AnyConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT runs FROM planning_runs WHERE id = 1").fetch_one(conn).await?)
}

/// Rows and summed versions of products and suppliers: every edit raises a version and every new
/// row adds one, so any change of a supplier, lead time or product moves them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatalogMarks {
    pub products: (i64, i64),
    pub suppliers: (i64, i64),
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn catalog_marks(conn: &mut AnyConnection) -> Result<CatalogMarks> {
    // SUM of BIGINT is NUMERIC on PostgreSQL: cast back, the sums stay far below 2^63.
    let (products_count, products_versions, suppliers_count, suppliers_versions): (i64, i64, i64, i64) =
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM products), (SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM products), \
             (SELECT COUNT(*) FROM suppliers), (SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM suppliers)",
        )
        .fetch_one(conn)
        .await?;
    Ok(CatalogMarks { products: (products_count, products_versions), suppliers: (suppliers_count, suppliers_versions) })
}

/// The fingerprint the last re-plan of everything stored ("" before the first).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn planned_fingerprint(executor: impl sqlx::Executor<'_, Database = Any>) -> Result<String> {
    Ok(sqlx::query_scalar("SELECT planned_fingerprint FROM planning_runs WHERE id = 1").fetch_one(executor).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_planned_fingerprint(tx: &mut Tx, fingerprint: &str) -> Result<()> {
    sqlx::query("UPDATE planning_runs SET planned_fingerprint = $1 WHERE id = 1")
        .bind(fingerprint)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
