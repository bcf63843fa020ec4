//! Care reminders: on a local date, a planned call for the customer's salesperson a week after
//! their goods were delivered, and one for each contact whose birthday it is. A date's run made
//! twice plans nothing twice. Warranty ends are not held by the sales service (import planning
//! owns warranty), so reminders of warranties expiring are not made here.

use atq_platform::business_time::{add_days, start_of_local_day};
use atq_platform::{Caller, Db, Error, Office, Tx};
use atq_proto::sales::v1 as pb;
use chrono::{Datelike, NaiveDate};

use crate::activity::{ActivityKind, NewActivity};
use crate::activity_store;
use crate::campaign_reminder_store::{self as store, Candidate};

/// Days after delivery the follow-up call falls on.
pub const FOLLOW_UP_DAYS: i64 = 7;
/// Reminder calls are planned for 9:00 local time and last a quarter of an hour.
const CALL_HOUR_MICROS: i64 = 9 * 3600 * 1_000_000;
const CALL_MINUTES: i32 = 15;
pub const FOLLOW_UP: &str = "follow_up";
pub const BIRTHDAY: &str = "birthday";
pub const WARRANTY_SKIPPED: &str =
    "warranty_expiring: warranty ends are held by import planning, not by the sales service";

/// The birthdays celebrated on `date`: its own 'MM-DD' and, on 28 February of a common year,
/// those born on 29 February.
pub fn birthday_days(date: NaiveDate) -> [String; 2] {
    let own = date.format("%m-%d").to_string();
    let leap_day = if date.month() == 2 && date.day() == 28 && NaiveDate::from_ymd_opt(date.year(), 2, 29).is_none() {
        "02-29".to_owned()
    } else {
        own.clone()
    };
    [own, leap_day]
}

/// Plans the date's care calls in one transaction, for the caller's territory.
pub async fn run(db: &Db, caller: &Caller, date: NaiveDate) -> Result<pb::RunRemindersResponse, Error> {
    let office = caller.territory();
    let delivered_on = add_days(date, -FOLLOW_UP_DAYS);
    let (from, to) = (start_of_local_day(delivered_on), start_of_local_day(add_days(delivered_on, 1)));
    let date_text = date.to_string();
    let days = birthday_days(date);
    let mut tx = db.begin().await?;
    let mut reminders = Vec::new();
    for candidate in store::delivered(&mut tx, from, to, office).await? {
        let subject = format!("Follow-up call: goods of order {} delivered", candidate.about);
        reminders.push(remind(&mut tx, date, &date_text, &candidate, FOLLOW_UP, subject, &caller.username).await?);
    }
    for candidate in store::birthdays(&mut tx, [days[0].as_str(), days[1].as_str()], office).await? {
        let subject = format!("Birthday call: {}", candidate.about);
        reminders.push(remind(&mut tx, date, &date_text, &candidate, BIRTHDAY, subject, &caller.username).await?);
    }
    tx.commit().await?;
    let created = reminders.iter().filter(|r| r.created).count();
    tracing::info!(date = %date_text, created, "care reminders run");
    Ok(pb::RunRemindersResponse {
        date: date_text,
        created: i64::try_from(created).unwrap_or(i64::MAX),
        reminders,
        skipped: vec![WARRANTY_SKIPPED.to_owned()],
    })
}

async fn remind(
    tx: &mut Tx,
    date: NaiveDate,
    date_text: &str,
    candidate: &Candidate,
    reason: &str,
    subject: String,
    by: &str,
) -> Result<pb::Reminder, Error> {
    let mut reminder = pb::Reminder {
        reason: reason.to_owned(),
        customer_id: candidate.customer_id,
        contact_id: candidate.contact_id,
        owner: candidate.owner.clone(),
        ..Default::default()
    };
    if !store::claim(tx, date_text, candidate, reason).await? {
        reminder.activity_id = store::activity_of(tx, date_text, candidate, reason).await?;
        return Ok(reminder);
    }
    let office = Office::parse(&candidate.office)
        .map_err(|_| Error::internal(anyhow::anyhow!("customer {} has bad office", candidate.customer_id)))?;
    let activity = NewActivity {
        kind: ActivityKind::Call,
        subject,
        customer_id: candidate.customer_id,
        contact_id: candidate.contact_id,
        opportunity_id: 0,
        owner: candidate.owner.clone(),
        office: Some(office),
        planned_at: start_of_local_day(date) + CALL_HOUR_MICROS,
        duration_minutes: CALL_MINUTES,
        notes: String::new(),
    };
    let activity_id = activity_store::insert(tx, &activity, office, by).await?;
    store::set_activity(tx, date_text, candidate, reason, activity_id).await?;
    reminder.activity_id = activity_id;
    reminder.created = true;
    Ok(reminder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leap_day_birthdays_are_kept_on_28_february_of_common_years() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(birthday_days(day(2027, 2, 28)), ["02-28".to_owned(), "02-29".to_owned()]);
        assert_eq!(birthday_days(day(2028, 2, 28)), ["02-28".to_owned(), "02-28".to_owned()]);
        assert_eq!(birthday_days(day(2026, 11, 20)), ["11-20".to_owned(), "11-20".to_owned()]);
    }
}
