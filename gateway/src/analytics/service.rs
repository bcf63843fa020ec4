//! Service and care: `GET /api/v1/reports/service` — customer requests per kind, department and
//! office against their SLA, warranty cases and failure rates per product, and the suppliers'
//! RMA turnaround, per month, quarter or year; as JSON or one table as CSV.

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::analytics::v1 as pb;
use atq_proto::analytics::v1::service_reports_client::ServiceReportsClient;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, Unauthorized};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{CsvLayout, CsvSheet, day_text, office_from_text, office_text, wants_csv};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(service))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ServiceQuery {
    /// `month` (default), `quarter` or `year`, in the local calendar (Asia/Ho_Chi_Minh).
    pub period: Option<String>,
    /// First period in that unit: `2026-11`, `2026-Q4` or `2026`. Default: `to`.
    pub from: Option<String>,
    /// Last period in that unit. Default: the current one. At most 36 periods.
    pub to: Option<String>,
    /// One office (`HN`, `HCM`, `DL`); a sales manager always sees their own.
    pub office: Option<String>,
    /// json (default) or csv.
    pub format: Option<String>,
    /// The table a CSV download holds: `requests` (default, the totals included), `products` or
    /// `suppliers`.
    #[param(inline, schema_with = table_schema)]
    pub table: Option<String>,
}

fn table_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(TABLES))
        .build()
}

const TABLES: [&str; 3] = ["requests", "products", "suppliers"];

/// Requests received in one period of one kind, department and office (`all` in the totals).
/// Times are working minutes on the SLA calendar; means toward zero over the requests answered
/// (or resolved), null without any.
#[derive(Serialize, ToSchema)]
pub struct RequestRowBody {
    pub period: String,
    pub kind: String,
    /// `sales`, `import_export` or `accounting`.
    pub department: String,
    pub office: String,
    pub requests: i64,
    pub answered: i64,
    pub mean_first_response_minutes: Option<i64>,
    pub mean_first_response_target_minutes: Option<i64>,
    pub first_response_breached: i64,
    pub resolved: i64,
    pub mean_resolution_minutes: Option<i64>,
    pub mean_resolution_target_minutes: Option<i64>,
    pub resolution_breached: i64,
    /// Requests with either clock breached.
    pub breached: i64,
    /// breached / requests in basis points, half up (2500 = 25%); null without requests.
    pub breach_rate_bp: Option<i64>,
}

/// Warranty cases opened in one period on one product, beside its units sold in that period.
#[derive(Serialize, ToSchema)]
pub struct WarrantyProductBody {
    pub period: String,
    pub product_id: i64,
    pub model_code: String,
    pub supplier_id: i64,
    pub supplier_code: String,
    pub cases: i64,
    /// Units on confirmed orders, not cancelled, confirmed in the period.
    pub units_sold: i64,
    /// cases / units sold in basis points, half up; null without units sold.
    pub failure_rate_bp: Option<i64>,
}

