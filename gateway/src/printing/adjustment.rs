//! The reducing invoice (hóa đơn điều chỉnh giảm) of a return, as PDF.

use atq_documents::{AdjustmentDoc, InvoiceLine, VatSummaryRow};
use atq_platform::caller::Action;
use atq_proto::accountingwarehouse::v1 as pb;
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
use crate::wire::day_text;

/// The returned lines as the reducing invoice prints them: quantities and amounts negative.
fn reduced_lines(
    sales_return: &pb::SalesReturn,
    names: &std::collections::HashMap<i64, (String, String)>,
) -> Vec<InvoiceLine> {
    sales_return
        .lines
        .iter()
        .map(|l| {
            let (name, unit) = names.get(&l.product_id).cloned().unwrap_or_default();
            InvoiceLine {
                discount_amount: 0,
                model_code: l.model_code.clone(),
                description: name,
                unit,
                quantity: l.quantity.saturating_neg(),
                unit_price: l.unit_price,
                vat_rate_bp: l.vat_rate_bp,
                net_amount: l.net_amount.saturating_neg(),
                vat_amount: l.vat_amount.saturating_neg(),
            }
        })
        .collect()
}

/// A return's reducing invoice as a printable PDF: the invoice it adjusts, the returned lines and
/// the reduction in words. 404 when the return has no reducing invoice.
#[utoipa::path(get, path = "/api/v1/returns/{id}/pdf", tag = "accounting", params(("id" = i64, Path), PrintQuery),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), BadRequest, NotFound))]
pub async fn return_pdf(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<PrintQuery>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::ReadAccounts)?;
    let language = language(&query, &headers)?;
    let ctx = CallContext::read(&state, &caller);
    let sales_return =
        ctx.call(&state.returns, pb::GetReturnRequest { id }, |mut c, r| async move { c.get_return(r).await }).await?;
    let Some(adjustment) = sales_return.adjustment.as_ref() else {
        return Err(Problem::from(atq_platform::Error::NotFound(format!("the reducing invoice of return {id}"))));
    };
    let original = ctx
        .call(&state.accounting, pb::GetInvoiceRequest { id: adjustment.adjusts_invoice_id }, |mut c, r| async move {
            c.get_invoice(r).await
        })
        .await?;
    // Reading the customer is also the office check sales staff get on the JSON route.
    let customer = customer_party(&state, &ctx, sales_return.customer_id, "").await?;
    let names =
        product_names(&state, &ctx, sales_return.lines.iter().map(|l| l.product_id).collect(), language).await?;
    let document = AdjustmentDoc {
        company: company(),
        series: adjustment.series.clone(),
        // The number within its series, as on the invoice: "0000001".
        number: format!("{:07}", adjustment.sequence),
        issue_date: vietnamese_date(&day_text(adjustment.issue_date.as_ref())),
        adjusts_number: adjustment.adjusts_invoice_number.clone(),
        adjusts_date: vietnamese_date(&day_text(original.issue_date.as_ref())),
        return_number: sales_return.number.clone(),
        customer,
        lines: reduced_lines(&sales_return, &names),
        vat_summary: adjustment
            .vat
            .iter()
            .map(|v| VatSummaryRow { vat_rate_bp: v.vat_rate_bp, net_amount: v.net_amount, vat_amount: v.vat_amount })
            .collect(),
        total_net: adjustment.total_net,
        total_vat: adjustment.total_vat,
        total_gross: adjustment.total_gross,
        reason: sales_return.reason.clone(),
    };
    pdf_response(atq_documents::adjustment_pdf(&document, language), &adjustment.number)
}
