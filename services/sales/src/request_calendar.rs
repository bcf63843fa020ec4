//! The public holidays SLA clocks skip, edited a year at a time (Tết and Giỗ Tổ follow the lunar
//! calendar, so each year's dates are entered when the government announces them). A new list
//! moves the due times of every request not closed in the same transaction.

use atq_platform::business_time::{date_from_proto, date_to_proto, now_micros};
use atq_platform::validation::{Violations, optional_text, required_text};
use atq_platform::{Db, Error};
use atq_proto::sales::v1 as pb;
use chrono::{Datelike, NaiveDate};
use sqlx::AnyConnection;

use crate::request_calendar_store;
use crate::request_events;
use crate::request_flow;
use crate::request_sla;
use crate::request_store;

/// More days off than this in one year is a mistake in the list.
pub const MAX_HOLIDAYS: usize = 60;
const MAX_NAME: usize = 200;

pub fn check_year(year: i32) -> Result<i32, Error> {
    if (1990..=2100).contains(&year) { Ok(year) } else { Err(Error::invalid("year", "must be from 1990 to 2100")) }
}

pub async fn year_of(conn: &mut AnyConnection, year: i32) -> Result<pb::HolidayYear, Error> {
    let holidays = request_calendar_store::holidays_of(conn, year)
        .await?
        .into_iter()
        .map(|(date, name_vi, name_en)| pb::PublicHoliday { date: Some(date_to_proto(date)), name_vi, name_en })
        .collect();
    Ok(pb::HolidayYear { year, holidays, saturday_morning: request_calendar_store::saturday_morning(conn).await? })
}

/// The list as it will be kept: each date once, within the year, with a Vietnamese name (the
/// English one defaults to it).
fn checked(year: i32, holidays: &[pb::PublicHoliday]) -> Result<(Vec<pb::PublicHoliday>, Vec<NaiveDate>), Error> {
    let mut v = Violations::new();
    if holidays.len() > MAX_HOLIDAYS {
        v.add("holidays", format!("must be at most {MAX_HOLIDAYS} days"));
    }
    let (mut kept, mut dates) = (Vec::new(), Vec::<NaiveDate>::new());
    for (i, holiday) in holidays.iter().enumerate() {
        let field = |name: &str| format!("holidays[{i}].{name}");
        let date = match holiday.date.as_ref().map(date_from_proto) {
            None => v.check(&field("date"), Err("is required".into())),
            Some(Ok(date)) if date.year() != year => v.check(&field("date"), Err(format!("must be in {year}"))),
            Some(Ok(date)) if dates.contains(&date) => v.check(&field("date"), Err("is listed twice".into())),
            Some(parsed) => v.check(&field("date"), parsed),
        };
        let name_vi = v.check(&field("name_vi"), required_text(&holiday.name_vi, MAX_NAME));
        let name_en = v.check(&field("name_en"), optional_text(&holiday.name_en, MAX_NAME));
        if let (Some(date), Some(name_vi), Some(name_en)) = (date, name_vi, name_en) {
            let name_en = if name_en.is_empty() { name_vi.clone() } else { name_en };
            dates.push(date);
            kept.push(pb::PublicHoliday { date: Some(date_to_proto(date)), name_vi, name_en });
        }
    }
    v.finish()?;
    Ok((kept, dates))
}

/// Replaces the year's holidays and moves the due times of the requests not closed; each moved
/// request is announced, so the reports count its clocks against the new due times.
pub async fn replace(db: &Db, by: &str, input: &pb::ReplaceHolidaysRequest) -> Result<pb::HolidayYear, Error> {
    let year = check_year(input.year)?;
    let (holidays, dates) = checked(year, &input.holidays)?;
    let mut tx = db.begin().await?;
    request_calendar_store::replace_year(&mut tx, year, &holidays, &dates).await?;
    let context = request_calendar_store::context(&mut tx).await?;
    let open = request_store::open_requests(&mut tx).await?;
    let ids: Vec<i64> = open.iter().map(|row| row.id).collect();
    let marks = request_store::status_marks(&mut tx, &ids).await?;
    let at = now_micros();
    // The rows and marks in hand are all a request's view needs (its stored due times are not
    // part of it), so each is shown from them rather than read again.
    for row in &open {
        let marks = marks.get(&row.id).map_or(&[][..], Vec::as_slice);
        let dues = request_sla::dues(&context, row.received_at, row.targets, marks);
        request_store::set_dues(&mut tx, row.id, dues).await?;
        let shown = request_flow::shown(&context, row, marks, at);
        let change = request_events::Change { field: "due_times", from_value: "", to_value: "", by, at };
        request_events::changed(&mut tx, db.backend(), &shown, change).await?;
    }
    let replaced = year_of(&mut tx, year).await?;
    tx.commit().await?;
    tracing::info!(year, days = replaced.holidays.len(), moved = open.len(), "public holidays replaced");
    Ok(replaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(year: i32, month: i32, day: i32, name: &str) -> pb::PublicHoliday {
        pb::PublicHoliday {
            date: Some(atq_proto::common::v1::LocalDate { year, month, day }),
            name_vi: name.into(),
            name_en: String::new(),
        }
    }

    #[test]
    fn a_year_list_keeps_each_date_once_within_the_year() {
        let (kept, dates) = checked(2028, &[day(2028, 1, 26, "Tết Nguyên đán")]).unwrap();
        assert_eq!(kept[0].name_en, "Tết Nguyên đán", "the English name defaults to the Vietnamese one");
        assert_eq!(dates, [NaiveDate::from_ymd_opt(2028, 1, 26).unwrap()]);
        let Error::Invalid(fields) = checked(
            2028,
            &[day(2028, 1, 26, "Tết"), day(2028, 1, 26, "Tết"), day(2027, 12, 31, ""), day(2028, 2, 30, "x")],
        )
        .unwrap_err() else {
            panic!()
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["holidays[1].date", "holidays[2].date", "holidays[2].name_vi", "holidays[3].date"]);
        assert!(check_year(1989).is_err() && check_year(2026).is_ok());
    }
}
