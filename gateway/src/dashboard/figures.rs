//! Each dashboard figure, fetched from the existing method of the service that keeps it, and the
//! report each one links to.

use atq_platform::business_time::date_to_proto;
use atq_proto::accountingwarehouse::v1 as accounting_pb;
use atq_proto::analytics::v1 as analytics_pb;
use atq_proto::common::v1::PageRequest;
use atq_proto::importplanning::v1 as planning_pb;
use atq_proto::importplanning::v1::warranty_client::WarrantyClient;
use atq_proto::sales::v1 as sales_pb;
use atq_proto::sales::v1::service_requests_client::ServiceRequestsClient;
use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;
use tonic::transport::Channel;
use utoipa::ToSchema;

use crate::problem::Problem;
use crate::rpc::CallContext;

/// Counts taken from a list read at most this many records (one page, the services' largest).
pub const LIST_CAP: u32 = 500;

/// Warranty cases not closed yet, in the order of their life.
const OPEN_WARRANTY_STATUSES: [&str; 4] = ["open", "diagnosed", "decided", "at_supplier"];

/// A sum past the largest amount: the figure is shown as unavailable rather than wrong.
const TOO_LARGE: &str = "the figures add up past the largest amount";

/// A request in one of these no longer waits on anyone.
const SETTLED_REQUEST_STATUSES: [&str; 2] = ["resolved", "closed"];

#[derive(Serialize, ToSchema, Debug, PartialEq)]
pub struct SamePeriodFigures {
    /// First and last local dates compared, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    /// VND without VAT.
    pub net: i64,
    pub orders: i64,
}

#[derive(Serialize, ToSchema, Debug, PartialEq)]
pub struct RevenueFigures {
    /// The local month, `YYYY-MM`.
    pub month: String,
    pub month_to_date: SamePeriodFigures,
    /// The same days of last month (to its last day when it is shorter).
    pub same_days_last_month: SamePeriodFigures,
    /// Month to date minus the same days of last month, VND.
    pub change: i64,
    /// The change in basis points of last month's figure (toward zero); null when it is zero.
    pub change_bp: Option<i64>,
    /// The month's revenue target: the offices' revenue targets (an office without its own
    /// target counts its people's); null when none is set or the sales service did not answer.
    pub target: Option<i64>,
    /// Month-to-date net revenue / target in basis points, rounded half up.
    pub achievement_bp: Option<i64>,
    /// True when the sales service did not answer for the target.
    pub target_unavailable: bool,
    /// The targets report of the month: REST path and web page.
    pub target_api: String,
    pub target_page: String,
}

#[derive(Serialize, ToSchema, Debug, PartialEq)]
pub struct DispatchFigures {
    /// Dispatch orders in status `requested`.
    pub count: i64,
    /// True when there are more than `count` (the list read stops at 500).
    pub capped: bool,
}

#[derive(Serialize, ToSchema, Debug, PartialEq)]
pub struct ReceivableFigures {
    /// VND past due (the aging buckets 1-30, 31-60, 61-90 and >90 days).
    pub amount: i64,
    /// Customers with an amount past due.
    pub customers: i64,
}

#[derive(Serialize, ToSchema, Debug, PartialEq)]
pub struct ImportFigures {
    /// Import plans in status `late`: a milestone of theirs cannot make its date. (The list
    /// does not carry the milestones, so they are counted on the plan's page, not here.)
    pub plans: i64,
    /// True when there are more late plans than `plans` (the list read stops at 500).
    pub capped: bool,
}

#[derive(Serialize, ToSchema, Debug, PartialEq)]
pub struct RequestFigures {
    /// Requests not resolved or closed, past a due time (first response or resolution).
    pub count: i64,
    /// True when the breached requests read stopped at 500, so there may be more.
    pub capped: bool,
}

#[derive(Serialize, ToSchema, Debug, PartialEq)]
pub struct StatusCount {
    /// open, diagnosed, decided or at_supplier
    pub status: String,
    pub count: i64,
}

#[derive(Serialize, ToSchema, Debug, PartialEq)]
pub struct WarrantyFigures {
    /// Cases not closed.
    pub count: i64,
    /// Per status, in the order of a case's life.
    pub by_status: Vec<StatusCount>,
    /// True when a status has more than 500 cases, so there are more than `count`.
    pub capped: bool,
}

/// A report: its REST path and its web page.
pub struct Link {
    pub api: String,
    pub page: String,
}

impl Link {
    fn new(api: impl Into<String>, page: impl Into<String>) -> Link {
        Link { api: api.into(), page: page.into() }
    }
}

/// Each section's report.
pub struct Links {
    pub revenue: Link,
    pub dispatch: Link,
    pub receivables: Link,
    pub imports: Link,
    pub requests: Link,
    pub warranty: Link,
}

