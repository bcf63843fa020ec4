//! Report periods: local (Asia/Ho_Chi_Minh) months, quarters and years, named as the REST API
//! writes them (`2026-11`, `2026-Q4`, `2026`), each with its dates, the period before it and the
//! same period a year earlier. Pure: the callers turn the messages into field errors.

use std::fmt;

use chrono::{Datelike, Months, NaiveDate};

/// The most periods one report may list: three years of months.
pub const MAX_PERIODS: usize = 36;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unit {
    Month,
    Quarter,
    Year,
}

impl Unit {
    pub fn parse(text: &str) -> Result<Unit, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "month" => Ok(Unit::Month),
            "quarter" => Ok(Unit::Quarter),
            "year" => Ok(Unit::Year),
            _ => Err("must be month, quarter or year".to_owned()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Month => "month",
            Unit::Quarter => "quarter",
            Unit::Year => "year",
        }
    }

    /// Months in one period of this unit.
    fn months(self) -> u32 {
        match self {
            Unit::Month => 1,
            Unit::Quarter => 3,
            Unit::Year => 12,
        }
    }

    fn example(self) -> &'static str {
        match self {
            Unit::Month => "YYYY-MM, e.g. 2026-11",
            Unit::Quarter => "YYYY-Qn, e.g. 2026-Q4",
            Unit::Year => "YYYY, e.g. 2026",
        }
    }
}

/// One period, held as its first local day (the first of a month, quarter or year).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub unit: Unit,
    pub first_day: NaiveDate,
}

/// Years the system accepts in a period name.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

impl Period {
    /// The period of this unit that holds a local date.
    pub fn containing(unit: Unit, date: NaiveDate) -> Period {
        let month0 = date.month0() - date.month0() % unit.months();
        // Month 1..=12 and day 1 always exist.
        let first_day = NaiveDate::from_ymd_opt(date.year(), month0 + 1, 1).unwrap_or(date);
        Period { unit, first_day }
    }

    /// Reads `2026-11`, `2026-Q4` or `2026` as the unit says.
    pub fn parse(unit: Unit, text: &str) -> Result<Period, String> {
        let text = text.trim();
        let wrong = || format!("must be {}", unit.example());
        let year = |digits: &str| -> Result<i32, String> {
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(wrong());
            }
            let year: i32 = digits.parse().map_err(|_| wrong())?;
            if YEARS.contains(&year) { Ok(year) } else { Err("the year must be between 2000 and 2100".to_owned()) }
        };
        let (year, month) = match unit {
            Unit::Year => (year(text)?, 1),
            Unit::Quarter => {
                let (y, q) = text.split_once(['-']).ok_or_else(wrong)?;
                let quarter = match q.to_ascii_uppercase().as_str() {
                    "Q1" => 1,
                    "Q2" => 2,
                    "Q3" => 3,
                    "Q4" => 4,
                    _ => return Err(wrong()),
                };
                (year(y)?, quarter * 3 - 2)
            }
            Unit::Month => {
                let (y, m) = text.split_once('-').ok_or_else(wrong)?;
                let month: u32 = if m.len() == 2 { m.parse().map_err(|_| wrong())? } else { 0 };
                if !(1..=12).contains(&month) {
                    return Err(wrong());
                }
                (year(y)?, month)
            }
        };
        let first_day = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(wrong)?;
        Ok(Period { unit, first_day })
    }

    /// The last local day of the period.
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day.pred_opt().unwrap_or(self.first_day)
    }

    pub fn next(self) -> Period {
        let first_day = self.first_day.checked_add_months(Months::new(self.unit.months())).unwrap_or(self.first_day);
        Period { unit: self.unit, first_day }
    }

    /// The period just before this one.
    pub fn previous(self) -> Period {
        let first_day = self.first_day.checked_sub_months(Months::new(self.unit.months())).unwrap_or(self.first_day);
        Period { unit: self.unit, first_day }
    }

    /// The same period one year earlier (for a year, the year before).
    pub fn year_ago(self) -> Period {
        let first_day = self.first_day.checked_sub_months(Months::new(12)).unwrap_or(self.first_day);
        Period { unit: self.unit, first_day }
    }

    pub fn holds(self, date: NaiveDate) -> bool {
        self.first_day <= date && date <= self.last_day()
    }
}

impl fmt::Display for Period {
    /// The name the REST API reads back: `2026-11`, `2026-Q4`, `2026`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let year = self.first_day.year();
        match self.unit {
            Unit::Month => write!(f, "{year}-{:02}", self.first_day.month()),
            Unit::Quarter => write!(f, "{year}-Q{}", self.first_day.month0() / 3 + 1),
            Unit::Year => write!(f, "{year}"),
        }
    }
}

