//! `/api/v1/targets`: sales targets per salesperson and per office for a month, quarter or year,
//! set one at a time or imported from a spreadsheet; `/api/v1/reports/targets`: results against
//! them, as JSON, CSV or XLSX.

use std::collections::HashMap;

use atq_platform::FieldError;
use atq_platform::business_time::{local_date, now_micros};
use atq_platform::caller::Action;
use atq_proto::sales::v1 as pb;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::{JsonBody, read_body};
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, PayloadTooLarge, PreconditionFailed};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{CsvLayout, CsvSheet, ListBody, bp_text, date_text, office_from_text, office_text, page, rfc3339};
use crate::xlsx::{Cell, Column, Kind, Table};

const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;
/// The spreadsheet's columns, in the order a template lists them.
pub const IMPORT_COLUMNS: [&str; 7] = ["period", "scope", "owner", "office", "metric", "category", "target"];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_targets, put_target))
        .routes(routes!(import_targets))
        .routes(routes!(target_report))
}

#[derive(Serialize, ToSchema)]
pub struct TargetBody {
    pub id: i64,
    /// person or office
    pub scope: String,
    /// The salesperson; empty for an office target.
    pub owner: String,
    /// HN, HCM or DL
    pub office: String,
    /// 2026-11, 2026-Q4 or 2026
    pub period: String,
    /// revenue, new_customers, visits or category_revenue
    pub metric: String,
    /// A product category for category_revenue (physics, chemistry, ...), else empty.
    pub category: String,
    /// VND for revenue metrics, a count otherwise.
    pub target: i64,
    pub set_by: String,
    pub version: i64,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

impl From<pb::SalesTarget> for TargetBody {
    fn from(t: pb::SalesTarget) -> Self {
        let time = |ts: Option<prost_types::Timestamp>| ts.filter(|_| t.id > 0).map(|ts| rfc3339(Some(&ts)));
        TargetBody {
            id: t.id,
            created_at: time(t.created_at),
            updated_at: time(t.updated_at),
            scope: t.scope,
            owner: t.owner,
            office: office_text(t.office),
            period: t.period,
            metric: t.metric,
            category: t.category,
            target: t.target,
            set_by: t.set_by,
            version: t.version,
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct TargetQuery {
    /// 2026-11, 2026-Q4 or 2026
    pub period: Option<String>,
    /// HN, HCM or DL
    pub office: Option<String>,
    pub owner: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Targets, filtered; sales staff see their office's, and a sales rep only their own and their
/// office's.
#[utoipa::path(get, path = "/api/v1/targets", tag = "targets", params(TargetQuery),
    responses((status = 200, body = ListBody<TargetBody>), BadRequest))]
pub async fn list_targets(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<TargetQuery>,
) -> Result<axum::Json<ListBody<TargetBody>>, Problem> {
    caller.require(Action::ReadCustomers)?;
    let message = pb::ListTargetsRequest {
        period: query.period.unwrap_or_default(),
        office: office_from_text(query.office.as_deref().unwrap_or_default()),
        owner: query.owner.unwrap_or_default(),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let list = ctx.call(&state.targets, message, |mut c, r| async move { c.list_targets(r).await }).await?;
    Ok(axum::Json(ListBody::new(list.items.into_iter().map(TargetBody::from).collect(), list.next_cursor)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct PutTargetBody {
    /// 2026-11, 2026-Q4 or 2026
    #[schema(required = true, min_length = 1)]
    pub period: String,
    /// person or office
    #[schema(required = true, min_length = 1)]
    pub scope: String,
    /// The salesperson's username for a person target; empty for an office.
    pub owner: String,
    /// HN, HCM or DL
    #[schema(required = true, min_length = 1)]
    pub office: String,
    /// revenue, new_customers, visits or category_revenue
    #[schema(required = true, min_length = 1)]
    pub metric: String,
    /// For category_revenue: physics, chemistry, biology, electrical, electronics_telecom, it,
    /// automation or environment.
    pub category: String,
    /// VND for revenue metrics (up to 10^15), a count otherwise (up to 10^6).
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub target: i64,
    /// The version read, to replace a target only if nobody changed it meanwhile.
    pub version: Option<i64>,
}

/// The office each salesperson works in per the user directory (absent: no active user).
async fn owner_offices(
    state: &AppState,
    owners: impl Iterator<Item = String>,
) -> Result<HashMap<String, String>, Problem> {
    let mut offices = HashMap::new();
    for owner in owners.filter(|o| !o.is_empty()) {
        if offices.contains_key(&owner) || offices.len() > 1000 {
            continue;
        }
        let found = crate::users::find_active(&state.db, &owner).await.map_err(atq_platform::Error::from)?;
        let office = found.and_then(|(user, _)| user.office).map(|o| o.code().to_owned()).unwrap_or_default();
        offices.insert(owner, office);
    }
    Ok(offices)
}

/// Set one target: sales managers for their office and its people, directors for everyone. The
/// same period, scope, owner, office, metric and category replace the figure.
#[utoipa::path(put, path = "/api/v1/targets", tag = "targets", request_body = PutTargetBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 200, body = TargetBody), BadRequest, Forbidden, PreconditionFailed))]
pub async fn put_target(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<PutTargetBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let owner = body.owner.trim().to_owned();
    let owner_office = owner_offices(&state, std::iter::once(owner.clone())).await?.remove(&owner).unwrap_or_default();
    let fields = pb::TargetFields {
        period: body.period,
        scope: body.scope,
        owner,
        office: body.office,
        metric: body.metric,
        category: body.category,
        target: body.target.to_string(),
        owner_office,
    };
    let message = pb::PutTargetRequest { target: Some(fields), expected_version: body.version.unwrap_or(0) };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let target = ctx.call(&state.targets, message, |mut c, r| async move { c.put_target(r).await }).await?;
    Ok(axum::Json(TargetBody::from(target)).into_response())
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ImportQuery {
    /// true: check every row and answer what would be written, writing nothing
    pub dry_run: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct RowErrorBody {
    /// The spreadsheet row (the header is row 1).
    pub row: i32,
    pub column: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportBody {
    pub dry_run: bool,
    /// Written, or on a dry run to be written (id 0: new).
    pub targets: Vec<TargetBody>,
    /// Every row error; with one, nothing is written.
    pub errors: Vec<RowErrorBody>,
}

/// The rows of a CSV or XLSX upload (read as every import reads spreadsheets), named by its
/// header row.
pub fn sheet_rows(content_type: &str, bytes: &[u8]) -> Result<Vec<pb::ImportTargetRow>, Problem> {
    use crate::imports::sheet::{self, ColumnName};
    const NAMES: [ColumnName; 7] = [
        ColumnName { key: "period", headers: &["Kỳ"] },
        ColumnName { key: "scope", headers: &["Phạm vi"] },
        ColumnName { key: "owner", headers: &["Nhân viên"] },
        ColumnName { key: "office", headers: &["Văn phòng"] },
        ColumnName { key: "metric", headers: &["Chỉ tiêu"] },
        ColumnName { key: "category", headers: &["Nhóm hàng"] },
        ColumnName { key: "target", headers: &["Mục tiêu"] },
    ];
    let sheet = sheet::read(content_type, bytes)?;
    let at = sheet::positions(&sheet.header, &NAMES, &IMPORT_COLUMNS)?;
    let rows = sheet.rows.iter().map(|row| {
        let cell = |index: usize| sheet::cell(row, at[index]);
        let fields = pb::TargetFields {
            period: cell(0),
            scope: cell(1),
            owner: cell(2),
            office: cell(3),
            metric: cell(4),
            category: cell(5),
            target: cell(6),
            owner_office: String::new(),
        };
        pb::ImportTargetRow { row: row.row, fields: Some(fields) }
    });
    Ok(rows.collect())
}

/// Import targets from `text/csv` or XLSX with the columns period, scope, owner, office, metric, category,
/// target. `dry_run=true` answers the rows it would write and every row error and writes nothing;
/// otherwise all rows are written or, with any error, none (400 naming `rows[N].column`).
#[utoipa::path(post, path = "/api/v1/targets/import", tag = "targets", params(ImportQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    request_body(description = "the file", content((String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = ImportBody), BadRequest, Forbidden, PayloadTooLarge))]
pub async fn import_targets(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let bytes = read_body(body, MAX_IMPORT_BYTES, "2 MiB").await?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let mut rows = sheet_rows(&content_type.to_ascii_lowercase(), &bytes)?;
    let owners = rows.iter().filter_map(|r| r.fields.as_ref()).map(|f| f.owner.trim().to_owned());
    let offices = owner_offices(&state, owners.collect::<Vec<_>>().into_iter()).await?;
    for fields in rows.iter_mut().filter_map(|r| r.fields.as_mut()) {
        fields.owner_office = offices.get(fields.owner.trim()).cloned().unwrap_or_default();
    }
    let dry_run = query.dry_run.unwrap_or(false);
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let message = pb::ImportTargetsRequest { rows, dry_run };
    let answer = ctx.call(&state.targets, message, |mut c, r| async move { c.import_targets(r).await }).await?;
    if !dry_run && !answer.errors.is_empty() {
        let fields = answer.errors.iter().map(|e| FieldError::new(format!("rows[{}].{}", e.row, e.column), &e.message));
        return Err(Problem::invalid(fields.collect()));
    }
    let body = ImportBody {
        dry_run: answer.dry_run,
        targets: answer.targets.into_iter().map(TargetBody::from).collect(),
        errors: answer
            .errors
            .into_iter()
            .map(|e| RowErrorBody { row: e.row, column: e.column, message: e.message })
            .collect(),
    };
    Ok(axum::Json(body).into_response())
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ReportQuery {
    /// 2026-11, 2026-Q4 or 2026; default the current quarter
    pub period: Option<String>,
    /// HN, HCM or DL
    pub office: Option<String>,
    pub owner: Option<String>,
    /// json (default), csv or xlsx
    pub format: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportLineBody {
    /// person or office
    pub scope: String,
    pub owner: String,
    pub office: String,
    pub metric: String,
    pub category: String,
    /// Absent when only the office's people have targets for this metric.
    pub target: Option<i64>,
    /// VND for revenue metrics, a count otherwise; to date while the period runs.
    pub result: i64,
    /// result / target in basis points, rounded half up (10000 = 100%).
    pub achievement_bp: Option<i64>,
    /// On an office line: the sum of its people's targets.
    pub people_target: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TargetReportBody {
    pub period: String,
    pub first_day: String,
    pub last_day: String,
    /// The period is under way: results are to date.
    pub running: bool,
    /// The share of the period elapsed, in basis points.
    pub elapsed_bp: i64,
    pub lines: Vec<ReportLineBody>,
}

impl From<pb::TargetReport> for TargetReportBody {
    fn from(r: pb::TargetReport) -> Self {
        let lines = r.lines.into_iter().map(|l| ReportLineBody {
            scope: l.scope,
            owner: l.owner,
            office: office_text(l.office),
            metric: l.metric,
            category: l.category,
            target: l.target,
            result: l.result,
            achievement_bp: l.achievement_bp,
            people_target: l.people_target,
        });
        TargetReportBody {
            period: r.period,
            first_day: date_text(r.first_day.as_ref()).unwrap_or_default(),
            last_day: date_text(r.last_day.as_ref()).unwrap_or_default(),
            running: r.running,
            elapsed_bp: r.elapsed_bp,
            lines: lines.collect(),
        }
    }
}

/// The quarter of today, as "2026-Q4".
pub fn current_quarter() -> String {
    let today = local_date(now_micros());
    format!("{}-Q{}", today.year(), (today.month() - 1) / 3 + 1)
}

/// Results against targets per office and per salesperson: to date while the period runs, final
/// once it has ended. Sales reps see their own and their office's lines; another office is empty.
#[utoipa::path(get, path = "/api/v1/reports/targets", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "The report; csv and xlsx have one row per line",
        content((TargetReportBody = "application/json"), (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), BadRequest))]
pub async fn target_report(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ReportQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCustomers)?;
    let format = query.format.as_deref().map(str::trim).unwrap_or_default().to_owned();
    if !matches!(format.as_str(), "" | "json" | "csv" | "xlsx") {
        return Err(Problem::field("format", "must be json, csv or xlsx"));
    }
    let message = pb::TargetReportRequest {
        period: query.period.filter(|p| !p.trim().is_empty()).unwrap_or_else(current_quarter),
        office: office_from_text(query.office.as_deref().unwrap_or_default()),
        owner: query.owner.unwrap_or_default(),
    };
    let ctx = CallContext::read(&state, &caller);
    let report = ctx.call(&state.targets, message, |mut c, r| async move { c.get_target_report(r).await }).await?;
    let body = TargetReportBody::from(report);
    match format.as_str() {
        "csv" => report_csv(&body),
        "xlsx" => report_xlsx(&body),
        _ => Ok(axum::Json(body).into_response()),
    }
}

const REPORT_COLUMNS: [&str; 10] =
    ["period", "office", "scope", "owner", "metric", "category", "target", "result", "achievement", "people_target"];

fn report_csv(report: &TargetReportBody) -> Result<Response, Problem> {
    let mut sheet = CsvSheet::new(CsvLayout::Excel, &REPORT_COLUMNS)?;
    for l in &report.lines {
        sheet.row([
            report.period.clone(),
            l.office.clone(),
            l.scope.clone(),
            l.owner.clone(),
            l.metric.clone(),
            l.category.clone(),
            l.target.map(|t| t.to_string()).unwrap_or_default(),
            l.result.to_string(),
            l.achievement_bp.map(achievement_text).unwrap_or_default(),
            l.people_target.to_string(),
        ])?;
    }
    sheet.attachment(&format!("chi-tieu-{}.csv", report.period))
}

/// Basis points as a fraction with four decimals ("1.0250" is 102.5%).
fn achievement_text(bp: i64) -> String {
    bp_text(i32::try_from(bp).unwrap_or(i32::MAX))
}

fn report_xlsx(report: &TargetReportBody) -> Result<Response, Problem> {
    let headers = [
        "Kỳ",
        "Văn phòng",
        "Phạm vi",
        "Nhân viên",
        "Chỉ tiêu",
        "Nhóm hàng",
        "Mục tiêu",
        "Kết quả",
        "Đạt",
        "Tổng mục tiêu nhân viên",
    ];
    let kinds = [
        Kind::Text,
        Kind::Text,
        Kind::Text,
        Kind::Text,
        Kind::Text,
        Kind::Text,
        Kind::Integer,
        Kind::Integer,
        Kind::Fraction,
        Kind::Integer,
    ];
    let columns: Vec<Column> = headers.into_iter().zip(kinds).map(|(header, kind)| Column { header, kind }).collect();
    let rows: Vec<Vec<Cell>> = report
        .lines
        .iter()
        .map(|l| {
            vec![
                Cell::Text(report.period.clone()),
                Cell::Text(l.office.clone()),
                Cell::Text(l.scope.clone()),
                Cell::Text(l.owner.clone()),
                Cell::Text(l.metric.clone()),
                Cell::Text(l.category.clone()),
                l.target.map_or(Cell::Empty, Cell::Integer),
                Cell::Integer(l.result),
                l.achievement_bp.map_or(Cell::Empty, |bp| Cell::Number(bp as f64 / 10_000.0)),
                Cell::Integer(l.people_target),
            ]
        })
        .collect();
    let title = format!("Kết quả so với chỉ tiêu {}", report.period);
    let subject = format!("Từ {} đến {}", report.first_day, report.last_day);
    let table = Table { sheet_name: "Chi tieu", title: &title, subject: &subject, columns: &columns, rows: &rows };
    let bytes = crate::xlsx::workbook_bytes(&table).map_err(|e| {
        Problem::from(atq_platform::Error::Internal(anyhow::Error::new(e).context("writing the targets workbook")))
    })?;
    let headers = [
        (header::CONTENT_TYPE, crate::xlsx::CONTENT_TYPE.to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"chi-tieu-{}.xlsx\"", report.period)),
    ];
    Ok((StatusCode::OK, headers, bytes).into_response())
}
