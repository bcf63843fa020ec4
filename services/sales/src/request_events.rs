//! The customer-request events of the sales feed: each carries the request as it stands after
//! the change, with its SLA clocks turned into working minutes, so the service report of
//! analytics never needs the sales calendar.

use atq_platform::business_time::to_timestamp;
use atq_platform::error::Result;
use atq_platform::{Backend, Tx, outbox};
use atq_proto::sales::v1 as pb;

/// The aggregate type of request events in the outbox.
const AGGREGATE: &str = "service_request";

/// Working minutes a stopped clock took: its target less what was left when it stopped.
fn taken(clock: Option<&pb::SlaClock>) -> i64 {
    clock.map_or(-1, |c| c.target_minutes.saturating_sub(c.minutes_left).max(0))
}

/// The request's figures as the report counts them, from the request as shown after a change.
pub fn facts(view: &pb::ServiceRequest) -> pb::ServiceRequestFacts {
    let (first, resolution) = (view.first_response.as_ref(), view.resolution.as_ref());
    let resolved = view.resolved_at.is_some() && matches!(view.status.as_str(), "resolved" | "closed");
    pb::ServiceRequestFacts {
        request_id: view.id,
        number: view.number.clone(),
        office: view.office,
        kind: view.kind.clone(),
        priority: view.priority.clone(),
        department: view.department.clone(),
        channel: view.channel.clone(),
        status: view.status.clone(),
        received_at: view.received_at,
        first_response_at: view.first_response_at,
        resolved_at: view.resolved_at.filter(|_| resolved),
        first_response_target_minutes: first.map_or(0, |c| c.target_minutes),
        resolution_target_minutes: resolution.map_or(0, |c| c.target_minutes),
        first_response_due_at: first.and_then(|c| c.due_at),
        resolution_due_at: resolution.and_then(|c| c.due_at),
        first_response_breached: first.is_some_and(|c| c.breached),
        resolution_breached: resolution.is_some_and(|c| c.breached),
        first_response_minutes: if view.first_response_at.is_some() { taken(first) } else { -1 },
        resolution_minutes: if resolved { taken(resolution) } else { -1 },
        version: view.version,
    }
}

/// Records that the request was opened; the last write of its transaction.
pub async fn opened(tx: &mut Tx, backend: Backend, view: &pb::ServiceRequest) -> Result<()> {
    let event = pb::ServiceRequestOpened { request: Some(facts(view)), opened_by: view.created_by.clone() };
    outbox::record(tx, backend, AGGREGATE, &view.id.to_string(), &event).await
}

/// What changed: the field, its old and new text, who changed it and when.
pub struct Change<'a> {
    pub field: &'a str,
    pub from_value: &'a str,
    pub to_value: &'a str,
    pub by: &'a str,
    pub at: i64,
}

/// Records a change of the request; the last write of its transaction.
pub async fn changed(tx: &mut Tx, backend: Backend, view: &pb::ServiceRequest, change: Change<'_>) -> Result<()> {
    let event = pb::ServiceRequestChanged {
        request: Some(facts(view)),
        field: change.field.to_owned(),
        from_value: change.from_value.to_owned(),
        to_value: change.to_value.to_owned(),
        changed_by: change.by.to_owned(),
        changed_at: Some(to_timestamp(change.at)),
    };
    outbox::record(tx, backend, AGGREGATE, &view.id.to_string(), &event).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(target_minutes: i64, minutes_left: i64, breached: bool) -> Option<pb::SlaClock> {
        Some(pb::SlaClock { target_minutes, due_at: None, minutes_left, breached })
    }

    #[test]
    fn stopped_clocks_become_working_minutes_and_running_ones_minus_one() {
        let mut view = pb::ServiceRequest {
            status: "in_progress".into(),
            first_response_at: Some(to_timestamp(1)),
            first_response: clock(240, 200, false),
            resolution: clock(2550, -30, true),
            ..Default::default()
        };
        let running = facts(&view);
        assert_eq!((running.first_response_minutes, running.resolution_minutes), (40, -1));
        assert!(running.resolution_breached && !running.first_response_breached);
        view.status = "resolved".into();
        view.resolved_at = Some(to_timestamp(2));
        assert_eq!(facts(&view).resolution_minutes, 2580, "overdue by 30 of 2550");
        view.first_response_at = None;
        assert_eq!(facts(&view).first_response_minutes, -1);
        view.status = "reopened".into();
        assert_eq!(facts(&view).resolved_at, None, "a reopened request is not resolved");
    }
}