/// One supplier's warranty cases opened, units sent back (RMA) and received back in one period.
#[derive(Serialize, ToSchema)]
pub struct WarrantySupplierBody {
    pub period: String,
    pub supplier_id: i64,
    pub supplier_code: String,
    pub supplier_name: String,
    pub cases: i64,
    pub rmas_sent: i64,
    pub rmas_received: i64,
    /// Days from shipped to received back, of the units received back in the period, in tenths
    /// of a day, half up (the median of an even count is the mean of the middle two); null
    /// without any.
    pub median_turnaround_tenths: Option<i64>,
    pub mean_turnaround_tenths: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ServiceReportBody {
    /// `month`, `quarter` or `year`, the first and last period, and their first and last local
    /// dates `YYYY-MM-DD`.
    pub period: String,
    pub from: String,
    pub to: String,
    pub first_day: String,
    pub last_day: String,
    /// The office the figures are limited to; null for the whole company.
    pub office: Option<String>,
    pub requests: Vec<RequestRowBody>,
    /// One row per period (kind, department and office `all`), every period listed.
    pub request_totals: Vec<RequestRowBody>,
    pub products: Vec<WarrantyProductBody>,
    pub suppliers: Vec<WarrantySupplierBody>,
    /// How the figures are counted and rounded.
    pub method: String,
    /// Positions of the sales and import-planning feeds the figures include.
    pub sales_position: i64,
    pub import_planning_position: i64,
}

fn request_body(r: &pb::ServiceRequestRow) -> RequestRowBody {
    RequestRowBody {
        period: r.period.clone(),
        kind: r.kind.clone(),
        department: r.department.clone(),
        office: r.office.clone(),
        requests: r.requests,
        answered: r.answered,
        mean_first_response_minutes: r.mean_first_response_minutes,
        mean_first_response_target_minutes: r.mean_first_response_target_minutes,
        first_response_breached: r.first_response_breached,
        resolved: r.resolved,
        mean_resolution_minutes: r.mean_resolution_minutes,
        mean_resolution_target_minutes: r.mean_resolution_target_minutes,
        resolution_breached: r.resolution_breached,
        breached: r.breached,
        breach_rate_bp: r.breach_rate_bp,
    }
}

fn report_body(answer: pb::ServiceReportResponse) -> ServiceReportBody {
    ServiceReportBody {
        period: answer.period,
        from: answer.from,
        to: answer.to,
        first_day: day_text(answer.first_day.as_ref()),
        last_day: day_text(answer.last_day.as_ref()),
        office: Some(office_text(answer.office)).filter(|o| !o.is_empty()),
        requests: answer.requests.iter().map(request_body).collect(),
        request_totals: answer.request_totals.iter().map(request_body).collect(),
        products: answer
            .products
            .into_iter()
            .map(|p| WarrantyProductBody {
                period: p.period,
                product_id: p.product_id,
                model_code: p.model_code,
                supplier_id: p.supplier_id,
                supplier_code: p.supplier_code,
                cases: p.cases,
                units_sold: p.units_sold,
                failure_rate_bp: p.failure_rate_bp,
            })
            .collect(),
        suppliers: answer
            .suppliers
            .into_iter()
            .map(|s| WarrantySupplierBody {
                period: s.period,
                supplier_id: s.supplier_id,
                supplier_code: s.supplier_code,
                supplier_name: s.supplier_name,
                cases: s.cases,
                rmas_sent: s.rmas_sent,
                rmas_received: s.rmas_received,
                median_turnaround_tenths: s.median_turnaround_tenths,
                mean_turnaround_tenths: s.mean_turnaround_tenths,
            })
            .collect(),
        method: answer.method,
        sales_position: answer.sales_position,
        import_planning_position: answer.import_planning_position,
    }
}

fn number(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

/// The rows of one table with its header.
fn table_rows(body: &ServiceReportBody, table: &str) -> (Vec<&'static str>, Vec<Vec<String>>) {
    match table {
        "products" => (PRODUCT_COLUMNS.to_vec(), body.products.iter().map(product_cells).collect()),
        "suppliers" => (SUPPLIER_COLUMNS.to_vec(), body.suppliers.iter().map(supplier_cells).collect()),
        _ => (REQUEST_COLUMNS.to_vec(), body.requests.iter().chain(&body.request_totals).map(request_cells).collect()),
    }
}

const PRODUCT_COLUMNS: [&str; 8] =
    ["period", "product_id", "model_code", "supplier_id", "supplier_code", "cases", "units_sold", "failure_rate_bp"];

fn product_cells(p: &WarrantyProductBody) -> Vec<String> {
    vec![
        p.period.clone(),
        p.product_id.to_string(),
        p.model_code.clone(),
        p.supplier_id.to_string(),
        p.supplier_code.clone(),
        p.cases.to_string(),
        p.units_sold.to_string(),
        number(p.failure_rate_bp),
    ]
}

const SUPPLIER_COLUMNS: [&str; 9] = [
    "period",
    "supplier_id",
    "supplier_code",
    "supplier_name",
    "cases",
    "rmas_sent",
    "rmas_received",
    "median_turnaround_tenths",
    "mean_turnaround_tenths",
];

fn supplier_cells(s: &WarrantySupplierBody) -> Vec<String> {
    vec![
        s.period.clone(),
        s.supplier_id.to_string(),
        s.supplier_code.clone(),
        s.supplier_name.clone(),
        s.cases.to_string(),
        s.rmas_sent.to_string(),
        s.rmas_received.to_string(),
        number(s.median_turnaround_tenths),
        number(s.mean_turnaround_tenths),
    ]
}

const REQUEST_COLUMNS: [&str; 15] = [
    "period",
    "kind",
    "department",
    "office",
    "requests",
    "answered",
    "mean_first_response_minutes",
    "mean_first_response_target_minutes",
    "first_response_breached",
    "resolved",
    "mean_resolution_minutes",
    "mean_resolution_target_minutes",
    "resolution_breached",
    "breached",
    "breach_rate_bp",
];

fn request_cells(r: &RequestRowBody) -> Vec<String> {
    vec![
        r.period.clone(),
        r.kind.clone(),
        r.department.clone(),
        r.office.clone(),
        r.requests.to_string(),
        r.answered.to_string(),
        number(r.mean_first_response_minutes),
        number(r.mean_first_response_target_minutes),
        r.first_response_breached.to_string(),
        r.resolved.to_string(),
        number(r.mean_resolution_minutes),
        number(r.mean_resolution_target_minutes),
        r.resolution_breached.to_string(),
        r.breached.to_string(),
        number(r.breach_rate_bp),
    ]
}

fn report_csv(body: &ServiceReportBody, table: &str) -> Result<Response, Problem> {
    let (columns, rows) = table_rows(body, table);
    let mut sheet = CsvSheet::new(CsvLayout::Plain, &columns)?;
    for row in rows {
        sheet.row(row)?;
    }
    let name = format!("service-{table}-{}-{}.csv", body.from, body.to);
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
    ];
    Ok((headers, sheet.into_bytes()?).into_response())
}

/// Service and care over the periods: customer requests per kind, department and office with
/// first-response and resolution times (working minutes) against their SLA targets and the
/// breach rate; warranty cases per product with the failure rate (cases / units sold) and per
/// supplier with the RMA turnaround (median and mean days). `method` states how each figure is
/// counted and rounded. Kept up to date from the sales and import-planning feeds. A sales
/// manager sees their own office (asking for another is refused). CSV: one table (`table`).
#[utoipa::path(get, path = "/api/v1/reports/service", tag = "reports", params(ServiceQuery),
    responses((status = 200, description = "The report, or one of its tables as CSV",
            content((ServiceReportBody = "application/json"), (String = "text/csv"))),
        BadRequest, Unauthorized, Forbidden))]
pub async fn service(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ServiceQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadReports)?;
    let mut v = Violations::new();
    let csv = wants_csv(&mut v, query.format.as_deref());
    let table = query.table.as_deref().map(str::trim).filter(|t| !t.is_empty()).unwrap_or("requests").to_owned();
    if !TABLES.contains(&table.as_str()) {
        v.add("table", "must be requests, products or suppliers");
    }
    v.finish()?;
    let message = pb::ServiceReportRequest {
        period: query.period.unwrap_or_default(),
        from: query.from.unwrap_or_default(),
        to: query.to.unwrap_or_default(),
        office: office_from_text(query.office.as_deref().unwrap_or_default()),
    };
    let ctx = CallContext::read(&state, &caller);
    let client = ServiceReportsClient::new(state.channel("analytics")?);
    let answer = ctx.call(&client, message, |mut c, r| async move { c.service_report(r).await }).await?;
    let body = report_body(answer);
    if csv {
        return report_csv(&body, &table);
    }
    Ok(axum::Json(body).into_response())
}
