//! `/api/v1/dealer-applications`: dealer-opening requests (phiếu đề nghị mở đại lý). The record
//! with its latest evaluation and the director's decision is the dealer file (hồ sơ đại lý).

use atq_platform::caller::Action;
use atq_proto::sales::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dealers;
use super::evaluation::EvaluationBody;
use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{
    ListBody, expected_version, office_from_text, office_text, optional_id, page, record_response, rfc3339,
    version_if_sent,
};

#[derive(Serialize, Deserialize, ToSchema, Default, Clone)]
#[serde(default, deny_unknown_fields)]
pub struct YearFiguresBody {
    #[schema(minimum = 1990, maximum = 2100)]
    pub year: i32,
    /// Total revenue of the year, VND
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub revenue: i64,
    /// Sales of lab equipment in the year, VND (part of the revenue)
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub lab_sales: i64,
    /// Share of revenue from big brands, basis points
    #[schema(minimum = 0, maximum = 10_000)]
    pub big_brand_share_bp: i64,
    /// Share of revenue from small brands, basis points
    #[schema(minimum = 0, maximum = 10_000)]
    pub small_brand_share_bp: i64,
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub staff: i64,
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub shops: i64,
}

impl YearFiguresBody {
    fn to_proto(&self) -> pb::YearFigures {
        pb::YearFigures {
            year: self.year,
            revenue: self.revenue,
            lab_sales: self.lab_sales,
            big_brand_share_bp: self.big_brand_share_bp,
            small_brand_share_bp: self.small_brand_share_bp,
            staff: self.staff,
            shops: self.shops,
        }
    }
}

/// A company not yet a customer; its customer record is made when the application is approved.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ProspectBody {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub tax_code: String,
}

