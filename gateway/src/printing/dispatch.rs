//! The dispatch order (lệnh xuất bán) as PDF, for the warehouse.

use atq_documents::{DispatchLine, DispatchOrderDoc};
use atq_platform::caller::Action;
use atq_proto::sales::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::invoice::vietnamese_date;
use super::{PrintQuery, company, customer_party, language, pdf_response, product_names};
use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{office_text, rfc3339};

/// The dispatch order as a printable PDF, with the serial numbers picked once shipped.
#[utoipa::path(get, path = "/api/v1/dispatch-orders/{id}/pdf", tag = "dispatch orders",
    params(("id" = i64, Path), PrintQuery),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), BadRequest, NotFound))]
pub async fn dispatch_order_pdf(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<PrintQuery>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::ReadOrders)?;
    let language = language(&query, &headers)?;
    let ctx = CallContext::read(&state, &caller);
    let dispatch = ctx
        .call(&state.dispatch_orders, pb::GetDispatchOrderRequest { id }, |mut c, r| async move {
            c.get_dispatch_order(r).await
        })
        .await?;
    let customer = customer_party(&state, &ctx, dispatch.customer_id, "").await?;
    let names = product_names(&state, &ctx, dispatch.lines.iter().map(|l| l.product_id).collect(), language).await?;
    let lines = dispatch
        .lines
        .iter()
        .map(|l| {
            let (name, unit) = names.get(&l.product_id).cloned().unwrap_or_default();
            DispatchLine {
                model_code: l.model_code.clone(),
                description: name,
                unit,
                quantity: l.quantity,
                serials: l.serials.clone(),
            }
        })
        .collect();
    let document = DispatchOrderDoc {
        company: company(),
        number: dispatch.number.clone(),
        date: vietnamese_date(&rfc3339(dispatch.created_at.as_ref())),
        order_number: dispatch.order_number.clone(),
        warehouse: office_text(dispatch.warehouse),
        delivery_address: customer.address.clone(),
        customer,
        requested_by: dispatch.requested_by.clone(),
        approved_by: dispatch.decided_by.clone(),
        lines,
        note: dispatch.decision_note.clone(),
    };
    pdf_response(atq_documents::dispatch_order_pdf(&document, language), &dispatch.number)
}
