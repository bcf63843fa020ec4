//! The SLA targets per kind and priority, edited by an administrator or a director. A change
//! applies to requests opened after it: each request keeps the targets it was opened with
//! ([`crate::request_store::RequestRow::targets`]). Every change is kept with who made it.

use atq_platform::business_time::now_micros;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error};
use atq_proto::sales::v1 as pb;
use sqlx::AnyConnection;

use crate::request::{Priority, RequestKind};
use crate::request_calendar_store::{self, TargetChange};

/// Sixty working days of eight hours: more is not a service level.
pub const MAX_TARGET_MINUTES: i64 = 60 * 8 * 60;

fn minutes(v: &mut Violations, field: &str, value: i64) -> Option<i64> {
    let checked = if (1..=MAX_TARGET_MINUTES).contains(&value) {
        Ok(value)
    } else {
        Err(format!("must be from 1 to {MAX_TARGET_MINUTES} working minutes"))
    };
    v.check(field, checked)
}

/// The row named and its new minutes, every bad field named at once.
fn checked(input: &pb::UpdateSlaTargetRequest) -> Result<(RequestKind, Priority, i64, i64), Error> {
    let mut v = Violations::new();
    let kind = RequestKind::parse(input.kind.trim());
    if kind.is_none() {
        v.add("kind", format!("must be one of {}", RequestKind::ALL.join(", ")));
    }
    let priority = Priority::parse(input.priority.trim());
    if priority.is_none() {
        v.add("priority", format!("must be one of {}", Priority::ALL.join(", ")));
    }
    let first_response = minutes(&mut v, "first_response_minutes", input.first_response_minutes);
    let resolution = minutes(&mut v, "resolution_minutes", input.resolution_minutes);
    if let (Some(first), Some(resolved)) = (first_response, resolution)
        && resolved < first
    {
        v.add("resolution_minutes", "must not be shorter than the first response target");
    }
    v.finish()?;
    match (kind, priority, first_response, resolution) {
        (Some(kind), Some(priority), Some(first), Some(resolved)) => Ok((kind, priority, first, resolved)),
        _ => Err(Error::invalid("kind", "is required")),
    }
}

/// Where a row sorts: kinds and priorities in the order the domain lists them.
fn rank(target: &pb::SlaTarget) -> (usize, usize) {
    let kind = RequestKind::ALL.iter().position(|k| *k == target.kind).unwrap_or(usize::MAX);
    let priority = Priority::ALL.iter().position(|p| *p == target.priority).unwrap_or(usize::MAX);
    (kind, priority)
}

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<pb::SlaTarget>, Error> {
    let mut targets = request_calendar_store::sla_targets(conn).await?;
    targets.sort_by_key(rank);
    Ok(targets)
}

/// Sets both targets of one row if the caller read its current version; the same values again
/// change nothing.
pub async fn update(db: &Db, caller: &Caller, input: &pb::UpdateSlaTargetRequest) -> Result<pb::SlaTarget, Error> {
    let (kind, priority, first_response_minutes, resolution_minutes) = checked(input)?;
    let mut tx = db.begin().await?;
    let before = request_calendar_store::sla_target(&mut tx, kind.as_str(), priority.as_str())
        .await?
        .ok_or_else(|| Error::NotFound(format!("SLA target {kind}/{priority}")))?;
    Error::unless_stale(input.expected_version, before.version)?;
    if (before.first_response_minutes, before.resolution_minutes) == (first_response_minutes, resolution_minutes) {
        return Ok(before);
    }
    let change = TargetChange {
        before: &before,
        first_response_minutes,
        resolution_minutes,
        by: &caller.username,
        at: now_micros(),
    };
    request_calendar_store::set_sla_target(&mut tx, &change).await?;
    let after = request_calendar_store::sla_target(&mut tx, kind.as_str(), priority.as_str())
        .await?
        .ok_or_else(|| Error::NotFound(format!("SLA target {kind}/{priority}")))?;
    tx.commit().await?;
    tracing::info!(
        %kind, %priority,
        first_response = format!("{} -> {}", before.first_response_minutes, after.first_response_minutes),
        resolution = format!("{} -> {}", before.resolution_minutes, after.resolution_minutes),
        by = %caller.username,
        "SLA target changed"
    );
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(first: i64, resolution: i64) -> pb::UpdateSlaTargetRequest {
        pb::UpdateSlaTargetRequest {
            kind: "debt".into(),
            priority: "high".into(),
            expected_version: 1,
            first_response_minutes: first,
            resolution_minutes: resolution,
        }
    }

    fn fields(error: Error) -> Vec<String> {
        let Error::Invalid(fields) = error else { panic!("{error:?}") };
        fields.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn targets_are_bounded_working_minutes_and_resolution_is_not_shorter() {
        assert_eq!(checked(&asked(1, MAX_TARGET_MINUTES)).unwrap(), (RequestKind::Debt, Priority::High, 1, 28_800));
        assert_eq!(
            fields(checked(&asked(0, MAX_TARGET_MINUTES + 1)).unwrap_err()),
            ["first_response_minutes", "resolution_minutes"]
        );
        assert_eq!(fields(checked(&asked(120, 60)).unwrap_err()), ["resolution_minutes"]);
        let unknown = pb::UpdateSlaTargetRequest { kind: "gossip".into(), priority: "asap".into(), ..asked(60, 60) };
        assert_eq!(fields(checked(&unknown).unwrap_err()), ["kind", "priority"]);
    }

    #[test]
    fn rows_sort_by_the_domain_order_of_kinds_then_priorities() {
        let target = |kind: &str, priority: &str| pb::SlaTarget {
            kind: kind.into(),
            priority: priority.into(),
            ..Default::default()
        };
        let mut rows = [target("debt", "low"), target("price", "urgent"), target("price", "low")];
        rows.sort_by_key(rank);
        let order: Vec<_> = rows.iter().map(|t| format!("{}/{}", t.kind, t.priority)).collect();
        assert_eq!(order, ["price/low", "price/urgent", "debt/low"]);
    }
}
