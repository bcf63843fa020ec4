//! New customers per local week, office and group.

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::analytics::v1 as pb;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{CsvLayout, CsvSheet, day_text, enum_text, office_text, optional_date};
use atq_proto::sales::v1::CustomerGroup;

use crate::wire::wants_csv;

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
    responses((status = 200, body = NewCustomersBody), BadRequest, Forbidden))]
pub async fn new_customers(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadReports)?;
    let mut v = Violations::new();
    let from = optional_date(&mut v, "from", query.from.as_deref());
    let to = optional_date(&mut v, "to", query.to.as_deref());
    let message = pb::NewCustomersRequest { from, to };
    let csv = wants_csv(&mut v, query.format.as_deref());
    v.finish()?;
    let ctx = CallContext::read(&state, &caller);
    let report = ctx.call(&state.reports, message, |mut c, r| async move { c.new_customers(r).await }).await?;
    let items: Vec<NewCustomersRowBody> = report
        .rows
        .into_iter()
        .map(|row| NewCustomersRowBody {
            week_start: day_text(row.week_start.as_ref()),
            office: office_text(row.office),
            group: enum_text::<CustomerGroup>(row.group),
            count: row.count,
        })
        .collect();
    if csv {
        let mut sheet = CsvSheet::new(CsvLayout::Plain, &["week_start", "office", "group", "count"])?;
        for row in &items {
            sheet.row([row.week_start.as_str(), &row.office, &row.group, &row.count.to_string()])?;
        }
        return sheet.attachment("new-customers.csv");
    }
    Ok(axum::Json(NewCustomersBody { items, sales_position: report.sales_position }).into_response())
}
