//! `/api/v1/campaigns`: care campaigns (holiday gifts, promotions, satisfaction calls, events)
//! over a segment of customers, their members' progress and results; and the care reminders run
//! for a day. The JSON shapes are in [`bodies`].

mod bodies;

use atq_platform::caller::Action;
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::campaigns_client::CampaignsClient;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use tonic::transport::Channel;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Conflict, NotFound, PreconditionFailed, PreconditionRequired};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, expected_version, office_from_text, page, record_response};
use bodies::{
    CampaignBody, CreateCampaignBody, MemberBody, MemberStatusBody, RemindersBody, ResultsBody, SegmentAddedBody,
    SegmentBody, UpdateCampaignBody,
};

/// The results window when none is asked for, in days.
const DEFAULT_RESULT_DAYS: i32 = 30;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_campaign, list_campaigns))
        .routes(routes!(get_campaign, update_campaign))
        .routes(routes!(add_segment))
        .routes(routes!(list_members))
        .routes(routes!(set_member_status))
        .routes(routes!(campaign_results))
        .routes(routes!(run_reminders))
}

/// The sales service's client for campaigns, on the channel every sales client shares.
fn client(state: &AppState) -> Result<CampaignsClient<Channel>, Problem> {
    Ok(CampaignsClient::new(state.channel("sales")?))
}

fn campaign_response(status: StatusCode, campaign: pb::Campaign) -> Response {
    let (version, location) = (campaign.version, format!("/api/v1/campaigns/{}", campaign.id));
    record_response(status, CampaignBody::from(campaign), version, &location)
}

/// Create a campaign for offices you work in. The same `Idempotency-Key` with the same body
/// returns the first one.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", request_body = CreateCampaignBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = CampaignBody), BadRequest))]
pub async fn create_campaign(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateCampaignBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let fields = pb::CampaignFields {
        name: body.name,
        kind: body.kind,
        occasion: body.occasion,
        offices: body.offices,
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        cost: body.cost,
        status: body.status,
    };
    let message = pb::CreateCampaignRequest { campaign: Some(fields) };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let created = ctx.call(&client(&state)?, message, |mut c, r| async move { c.create_campaign(r).await }).await?;
    Ok(campaign_response(StatusCode::CREATED, created))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct CampaignQuery {
    /// planned, running or done
    pub status: Option<String>,
    /// HN, HCM or DL
    pub office: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Campaigns in id order; office staff see those running in their office.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns", params(CampaignQuery),
    responses((status = 200, body = ListBody<CampaignBody>), BadRequest))]
pub async fn list_campaigns(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<CampaignQuery>,
) -> Result<axum::Json<ListBody<CampaignBody>>, Problem> {
    caller.require(Action::ReadCustomers)?;
    let message = pb::ListCampaignsRequest {
        status: query.status.unwrap_or_default(),
        office: office_from_text(query.office.as_deref().unwrap_or_default()),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let list = ctx.call(&client(&state)?, message, |mut c, r| async move { c.list_campaigns(r).await }).await?;
    Ok(axum::Json(ListBody::new(list.items.into_iter().map(CampaignBody::from).collect(), list.next_cursor)))
}

/// One campaign with its ETag; another office's is not found.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = CampaignBody), NotFound))]
pub async fn get_campaign(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCustomers)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::GetCampaignRequest { id };
    let found = ctx.call(&client(&state)?, message, |mut c, r| async move { c.get_campaign(r).await }).await?;
    Ok(campaign_response(StatusCode::OK, found))
}

/// Change a campaign's name, status (forward only: 409 otherwise), cost, dates or occasion. Send
/// `If-Match` or `version`; a stale one is 412.
#[utoipa::path(patch, path = "/api/v1/campaigns/{id}", tag = "campaigns", request_body = UpdateCampaignBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = CampaignBody), BadRequest, NotFound, Conflict, PreconditionFailed,
        PreconditionRequired))]
pub async fn update_campaign(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<UpdateCampaignBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let message = pb::UpdateCampaignRequest {
        id,
        expected_version: expected_version(&headers, body.version)?,
        name: body.name,
        status: body.status,
        cost: body.cost,
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        occasion: body.occasion,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let written = ctx.call(&client(&state)?, message, |mut c, r| async move { c.update_campaign(r).await }).await?;
    Ok(campaign_response(StatusCode::OK, written))
}

/// Add the customers of a segment (every filter given must hold) as members. A customer already
/// a member is not added again, so sending the same segment twice adds nobody the second time.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/members/from-segment", tag = "campaigns",
    request_body = SegmentBody, params(("id" = i64, Path)),
    responses((status = 200, body = SegmentAddedBody), BadRequest, NotFound))]