/// A field problem: the field named as the request names it, and what is wrong.
pub type Problem = (&'static str, String);

/// The periods from `from` to `to` (inclusive), in order. Missing ends default to the period of
/// `today`: `to` to today's, `from` to `to`.
pub fn span(unit: Unit, from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<Vec<Period>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut read = |field: &'static str, text: Option<&str>| match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(text) => match Period::parse(unit, text) {
            Ok(period) => Some(Some(period)),
            Err(message) => {
                problems.push((field, message));
                Some(None)
            }
        },
    };
    let to = read("to", to);
    let from = read("from", from);
    if !problems.is_empty() {
        return Err(problems);
    }
    let to = to.flatten().unwrap_or_else(|| Period::containing(unit, today));
    let from = from.flatten().unwrap_or(to);
    if from > to {
        return Err(vec![("from", "must not be after to".to_owned())]);
    }
    let mut periods = vec![from];
    while let Some(&last) = periods.last()
        && last < to
    {
        if periods.len() == MAX_PERIODS {
            return Err(vec![("from", format!("a report may list at most {MAX_PERIODS} periods"))]);
        }
        periods.push(last.next());
    }
    Ok(periods)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn periods_read_and_write_their_names() {
        for (unit, text) in [(Unit::Month, "2026-11"), (Unit::Quarter, "2026-Q4"), (Unit::Year, "2026")] {
            assert_eq!(Period::parse(unit, text).unwrap().to_string(), text);
        }
        assert_eq!(Period::parse(Unit::Quarter, "2026-q1").unwrap().first_day, date(2026, 1, 1));
        for (unit, text) in [
            (Unit::Quarter, "2026-Q5"),
            (Unit::Quarter, "2026-Q0"),
            (Unit::Month, "2026-13"),
            (Unit::Month, "2026-1"),
            (Unit::Month, "2026-11-01"),
            (Unit::Year, "26"),
            (Unit::Year, "1999"),
            (Unit::Month, "abcd-01"),
        ] {
            assert!(Period::parse(unit, text).is_err(), "{text}");
        }
    }

    #[test]
    fn a_quarter_knows_its_days_its_predecessor_and_last_year() {
        let q1 = Period::parse(Unit::Quarter, "2026-Q1").unwrap();
        assert_eq!((q1.first_day, q1.last_day()), (date(2026, 1, 1), date(2026, 3, 31)));
        assert_eq!(q1.previous().to_string(), "2025-Q4", "across the year boundary");
        assert_eq!(q1.year_ago().to_string(), "2025-Q1");
        assert!(q1.holds(date(2026, 3, 31)) && !q1.holds(date(2026, 4, 1)) && !q1.holds(date(2025, 12, 31)));
        let feb = Period::parse(Unit::Month, "2028-02").unwrap();
        assert_eq!(feb.last_day(), date(2028, 2, 29));
        assert_eq!(feb.previous().to_string(), "2028-01");
        let year = Period::parse(Unit::Year, "2026").unwrap();
        assert_eq!((year.last_day(), year.previous().to_string()), (date(2026, 12, 31), "2025".to_owned()));
        assert_eq!(Period::containing(Unit::Quarter, date(2026, 11, 30)).to_string(), "2026-Q4");
    }

    #[test]
    fn a_span_lists_each_period_and_checks_its_ends() {
        let today = date(2026, 12, 1);
        let quarters = span(Unit::Quarter, Some("2025-Q4"), Some("2026-Q1"), today).unwrap();
        assert_eq!(quarters.iter().map(Period::to_string).collect::<Vec<_>>(), ["2025-Q4", "2026-Q1"]);
        assert_eq!(span(Unit::Month, None, None, today).unwrap()[0].to_string(), "2026-12");
        assert_eq!(span(Unit::Year, None, Some("2024"), today).unwrap().len(), 1);
        let problems =
            |r: Result<Vec<Period>, Vec<Problem>>| r.unwrap_err().into_iter().map(|p| p.0).collect::<Vec<_>>();
        assert_eq!(problems(span(Unit::Quarter, Some("2026-Q5"), Some("2026-Q9"), today)), ["to", "from"]);
        assert_eq!(problems(span(Unit::Month, Some("2026-12"), Some("2026-01"), today)), ["from"]);
        assert_eq!(problems(span(Unit::Month, Some("2020-01"), Some("2026-01"), today)), ["from"]);
        assert_eq!(span(Unit::Month, Some("2024-01"), Some("2026-12"), today).unwrap().len(), MAX_PERIODS);
        assert_eq!(Unit::parse("Quarter"), Ok(Unit::Quarter));
        assert!(Unit::parse("week").is_err());
    }
}
