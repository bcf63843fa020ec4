//! Invoices, as issued for dispatched orders.

use atq_platform::caller::Action;
use atq_proto::accountingwarehouse::v1 as pb;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, day_text, optional_id, page, rate_text, rfc3339};

use super::ensure_visible;

#[derive(Serialize, ToSchema)]
pub struct InvoiceLineBody {
    pub line_no: i32,
    pub product_id: i64,
    pub model_code: String,
    pub quantity: i64,
    /// VND per unit, without VAT, before discount
    pub unit_price: i64,
    pub vat_rate: String,
    /// The line's share of its order line's discount (chiết khấu thương mại), VND without VAT
    pub discount_amount: i64,
    /// quantity × unit_price less discount_amount
    pub net_amount: i64,
    pub vat_amount: i64,
}

#[derive(Serialize, ToSchema)]
pub struct VatSummaryBody {
    pub vat_rate: String,
    pub net_amount: i64,
    pub vat_amount: i64,
}

#[derive(Serialize, ToSchema)]
pub struct InvoiceBody {
    pub id: i64,
    /// Series and sequence, e.g. "C26TAQ-0000001"
    pub number: String,
    pub series: String,
    pub sequence: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub order_number: String,
    pub dispatch_number: String,
    pub issue_date: String,
    pub due_date: String,
    pub lines: Vec<InvoiceLineBody>,
    /// Totals per VAT rate
    pub vat: Vec<VatSummaryBody>,
    /// Sum of the lines' discounts, booked on 5211
    pub total_discount: i64,
    pub total_net: i64,
    pub total_vat: i64,
    pub total_gross: i64,
    pub paid: i64,
    pub open_amount: i64,
    /// open or paid
    pub status: String,
    pub created_at: String,
}

impl From<pb::Invoice> for InvoiceBody {
    fn from(i: pb::Invoice) -> Self {
        InvoiceBody {
            id: i.id,
            number: i.number,
            series: i.series,
            sequence: i.sequence,
            customer_id: i.customer_id,
            customer_name: i.customer_name,
            order_number: i.order_number,
            dispatch_number: i.dispatch_number,
            issue_date: day_text(i.issue_date.as_ref()),
            due_date: day_text(i.due_date.as_ref()),
            lines: i
                .lines
                .into_iter()
                .map(|l| InvoiceLineBody {
                    line_no: l.line_no,
                    product_id: l.product_id,
                    model_code: l.model_code,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    vat_rate: rate_text(l.vat_rate_bp),
                    discount_amount: l.discount_amount,
                    net_amount: l.net_amount,
                    vat_amount: l.vat_amount,
                })
                .collect(),
            vat: i
                .vat
                .into_iter()
                .map(|v| VatSummaryBody {
                    vat_rate: rate_text(v.vat_rate_bp),
                    net_amount: v.net_amount,
                    vat_amount: v.vat_amount,
                })
                .collect(),
            total_discount: i.total_discount,
            total_net: i.total_net,
            total_vat: i.total_vat,
            total_gross: i.total_gross,
            paid: i.paid,
            open_amount: i.open_amount,
            status: i.status,
            created_at: rfc3339(i.created_at.as_ref()),
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct InvoiceQuery {
    pub customer_id: Option<String>,
    /// open or paid
    pub status: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Invoices, one per shipment; sales staff must name a customer of their territory.
#[utoipa::path(get, path = "/api/v1/invoices", tag = "accounting", params(InvoiceQuery),
    responses((status = 200, body = ListBody<InvoiceBody>), BadRequest))]
pub async fn list_invoices(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<InvoiceQuery>,
) -> Result<axum::Json<ListBody<InvoiceBody>>, Problem> {
    caller.require(Action::ReadAccounts)?;
    let customer_id = optional_id("customer_id", query.customer_id.as_deref())?;
    if caller.role.is_office_scoped() && customer_id == 0 {
        return Err(Problem::field("customer_id", "is required for sales staff"));
    }
    ensure_visible(&state, &caller, customer_id).await?;
    let message = pb::ListInvoicesRequest {
        customer_id,
        status: query.status.unwrap_or_default(),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let page = ctx.call(&state.accounting, message, |mut c, r| async move { c.list_invoices(r).await }).await?;
    Ok(axum::Json(ListBody::new(page.items.into_iter().map(InvoiceBody::from).collect(), page.next_cursor)))
}

/// One invoice with its lines and VAT per rate.
#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "accounting", params(("id" = i64, Path)),
    responses((status = 200, body = InvoiceBody), NotFound))]
pub async fn get_invoice(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<InvoiceBody>, Problem> {
    caller.require(Action::ReadAccounts)?;
    let ctx = CallContext::read(&state, &caller);
    let invoice = ctx
        .call(&state.accounting, pb::GetInvoiceRequest { id }, |mut c, r| async move { c.get_invoice(r).await })
        .await?;
    ensure_visible(&state, &caller, invoice.customer_id).await?;
    Ok(axum::Json(InvoiceBody::from(invoice)))
}