pub async fn add_segment(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<SegmentBody>,
) -> Result<axum::Json<SegmentAddedBody>, Problem> {
    caller.require(Action::WriteCustomers)?;
    let message = pb::AddSegmentRequest {
        campaign_id: id,
        group: body.group,
        office: body.office,
        product_ids: body.product_ids,
        last_purchase_before: body.last_purchase_before,
        last_purchase_after: body.last_purchase_after,
        birthday_month: body.birthday_month,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let added = ctx.call(&client(&state)?, message, |mut c, r| async move { c.add_segment(r).await }).await?;
    Ok(axum::Json(SegmentAddedBody::from(added)))
}

/// A campaign's members in your offices, by customer id.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/members", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = ListBody<MemberBody>), NotFound))]
pub async fn list_members(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<ListBody<MemberBody>>, Problem> {
    caller.require(Action::ReadCustomers)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::ListMembersRequest { campaign_id: id };
    let list = ctx.call(&client(&state)?, message, |mut c, r| async move { c.list_members(r).await }).await?;
    Ok(axum::Json(ListBody::new(list.items.into_iter().map(MemberBody::from).collect(), String::new())))
}

/// Move a member forward: planned → contacted → gift_sent → responded → bought (a step may be
/// skipped; going back or repeating is 409; gift_sent only for holiday gifts).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/members/{customer_id}/status", tag = "campaigns",
    request_body = MemberStatusBody, params(("id" = i64, Path), ("customer_id" = i64, Path)),
    responses((status = 200, body = MemberBody), BadRequest, NotFound, Conflict))]
pub async fn set_member_status(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path((id, customer_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<MemberStatusBody>,
) -> Result<axum::Json<MemberBody>, Problem> {
    caller.require(Action::WriteCustomers)?;
    let message = pb::SetMemberStatusRequest { campaign_id: id, customer_id, status: body.status };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let member = ctx.call(&client(&state)?, message, |mut c, r| async move { c.set_member_status(r).await }).await?;
    Ok(axum::Json(MemberBody::from(member)))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ResultsQuery {
    /// Orders confirmed within this many days from the start count: 1 to 366, default 30
    pub days: Option<String>,
}

/// Members' confirmed orders within `days` of the campaign's start: revenue (net), cost and
/// ROI = (basis − cost) / cost in basis points. The sales service holds no cost of goods, so
/// `gross_profit` is null and `roi_method` says the basis is net revenue.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/results", tag = "campaigns",
    params(("id" = i64, Path), ResultsQuery), responses((status = 200, body = ResultsBody), BadRequest, NotFound))]
pub async fn campaign_results(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<ResultsQuery>,
) -> Result<axum::Json<ResultsBody>, Problem> {
    caller.require(Action::ReadCustomers)?;
    let days = match query.days.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_RESULT_DAYS,
        Some(text) => text.parse::<i32>().map_err(|_| Problem::field("days", "must be a whole number of days"))?,
    };
    let ctx = CallContext::read(&state, &caller);
    let message = pb::CampaignResultsRequest { campaign_id: id, days };
    let results = ctx.call(&client(&state)?, message, |mut c, r| async move { c.get_results(r).await }).await?;
    Ok(axum::Json(ResultsBody::from(results)))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct RemindersQuery {
    /// The local day (YYYY-MM-DD) to plan for; default today
    pub date: Option<String>,
}

/// Plan the day's care calls as activities for each customer's salesperson: a follow-up call 7
/// days after goods were delivered, and a call on each contact's birthday, in your offices.
/// Running a day again plans none twice. Warranty-expiry reminders are not made here: warranty
/// ends are held by import planning (`skipped` says so).
#[utoipa::path(post, path = "/api/v1/campaigns/reminders/run", tag = "campaigns", params(RemindersQuery),
    responses((status = 200, body = RemindersBody), BadRequest))]
pub async fn run_reminders(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    Query(query): Query<RemindersQuery>,
) -> Result<axum::Json<RemindersBody>, Problem> {
    caller.require(Action::WriteCustomers)?;
    let message = pb::RunRemindersRequest { date: query.date.unwrap_or_default() };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let run = ctx.call(&client(&state)?, message, |mut c, r| async move { c.run_reminders(r).await }).await?;
    Ok(axum::Json(RemindersBody::from(run)))
}
