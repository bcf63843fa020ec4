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
use crate::wire::{csv_field, group_text, office_text};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(new_customers)).routes(routes!(sales)).routes(routes!(suppliers))
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
    let csv = wants_csv(&mut v, query.format.as_deref());
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

/// A report's `from` or `to`: absent when blank, else a month or a date (see below).
fn period_bound(
    v: &mut Violations,
    field: &str,
    text: Option<&str>,
    end: bool,
) -> Option<atq_proto::common::v1::LocalDate> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    v.check(field, parse_month_or_date(text, end)).map(date_to_proto)
}

/// `?format=`: json (the default) or csv.
fn wants_csv(v: &mut Violations, format: Option<&str>) -> bool {
    match format.map(str::trim) {
        None | Some("") | Some("json") => false,
        Some("csv") => true,
        Some(_) => {
            v.add("format", "must be json or csv");
            false
        }
    }
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
    let message = pb::SalesReportRequest {
        period: period as i32,
        from: period_bound(&mut v, "from", query.from.as_deref(), false),
        to: period_bound(&mut v, "to", query.to.as_deref(), true),
    };
    let csv = wants_csv(&mut v, query.format.as_deref());
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

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct SuppliersQuery {
    /// First local month `YYYY-MM` (from its first day) or local date `YYYY-MM-DD` the orders were
    /// received in. Default: eleven months before `to`'s month, so twelve months.
    pub from: Option<String>,
    /// Last local month `YYYY-MM` (to its last day) or local date `YYYY-MM-DD`. Default: the
    /// current month in Asia/Ho_Chi_Minh.
    pub to: Option<String>,
    /// json (default) or csv
    pub format: Option<String>,
}

/// One supplier's import lead times (or all suppliers' together). Days are local days;
/// averages and rates are decimal strings, null when there is nothing to average.
#[derive(Serialize, ToSchema)]
pub struct SupplierPerformanceBody {
    pub supplier_id: i64,
    pub supplier_code: String,
    pub supplier_name: String,
    /// Orders received in the period, and the units on them.
    pub orders_received: i64,
    pub units_received: i64,
    /// Days from `sent_on` to `received_on`: the average to one decimal (`"38.5"`) and the longest.
    pub average_lead_time_days: Option<String>,
    pub max_lead_time_days: Option<i64>,
    /// Received orders with a date promised by the supplier's first confirmation, and those
    /// received by it.
    pub orders_promised: i64,
    pub orders_on_time: i64,
    /// `orders_on_time / orders_promised`, four decimals (`"0.6667"`).
    pub on_time_rate: Option<String>,
    /// Promised orders received after their promise, and their average delay in days (`"3.5"`).
    pub orders_late: i64,
    pub average_delay_days: Option<String>,
    /// Orders sent and not yet received (nor cancelled), whatever the period, and those of them
    /// whose promised date is before `as_of`.
    pub open_orders: i64,
    pub open_orders_overdue: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SupplierReportBody {
    /// First local date covered, `YYYY-MM-DD`.
    pub from: String,
    /// Last local date covered, `YYYY-MM-DD`.
    pub to: String,
    /// The local day open orders are judged on: today in Asia/Ho_Chi_Minh.
    pub as_of: String,
    /// One per supplier with an order received in the period or open now, by supplier code.
    pub items: Vec<SupplierPerformanceBody>,
    /// All suppliers together (`supplier_id` 0, code and name empty).
    pub total: SupplierPerformanceBody,
    /// Position of the import-planning feed the figures include.
    pub import_planning_position: i64,
}

/// Tenths as a decimal with one place: 385 -> "38.5", -5 -> "-0.5".
fn tenths_text(tenths: i64) -> String {
    let sign = if tenths < 0 { "-" } else { "" };
    format!("{sign}{}.{}", tenths.unsigned_abs() / 10, tenths.unsigned_abs() % 10)
}

/// Basis points as a decimal with four places: 6667 -> "0.6667", 10000 -> "1.0000".
fn bp_text(bp: i32) -> String {
    let bp = bp.max(0);
    format!("{}.{:04}", bp / 10_000, bp % 10_000)
}

fn supplier_body(row: &pb::SupplierPerformanceRow) -> SupplierPerformanceBody {
    SupplierPerformanceBody {
        supplier_id: row.supplier_id,
        supplier_code: row.supplier_code.clone(),
        supplier_name: row.supplier_name.clone(),
        orders_received: row.orders_received,
        units_received: row.units_received,
        average_lead_time_days: row.average_lead_time_tenths.map(tenths_text),
        max_lead_time_days: row.max_lead_time_days,
        orders_promised: row.orders_promised,
        orders_on_time: row.orders_on_time,
        on_time_rate: row.on_time_rate_bp.map(bp_text),
        orders_late: row.orders_late,
        average_delay_days: row.average_delay_tenths.map(tenths_text),
        open_orders: row.open_orders,
        open_orders_overdue: row.open_orders_overdue,
    }
}

fn suppliers_csv(report: &SupplierReportBody) -> String {
    let mut text = String::from(
        "supplier_code,supplier_name,orders_received,units_received,average_lead_time_days,max_lead_time_days,\
         orders_promised,orders_on_time,on_time_rate,orders_late,average_delay_days,open_orders,open_orders_overdue\n",
    );
    let blank = |value: &Option<String>| value.clone().unwrap_or_default();
    for r in &report.items {
        text.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            csv_field(&r.supplier_code),
            csv_field(&r.supplier_name),
            r.orders_received,
            r.units_received,
            blank(&r.average_lead_time_days),
            r.max_lead_time_days.map(|d| d.to_string()).unwrap_or_default(),
            r.orders_promised,
            r.orders_on_time,
            blank(&r.on_time_rate),
            r.orders_late,
            blank(&r.average_delay_days),
            r.open_orders,
            r.open_orders_overdue
        ));
    }
    text
}

