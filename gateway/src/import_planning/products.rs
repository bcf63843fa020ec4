//! `/api/v1/products`: the catalog of equipment ATQ imports and sells.

use atq_platform::caller::Action;
use atq_platform::currency::with_vat;
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
use crate::wire::{
    ListBody, enum_from_text, enum_text, expected_version, optional_id, page, rate_bp_from_text, rate_text,
    record_response, rfc3339,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_product, list_products)).routes(routes!(get_product, update_product))
}

#[derive(Serialize, ToSchema)]
pub struct ProductBody {
    pub id: i64,
    pub model_code: String,
    pub name_vi: String,
    pub name_en: String,
    /// physics, chemistry, biology, electrical, electronics_telecom, it, automation, environment
    pub category: String,
    pub brand: String,
    /// big or small
    pub brand_class: String,
    pub supplier_id: i64,
    pub unit: String,
    pub hs_code: String,
    pub warranty_months: i32,
    pub serial_tracked: bool,
    /// VND, without VAT
    pub list_price: i64,
    /// "0.10", "0.08" or "0.05"
    pub vat_rate: String,
    /// VND, with VAT, rounded half up to the đồng
    pub list_price_with_vat: i64,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<pb::Product> for ProductBody {
    fn from(p: pb::Product) -> Self {
        ProductBody {
            id: p.id,
            model_code: p.model_code,
            name_vi: p.name_vi,
            name_en: p.name_en,
            category: enum_text::<pb::ProductCategory>(p.category),
            brand: p.brand,
            brand_class: enum_text::<pb::BrandClass>(p.brand_class),
            supplier_id: p.supplier_id,
            unit: p.unit,
            hs_code: p.hs_code,
            warranty_months: p.warranty_months,
            serial_tracked: p.serial_tracked,
            list_price: p.list_price,
            vat_rate: rate_text(p.vat_rate_bp),
            // List prices (at most 10^15) and VAT rates (at most 100%) are bounded where they
            // enter the catalog, so the sum always fits.
            list_price_with_vat: with_vat(p.list_price, i64::from(p.vat_rate_bp)).unwrap_or(i64::MAX),
            version: p.version,
            created_at: rfc3339(p.created_at.as_ref()),
            updated_at: rfc3339(p.updated_at.as_ref()),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateProductBody {
    #[schema(required = true, min_length = 1)]
    pub model_code: String,
    #[schema(required = true, min_length = 1)]
    pub name_vi: String,
    pub name_en: String,
    #[schema(required = true, min_length = 1)]
    pub category: String,
    #[schema(required = true, min_length = 1)]
    pub brand: String,
    #[schema(required = true, min_length = 1)]
    pub brand_class: String,
    #[schema(required = true, minimum = 1)]
    pub supplier_id: i64,
    #[schema(required = true, min_length = 1)]
    pub unit: String,
    #[schema(required = true, min_length = 1)]
    pub hs_code: String,
    #[schema(minimum = 0, maximum = 120)]
    pub warranty_months: i32,
    pub serial_tracked: bool,
    /// VND, without VAT
    #[schema(minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub list_price: i64,
    /// "0.10", "0.08" or "0.05"
    #[schema(required = true, min_length = 1)]
    pub vat_rate: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateProductBody {
    pub model_code: Option<String>,
    pub name_vi: Option<String>,
    pub name_en: Option<String>,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub brand_class: Option<String>,
    pub supplier_id: Option<i64>,
    pub unit: Option<String>,
    pub hs_code: Option<String>,
    #[schema(minimum = 0, maximum = 120)]
    pub warranty_months: Option<i32>,
    pub serial_tracked: Option<bool>,
    /// VND, without VAT
    #[schema(minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub list_price: Option<i64>,
    pub vat_rate: Option<String>,
    /// The version read; alternatively send If-Match with the ETag.
    pub version: Option<i64>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ProductQuery {
    /// Matches model code, names and brand, ignoring case and diacritics.
    pub q: Option<String>,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub brand_class: Option<String>,
    pub supplier_id: Option<String>,
    /// Comma-separated product ids (at most 500): just those products, in one page.
    pub ids: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// The ids of `?ids=`, checked.
fn id_list(text: &str) -> Result<Vec<i64>, Problem> {
    let ids: Option<Vec<i64>> = text.split(',').map(|id| id.trim().parse::<i64>().ok().filter(|id| *id > 0)).collect();
    match ids {
        Some(ids) if (1..=500).contains(&ids.len()) => Ok(ids),
        _ => Err(Problem::field("ids", "must be 1 to 500 product ids separated by commas")),
    }
}

fn product_response(status: StatusCode, product: pb::Product) -> Response {
    let (version, location) = (product.version, format!("/api/v1/products/{}", product.id));
    record_response(status, ProductBody::from(product), version, &location)
}

/// Add a product to the catalog.
#[utoipa::path(post, path = "/api/v1/products", tag = "catalog", request_body = CreateProductBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = ProductBody), BadRequest, Forbidden))]
pub async fn create_product(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateProductBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCatalog)?;
    let message = pb::CreateProductRequest {
        model_code: body.model_code,
        name_vi: body.name_vi,
        name_en: body.name_en,
        category: enum_from_text::<pb::ProductCategory>(&body.category),
        brand: body.brand,
        brand_class: enum_from_text::<pb::BrandClass>(&body.brand_class),
        supplier_id: body.supplier_id,
        unit: body.unit,
        hs_code: body.hs_code,
        warranty_months: body.warranty_months,
        serial_tracked: body.serial_tracked,
        list_price: body.list_price,
        vat_rate_bp: rate_bp_from_text(&body.vat_rate),
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let product = ctx.call(&state.catalog, message, |mut c, r| async move { c.create_product(r).await }).await?;
    Ok(product_response(StatusCode::CREATED, product))
}

/// One product, with its ETag.
#[utoipa::path(get, path = "/api/v1/products/{id}", tag = "catalog", params(("id" = i64, Path)),
    responses((status = 200, body = ProductBody), NotFound))]
pub async fn get_product(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCatalog)?;
    let ctx = CallContext::read(&state, &caller);
    let product = ctx
        .call(&state.catalog, pb::GetProductRequest { id }, |mut c, r| async move { c.get_product(r).await })
        .await?;
    Ok(product_response(StatusCode::OK, product))
}

/// Change some fields; send If-Match or version.
#[utoipa::path(patch, path = "/api/v1/products/{id}", tag = "catalog", request_body = UpdateProductBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = ProductBody), BadRequest, NotFound,
        PreconditionFailed, PreconditionRequired))]
pub async fn update_product(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<UpdateProductBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCatalog)?;
    let message = pb::UpdateProductRequest {
        id,
        expected_version: expected_version(&headers, body.version)?,
        model_code: body.model_code,
        name_vi: body.name_vi,
        name_en: body.name_en,
        category: body.category.as_deref().map(enum_from_text::<pb::ProductCategory>),
        brand: body.brand,
        brand_class: body.brand_class.as_deref().map(enum_from_text::<pb::BrandClass>),
        supplier_id: body.supplier_id,
        unit: body.unit,
        hs_code: body.hs_code,
        warranty_months: body.warranty_months,
        serial_tracked: body.serial_tracked,
        list_price: body.list_price,
        vat_rate_bp: body.vat_rate.as_deref().map(rate_bp_from_text),
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let product = ctx.call(&state.catalog, message, |mut c, r| async move { c.update_product(r).await }).await?;
    Ok(product_response(StatusCode::OK, product))
}

/// Products, searched and filtered.
#[utoipa::path(get, path = "/api/v1/products", tag = "catalog", params(ProductQuery),
    responses((status = 200, body = ListBody<ProductBody>), BadRequest))]
