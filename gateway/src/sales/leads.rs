//! `/api/v1/leads`: prospects not yet customers, qualified and converted into customers.

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::sales::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::contacts::download_limit;
use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::wants_csv;
use crate::wire::{
    CsvLayout, CsvSheet, ListBody, enum_from_text, enum_text, expected_version, office_from_text, office_text, page,
    record_response, rfc3339,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_lead, list_leads))
        .routes(routes!(get_lead, update_lead))
        .routes(routes!(disqualify_lead))
        .routes(routes!(convert_lead))
}

#[derive(Serialize, ToSchema)]
pub struct LeadBody {
    pub id: i64,
    pub name: String,
    pub company: String,
    pub contact_name: String,
    pub position: String,
    /// individual, dealer or project
    pub group: String,
    /// referral, website, exhibition, cold_call, visit or other
    pub source: String,
    /// HN, HCM or DL
    pub office: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub tax_code: String,
    pub notes: String,
    /// new, contacted, qualified, converted or disqualified
    pub status: String,
    pub disqualify_reason: String,
    pub owner: String,
    pub converted_customer_id: Option<i64>,
    pub converted_contact_id: Option<i64>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<pb::Lead> for LeadBody {
    fn from(l: pb::Lead) -> Self {
        LeadBody {
            id: l.id,
            name: l.name,
            company: l.company,
            contact_name: l.contact_name,
            position: l.position,
            group: enum_text::<pb::CustomerGroup>(l.group),
            source: l.source,
            office: office_text(l.office),
            phone: l.phone,
            email: l.email,
            address: l.address,
            tax_code: l.tax_code,
            notes: l.notes,
            status: l.status,
            disqualify_reason: l.disqualify_reason,
            owner: l.owner,
            converted_customer_id: (l.converted_customer_id > 0).then_some(l.converted_customer_id),
            converted_contact_id: (l.converted_contact_id > 0).then_some(l.converted_contact_id),
            version: l.version,
            created_at: rfc3339(l.created_at.as_ref()),
            updated_at: rfc3339(l.updated_at.as_ref()),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateLeadBody {
    #[schema(required = true, min_length = 1)]
    pub name: String,
    pub company: String,
    pub contact_name: String,
    pub position: String,
    /// individual (default), dealer or project
    pub group: String,
    /// referral, website, exhibition, cold_call, visit or other (default)
    pub source: String,
    /// HN, HCM or DL; sales staff default to their own office
    pub office: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub tax_code: String,
    pub notes: String,
    /// username of the salesperson following the lead; default the caller
    pub owner: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateLeadBody {
    pub name: Option<String>,
    pub company: Option<String>,
    pub contact_name: Option<String>,
    pub position: Option<String>,
    pub group: Option<String>,
    pub source: Option<String>,
    pub office: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub tax_code: Option<String>,
    pub notes: Option<String>,
    pub owner: Option<String>,
    /// new, contacted or qualified (reopens a disqualified lead)
    pub status: Option<String>,
    /// The version read; alternatively send If-Match with the ETag.
    pub version: Option<i64>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DisqualifyLeadBody {
    #[schema(required = true, min_length = 1)]
    pub reason: String,
    pub version: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ConvertedBody {
    pub customer_id: i64,
    pub contact_id: i64,
    pub lead: LeadBody,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct LeadQuery {
    /// Matches name, company, contact, phone or email, ignoring case and diacritics.
    pub q: Option<String>,
    pub status: Option<String>,
    pub office: Option<String>,
    pub owner: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
    /// json (default) or csv
    pub format: Option<String>,
}

fn lead_response(status: StatusCode, lead: pb::Lead) -> Response {
    let (version, location) = (lead.version, format!("/api/v1/leads/{}", lead.id));
    record_response(status, LeadBody::from(lead), version, &location)
}

fn group_code(text: &str) -> i32 {
    if text.trim().is_empty() { 0 } else { enum_from_text::<pb::CustomerGroup>(text) }
}

/// Record a lead. The same `Idempotency-Key` with the same body returns the first lead.
#[utoipa::path(post, path = "/api/v1/leads", tag = "customers", request_body = CreateLeadBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = LeadBody), BadRequest, Forbidden))]
pub async fn create_lead(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateLeadBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let message = pb::CreateLeadRequest {
        name: body.name,
        company: body.company,
        contact_name: body.contact_name,
        position: body.position,
        group: group_code(&body.group),
        source: body.source,
        office: office_from_text(&body.office),
        phone: body.phone,
        email: body.email,
        address: body.address,
        tax_code: body.tax_code,
        notes: body.notes,
        owner: body.owner,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let lead = ctx.call(&state.leads, message, |mut c, r| async move { c.create_lead(r).await }).await?;
    Ok(lead_response(StatusCode::CREATED, lead))
}

/// One lead, with its ETag.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = LeadBody), Forbidden, NotFound))]
pub async fn get_lead(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let ctx = CallContext::read(&state, &caller);
    let lead = ctx.call(&state.leads, pb::GetLeadRequest { id }, |mut c, r| async move { c.get_lead(r).await }).await?;
    Ok(lead_response(StatusCode::OK, lead))
}

/// Change some fields or the status (new, contacted, qualified). `If-Match` or `version`.
#[utoipa::path(patch, path = "/api/v1/leads/{id}", tag = "customers", request_body = UpdateLeadBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = LeadBody), BadRequest, NotFound, Conflict, PreconditionFailed,
        PreconditionRequired))]
pub async fn update_lead(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<UpdateLeadBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let message = pb::UpdateLeadRequest {
        id,
        expected_version: expected_version(&headers, body.version)?,
        name: body.name,
        company: body.company,
        contact_name: body.contact_name,
        position: body.position,
        group: body.group.as_deref().map(group_code),
        source: body.source,
        office: body.office.as_deref().map(office_from_text),
        phone: body.phone,
        email: body.email,
        address: body.address,
        tax_code: body.tax_code,
        notes: body.notes,
        owner: body.owner,
        status: body.status,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let lead = ctx.call(&state.leads, message, |mut c, r| async move { c.update_lead(r).await }).await?;
    Ok(lead_response(StatusCode::OK, lead))
}

/// Leads in the caller's territory, filtered; `format=csv` downloads them.
#[utoipa::path(get, path = "/api/v1/leads", tag = "customers", params(LeadQuery),
    responses((status = 200, description = "The list; with `format=csv`, a CSV download (UTF-8 with BOM, for Excel)",
        content((ListBody<LeadBody> = "application/json"), (String = "text/csv"))),
        BadRequest, Forbidden))]
pub async fn list_leads(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<LeadQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let mut v = Violations::new();
    let csv = wants_csv(&mut v, query.format.as_deref());
    v.finish()?;
    let message = pb::ListLeadsRequest {
        q: query.q.unwrap_or_default(),
        status: query.status.unwrap_or_default(),
        office: query.office.as_deref().map(office_from_text).unwrap_or(0),
        owner: query.owner.unwrap_or_default(),
        page: page(download_limit(csv, query.limit.as_deref()), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let list = ctx.call(&state.leads, message, |mut c, r| async move { c.list_leads(r).await }).await?;
    let items: Vec<LeadBody> = list.items.into_iter().map(LeadBody::from).collect();
    if csv {
        return leads_csv(&items);
    }
    Ok(axum::Json(ListBody::new(items, list.next_cursor)).into_response())
}

fn leads_csv(items: &[LeadBody]) -> Result<Response, Problem> {
    let header =
        ["id", "name", "company", "contact_name", "group", "source", "office", "phone", "email", "status", "owner"];
    let mut sheet = CsvSheet::new(CsvLayout::Excel, &header)?;
    for l in items {
        let id = l.id.to_string();
        let (group, source) = (&l.group, &l.source);
        sheet.row([
            &id,
            &l.name,
            &l.company,
            &l.contact_name,
            group,
            source,
            &l.office,
            &l.phone,
            &l.email,
            &l.status,
            &l.owner,
        ])?;
    }
    sheet.attachment("leads.csv")
}

/// Mark a lead as not worth following, with the reason.
#[utoipa::path(post, path = "/api/v1/leads/{id}/disqualify", tag = "customers", request_body = DisqualifyLeadBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = LeadBody), BadRequest, NotFound, Conflict, PreconditionFailed,
        PreconditionRequired))]
pub async fn disqualify_lead(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<DisqualifyLeadBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let expected_version = expected_version(&headers, body.version)?;
    let message = pb::DisqualifyLeadRequest { id, expected_version, reason: body.reason };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let lead = ctx.call(&state.leads, message, |mut c, r| async move { c.disqualify_lead(r).await }).await?;
    Ok(lead_response(StatusCode::OK, lead))
}

/// Turn the lead into a customer and its primary contact. Converting a converted lead is 409
/// (the detail names the customer); the same `Idempotency-Key` returns the first answer.
#[utoipa::path(post, path = "/api/v1/leads/{id}/convert", tag = "customers",
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = ConvertedBody), BadRequest, NotFound, Conflict))]
pub async fn convert_lead(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let message = pb::ConvertLeadRequest { id };
    let converted = ctx.call(&state.leads, message, |mut c, r| async move { c.convert_lead(r).await }).await?;
    let body = ConvertedBody {
        customer_id: converted.customer_id,
        contact_id: converted.contact_id,
        lead: LeadBody::from(converted.lead.unwrap_or_default()),
    };
    let mut response = (StatusCode::CREATED, axum::Json(body)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/customers/{}", converted.customer_id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}
