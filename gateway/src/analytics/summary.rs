//! `GET /api/v1/reports/summary`: one department's figures for the directors per month, quarter
//! or year, each beside the period before and the same period a year earlier; as JSON, CSV (one
//! block per section) or XLSX (one sheet per section).

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::analytics::v1 as pb;
use atq_proto::analytics::v1::summaries_client::SummariesClient;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tonic::transport::Channel;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, Unauthorized};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{CsvLayout, CsvSheet, day_text, office_text};
use crate::xlsx::CONTENT_TYPE as XLSX;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(summary))
}

/// The analytics summaries client, on the channel the gateway already keeps to analytics.
pub(super) fn summaries_client(state: &AppState) -> Result<SummariesClient<Channel>, Problem> {
    Ok(SummariesClient::new(state.channel("analytics")?))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct SummaryQuery {
    /// The department summarised.
    #[param(inline, schema_with = department_schema)]
    pub department: Option<String>,
    /// `month` (default), `quarter` or `year`, in the local calendar (Asia/Ho_Chi_Minh).
    pub period: Option<String>,
    /// First period in that unit: `2026-11`, `2026-Q4` or `2026`. Default: `to`.
    pub from: Option<String>,
    /// Last period in that unit. Default: the current one. At most 36 periods.
    pub to: Option<String>,
    /// json (default), csv or xlsx; without it, `Accept: text/csv` or the XLSX type chooses.
    pub format: Option<String>,
}

fn department_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["sales", "accounting-warehouse", "import-export", "service"]))
        .build()
}

