//! Builds the daily receivables and month-end stock rollups from the facts already kept, once,
//! when migration 113 asks for it (a row in `rollup_backfills`): the same code that keeps them
//! from the feeds builds them, in one transaction before the feed consumers start.

use std::future::Future;
use std::pin::Pin;

use atq_platform::Db;
use atq_platform::error::Result;

const NAME: &str = "daily";

/// Boxed as `Send`: the service's future stays `Send` for every lifetime its callers name (the
/// launcher boxes it), which the compiler cannot always prove through the rollups' statements.
pub fn backfill_if_asked(db: &Db) -> Pin<Box<dyn Future<Output = Result<()>> + Send + '_>> {
    Box::pin(async move {
        let mut tx = db.begin().await?;
        let asked: Option<String> = sqlx::query_scalar("SELECT name FROM rollup_backfills WHERE name = $1")
            .bind(NAME)
            .fetch_optional(&mut *tx)
            .await?;
        if asked.is_none() {
            return Ok(());
        }
        crate::receivable_rollup::backfill(&mut tx).await?;
        crate::stock_rollup::backfill(&mut tx).await?;
        sqlx::query("DELETE FROM rollup_backfills WHERE name = $1").bind(NAME).execute(&mut *tx).await?;
        tx.commit().await?;
        tracing::info!("daily rollups built from the kept facts");
        Ok(())
    })
}
