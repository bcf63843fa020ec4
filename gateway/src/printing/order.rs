//! The sales order (đơn đặt hàng) as PDF, for the customer to sign.

use atq_documents::{SalesOrderDoc, SalesOrderLine};
use atq_platform::business_time::{local_date, timestamp_micros};
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
use crate::wire::{day_text, office_text};

/// The day the order was made, in Việt Nam: dd/mm/yyyy.
fn order_date(order: &pb::Order) -> String {
    order
        .created_at
        .as_ref()
        .map(|at| local_date(timestamp_micros(at)).format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

/// The sales order as a printable PDF: the lines with their delivery dates, the totals in words
/// and the boxes for the customer's and the company's signatures.
#[utoipa::path(get, path = "/api/v1/orders/{id}/pdf", tag = "orders", params(("id" = i64, Path), PrintQuery),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), BadRequest, NotFound))]
pub async fn order_pdf(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<PrintQuery>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::ReadOrders)?;
    let language = language(&query, &headers)?;
    let ctx = CallContext::read(&state, &caller);
    let order =
        ctx.call(&state.orders, pb::GetOrderRequest { id }, |mut c, r| async move { c.get_order(r).await }).await?;
    let customer = customer_party(&state, &ctx, order.customer_id, "").await?;
    let names = product_names(&state, &ctx, order.lines.iter().map(|l| l.product_id).collect(), language).await?;
    let lines = order
        .lines
        .iter()
        .map(|l| {
            let (name, unit) =
                names.get(&l.product_id).cloned().unwrap_or_else(|| (l.product_name.clone(), String::new()));
            SalesOrderLine {
                model_code: l.model_code.clone(),
                description: name,
                unit,
                quantity: l.quantity,
                unit_price: l.unit_price,
                vat_rate_bp: l.vat_rate_bp,
                net_amount: l.net_amount,
                vat_amount: l.vat_amount,
                delivery_date: vietnamese_date(&day_text(l.delivery_date.as_ref())),
                discount_amount: l.discount_amount,
                promotions: l.promotions.clone(),
            }
        })
        .collect();
    let document = SalesOrderDoc {
        company: company(),
        number: order.number.clone(),
        date: order_date(&order),
        customer,
        contract_number: order.contract_number.clone(),
        quote_number: order.quote_number.clone(),
        warehouse: office_text(order.warehouse),
        // Orders carry no payment terms of their own; the contract's govern.
        payment_terms: String::new(),
        prepared_by: order.created_by.clone(),
        lines,
        total_net: order.total_net,
        total_vat: order.total_vat,
        total_gross: order.total_gross,
        note: order.note.clone(),
    };
    pdf_response(atq_documents::sales_order_pdf(&document, language), &order.number)
}
