//! Working-time arithmetic for SLA clocks: Monday to Friday 08:00-12:00 and 13:00-17:30 in
//! Asia/Ho_Chi_Minh, Saturday 08:00-12:00 when the company works it, never on a public holiday,
//! and never while the clock is paused (the request waits for the customer). Pure: the caller
//! brings the holidays, the setting and the pauses; instants are UTC microseconds.

use std::collections::BTreeSet;

use atq_platform::business_time::{local_date, start_of_local_day};
use chrono::{Datelike, NaiveDate, Weekday};

pub const MICROS_PER_MINUTE: i64 = 60_000_000;
/// How far ahead a clock looks for working time: ten years of calendar days, so a calendar that
/// (wrongly) holds no working day at all still gives an answer.
const MAX_DAYS: u32 = 3660;

/// A stretch of time `[from, to)`; `to` is `i64::MAX` for a pause that has not ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub from: i64,
    pub to: i64,
}

impl Span {
    pub fn new(from: i64, to: i64) -> Span {
        Span { from, to }
    }

    fn length(self) -> i64 {
        self.to.saturating_sub(self.from)
    }
}

/// The days and hours an SLA clock counts.
#[derive(Clone, Debug, Default)]
pub struct WorkingCalendar {
    holidays: BTreeSet<NaiveDate>,
    saturday_morning: bool,
}

/// Minutes after local midnight: (start, end) of each working window of a weekday.
const WEEKDAY_WINDOWS: [(i64, i64); 2] = [(8 * 60, 12 * 60), (13 * 60, 17 * 60 + 30)];
const SATURDAY_WINDOWS: [(i64, i64); 1] = [(8 * 60, 12 * 60)];

