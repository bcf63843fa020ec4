//! Sales per local month with their breakdowns.

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::analytics::v1 as pb;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, Unauthorized};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{CsvLayout, CsvSheet, day_text, month_text, office_text, optional_month_or_date};

use crate::wire::wants_csv;

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct SalesQuery {
    /// How sales are bucketed in time: `month` (the default and, for now, the only one).
    pub period: Option<String>,
    /// First local month `YYYY-MM` (from its first day) or local date `YYYY-MM-DD`. Default: eleven
    /// months before `to`'s month, so twelve months.
    pub from: Option<String>,
    /// Last local month `YYYY-MM` (to its last day) or local date `YYYY-MM-DD`. Default: the
    /// current month in Asia/Ho_Chi_Minh.
    pub to: Option<String>,
    /// json (default), csv or xlsx
    pub format: Option<String>,
}

/// Exact amounts in VND (đồng).
#[derive(Serialize, ToSchema)]
pub struct SalesFiguresBody {
    /// Without VAT.
    pub net: i64,
    pub vat: i64,
    /// net + vat.
    pub gross: i64,
    /// Units sold, summed over order lines.
    pub quantity: i64,
    /// Orders with at least one line counted here. An order with lines in two categories (or
    /// brands) counts once in each; by office, customer group and salesperson each order counts
    /// once, so those add up to the total.
    pub orders: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SalesRowBody {
    /// Office code (`HN`), category (`chemistry`), brand (`Fann`), customer group (`dealer`) or
    /// salesperson's username (`sales.hn`); `unknown` for a product the catalog has not
    /// described to analytics yet.
    pub key: String,
    pub net: i64,
    pub vat: i64,
    pub gross: i64,
    pub quantity: i64,
    pub orders: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SalesMonthBody {
    /// Local month, `YYYY-MM`.
    pub month: String,
    pub total: SalesFiguresBody,
    /// Each breakdown is sorted by key; empty in a month without sales.
    pub by_office: Vec<SalesRowBody>,
    pub by_category: Vec<SalesRowBody>,
    pub by_brand: Vec<SalesRowBody>,
    pub by_customer_group: Vec<SalesRowBody>,
    pub by_salesperson: Vec<SalesRowBody>,
}

#[derive(Serialize, ToSchema)]
pub struct SalesReportBody {
    /// `month`.
    pub period: String,
    /// First local date covered, `YYYY-MM-DD`.
    pub from: String,
    /// Last local date covered, `YYYY-MM-DD`.
    pub to: String,
    /// Every amount is in this currency: `VND`.
    pub currency: String,
    /// The office the figures are limited to: a sales manager sees their own office only; null
    /// for the whole company.
    pub office: Option<String>,
    /// The whole period, with its breakdowns (sorted by key).
    pub total: SalesFiguresBody,
    pub by_office: Vec<SalesRowBody>,
    pub by_category: Vec<SalesRowBody>,
    pub by_brand: Vec<SalesRowBody>,
    pub by_customer_group: Vec<SalesRowBody>,
    pub by_salesperson: Vec<SalesRowBody>,
    /// Every month from `from` to `to` in order, months without sales included with zero figures.
    pub months: Vec<SalesMonthBody>,
    /// Positions of the sales and catalog feeds the figures include.
    pub sales_position: i64,
    pub catalog_position: i64,
}

fn figures_body(figures: Option<&pb::SalesFigures>) -> SalesFiguresBody {
    let f = figures.cloned().unwrap_or_default();
    SalesFiguresBody { net: f.net, vat: f.vat, gross: f.gross, quantity: f.quantity, orders: f.orders }
}

fn rows_body(rows: &[pb::SalesBreakdownRow]) -> Vec<SalesRowBody> {
    rows.iter()
        .map(|row| {
            let f = figures_body(row.figures.as_ref());
            SalesRowBody {
                key: row.key.clone(),
                net: f.net,
                vat: f.vat,
                gross: f.gross,
                quantity: f.quantity,
                orders: f.orders,
            }
        })
        .collect()
}

fn month_body(period: &pb::SalesPeriodRow) -> SalesMonthBody {
    let summary = period.summary.clone().unwrap_or_default();
    SalesMonthBody {
        month: month_text(period.start.as_ref()),
        total: figures_body(summary.total.as_ref()),
        by_office: rows_body(&summary.by_office),
        by_category: rows_body(&summary.by_category),
        by_brand: rows_body(&summary.by_brand),
        by_customer_group: rows_body(&summary.by_customer_group),
        by_salesperson: rows_body(&summary.by_salesperson),
    }
}

fn report_body(report: pb::SalesReportResponse) -> SalesReportBody {
    let summary = report.summary.unwrap_or_default();
    SalesReportBody {
        period: "month".to_owned(),
        from: day_text(report.from.as_ref()),
        to: day_text(report.to.as_ref()),
        currency: "VND".to_owned(),
        office: Some(office_text(report.office)).filter(|o| !o.is_empty()),
        total: figures_body(summary.total.as_ref()),
        by_office: rows_body(&summary.by_office),
        by_category: rows_body(&summary.by_category),
        by_brand: rows_body(&summary.by_brand),
        by_customer_group: rows_body(&summary.by_customer_group),
        by_salesperson: rows_body(&summary.by_salesperson),
        months: report.periods.iter().map(month_body).collect(),
        sales_position: report.sales_position,
        catalog_position: report.catalog_position,
    }
}

/// One row per month, dimension and key; a month's total is the row of dimension `total`.
fn sales_csv(report: &SalesReportBody) -> Result<Response, Problem> {
    let header = ["month", "dimension", "key", "net", "vat", "gross", "quantity", "orders"];
    let mut sheet = CsvSheet::new(CsvLayout::Plain, &header)?;
    for month in &report.months {
        let t = &month.total;
        let figures = [t.net, t.vat, t.gross, t.quantity, t.orders].map(|n| n.to_string());
        sheet.row([month.month.as_str(), "total", ""].into_iter().chain(figures.iter().map(String::as_str)))?;
        let dimensions = [
            ("office", &month.by_office),
            ("category", &month.by_category),
            ("brand", &month.by_brand),
            ("customer_group", &month.by_customer_group),
            ("salesperson", &month.by_salesperson),
        ];
        for (dimension, rows) in dimensions {
            for r in rows {
                let figures = [r.net, r.vat, r.gross, r.quantity, r.orders].map(|n| n.to_string());
                let fields = [month.month.as_str(), dimension, &r.key];
                sheet.row(fields.into_iter().chain(figures.iter().map(String::as_str)))?;
            }
        }
    }
    sheet.attachment(&format!("sales-{}-{}.csv", report.from, report.to))
}

/// `?period=`: month, the only one so far.
fn parse_period(v: &mut Violations, text: Option<&str>) -> pb::ReportPeriod {
    match text.map(str::trim) {
        None | Some("") => pb::ReportPeriod::Month,
        Some(word) if word.eq_ignore_ascii_case("month") => pb::ReportPeriod::Month,
        Some(_) => {
            v.add("period", "must be month");
            pb::ReportPeriod::Month
        }
    }
}

/// Sales per local month (Asia/Ho_Chi_Minh) of confirmation, in VND, with the total and its
/// breakdown by office, product category, brand, customer group and salesperson, for each month
/// and for the whole period. An order counts in the month it was confirmed; a cancelled order
/// does not count at all. `from` and `to` are inclusive; a date inside a month counts that month
/// from or to that day only. Every month of the period is listed, a month without sales with zero
/// figures and empty breakdowns. Directors, accountants and admins see the whole company, a sales
/// manager their own office. `?format=csv` gives one row per month, dimension and key.
#[utoipa::path(get, path = "/api/v1/reports/sales", tag = "reports", params(SalesQuery),
    responses((status = 200, description = "The report; with `format=csv`, columns month, dimension, key, net, vat, gross, quantity, orders",
            content((SalesReportBody = "application/json"), (String = "text/csv"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        BadRequest, Unauthorized, Forbidden))]
pub async fn sales(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<SalesQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadReports)?;
    let mut v = Violations::new();
    let message = pb::SalesReportRequest {
        period: parse_period(&mut v, query.period.as_deref()) as i32,
        from: optional_month_or_date(&mut v, "from", query.from.as_deref(), false),
        to: optional_month_or_date(&mut v, "to", query.to.as_deref(), true),
    };
    let xlsx = super::sales_xlsx::wants_xlsx(query.format.as_deref());
    let csv = !xlsx && wants_csv(&mut v, query.format.as_deref());
    v.finish()?;
    let ctx = CallContext::read(&state, &caller);
    let report = ctx.call(&state.reports, message, |mut c, r| async move { c.sales_report(r).await }).await?;
    let body = report_body(report);
    if xlsx {
        return super::sales_xlsx::sales_xlsx(&body);
    }
    if csv {
        return sales_csv(&body);
    }
    Ok(axum::Json(body).into_response())
}
