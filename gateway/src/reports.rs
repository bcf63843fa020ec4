//! `/api/v1/reports`: figures for the directors, from analytics.

use atq_platform::business_time::{date_from_proto, date_to_proto, parse_local_date};
use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::analytics::v1 as pb;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Days, Months, NaiveDate};
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
    OpenApiRouter::new().routes(routes!(new_customers)).routes(routes!(sales))
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
    let from = crate::wire::optional_date(&mut v, "from", query.from.as_deref());
    let to = crate::wire::optional_date(&mut v, "to", query.to.as_deref());
    let message = pb::NewCustomersRequest { from, to };
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
            week_start: crate::wire::date_text(row.week_start.as_ref()).unwrap_or_default(),
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
    /// json (default) or csv
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

/// A month `YYYY-MM` (its first day, or its last when `end`) or a date `YYYY-MM-DD`.
fn parse_month_or_date(text: &str, end: bool) -> Result<NaiveDate, String> {
    let text = text.trim();
    if text.len() > 7 {
        return parse_local_date(text).map_err(|_| "must be a month YYYY-MM or a date YYYY-MM-DD".to_owned());
    }
    let first = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| text.len() == 7)
        .ok_or_else(|| "must be a month YYYY-MM or a date YYYY-MM-DD".to_owned())?;
    if !end {
        return Ok(first);
    }
    first
        .checked_add_months(Months::new(1))
        .and_then(|next| next.checked_sub_days(Days::new(1)))
        .ok_or_else(|| "month out of range".to_owned())
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}

fn sales_csv(report: &SalesReportBody) -> String {
    let mut text = String::from("month,dimension,key,net,vat,gross,quantity,orders\n");
    for month in &report.months {
        let t = &month.total;
        text.push_str(&format!("{},total,,{},{},{},{},{}\n", month.month, t.net, t.vat, t.gross, t.quantity, t.orders));
        let dimensions = [
            ("office", &month.by_office),
            ("category", &month.by_category),
            ("brand", &month.by_brand),
            ("customer_group", &month.by_customer_group),
            ("salesperson", &month.by_salesperson),
        ];
        for (dimension, rows) in dimensions {
            for r in rows {
                text.push_str(&format!(
                    "{},{dimension},{},{},{},{},{},{}\n",
                    month.month,
                    csv_field(&r.key),
                    r.net,
                    r.vat,
                    r.gross,
                    r.quantity,
                    r.orders
                ));
            }
        }
    }
    text
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
            content((SalesReportBody = "application/json"), (String = "text/csv"))),
        (status = 400, body = ProblemBody), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody)))]
pub async fn sales(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<SalesQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadReports)?;
    let mut v = Violations::new();
    let period = match query.period.as_deref().map(str::trim) {
        None | Some("") => pb::ReportPeriod::Month,
        Some(word) if word.eq_ignore_ascii_case("month") => pb::ReportPeriod::Month,
        Some(_) => {
            v.add("period", "must be month");
            pb::ReportPeriod::Month
        }
    };
    let mut date = |field: &str, text: Option<&str>, end: bool| match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(text) => v.check(field, parse_month_or_date(text, end)).map(date_to_proto),
    };
    let message = pb::SalesReportRequest {
        period: period as i32,
        from: date("from", query.from.as_deref(), false),
        to: date("to", query.to.as_deref(), true),
    };
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
    let report = ctx.call(&state.reports, message, |mut c, r| async move { c.sales_report(r).await }).await?;
    let date_text = |d: Option<&atq_proto::common::v1::LocalDate>| crate::wire::date_text(d).unwrap_or_default();
    let summary = report.summary.unwrap_or_default();
    let months = report
        .periods
        .iter()
        .map(|period| {
            let summary = period.summary.clone().unwrap_or_default();
            SalesMonthBody {
                month: period
                    .start
                    .as_ref()
                    .and_then(|d| date_from_proto(d).ok())
                    .map(|d| d.format("%Y-%m").to_string())
                    .unwrap_or_default(),
                total: figures_body(summary.total.as_ref()),
                by_office: rows_body(&summary.by_office),
                by_category: rows_body(&summary.by_category),
                by_brand: rows_body(&summary.by_brand),
                by_customer_group: rows_body(&summary.by_customer_group),
                by_salesperson: rows_body(&summary.by_salesperson),
            }
        })
        .collect();
    let body = SalesReportBody {
        period: "month".to_owned(),
        from: date_text(report.from.as_ref()),
        to: date_text(report.to.as_ref()),
        currency: "VND".to_owned(),
        office: Some(office_text(report.office)).filter(|o| !o.is_empty()),
        total: figures_body(summary.total.as_ref()),
        by_office: rows_body(&summary.by_office),
        by_category: rows_body(&summary.by_category),
        by_brand: rows_body(&summary.by_brand),
        by_customer_group: rows_body(&summary.by_customer_group),
        by_salesperson: rows_body(&summary.by_salesperson),
        months,
        sales_position: report.sales_position,
        catalog_position: report.catalog_position,
    };
    if csv {
        let disposition = format!("attachment; filename=\"sales-{}-{}.csv\"", body.from, body.to);
        let headers =
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)];
        return Ok((headers, sales_csv(&body)).into_response());
    }
    Ok(axum::Json(body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_dates_both_name_a_day() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(parse_month_or_date("2026-11", false), Ok(date(2026, 11, 1)));
        assert_eq!(parse_month_or_date("2026-11", true), Ok(date(2026, 11, 30)));
        assert_eq!(parse_month_or_date("2028-02", true), Ok(date(2028, 2, 29)));
        assert_eq!(parse_month_or_date("2026-11-15", true), Ok(date(2026, 11, 15)));
        for bad in ["2026-13", "2026-1", "2026", "11-2026", "2026-02-30", "x"] {
            assert!(parse_month_or_date(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn csv_fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(csv_field("Fann"), "Fann");
        assert_eq!(csv_field("A, B"), "\"A, B\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