/// One figure of the period beside the period before and the same period a year earlier.
/// Changes are current minus the other; `_bp` in basis points of the other's magnitude (toward
/// zero), null when the other is zero.
#[derive(Serialize, ToSchema)]
pub struct MeasureBody {
    /// Sales: `net`, `vat`, `gross` (VND), `quantity`, `orders`, `new_customers`. Accounting and
    /// warehouse: `invoices`, `invoiced_net`, `invoiced_vat`, `invoiced_gross`, `payments`,
    /// `collected` (VND); at the period's end `open_invoices`, `closing_receivables`, `overdue`,
    /// `credit_sales`, `days`, `dso_tenths` (days sales outstanding in tenths of a day), `invoices`
    /// and `open_amount` per aging bucket, `products`, `units`, `value` of stock, and `counts`,
    /// `surplus_units`, `surplus_value`, `shortage_units`, `shortage_value` of stocktakes.
    /// Import-export: `orders_placed`, `orders_received`, `units_received`, `landed_value`,
    /// `priced_landed_value`, `list_value`, `landed_vs_list_bp`, `lead_time_mean_tenths`,
    /// `lead_time_median_tenths` (days in tenths), `orders_promised`, `orders_on_time`,
    /// `on_time_rate_bp`, `milestones_due`, `milestones_late`, `late_units`, `late_days`, and per
    /// currency `orders`, `goods_value` (the currency's minor unit). Service: `requests`,
    /// `answered`, `first_response_breached`, `resolved`, `resolution_breached`, `breached`,
    /// `breach_rate_bp`, `mean_first_response_minutes`, `mean_resolution_minutes` (working
    /// minutes), and per supplier `cases`, `rmas_sent`, `rmas_received`, `median_turnaround_tenths`,
    /// `mean_turnaround_tenths` (days in tenths), as `/api/v1/reports/service` counts them.
    pub name: String,
    pub current: i64,
    pub previous: i64,
    pub year_ago: i64,
    pub change_previous: i64,
    pub change_previous_bp: Option<i64>,
    pub change_year_ago: i64,
    pub change_year_ago_bp: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct SummaryRowBody {
    /// `all` in the total section; an office code, customer group or username otherwise.
    pub key: String,
    pub measures: Vec<MeasureBody>,
}

#[derive(Serialize, ToSchema)]
pub struct SummarySectionBody {
    /// Sales: `total`, `by_office`, `by_customer_group`, `by_salesperson`. Accounting and
    /// warehouse: `total`, `by_office` (the customer's office), `receivables`,
    /// `receivables_aging` (by bucket: `current`, `1-30`, `31-60`, `61-90`, `>90` days past due),
    /// `stock_by_warehouse` (`HN/good`, `HN/damaged`, ...), `slow_moving_stock`, `damaged_stock`,
    /// `stocktakes` (by warehouse). Import-export: `total`, `placed_by_currency`, `by_supplier`
    /// (supplier code), `milestones_by_office`.
    pub name: String,
    /// Sorted by key.
    pub rows: Vec<SummaryRowBody>,
}

#[derive(Serialize, ToSchema)]
pub struct SummaryPeriodBody {
    /// `2026-11`, `2026-Q4` or `2026`.
    pub name: String,
    /// First and last local dates, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    /// The period compared as previous, and the same period a year earlier.
    pub previous: String,
    pub year_ago: String,
    pub sections: Vec<SummarySectionBody>,
}

#[derive(Serialize, ToSchema)]
pub struct SummaryBody {
    pub department: String,
    /// `month`, `quarter` or `year`.
    pub period: String,
    /// `VND`.
    pub currency: String,
    /// The office the figures are limited to (a sales manager's own); null for the whole company.
    pub office: Option<String>,
    pub periods: Vec<SummaryPeriodBody>,
    /// Positions of the sales and accounting-warehouse feeds the figures include.
    pub sales_position: i64,
    pub accounting_position: i64,
}

fn summary_body(answer: pb::DepartmentSummaryResponse) -> SummaryBody {
    let measure = |m: &pb::SummaryMeasure| MeasureBody {
        name: m.name.clone(),
        current: m.current,
        previous: m.previous,
        year_ago: m.year_ago,
        change_previous: m.change_previous,
        change_previous_bp: m.change_previous_bp,
        change_year_ago: m.change_year_ago,
        change_year_ago_bp: m.change_year_ago_bp,
    };
    let section = |s: &pb::SummarySection| SummarySectionBody {
        name: s.name.clone(),
        rows: s
            .rows
            .iter()
            .map(|r| SummaryRowBody { key: r.key.clone(), measures: r.measures.iter().map(measure).collect() })
            .collect(),
    };
    SummaryBody {
        department: answer.department,
        period: answer.period,
        currency: "VND".to_owned(),
        office: Some(office_text(answer.office)).filter(|o| !o.is_empty()),
        periods: answer
            .periods
            .iter()
            .map(|p| SummaryPeriodBody {
                name: p.name.clone(),
                from: day_text(p.first_day.as_ref()),
                to: day_text(p.last_day.as_ref()),
                previous: p.previous.clone(),
                year_ago: p.year_ago.clone(),
                sections: p.sections.iter().map(section).collect(),
            })
            .collect(),
        sales_position: answer.sales_position,
        accounting_position: answer.accounting_position,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
    Xlsx,
}

/// `?format=` when given, else the `Accept` header (JSON unless it asks for CSV or XLSX only).
fn export_format(v: &mut Violations, format: Option<&str>, headers: &HeaderMap) -> Format {
    match format.map(str::trim).filter(|f| !f.is_empty()) {
        Some("json") => Format::Json,
        Some("csv") => Format::Csv,
        Some("xlsx") => Format::Xlsx,
        Some(_) => {
            v.add("format", "must be json, csv or xlsx");
            Format::Json
        }
        None => {
            let accept = headers.get(header::ACCEPT).and_then(|a| a.to_str().ok()).unwrap_or_default();
            if accept.contains("application/json") || !(accept.contains("text/csv") || accept.contains(XLSX)) {
                Format::Json
            } else if accept.contains("text/csv") {
                Format::Csv
            } else {
                Format::Xlsx
            }
        }
    }
}

const COLUMNS: [&str; 11] = [
    "period",
    "section",
    "key",
    "measure",
    "current",
    "previous",
    "change_previous",
    "change_previous_bp",
    "year_ago",
    "change_year_ago",
    "change_year_ago_bp",
];

/// The summary's rows grouped by section (in the order the summary lists them), each row as the
/// cells of [`COLUMNS`]; a change in basis points with no base is an empty cell.
fn section_rows(body: &SummaryBody) -> Vec<(String, Vec<Vec<Option<String>>>)> {
    let mut sections: Vec<(String, Vec<Vec<Option<String>>>)> = Vec::new();
    for period in &body.periods {
        for section in &period.sections {
            let at = match sections.iter().position(|(name, _)| *name == section.name) {
                Some(at) => at,
                None => {
                    sections.push((section.name.clone(), Vec::new()));
                    sections.len() - 1
                }
            };
            for row in &section.rows {
                for m in &row.measures {
                    let number = |n: i64| Some(n.to_string());
                    sections[at].1.push(vec![
                        Some(period.name.clone()),
                        Some(section.name.clone()),
                        Some(row.key.clone()),
                        Some(m.name.clone()),
                        number(m.current),
                        number(m.previous),
                        number(m.change_previous),
                        m.change_previous_bp.map(|n| n.to_string()),
                        number(m.year_ago),
                        number(m.change_year_ago),
                        m.change_year_ago_bp.map(|n| n.to_string()),
                    ]);
                }
            }
        }
    }
    sections
}

/// One block per section, each with its header row, blocks apart by an empty line.
fn summary_csv(body: &SummaryBody, name: &str) -> Result<Response, Problem> {
    let mut bytes = Vec::new();
    for (index, (_, rows)) in section_rows(body).into_iter().enumerate() {
        if index > 0 {
            bytes.push(b'\n');
        }
        let mut sheet = CsvSheet::new(CsvLayout::Plain, &COLUMNS)?;
        for row in rows {
            sheet.row(row.into_iter().map(Option::unwrap_or_default))?;
        }
        bytes.extend(sheet.into_bytes()?);
    }
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.csv\"")),
    ];
    Ok((headers, bytes).into_response())
}

