//! The VAT invoice (hóa đơn giá trị gia tăng) as PDF.

use atq_documents::{InvoiceDoc, InvoiceLine, VatSummaryRow};
use atq_platform::caller::Action;
use atq_proto::accountingwarehouse::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::{PrintQuery, company, customer_party, language, pdf_response, product_names};
use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::day_text;

/// The invoice as a printable PDF: amounts with and without VAT per rate, and the total in words.
#[utoipa::path(get, path = "/api/v1/invoices/{id}/pdf", tag = "accounting", params(("id" = i64, Path), PrintQuery),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), BadRequest, NotFound))]
pub async fn invoice_pdf(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<PrintQuery>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::ReadAccounts)?;
    let language = language(&query, &headers)?;
    let ctx = CallContext::read(&state, &caller);
    let invoice = ctx
        .call(&state.accounting, pb::GetInvoiceRequest { id }, |mut c, r| async move { c.get_invoice(r).await })
        .await?;
    // Reading the customer is also the office check sales staff get on the JSON route.
    let customer = customer_party(&state, &ctx, invoice.customer_id, "").await?;
    let names = product_names(&state, &ctx, invoice.lines.iter().map(|l| l.product_id).collect(), language).await?;
    let lines = invoice
        .lines
        .iter()
        .map(|l| {
            let (name, unit) = names.get(&l.product_id).cloned().unwrap_or_default();
            InvoiceLine {
                model_code: l.model_code.clone(),
                description: name,
                unit,
                quantity: l.quantity,
                unit_price: l.unit_price,
                vat_rate_bp: l.vat_rate_bp,
                net_amount: l.net_amount,
                vat_amount: l.vat_amount,
                discount_amount: l.discount_amount,
            }
        })
        .collect();
    let document = InvoiceDoc {
        company: company(),
        series: invoice.series.clone(),
        number: format!("{:07}", invoice.sequence),
        issue_date: vietnamese_date(&day_text(invoice.issue_date.as_ref())),
        due_date: vietnamese_date(&day_text(invoice.due_date.as_ref())),
        order_number: invoice.order_number.clone(),
        payment_method: String::new(),
        customer,
        lines,
        vat_summary: invoice
            .vat
            .iter()
            .map(|v| VatSummaryRow { vat_rate_bp: v.vat_rate_bp, net_amount: v.net_amount, vat_amount: v.vat_amount })
            .collect(),
        total_net: invoice.total_net,
        total_vat: invoice.total_vat,
        total_gross: invoice.total_gross,
        note: String::new(),
    };
    pdf_response(atq_documents::invoice_pdf(&document, language), &invoice.number)
}

/// `2026-12-01` → `01/12/2026`, as dates are printed on documents in either language.
pub fn vietnamese_date(iso: &str) -> String {
    match (iso.get(0..4), iso.get(5..7), iso.get(8..10)) {
        (Some(year), Some(month), Some(day)) => format!("{day}/{month}/{year}"),
        _ => iso.to_owned(),
    }
}
