//! Sales bonuses for customers (thưởng doanh số) on paid revenue: the schemes (per dealer tier
//! or customer group, per quarter or year, stepped rates), the monthly accrual, settlement as a
//! credit note or a payment, and a customer's statement of what counted. Accounting and directors
//! keep them (WriteAccounts); whoever reads accounts reads them, sales staff their own customers'.

use atq_platform::business_time::{date_to_proto, parse_local_date};
use atq_platform::caller::Action;
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::accountingwarehouse::v1::bonuses_client::BonusesClient;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tonic::transport::Channel;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, day_text, page, record_response, rfc3339};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_scheme, list_schemes))
        .routes(routes!(get_scheme))
        .routes(routes!(run_accrual))
        .routes(routes!(bonus_statement))
        .routes(routes!(settle))
}

fn client(state: &AppState) -> Result<BonusesClient<Channel>, Problem> {
    Ok(BonusesClient::new(state.channel("accounting-warehouse")?))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct BonusStepBody {
    /// Paid net revenue (VND, without VAT) from which the rate applies
    #[schema(required = true, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub threshold: i64,
    /// Basis points of the whole paid net revenue: 150 = 1.5%
    #[schema(required = true, minimum = 0, maximum = 10_000)]
    pub rate_bp: i32,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct BonusSchemeIn {
    #[schema(required = true, min_length = 1, max_length = 200)]
    pub name: String,
    /// tier or group
    #[schema(required = true)]
    pub target_kind: String,
    /// A tier (distributor, tier1, tier2) or a group (individual, dealer, project)
    #[schema(required = true)]
    pub target: String,
    /// quarter or year
    #[schema(required = true)]
    pub period_kind: String,
    /// YYYY-MM-DD: the scheme applies to the periods that start on or after it
    #[schema(required = true)]
    pub effective_from: String,
    /// Ascending thresholds; the highest one reached gives the rate
    #[schema(required = true, min_items = 1, max_items = 20)]
    pub steps: Vec<BonusStepBody>,
}

#[derive(Serialize, ToSchema)]
pub struct BonusSchemeBody {
    pub id: i64,
    pub name: String,
    pub target_kind: String,
    pub target: String,
    pub period_kind: String,
    pub effective_from: String,
    pub steps: Vec<BonusStepBody>,
    pub created_by: String,
    pub created_at: String,
}

impl From<pb::BonusScheme> for BonusSchemeBody {
    fn from(s: pb::BonusScheme) -> Self {
        BonusSchemeBody {
            id: s.id,
            name: s.name,
            target_kind: s.target_kind,
            target: s.target,
            period_kind: s.period_kind,
            effective_from: day_text(s.effective_from.as_ref()),
            steps: s.steps.into_iter().map(|s| BonusStepBody { threshold: s.threshold, rate_bp: s.rate_bp }).collect(),
            created_by: s.created_by,
            created_at: rfc3339(s.created_at.as_ref()),
        }
    }
}

/// A scheme is never edited (a newer one takes over from its date): its ETag is always "1".
fn scheme_response(status: StatusCode, scheme: pb::BonusScheme) -> Response {
    let location = format!("/api/v1/bonus-schemes/{}", scheme.id);
    record_response(status, BonusSchemeBody::from(scheme), 1, &location)
}

/// Add a bonus scheme; it takes over from an older one of the same target and period kind for
/// the periods that start on or after its date.
#[utoipa::path(post, path = "/api/v1/bonus-schemes", tag = "accounting", request_body = BonusSchemeIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = BonusSchemeBody), BadRequest, Forbidden))]
pub async fn create_scheme(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<BonusSchemeIn>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteAccounts)?;
    let effective_from = match body.effective_from.trim() {
        "" => None,
        text => Some(date_to_proto(parse_local_date(text).map_err(|m| Problem::field("effective_from", &m))?)),
    };
    let message = pb::CreateBonusSchemeRequest {
        name: body.name,
        target_kind: body.target_kind,
        target: body.target,
        period_kind: body.period_kind,
        effective_from,
        steps: body.steps.into_iter().map(|s| pb::BonusStep { threshold: s.threshold, rate_bp: s.rate_bp }).collect(),
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let created = ctx.call(&client(&state)?, message, |mut c, r| async move { c.create_bonus_scheme(r).await }).await?;
    Ok(scheme_response(StatusCode::CREATED, created))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct SchemeQuery {
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Bonus schemes, oldest first.
#[utoipa::path(get, path = "/api/v1/bonus-schemes", tag = "accounting", params(SchemeQuery),
    responses((status = 200, body = ListBody<BonusSchemeBody>), BadRequest, Forbidden))]
pub async fn list_schemes(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<SchemeQuery>,
) -> Result<axum::Json<ListBody<BonusSchemeBody>>, Problem> {
    caller.require(Action::ReadAccounts)?;
    let message = pb::ListBonusSchemesRequest { page: page(query.limit.as_deref(), query.cursor)? };
    let ctx = CallContext::read(&state, &caller);
    let found = ctx.call(&client(&state)?, message, |mut c, r| async move { c.list_bonus_schemes(r).await }).await?;
    Ok(axum::Json(ListBody::new(found.items.into_iter().map(BonusSchemeBody::from).collect(), found.next_cursor)))
}

/// One bonus scheme.
#[utoipa::path(get, path = "/api/v1/bonus-schemes/{id}", tag = "accounting", params(("id" = i64, Path)),
    responses((status = 200, body = BonusSchemeBody), Forbidden, NotFound))]
