//! `/api/v1/sales-reports`: a salesperson's daily report and weekly summary (figures assembled by
//! the system, notes, customer evaluations, competitor notes), submitted once and then kept
//! unchanged; a manager's roll-up of the office. Lists and roll-ups download as CSV or XLSX.

use atq_platform::caller::Action;
use atq_proto::sales::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use self::bodies::{CompetitorBody, EvaluationBody, PersonReportBody};
use self::sheets::{Format, list_download, rollup_download};
use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, office_from_text, office_text, page, record_response, version_if_sent};

mod bodies;
mod sheets;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_reports))
        .routes(routes!(current_report))
        .routes(routes!(office_rollup))
        .routes(routes!(get_report))
        .routes(routes!(save_report))
        .routes(routes!(submit_report))
}

fn report_response(status: StatusCode, report: pb::SalesReport) -> Response {
    if report.id == 0 {
        return (status, axum::Json(PersonReportBody::from(report))).into_response();
    }
    let (version, location) = (report.version, format!("/api/v1/sales-reports/{}", report.id));
    record_response(status, PersonReportBody::from(report), version, &location)
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct PeriodQuery {
    /// daily or weekly
    pub kind: Option<String>,
    /// 2026-12-01 (daily) or 2026-W49 (weekly)
    pub period: Option<String>,
}

/// The caller's own report of a period: the saved one, or a draft with live figures (not stored
/// until first saved; then `id` is null).
#[utoipa::path(get, path = "/api/v1/sales-reports/current", tag = "sales reports", params(PeriodQuery),
    responses((status = 200, body = PersonReportBody), BadRequest, Forbidden))]
pub async fn current_report(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let message = pb::CurrentSalesReportRequest {
        kind: query.kind.unwrap_or_default(),
        period: query.period.unwrap_or_default(),
    };
    let ctx = CallContext::read(&state, &caller);
    let report =
        ctx.call(&state.sales_reports, message, |mut c, r| async move { c.get_current_sales_report(r).await }).await?;
    Ok(report_response(StatusCode::OK, report))
}

/// One report with its ETag; another office's (or, for a rep, a colleague's) is not found.
#[utoipa::path(get, path = "/api/v1/sales-reports/{id}", tag = "sales reports", params(("id" = i64, Path)),
    responses((status = 200, body = PersonReportBody), NotFound))]
pub async fn get_report(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCustomers)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::GetSalesReportRequest { id };
    let report = ctx.call(&state.sales_reports, message, |mut c, r| async move { c.get_sales_report(r).await }).await?;
    Ok(report_response(StatusCode::OK, report))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SaveReportBody {
    pub notes: String,
    /// A rating and remark per customer visited (customers of the person's office), up to 100
    pub evaluations: Vec<EvaluationBody>,
    /// Competitor information, up to 50 rows
    pub competitors: Vec<CompetitorBody>,
    /// The version read; alternatively If-Match. Required once the report exists.
    pub version: Option<i64>,
}

/// Write the caller's notes, evaluations and competitor notes of a period; the first save creates
/// the report (201). A submitted report no longer changes (409); a stale version is 412.
#[utoipa::path(put, path = "/api/v1/sales-reports/{kind}/{period}", tag = "sales reports",
    request_body = SaveReportBody,
    params(("kind" = String, Path, description = "daily or weekly"),
        ("period" = String, Path, description = "2026-12-01 or 2026-W49"),
        ("If-Match" = Option<String>, Header, description = "the ETag you read, once the report exists")),
    responses((status = 200, body = PersonReportBody), (status = 201, body = PersonReportBody), BadRequest,
        Conflict, PreconditionFailed))]
