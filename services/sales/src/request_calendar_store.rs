//! What SLA clocks count on: the public holidays (the table the calendars show), the Saturday
//! setting and the targets per kind and priority.

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
