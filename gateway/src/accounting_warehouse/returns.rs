//! `/api/v1/returns`: delivered goods coming back against their invoice, with the reducing
//! invoice (hóa đơn điều chỉnh giảm) that adjusts it. Accounting creates them (accountant,
//! director, admin); whoever reads accounts reads them, sales staff those of their office.

use atq_platform::business_time::{date_to_proto, parse_local_date};
use atq_platform::caller::Action;
use atq_proto::accountingwarehouse::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{
    ListBody, day_text, enum_from_text, enum_text, office_text, optional_id, page, rate_text, record_response, rfc3339,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_return, list_returns)).routes(routes!(get_return))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ReturnLineIn {
    /// The line of the invoice the units were sold on.
    #[schema(required = true, minimum = 1, maximum = 500)]
    pub invoice_line_no: i32,
    #[schema(required = true, minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
    /// good (default) or damaged
    pub condition: String,
    /// Serial-tracked products: one per unit, delivered on the invoice.
    pub serials: Vec<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateReturnBody {
    #[schema(required = true, minimum = 1)]
    pub invoice_id: i64,
    /// YYYY-MM-DD; today when absent
    pub returned_on: String,
    #[schema(required = true, min_length = 1, max_length = 500)]
    pub reason: String,
    #[schema(required = true, min_items = 1, max_items = 500)]
    pub lines: Vec<ReturnLineIn>,
}

#[derive(Serialize, ToSchema)]
pub struct ReturnLineBody {
    pub line_no: i32,
    pub invoice_line_no: i32,
    pub product_id: i64,
    pub model_code: String,
    pub quantity: i64,
    /// good or damaged
    pub condition: String,
    pub serials: Vec<String>,
    pub unit_price: i64,
    pub vat_rate: String,
    /// Taken off the invoice (positive)
    pub net_amount: i64,
    pub vat_amount: i64,
    /// The cost the units left the warehouse at
    pub unit_cost: i64,
    pub cost_amount: i64,
}

#[derive(Serialize, ToSchema)]
pub struct VatRateBody {
    pub vat_rate: String,
    pub net_amount: i64,
    pub vat_amount: i64,
}

/// The reducing invoice; its amounts are negative.
#[derive(Serialize, ToSchema)]
pub struct AdjustingInvoiceBody {
    /// e.g. "C26TDC-0000001", gapless in its own series
    pub number: String,
    pub series: String,
    pub sequence: i64,
    pub adjusts_invoice_id: i64,
    pub adjusts_invoice_number: String,
    pub issue_date: String,
    pub vat: Vec<VatRateBody>,
    pub total_net: i64,
    pub total_vat: i64,
    pub total_gross: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ReturnBody {
    pub id: i64,
    /// "TL-2026-0001"
    pub number: String,
    pub invoice_id: i64,
    pub invoice_number: String,
    pub order_number: String,
    pub customer_id: i64,
    pub customer_name: String,
    /// The office whose warehouse took the goods back
    pub office: String,
    pub returned_on: String,
    pub reason: String,
    pub lines: Vec<ReturnLineBody>,
    pub total_net: i64,
    pub total_vat: i64,
    pub total_gross: i64,
    pub total_cost: i64,
    pub adjustment: Option<AdjustingInvoiceBody>,
    /// What the invoice's open amount fell by
    pub receivable_reduced: i64,
    /// Already paid for the returned goods: the customer's credit
    pub customer_credit: i64,
    pub created_by: String,
    pub created_at: String,
}

fn adjustment_body(a: pb::AdjustingInvoice) -> AdjustingInvoiceBody {
    AdjustingInvoiceBody {
        number: a.number,
        series: a.series,
        sequence: a.sequence,
        adjusts_invoice_id: a.adjusts_invoice_id,
        adjusts_invoice_number: a.adjusts_invoice_number,
        issue_date: day_text(a.issue_date.as_ref()),
        vat: a
            .vat
            .into_iter()
            .map(|v| VatRateBody {
                vat_rate: rate_text(v.vat_rate_bp),
                net_amount: v.net_amount,
                vat_amount: v.vat_amount,
            })
            .collect(),
        total_net: a.total_net,
        total_vat: a.total_vat,
        total_gross: a.total_gross,
    }
}

fn line_body(l: pb::SalesReturnLine) -> ReturnLineBody {
    ReturnLineBody {
        line_no: l.line_no,
        invoice_line_no: l.invoice_line_no,
        product_id: l.product_id,
        model_code: l.model_code,
        quantity: l.quantity,
        condition: enum_text::<pb::Condition>(l.condition),
        serials: l.serials,
        unit_price: l.unit_price,
        vat_rate: rate_text(l.vat_rate_bp),
        net_amount: l.net_amount,
        vat_amount: l.vat_amount,
        unit_cost: l.unit_cost,
        cost_amount: l.cost_amount,
    }
}

impl From<pb::SalesReturn> for ReturnBody {
    fn from(r: pb::SalesReturn) -> Self {
        ReturnBody {
            id: r.id,
            number: r.number,
            invoice_id: r.invoice_id,
            invoice_number: r.invoice_number,
            order_number: r.order_number,
            customer_id: r.customer_id,
            customer_name: r.customer_name,
            office: office_text(r.office),
            returned_on: day_text(r.returned_on.as_ref()),
            reason: r.reason,
            lines: r.lines.into_iter().map(line_body).collect(),
            total_net: r.total_net,
            total_vat: r.total_vat,
            total_gross: r.total_gross,
            total_cost: r.total_cost,
            adjustment: r.adjustment.map(adjustment_body),
            receivable_reduced: r.receivable_reduced,
            customer_credit: r.customer_credit,
            created_by: r.created_by,
            created_at: rfc3339(r.created_at.as_ref()),
        }
    }
}

/// A return is never edited: its ETag is always "1".
fn return_response(status: StatusCode, sales_return: pb::SalesReturn) -> Response {
    let location = format!("/api/v1/returns/{}", sales_return.id);
    record_response(status, ReturnBody::from(sales_return), 1, &location)
}

/// Take delivered goods back against their invoice: stock and serials back in (good or damaged),
/// a reducing invoice, the receivable, VAT and sales reduced. The same `Idempotency-Key` with the
/// same body returns the first return.
#[utoipa::path(post, path = "/api/v1/returns", tag = "accounting", request_body = CreateReturnBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = ReturnBody), BadRequest, Forbidden, NotFound))]
pub async fn create_return(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateReturnBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteAccounts)?;
    let returned_on = match body.returned_on.trim() {
        "" => None,
        text => Some(date_to_proto(parse_local_date(text).map_err(|m| Problem::field("returned_on", &m))?)),
    };
    let lines = body
        .lines
        .into_iter()
        .map(|l| pb::ReturnLineRequest {
            invoice_line_no: l.invoice_line_no,
            quantity: l.quantity,
            condition: enum_from_text::<pb::Condition>(&l.condition),
            serials: l.serials,
        })
        .collect();
    let message = pb::CreateReturnRequest { invoice_id: body.invoice_id, returned_on, reason: body.reason, lines };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let created = ctx.call(&state.returns, message, |mut c, r| async move { c.create_return(r).await }).await?;
    Ok(return_response(StatusCode::CREATED, created))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ReturnQuery {
    pub customer_id: Option<String>,
    pub invoice_id: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Returns, newest last; of a customer or an invoice when named.
#[utoipa::path(get, path = "/api/v1/returns", tag = "accounting", params(ReturnQuery),
    responses((status = 200, body = ListBody<ReturnBody>), BadRequest, Forbidden))]
pub async fn list_returns(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ReturnQuery>,
) -> Result<axum::Json<ListBody<ReturnBody>>, Problem> {
    caller.require(Action::ReadAccounts)?;
    let message = pb::ListReturnsRequest {
        customer_id: optional_id("customer_id", query.customer_id.as_deref())?,
        invoice_id: optional_id("invoice_id", query.invoice_id.as_deref())?,
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let page = ctx.call(&state.returns, message, |mut c, r| async move { c.list_returns(r).await }).await?;
    Ok(axum::Json(ListBody::new(page.items.into_iter().map(ReturnBody::from).collect(), page.next_cursor)))
}

/// One return with its lines and its reducing invoice.
#[utoipa::path(get, path = "/api/v1/returns/{id}", tag = "accounting", params(("id" = i64, Path)),
    responses((status = 200, body = ReturnBody), NotFound))]
pub async fn get_return(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadAccounts)?;
    let ctx = CallContext::read(&state, &caller);
    let found =
        ctx.call(&state.returns, pb::GetReturnRequest { id }, |mut c, r| async move { c.get_return(r).await }).await?;
    Ok(return_response(StatusCode::OK, found))
}
