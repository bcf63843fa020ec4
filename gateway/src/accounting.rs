//! Accounting routes: invoices, payments, customer balances and aging, credit terms, and the
//! trial balance of the journal.

use atq_platform::Caller;
use atq_platform::business_time::{date_to_proto, parse_local_date};
use atq_platform::caller::Action;
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::sales::v1::GetCustomerRequest;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::{Problem, ProblemBody};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, optional_id, page, rate_text, rfc3339};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_invoices))
        .routes(routes!(get_invoice))
        .routes(routes!(record_payment))
        .routes(routes!(customer_balance))
        .routes(routes!(set_credit_terms))
        .routes(routes!(receivables_aging))
        .routes(routes!(trial_balance))
        .routes(routes!(reconciliation))
}

fn date_text(date: Option<&atq_proto::common::v1::LocalDate>) -> String {
    crate::wire::date_text(date).unwrap_or_default()
}

/// Sales staff follow the debts of their own territory's customers only.
async fn ensure_visible(state: &AppState, caller: &Caller, customer_id: i64) -> Result<(), Problem> {
    if !caller.role.is_office_scoped() {
        return Ok(());
    }
    let ctx = CallContext::read(state, caller);
    ctx.call(
        &state.customers,
        GetCustomerRequest { id: customer_id },
        |mut c, r| async move { c.get_customer(r).await },
    )
    .await
    .map(|_| ())
}

#[derive(Serialize, ToSchema)]
pub struct InvoiceLineBody {
    pub line_no: i32,
    pub product_id: i64,
    pub model_code: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub vat_rate: String,
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
            issue_date: date_text(i.issue_date.as_ref()),
            due_date: date_text(i.due_date.as_ref()),
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
    responses((status = 200, body = ListBody<InvoiceBody>), (status = 400, body = ProblemBody)))]
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
    responses((status = 200, body = InvoiceBody), (status = 404, body = ProblemBody)))]
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

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct PaymentBodyIn {
    pub customer_id: i64,
    /// VND
    pub amount: i64,
    /// YYYY-MM-DD; today when absent
    pub received_on: String,
    pub reference: String,
    /// bank (default) or cash
    pub method: String,
    /// Pay this invoice first; otherwise the oldest open invoices first.
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
    responses((status = 201, body = PaymentBody), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody)))]
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
        received_on: date_text(p.received_on.as_ref()),
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

#[derive(Serialize, ToSchema)]
pub struct AgingBucketBody {
    /// current, 1-30, 31-60, 61-90, >90 (days overdue)
    pub bucket: String,
    pub amount: i64,
}

fn aging_body(buckets: Vec<pb::AgingBucket>) -> Vec<AgingBucketBody> {
    buckets.into_iter().map(|b| AgingBucketBody { bucket: b.bucket, amount: b.amount }).collect()
}

#[derive(Serialize, ToSchema)]
pub struct BalanceBody {
    pub customer_id: i64,
    pub invoiced: i64,
    pub paid: i64,
    /// Receivable (131); negative is a credit
    pub balance: i64,
    /// 0 = no limit
    pub credit_limit: i64,
    pub payment_terms_days: i32,
    pub aging: Vec<AgingBucketBody>,
}

/// What a customer owes, by age, against its credit limit.
#[utoipa::path(get, path = "/api/v1/customers/{id}/balance", tag = "accounting", params(("id" = i64, Path)),
    responses((status = 200, body = BalanceBody), (status = 404, body = ProblemBody)))]
pub async fn customer_balance(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<BalanceBody>, Problem> {
    caller.require(Action::ReadAccounts)?;
    ensure_visible(&state, &caller, id).await?;
    let ctx = CallContext::read(&state, &caller);
    let b = ctx
        .call(&state.accounting, pb::CustomerBalanceRequest { customer_id: id }, |mut c, r| async move {
            c.get_customer_balance(r).await
        })
        .await?;
    Ok(axum::Json(BalanceBody {
        customer_id: b.customer_id,
        invoiced: b.invoiced,
        paid: b.paid,
        balance: b.balance,
        credit_limit: b.credit_limit,
        payment_terms_days: b.payment_terms_days,
        aging: aging_body(b.aging),
    }))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreditTermsBody {
    /// VND; 0 = no limit
    pub credit_limit: i64,
    pub payment_terms_days: i32,
}

/// Set a customer's credit limit and payment terms.
#[utoipa::path(put, path = "/api/v1/customers/{id}/credit-terms", tag = "accounting", request_body = CreditTermsBody,
    params(("id" = i64, Path)),
    responses((status = 200, body = CreditTermsBody), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody)))]
