//! Lists of activities (JSON pages or one CSV download), the call plan of a day, and the
//! customers whose last contact is older than a number of days.

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::sales::v1 as pb;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ActivityBody, optional_time};
use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::BadRequest;
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{CsvLayout, CsvSheet, ListBody, date_text, office_text, optional_date, optional_id, page};

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ActivityQuery {
    pub owner: Option<String>,
    /// Local date YYYY-MM-DD of planned_at, included
    pub from: Option<String>,
    pub to: Option<String>,
    /// planned, done, cancelled or overdue
    pub status: Option<String>,
    pub kind: Option<String>,
    pub customer_id: Option<String>,
    pub opportunity_id: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
    /// json (default) or csv (every match, up to 5,000)
    pub format: Option<String>,
}

const CSV_MAX_ROWS: usize = 5000;

/// Activities, filtered; sales staff see their own office only.
#[utoipa::path(get, path = "/api/v1/activities", tag = "activities", params(ActivityQuery),
    responses((status = 200, description = "The list; with `format=csv`, a CSV download (UTF-8 with BOM, for Excel)",
        content((ListBody<ActivityBody> = "application/json"), (String = "text/csv"))), BadRequest))]
pub async fn list_activities(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ActivityQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCustomers)?;
    let mut v = Violations::new();
    let from = optional_date(&mut v, "from", query.from.as_deref());
    let to = optional_date(&mut v, "to", query.to.as_deref());
    v.finish()?;
    let csv = match query.format.as_deref().map(str::trim) {
        None | Some("" | "json") => false,
        Some("csv") => true,
        Some(_) => return Err(Problem::field("format", "must be json or csv")),
    };
    let mut message = pb::ListActivitiesRequest {
        owner: query.owner.unwrap_or_default(),
        from,
        to,
        status: query.status.unwrap_or_default(),
        kind: query.kind.unwrap_or_default(),
        customer_id: optional_id("customer_id", query.customer_id.as_deref())?,
        opportunity_id: optional_id("opportunity_id", query.opportunity_id.as_deref())?,
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let list = |m: pb::ListActivitiesRequest| {
        ctx.call(&state.activities, m, |mut c, r| async move { c.list_activities(r).await })
    };
    if !csv {
        let page = list(message).await?;
        return Ok(axum::Json(ListBody::new(
            page.items.into_iter().map(ActivityBody::from).collect(),
            page.next_cursor,
        ))
        .into_response());
    }
    let mut items = Vec::new();
    message.page =
        Some(atq_proto::common::v1::PageRequest { limit: atq_platform::paging::MAX_LIMIT, cursor: String::new() });
    loop {
        let page = list(message.clone()).await?;
        items.extend(page.items);
        if page.next_cursor.is_empty() || items.len() >= CSV_MAX_ROWS {
            break;
        }
        message.page = Some(atq_proto::common::v1::PageRequest {
            limit: atq_platform::paging::MAX_LIMIT,
            cursor: page.next_cursor,
        });
    }
    items.truncate(CSV_MAX_ROWS);
    activities_csv(items)
}

fn activities_csv(items: Vec<pb::Activity>) -> Result<Response, Problem> {
    let header = [
        "id",
        "kind",
        "subject",
        "customer_code",
        "customer_name",
        "owner",
        "office",
        "planned_at",
        "duration_minutes",
        "status",
        "overdue",
        "done_at",
        "outcome",
        "notes",
    ];
    let mut sheet = CsvSheet::new(CsvLayout::Excel, &header)?;
    for a in items.into_iter().map(ActivityBody::from) {
        sheet.row([
            a.id.to_string(),
            a.kind,
            a.subject,
            a.customer_code,
            a.customer_name,
            a.owner,
            a.office,
            a.planned_at,
            a.duration_minutes.to_string(),
            a.status,
            a.overdue.to_string(),
            a.done_at.unwrap_or_default(),
            a.outcome,
            a.notes,
        ])?;
    }
    sheet.attachment("activities.csv")
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct DayPlanQuery {
    /// YYYY-MM-DD; today when absent
    pub date: Option<String>,
    /// A username; the caller when absent
    pub owner: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DayPlanBody {
    pub owner: String,
    pub date: String,
    pub done_count: i32,
    pub open_count: i32,
    /// In time order; cancelled ones left out.
    pub items: Vec<ActivityBody>,
}

/// The call plan of a day: whom to call or visit, when, how long, done or not.
#[utoipa::path(get, path = "/api/v1/activities/plan", tag = "activities", params(DayPlanQuery),
    responses((status = 200, body = DayPlanBody), BadRequest))]
pub async fn day_plan(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<DayPlanQuery>,
) -> Result<axum::Json<DayPlanBody>, Problem> {
    caller.require(Action::ReadCustomers)?;
    let mut v = Violations::new();
    let date = optional_date(&mut v, "date", query.date.as_deref());
    v.finish()?;
    let message = pb::DayPlanRequest { owner: query.owner.unwrap_or_default(), date };
    let ctx = CallContext::read(&state, &caller);
    let plan = ctx.call(&state.activities, message, |mut c, r| async move { c.get_day_plan(r).await }).await?;
    Ok(axum::Json(DayPlanBody {
        owner: plan.owner,
        date: date_text(plan.date.as_ref()).unwrap_or_default(),
        done_count: plan.done_count,
        open_count: plan.open_count,
        items: plan.items.into_iter().map(ActivityBody::from).collect(),
    }))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct UncontactedQuery {
    /// Days without a done activity; 30 when absent
    pub days: Option<String>,
    /// Whose customers; a sales rep's own when absent, a manager's whole office
    pub owner: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UncontactedBody {
    pub customer_id: i64,
    pub code: String,
    pub name: String,
    pub assigned_to: String,
    pub office: String,
    /// Null: never contacted.
    pub last_done_at: Option<String>,
}

/// Customers whose last done activity is older than `days`, or who have none: oldest first.
#[utoipa::path(get, path = "/api/v1/reports/uncontacted-customers", tag = "activities", params(UncontactedQuery),
    responses((status = 200, body = ListBody<UncontactedBody>), BadRequest))]
pub async fn uncontacted_customers(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<UncontactedQuery>,
) -> Result<axum::Json<ListBody<UncontactedBody>>, Problem> {
    caller.require(Action::ReadCustomers)?;
    let days = match query.days.as_deref().map(str::trim) {
        None | Some("") => 30,
        Some(text) => text.parse::<i32>().map_err(|_| Problem::field("days", "must be from 1 to 3650"))?,
    };
    let message = pb::UncontactedCustomersRequest { days, owner: query.owner.unwrap_or_default() };
    let ctx = CallContext::read(&state, &caller);
    let answer =
        ctx.call(&state.activities, message, |mut c, r| async move { c.list_uncontacted_customers(r).await }).await?;
    let items = answer
        .items
        .into_iter()
        .map(|c| UncontactedBody {
            customer_id: c.customer_id,
            code: c.code,
            name: c.name,
            assigned_to: c.assigned_to,
            office: office_text(c.office),
            last_done_at: optional_time(c.last_done_at.as_ref()),
        })
        .collect();
    Ok(axum::Json(ListBody::new(items, String::new())))
}