impl ProspectBody {
    fn into_proto(self) -> pb::Prospect {
        pb::Prospect {
            name: self.name,
            phone: self.phone,
            email: self.email,
            address: self.address,
            tax_code: self.tax_code,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationBody {
    pub id: i64,
    /// DNDL-000001
    pub number: String,
    /// Null for a new company until its approval creates the customer
    pub customer_id: Option<i64>,
    pub customer_name: String,
    /// A new company's data; null for an existing customer
    pub prospect: Option<ProspectBody>,
    /// HN, HCM or DL
    pub office: String,
    pub region: String,
    /// The two years' figures, the earlier first
    pub years: Vec<YearFiguresBody>,
    /// The salesperson's proposal: distributor, tier1 or tier2
    pub proposed_tier: String,
    pub note: String,
    /// draft, submitted, evaluated, approved or rejected
    pub status: String,
    /// The latest evaluation
    pub evaluation: Option<EvaluationBody>,
    pub approved_tier: Option<String>,
    /// Why it was rejected, or approved at a tier other than the evaluated one
    pub decision_reason: String,
    pub contract_id: Option<i64>,
    pub decided_by: String,
    pub decided_at: Option<String>,
    /// The salesperson who wrote it
    pub owner: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<pb::DealerApplication> for ApplicationBody {
    fn from(a: pb::DealerApplication) -> Self {
        let years = a.years.iter().map(|y| YearFiguresBody {
            year: y.year,
            revenue: y.revenue,
            lab_sales: y.lab_sales,
            big_brand_share_bp: y.big_brand_share_bp,
            small_brand_share_bp: y.small_brand_share_bp,
            staff: y.staff,
            shops: y.shops,
        });
        let prospect = a.prospect.filter(|p| !p.name.is_empty()).map(|p| ProspectBody {
            name: p.name,
            phone: p.phone,
            email: p.email,
            address: p.address,
            tax_code: p.tax_code,
        });
        ApplicationBody {
            id: a.id,
            number: a.number,
            customer_id: (a.customer_id > 0).then_some(a.customer_id),
            customer_name: a.customer_name,
            prospect,
            office: office_text(a.office),
            region: a.region,
            years: years.collect(),
            proposed_tier: a.proposed_tier,
            note: a.note,
            status: a.status,
            evaluation: a.evaluation.map(EvaluationBody::from),
            approved_tier: (!a.approved_tier.is_empty()).then_some(a.approved_tier),
            decision_reason: a.decision_reason,
            contract_id: (a.contract_id > 0).then_some(a.contract_id),
            decided_by: a.decided_by,
            decided_at: a.decided_at.as_ref().map(|t| rfc3339(Some(t))),
            owner: a.owner,
            version: a.version,
            created_at: rfc3339(a.created_at.as_ref()),
            updated_at: rfc3339(a.updated_at.as_ref()),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateApplicationBody {
    /// An existing customer; leave out and give `prospect` for a new company
    pub customer_id: Option<i64>,
    pub prospect: Option<ProspectBody>,
    /// HN, HCM or DL for a new company; sales staff default to their own office
    pub office: String,
    pub region: String,
    /// The figures of the last two years
    pub years: Vec<YearFiguresBody>,
    /// distributor, tier1 or tier2
    pub proposed_tier: String,
    /// The salesperson's note
    pub note: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateApplicationBody {
    pub prospect: Option<ProspectBody>,
    pub region: Option<String>,
    pub proposed_tier: Option<String>,
    pub note: Option<String>,
    /// Both years, replacing the figures
    pub years: Option<Vec<YearFiguresBody>>,
    /// The version read; alternatively send If-Match with the ETag
    pub version: Option<i64>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ApproveBody {
    /// distributor, tier1 or tier2
    pub tier: String,
    /// Required when `tier` is not the evaluated one
    pub reason: String,
    /// A dealer contract (kind `dealer`) already made with this customer; when absent the
    /// approval drafts one
    pub contract_id: Option<i64>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct RejectBody {
    pub reason: String,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ApplicationQuery {
    /// draft, submitted, evaluated, approved or rejected
    pub status: Option<String>,
    pub office: Option<String>,
    pub customer_id: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

fn application_response(status: StatusCode, application: pb::DealerApplication) -> Response {
    let (version, location) = (application.version, format!("/api/v1/dealer-applications/{}", application.id));
    record_response(status, ApplicationBody::from(application), version, &location)
}

/// Write a dealer-opening request (a draft). The same `Idempotency-Key` returns the first one.
#[utoipa::path(post, path = "/api/v1/dealer-applications", tag = "customers", request_body = CreateApplicationBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = ApplicationBody), BadRequest, Forbidden, NotFound))]
pub async fn create_application(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateApplicationBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let message = pb::CreateDealerApplicationRequest {
        customer_id: body.customer_id.unwrap_or_default(),
        prospect: body.prospect.map(ProspectBody::into_proto),
        office: office_from_text(&body.office),
        region: body.region,
        years: body.years.iter().map(YearFiguresBody::to_proto).collect(),
        proposed_tier: body.proposed_tier,
        note: body.note,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let created =
        ctx.call(&dealers(&state)?, message, |mut c, r| async move { c.create_dealer_application(r).await }).await?;
    Ok(application_response(StatusCode::CREATED, created))
}

/// The dealer file: the application, its figures, its latest evaluation and the decision.
#[utoipa::path(get, path = "/api/v1/dealer-applications/{id}", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = ApplicationBody), Forbidden, NotFound))]
pub async fn get_application(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::GetDealerApplicationRequest { id };
    let found =
        ctx.call(&dealers(&state)?, message, |mut c, r| async move { c.get_dealer_application(r).await }).await?;
    Ok(application_response(StatusCode::OK, found))
}

/// Edit a draft. `If-Match` or `version`.
#[utoipa::path(patch, path = "/api/v1/dealer-applications/{id}", tag = "customers",
    request_body = UpdateApplicationBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = ApplicationBody), BadRequest, Forbidden, NotFound, Conflict, PreconditionFailed,
        PreconditionRequired))]
pub async fn update_application(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<UpdateApplicationBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let message = pb::UpdateDealerApplicationRequest {
        id,
        expected_version: expected_version(&headers, body.version)?,
        region: body.region,
        proposed_tier: body.proposed_tier,
        note: body.note,
        prospect: body.prospect.map(ProspectBody::into_proto),
        years: body.years.unwrap_or_default().iter().map(YearFiguresBody::to_proto).collect(),
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let updated =
        ctx.call(&dealers(&state)?, message, |mut c, r| async move { c.update_dealer_application(r).await }).await?;
    Ok(application_response(StatusCode::OK, updated))
}

/// Applications in the caller's territory, oldest first.
#[utoipa::path(get, path = "/api/v1/dealer-applications", tag = "customers", params(ApplicationQuery),
    responses((status = 200, body = ListBody<ApplicationBody>), BadRequest, Forbidden))]
pub async fn list_applications(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ApplicationQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let message = pb::ListDealerApplicationsRequest {
        status: query.status.unwrap_or_default(),
        office: query.office.as_deref().map(office_from_text).unwrap_or(0),
        customer_id: optional_id("customer_id", query.customer_id.as_deref())?,
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let list =
        ctx.call(&dealers(&state)?, message, |mut c, r| async move { c.list_dealer_applications(r).await }).await?;
    let items = list.items.into_iter().map(ApplicationBody::from).collect();
    Ok(axum::Json(ListBody::new(items, list.next_cursor)).into_response())
}

/// Hand a draft in. `If-Match` is checked when sent.
#[utoipa::path(post, path = "/api/v1/dealer-applications/{id}/submit", tag = "customers",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read"),
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 200, body = ApplicationBody), Forbidden, NotFound, Conflict, PreconditionFailed))]
pub async fn submit_application(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let message = pb::DealerApplicationActionRequest { id, expected_version: version_if_sent(&headers)? };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let submitted =
        ctx.call(&dealers(&state)?, message, |mut c, r| async move { c.submit_dealer_application(r).await }).await?;
    Ok(application_response(StatusCode::OK, submitted))
}

/// Evaluate the figures with the rule version in force today; the answer carries the decided
/// tier, every condition checked with its numbers and the gaps to the next tier. Earlier
/// evaluations stay as they were.
#[utoipa::path(post, path = "/api/v1/dealer-applications/{id}/evaluate", tag = "customers",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read"),
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 200, body = ApplicationBody), Forbidden, NotFound, Conflict, PreconditionFailed))]
pub async fn evaluate_application(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let message = pb::DealerApplicationActionRequest { id, expected_version: version_if_sent(&headers)? };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let evaluated =
        ctx.call(&dealers(&state)?, message, |mut c, r| async move { c.evaluate_dealer_application(r).await }).await?;
    Ok(application_response(StatusCode::OK, evaluated))
}

/// Approve an evaluated application (directors): the customer becomes a dealer of `tier` from
/// today. A tier other than the evaluated one needs a `reason`.
#[utoipa::path(post, path = "/api/v1/dealer-applications/{id}/approve", tag = "customers", request_body = ApproveBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read"),
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 200, body = ApplicationBody), BadRequest, Forbidden, NotFound, Conflict, PreconditionFailed))]
pub async fn approve_application(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ApproveBody>,
) -> Result<Response, Problem> {
    caller.require(Action::DecideDealers)?;
    let message = pb::ApproveDealerApplicationRequest {
        id,
        expected_version: version_if_sent(&headers)?,
        tier: body.tier,
        reason: body.reason,
        contract_id: body.contract_id.unwrap_or_default(),
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let approved =
        ctx.call(&dealers(&state)?, message, |mut c, r| async move { c.approve_dealer_application(r).await }).await?;
    Ok(application_response(StatusCode::OK, approved))
}

/// Reject a submitted or evaluated application (directors), with the reason.
#[utoipa::path(post, path = "/api/v1/dealer-applications/{id}/reject", tag = "customers", request_body = RejectBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read"),
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 200, body = ApplicationBody), BadRequest, Forbidden, NotFound, Conflict, PreconditionFailed))]
pub async fn reject_application(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<RejectBody>,
) -> Result<Response, Problem> {
    caller.require(Action::DecideDealers)?;
    let message =
        pb::RejectDealerApplicationRequest { id, expected_version: version_if_sent(&headers)?, reason: body.reason };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let rejected =
        ctx.call(&dealers(&state)?, message, |mut c, r| async move { c.reject_dealer_application(r).await }).await?;
    Ok(application_response(StatusCode::OK, rejected))
}