pub async fn set_credit_terms(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreditTermsBody>,
) -> Result<axum::Json<CreditTermsBody>, Problem> {
    caller.require(Action::SetCreditTerms)?;
    ensure_visible(&state, &caller, id).await?;
    let message = pb::SetCreditTermsRequest {
        customer_id: id,
        credit_limit: body.credit_limit,
        payment_terms_days: body.payment_terms_days,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let terms = ctx.call(&state.accounting, message, |mut c, r| async move { c.set_credit_terms(r).await }).await?;
    Ok(axum::Json(CreditTermsBody { credit_limit: terms.credit_limit, payment_terms_days: terms.payment_terms_days }))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct AgingQuery {
    /// YYYY-MM-DD; today when absent
    pub as_of: Option<String>,
    /// json (default) or csv
    pub format: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CustomerAgingBody {
    pub customer_id: i64,
    pub customer_name: String,
    pub buckets: Vec<AgingBucketBody>,
    pub total: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AgingBody {
    pub as_of: String,
    pub items: Vec<CustomerAgingBody>,
    pub totals: Vec<AgingBucketBody>,
}

/// Open receivables per customer by days overdue.
#[utoipa::path(get, path = "/api/v1/reports/receivables-aging", tag = "accounting", params(AgingQuery),
    responses((status = 200, body = AgingBody), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody)))]
pub async fn receivables_aging(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<AgingQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadAccounts)?;
    if caller.role.is_office_scoped() {
        return Err(Problem::from(atq_platform::Error::PermissionDenied(
            "the company-wide aging is for accounting and directors".into(),
        )));
    }
    let as_of = match query.as_of.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(text) => Some(date_to_proto(parse_local_date(text).map_err(|m| Problem::field("as_of", &m))?)),
    };
    let ctx = CallContext::read(&state, &caller);
    let aging = ctx
        .call(&state.accounting, pb::ReceivablesAgingRequest { as_of }, |mut c, r| async move {
            c.receivables_aging(r).await
        })
        .await?;
    let body = AgingBody {
        as_of: date_text(aging.as_of.as_ref()),
        items: aging
            .rows
            .into_iter()
            .map(|r| CustomerAgingBody {
                customer_id: r.customer_id,
                customer_name: r.customer_name,
                buckets: aging_body(r.buckets),
                total: r.total,
            })
            .collect(),
        totals: aging_body(aging.totals),
    };
    if query.format.as_deref() == Some("csv") {
        let mut text = String::from("customer_id,customer_name,current,1-30,31-60,61-90,>90,total\n");
        for row in &body.items {
            let amounts: Vec<String> = row.buckets.iter().map(|b| b.amount.to_string()).collect();
            text.push_str(&format!(
                "{},\"{}\",{},{}\n",
                row.customer_id,
                row.customer_name.replace('"', "\"\""),
                amounts.join(","),
                row.total
            ));
        }
        let headers = [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"receivables-aging-{}.csv\"", body.as_of)),
        ];
        return Ok((headers, text).into_response());
    }
    Ok(axum::Json(body).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct AccountBalanceBody {
    pub account: String,
    pub name: String,
    pub debit: i64,
    pub credit: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TrialBalanceBody {
    pub items: Vec<AccountBalanceBody>,
    pub total_debit: i64,
    pub total_credit: i64,
    pub balanced: bool,
}

/// Debits and credits per account; the journal balances when the totals agree.
#[utoipa::path(get, path = "/api/v1/accounting/trial-balance", tag = "accounting",
    responses((status = 200, body = TrialBalanceBody), (status = 403, body = ProblemBody)))]
pub async fn trial_balance(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> Result<axum::Json<TrialBalanceBody>, Problem> {
    caller.require(Action::WriteAccounts)?;
    let ctx = CallContext::read(&state, &caller);
    let t = ctx
        .call(&state.accounting, pb::TrialBalanceRequest {}, |mut c, r| async move { c.trial_balance(r).await })
        .await?;
    Ok(axum::Json(TrialBalanceBody {
        balanced: t.total_debit == t.total_credit,
        total_debit: t.total_debit,
        total_credit: t.total_credit,
        items: t
            .accounts
            .into_iter()
            .map(|a| AccountBalanceBody { account: a.account, name: a.name, debit: a.debit, credit: a.credit })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ReconciliationBody {
    pub total_debit: i64,
    pub total_credit: i64,
    /// Account 131 and the invoices less payments it should equal
    pub receivable_ledger: i64,
    pub receivable_documents: i64,
    /// Account 156 and the moving-average value of the stock on hand
    pub inventory_ledger: i64,
    pub inventory_valuation: i64,
    pub stock_units: i64,
    pub costed_units: i64,
    /// Everything above agrees
    pub agree: bool,
}

/// Whether the journal balances and agrees with invoices, payments and stock.
#[utoipa::path(get, path = "/api/v1/accounting/reconciliation", tag = "accounting",
    responses((status = 200, body = ReconciliationBody), (status = 403, body = ProblemBody)))]
pub async fn reconciliation(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> Result<axum::Json<ReconciliationBody>, Problem> {
    caller.require(Action::WriteAccounts)?;
    let ctx = CallContext::read(&state, &caller);
    let r =
        ctx.call(&state.accounting, pb::ReconcileRequest {}, |mut c, r| async move { c.reconcile(r).await }).await?;
    Ok(axum::Json(ReconciliationBody {
        total_debit: r.total_debit,
        total_credit: r.total_credit,
        receivable_ledger: r.receivable_ledger,
        receivable_documents: r.receivable_documents,
        inventory_ledger: r.inventory_ledger,
        inventory_valuation: r.inventory_valuation,
        stock_units: r.stock_units,
        costed_units: r.costed_units,
        agree: r.agree,
    }))
}