impl WorkingCalendar {
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>, saturday_morning: bool) -> WorkingCalendar {
        WorkingCalendar { holidays: holidays.into_iter().collect(), saturday_morning }
    }

    /// The working windows of a local date as UTC instants, in order. Việt Nam keeps no daylight
    /// saving time, so a local hour is a fixed offset from the day's first instant.
    fn windows(&self, date: NaiveDate) -> Vec<Span> {
        if self.holidays.contains(&date) {
            return Vec::new();
        }
        let hours: &[(i64, i64)] = match date.weekday() {
            Weekday::Sun => &[],
            Weekday::Sat if self.saturday_morning => &SATURDAY_WINDOWS,
            Weekday::Sat => &[],
            _ => &WEEKDAY_WINDOWS,
        };
        let midnight = start_of_local_day(date);
        hours
            .iter()
            .map(|(from, to)| Span::new(midnight + from * MICROS_PER_MINUTE, midnight + to * MICROS_PER_MINUTE))
            .collect()
    }

    /// Working time (microseconds) in `[from, to)` that no pause covers.
    pub fn working_between(&self, from: i64, to: i64, pauses: &[Span]) -> i64 {
        if to <= from {
            return 0;
        }
        let (mut date, last) = (local_date(from), local_date(to - 1));
        let mut total = 0i64;
        while date <= last {
            for window in self.windows(date) {
                let clipped = Span::new(window.from.max(from), window.to.min(to));
                if clipped.from < clipped.to {
                    total = total.saturating_add(uncovered(clipped, pauses).into_iter().map(Span::length).sum());
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        total
    }

    /// The instant at which `amount` microseconds of working time outside the pauses have passed
    /// since `start`; `None` when that is not within ten years (a pause that never ends).
    pub fn add_working(&self, start: i64, amount: i64, pauses: &[Span]) -> Option<i64> {
        let mut left = amount.max(0);
        let mut date = local_date(start);
        for _ in 0..MAX_DAYS {
            for window in self.windows(date) {
                let window = Span::new(window.from.max(start), window.to);
                if window.from >= window.to {
                    continue;
                }
                for piece in uncovered(window, pauses) {
                    if piece.length() >= left {
                        return Some(piece.from + left);
                    }
                    left -= piece.length();
                }
            }
            date = date.succ_opt()?;
        }
        None
    }
}

/// The parts of `window` that no pause covers, in time order.
fn uncovered(window: Span, pauses: &[Span]) -> Vec<Span> {
    let mut pieces = vec![window];
    for pause in pauses {
        pieces = pieces
            .into_iter()
            .flat_map(|piece| {
                if pause.to <= piece.from || pause.from >= piece.to {
                    return vec![piece];
                }
                let before = Span::new(piece.from, pause.from);
                let after = Span::new(pause.to, piece.to);
                [before, after].into_iter().filter(|part| part.from < part.to).collect()
            })
            .collect();
    }
    pieces.sort_by_key(|piece| piece.from);
    pieces
}

/// Where one SLA clock (first response or resolution) stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockView {
    /// When the target falls due; `None` while the clock is paused (the due time is not known
    /// until the customer answers).
    pub due_at: Option<i64>,
    /// Working minutes left (negative: overdue by that much), counted up to when the clock
    /// stopped, else up to now.
    pub minutes_left: i64,
    pub breached: bool,
}

/// A clock that started at `start` with `target` working minutes, paused over `pauses` (ended
/// ones), stopped at `stopped_at` if it has stopped, seen at `now`. `paused` says the stop is a
/// pause that will end, so no due time can be given yet.
pub fn clock_view(
    calendar: &WorkingCalendar,
    start: i64,
    target_minutes: i64,
    pauses: &[Span],
    stopped_at: Option<i64>,
    paused: bool,
    now: i64,
) -> ClockView {
    let target = target_minutes.saturating_mul(MICROS_PER_MINUTE);
    let end = stopped_at.unwrap_or(now).max(start);
    let elapsed = calendar.working_between(start, end, pauses);
    let due_at = if paused { None } else { calendar.add_working(start, target, pauses) };
    ClockView { due_at, minutes_left: (target - elapsed).div_euclid(MICROS_PER_MINUTE), breached: elapsed > target }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    /// A local time in Hà Nội (UTC+7) as UTC micros.
    fn at(y: i32, m: u32, d: u32, hour: u32, minute: u32) -> i64 {
        Utc.with_ymd_and_hms(y, m, d, hour, minute, 0).unwrap().timestamp_micros() - 7 * 3600 * 1_000_000
    }

    fn minutes(n: i64) -> i64 {
        n * MICROS_PER_MINUTE
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// 2026: Sunday 26 April is Giỗ Tổ and Monday 27 the day in lieu; 30 April and 1 May too.
    fn april_2026() -> WorkingCalendar {
        WorkingCalendar::new([date(2026, 4, 26), date(2026, 4, 27), date(2026, 4, 30), date(2026, 5, 1)], false)
    }

    #[test]
    fn a_working_day_is_eight_and_a_half_hours_with_a_lunch_break() {
        let calendar = WorkingCalendar::default();
        // Tuesday 2026-12-01.
        assert_eq!(calendar.working_between(at(2026, 12, 1, 0, 0), at(2026, 12, 2, 0, 0), &[]), minutes(510));
        assert_eq!(calendar.working_between(at(2026, 12, 1, 11, 30), at(2026, 12, 1, 13, 30), &[]), minutes(60));
        assert_eq!(calendar.add_working(at(2026, 12, 1, 11, 0), minutes(90), &[]), Some(at(2026, 12, 1, 13, 30)));
        // Asked at lunch: the clock starts at 13:00.
        assert_eq!(calendar.add_working(at(2026, 12, 1, 12, 15), minutes(30), &[]), Some(at(2026, 12, 1, 13, 30)));
        // Asked in the evening: the clock starts the next morning.
        assert_eq!(calendar.add_working(at(2026, 12, 1, 20, 0), minutes(60), &[]), Some(at(2026, 12, 2, 9, 0)));
    }

    #[test]
    fn a_weekend_is_skipped_and_saturday_morning_counts_when_worked() {
        // Friday 2026-12-04 17:00, two hours: 30 minutes on Friday, the rest on Monday.
        let friday = at(2026, 12, 4, 17, 0);
        assert_eq!(WorkingCalendar::default().add_working(friday, minutes(120), &[]), Some(at(2026, 12, 7, 9, 30)));
        let saturdays = WorkingCalendar::new([], true);
        assert_eq!(saturdays.add_working(friday, minutes(120), &[]), Some(at(2026, 12, 5, 9, 30)));
        // Saturday afternoon is never worked: past Saturday noon the clock goes on on Monday.
        assert_eq!(saturdays.add_working(friday, minutes(270), &[]), Some(at(2026, 12, 5, 12, 0)));
        assert_eq!(saturdays.add_working(friday, minutes(300), &[]), Some(at(2026, 12, 7, 8, 30)));
        assert_eq!(saturdays.working_between(friday, at(2026, 12, 7, 0, 0), &[]), minutes(30 + 240));
    }

    #[test]
    fn public_holidays_are_skipped_with_the_weekend() {
        // Friday 24 April 16:00, two hours: 90 minutes on Friday; Saturday, Sunday and the Monday in
        // lieu are off; 30 minutes on Tuesday.
        let calendar = april_2026();
        assert_eq!(calendar.add_working(at(2026, 4, 24, 16, 0), minutes(120), &[]), Some(at(2026, 4, 28, 8, 30)));
        // Four working days: Tuesday, Wednesday, then 30 April and 1 May off, Monday, Tuesday.
        assert_eq!(calendar.add_working(at(2026, 4, 24, 16, 0), minutes(2040), &[]), Some(at(2026, 5, 5, 16, 0)));
        assert_eq!(calendar.working_between(at(2026, 4, 29, 17, 0), at(2026, 5, 4, 8, 30), &[]), minutes(60));
    }

    #[test]
    fn a_pause_moves_the_due_time_by_the_working_time_it_covers() {
        let calendar = april_2026();
        // Waiting for the customer from Wednesday 10:00 to Monday 10:00: 390 + 120 working minutes.
        let pause = Span::new(at(2026, 4, 29, 10, 0), at(2026, 5, 4, 10, 0));
        assert_eq!(calendar.working_between(pause.from, pause.to, &[]), minutes(510));
        let start = at(2026, 4, 24, 16, 0);
        assert_eq!(calendar.add_working(start, minutes(2040), &[pause]), Some(at(2026, 5, 6, 16, 0)));
        assert_eq!(calendar.working_between(start, at(2026, 5, 6, 16, 0), &[pause]), minutes(2040));
        // A pause that has not ended never lets the clock reach its target.
        let open = Span::new(at(2026, 4, 29, 10, 0), i64::MAX);
        assert_eq!(calendar.add_working(start, minutes(2040), &[open]), None);
        // Overlapping pauses count once.
        let inner = Span::new(at(2026, 4, 29, 11, 0), at(2026, 4, 29, 14, 0));
        assert_eq!(calendar.add_working(start, minutes(2040), &[pause, inner]), Some(at(2026, 5, 6, 16, 0)));
    }

    #[test]
    fn a_clock_shows_time_left_overdue_and_breach() {
        let calendar = april_2026();
        let start = at(2026, 4, 24, 16, 0);
        let running = clock_view(&calendar, start, 120, &[], None, false, at(2026, 4, 28, 8, 0));
        assert_eq!(running, ClockView { due_at: Some(at(2026, 4, 28, 8, 30)), minutes_left: 30, breached: false });
        let late = clock_view(&calendar, start, 120, &[], None, false, at(2026, 4, 28, 9, 0));
        assert_eq!((late.minutes_left, late.breached), (-30, true));
        // Answered at 08:15: the clock stopped, however late it is now.
        let answered =
            clock_view(&calendar, start, 120, &[], Some(at(2026, 4, 28, 8, 15)), false, at(2026, 6, 1, 0, 0));
        assert_eq!((answered.minutes_left, answered.breached), (15, false));
        // Waiting for the customer: no due time, the time left frozen at the pause.
        let waiting = clock_view(&calendar, start, 120, &[], Some(at(2026, 4, 28, 8, 20)), true, at(2026, 6, 1, 0, 0));
        assert_eq!(waiting, ClockView { due_at: None, minutes_left: 10, breached: false });
    }

    #[test]
    fn nothing_to_count_is_zero_and_a_zero_target_is_due_at_once() {
        let calendar = WorkingCalendar::default();
        let noon = at(2026, 12, 1, 9, 0);
        assert_eq!(calendar.working_between(noon, noon, &[]), 0);
        assert_eq!(calendar.working_between(noon, noon - 1, &[]), 0);
        assert_eq!(calendar.add_working(noon, 0, &[]), Some(noon));
    }
}
