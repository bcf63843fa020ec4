//! What customers owe: balances, credit terms and the aging of open receivables.

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::accountingwarehouse::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{CsvLayout, CsvSheet, day_text, optional_date};

use super::ensure_visible;

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
    responses((status = 200, body = BalanceBody), NotFound))]
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
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub credit_limit: i64,
    #[schema(minimum = 0, maximum = 365)]
    pub payment_terms_days: i32,
}

/// Set a customer's credit limit and payment terms.
#[utoipa::path(put, path = "/api/v1/customers/{id}/credit-terms", tag = "accounting", request_body = CreditTermsBody,
    params(("id" = i64, Path)),
    responses((status = 200, body = CreditTermsBody), BadRequest, Forbidden))]
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
    responses((status = 200, body = AgingBody), BadRequest, Forbidden))]
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
    let mut v = Violations::new();
    let as_of = optional_date(&mut v, "as_of", query.as_of.as_deref());
    v.finish()?;
    let ctx = CallContext::read(&state, &caller);
    let aging = ctx
        .call(&state.accounting, pb::ReceivablesAgingRequest { as_of }, |mut c, r| async move {
            c.receivables_aging(r).await
        })
        .await?;
    let body = AgingBody {
        as_of: day_text(aging.as_of.as_ref()),
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
        return aging_csv(&body);
    }
    Ok(axum::Json(body).into_response())
}

/// One row per customer: the amount in each bucket, then the total.
fn aging_csv(body: &AgingBody) -> Result<Response, Problem> {
    let header = ["customer_id", "customer_name", "current", "1-30", "31-60", "61-90", ">90", "total"];
    let mut sheet = CsvSheet::new(CsvLayout::Plain, &header)?;
    for row in &body.items {
        let amounts = row.buckets.iter().map(|b| b.amount.to_string());
        let fields = [row.customer_id.to_string(), row.customer_name.clone()];
        sheet.row(fields.into_iter().chain(amounts).chain([row.total.to_string()]))?;
    }
    sheet.attachment(&format!("receivables-aging-{}.csv", body.as_of))
}
