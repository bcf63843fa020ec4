//! Calendars over activities: a salesperson's day plan, the personal, team and department views
//! of a date range with the public holidays, and the private feeds a phone subscribes to.

use atq_platform::business_time::{
    add_days, date_from_proto, date_to_proto, local_date, now_micros, start_of_local_day,
};
use atq_platform::caller::Role;
use atq_platform::idempotency::hex_sha256;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error};
use atq_proto::common::v1::LocalDate;
use atq_proto::sales::v1 as pb;
use chrono::NaiveDate;

use crate::activity::ActivityStatus;
use crate::activity_store::{self, ActivityFilter};
use crate::calendar_store;

/// The longest range one calendar request covers.
pub const MAX_RANGE_DAYS: i64 = 62;
/// The window a subscribed feed shows around today.
pub const FEED_DAYS_BACK: i64 = 60;
pub const FEED_DAYS_AHEAD: i64 = 180;

/// Local dates, both included; either end may be open for a list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl DateRange {
    pub fn parse_open(v: &mut Violations, from: Option<&LocalDate>, to: Option<&LocalDate>) -> DateRange {
        let from = from.and_then(|d| v.check("from", date_from_proto(d)));
        let to = to.and_then(|d| v.check("to", date_from_proto(d)));
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            v.add("to", "must not be before from");
        }
        DateRange { from, to }
    }

    /// A closed range of at most [`MAX_RANGE_DAYS`] days.
    pub fn parse_bounded(v: &mut Violations, from: Option<&LocalDate>, to: Option<&LocalDate>) -> Option<DateRange> {
        let range = DateRange::parse_open(v, from, to);
        match (range.from, range.to) {
            (Some(from), Some(to)) if (to - from).num_days() >= MAX_RANGE_DAYS => {
                v.add("to", format!("must be at most {MAX_RANGE_DAYS} days after from"));
                None
            }
            (Some(_), Some(_)) => Some(range),
            (from, _) => {
                v.add(if from.is_none() { "from" } else { "to" }, "is required");
                None
            }
        }
    }

    pub fn from_micros(self) -> i64 {
        self.from.map(start_of_local_day).unwrap_or(0)
    }

    /// The first instant after the range.
    pub fn to_micros(self) -> i64 {
        self.to.map(|to| start_of_local_day(add_days(to, 1))).unwrap_or(0)
    }
}

/// Whose activities a calendar shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Personal,
    Team,
    Department,
}

impl Scope {
    pub fn parse(text: &str) -> Result<Scope, String> {
        match text.trim() {
            "" | "personal" => Ok(Scope::Personal),
            "team" => Ok(Scope::Team),
            "department" => Ok(Scope::Department),
            _ => Err("must be one of personal, team, department".into()),
        }
    }
}

/// The filter of a calendar: one's own activities, one's office's, or the company's (sales
/// staff stay inside their office whatever they ask for).
pub fn scope_filter(caller: &Caller, scope: Scope) -> ActivityFilter {
    let office = match scope {
        Scope::Personal | Scope::Department => caller.territory(),
        Scope::Team => caller.office.or(caller.territory()),
    };
    let owner = if scope == Scope::Personal { caller.username.clone() } else { String::new() };
    ActivityFilter { owner, office, ..ActivityFilter::default() }
}

fn cancelled_left_out(rows: Vec<activity_store::ActivityRow>) -> Vec<pb::Activity> {
    rows.into_iter().filter(|row| row.status != ActivityStatus::Cancelled).map(|row| row.proto).collect()
}

/// What `owner` has planned for `date`, in time order, with how much is done.
pub async fn day_plan(db: &Db, caller: &Caller, owner: &str, date: NaiveDate) -> Result<pb::DayPlan, Error> {
    let range = DateRange { from: Some(date), to: Some(date) };
    let filter = ActivityFilter {
        owner: owner.to_owned(),
        office: caller.territory(),
        from: range.from_micros(),
        to: range.to_micros(),
        ..ActivityFilter::default()
    };
    let items = cancelled_left_out(activity_store::in_time_order(db, &filter, now_micros()).await?);
    let done_count = items.iter().filter(|a| a.status == ActivityStatus::Done.as_str()).count();
    Ok(pb::DayPlan {
        owner: owner.to_owned(),
        date: Some(date_to_proto(date)),
        done_count: i32::try_from(done_count).unwrap_or(i32::MAX),
        open_count: i32::try_from(items.len() - done_count).unwrap_or(i32::MAX),
        items,
    })
}

pub async fn view(db: &Db, caller: &Caller, scope: Scope, range: DateRange) -> Result<pb::CalendarView, Error> {
    let filter = ActivityFilter { from: range.from_micros(), to: range.to_micros(), ..scope_filter(caller, scope) };
    let activities = cancelled_left_out(activity_store::in_time_order(db, &filter, now_micros()).await?);
    let holidays = calendar_store::holidays(db, range).await?;
    Ok(pb::CalendarView { activities, holidays })
}