impl Links {
    pub fn for_month(today: NaiveDate) -> Links {
        let (first, month) = (month_start(today), today.format("%Y-%m"));
        Links {
            revenue: Link::new(
                format!("/api/v1/reports/sales?from={first}&to={today}"),
                format!("/reports?from={month}&to={month}"),
            ),
            dispatch: Link::new("/api/v1/dispatch-orders?status=requested", "/dispatch-orders?status=requested"),
            receivables: Link::new("/api/v1/reports/receivables-aging", "/receivables"),
            imports: Link::new("/api/v1/import-plans?status=late", "/import-plans?status=late"),
            requests: Link::new("/api/v1/requests?breached=true", "/requests?breached=true"),
            warranty: Link::new("/api/v1/warranty-cases", "/warranty"),
        }
    }
}

fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The same days of last month as `1..=today` of this one: from its first day to the same day
/// of the month, or its last day when last month is shorter.
pub fn same_days_last_month(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let last_month_end = month_start(today) - Duration::days(1);
    let last_month_start = month_start(last_month_end);
    let day = today.day().min(last_month_end.day());
    (last_month_start, last_month_start.with_day(day).unwrap_or(last_month_end))
}

/// `part` against `whole` in basis points; None without a whole above 0.
pub fn ratio_bp(part: i64, whole: i64, round_half_up: bool) -> Option<i64> {
    if whole == 0 {
        return None;
    }
    let scaled = i128::from(part) * 10_000;
    let whole = i128::from(whole).abs();
    let bp = if round_half_up && scaled >= 0 { (scaled + whole / 2) / whole } else { scaled / whole };
    i64::try_from(bp).ok()
}

fn page(limit: u32) -> Option<PageRequest> {
    Some(PageRequest { limit, cursor: String::new() })
}

fn count(items: usize) -> i64 {
    i64::try_from(items).unwrap_or(i64::MAX)
}

fn channel(ctx: &CallContext<'_>, service: &str) -> Result<Channel, Problem> {
    ctx.state.channel(service)
}

async fn sales_between(ctx: &CallContext<'_>, from: NaiveDate, to: NaiveDate) -> Result<SamePeriodFigures, Problem> {
    let message = analytics_pb::SalesReportRequest {
        period: analytics_pb::ReportPeriod::Month as i32,
        from: Some(date_to_proto(from)),
        to: Some(date_to_proto(to)),
    };
    let report = ctx.call(&ctx.state.reports, message, |mut c, r| async move { c.sales_report(r).await }).await?;
    let total = report.summary.and_then(|s| s.total).unwrap_or_default();
    Ok(SamePeriodFigures { from: from.to_string(), to: to.to_string(), net: total.net, orders: total.orders })
}

/// The month's revenue target over the offices the caller sees.
async fn month_target(ctx: &CallContext<'_>, month: &str) -> Result<Option<i64>, Problem> {
    let message = sales_pb::TargetReportRequest { period: month.to_owned(), office: 0, owner: String::new() };
    let report = ctx.call(&ctx.state.targets, message, |mut c, r| async move { c.get_target_report(r).await }).await?;
    let office_targets = report
        .lines
        .iter()
        .filter(|l| l.scope == "office" && l.metric == "revenue" && l.category.is_empty())
        .filter_map(|l| l.target.or(Some(l.people_target).filter(|t| *t > 0)));
    let mut total: Option<i64> = None;
    for target in office_targets {
        let sum = total.unwrap_or(0).checked_add(target);
        total = Some(sum.ok_or_else(|| Problem::busy(TOO_LARGE))?);
    }
    Ok(total)
}

pub async fn revenue(ctx: &CallContext<'_>, today: NaiveDate) -> Result<RevenueFigures, Problem> {
    let month = today.format("%Y-%m").to_string();
    let (last_from, last_to) = same_days_last_month(today);
    let (current, previous, target) = tokio::join!(
        sales_between(ctx, month_start(today), today),
        sales_between(ctx, last_from, last_to),
        month_target(ctx, &month),
    );
    let (current, previous) = (current?, previous?);
    let change = current.net.checked_sub(previous.net).unwrap_or(i64::MAX);
    let target_unavailable = target.is_err();
    let target = target.ok().flatten();
    Ok(RevenueFigures {
        change,
        change_bp: ratio_bp(change, previous.net, false),
        achievement_bp: target.and_then(|t| if t > 0 { ratio_bp(current.net, t, true) } else { None }),
        target,
        target_unavailable,
        target_api: format!("/api/v1/reports/targets?period={month}"),
        target_page: format!("/targets?period={month}"),
        month,
        month_to_date: current,
        same_days_last_month: previous,
    })
}

pub async fn dispatch_awaiting(ctx: &CallContext<'_>) -> Result<DispatchFigures, Problem> {
    let message =
        sales_pb::ListDispatchOrdersRequest { order_id: 0, status: "requested".to_owned(), page: page(LIST_CAP) };
    let client = &ctx.state.dispatch_orders;
    let list = ctx.call(client, message, |mut c, r| async move { c.list_dispatch_orders(r).await }).await?;
    Ok(DispatchFigures { count: count(list.items.len()), capped: !list.next_cursor.is_empty() })
}

