//! What SLA clocks count on: the public holidays (the table the calendars show), the Saturday
//! setting and the targets per kind and priority, edited one row at a time with each change kept.

use std::collections::HashMap;

use atq_platform::Tx;
use atq_platform::business_time::stored_date;
use atq_platform::error::Result;
use atq_proto::sales::v1 as pb;
use chrono::NaiveDate;
use sqlx::{AnyConnection, Row};

use crate::request_sla::{SlaContext, Targets};
use crate::sla::WorkingCalendar;

/// Every holiday, the Saturday setting and the targets.
pub async fn context(conn: &mut AnyConnection) -> Result<SlaContext> {
    let mut holidays = Vec::new();
    for text in sqlx::query_scalar::<_, String>("SELECT holiday_on FROM public_holidays").fetch_all(&mut *conn).await? {
        holidays.extend(stored_date(&text, "public holiday")?);
    }
    let saturday_morning = saturday_morning(conn).await?;
    let mut targets = HashMap::new();
    let rows = sqlx::query("SELECT kind, priority, first_response_minutes, resolution_minutes FROM sla_targets")
        .fetch_all(&mut *conn)
        .await?;
    for row in rows {
        let key = (row.try_get::<String, _>("kind")?, row.try_get::<String, _>("priority")?);
        let value = Targets {
            first_response: row.try_get("first_response_minutes")?,
            resolution: row.try_get("resolution_minutes")?,
        };
        targets.insert(key, value);
    }
    Ok(SlaContext { calendar: WorkingCalendar::new(holidays, saturday_morning), targets })
}

pub async fn saturday_morning(conn: &mut AnyConnection) -> Result<bool> {
    let value: Option<String> =
        sqlx::query_scalar("SELECT setting_value FROM sla_settings WHERE name = 'saturday_morning'")
            .fetch_optional(&mut *conn)
            .await?;
    Ok(value.as_deref() == Some("true"))
}

/// The holidays of a year, by date.
pub async fn holidays_of(conn: &mut AnyConnection, year: i32) -> Result<Vec<(NaiveDate, String, String)>> {
    let rows = sqlx::query(
        "SELECT holiday_on, name_vi, name_en FROM public_holidays WHERE holiday_on >= $1 AND holiday_on < $2 \
         ORDER BY holiday_on",
    )
    .bind(format!("{year:04}-01-01"))
    .bind(format!("{:04}-01-01", year + 1))
    .fetch_all(&mut *conn)
    .await?;
    let mut holidays = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(date) = stored_date(&row.try_get::<String, _>("holiday_on")?, "public holiday")? {
            holidays.push((date, row.try_get("name_vi")?, row.try_get("name_en")?));
        }
    }
    Ok(holidays)
}

/// Replaces the year's holidays with `holidays` (all dates within the year).
pub async fn replace_year(tx: &mut Tx, year: i32, holidays: &[pb::PublicHoliday], dates: &[NaiveDate]) -> Result<()> {
    sqlx::query("DELETE FROM public_holidays WHERE holiday_on >= $1 AND holiday_on < $2")
        .bind(format!("{year:04}-01-01"))
        .bind(format!("{:04}-01-01", year + 1))
        .execute(&mut **tx)
        .await?;
    for (holiday, date) in holidays.iter().zip(dates) {
        sqlx::query("INSERT INTO public_holidays (holiday_on, name_vi, name_en) VALUES ($1, $2, $3)")
            .bind(date.to_string())
            .bind(&holiday.name_vi)
            .bind(&holiday.name_en)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

const TARGET: &str = "kind, priority, first_response_minutes, resolution_minutes, version, updated_by, updated_at";

fn target_from_row(row: &sqlx::any::AnyRow) -> Result<pb::SlaTarget> {
    let updated_at: i64 = row.try_get("updated_at")?;
    Ok(pb::SlaTarget {
        kind: row.try_get("kind")?,
        priority: row.try_get("priority")?,
        first_response_minutes: row.try_get("first_response_minutes")?,
        resolution_minutes: row.try_get("resolution_minutes")?,
        version: row.try_get("version")?,
        updated_by: row.try_get("updated_by")?,
        updated_at: (updated_at != 0).then(|| atq_platform::business_time::to_timestamp(updated_at)),
    })
}

/// Every row of SLA targets.
pub async fn sla_targets(conn: &mut AnyConnection) -> Result<Vec<pb::SlaTarget>> {
    let rows = sqlx::query(&format!("SELECT {TARGET} FROM sla_targets")).fetch_all(&mut *conn).await?;
    rows.iter().map(target_from_row).collect()
}

pub async fn sla_target(conn: &mut AnyConnection, kind: &str, priority: &str) -> Result<Option<pb::SlaTarget>> {
    let row = sqlx::query(&format!("SELECT {TARGET} FROM sla_targets WHERE kind = $1 AND priority = $2"))
        .bind(kind)
        .bind(priority)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(target_from_row).transpose()
}

/// New targets for the row and what they were, by whom and when.
pub struct TargetChange<'a> {
    pub before: &'a pb::SlaTarget,
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
    pub by: &'a str,
    pub at: i64,
}

/// Writes the new targets if nobody changed the row since it was read, and keeps the change.
pub async fn set_sla_target(tx: &mut Tx, change: &TargetChange<'_>) -> Result<()> {
    let before = change.before;
    let affected = sqlx::query(
        "UPDATE sla_targets SET first_response_minutes = $1, resolution_minutes = $2, version = version + 1, \
         updated_by = $3, updated_at = $4 WHERE kind = $5 AND priority = $6 AND version = $7",
    )
    .bind(change.first_response_minutes)
    .bind(change.resolution_minutes)
    .bind(change.by)
    .bind(change.at)
    .bind(&before.kind)
    .bind(&before.priority)
    .bind(before.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if affected != 1 {
        let actual = sla_target(tx, &before.kind, &before.priority).await?.map(|t| t.version).unwrap_or(0);
        return Err(atq_platform::Error::StaleVersion { expected: before.version, actual });
    }
    sqlx::query(
        "INSERT INTO sla_target_changes (kind, priority, first_response_from, first_response_to, resolution_from, \
         resolution_to, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&before.kind)
    .bind(&before.priority)
    .bind(before.first_response_minutes)
    .bind(change.first_response_minutes)
    .bind(before.resolution_minutes)
    .bind(change.resolution_minutes)
    .bind(change.by)
    .bind(change.at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
