//! Activities: what a planned visit, call or meeting needs, who may plan it for whom, and how it
//! is done (outcome, check-in, position) or cancelled. Overdue is computed: planned for a time
//! already past and not done.

use atq_platform::business_time::{now_micros, timestamp_micros};
use atq_platform::caller::Role;
use atq_platform::validation::{Violations, optional_text, required_text};
use atq_platform::{Caller, Db, Error, Office, Tx, idempotency, outbox, text_status};
use atq_proto::sales::v1 as pb;

use crate::activity_store::{self, ActivityChange, ActivityRow, Completion};

text_status! {
    ActivityKind {
        Visit = "visit",
        Call = "call",
        Meeting = "meeting",
        Email = "email",
        Task = "task",
        Note = "note",
    }
}

text_status! {
    ActivityStatus {
        Planned = "planned",
        Done = "done",
        Cancelled = "cancelled",
    }
}

text_status! {
    Outcome {
        Reached = "reached",
        NoAnswer = "no_answer",
        FollowUp = "follow_up",
        NotInterested = "not_interested",
        Ordered = "ordered",
        Other = "other",
    }
}

/// The status filter also takes `overdue`, which is not stored.
pub const STATUS_FILTERS: &[&str] = &["planned", "done", "cancelled", "overdue"];
pub const MAX_DURATION_MINUTES: i32 = 1440;
const MAX_SUBJECT: usize = 300;
const MAX_NOTES: usize = 4000;
/// A phone's clock may run a little ahead of the server's.
const CLOCK_SKEW_MICROS: i64 = 10 * 60 * 1_000_000;

#[derive(Clone, Debug)]
pub struct NewActivity {
    pub kind: ActivityKind,
    pub subject: String,
    pub customer_id: i64,
    pub contact_id: i64,
    pub opportunity_id: i64,
    pub owner: String,
    pub office: Option<Office>,
    pub planned_at: i64,
    pub duration_minutes: i32,
    pub notes: String,
}

/// Only managers and directors plan for a colleague; a sales rep plans for themselves.
pub fn may_plan_for(caller: &Caller, owner: &str) -> Result<(), Error> {
    let plans_for_others = matches!(caller.role, Role::SalesManager | Role::Director | Role::Admin);
    if owner == caller.username || plans_for_others {
        Ok(())
    } else {
        Err(Error::PermissionDenied("a sales rep plans activities only for themselves".into()))
    }
}

fn duration(v: &mut Violations, minutes: i32) -> i32 {
    if !(1..=MAX_DURATION_MINUTES).contains(&minutes) {
        v.add("duration_minutes", format!("must be from 1 to {MAX_DURATION_MINUTES} minutes"));
    }
    minutes
}

fn owner_of(v: &mut Violations, text: &str, caller: &Caller) -> String {
    if text.trim().is_empty() {
        caller.username.clone()
    } else {
        v.check("owner", required_text(text, 100)).unwrap_or_default()
    }
}

impl NewActivity {
    pub fn parse(input: &pb::CreateActivityRequest, caller: &Caller) -> Result<NewActivity, Error> {
        let mut v = Violations::new();
        let kind = ActivityKind::parse(input.kind.trim());
        if kind.is_none() {
            v.add("kind", format!("must be one of {}", ActivityKind::ALL.join(", ")));
        }
        let subject = v.check("subject", required_text(&input.subject, MAX_SUBJECT)).unwrap_or_default();
        for (field, id) in [
            ("customer_id", input.customer_id),
            ("contact_id", input.contact_id),
            ("opportunity_id", input.opportunity_id),
        ] {
            if id < 0 {
                v.add(field, "must be an id");
            }
        }
        let owner = owner_of(&mut v, &input.owner, caller);
        let office = match input.office {
            0 => None,
            code => v.check("office", Office::from_proto(code)),
        };
        let planned_at = input.planned_at.as_ref().map(timestamp_micros);
        if planned_at.is_none() {
            v.add("planned_at", "is required");
        }
        let duration_minutes = duration(&mut v, input.duration_minutes);
        let notes = v.check("notes", optional_text(&input.notes, MAX_NOTES)).unwrap_or_default();
        v.finish()?;
        may_plan_for(caller, &owner)?;
        Ok(NewActivity {
            kind: kind.unwrap_or(ActivityKind::Task),
            subject,
            customer_id: input.customer_id,
            contact_id: input.contact_id,
            opportunity_id: input.opportunity_id,
            owner,
            office,
            planned_at: planned_at.unwrap_or_default(),
            duration_minutes,
            notes,
        })
    }
}

