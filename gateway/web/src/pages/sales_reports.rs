//! Sales reports: the list of a person's (or, for a manager, the office's) daily reports and
//! weekly summaries with the manager's roll-up of a week; one report with the figures the system
//! assembled, the person's notes, customer evaluations and competitor rows, saved then submitted.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::Datelike;
use serde::Deserialize;

use super::activities::today;
use super::forms::FieldErrors;
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::sales_reports::{Rollup, RollupRow, SalesReport};
use crate::views::{Customer, ListOf};

mod form;

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/sales-reports", get(list))
        .route("/sales-reports/{id}", get(show_saved))
        .route("/sales-reports/{kind}/{period}", get(show_own).post(form::save))
        .route("/sales-reports/{kind}/{period}/submit", post(form::submit))
}

/// Blank rows offered under the saved ones, for new evaluations and competitor notes.
const BLANK_ROWS: usize = 2;

fn this_week() -> String {
    let week = today().iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

fn may_roll_up(session: &Session) -> bool {
    matches!(
        session.caller.role,
        atq_platform::Role::SalesManager | atq_platform::Role::Director | atq_platform::Role::Admin
    )
}

/// A report as a line of the list.
pub struct ReportLine {
    pub id: i64,
    pub kind: String,
    pub period: String,
    pub owner: String,
    pub status: String,
    pub submitted: bool,
    pub activities: usize,
    pub orders: usize,
    pub sales: String,
}

#[derive(Template)]
#[template(path = "sales_reports.html")]
struct ListPage {
    c: Chrome,
    today: String,
    week: String,
    kind: String,
    reports: Vec<ReportLine>,
    show_rollup: bool,
    rollup: Vec<RollupLine>,
    rollup_totals: Option<RollupLine>,
}

/// A person's line of the roll-up (or the office's totals), figures as shown.
pub struct RollupLine {
    pub owner: String,
    pub report_id: i64,
    pub submitted: bool,
    pub activities: i32,
    pub customers: i32,
    pub quotes: i32,
    pub orders: i32,
    pub sales_net: String,
    pub sales_gross: String,
}

impl RollupLine {
    fn of(row: RollupRow, t: Texts) -> RollupLine {
        RollupLine {
            owner: row.owner,
            report_id: row.report_id.unwrap_or_default(),
            submitted: row.submitted,
            activities: row.activities_done,
            customers: row.new_customers,
            quotes: row.quotes_sent,
            orders: row.orders_confirmed,
            sales_net: format::money(row.sales_net, t.lang),
            sales_gross: format::money(row.sales_gross, t.lang),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    kind: String,
    week: String,
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let kind = if matches!(query.kind.as_str(), "daily" | "weekly") { query.kind } else { String::new() };
    let week = if query.week.trim().is_empty() { this_week() } else { query.week.trim().to_owned() };
    let filter = serde_urlencoded::to_string([("kind", kind.as_str()), ("limit", "100")]).unwrap_or_default();
    let page: ListOf<SalesReport> =
        ui.api.get(session.api_caller(), &format!("/api/v1/sales-reports?{filter}")).await?;
    let reports = page
        .items
        .into_iter()
        .rev()
        .map(|r| ReportLine {
            id: r.id.unwrap_or_default(),
            kind: t.word("sales_report_kind", &r.kind),
            period: r.period,
            owner: r.owner,
            submitted: r.status == "submitted",
            status: t.word("sales_report_status", &r.status),
            activities: r.figures.activities_done.len(),
            orders: r.figures.orders_confirmed.len(),
            sales: format::money(r.figures.sales_net, t.lang),
        })
        .collect();
    let show_rollup = may_roll_up(&session);
    let rollup: Option<Rollup> = if show_rollup {
        let asked = serde_urlencoded::to_string([("kind", "weekly"), ("period", week.as_str())]).unwrap_or_default();
        Some(ui.api.get(session.api_caller(), &format!("/api/v1/sales-reports/rollup?{asked}")).await?)
    } else {
        None
    };
    let (rollup, rollup_totals) = match rollup {
        Some(r) => (r.rows.into_iter().map(|row| RollupLine::of(row, t)).collect(), Some(RollupLine::of(r.totals, t))),
        None => (Vec::new(), None),
    };
    let c = Chrome::new(&session, "/sales-reports", t.get("sales_reports.title").to_owned(), "/sales-reports");
    Ok(html(&ListPage { c, today: today().to_string(), week, kind, reports, show_rollup, rollup, rollup_totals }))
}

/// An evaluation row of the form: what was saved or typed, and why it was refused.
#[derive(Default)]
pub struct EvaluationRow {
    pub customer_id: String,
    pub customer_name: String,
    pub rating: String,
    pub remark: String,
    pub error: String,
}

#[derive(Default)]
pub struct CompetitorRow {
    pub competitor: String,
    pub product: String,
    pub price: String,
    pub remark: String,
    pub error: String,
}

pub struct Line {
    pub label: String,
    pub detail: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "sales_report.html")]
struct ReportPage {
    c: Chrome,
    report: SalesReport,
    heading: String,
    range: String,
    action: String,
    editable: bool,
    activities: Vec<Line>,
    customers: Vec<Line>,
    quotes: Vec<Line>,
    orders: Vec<Line>,
    debts: Vec<Line>,
    sales_net: String,
    sales_gross: String,
    debts_total: String,
    evaluations: Vec<EvaluationRow>,
    competitors: Vec<CompetitorRow>,
    customer_choices: Vec<(String, String)>,
    ratings: Vec<String>,
    status_label: String,
    office_label: String,
    submitted_at: String,
    errors: FieldErrors,
    other_errors: String,
}

fn figure_lines(report: &SalesReport, t: Texts) -> [Vec<Line>; 5] {
    let f = &report.figures;
    let money = |v: i64| format::money(v, t.lang);
    [
        f.activities_done
            .iter()
            .map(|a| Line {
                label: format!("{} · {}", t.word("activity_kind", &a.kind), format::time(&a.done_at, t.lang)),
                detail: format!("{} — {}", a.subject, a.customer_name),
                amount: t.word("activity_outcome", &a.outcome),
            })
            .collect(),
        f.new_customers
            .iter()
            .map(|c| Line { label: c.code.clone(), detail: c.name.clone(), amount: String::new() })
            .collect(),
        f.quotes_sent
            .iter()
            .map(|q| Line { label: q.number.clone(), detail: q.customer_name.clone(), amount: money(q.total_gross) })
            .collect(),
        f.orders_confirmed
            .iter()
            .map(|o| Line { label: o.number.clone(), detail: o.customer_name.clone(), amount: money(o.total_gross) })
            .collect(),
        f.debts
            .iter()
            .map(|d| Line {
                label: d.customer_id.to_string(),
                detail: d.customer_name.clone(),
                amount: money(d.balance),
            })
            .collect(),
    ]
}

async fn report_page(
    ui: &UiState,
    session: &Session,
    report: SalesReport,
    typed: Option<(Vec<EvaluationRow>, Vec<CompetitorRow>)>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let t = session.texts();
    let editable = report.status == "draft" && report.owner == session.caller.username;
    let (mut evaluations, mut competitors) = typed.unwrap_or_else(|| saved_rows(&report));
    if editable {
        evaluations.extend((0..BLANK_ROWS).map(|_| EvaluationRow::default()));
        competitors.extend((0..BLANK_ROWS).map(|_| CompetitorRow::default()));
    }
    let customer_choices = if editable {
        let page: ListOf<Customer> = ui.api.get(session.api_caller(), "/api/v1/customers?limit=500").await?;
        page.items.into_iter().map(|c| (c.id.to_string(), format!("{} — {}", c.code, c.name))).collect()
    } else {
        Vec::new()
    };
    let [activities, customers, quotes, orders, debts] = figure_lines(&report, t);
    let heading = format!("{} {} — {}", t.word("sales_report_kind", &report.kind), report.period, report.owner);
    let range = format!("{} – {}", format::date(&report.from, t.lang), format::date(&report.to, t.lang));
    let action = format!("/sales-reports/{}/{}", report.kind, report.period);
    let here = report.id.map(|id| format!("/sales-reports/{id}")).unwrap_or_else(|| action.clone());
    let c = Chrome::new(session, "/sales-reports", heading.clone(), &here);
    Ok(html(&ReportPage {
        c,
        heading,
        range,
        action,
        editable,
        activities,
        customers,
        quotes,
        orders,
        debts,
        sales_net: format::money(report.figures.sales_net, t.lang),
        sales_gross: format::money(report.figures.sales_gross, t.lang),
        debts_total: format::money(report.figures.debts_total, t.lang),
        evaluations,
        competitors,
        customer_choices,
        ratings: (1..=5).rev().map(|n: i32| n.to_string()).collect(),
        status_label: t.word("sales_report_status", &report.status),
        office_label: t.word("office", &report.office),
        submitted_at: report.submitted_at.as_deref().map(|at| format::time(at, t.lang)).unwrap_or_default(),
        other_errors: errors.others(&["notes"]),
        errors,
        report,
    }))
}

fn saved_rows(report: &SalesReport) -> (Vec<EvaluationRow>, Vec<CompetitorRow>) {
    let evaluations = report
        .evaluations
        .iter()
        .map(|e| EvaluationRow {
            customer_id: e.customer_id.to_string(),
            customer_name: e.customer_name.clone(),
            rating: e.rating.to_string(),
            remark: e.remark.clone(),
            error: String::new(),
        })
        .collect();
    let competitors = report
        .competitors
        .iter()
        .map(|c| CompetitorRow {
            competitor: c.competitor.clone(),
            product: c.product.clone(),
            price: c.price.to_string(),
            remark: c.remark.clone(),
            error: String::new(),
        })
        .collect();
    (evaluations, competitors)
}

async fn show_saved(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    let report: SalesReport = ui.api.get(session.api_caller(), &format!("/api/v1/sales-reports/{id}")).await?;
    report_page(&ui, &session, report, None, FieldErrors::default()).await
}

fn current_path(kind: &str, period: &str) -> String {
    let query = serde_urlencoded::to_string([("kind", kind), ("period", period)]).unwrap_or_default();
    format!("/api/v1/sales-reports/current?{query}")
}

async fn show_own(
    State(ui): State<UiState>,
    session: Session,
    Path((kind, period)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let report: SalesReport = ui.api.get(session.api_caller(), &current_path(&kind, &period)).await?;
    report_page(&ui, &session, report, None, FieldErrors::default()).await
}
