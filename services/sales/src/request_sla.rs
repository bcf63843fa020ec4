//! A request's SLA clocks: first response and resolution targets for its kind and priority,
//! counted on working time ([`crate::sla`]) from when the customer asked, the resolution clock
//! stopped while the request waits for the customer or stays resolved.

use std::collections::HashMap;

use atq_platform::business_time::to_timestamp;
use atq_proto::sales::v1 as pb;

use crate::request::{Priority, RequestKind, RequestStatus};
use crate::sla::{ClockView, Span, WorkingCalendar, clock_view};

/// Working minutes allowed: (first response, resolution).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Targets {
    pub first_response: i64,
    pub resolution: i64,
}

/// What the clocks count on, read once per call.
#[derive(Clone, Debug, Default)]
pub struct SlaContext {
    pub calendar: WorkingCalendar,
    pub targets: HashMap<(String, String), Targets>,
}

/// Used when a kind and priority have no row: a working day to answer, a working week to resolve.
const FALLBACK: Targets = Targets { first_response: 240, resolution: 2550 };

impl SlaContext {
    pub fn targets(&self, kind: RequestKind, priority: Priority) -> Targets {
        self.targets.get(&(kind.as_str().to_owned(), priority.as_str().to_owned())).copied().unwrap_or(FALLBACK)
    }
}

/// A status a request entered, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusMark {
    pub at: i64,
    pub status: RequestStatus,
}

/// The stops of the resolution clock: those that ended, and the one still going (when it started
/// and in which status).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stops {
    pub ended: Vec<Span>,
    pub current: Option<StatusMark>,
}

/// The clock's stops from the statuses the request went through, in order.
pub fn stops(marks: &[StatusMark]) -> Stops {
    let mut stops = Stops::default();
    for mark in marks {
        match (stops.current, mark.status.stops_clock()) {
            (None, true) => stops.current = Some(*mark),
            (Some(since), false) => {
                stops.ended.push(Span::new(since.at, mark.at));
                stops.current = None;
            }
            // Waiting for the customer, then resolved: still stopped since the first.
            _ => {}
        }
    }
    stops
}

/// When each clock falls due as stored for filtering, and when the resolution clock stopped (0:
/// running). A clock paused for good (no due time yet) is stored as due at the end of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dues {
    pub first_response_due_at: i64,
    pub resolution_due_at: i64,
    pub clock_stopped_at: i64,
}

pub fn dues(context: &SlaContext, received_at: i64, targets: Targets, marks: &[StatusMark]) -> Dues {
    let stops = stops(marks);
    let minutes = |m: i64| m.saturating_mul(crate::sla::MICROS_PER_MINUTE);
    let calendar = &context.calendar;
    Dues {
        first_response_due_at: calendar
            .add_working(received_at, minutes(targets.first_response), &[])
            .unwrap_or(i64::MAX),
        resolution_due_at: calendar
            .add_working(received_at, minutes(targets.resolution), &stops.ended)
            .unwrap_or(i64::MAX),
        clock_stopped_at: stops.current.map(|mark| mark.at).unwrap_or(0),
    }
}

/// Both clocks as a request shows them, and whether the resolution clock is paused.
pub struct Clocks {
    pub first_response: ClockView,
    pub resolution: ClockView,
    pub paused: bool,
}

pub fn clocks(
    context: &SlaContext,
    received_at: i64,
    first_response_at: i64,
    targets: Targets,
    marks: &[StatusMark],
    now: i64,
) -> Clocks {
    let stops = stops(marks);
    let calendar = &context.calendar;
    let answered = (first_response_at > 0).then_some(first_response_at);
    let first_response = clock_view(calendar, received_at, targets.first_response, &[], answered, false, now);
    let paused = stops.current.is_some_and(|mark| mark.status == RequestStatus::WaitingCustomer);
    let stopped_at = stops.current.map(|mark| mark.at);
    let resolution = clock_view(calendar, received_at, targets.resolution, &stops.ended, stopped_at, paused, now);
    Clocks { first_response, resolution, paused }
}

pub fn clock_proto(target_minutes: i64, view: ClockView) -> pb::SlaClock {
    pb::SlaClock {
        target_minutes,
        due_at: view.due_at.filter(|due| *due < i64::MAX).map(to_timestamp),
        minutes_left: view.minutes_left,
        breached: view.breached,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestStatus::*;

    fn mark(at: i64, status: RequestStatus) -> StatusMark {
        StatusMark { at, status }
    }

    #[test]
    fn waiting_for_the_customer_and_resolved_stop_the_clock_until_work_resumes() {
        let marks = [
            mark(10, InProgress),
            mark(20, WaitingCustomer),
            mark(30, InProgress),
            mark(40, WaitingCustomer),
            mark(50, Resolved),
            mark(60, Reopened),
            mark(70, WaitingSupplier),
            mark(80, Resolved),
        ];
        let stops = stops(&marks);
        assert_eq!(stops.ended, [Span::new(20, 30), Span::new(40, 60)]);
        assert_eq!(stops.current, Some(mark(80, Resolved)));
        assert_eq!(super::stops(&marks[..3]).current, None);
    }

    #[test]
    fn a_missing_target_row_falls_back_to_a_day_and_a_week() {
        let context = SlaContext::default();
        assert_eq!(context.targets(RequestKind::Other, Priority::Low), FALLBACK);
        let mut targets = HashMap::new();
        targets.insert(("debt".to_owned(), "high".to_owned()), Targets { first_response: 60, resolution: 480 });
        let context = SlaContext { targets, ..SlaContext::default() };
        assert_eq!(context.targets(RequestKind::Debt, Priority::High).resolution, 480);
    }

    #[test]
    fn a_request_waiting_for_the_customer_shows_no_due_time_and_keeps_its_dues_for_filters() {
        let context = SlaContext::default();
        // Tuesday 2026-12-01 09:00 in Hà Nội, 02:00 UTC.
        let received = 1_796_090_400_000_000;
        let hour = 3_600_000_000;
        let targets = Targets { first_response: 60, resolution: 120 };
        let marks = [mark(received + hour / 2, InProgress), mark(received + hour, WaitingCustomer)];
        let clocks = clocks(&context, received, received + hour / 2, targets, &marks, received + 10 * hour);
        assert!(clocks.paused);
        assert_eq!(clocks.resolution.due_at, None);
        assert_eq!((clocks.resolution.minutes_left, clocks.resolution.breached), (60, false));
        assert_eq!((clocks.first_response.minutes_left, clocks.first_response.breached), (30, false));
        let dues = dues(&context, received, targets, &marks);
        assert_eq!(dues.clock_stopped_at, received + hour);
        assert_eq!(dues.first_response_due_at, received + hour);
        assert_eq!(dues.resolution_due_at, received + 2 * hour);
    }
}
