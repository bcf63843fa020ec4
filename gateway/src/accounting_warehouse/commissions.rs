//! Commissions for sales staff (hoa hồng): the plans (per role, office or person, a rate per
//! product category on paid revenue or gross margin, versioned by effective date), a person's
//! monthly statement of what was earned and reversed, and the month's accrual (641 / 334).
//! Directors keep the plans; accounting and directors accrue; a sales rep reads their own
//! statement, a sales manager those of their office, accounting and directors everyone's. The
//! gateway keeps the staff, so it names the person's role and office to the service.

use atq_platform::business_time::{date_to_proto, parse_local_date};
use atq_platform::caller::Action;
use atq_platform::{Caller, Role};
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::accountingwarehouse::v1::commissions_client::CommissionsClient;
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
        .routes(routes!(create_plan, list_plans))
        .routes(routes!(get_plan))
        .routes(routes!(add_version))
        .routes(routes!(statement))
        .routes(routes!(run_accrual))
}

fn client(state: &AppState) -> Result<CommissionsClient<Channel>, Problem> {
    Ok(CommissionsClient::new(state.channel("accounting-warehouse")?))
}

/// Plans say what sales staff are paid: the directors' decision.
fn require_director(caller: &Caller) -> Result<(), Problem> {
    caller.require(Action::DecideDealers).map_err(Problem::from)
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CommissionRateBody {
    /// physics, chemistry, biology, electrical, electronics, it, automation or environment
    #[schema(required = true)]
    pub category: String,
    /// Basis points of the basis: 150 = 1.5%
    #[schema(required = true, minimum = 0, maximum = 10_000)]
    pub rate_bp: i32,
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CommissionTermsIn {
    /// YYYY-MM-DD: payments dated on or after it are paid under these terms
    #[schema(required = true, example = "2026-11-01")]
    pub effective_from: String,
    /// paid_revenue or gross_margin (net less the cost of the goods issued)
    #[schema(required = true, example = "paid_revenue")]
    pub basis: String,
    /// The rate of a category not listed
    #[schema(required = true, minimum = 0, maximum = 10_000)]
    pub default_rate_bp: i32,
    #[schema(max_items = 8)]
    pub rates: Vec<CommissionRateBody>,
}

impl CommissionTermsIn {
    /// `prefix` names the terms in a field error: "terms." in a new plan, "" in a new version.
    fn into_proto(self, prefix: &str) -> Result<pb::CommissionTerms, Problem> {
        let effective_from = match self.effective_from.trim() {
            "" => None,
            text => Some(date_to_proto(
                parse_local_date(text).map_err(|m| Problem::field(&format!("{prefix}effective_from"), &m))?,
            )),
        };
        Ok(pb::CommissionTerms {
            effective_from,
            basis: self.basis,
            default_rate_bp: self.default_rate_bp,
            rates: self
                .rates
                .into_iter()
                .map(|r| pb::CommissionCategoryRate { category: r.category, rate_bp: r.rate_bp })
                .collect(),
        })
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CommissionPlanIn {
    #[schema(required = true, min_length = 1, max_length = 200)]
    pub name: String,
    /// sales_rep, sales_manager, or empty for every role
    pub role: String,
    /// HN, HCM, DL, or empty for every office
    pub office: String,
    /// One person's plan, or empty
    #[schema(max_length = 100)]
    pub username: String,
    /// The first version's terms
    #[schema(required = true)]
    pub terms: CommissionTermsIn,
}

#[derive(Serialize, ToSchema)]
pub struct CommissionVersionBody {
    pub version: i32,
    pub effective_from: String,
    pub basis: String,
    pub default_rate_bp: i32,
    pub rates: Vec<CommissionRateBody>,
    pub created_by: String,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct CommissionPlanBody {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub office: String,
    pub username: String,
    /// Oldest first; each applies from its date, never to what was earned before it
    pub versions: Vec<CommissionVersionBody>,
    pub created_by: String,
    pub created_at: String,
}

impl From<pb::CommissionPlan> for CommissionPlanBody {
    fn from(p: pb::CommissionPlan) -> Self {
        let version = |v: pb::CommissionPlanVersion| CommissionVersionBody {
            version: v.version,
            effective_from: day_text(v.effective_from.as_ref()),
            basis: v.basis,
            default_rate_bp: v.default_rate_bp,
            rates: v
                .rates
                .into_iter()
                .map(|r| CommissionRateBody { category: r.category, rate_bp: r.rate_bp })
                .collect(),
            created_by: v.created_by,
            created_at: rfc3339(v.created_at.as_ref()),
        };
        CommissionPlanBody {
            id: p.id,
            name: p.name,
            role: p.role,
            office: p.office,
            username: p.username,
            versions: p.versions.into_iter().map(version).collect(),
            created_by: p.created_by,
            created_at: rfc3339(p.created_at.as_ref()),
        }
    }
}

/// The ETag of a plan is its number of versions: a version is the only change it takes.
fn plan_response(status: StatusCode, plan: pb::CommissionPlan) -> Response {
    let location = format!("/api/v1/commission-plans/{}", plan.id);
    let versions = plan.versions.len() as i64;
    record_response(status, CommissionPlanBody::from(plan), versions, &location)
}

/// Add a commission plan with its first version.
#[utoipa::path(post, path = "/api/v1/commission-plans", tag = "accounting", request_body = CommissionPlanIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = CommissionPlanBody), BadRequest, Forbidden))]
pub async fn create_plan(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CommissionPlanIn>,
) -> Result<Response, Problem> {
    require_director(&caller)?;
    let message = pb::CreateCommissionPlanRequest {
        name: body.name,
        role: body.role,
        office: body.office,
        username: body.username,
        terms: Some(body.terms.into_proto("terms.")?),
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let created =
        ctx.call(&client(&state)?, message, |mut c, r| async move { c.create_commission_plan(r).await }).await?;
    Ok(plan_response(StatusCode::CREATED, created))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct PlanQuery {
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Commission plans, oldest first.
#[utoipa::path(get, path = "/api/v1/commission-plans", tag = "accounting", params(PlanQuery),
    responses((status = 200, body = ListBody<CommissionPlanBody>), BadRequest, Forbidden))]
pub async fn list_plans(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<PlanQuery>,
) -> Result<axum::Json<ListBody<CommissionPlanBody>>, Problem> {
    caller.require(Action::ReadAccounts)?;
    let message = pb::ListCommissionPlansRequest { page: page(query.limit.as_deref(), query.cursor)? };
    let ctx = CallContext::read(&state, &caller);
    let found = ctx.call(&client(&state)?, message, |mut c, r| async move { c.list_commission_plans(r).await }).await?;
    Ok(axum::Json(ListBody::new(found.items.into_iter().map(CommissionPlanBody::from).collect(), found.next_cursor)))
}

/// One commission plan with all its versions.
#[utoipa::path(get, path = "/api/v1/commission-plans/{id}", tag = "accounting", params(("id" = i64, Path)),
    responses((status = 200, body = CommissionPlanBody), Forbidden, NotFound))]
pub async fn get_plan(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadAccounts)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::GetCommissionPlanRequest { id };
    let found = ctx.call(&client(&state)?, message, |mut c, r| async move { c.get_commission_plan(r).await }).await?;
    Ok(plan_response(StatusCode::OK, found))
}

/// Add a version to a plan: new terms from its date on; what was earned before stays as it was.
#[utoipa::path(post, path = "/api/v1/commission-plans/{id}/versions", tag = "accounting",
    request_body = CommissionTermsIn, params(("id" = i64, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = CommissionPlanBody), BadRequest, Forbidden, NotFound))]
pub async fn add_version(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CommissionTermsIn>,
) -> Result<Response, Problem> {
    require_director(&caller)?;
    let message = pb::AddCommissionPlanVersionRequest { plan_id: id, terms: Some(body.into_proto("")?) };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let plan =
        ctx.call(&client(&state)?, message, |mut c, r| async move { c.add_commission_plan_version(r).await }).await?;
    Ok(plan_response(StatusCode::CREATED, plan))
}

/// A member of staff as the service prices them: (username, role, office code).
async fn staff_member(state: &AppState, username: &str) -> Result<pb::StaffMember, Problem> {
    let username = username.trim();
    // No username holds a control character, and PostgreSQL refuses a NUL in a query's text.
    if username.is_empty() || username.len() > 100 || username.chars().any(char::is_control) {
        return Err(Problem::field("salesperson", "must name a member of staff"));
    }
    let row: Option<(String, String, String)> =
        sqlx::query_as("SELECT username, role, office FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(state.db.pool())
            .await?;
    let (username, role, office) = row.ok_or_else(|| Problem::field("salesperson", "no user has this username"))?;
    Ok(pb::StaffMember { username, role, office })
}

/// Everyone who may have sold: sales staff and the directors who take orders themselves.
async fn all_staff(state: &AppState) -> Result<Vec<pb::StaffMember>, Problem> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT username, role, office FROM users WHERE role <> $1 ORDER BY id")
            .bind(Role::Service.as_str())
            .fetch_all(state.db.pool())
            .await?;
    Ok(rows.into_iter().map(|(username, role, office)| pb::StaffMember { username, role, office }).collect())
}

#[derive(Serialize, ToSchema)]
pub struct CommissionLineBody {
    /// payment (earned) or return (reversed)
    pub kind: String,
    /// The payment's or the return's number
    pub document_number: String,
    pub event_date: String,
    pub invoice_id: i64,
    pub invoice_number: String,
    pub line_no: i32,
    pub product_id: i64,
    pub category: String,
    /// The paid share of the line's net amount (negative for a return)
    pub net_share: i64,
    /// The paid share of the line's gross margin: net less the cost of the goods issued
    pub margin_share: i64,
    /// paid_revenue or gross_margin; empty when no plan applies
    pub basis: String,
    pub rate_bp: i32,
    pub plan_id: i64,
    pub plan_version: i32,
    /// share × rate_bp / 10000 rounded half up; a return takes back the commission held pro rata
    pub commission: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CommissionAccrualBody {
    pub id: i64,
    pub salesperson: String,
    pub month: String,
    /// 641 / 334; negative when the month earns less than was accrued
    pub amount: i64,
    /// The journal entry: "HH-2026-0001"
    pub document_number: String,
    pub entry_date: String,
    pub created_by: String,
    pub created_at: String,
}

impl From<pb::CommissionAccrual> for CommissionAccrualBody {
    fn from(a: pb::CommissionAccrual) -> Self {
        CommissionAccrualBody {
            id: a.id,
            salesperson: a.salesperson,
            month: a.month,
            amount: a.amount,
            document_number: a.document_number,
            entry_date: day_text(a.entry_date.as_ref()),
            created_by: a.created_by,
            created_at: rfc3339(a.created_at.as_ref()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CommissionStatementBody {
    pub salesperson: String,
    pub role: String,
    pub office: String,
    pub month: String,
    /// Each payment and return of the month, per invoice line
    pub lines: Vec<CommissionLineBody>,
    pub earned: i64,
    /// Negative: commissions returns took back
    pub reversed: i64,
    pub total: i64,
    pub accrued: i64,
    /// What the next accrual of the month would post
    pub to_accrue: i64,
    pub accruals: Vec<CommissionAccrualBody>,
    /// Invoices paid in the month that name no salesperson (older orders): they earn nothing
    pub unattributed_invoices: i32,
    pub unattributed_net: i64,
}

impl From<pb::CommissionStatement> for CommissionStatementBody {
    fn from(s: pb::CommissionStatement) -> Self {
        let line = |l: pb::CommissionLine| CommissionLineBody {
            kind: l.kind,
            document_number: l.document_number,
            event_date: day_text(l.event_date.as_ref()),
            invoice_id: l.invoice_id,
            invoice_number: l.invoice_number,
            line_no: l.line_no,
            product_id: l.product_id,
            category: l.category,
            net_share: l.net_share,
            margin_share: l.margin_share,
            basis: l.basis,
            rate_bp: l.rate_bp,
            plan_id: l.plan_id,
            plan_version: l.plan_version,
            commission: l.commission,
        };
        CommissionStatementBody {
            salesperson: s.salesperson,
            role: s.role,
            office: s.office,
            month: s.month,
            lines: s.lines.into_iter().map(line).collect(),
            earned: s.earned,
            reversed: s.reversed,
            total: s.total,
            accrued: s.accrued,
            to_accrue: s.to_accrue,
            accruals: s.accruals.into_iter().map(CommissionAccrualBody::from).collect(),
            unattributed_invoices: s.unattributed_invoices,
            unattributed_net: s.unattributed_net,
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct StatementQuery {
    /// The salesperson's username
    #[param(required = true, max_length = 100)]
    pub salesperson: Option<String>,
    /// YYYY-MM
    #[param(required = true, example = "2026-11")]
    pub month: Option<String>,
}

/// A person's commission statement for a month: every payment and return that counted.
#[utoipa::path(get, path = "/api/v1/commission-statements", tag = "accounting", params(StatementQuery),
    responses((status = 200, body = CommissionStatementBody), BadRequest, Forbidden))]
pub async fn statement(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<StatementQuery>,
) -> Result<axum::Json<CommissionStatementBody>, Problem> {
    caller.require(Action::ReadAccounts)?;
    let staff = staff_member(&state, query.salesperson.as_deref().unwrap_or_default()).await?;
    let message =
        pb::GetCommissionStatementRequest { salesperson: Some(staff), month: query.month.unwrap_or_default() };
    let ctx = CallContext::read(&state, &caller);
    let found =
        ctx.call(&client(&state)?, message, |mut c, r| async move { c.get_commission_statement(r).await }).await?;
    Ok(axum::Json(CommissionStatementBody::from(found)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CommissionAccrualIn {
    /// YYYY-MM, not a month to come
    #[schema(required = true, example = "2026-11")]
    pub month: String,
}

#[derive(Serialize, ToSchema)]
pub struct CommissionAccrualRunBody {
    pub month: String,
    /// One per person whose month changed
    pub accruals: Vec<CommissionAccrualBody>,
    pub total: i64,
}

/// Accrue the month's commissions: each person's month brought to what it earns (641 / 334).
/// Running a month again posts only what changed.
#[utoipa::path(post, path = "/api/v1/commission-accruals", tag = "accounting", request_body = CommissionAccrualIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 200, body = CommissionAccrualRunBody), BadRequest, Forbidden))]
pub async fn run_accrual(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CommissionAccrualIn>,
) -> Result<axum::Json<CommissionAccrualRunBody>, Problem> {
    caller.require(Action::WriteAccounts)?;
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let message = pb::RunCommissionAccrualRequest { month: body.month, staff: all_staff(&state).await? };
    let run = ctx.call(&client(&state)?, message, |mut c, r| async move { c.run_commission_accrual(r).await }).await?;
    Ok(axum::Json(CommissionAccrualRunBody {
        month: run.month,
        accruals: run.accruals.into_iter().map(CommissionAccrualBody::from).collect(),
        total: run.total,
    }))
}
