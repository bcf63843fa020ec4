//! Instants are stored as UTC microseconds; business days, weeks, months and quarters are local to
//! Asia/Ho_Chi_Minh.

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

pub use chrono_tz::Tz;
pub const BUSINESS_TZ: Tz = Ho_Chi_Minh;

/// Now, as stored: microseconds since the Unix epoch, UTC.
pub fn now_micros() -> i64 {
    Utc::now().timestamp_micros()
}

pub fn from_micros(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

pub fn to_timestamp(micros: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: micros.div_euclid(1_000_000),
        nanos: (micros.rem_euclid(1_000_000) * 1_000) as i32,
    }
}

pub fn timestamp_micros(ts: &prost_types::Timestamp) -> i64 {
    ts.seconds.saturating_mul(1_000_000).saturating_add(i64::from(ts.nanos / 1_000))
}

/// The local calendar date of an instant.
pub fn local_date(micros: i64) -> NaiveDate {
    from_micros(micros).with_timezone(&BUSINESS_TZ).date_naive()
}

/// Monday of the ISO week holding `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

/// The first instant (UTC micros) of a local date.
pub fn start_of_local_day(date: NaiveDate) -> i64 {
    BUSINESS_TZ
        .from_local_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|dt| dt.timestamp_micros())
        .unwrap_or_default()
}

/// The business dates the system accepts: a company's documents, carried-over debts included,
/// fall between these; a date outside them is a typing mistake (`0000-01-01`, `9999-12-31`).
pub const EARLIEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(1990, 1, 1).expect("a calendar date");
pub const LATEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(2100, 12, 31).expect("a calendar date");

/// The one parser of business dates: exactly `YYYY-MM-DD` (no sign, no missing zeros), a real
/// calendar date, within [`EARLIEST_DATE`]..=[`LATEST_DATE`].
pub fn parse_local_date(text: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    let date = shaped
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| "must be a date YYYY-MM-DD".to_owned())?;
    within_business_range(date)
}

/// `date` when it lies within [`EARLIEST_DATE`]..=[`LATEST_DATE`].
pub fn within_business_range(date: NaiveDate) -> Result<NaiveDate, String> {
    if (EARLIEST_DATE..=LATEST_DATE).contains(&date) {
        Ok(date)
    } else {
        Err(format!("must be a date from {EARLIEST_DATE} to {LATEST_DATE}"))
    }
}

pub fn date_to_proto(date: NaiveDate) -> atq_proto::common::v1::LocalDate {
    atq_proto::common::v1::LocalDate { year: date.year(), month: date.month() as i32, day: date.day() as i32 }
}

pub fn date_from_proto(date: &atq_proto::common::v1::LocalDate) -> Result<NaiveDate, String> {
    let month = u32::try_from(date.month).map_err(|_| "month out of range".to_owned())?;
    let day = u32::try_from(date.day).map_err(|_| "day out of range".to_owned())?;
    NaiveDate::from_ymd_opt(date.year, month, day).ok_or_else(|| "not a calendar date".to_owned())
}

/// `date` moved by `days` (either way), held at the calendar's ends instead of overflowing.
pub fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    chrono::TimeDelta::try_days(days).and_then(|delta| date.checked_add_signed(delta)).unwrap_or(if days < 0 {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    })
}

/// A date column as stored, 'YYYY-MM-DD' or '' for none. A bad one is an internal error that
/// names `what` held it ("supplier order", "plan"), since only our own writes put it there.
pub fn stored_date(text: &str, what: &str) -> crate::error::Result<Option<NaiveDate>> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| crate::error::Error::internal(anyhow::anyhow!("stored {what} has bad date {text:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_dates_are_exactly_yyyy_mm_dd_within_the_range() {
        assert_eq!(parse_local_date(" 2026-01-31 "), Ok(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap()));
        for bad in ["0000-01-01", "9999-12-31", "+002026-01-01", "2026-1-1", "2026-02-30", "26-01-01", "1989-12-31"] {
            assert!(parse_local_date(bad).is_err(), "{bad}");
        }
        assert!(parse_local_date("1990-01-01").is_ok() && parse_local_date("2100-12-31").is_ok());
    }

    #[test]
    fn late_evening_utc_is_the_next_local_day() {
        // 2026-03-01 18:30 UTC is 2026-03-02 01:30 in Hồ Chí Minh City.
        let micros = Utc.with_ymd_and_hms(2026, 3, 1, 18, 30, 0).unwrap().timestamp_micros();
        assert_eq!(local_date(micros), NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
    }

    #[test]
    fn weeks_start_on_monday() {
        let sunday = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert_eq!(week_start(sunday), NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(
            week_start(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
    }

    #[test]
    fn a_local_day_starts_at_17_utc_the_day_before() {
        let start = start_of_local_day(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!(from_micros(start), Utc.with_ymd_and_hms(2025, 12, 31, 17, 0, 0).unwrap());
    }

    #[test]
    fn timestamps_round_trip_including_before_the_epoch() {
        for micros in [0, 1, 1_234_567, -1, -1_500_001] {
            assert_eq!(timestamp_micros(&to_timestamp(micros)), micros);
        }
    }
}
