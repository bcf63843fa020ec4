//! Import lead times and kept promises per supplier.

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
use crate::wire::{CsvLayout, CsvSheet, bp_text, day_text, optional_month_or_date, tenths_text};

use crate::wire::wants_csv;

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

fn suppliers_csv(report: &SupplierReportBody) -> Result<Response, Problem> {
    let header = [
        "supplier_code",
        "supplier_name",
        "orders_received",
        "units_received",
        "average_lead_time_days",
        "max_lead_time_days",
        "orders_promised",
        "orders_on_time",
        "on_time_rate",
        "orders_late",
        "average_delay_days",
        "open_orders",
        "open_orders_overdue",
    ];
    let mut sheet = CsvSheet::new(CsvLayout::Plain, &header)?;
    let blank = |value: &Option<String>| value.clone().unwrap_or_default();
    for r in &report.items {
        sheet.row([
            r.supplier_code.clone(),
            r.supplier_name.clone(),
            r.orders_received.to_string(),
            r.units_received.to_string(),
            blank(&r.average_lead_time_days),
            r.max_lead_time_days.map(|d| d.to_string()).unwrap_or_default(),
            r.orders_promised.to_string(),
            r.orders_on_time.to_string(),
            blank(&r.on_time_rate),
            r.orders_late.to_string(),
            blank(&r.average_delay_days),
            r.open_orders.to_string(),
            r.open_orders_overdue.to_string(),
        ])?;
    }
    sheet.attachment(&format!("suppliers-{}-{}.csv", report.from, report.to))
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
        BadRequest, Unauthorized, Forbidden))]
pub async fn suppliers(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<SuppliersQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadReports)?;
    let mut v = Violations::new();
    let message = pb::SupplierPerformanceRequest {
        from: optional_month_or_date(&mut v, "from", query.from.as_deref(), false),
        to: optional_month_or_date(&mut v, "to", query.to.as_deref(), true),
    };
    let csv = wants_csv(&mut v, query.format.as_deref());
    v.finish()?;
    let ctx = CallContext::read(&state, &caller);
    let report = ctx.call(&state.reports, message, |mut c, r| async move { c.supplier_performance(r).await }).await?;
    let body = SupplierReportBody {
        from: day_text(report.from.as_ref()),
        to: day_text(report.to.as_ref()),
        as_of: day_text(report.as_of.as_ref()),
        items: report.rows.iter().map(supplier_body).collect(),
        total: supplier_body(&report.total.unwrap_or_default()),
        import_planning_position: report.import_planning_position,
    };
    if csv {
        return suppliers_csv(&body);
    }
    Ok(axum::Json(body).into_response())
}