pub async fn save_report(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path((kind, period)): Path<(String, String)>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<SaveReportBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let expected_version = match version_if_sent(&headers)? {
        0 => body.version.unwrap_or(0),
        sent => sent,
    };
    let message = pb::SaveSalesReportRequest {
        kind,
        period,
        expected_version,
        notes: body.notes,
        evaluations: body
            .evaluations
            .into_iter()
            .map(|e| pb::SalesReportEvaluation {
                customer_id: e.customer_id,
                customer_name: String::new(),
                rating: e.rating,
                remark: e.remark,
            })
            .collect(),
        competitors: body
            .competitors
            .into_iter()
            .map(|c| pb::SalesReportCompetitor {
                competitor: c.competitor,
                product: c.product,
                price: c.price,
                remark: c.remark,
            })
            .collect(),
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let report =
        ctx.call(&state.sales_reports, message, |mut c, r| async move { c.save_sales_report(r).await }).await?;
    let status = if report.version == 1 { StatusCode::CREATED } else { StatusCode::OK };
    Ok(report_response(status, report))
}

/// Submit the caller's report of a period: its figures are frozen and it never changes again.
#[utoipa::path(post, path = "/api/v1/sales-reports/{kind}/{period}/submit", tag = "sales reports",
    params(("kind" = String, Path, description = "daily or weekly"),
        ("period" = String, Path, description = "2026-12-01 or 2026-W49"),
        ("If-Match" = Option<String>, Header, description = "the ETag you read"),
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 200, body = PersonReportBody), BadRequest, Conflict, PreconditionFailed))]
pub async fn submit_report(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path((kind, period)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let message = pb::SubmitSalesReportRequest { kind, period, expected_version: version_if_sent(&headers)? };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let report =
        ctx.call(&state.sales_reports, message, |mut c, r| async move { c.submit_sales_report(r).await }).await?;
    Ok(report_response(StatusCode::OK, report))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ListQuery {
    /// daily or weekly
    pub kind: Option<String>,
    pub owner: Option<String>,
    /// 2026-12-01 or 2026-W49
    pub period: Option<String>,
    /// HN, HCM or DL
    pub office: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
    /// json (default), csv or xlsx (every match, up to 5,000)
    pub format: Option<String>,
}

const EXPORT_MAX_ROWS: usize = 5000;

/// Reports, filtered: a rep's own, a manager's office, a director's all. Drafts show live figures
/// without debts. `format=csv|xlsx` downloads one row per report.
#[utoipa::path(get, path = "/api/v1/sales-reports", tag = "sales reports", params(ListQuery),
    responses((status = 200, description = "JSON by default; with `format=csv` UTF-8 CSV; with `format=xlsx` one sheet",
        content((ListBody<PersonReportBody> = "application/json"), (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        BadRequest))]
pub async fn list_reports(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCustomers)?;
    let format = Format::parse(query.format.as_deref())?;
    let mut message = pb::ListSalesReportsRequest {
        kind: query.kind.unwrap_or_default(),
        owner: query.owner.unwrap_or_default(),
        period: query.period.unwrap_or_default(),
        office: office_from_text(query.office.as_deref().unwrap_or_default()),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let list = |m: pb::ListSalesReportsRequest| {
        ctx.call(&state.sales_reports, m, |mut c, r| async move { c.list_sales_reports(r).await })
    };
    if format == Format::Json {
        let page = list(message).await?;
        let items = page.items.into_iter().map(PersonReportBody::from).collect();
        return Ok(axum::Json(ListBody::new(items, page.next_cursor)).into_response());
    }
    let mut items = Vec::new();
    let all =
        |cursor: String| Some(atq_proto::common::v1::PageRequest { limit: atq_platform::paging::MAX_LIMIT, cursor });
    message.page = all(String::new());
    loop {
        let page = list(message.clone()).await?;
        items.extend(page.items);
        if page.next_cursor.is_empty() || items.len() >= EXPORT_MAX_ROWS {
            break;
        }
        message.page = all(page.next_cursor);
    }
    items.truncate(EXPORT_MAX_ROWS);
    list_download(format, items)
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct RollupQuery {
    /// daily or weekly
    pub kind: Option<String>,
    pub period: Option<String>,
    /// HN, HCM or DL: a director names one; a manager gets their own
    pub office: Option<String>,
    /// json (default), csv or xlsx
    pub format: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RollupRowBody {
    /// Empty on the totals row.
    pub owner: String,
    pub submitted: bool,
    pub report_id: Option<i64>,
    pub activities_done: i32,
    pub new_customers: i32,
    pub quotes_sent: i32,
    pub orders_confirmed: i32,
    pub sales_net: i64,
    pub sales_gross: i64,
}

impl From<pb::SalesReportRollupRow> for RollupRowBody {
    fn from(r: pb::SalesReportRollupRow) -> Self {
        RollupRowBody {
            owner: r.owner,
            submitted: r.submitted,
            report_id: (r.report_id > 0).then_some(r.report_id),
            activities_done: r.activities_done,
            new_customers: r.new_customers,
            quotes_sent: r.quotes_sent,
            orders_confirmed: r.orders_confirmed,
            sales_net: r.sales_net,
            sales_gross: r.sales_gross,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RollupBody {
    pub kind: String,
    pub period: String,
    pub office: String,
    /// One row per person with a report or work in the period.
    pub rows: Vec<RollupRowBody>,
    pub totals: RollupRowBody,
}

/// The office's roll-up of a period: per person whether they submitted, activities done, new
/// customers, quotes sent, orders and sales (submitted figures when submitted, else live), and
/// the office's totals. Managers and directors only.
#[utoipa::path(get, path = "/api/v1/sales-reports/rollup", tag = "sales reports", params(RollupQuery),
    responses((status = 200, description = "JSON by default; with `format=csv` UTF-8 CSV; with `format=xlsx` one sheet",
        content((RollupBody = "application/json"), (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        BadRequest, Forbidden, NotFound))]
pub async fn office_rollup(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<RollupQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCustomers)?;
    let format = Format::parse(query.format.as_deref())?;
    let message = pb::SalesReportRollupRequest {
        kind: query.kind.unwrap_or_default(),
        period: query.period.unwrap_or_default(),
        office: office_from_text(query.office.as_deref().unwrap_or_default()),
    };
    let ctx = CallContext::read(&state, &caller);
    let rollup =
        ctx.call(&state.sales_reports, message, |mut c, r| async move { c.get_sales_report_rollup(r).await }).await?;
    if format != Format::Json {
        return rollup_download(format, rollup);
    }
    Ok(axum::Json(RollupBody {
        kind: rollup.kind,
        period: rollup.period,
        office: office_text(rollup.office),
        rows: rollup.rows.into_iter().map(RollupRowBody::from).collect(),
        totals: RollupRowBody::from(rollup.totals.unwrap_or_default()),
    })
    .into_response())
}