/// None when the caller's role does not see the company-wide aging (a sales manager).
pub async fn overdue_receivables(
    ctx: &CallContext<'_>,
    company_wide: bool,
) -> Option<Result<ReceivableFigures, Problem>> {
    if !company_wide {
        return None;
    }
    let message = accounting_pb::ReceivablesAgingRequest { as_of: None };
    let answer = ctx.call(&ctx.state.accounting, message, |mut c, r| async move { c.receivables_aging(r).await });
    Some(answer.await.and_then(|aging| overdue_of(&aging.rows)))
}

/// Past due: every aging bucket but `current`.
pub fn overdue_of(rows: &[accounting_pb::CustomerAging]) -> Result<ReceivableFigures, Problem> {
    let (mut amount, mut customers) = (0_i64, 0_i64);
    for row in rows {
        let overdue = row
            .buckets
            .iter()
            .filter(|b| b.bucket != "current")
            .try_fold(0_i64, |sum, b| sum.checked_add(b.amount).ok_or_else(|| Problem::busy(TOO_LARGE)))?;
        if overdue > 0 {
            amount = amount.checked_add(overdue).ok_or_else(|| Problem::busy(TOO_LARGE))?;
            customers += 1;
        }
    }
    Ok(ReceivableFigures { amount, customers })
}

pub async fn late_imports(ctx: &CallContext<'_>) -> Result<ImportFigures, Problem> {
    let message = planning_pb::ListImportPlansRequest { status: "late".to_owned(), page: page(LIST_CAP) };
    let client = &ctx.state.import_plans;
    let list = ctx.call(client, message, |mut c, r| async move { c.list_import_plans(r).await }).await?;
    Ok(ImportFigures { plans: count(list.items.len()), capped: !list.next_cursor.is_empty() })
}

pub async fn requests_past_sla(ctx: &CallContext<'_>) -> Result<RequestFigures, Problem> {
    let client = ServiceRequestsClient::new(channel(ctx, "sales")?);
    let message = sales_pb::ListServiceRequestsRequest {
        breached: "true".to_owned(),
        page: page(LIST_CAP),
        ..Default::default()
    };
    let list = ctx.call(&client, message, |mut c, r| async move { c.list_service_requests(r).await }).await?;
    let open = list.items.iter().filter(|r| !SETTLED_REQUEST_STATUSES.contains(&r.status.as_str())).count();
    Ok(RequestFigures { count: count(open), capped: !list.next_cursor.is_empty() })
}

pub async fn warranty_open(ctx: &CallContext<'_>) -> Result<WarrantyFigures, Problem> {
    let client = WarrantyClient::new(channel(ctx, "import-planning")?);
    let lists = futures::future::join_all(OPEN_WARRANTY_STATUSES.iter().map(|status| {
        let message =
            planning_pb::ListCasesRequest { status: (*status).to_owned(), page: page(LIST_CAP), ..Default::default() };
        ctx.call(&client, message, |mut c, r| async move { c.list_cases(r).await })
    }))
    .await;
    let (mut by_status, mut capped) = (Vec::new(), false);
    for (status, list) in OPEN_WARRANTY_STATUSES.iter().zip(lists) {
        let list = list?;
        capped |= !list.next_cursor.is_empty();
        by_status.push(StatusCount { status: (*status).to_owned(), count: count(list.items.len()) });
    }
    Ok(WarrantyFigures { count: by_status.iter().map(|s| s.count).sum(), by_status, capped })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_same_days_of_a_shorter_last_month_end_on_its_last_day() {
        assert_eq!(same_days_last_month(day("2026-03-31")), (day("2026-02-01"), day("2026-02-28")));
        assert_eq!(same_days_last_month(day("2026-12-15")), (day("2026-11-01"), day("2026-11-15")));
        assert_eq!(same_days_last_month(day("2026-01-01")), (day("2025-12-01"), day("2025-12-01")));
    }

    #[test]
    fn ratios_are_basis_points_and_none_without_a_whole() {
        assert_eq!(ratio_bp(1, 3, true), Some(3333));
        assert_eq!(ratio_bp(2, 3, true), Some(6667));
        assert_eq!(ratio_bp(-50, 200, false), Some(-2500));
        assert_eq!(ratio_bp(-50, -200, false), Some(-2500));
        assert_eq!(ratio_bp(5, 0, true), None);
    }

    #[test]
    fn overdue_counts_every_bucket_but_current_and_customers_owing_past_due() {
        let bucket = |bucket: &str, amount| accounting_pb::AgingBucket { bucket: bucket.to_owned(), amount };
        let row = |id, buckets| accounting_pb::CustomerAging { customer_id: id, buckets, ..Default::default() };
        let rows = [
            row(1, vec![bucket("current", 100), bucket("1-30", 40), bucket(">90", 10)]),
            row(2, vec![bucket("current", 500)]),
            row(3, vec![bucket("61-90", 7)]),
        ];
        assert_eq!(overdue_of(&rows).unwrap(), ReceivableFigures { amount: 57, customers: 2 });
    }
}
