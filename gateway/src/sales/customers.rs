//! `/api/v1/customers`: the sales department's customer records.

use atq_platform::caller::Action;
use atq_proto::sales::v1 as pb;
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
use crate::problem::responses::{
    BadRequest, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, Unprocessable,
};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{
    ListBody, enum_from_text, enum_text, expected_version, office_from_text, office_text, page, record_response,
    rfc3339,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_customer, list_customers))
        .routes(routes!(get_customer, update_customer))
        .routes(routes!(customer_history))
}

#[derive(Serialize, ToSchema)]
pub struct CustomerBody {
    pub id: i64,
    /// "KH000001"
    pub code: String,
    pub name: String,
    /// individual, dealer or project
    pub group: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    /// HN, HCM or DL
    pub office: String,
    pub tax_code: String,
    pub assigned_to: String,
    pub purchase_count: i64,
    /// Local date of the latest confirmed order, YYYY-MM-DD.
    pub last_purchase_on: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<pb::Customer> for CustomerBody {
    fn from(c: pb::Customer) -> Self {
        CustomerBody {
            id: c.id,
            code: c.code,
            name: c.name,
            group: enum_text::<pb::CustomerGroup>(c.group),
            phone: c.phone,
            email: c.email,
            address: c.address,
            office: office_text(c.office),
            tax_code: c.tax_code,
            assigned_to: c.assigned_to,
            purchase_count: c.purchase_count,
            last_purchase_on: crate::wire::date_text(c.last_purchase_on.as_ref()),
            version: c.version,
            created_at: rfc3339(c.created_at.as_ref()),
            updated_at: rfc3339(c.updated_at.as_ref()),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateCustomerBody {
    #[schema(required = true, min_length = 1)]
    pub name: String,
    /// individual, dealer or project
    #[schema(required = true, min_length = 1)]
    pub group: String,
    /// 10 digits from 0, or +84
    #[schema(required = true, min_length = 1)]
    pub phone: String,
    pub email: String,
    #[schema(required = true, min_length = 1)]
    pub address: String,
    /// HN, HCM or DL; sales staff default to their own office
    pub office: String,
    /// 10 digits, or 10-3 for a branch
    pub tax_code: String,
    /// username of the responsible salesperson, an active user (default: the creator)
    pub assigned_to: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateCustomerBody {
    pub name: Option<String>,
    pub group: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub office: Option<String>,
    pub tax_code: Option<String>,
    pub assigned_to: Option<String>,
    /// The version read; alternatively send If-Match with the ETag.
    pub version: Option<i64>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct CustomerQuery {
    /// Matches name, code, phone or email, ignoring case and diacritics.
    pub q: Option<String>,
    pub group: Option<String>,
    pub office: Option<String>,
    /// Username of the responsible salesperson.
    pub assigned_to: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

fn customer_response(status: StatusCode, customer: pb::Customer) -> Response {
    let (version, location) = (customer.version, format!("/api/v1/customers/{}", customer.id));
    record_response(status, CustomerBody::from(customer), version, &location)
}

/// Create a customer. The same `Idempotency-Key` with the same body returns the first customer.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", request_body = CreateCustomerBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = CustomerBody), BadRequest, Forbidden, Unprocessable))]
pub async fn create_customer(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateCustomerBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    crate::users::named_colleague(&state.db, "assigned_to", &body.assigned_to).await?;
    let message = pb::CreateCustomerRequest {
        name: body.name,
        group: enum_from_text::<pb::CustomerGroup>(&body.group),
        phone: body.phone,
        email: body.email,
        address: body.address,
        office: office_from_text(&body.office),
        tax_code: body.tax_code,
        assigned_to: body.assigned_to,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let customer = ctx.call(&state.customers, message, |mut c, r| async move { c.create_customer(r).await }).await?;
    Ok(customer_response(StatusCode::CREATED, customer))
}

/// One customer, with its ETag.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = CustomerBody), NotFound))]
pub async fn get_customer(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCustomers)?;
    let ctx = CallContext::read(&state, &caller);
    let customer = ctx
        .call(&state.customers, pb::GetCustomerRequest { id }, |mut c, r| async move { c.get_customer(r).await })
        .await?;
    Ok(customer_response(StatusCode::OK, customer))
}

/// Change some fields. Send `If-Match` (the ETag you read) or `version`; a stale one is 412.
/// Only sales managers and directors may change `assigned_to` (the customer's owner).
#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers", request_body = UpdateCustomerBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = CustomerBody), BadRequest, NotFound,
        PreconditionFailed, PreconditionRequired))]
pub async fn update_customer(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<UpdateCustomerBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let expected_version = expected_version(&headers, body.version)?;
    if let Some(owner) = &body.assigned_to {
        crate::users::named_colleague(&state.db, "assigned_to", owner).await?;
    }
    let message = pb::UpdateCustomerRequest {
        id,
        expected_version,
        name: body.name,
        group: body.group.as_deref().map(enum_from_text::<pb::CustomerGroup>),
        phone: body.phone,
        email: body.email,
        address: body.address,
        office: body.office.as_deref().map(office_from_text),
        tax_code: body.tax_code,
        assigned_to: body.assigned_to,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let customer = ctx.call(&state.customers, message, |mut c, r| async move { c.update_customer(r).await }).await?;
    Ok(customer_response(StatusCode::OK, customer))
}

/// Customers, filtered and searched; sales staff see their own office only.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(CustomerQuery),
    responses((status = 200, body = ListBody<CustomerBody>), BadRequest))]
pub async fn list_customers(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<CustomerQuery>,
) -> Result<axum::Json<ListBody<CustomerBody>>, Problem> {
    caller.require(Action::ReadCustomers)?;
    let message = pb::ListCustomersRequest {
        q: query.q.unwrap_or_default(),
        group: query.group.as_deref().map(enum_from_text::<pb::CustomerGroup>).unwrap_or(0),
        office: query.office.as_deref().map(office_from_text).unwrap_or(0),
        page: page(query.limit.as_deref(), query.cursor)?,
        assigned_to: query.assigned_to.unwrap_or_default(),
    };
    let ctx = CallContext::read(&state, &caller);
    let page = ctx.call(&state.customers, message, |mut c, r| async move { c.list_customers(r).await }).await?;
    Ok(axum::Json(ListBody::new(page.items.into_iter().map(CustomerBody::from).collect(), page.next_cursor)))
}

#[derive(Serialize, ToSchema)]
pub struct RevisionBody {
    pub version: i64,
    /// created or updated
    pub action: String,
    pub changed_by: String,
    pub changed_at: String,
    pub changes: Vec<FieldChangeBody>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldChangeBody {
    pub field: String,
    pub old_value: String,
    pub new_value: String,
}

/// Who changed what, when: one entry per version, oldest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/history", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = ListBody<RevisionBody>), NotFound))]
pub async fn customer_history(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<ListBody<RevisionBody>>, Problem> {
    caller.require(Action::ReadCustomers)?;
    let ctx = CallContext::read(&state, &caller);
    let history = ctx
        .call(
            &state.customers,
            pb::CustomerHistoryRequest { id },
            |mut c, r| async move { c.customer_history(r).await },
        )
        .await?;
    let items = history
        .revisions
        .into_iter()
        .map(|r| RevisionBody {
            version: r.version,
            action: r.action,
            changed_by: r.changed_by,
            changed_at: rfc3339(r.changed_at.as_ref()),
            changes: r
                .changes
                .into_iter()
                .map(|c| FieldChangeBody { field: c.field, old_value: c.old_value, new_value: c.new_value })
                .collect(),
        })
        .collect();
    Ok(axum::Json(ListBody::new(items, String::new())))
}
