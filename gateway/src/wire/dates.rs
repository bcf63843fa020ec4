//! Instants as RFC 3339 and local dates as `YYYY-MM-DD`.

use atq_platform::business_time::{date_from_proto, date_to_proto, from_micros, parse_local_date, timestamp_micros};
use atq_platform::validation::Violations;
use atq_proto::common::v1::LocalDate;
use chrono::{Days, Months, NaiveDate};

pub fn rfc3339(timestamp: Option<&prost_types::Timestamp>) -> String {
    timestamp
        .map(|ts| from_micros(timestamp_micros(ts)).to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_default()
}

/// A local date as `YYYY-MM-DD`; None when absent.
pub fn date_text(date: Option<&LocalDate>) -> Option<String> {
    date.and_then(|d| date_from_proto(d).ok()).map(|d| d.to_string())
}

/// A local date as `YYYY-MM-DD`; empty when absent.
pub fn day_text(date: Option<&LocalDate>) -> String {
    date_text(date).unwrap_or_default()
}

/// A local date's month as `YYYY-MM`; empty when absent.
pub fn month_text(date: Option<&LocalDate>) -> String {
    date.and_then(|d| date_from_proto(d).ok()).map(|d| d.format("%Y-%m").to_string()).unwrap_or_default()
}

/// An optional `YYYY-MM-DD` from a body or query: blank is absent, a bad one is named as `field`.
pub fn optional_date(v: &mut Violations, field: &str, text: Option<&str>) -> Option<LocalDate> {
    optional_day(v, field, text, parse_local_date)
}

/// A report's optional `from` or `to`: a month (from its first day, or to its last when `end`)
/// or a date; blank is absent, a bad one is named as `field`.
pub fn optional_month_or_date(v: &mut Violations, field: &str, text: Option<&str>, end: bool) -> Option<LocalDate> {
    optional_day(v, field, text, |text| parse_month_or_date(text, end))
}

fn optional_day(
    v: &mut Violations,
    field: &str,
    text: Option<&str>,
    parse: impl FnOnce(&str) -> Result<NaiveDate, String>,
) -> Option<LocalDate> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    v.check(field, parse(text)).map(date_to_proto)
}

/// A month `YYYY-MM` (its first day, or its last when `end`) or a date `YYYY-MM-DD`.
fn parse_month_or_date(text: &str, end: bool) -> Result<NaiveDate, String> {
    let text = text.trim();
    if text.len() > 7 {
        return parse_local_date(text).map_err(|_| "must be a month YYYY-MM or a date YYYY-MM-DD".to_owned());
    }
    let first = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| text.len() == 7)
        .ok_or_else(|| "must be a month YYYY-MM or a date YYYY-MM-DD".to_owned())?;
    if !end {
        return Ok(first);
    }
    first
        .checked_add_months(Months::new(1))
        .and_then(|next| next.checked_sub_days(Days::new(1)))
        .ok_or_else(|| "month out of range".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_dates_both_name_a_day() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(parse_month_or_date("2026-11", false), Ok(date(2026, 11, 1)));
        assert_eq!(parse_month_or_date("2026-11", true), Ok(date(2026, 11, 30)));
        assert_eq!(parse_month_or_date("2028-02", true), Ok(date(2028, 2, 29)));
        assert_eq!(parse_month_or_date("2026-11-15", true), Ok(date(2026, 11, 15)));
        for bad in ["2026-13", "2026-1", "2026", "11-2026", "2026-02-30", "x"] {
            assert!(parse_month_or_date(bad, false).is_err(), "{bad}");
        }
    }
}