/// A position in micro-degrees within the globe's ranges.
pub fn check_position(position: &pb::ActivityPosition) -> Result<(i64, i64), Error> {
    let mut v = Violations::new();
    if !(-90_000_000..=90_000_000).contains(&position.latitude_e6) {
        v.add("latitude", "must be from -90 to 90 degrees");
    }
    if !(-180_000_000..=180_000_000).contains(&position.longitude_e6) {
        v.add("longitude", "must be from -180 to 180 degrees");
    }
    v.finish()?;
    Ok((position.latitude_e6, position.longitude_e6))
}

impl Completion {
    pub fn parse(input: &pb::CompleteActivityRequest, now: i64) -> Result<Completion, Error> {
        let mut v = Violations::new();
        let outcome = Outcome::parse(input.outcome.trim());
        if outcome.is_none() {
            v.add("outcome", format!("must be one of {}", Outcome::ALL.join(", ")));
        }
        let notes = v.check("notes", optional_text(&input.notes, MAX_NOTES)).unwrap_or_default();
        let checked_in_at = input.checked_in_at.as_ref().map(timestamp_micros).unwrap_or(0);
        if checked_in_at < 0 || checked_in_at > now + CLOCK_SKEW_MICROS {
            v.add("checked_in_at", "must not be in the future");
        }
        let position = match &input.position {
            Some(position) => match check_position(position) {
                Ok(position) => Some(position),
                Err(Error::Invalid(fields)) => {
                    fields.into_iter().for_each(|f| v.add(f.field, f.message));
                    None
                }
                Err(other) => return Err(other),
            },
            None => None,
        };
        v.finish()?;
        Ok(Completion { outcome: outcome.unwrap_or(Outcome::Other), notes, checked_in_at, position, done_at: now })
    }
}

/// The update applied to what was read; only a planned activity changes.
pub fn change_of(
    activity: &ActivityRow,
    input: &pb::UpdateActivityRequest,
    caller: &Caller,
) -> Result<ActivityChange, Error> {
    let current = &activity.proto;
    if activity.status != ActivityStatus::Planned {
        return Err(Error::Conflict(format!(
            "activity {} is {}; only a planned one changes",
            activity.id, activity.status
        )));
    }
    let mut v = Violations::new();
    let subject = match &input.subject {
        Some(text) => v.check("subject", required_text(text, MAX_SUBJECT)).unwrap_or_default(),
        None => current.subject.clone(),
    };
    let planned_at = input.planned_at.as_ref().map(timestamp_micros).unwrap_or(activity.planned_at);
    let duration_minutes = match input.duration_minutes {
        Some(minutes) => duration(&mut v, minutes),
        None => current.duration_minutes,
    };
    let notes = match &input.notes {
        Some(text) => v.check("notes", optional_text(text, MAX_NOTES)).unwrap_or_default(),
        None => current.notes.clone(),
    };
    let owner = match &input.owner {
        Some(text) => owner_of(&mut v, text, caller),
        None => current.owner.clone(),
    };
    v.finish()?;
    if owner != current.owner {
        may_plan_for(caller, &owner)?;
    }
    Ok(ActivityChange { subject, planned_at, duration_minutes, notes, owner })
}

/// Writes the activity once per idempotency key.
pub async fn create(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::CreateActivityRequest,
    activity: NewActivity,
    office: Office,
) -> Result<pb::Activity, Error> {
    let scope = format!("sales.CreateActivity:{}", caller.username);
    let by = caller.username.clone();
    let created = idempotency::run_once(db, &scope, key, input, move |tx| {
        let (activity, by) = (activity.clone(), by.clone());
        Box::pin(async move {
            let id = activity_store::insert(tx, &activity, office, &by).await?;
            Ok(found(tx, id).await?.proto)
        })
    })
    .await?;
    tracing::info!(activity = created.id, kind = %created.kind, "activity planned");
    Ok(created)
}

async fn found(tx: &mut Tx, id: i64) -> Result<ActivityRow, Error> {
    activity_store::find(tx, id, now_micros()).await?.ok_or_else(|| Error::NotFound(format!("activity {id}")))
}

pub async fn update(
    db: &Db,
    activity: &ActivityRow,
    input: &pb::UpdateActivityRequest,
    caller: &Caller,
) -> Result<pb::Activity, Error> {
    Error::unless_stale(input.expected_version, activity.proto.version)?;
    let change = change_of(activity, input, caller)?;
    let mut tx = db.begin().await?;
    activity_store::update(&mut tx, activity, &change).await?;
    let updated = found(&mut tx, activity.id).await?;
    tx.commit().await?;
    Ok(updated.proto)
}

