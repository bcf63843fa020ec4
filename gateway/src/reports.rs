//! `/api/v1/reports`: figures for the directors, from analytics.

use atq_platform::business_time::{date_from_proto, date_to_proto, parse_local_date};
use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::analytics::v1 as pb;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::problem::{Problem, ProblemBody};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{group_text, office_text};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(new_customers))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct PeriodQuery {
    /// First local date, YYYY-MM-DD (default: twelve weeks before `to`).
    pub from: Option<String>,
    /// Last local date, YYYY-MM-DD (default: today in Asia/Ho_Chi_Minh).
    pub to: Option<String>,
    /// json (default) or csv
    pub format: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NewCustomersRowBody {
    /// Monday of the local week, YYYY-MM-DD.
    pub week_start: String,
    pub office: String,
    pub group: String,
    pub count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct NewCustomersBody {
    pub items: Vec<NewCustomersRowBody>,
    /// Position of the sales feed the figures include.
    pub sales_position: i64,
}

/// New customers per local week (Asia/Ho_Chi_Minh), office and group.
#[utoipa::path(get, path = "/api/v1/reports/new-customers", tag = "reports", params(PeriodQuery),
    responses((status = 200, body = NewCustomersBody), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody)))]
pub async fn new_customers(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadReports)?;
    let mut v = Violations::new();
    let mut date = |field: &str, text: Option<&str>| match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(text) => v.check(field, parse_local_date(text)).map(date_to_proto),
    };
    let message =
        pb::NewCustomersRequest { from: date("from", query.from.as_deref()), to: date("to", query.to.as_deref()) };
    let csv = match query.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => false,
        Some("csv") => true,
        Some(_) => {
            v.add("format", "must be json or csv");
            false
        }
    };
    v.finish()?;
    let ctx = CallContext::read(&state, &caller);
    let report = ctx.call(&state.reports, message, |mut c, r| async move { c.new_customers(r).await }).await?;
    let items: Vec<NewCustomersRowBody> = report
        .rows
        .into_iter()
        .map(|row| NewCustomersRowBody {
            week_start: row
                .week_start
                .as_ref()
                .and_then(|d| date_from_proto(d).ok())
                .map(|d| d.to_string())
                .unwrap_or_default(),
            office: office_text(row.office),
            group: group_text(row.group),
            count: row.count,
        })
        .collect();
    if csv {
        let mut text = String::from("week_start,office,group,count\n");
        for row in &items {
            text.push_str(&format!("{},{},{},{}\n", row.week_start, row.office, row.group, row.count));
        }
        let headers = [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"new-customers.csv\""),
        ];
        return Ok((headers, text).into_response());
    }
    Ok(axum::Json(NewCustomersBody { items, sales_position: report.sales_position }).into_response())
}
