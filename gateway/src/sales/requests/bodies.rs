//! The JSON shapes of customer requests and their timeline entries.

use atq_proto::sales::v1 as pb;
use serde::Serialize;
use utoipa::ToSchema;

use crate::wire::{office_text, rfc3339};

/// One SLA clock: the target, when it falls due, the working time left.
#[derive(Serialize, ToSchema)]
pub struct SlaClockBody {
    /// Working minutes allowed (Mon-Fri 08:00-12:00, 13:00-17:30, public holidays excluded).
    pub target_minutes: i64,
    /// RFC 3339; null while the clock is paused (waiting for the customer).
    pub due_at: Option<String>,
    /// Working minutes left; negative: overdue by that many.
    pub minutes_left: i64,
    pub breached: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ServiceRequestBody {
    pub id: i64,
    /// YC-2026-0001
    pub number: String,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub contact_id: Option<i64>,
    /// HN, HCM or DL: the customer's office
    pub office: String,
    /// phone, email, visit, web, sms or fax
    pub channel: String,
    /// price, quantity, quality, warranty, discount_programme, bonus, debt, policy,
    /// contract_change, delivery or other
    pub kind: String,
    pub subject: String,
    pub description: String,
    pub order_id: Option<i64>,
    pub contract_id: Option<i64>,
    pub product_id: Option<i64>,
    pub serial_number: String,
    /// low, normal, high or urgent
    pub priority: String,
    /// sales, import_export or accounting
    pub department: String,
    pub assignee: String,
    /// new, in_progress, waiting_customer, waiting_supplier, resolved, closed or reopened
    pub status: String,
    /// When the customer asked (RFC 3339); the SLA clocks start here.
    pub received_at: String,
    pub first_response_at: Option<String>,
    pub resolved_at: Option<String>,
    pub first_response: Option<SlaClockBody>,
    pub resolution: Option<SlaClockBody>,
    /// The resolution clock is paused: waiting for the customer.
    pub sla_paused: bool,
    pub created_by: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

fn optional_time(ts: Option<&prost_types::Timestamp>) -> Option<String> {
    ts.map(|ts| rfc3339(Some(ts)))
}

fn some_id(id: i64) -> Option<i64> {
    (id > 0).then_some(id)
}

impl From<pb::SlaClock> for SlaClockBody {
    fn from(c: pb::SlaClock) -> Self {
        SlaClockBody {
            target_minutes: c.target_minutes,
            due_at: optional_time(c.due_at.as_ref()),
            minutes_left: c.minutes_left,
            breached: c.breached,
        }
    }
}

impl From<pb::ServiceRequest> for ServiceRequestBody {
    fn from(r: pb::ServiceRequest) -> Self {
        ServiceRequestBody {
            id: r.id,
            number: r.number,
            customer_id: r.customer_id,
            customer_code: r.customer_code,
            customer_name: r.customer_name,
            contact_id: some_id(r.contact_id),
            office: office_text(r.office),
            channel: r.channel,
            kind: r.kind,
            subject: r.subject,
            description: r.description,
            order_id: some_id(r.order_id),
            contract_id: some_id(r.contract_id),
            product_id: some_id(r.product_id),
            serial_number: r.serial_number,
            priority: r.priority,
            department: r.department,
            assignee: r.assignee,
            status: r.status,
            received_at: rfc3339(r.received_at.as_ref()),
            first_response_at: optional_time(r.first_response_at.as_ref()),
            resolved_at: optional_time(r.resolved_at.as_ref()),
            first_response: r.first_response.map(SlaClockBody::from),
            resolution: r.resolution.map(SlaClockBody::from),
            sla_paused: r.sla_paused,
            created_by: r.created_by,
            version: r.version,
            created_at: rfc3339(r.created_at.as_ref()),
            updated_at: rfc3339(r.updated_at.as_ref()),
        }
    }
}

/// One entry of a request's timeline.
#[derive(Serialize, ToSchema)]
pub struct ServiceRequestEventBody {
    pub id: i64,
    pub request_id: i64,
    /// created, status, comment, assigned, department, priority or edited
    pub kind: String,
    /// The field an edit changed; empty otherwise.
    pub field: String,
    pub from_value: String,
    pub to_value: String,
    /// A comment's text, a status change's note, or the subject at creation.
    pub body: String,
    pub actor: String,
    /// When it happened (RFC 3339).
    pub at: String,
    /// When it was recorded.
    pub recorded_at: String,
}

impl From<pb::ServiceRequestEvent> for ServiceRequestEventBody {
    fn from(e: pb::ServiceRequestEvent) -> Self {
        ServiceRequestEventBody {
            id: e.id,
            request_id: e.request_id,
            kind: e.kind,
            field: e.field,
            from_value: e.from_value,
            to_value: e.to_value,
            body: e.body,
            actor: e.actor,
            at: rfc3339(e.at.as_ref()),
            recorded_at: rfc3339(e.recorded_at.as_ref()),
        }
    }
}
