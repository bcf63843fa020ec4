//! Customer requests (sales feed) and warranty cases (import-planning feed) folded into one row
//! each, as their newest event shows them: what the service-and-care report counts.

use atq_platform::business_time::{date_from_proto, local_date, timestamp_micros};
use atq_platform::error::Result;
use atq_platform::feed_consumer::Projection;
use atq_platform::{Office, Tx, outbox};
use atq_proto::events::v1::Event;
use atq_proto::importplanning::v1 as warranty;
use atq_proto::sales::v1 as sales;
use prost::Message;
use prost_types::Timestamp;

use crate::product_facts::UNKNOWN;
use crate::service_facts_store;

/// A request as the table keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestFact {
    pub request_id: i64,
    pub number: String,
    pub office: String,
    pub kind: String,
    pub priority: String,
    pub department: String,
    pub channel: String,
    pub status: String,
    pub received_at: i64,
    pub received_on: String,
    pub first_response_at: i64,
    pub resolved_at: i64,
    pub first_response_target: i64,
    pub resolution_target: i64,
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
    pub first_response_due_at: i64,
    pub resolution_due_at: i64,
    pub first_response_breached: bool,
    pub resolution_breached: bool,
}

fn micros(at: Option<&Timestamp>) -> i64 {
    at.map_or(0, timestamp_micros)
}

fn office_code(value: i32) -> String {
    Office::from_proto(value).map_or_else(|_| UNKNOWN.to_owned(), |o| o.code().to_owned())
}

impl From<&sales::ServiceRequestFacts> for RequestFact {
    fn from(r: &sales::ServiceRequestFacts) -> RequestFact {
        let received_at = micros(r.received_at.as_ref());
        RequestFact {
            request_id: r.request_id,
            number: r.number.clone(),
            office: office_code(r.office),
            kind: r.kind.clone(),
            priority: r.priority.clone(),
            department: r.department.clone(),
            channel: r.channel.clone(),
            status: r.status.clone(),
            received_at,
            received_on: local_date(received_at).to_string(),
            first_response_at: micros(r.first_response_at.as_ref()),
            resolved_at: micros(r.resolved_at.as_ref()),
            first_response_target: r.first_response_target_minutes,
            resolution_target: r.resolution_target_minutes,
            first_response_minutes: r.first_response_minutes,
            resolution_minutes: r.resolution_minutes,
            first_response_due_at: micros(r.first_response_due_at.as_ref()),
            resolution_due_at: micros(r.resolution_due_at.as_ref()),
            first_response_breached: r.first_response_breached,
            resolution_breached: r.resolution_breached,
        }
    }
}

impl RequestFact {
    /// Whether the first response came late, or is still missing past its due time at `now`.
    pub fn first_response_late(&self, now: i64) -> bool {
        self.first_response_breached
            || (self.first_response_at == 0 && self.first_response_due_at > 0 && self.first_response_due_at < now)
    }

    /// Whether the resolution came late, or is still missing past its due time at `now` (no due
    /// time while paused for the customer).
    pub fn resolution_late(&self, now: i64) -> bool {
        self.resolution_breached
            || (self.resolved_at == 0 && self.resolution_due_at > 0 && self.resolution_due_at < now)
    }
}

/// A warranty case as the table keeps it; dates are ISO text, '' when none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFact {
    pub case_id: i64,
    pub number: String,
    pub office: String,
    pub product_id: i64,
    pub model_code: String,
    pub serial: String,
    pub supplier_id: i64,
    pub supplier_code: String,
    pub supplier_name: String,
    pub status: String,
    pub decision: String,
    pub covered: bool,
    pub opened_on: String,
    pub rma_number: String,
    pub rma_shipped_on: String,
    pub rma_received_on: String,
    pub rma_outcome: String,
}

fn date_text(date: Option<&atq_proto::common::v1::LocalDate>) -> String {
    date.and_then(|d| date_from_proto(d).ok()).map(|d| d.to_string()).unwrap_or_default()
}

impl CaseFact {
    fn of(changed: &warranty::WarrantyCaseChanged, case: &warranty::WarrantyCase) -> CaseFact {
        let rma = case.supplier_return.clone().unwrap_or_default();
        let opened_at = case.created_at.as_ref().or(changed.changed_at.as_ref());
        CaseFact {
            case_id: case.id,
            number: case.number.clone(),
            office: Office::from_proto(case.office).map(|o| o.code().to_owned()).unwrap_or_default(),
            product_id: case.product_id,
            model_code: case.model_code.clone(),
            serial: case.serial.clone(),
            supplier_id: changed.supplier_id,
            supplier_code: changed.supplier_code.clone(),
            supplier_name: changed.supplier_name.clone(),
            status: case.status.clone(),
            decision: case.decision.clone(),
            covered: case.covered,
            opened_on: local_date(micros(opened_at)).to_string(),
            rma_number: rma.rma_number,
            rma_shipped_on: date_text(rma.shipped_on.as_ref()),
            rma_received_on: date_text(rma.received_on.as_ref()),
            rma_outcome: rma.outcome,
        }
    }
}

/// Requests from the sales feed.
pub struct RequestFacts;

#[tonic::async_trait]
impl Projection for RequestFacts {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<()> {
        let request = if outbox::is::<sales::ServiceRequestOpened>(event) {
            sales::ServiceRequestOpened::decode(event.payload.as_slice())?.request
        } else if outbox::is::<sales::ServiceRequestChanged>(event) {
            sales::ServiceRequestChanged::decode(event.payload.as_slice())?.request
        } else {
            return Ok(());
        };
        let Some(request) = request else { return Ok(()) };
        // Each event carries the request as it stands: the newest wins, a replay changes nothing.
        service_facts_store::record_request(tx, &RequestFact::from(&request), event.position).await
    }
}

/// Warranty cases from the import-planning feed.
pub struct WarrantyFacts;

#[tonic::async_trait]
impl Projection for WarrantyFacts {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<()> {
        if !outbox::is::<warranty::WarrantyCaseChanged>(event) {
            return Ok(());
        }
        let changed = warranty::WarrantyCaseChanged::decode(event.payload.as_slice())?;
        let Some(case) = &changed.case else { return Ok(()) };
        service_facts_store::record_case(tx, &CaseFact::of(&changed, case), event.position).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_clock_past_its_due_time_is_late_and_a_paused_one_is_not() {
        let fact = RequestFact { first_response_due_at: 100, resolution_due_at: 200, ..RequestFact::default() };
        assert!(!fact.first_response_late(100) && fact.first_response_late(101));
        assert!(!fact.resolution_late(150) && fact.resolution_late(201));
        let answered = RequestFact { first_response_at: 90, resolved_at: 190, ..fact.clone() };
        assert!(!answered.first_response_late(1_000) && !answered.resolution_late(1_000));
        let paused = RequestFact { resolution_due_at: 0, ..fact };
        assert!(!paused.resolution_late(i64::MAX));
        let breached = RequestFact { first_response_breached: true, ..answered };
        assert!(breached.first_response_late(0));
    }
}
