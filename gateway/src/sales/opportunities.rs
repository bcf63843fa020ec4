//! `/api/v1/opportunities`: sales pursued with customers, stage by stage, and
//! `/api/v1/reports/pipeline`, what they are worth. Sales staff see their own office's.

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::sales::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{
    BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, Unprocessable,
};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{
    CsvLayout, CsvSheet, ListBody, date_text, day_text, enum_text, expected_version, office_from_text, office_text,
    optional_date, optional_id, page, record_response, rfc3339,
};

/// Opportunities, and as many pages of them, one CSV download holds at most.
const CSV_PAGES: usize = 20;
const ACCESS: Action = Action::WriteCustomers;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_opportunity, list_opportunities))
        .routes(routes!(get_opportunity, update_opportunity))
        .routes(routes!(change_stage))
        .routes(routes!(opportunity_history))
        .routes(routes!(super::pipeline::pipeline))
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct OpportunityProductBody {
    pub product_id: i64,
    /// Filled from the catalog
    pub model_code: String,
    pub product_name: String,
    /// 1 when absent
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct OpportunityBody {
    pub id: i64,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub customer_group: String,
    /// The customer's office: HN, HCM or DL
    pub office: String,
    pub title: String,
    /// prospecting, qualified, proposal, negotiation, won, lost
    pub stage: String,
    /// VND
    pub expected_value: i64,
    /// YYYY-MM-DD
    pub expected_close_on: String,
    /// Percent, 0 to 100
    pub probability: i32,
    /// expected_value × probability / 100, rounded half up
    pub weighted_value: i64,
    pub owner: String,
    /// price, competitor, budget, timing, no_decision, other (lost only)
    pub lost_reason: Option<String>,
    pub competitor: Option<String>,
    /// YYYY-MM-DD, when won or lost
    pub closed_on: Option<String>,
    pub products: Vec<OpportunityProductBody>,
    pub created_by: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

fn weighted(value: i64, probability: i32) -> i64 {
    let scaled = i128::from(value) * i128::from(probability);
    i64::try_from((scaled + 50) / 100).unwrap_or(i64::MAX)
}

impl From<pb::Opportunity> for OpportunityBody {
    fn from(o: pb::Opportunity) -> Self {
        let some = |text: String| (!text.is_empty()).then_some(text);
        OpportunityBody {
            id: o.id,
            customer_id: o.customer_id,
            customer_code: o.customer_code,
            customer_name: o.customer_name,
            customer_group: enum_text::<pb::CustomerGroup>(o.customer_group),
            office: office_text(o.office),
            title: o.title,
            stage: o.stage,
            weighted_value: weighted(o.expected_value, o.probability),
            expected_value: o.expected_value,
            expected_close_on: day_text(o.expected_close_on.as_ref()),
            probability: o.probability,
            owner: o.owner,
            lost_reason: some(o.lost_reason),
            competitor: some(o.competitor),
            closed_on: date_text(o.closed_on.as_ref()),
            products: o
                .products
                .into_iter()
                .map(|p| OpportunityProductBody {
                    product_id: p.product_id,
                    model_code: p.model_code,
                    product_name: p.product_name,
                    quantity: p.quantity,
                    note: p.note,
                })
                .collect(),
            created_by: o.created_by,
            version: o.version,
            created_at: rfc3339(o.created_at.as_ref()),
            updated_at: rfc3339(o.updated_at.as_ref()),
        }
    }
}

fn opportunity_response(status: StatusCode, opportunity: pb::Opportunity) -> Response {
    let (version, location) = (opportunity.version, format!("/api/v1/opportunities/{}", opportunity.id));
    record_response(status, OpportunityBody::from(opportunity), version, &location)
}

fn product_inputs(items: Vec<OpportunityProductBody>) -> Vec<pb::OpportunityProductInput> {
    items
        .into_iter()
        .map(|p| pb::OpportunityProductInput { product_id: p.product_id, quantity: p.quantity, note: p.note })
        .collect()
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateOpportunityBody {
    pub customer_id: i64,
    pub title: String,
    /// VND, 0 to 10^15
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub expected_value: i64,
    /// YYYY-MM-DD
    pub expected_close_on: Option<String>,
    /// Percent; the stage's default when absent
    pub probability: Option<i32>,
    /// A username; the caller when absent
    pub owner: String,
    /// An open stage; prospecting when absent
    pub stage: String,
    pub products: Vec<OpportunityProductBody>,
}

/// Open an opportunity for a customer. The same `Idempotency-Key` with the same body returns the first.
#[utoipa::path(post, path = "/api/v1/opportunities", tag = "opportunities", request_body = CreateOpportunityBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = OpportunityBody), BadRequest, Forbidden, Unprocessable))]
pub async fn create_opportunity(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateOpportunityBody>,
) -> Result<Response, Problem> {
    caller.require(ACCESS)?;
    let mut v = Violations::new();
    let expected_close_on = optional_date(&mut v, "expected_close_on", body.expected_close_on.as_deref());
    v.finish()?;
    let message = pb::CreateOpportunityRequest {
        customer_id: body.customer_id,
        title: body.title,
        expected_value: body.expected_value,
        expected_close_on,
        probability: body.probability,
        owner: body.owner,
        products: product_inputs(body.products),
        stage: body.stage,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let created =
        ctx.call(&state.opportunities, message, |mut c, r| async move { c.create_opportunity(r).await }).await?;
    Ok(opportunity_response(StatusCode::CREATED, created))
}

/// One opportunity with its products and ETag.
#[utoipa::path(get, path = "/api/v1/opportunities/{id}", tag = "opportunities", params(("id" = i64, Path)),
    responses((status = 200, body = OpportunityBody), NotFound))]
pub async fn get_opportunity(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(ACCESS)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::GetOpportunityRequest { id };
    let found = ctx.call(&state.opportunities, message, |mut c, r| async move { c.get_opportunity(r).await }).await?;
    Ok(opportunity_response(StatusCode::OK, found))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateOpportunityBody {
    pub title: Option<String>,
    /// VND, 0 to 10^15
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub expected_value: Option<i64>,
    /// YYYY-MM-DD
    pub expected_close_on: Option<String>,
    /// Percent, within an open stage
    pub probability: Option<i32>,
    pub owner: Option<String>,
    /// Replaces the products of interest when present
    pub products: Option<Vec<OpportunityProductBody>>,
    /// The version read; alternatively send If-Match with the ETag.
    pub version: Option<i64>,
}

/// Change some fields. Send `If-Match` (the ETag you read) or `version`; a stale one is 412.
#[utoipa::path(patch, path = "/api/v1/opportunities/{id}", tag = "opportunities", request_body = UpdateOpportunityBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = OpportunityBody), BadRequest, NotFound, PreconditionFailed, PreconditionRequired))]
pub async fn update_opportunity(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<UpdateOpportunityBody>,
) -> Result<Response, Problem> {
    caller.require(ACCESS)?;
    let expected_version = expected_version(&headers, body.version)?;
    let mut v = Violations::new();
    let expected_close_on = optional_date(&mut v, "expected_close_on", body.expected_close_on.as_deref());
    v.finish()?;
    let message = pb::UpdateOpportunityRequest {
        id,
        expected_version,
        title: body.title,
        expected_value: body.expected_value,
        expected_close_on,
        probability: body.probability,
        owner: body.owner,
        products: body.products.map(|items| pb::OpportunityProducts { items: product_inputs(items) }),
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let updated =
        ctx.call(&state.opportunities, message, |mut c, r| async move { c.update_opportunity(r).await }).await?;
    Ok(opportunity_response(StatusCode::OK, updated))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct StageBody {
    /// prospecting, qualified, proposal, negotiation, won, lost
    pub stage: String,
    /// price, competitor, budget, timing, no_decision, other; required for lost
    pub lost_reason: String,
    /// Who won it instead, for lost
    pub competitor: String,
    pub note: String,
    /// The version read; alternatively send If-Match with the ETag.
    pub version: Option<i64>,
}

/// Move to another stage. Open stages move freely; won and lost are reopened only by a sales
/// manager or a director (409 otherwise). The same stage again changes nothing.
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/stage", tag = "opportunities", request_body = StageBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = OpportunityBody), BadRequest, NotFound, Conflict, PreconditionFailed,
        PreconditionRequired))]
pub async fn change_stage(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<StageBody>,
) -> Result<Response, Problem> {
    caller.require(ACCESS)?;
    let expected_version = expected_version(&headers, body.version)?;
    let message = pb::ChangeStageRequest {
        id,
        expected_version,
        stage: body.stage,
        lost_reason: body.lost_reason,
        competitor: body.competitor,
        note: body.note,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let moved = ctx.call(&state.opportunities, message, |mut c, r| async move { c.change_stage(r).await }).await?;
    Ok(opportunity_response(StatusCode::OK, moved))
}

#[derive(Serialize, ToSchema)]
pub struct StageChangeBody {
    /// Absent for the opening entry
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub changed_by: String,
    pub changed_at: String,
    pub note: String,
}

/// Every stage the opportunity took, oldest first.
#[utoipa::path(get, path = "/api/v1/opportunities/{id}/history", tag = "opportunities", params(("id" = i64, Path)),
    responses((status = 200, body = ListBody<StageChangeBody>), NotFound))]
pub async fn opportunity_history(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<ListBody<StageChangeBody>>, Problem> {
    caller.require(ACCESS)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::OpportunityHistoryRequest { id };
    let history =
        ctx.call(&state.opportunities, message, |mut c, r| async move { c.opportunity_history(r).await }).await?;
    let items = history
        .changes
        .into_iter()
        .map(|c| StageChangeBody {
            from_stage: (!c.from_stage.is_empty()).then_some(c.from_stage),
            to_stage: c.to_stage,
            changed_by: c.changed_by,
            changed_at: rfc3339(c.changed_at.as_ref()),
            note: c.note,
        })
        .collect();
    Ok(axum::Json(ListBody::new(items, String::new())))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct OpportunityQuery {
    /// Matches title, customer code or name, competitor, ignoring case and diacritics.
    pub q: Option<String>,
    pub stage: Option<String>,
    pub owner: Option<String>,
    /// HN, HCM or DL
    pub office: Option<String>,
    pub customer_id: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
    /// json (default) or csv (every match, up to 10 000)
    pub format: Option<String>,
}

/// Opportunities, filtered and searched; sales staff see their own office's. `format=csv` downloads them.
#[utoipa::path(get, path = "/api/v1/opportunities", tag = "opportunities", params(OpportunityQuery),
    responses((status = 200, description = "The list; with `format=csv`, a CSV download (UTF-8 with BOM, for Excel)",
        content((ListBody<OpportunityBody> = "application/json"), (String = "text/csv"))),
        BadRequest))]
pub async fn list_opportunities(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<OpportunityQuery>,
) -> Result<Response, Problem> {
    caller.require(ACCESS)?;
    let csv = match query.format.as_deref().map(str::trim) {
        None | Some("" | "json") => false,
        Some("csv") => true,
        Some(_) => return Err(Problem::field("format", "must be json or csv")),
    };
    let mut message = pb::ListOpportunitiesRequest {
        q: query.q.unwrap_or_default(),
        stage: query.stage.unwrap_or_default(),
        owner: query.owner.unwrap_or_default(),
        office: query.office.as_deref().map(office_from_text).unwrap_or(0),
        customer_id: optional_id("customer_id", query.customer_id.as_deref())?,
        page: page(if csv { Some("500") } else { query.limit.as_deref() }, query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let list = |message: pb::ListOpportunitiesRequest| {
        ctx.call(&state.opportunities, message, |mut c, r| async move { c.list_opportunities(r).await })
    };
    if !csv {
        let page = list(message).await?;
        let items = page.items.into_iter().map(OpportunityBody::from).collect();
        return Ok(axum::Json(ListBody::new(items, page.next_cursor)).into_response());
    }
    let mut sheet = CsvSheet::new(CsvLayout::Excel, &CSV_HEADER)?;
    for _ in 0..CSV_PAGES {
        let page = list(message.clone()).await?;
        for item in page.items {
            sheet.row(csv_row(OpportunityBody::from(item)))?;
        }
        if page.next_cursor.is_empty() {
            break;
        }
        message.page = Some(atq_proto::common::v1::PageRequest { limit: 500, cursor: page.next_cursor });
    }
    sheet.attachment("opportunities.csv")
}

const CSV_HEADER: [&str; 14] = [
    "id",
    "customer_code",
    "customer_name",
    "office",
    "title",
    "stage",
    "expected_value",
    "probability",
    "weighted_value",
    "expected_close_on",
    "owner",
    "lost_reason",
    "competitor",
    "closed_on",
];

fn csv_row(o: OpportunityBody) -> [String; 14] {
    [
        o.id.to_string(),
        o.customer_code,
        o.customer_name,
        o.office,
        o.title,
        o.stage,
        o.expected_value.to_string(),
        o.probability.to_string(),
        o.weighted_value.to_string(),
        o.expected_close_on,
        o.owner,
        o.lost_reason.unwrap_or_default(),
        o.competitor.unwrap_or_default(),
        o.closed_on.unwrap_or_default(),
    ]
}
