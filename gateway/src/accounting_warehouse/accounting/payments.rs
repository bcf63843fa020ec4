//! Customer payments and the invoices they settle.

use atq_platform::business_time::{date_to_proto, parse_local_date};
use atq_platform::caller::Action;
use atq_proto::accountingwarehouse::v1 as pb;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{day_text, rfc3339};

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct PaymentBodyIn {
    #[schema(required = true, minimum = 1)]
    pub customer_id: i64,
    /// VND
    #[schema(required = true, minimum = 1, maximum = 1_000_000_000_000_000_i64)]
    pub amount: i64,
    /// YYYY-MM-DD; today when absent
    pub received_on: String,
    pub reference: String,
    /// bank (default) or cash
    pub method: String,
    /// Pay this invoice first; otherwise the oldest open invoices first.
    #[schema(minimum = 0)]
    pub invoice_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AllocationBody {
    pub invoice_id: i64,
    pub invoice_number: String,
    pub amount: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PaymentBody {
    pub id: i64,
    /// "PT-2026-0001"
    pub number: String,
    pub customer_id: i64,
    pub amount: i64,
    pub received_on: String,
    pub reference: String,
    pub method: String,
    pub allocations: Vec<AllocationBody>,
    /// Paid beyond the open invoices: the customer's credit
    pub unallocated: i64,
    pub created_by: String,
    pub created_at: String,
}

/// Record a payment received; it pays open invoices, oldest due first.
#[utoipa::path(post, path = "/api/v1/payments", tag = "accounting", request_body = PaymentBodyIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = PaymentBody), BadRequest, Forbidden, NotFound))]
pub async fn record_payment(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<PaymentBodyIn>,
) -> Result<(StatusCode, axum::Json<PaymentBody>), Problem> {
    caller.require(Action::WriteAccounts)?;
    let received_on = match body.received_on.trim() {
        "" => None,
        text => Some(date_to_proto(parse_local_date(text).map_err(|m| Problem::field("received_on", &m))?)),
    };
    let message = pb::RecordPaymentRequest {
        customer_id: body.customer_id,
        amount: body.amount,
        received_on,
        reference: body.reference,
        method: body.method,
        invoice_id: body.invoice_id,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let p = ctx.call(&state.accounting, message, |mut c, r| async move { c.record_payment(r).await }).await?;
    let body = PaymentBody {
        id: p.id,
        number: p.number,
        customer_id: p.customer_id,
        amount: p.amount,
        received_on: day_text(p.received_on.as_ref()),
        reference: p.reference,
        method: p.method,
        allocations: p
            .allocations
            .into_iter()
            .map(|a| AllocationBody { invoice_id: a.invoice_id, invoice_number: a.invoice_number, amount: a.amount })
            .collect(),
        unallocated: p.unallocated,
        created_by: p.created_by,
        created_at: rfc3339(p.created_at.as_ref()),
    };
    Ok((StatusCode::CREATED, axum::Json(body)))
}
