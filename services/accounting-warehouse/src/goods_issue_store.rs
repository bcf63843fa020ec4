//! Goods issues, kept whole and known by their dispatch order.

use atq_platform::error::Result;
use atq_platform::{Db, Office, Tx};

/// The encoded goods issue of a dispatch order, if it was issued.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn body_for_dispatch(tx: &mut Tx, dispatch_ref: &str) -> Result<Option<Vec<u8>>> {
    let body = sqlx::query_scalar("SELECT body FROM goods_issues WHERE dispatch_ref = $1")
        .bind(dispatch_ref)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(body)
}

/// The same, read outside any transaction (for reading, not for issuing).
#[tracing::instrument(level = "debug", skip(db))]
pub async fn read_body_for_dispatch(db: &Db, dispatch_ref: &str) -> Result<Option<Vec<u8>>> {
    let body = sqlx::query_scalar("SELECT body FROM goods_issues WHERE dispatch_ref = $1")
        .bind(dispatch_ref)
        .fetch_optional(db.pool())
        .await?;
    Ok(body)
}

/// A goods issue as stored.
pub struct StoredIssue<'a> {
    pub dispatch_ref: &'a str,
    pub number: &'a str,
    pub order_ref: &'a str,
    pub warehouse: Office,
    pub body: Vec<u8>,
    pub created_by: &'a str,
    pub created_at: i64,
}

#[tracing::instrument(level = "debug", skip_all, fields(number = issue.number, dispatch_ref = issue.dispatch_ref))]
pub async fn insert(tx: &mut Tx, issue: &StoredIssue<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO goods_issues (dispatch_ref, number, order_ref, warehouse, body, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(issue.dispatch_ref)
    .bind(issue.number)
    .bind(issue.order_ref)
    .bind(issue.warehouse.code())
    .bind(&issue.body)
    .bind(issue.created_by)
    .bind(issue.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