/// Marks the activity done once: a retry with the same key gets the first answer; completing an
/// activity already done or cancelled is a conflict.
pub async fn complete(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::CompleteActivityRequest,
) -> Result<pb::Activity, Error> {
    let completion = Completion::parse(input, now_micros())?;
    let scope = format!("sales.CompleteActivity:{}", caller.username);
    let backend = db.backend();
    let (id, expected_version) = (input.id, input.expected_version);
    let done = idempotency::run_once(db, &scope, key, input, move |tx| {
        let completion = completion.clone();
        Box::pin(async move {
            let activity = found(tx, id).await?;
            ensure_planned(&activity, expected_version)?;
            activity_store::complete(tx, &activity, &completion).await?;
            let done = found(tx, activity.id).await?;
            let event = pb::ActivityCompleted {
                activity_id: done.id,
                kind: done.proto.kind.clone(),
                owner: done.proto.owner.clone(),
                office: done.office.to_proto() as i32,
                customer_id: done.proto.customer_id,
                done_at: done.proto.done_at,
            };
            outbox::record(tx, backend, "activity", &done.id.to_string(), &event).await?;
            Ok(done.proto)
        })
    })
    .await?;
    tracing::info!(activity = done.id, outcome = %done.outcome, "activity done");
    Ok(done)
}

fn ensure_planned(activity: &ActivityRow, expected_version: i64) -> Result<(), Error> {
    if activity.status != ActivityStatus::Planned {
        return Err(Error::Conflict(format!("activity {} is already {}", activity.id, activity.status)));
    }
    Error::unless_stale(expected_version, activity.proto.version)
}

pub async fn cancel(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::CancelActivityRequest,
) -> Result<pb::Activity, Error> {
    let reason = required_text(&input.reason, 1000).map_err(|message| Error::invalid("reason", message))?;
    let scope = format!("sales.CancelActivity:{}", caller.username);
    let (id, expected_version) = (input.id, input.expected_version);
    let cancelled = idempotency::run_once(db, &scope, key, input, move |tx| {
        let reason = reason.clone();
        Box::pin(async move {
            let activity = found(tx, id).await?;
            ensure_planned(&activity, expected_version)?;
            activity_store::cancel(tx, &activity, &reason).await?;
            Ok(found(tx, activity.id).await?.proto)
        })
    })
    .await?;
    tracing::info!(activity = cancelled.id, "activity cancelled");
    Ok(cancelled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost_types::Timestamp;

    fn caller(role: Role) -> Caller {
        Caller { username: "sales.hn".into(), role, office: Some(Office::HaNoi) }
    }

    #[test]
    fn a_sales_rep_plans_only_for_themselves_and_a_manager_for_colleagues() {
        let input = pb::CreateActivityRequest {
            kind: "call".into(),
            subject: "Gọi lại về báo giá".into(),
            owner: "sales.hn2".into(),
            planned_at: Some(Timestamp { seconds: 1_800_000_000, nanos: 0 }),
            duration_minutes: 15,
            ..Default::default()
        };
        assert!(matches!(NewActivity::parse(&input, &caller(Role::SalesRep)), Err(Error::PermissionDenied(_))));
        assert_eq!(NewActivity::parse(&input, &caller(Role::SalesManager)).unwrap().owner, "sales.hn2");
        let own = pb::CreateActivityRequest { owner: String::new(), ..input };
        assert_eq!(NewActivity::parse(&own, &caller(Role::SalesRep)).unwrap().owner, "sales.hn");
    }

    #[test]
    fn kind_duration_and_time_are_checked_together() {
        let input = pb::CreateActivityRequest { kind: "lunch".into(), duration_minutes: 1441, ..Default::default() };
        let Error::Invalid(fields) = NewActivity::parse(&input, &caller(Role::SalesRep)).unwrap_err() else { panic!() };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["kind", "subject", "planned_at", "duration_minutes"]);
    }

    #[test]
    fn a_position_outside_the_globe_is_refused() {
        assert_eq!(
            check_position(&pb::ActivityPosition { latitude_e6: 21_028_511, longitude_e6: 105_804_817 }).unwrap(),
            (21_028_511, 105_804_817)
        );
        let Error::Invalid(fields) =
            check_position(&pb::ActivityPosition { latitude_e6: 90_000_001, longitude_e6: -180_000_001 }).unwrap_err()
        else {
            panic!()
        };
        assert_eq!(fields.len(), 2);
    }
}
