//! The quote (báo giá) as PDF.

use atq_documents::{QuoteDoc, QuoteLine};
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
use crate::wire::{day_text, rfc3339};

/// The quote as a printable PDF, to send to the customer.
#[utoipa::path(get, path = "/api/v1/quotes/{id}/pdf", tag = "quotes", params(("id" = i64, Path), PrintQuery),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), BadRequest, NotFound))]
pub async fn quote_pdf(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<PrintQuery>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::ReadOrders)?;
    let language = language(&query, &headers)?;
    let ctx = CallContext::read(&state, &caller);
    let quote =
        ctx.call(&state.quotes, pb::GetQuoteRequest { id }, |mut c, r| async move { c.get_quote(r).await }).await?;
    let customer = customer_party(&state, &ctx, quote.customer_id, "").await?;
    let names = product_names(&state, &ctx, quote.lines.iter().map(|l| l.product_id).collect(), language).await?;
    let lines = quote
        .lines
        .iter()
        .map(|l| {
            let (name, unit) =
                names.get(&l.product_id).cloned().unwrap_or_else(|| (l.product_name.clone(), String::new()));
            QuoteLine {
                model_code: l.model_code.clone(),
                description: name,
                unit,
                quantity: l.quantity,
                unit_price: l.unit_price,
                discount_bp: l.discount_bp,
                net_unit_price: l.net_unit_price,
                vat_rate_bp: l.vat_rate_bp,
                net_amount: l.net_amount,
                vat_amount: l.vat_amount,
            }
        })
        .collect();
    let document = QuoteDoc {
        company: company(),
        number: quote.number.clone(),
        date: vietnamese_date(&rfc3339(quote.created_at.as_ref())),
        valid_until: vietnamese_date(&day_text(quote.valid_until.as_ref())),
        customer,
        contact_person: String::new(),
        prepared_by: quote.created_by.clone(),
        lines,
        total_net: quote.total_net,
        total_vat: quote.total_vat,
        total_gross: quote.total_gross,
        terms: quote.note.clone(),
    };
    pdf_response(atq_documents::quote_pdf(&document, language), &quote.number)
}