/// One sheet per section, named after it, with a bold frozen header; figures as numbers.
fn summary_xlsx(body: &SummaryBody, name: &str) -> Result<Response, Problem> {
    let written = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let money = rust_xlsxwriter::Format::new().set_num_format("#,##0");
        for (section, rows) in section_rows(body) {
            let sheet = workbook.add_worksheet();
            sheet.set_name(&section)?;
            for (col, header) in (0u16..).zip(COLUMNS) {
                sheet.write_string_with_format(0, col, header, &bold)?;
            }
            for (row, cells) in (1u32..).zip(rows) {
                for (col, cell) in (0u16..).zip(cells) {
                    match cell {
                        // Exact below 2^53, far beyond any total.
                        Some(text) if col >= 4 => match text.parse::<i64>() {
                            Ok(n) => sheet.write_number_with_format(row, col, n as f64, &money)?,
                            Err(_) => sheet.write_string(row, col, text)?,
                        },
                        Some(text) => sheet.write_string(row, col, text)?,
                        None => continue,
                    };
                }
            }
            sheet.set_freeze_panes(1, 0)?;
            sheet.set_column_range_width(0, 10, 16.0)?;
        }
        workbook.save_to_buffer()
    };
    let bytes = written().map_err(|e| {
        Problem::from(atq_platform::Error::Internal(anyhow::Error::new(e).context("writing the summary workbook")))
    })?;
    let headers = [
        (header::CONTENT_TYPE, XLSX.to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.xlsx\"")),
    ];
    Ok((headers, bytes).into_response())
}

/// One department's summary for the directors, each figure beside the period before and the same
/// period a year earlier with the change (absolute and in basis points). Sales: revenue (net, VAT,
/// gross, VND), units, orders and new customers, in total and by office, customer group and
/// salesperson; an order counts in the local month it was confirmed, a cancelled one nowhere, and
/// returned goods come off in the month they came back. Accounting and warehouse: invoices issued
/// (count, net, VAT, gross) and payments received (count, amount collected), in total and by the
/// customer's office; receivables open at the period's end by aging bucket, days sales outstanding
/// (closing receivables ÷ invoiced gross × days in the period, tenths of a day, half up), stock at
/// the period's end by warehouse and condition at moving-average cost, slow-moving stock (held 90
/// days with no goods issue in them), damaged stock, and stocktake surplus and shortage.
/// Import-export: supplier orders placed (by the day sent) and received, landed value against list
/// price, lead times (mean and median) and the on-time rate as the supplier report counts them,
/// and import plan milestones due and late. Directors, accountants and admins see the whole
/// company, a sales manager their own office and no cost figures (landed, goods and stock values). CSV has one block per section (each with its
/// header), XLSX one sheet per section; columns period, section, key, measure, current, previous,
/// change_previous, change_previous_bp, year_ago, change_year_ago, change_year_ago_bp.
#[utoipa::path(get, path = "/api/v1/reports/summary", tag = "reports", params(SummaryQuery),
    responses((status = 200, description = "The summary, or its CSV or XLSX download",
            content((SummaryBody = "application/json"), (String = "text/csv"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        BadRequest, Unauthorized, Forbidden))]
pub async fn summary(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    Query(query): Query<SummaryQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadReports)?;
    let mut v = Violations::new();
    let format = export_format(&mut v, query.format.as_deref(), &headers);
    let department = query.department.unwrap_or_default();
    if department.trim().is_empty() {
        v.add("department", "is required: sales, accounting-warehouse, import-export or service");
    }
    v.finish()?;
    let message = pb::DepartmentSummaryRequest {
        department,
        period: query.period.unwrap_or_default(),
        from: query.from.unwrap_or_default(),
        to: query.to.unwrap_or_default(),
    };
    let ctx = CallContext::read(&state, &caller);
    let client = summaries_client(&state)?;
    let answer = ctx.call(&client, message, |mut c, r| async move { c.department_summary(r).await }).await?;
    let body = summary_body(answer);
    let name = match (body.periods.first(), body.periods.last()) {
        (Some(first), Some(last)) => format!("summary-{}-{}-{}", body.department, first.name, last.name),
        _ => format!("summary-{}", body.department),
    };
    match format {
        Format::Json => Ok(axum::Json(body).into_response()),
        Format::Csv => summary_csv(&body, &name),
        Format::Xlsx => summary_xlsx(&body, &name),
    }
}