pub async fn get_scheme(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadAccounts)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::GetBonusSchemeRequest { id };
    let found = ctx.call(&client(&state)?, message, |mut c, r| async move { c.get_bonus_scheme(r).await }).await?;
    Ok(scheme_response(StatusCode::OK, found))
}

#[derive(Serialize, ToSchema)]
pub struct BonusMovementBody {
    pub id: i64,
    pub customer_id: i64,
    pub period: String,
    /// accrual (641 / 3388, negative when the payable falls), settlement (3388 / 131, 112 or
    /// 111), clawback (131 / 641)
    pub kind: String,
    pub amount: i64,
    /// YYYY-MM of an accrual
    pub month: String,
    /// credit_note, bank or cash, of a settlement
    pub method: String,
    pub scheme_id: i64,
    /// The journal entry: "TDS-2026-0001"
    pub document_number: String,
    pub entry_date: String,
    pub created_by: String,
    pub created_at: String,
}

impl From<pb::BonusMovement> for BonusMovementBody {
    fn from(m: pb::BonusMovement) -> Self {
        BonusMovementBody {
            id: m.id,
            customer_id: m.customer_id,
            period: m.period,
            kind: m.kind,
            amount: m.amount,
            month: m.month,
            method: m.method,
            scheme_id: m.scheme_id,
            document_number: m.document_number,
            entry_date: day_text(m.entry_date.as_ref()),
            created_by: m.created_by,
            created_at: rfc3339(m.created_at.as_ref()),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct BonusAccrualIn {
    /// YYYY-MM, not a month to come
    #[schema(required = true, example = "2026-10")]
    pub month: String,
}

#[derive(Serialize, ToSchema)]
pub struct BonusAccrualBody {
    pub month: String,
    /// One per customer and period whose payable changed
    pub accruals: Vec<BonusMovementBody>,
    pub total: i64,
}

/// Accrue the month: every customer's quarter and year, counted to the month's end, brought to
/// what they have earned and not yet settled. Running a month again posts only what changed.
#[utoipa::path(post, path = "/api/v1/bonus-accruals", tag = "accounting", request_body = BonusAccrualIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 200, body = BonusAccrualBody), BadRequest, Forbidden))]
pub async fn run_accrual(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<BonusAccrualIn>,
) -> Result<axum::Json<BonusAccrualBody>, Problem> {
    caller.require(Action::WriteAccounts)?;
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let message = pb::RunBonusAccrualRequest { month: body.month };
    let run = ctx.call(&client(&state)?, message, |mut c, r| async move { c.run_bonus_accrual(r).await }).await?;
    Ok(axum::Json(BonusAccrualBody {
        month: run.month,
        accruals: run.accruals.into_iter().map(BonusMovementBody::from).collect(),
        total: run.total,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct BonusPaidLineBody {
    pub payment_id: i64,
    pub payment_number: String,
    pub received_on: String,
    pub invoice_id: i64,
    pub invoice_number: String,
    pub invoice_date: String,
    /// Allocated to the invoice, with VAT, after returns
    pub allocated: i64,
    /// Without VAT, pro rata to the invoice, rounded half up
    pub net: i64,
}

#[derive(Serialize, ToSchema)]
pub struct BonusStatementBody {
    pub customer_id: i64,
    /// "2026-Q4" or "2026"
    pub period: String,
    pub period_start: String,
    pub period_end: String,
    pub customer_group: String,
    pub customer_tier: String,
    /// The scheme that applies, if any
    pub scheme: Option<BonusSchemeBody>,
    /// Each payment received in the period and the invoice it paid
    pub lines: Vec<BonusPaidLineBody>,
    pub paid_gross: i64,
    pub paid_net: i64,
    pub threshold_reached: i64,
    pub rate_bp: i32,
    /// paid_net × rate_bp / 10000, rounded half up
    pub earned: i64,
    pub accrued: i64,
    /// Settled less clawed back
    pub settled: i64,
    pub clawed_back: i64,
    /// Still owed on 3388
    pub payable: i64,
    pub movements: Vec<BonusMovementBody>,
}

impl From<pb::BonusStatement> for BonusStatementBody {
    fn from(s: pb::BonusStatement) -> Self {
        let line = |l: pb::BonusPaidLine| BonusPaidLineBody {
            payment_id: l.payment_id,
            payment_number: l.payment_number,
            received_on: day_text(l.received_on.as_ref()),
            invoice_id: l.invoice_id,
            invoice_number: l.invoice_number,
            invoice_date: day_text(l.invoice_date.as_ref()),
            allocated: l.allocated,
            net: l.net,
        };
        BonusStatementBody {
            customer_id: s.customer_id,
            period: s.period,
            period_start: day_text(s.period_start.as_ref()),
            period_end: day_text(s.period_end.as_ref()),
            customer_group: s.customer_group,
            customer_tier: s.customer_tier,
            scheme: s.scheme.map(BonusSchemeBody::from),
            lines: s.lines.into_iter().map(line).collect(),
            paid_gross: s.paid_gross,
            paid_net: s.paid_net,
            threshold_reached: s.threshold_reached,
            rate_bp: s.rate_bp,
            earned: s.earned,
            accrued: s.accrued,
            settled: s.settled,
            clawed_back: s.clawed_back,
            payable: s.payable,
            movements: s.movements.into_iter().map(BonusMovementBody::from).collect(),
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct StatementQuery {
    /// "2026-Q4" or "2026"
    #[param(required = true)]
    pub period: Option<String>,
}

/// A customer's bonus statement for a quarter or a year: every payment and invoice that counted.
#[utoipa::path(get, path = "/api/v1/customers/{id}/bonus-statement", tag = "accounting",
    params(("id" = i64, Path), StatementQuery),
    responses((status = 200, body = BonusStatementBody), BadRequest, Forbidden, NotFound))]
pub async fn bonus_statement(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<StatementQuery>,
) -> Result<axum::Json<BonusStatementBody>, Problem> {
    caller.require(Action::ReadAccounts)?;
    let message = pb::GetBonusStatementRequest { customer_id: id, period: query.period.unwrap_or_default() };
    let ctx = CallContext::read(&state, &caller);
    let found = ctx.call(&client(&state)?, message, |mut c, r| async move { c.get_bonus_statement(r).await }).await?;
    Ok(axum::Json(BonusStatementBody::from(found)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct BonusSettlementIn {
    /// "2026-Q4" or "2026"
    #[schema(required = true, example = "2026-Q4")]
    pub period: String,
    /// credit_note (default: against the customer's debt), bank or cash
    pub method: String,
}

/// Settle a customer's bonus for a period: what it has earned is accrued, then all that is owed
/// is paid as a credit note against its debt or in money. A return later claws back.
#[utoipa::path(post, path = "/api/v1/customers/{id}/bonus-settlements", tag = "accounting",
    request_body = BonusSettlementIn, params(("id" = i64, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 200, body = BonusStatementBody), BadRequest, Forbidden, NotFound))]
pub async fn settle(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<BonusSettlementIn>,
) -> Result<axum::Json<BonusStatementBody>, Problem> {
    caller.require(Action::WriteAccounts)?;
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let message = pb::SettleBonusRequest { customer_id: id, period: body.period, method: body.method };
    let settled = ctx.call(&client(&state)?, message, |mut c, r| async move { c.settle_bonus(r).await }).await?;
    Ok(axum::Json(BonusStatementBody::from(settled)))
}
