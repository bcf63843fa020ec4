//! The JSON shapes of warranty: a serial's warranty with its history, and a warranty case.

use atq_proto::importplanning::v1 as pb;
use serde::Serialize;
use utoipa::ToSchema;

use crate::wire::{date_text, day_text, office_text, rfc3339};

/// One thing that happened to the unit: a warehouse move or a step of a warranty case.
#[derive(Serialize, ToSchema)]
pub struct ServiceEventBody {
    /// received, transferred, issued, returned, replacement_issued, replaced, faulty_received,
    /// shipped_to_supplier, received_from_supplier, or case_<step> (case_opened, case_decided, ...)
    pub kind: String,
    pub at: String,
    pub date: String,
    /// The stock document, warranty move or warranty case
    pub document_number: String,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct SerialWarrantyBody {
    pub product_id: i64,
    pub model_code: String,
    pub product_name: String,
    pub serial: String,
    /// in_stock, issued (with a customer), at_supplier, credited, replaced_by_supplier, missing
    pub status: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub order_number: String,
    pub dispatch_number: String,
    pub shipped_on: Option<String>,
    pub warranty_months: i32,
    /// Ship date plus the warranty months: the last day covered
    pub warranty_ends_on: Option<String>,
    pub in_warranty: bool,
    /// Why not, when not in warranty
    pub coverage_reason: String,
    /// For a replacement: the unit it replaced
    pub replaces_serial: String,
    /// The office whose warehouse delivered the unit
    pub office: String,
    /// Oldest first
    pub history: Vec<ServiceEventBody>,
    pub cases: Vec<WarrantyCaseBody>,
}

impl From<pb::SerialWarranty> for SerialWarrantyBody {
    fn from(s: pb::SerialWarranty) -> Self {
        SerialWarrantyBody {
            product_id: s.product_id,
            model_code: s.model_code,
            product_name: s.product_name,
            serial: s.serial,
            status: s.status,
            customer_id: s.customer_id,
            customer_name: s.customer_name,
            order_number: s.order_number,
            dispatch_number: s.dispatch_number,
            shipped_on: date_text(s.shipped_on.as_ref()),
            warranty_months: s.warranty_months,
            warranty_ends_on: date_text(s.warranty_ends_on.as_ref()),
            in_warranty: s.in_warranty,
            coverage_reason: s.coverage_reason,
            replaces_serial: s.replaces_serial,
            office: office_text(s.office),
            history: s
                .history
                .into_iter()
                .map(|e| ServiceEventBody {
                    kind: e.kind,
                    at: rfc3339(e.at.as_ref()),
                    date: day_text(e.date.as_ref()),
                    document_number: e.document_number,
                    note: e.note,
                })
                .collect(),
            cases: s.cases.into_iter().map(WarrantyCaseBody::from).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TimelineEntryBody {
    /// opened, diagnosed, decided, sent_to_supplier, back_from_supplier, closed
    pub kind: String,
    pub note: String,
    pub by: String,
    pub at: String,
}

/// The return to the supplier (RMA).
#[derive(Serialize, ToSchema)]
pub struct SupplierReturnBody {
    pub rma_number: String,
    pub shipped_on: Option<String>,
    pub received_on: Option<String>,
    /// repaired, replaced, credited; empty while at the supplier
    pub outcome: String,
    /// Days from shipped to received back
    pub turnaround_days: i32,
    /// replaced: the supplier's new unit
    pub replacement_serial: String,
}

#[derive(Serialize, ToSchema)]
pub struct WarrantyCaseBody {
    pub id: i64,
    /// "BH-2026-0001"
    pub number: String,
    /// The customer request it came from; 0 when opened directly
    pub request_id: i64,
    pub product_id: i64,
    pub model_code: String,
    pub serial: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub order_number: String,
    pub shipped_on: Option<String>,
    pub warranty_months: i32,
    /// The contract's own warranty months given at opening; 0: the catalog's
    pub contract_warranty_months: i32,
    pub warranty_ends_on: Option<String>,
    /// Coverage as checked when the case was opened
    pub covered: bool,
    pub coverage_reason: String,
    pub complaint: String,
    /// open, diagnosed, decided, at_supplier, closed
    pub status: String,
    pub diagnosis: String,
    /// repair_in_house, repair_at_supplier, exchange, paid_repair; empty until decided
    pub decision: String,
    /// paid_repair: the quote, VND
    pub quote_amount: i64,
    /// The unit the customer has now in place of the faulty one
    pub replacement_serial: String,
    /// remaining (the original's warranty) or new
    pub replacement_warranty: String,
    pub exchanged_on: Option<String>,
    pub supplier_return: Option<SupplierReturnBody>,
    pub resolution: String,
    /// The office whose warehouse delivered the unit
    pub office: String,
    pub timeline: Vec<TimelineEntryBody>,
    pub version: i64,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<pb::WarrantyCase> for WarrantyCaseBody {
    fn from(c: pb::WarrantyCase) -> Self {
        WarrantyCaseBody {
            id: c.id,
            number: c.number,
            request_id: c.request_id,
            product_id: c.product_id,
            model_code: c.model_code,
            serial: c.serial,
            customer_id: c.customer_id,
            customer_name: c.customer_name,
            order_number: c.order_number,
            shipped_on: date_text(c.shipped_on.as_ref()),
            warranty_months: c.warranty_months,
            contract_warranty_months: c.contract_warranty_months,
            warranty_ends_on: date_text(c.warranty_ends_on.as_ref()),
            covered: c.covered,
            coverage_reason: c.coverage_reason,
            complaint: c.complaint,
            status: c.status,
            diagnosis: c.diagnosis,
            decision: c.decision,
            quote_amount: c.quote_amount,
            replacement_serial: c.replacement_serial,
            replacement_warranty: c.replacement_warranty,
            exchanged_on: date_text(c.exchanged_on.as_ref()),
            supplier_return: c.supplier_return.map(|r| SupplierReturnBody {
                rma_number: r.rma_number,
                shipped_on: date_text(r.shipped_on.as_ref()),
                received_on: date_text(r.received_on.as_ref()),
                outcome: r.outcome,
                turnaround_days: r.turnaround_days,
                replacement_serial: r.replacement_serial,
            }),
            resolution: c.resolution,
            office: office_text(c.office),
            timeline: c
                .timeline
                .into_iter()
                .map(|t| TimelineEntryBody { kind: t.kind, note: t.note, by: t.by, at: rfc3339(t.at.as_ref()) })
                .collect(),
            version: c.version,
            created_by: c.created_by,
            created_at: rfc3339(c.created_at.as_ref()),
            updated_at: rfc3339(c.updated_at.as_ref()),
        }
    }
}