/// A fresh feed token: 244 random bits from two v4 UUIDs, as 64 hex digits.
fn new_token() -> String {
    format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

/// The caller's feed; a new one (with its token) when there is none.
pub async fn my_feed(db: &Db, caller: &Caller) -> Result<pb::CalendarFeed, Error> {
    let mut tx = db.begin().await?;
    let feed = match calendar_store::active_feed(&mut tx, &caller.username).await? {
        Some(created_at) => pb::CalendarFeed { token: String::new(), created_at: Some(to_ts(created_at)) },
        None => issue(&mut tx, caller).await?,
    };
    tx.commit().await?;
    Ok(feed)
}

fn to_ts(micros: i64) -> prost_types::Timestamp {
    atq_platform::business_time::to_timestamp(micros)
}

async fn issue(tx: &mut atq_platform::Tx, caller: &Caller) -> Result<pb::CalendarFeed, Error> {
    let token = new_token();
    let office = caller.office.map(|o| o.code()).unwrap_or("");
    let created_at = calendar_store::insert_feed(tx, caller, office, &hex_sha256(token.as_bytes())).await?;
    tracing::info!(username = %caller.username, "calendar feed issued");
    Ok(pb::CalendarFeed { token, created_at: Some(to_ts(created_at)) })
}

/// Revokes the caller's feed and issues another: the old address stops working at once.
pub async fn rotate(db: &Db, caller: &Caller) -> Result<pb::CalendarFeed, Error> {
    let mut tx = db.begin().await?;
    calendar_store::revoke(&mut tx, &caller.username).await?;
    let feed = issue(&mut tx, caller).await?;
    tx.commit().await?;
    Ok(feed)
}

pub async fn revoke(db: &Db, caller: &Caller) -> Result<bool, Error> {
    let mut tx = db.begin().await?;
    let revoked = calendar_store::revoke(&mut tx, &caller.username).await?;
    tx.commit().await?;
    Ok(revoked)
}

/// The events of the feed a token opens: its owner's activities in the window, and holidays.
pub async fn feed_events(db: &Db, token: &str, range: Option<DateRange>) -> Result<pb::CalendarFeedEvents, Error> {
    let unknown = || Error::NotFound("calendar feed".into());
    let shaped = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
    if !shaped {
        return Err(unknown());
    }
    let feed = calendar_store::feed_by_hash(db, &hex_sha256(token.as_bytes())).await?.ok_or_else(unknown)?;
    let today = local_date(now_micros());
    let range = range.unwrap_or(DateRange {
        from: Some(add_days(today, -FEED_DAYS_BACK)),
        to: Some(add_days(today, FEED_DAYS_AHEAD)),
    });
    let owner =
        Caller { username: feed.username.clone(), role: feed.role.unwrap_or(Role::SalesRep), office: feed.office };
    let filter =
        ActivityFilter { from: range.from_micros(), to: range.to_micros(), ..scope_filter(&owner, Scope::Personal) };
    let activities = cancelled_left_out(activity_store::in_time_order(db, &filter, now_micros()).await?);
    let holidays = calendar_store::holidays(db, range).await?;
    Ok(pb::CalendarFeedEvents { username: feed.username, activities, holidays })
}

#[cfg(test)]
mod tests {
    use super::*;
    use atq_platform::Office;

    #[test]
    fn sales_staff_see_their_office_whatever_scope_they_ask_for() {
        let rep = Caller { username: "sales.hcm".into(), role: Role::SalesRep, office: Some(Office::HoChiMinh) };
        assert_eq!(scope_filter(&rep, Scope::Department).office, Some(Office::HoChiMinh));
        assert_eq!(scope_filter(&rep, Scope::Personal).owner, "sales.hcm");
        let director = Caller { username: "director".into(), role: Role::Director, office: Some(Office::HaNoi) };
        assert_eq!(scope_filter(&director, Scope::Department).office, None);
        assert_eq!(scope_filter(&director, Scope::Team).office, Some(Office::HaNoi));
    }

    #[test]
    fn a_calendar_covers_at_most_two_months() {
        let mut v = Violations::new();
        let from = LocalDate { year: 2026, month: 12, day: 1 };
        let to = LocalDate { year: 2027, month: 2, day: 1 };
        assert!(DateRange::parse_bounded(&mut v, Some(&from), Some(&to)).is_none());
        assert!(v.finish().is_err());
        let range = DateRange { from: NaiveDate::from_ymd_opt(2026, 12, 1), to: NaiveDate::from_ymd_opt(2026, 12, 1) };
        // Midnight in Hà Nội is 17:00 UTC the day before; the range ends a day later.
        assert_eq!(range.to_micros() - range.from_micros(), 86_400_000_000);
    }
}
