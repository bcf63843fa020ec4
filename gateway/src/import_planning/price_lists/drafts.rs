//! Drafting, reading and publishing versions of the price sheet.

use std::collections::BTreeMap;

use atq_platform::business_time::{date_to_proto, parse_local_date};
use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::importplanning::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, NotFound, PreconditionFailed};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, page, version_if_sent};

use super::{PriceListBody, list_response, margin_bp_from_text};

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CostIn {
    #[schema(required = true, minimum = 1)]
    pub product_id: i64,
    /// VND per unit
    #[schema(required = true, minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub unit_cost: i64,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct PriceListIn {
    /// YYYY-MM-DD, local
    #[schema(required = true, format = Date)]
    pub effective_on: String,
    /// Prices are rounded half up to a multiple of this, VND (e.g. 1000)
    #[schema(required = true, minimum = 1, maximum = 10_000_000)]
    pub rounding_step: i64,
    /// One margin on top of cost per customer group: `{"individual": "0.35", "dealer": "0.20",
    /// "project": "0.25"}`, and optionally one per dealer tier priced in its own column
    /// (`"distributor": "0.10", "tier1": "0.15", "tier2": "0.18"`)
    #[schema(required = true)]
    pub margins: BTreeMap<String, String>,
    /// Costs to use; for other products the warehouse's moving-average cost, else the list price
    pub costs: Vec<CostIn>,
    /// The products to price; the whole catalog when absent
    pub product_ids: Vec<i64>,
}

/// Draft a new version of the price sheet: for each product (all, or `product_ids`) and customer
/// group, cost x (1 + the group's margin) rounded half up to `rounding_step`, with and without
/// VAT. Each line says which cost it used: `given`, `average_cost` (the warehouse's moving
/// average) or `list_price`.
#[utoipa::path(post, path = "/api/v1/price-lists", tag = "import costing", request_body = PriceListIn,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = PriceListBody), BadRequest, Forbidden))]
pub async fn create_price_list(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<PriceListIn>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteRates)?;
    let mut v = Violations::new();
    let effective_on = match body.effective_on.trim() {
        "" => {
            v.add("effective_on", "is required");
            None
        }
        text => v.check("effective_on", parse_local_date(text)).map(date_to_proto),
    };
    let mut margins = Vec::new();
    for (group, text) in &body.margins {
        if let Some(margin_bp) = v.check(&format!("margins.{group}"), margin_bp_from_text(text)) {
            margins.push(pb::GroupMargin { customer_group: group.clone(), margin_bp });
        }
    }
    v.finish()?;
    let message = pb::CreatePriceListRequest {
        effective_on,
        rounding_step: body.rounding_step,
        margins,
        costs: body
            .costs
            .into_iter()
            .map(|c| pb::ProductCost { product_id: c.product_id, unit_cost: c.unit_cost })
            .collect(),
        product_ids: body.product_ids,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let list = ctx.call(&state.price_lists, message, |mut c, r| async move { c.create_price_list(r).await }).await?;
    Ok(list_response(StatusCode::CREATED, list))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct PriceListQuery {
    /// draft or published
    pub status: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Price sheet versions (without their lines), oldest first.
#[utoipa::path(get, path = "/api/v1/price-lists", tag = "import costing", params(PriceListQuery),
    responses((status = 200, body = ListBody<PriceListBody>), BadRequest, Forbidden))]
pub async fn list_price_lists(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<PriceListQuery>,
) -> Result<axum::Json<ListBody<PriceListBody>>, Problem> {
    caller.require(Action::ReadCosts)?;
    let message = pb::ListPriceListsRequest {
        status: query.status.unwrap_or_default(),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let page = ctx.call(&state.price_lists, message, |mut c, r| async move { c.list_price_lists(r).await }).await?;
    Ok(axum::Json(ListBody::new(page.items.into_iter().map(PriceListBody::from).collect(), page.next_cursor)))
}

/// One version with its lines and ETag.
#[utoipa::path(get, path = "/api/v1/price-lists/{id}", tag = "import costing", params(("id" = i64, Path)),
    responses((status = 200, body = PriceListBody), Forbidden, NotFound))]
pub async fn get_price_list(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCosts)?;
    let ctx = CallContext::read(&state, &caller);
    let list = ctx
        .call(&state.price_lists, pb::GetPriceListRequest { id }, |mut c, r| async move { c.get_price_list(r).await })
        .await?;
    Ok(list_response(StatusCode::OK, list))
}

/// Publish a draft: it becomes the current sheet from its effective date (the latest published
/// version in force wins). Publishing a published version changes nothing. `If-Match` optional.
#[utoipa::path(post, path = "/api/v1/price-lists/{id}/publish", tag = "import costing",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = PriceListBody), Forbidden, NotFound,
        PreconditionFailed))]
pub async fn publish_price_list(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::WriteRates)?;
    let expected = version_if_sent(&headers)?;
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let message = pb::PublishPriceListRequest { id, expected_version: expected };
    let list = ctx.call(&state.price_lists, message, |mut c, r| async move { c.publish_price_list(r).await }).await?;
    Ok(list_response(StatusCode::OK, list))
}