pub async fn list_products(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ProductQuery>,
) -> Result<axum::Json<ListBody<ProductBody>>, Problem> {
    caller.require(Action::ReadCatalog)?;
    let ctx = CallContext::read(&state, &caller);
    if let Some(ids) = query.ids.as_deref() {
        let message = pb::GetProductsRequest { ids: id_list(ids)? };
        let found = ctx.call(&state.catalog, message, |mut c, r| async move { c.get_products(r).await }).await?;
        return Ok(axum::Json(ListBody::new(found.items.into_iter().map(ProductBody::from).collect(), String::new())));
    }
    let supplier_id = optional_id("supplier_id", query.supplier_id.as_deref())?;
    let message = pb::ListProductsRequest {
        q: query.q.unwrap_or_default(),
        category: query.category.as_deref().map(enum_from_text::<pb::ProductCategory>).unwrap_or(0),
        brand: query.brand.unwrap_or_default(),
        brand_class: query.brand_class.as_deref().map(enum_from_text::<pb::BrandClass>).unwrap_or(0),
        supplier_id,
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let page = ctx.call(&state.catalog, message, |mut c, r| async move { c.list_products(r).await }).await?;
    Ok(axum::Json(ListBody::new(page.items.into_iter().map(ProductBody::from).collect(), page.next_cursor)))
}