/// Import lead times per supplier over the orders received in a period (local months of
/// Asia/Ho_Chi_Minh, inclusive; a date inside a month counts that month from or to that day
/// only): orders and units received, average and longest lead time from sending the order to
/// receiving the goods, how many promises (the supplier's first confirmation) were kept, and the
/// average delay of those that were not; with each supplier's open orders today and how many of
/// them are past their promise. Suppliers are sorted by code. Directors, accountants, sales
/// managers and admins may read it. `?format=csv` gives one row per supplier.
#[utoipa::path(get, path = "/api/v1/reports/suppliers", tag = "reports", params(SuppliersQuery),
    responses((status = 200, description = "The report; with `format=csv`, one row per supplier with the fields of an item but the id",
            content((SupplierReportBody = "application/json"), (String = "text/csv"))),
        (status = 400, body = ProblemBody), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody)))]
pub async fn suppliers(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<SuppliersQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadReports)?;
    let mut v = Violations::new();
    let message = pb::SupplierPerformanceRequest {
        from: period_bound(&mut v, "from", query.from.as_deref(), false),
        to: period_bound(&mut v, "to", query.to.as_deref(), true),
    };
    let csv = wants_csv(&mut v, query.format.as_deref());
    v.finish()?;
    let ctx = CallContext::read(&state, &caller);
    let report = ctx.call(&state.reports, message, |mut c, r| async move { c.supplier_performance(r).await }).await?;
    let date_text = |d: Option<&atq_proto::common::v1::LocalDate>| crate::wire::date_text(d).unwrap_or_default();
    let body = SupplierReportBody {
        from: date_text(report.from.as_ref()),
        to: date_text(report.to.as_ref()),
        as_of: date_text(report.as_of.as_ref()),
        items: report.rows.iter().map(supplier_body).collect(),
        total: supplier_body(&report.total.unwrap_or_default()),
        import_planning_position: report.import_planning_position,
    };
    if csv {
        let disposition = format!("attachment; filename=\"suppliers-{}-{}.csv\"", body.from, body.to);
        let headers =
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)];
        return Ok((headers, suppliers_csv(&body)).into_response());
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

    #[test]
    fn day_averages_and_rates_read_as_decimals() {
        assert_eq!(tenths_text(385), "38.5");
        assert_eq!(tenths_text(410), "41.0");
        assert_eq!(tenths_text(-5), "-0.5");
        assert_eq!(bp_text(5000), "0.5000");
        assert_eq!(bp_text(6667), "0.6667");
        assert_eq!(bp_text(10_000), "1.0000");
        assert_eq!(bp_text(0), "0.0000");
    }
}
