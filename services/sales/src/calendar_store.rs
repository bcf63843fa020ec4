//! Public holidays and calendar feeds (kept by the SHA-256 of their token only).

use atq_platform::business_time::{add_days, date_to_proto, now_micros, stored_date};
use atq_platform::caller::Role;
use atq_platform::error::Result;
use atq_platform::{Caller, Db, Office, Tx};
use atq_proto::sales::v1 as pb;
use sqlx::Row;

use crate::calendar::DateRange;

/// The holidays within the range, by date.
pub async fn holidays(db: &Db, range: DateRange) -> Result<Vec<pb::PublicHoliday>> {
    let from = range.from.map(|d| d.to_string()).unwrap_or_default();
    let to = range.to.map(|d| add_days(d, 1).to_string()).unwrap_or_else(|| "9999".into());
    let rows = sqlx::query(
        "SELECT holiday_on, name_vi, name_en FROM public_holidays WHERE holiday_on >= $1 AND holiday_on < $2 \
         ORDER BY holiday_on",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(pb::PublicHoliday {
                date: stored_date(&row.try_get::<String, _>("holiday_on")?, "public holiday")?.map(date_to_proto),
                name_vi: row.try_get("name_vi")?,
                name_en: row.try_get("name_en")?,
            })
        })
        .collect()
}

/// When the person's feed that is not revoked was made, if they have one.
pub async fn active_feed(tx: &mut Tx, username: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT created_at FROM calendar_feeds WHERE username = $1 AND revoked_at = 0")
        .bind(username)
        .fetch_optional(&mut **tx)
        .await?)
}

/// Keeps a new feed; returns when it was made.
pub async fn insert_feed(tx: &mut Tx, caller: &Caller, office: &str, token_sha256: &str) -> Result<i64> {
    let now = now_micros();
    sqlx::query(
        "INSERT INTO calendar_feeds (username, office, role, token_sha256, created_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, 0)",
    )
    .bind(&caller.username)
    .bind(office)
    .bind(caller.role.as_str())
    .bind(token_sha256)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(now)
}

/// Revokes the person's feed; whether there was one.
pub async fn revoke(tx: &mut Tx, username: &str) -> Result<bool> {
    let revoked = sqlx::query("UPDATE calendar_feeds SET revoked_at = $1 WHERE username = $2 AND revoked_at = 0")
        .bind(now_micros())
        .bind(username)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(revoked > 0)
}

/// Whose feed a token opens.
pub struct FeedOwner {
    pub username: String,
    pub office: Option<Office>,
    pub role: Option<Role>,
}

/// The feed with this token hash, unless revoked.
pub async fn feed_by_hash(db: &Db, token_sha256: &str) -> Result<Option<FeedOwner>> {
    let row =
        sqlx::query("SELECT username, office, role FROM calendar_feeds WHERE token_sha256 = $1 AND revoked_at = 0")
            .bind(token_sha256)
            .fetch_optional(db.pool())
            .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(FeedOwner {
        username: row.try_get("username")?,
        office: Office::parse(&row.try_get::<String, _>("office")?).ok(),
        role: Role::parse(&row.try_get::<String, _>("role")?),
    }))
}
