//! `/api/v1/suppliers`: the foreign suppliers the import-export department buys from.

use atq_platform::caller::Action;
use atq_proto::importplanning::v1 as pb;
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
use crate::problem::responses::{BadRequest, Forbidden, NotFound, PreconditionFailed, PreconditionRequired};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, expected_version, page, record_response, rfc3339};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_supplier, list_suppliers)).routes(routes!(get_supplier, update_supplier))
}

#[derive(Serialize, ToSchema)]
pub struct SupplierBody {
    pub id: i64,
    /// "NCC001"
    pub code: String,
    pub name: String,
    /// ISO 3166 alpha-2, e.g. "US"
    pub country: String,
    /// ISO 4217, e.g. "USD"
    pub currency: String,
    pub lead_time_days: i32,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<pb::Supplier> for SupplierBody {
    fn from(s: pb::Supplier) -> Self {
        SupplierBody {
            id: s.id,
            code: s.code,
            name: s.name,
            country: s.country,
            currency: s.currency,
            lead_time_days: s.lead_time_days,
            contact_name: s.contact_name,
            contact_email: s.contact_email,
            contact_phone: s.contact_phone,
            version: s.version,
            created_at: rfc3339(s.created_at.as_ref()),
            updated_at: rfc3339(s.updated_at.as_ref()),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateSupplierBody {
    #[schema(required = true, min_length = 1)]
    pub name: String,
    #[schema(required = true, min_length = 1)]
    pub country: String,
    #[schema(required = true, min_length = 1)]
    pub currency: String,
    #[schema(required = true, minimum = 1, maximum = 365)]
    pub lead_time_days: i32,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateSupplierBody {
    pub name: Option<String>,
    pub country: Option<String>,
    pub currency: Option<String>,
    #[schema(minimum = 1, maximum = 365)]
    pub lead_time_days: Option<i32>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    /// The version read; alternatively send If-Match with the ETag.
    pub version: Option<i64>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct SupplierQuery {
    pub q: Option<String>,
    pub country: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

fn supplier_response(status: StatusCode, supplier: pb::Supplier) -> Response {
    let (version, location) = (supplier.version, format!("/api/v1/suppliers/{}", supplier.id));
    record_response(status, SupplierBody::from(supplier), version, &location)
}

/// Add a supplier.
#[utoipa::path(post, path = "/api/v1/suppliers", tag = "catalog", request_body = CreateSupplierBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = SupplierBody), BadRequest, Forbidden))]
pub async fn create_supplier(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateSupplierBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCatalog)?;
    let message = pb::CreateSupplierRequest {
        name: body.name,
        country: body.country,
        currency: body.currency,
        lead_time_days: body.lead_time_days,
        contact_name: body.contact_name,
        contact_email: body.contact_email,
        contact_phone: body.contact_phone,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let supplier = ctx.call(&state.catalog, message, |mut c, r| async move { c.create_supplier(r).await }).await?;
    Ok(supplier_response(StatusCode::CREATED, supplier))
}

/// One supplier, with its ETag.
#[utoipa::path(get, path = "/api/v1/suppliers/{id}", tag = "catalog", params(("id" = i64, Path)),
    responses((status = 200, body = SupplierBody), NotFound))]
pub async fn get_supplier(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCatalog)?;
    let ctx = CallContext::read(&state, &caller);
    let supplier = ctx
        .call(&state.catalog, pb::GetSupplierRequest { id }, |mut c, r| async move { c.get_supplier(r).await })
        .await?;
    Ok(supplier_response(StatusCode::OK, supplier))
}

/// Change some fields; send If-Match or version.
#[utoipa::path(patch, path = "/api/v1/suppliers/{id}", tag = "catalog", request_body = UpdateSupplierBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = SupplierBody), BadRequest, NotFound,
        PreconditionFailed, PreconditionRequired))]
pub async fn update_supplier(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<UpdateSupplierBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCatalog)?;
    let message = pb::UpdateSupplierRequest {
        id,
        expected_version: expected_version(&headers, body.version)?,
        name: body.name,
        country: body.country,
        currency: body.currency,
        lead_time_days: body.lead_time_days,
        contact_name: body.contact_name,
        contact_email: body.contact_email,
        contact_phone: body.contact_phone,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let supplier = ctx.call(&state.catalog, message, |mut c, r| async move { c.update_supplier(r).await }).await?;
    Ok(supplier_response(StatusCode::OK, supplier))
}

/// Suppliers, searched by name and filtered by country.
#[utoipa::path(get, path = "/api/v1/suppliers", tag = "catalog", params(SupplierQuery),
    responses((status = 200, body = ListBody<SupplierBody>), BadRequest))]
pub async fn list_suppliers(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<SupplierQuery>,
) -> Result<axum::Json<ListBody<SupplierBody>>, Problem> {
    caller.require(Action::ReadCatalog)?;
    let message = pb::ListSuppliersRequest {
        q: query.q.unwrap_or_default(),
        country: query.country.unwrap_or_default(),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let page = ctx.call(&state.catalog, message, |mut c, r| async move { c.list_suppliers(r).await }).await?;
    Ok(axum::Json(ListBody::new(page.items.into_iter().map(SupplierBody::from).collect(), page.next_cursor)))
}
