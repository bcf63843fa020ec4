//! Import plans: the list by status, a plan's page with each milestone's need against its promise
//! on a time line (late ones marked, with the reason the API gives) and what covers it, and the
//! supplier orders the plans call for, by supplier.

mod timeline;

use askama::Template;
use atq_platform::business_time::{local_date, now_micros};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use chrono::NaiveDate;
use serde::Deserialize;

use super::catalog::{read_page, with_query};
use super::customers::{Choice, choices};
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::{ImportPlan, ListOf, Milestone, PlanChange, PlanLine, SupplierProposal};
use timeline::{Mark, Timeline, timeline};

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/import-plans", get(list))
        .route("/import-plans/proposals", get(proposals))
        .route("/import-plans/{id}", get(show))
}

pub const PLAN_STATUSES: [&str; 3] = ["open", "late", "closed"];

#[derive(Deserialize, Default)]
#[serde(default)]
struct PlanQuery {
    status: String,
    cursor: String,
    supplier_id: String,
}

pub struct PlanRow {
    pub id: i64,
    pub number: String,
    pub source_ref: String,
    pub customer: String,
    pub office: String,
    pub status: String,
    pub late: bool,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "import_plans.html")]
struct ListPage {
    c: Chrome,
    statuses: Vec<Choice>,
    rows: Vec<PlanRow>,
    next_page: String,
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<PlanQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let status = PLAN_STATUSES.iter().find(|s| **s == query.status.trim()).copied().unwrap_or_default();
    let route = ("/api/v1/import-plans", "/import-plans");
    let (plans, next_page) =
        read_page::<ImportPlan>(&ui, &session, route, &[("status", status)], &query.cursor).await?;
    let rows = plans
        .into_iter()
        .map(|p| PlanRow {
            id: p.id,
            status: t.word("plan_status", &p.status),
            late: p.status == "late",
            office: p.office.map(|o| t.word("office", &o)).unwrap_or_default(),
            updated: format::time(&p.updated_at, t.lang),
            number: p.number,
            source_ref: p.source_ref,
            customer: p.customer_name,
        })
        .collect();
    let c = Chrome::new(&session, "/import-plans", t.get("plans.title").to_owned(), "/import-plans");
    Ok(html(&ListPage { c, statuses: choices(t, "plan_status", &PLAN_STATUSES, status), rows, next_page }))
}

/// A milestone as the table beside the time line shows it.
pub struct MilestoneRow {
    pub line_no: i32,
    pub product_id: i64,
    pub model_code: String,
    pub milestone_no: i32,
    pub quantity: String,
    pub needed_by: String,
    pub promise: String,
    pub late: bool,
    pub reason: String,
    pub coverage: Vec<String>,
}

pub struct ChangeRow {
    pub line_no: i32,
    pub milestone_no: i32,
    pub change: String,
    pub needed_by: String,
    pub promise: String,
    pub late: bool,
}

#[derive(Template)]
#[template(path = "import_plan.html")]
struct ShowPage {
    c: Chrome,
    plan: ImportPlan,
    status: String,
    office: String,
    updated: String,
    chart: Timeline,
    milestones: Vec<MilestoneRow>,
    changes: Vec<ChangeRow>,
}

fn day_of(text: Option<&str>) -> Option<NaiveDate> {
    text.and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok())
}

fn milestone_row(line: &PlanLine, m: &Milestone, t: Texts) -> MilestoneRow {
    let day = |d: &Option<String>| d.as_deref().map(|d| format::date(d, t.lang)).unwrap_or_default();
    MilestoneRow {
        line_no: line.line_no,
        product_id: line.product_id,
        model_code: line.model_code.clone(),
        milestone_no: m.milestone_no,
        quantity: format::number(m.quantity, t.lang),
        needed_by: day(&m.needed_by),
        promise: day(&m.promise_date),
        late: m.late,
        reason: m.reason.as_deref().map(|r| t.message(r)).unwrap_or_default(),
        coverage: m
            .coverage
            .iter()
            .map(|c| {
                let mut text = format!("{} {}", format::number(c.quantity, t.lang), t.word("coverage", &c.source));
                if let Some(reference) = &c.reference {
                    text.push_str(&format!(" {reference}"));
                }
                if let Some(on) = &c.available_on {
                    text.push_str(&format!(" · {}", format::date(on, t.lang)));
                }
                text
            })
            .collect(),
    }
}

fn change_row(change: &PlanChange, t: Texts) -> ChangeRow {
    let pair = |old: &Option<String>, new: &Option<String>| {
        let day = |d: &Option<String>| d.as_deref().map(|d| format::date(d, t.lang)).unwrap_or_else(|| "—".into());
        format!("{} → {}", day(old), day(new))
    };
    ChangeRow {
        line_no: change.line_no,
        milestone_no: change.milestone_no,
        change: t.word("plan_change", &change.change),
        needed_by: pair(&change.old_needed_by, &change.new_needed_by),
        promise: pair(&change.old_promise_date, &change.new_promise_date),
        late: change.late,
    }
}

async fn show(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    let t = session.texts();
    let plan: ImportPlan = ui.api.get(session.api_caller(), &format!("/api/v1/import-plans/{id}")).await?;
    let mut marks = Vec::new();
    let mut milestones = Vec::new();
    for line in &plan.lines {
        for m in &line.milestones {
            let row = milestone_row(line, m, t);
            let state = if m.late { t.get("plans.late") } else { t.get("plans.on_time") };
            marks.push(Mark {
                label: format!("{}.{} {} × {}", line.line_no, m.milestone_no, line.model_code, row.quantity),
                needed_by: day_of(m.needed_by.as_deref()),
                promise: day_of(m.promise_date.as_deref()),
                late: m.late,
                summary: format!(
                    "{}: {} {} · {} {} · {state}",
                    line.model_code,
                    t.get("plans.needed_by"),
                    row.needed_by,
                    t.get("plans.promise"),
                    row.promise
                ),
            });
            milestones.push(row);
        }
    }
    let title = format!("{} {}", t.get("plans.one"), plan.number);
    let chart =
        timeline(format!("{} · {}", t.get("plans.timeline"), plan.number), local_date(now_micros()), &marks, t.lang);
    Ok(html(&ShowPage {
        c: Chrome::new(&session, "/import-plans", title, &format!("/import-plans/{id}")),
        status: t.word("plan_status", &plan.status),
        office: plan.office.as_deref().map(|o| t.word("office", o)).unwrap_or_default(),
        updated: format::time(&plan.updated_at, t.lang),
        chart,
        milestones,
        changes: plan.changes.iter().map(|c| change_row(c, t)).collect(),
        plan,
    }))
}

pub struct ProposalView {
    pub supplier_id: i64,
    pub supplier: String,
    pub currency: String,
    pub order_by: String,
    pub overdue: bool,
    pub lines: Vec<ProposalLineView>,
}

pub struct ProposalLineView {
    pub product_id: i64,
    pub model_code: String,
    pub quantity: String,
    pub shortfall: String,
    pub order_by: String,
    pub overdue: bool,
    pub needed_by: String,
    pub expected_on: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "import_proposals.html")]
struct ProposalsPage {
    c: Chrome,
    filtered: bool,
    groups: Vec<ProposalView>,
}

fn proposal_view(group: SupplierProposal, today: NaiveDate, t: Texts) -> ProposalView {
    let day = |d: &Option<String>| d.as_deref().map(|d| format::date(d, t.lang)).unwrap_or_default();
    let past = |d: &Option<String>| day_of(d.as_deref()).is_some_and(|d| d < today);
    ProposalView {
        supplier_id: group.supplier_id,
        supplier: format!("{} ({})", group.supplier_name, group.supplier_code),
        currency: group.currency,
        order_by: day(&group.order_by),
        overdue: past(&group.order_by),
        lines: group
            .lines
            .into_iter()
            .map(|l| ProposalLineView {
                product_id: l.product_id,
                quantity: format::number(l.quantity, t.lang),
                shortfall: format::number(l.shortfall, t.lang),
                order_by: day(&l.order_by),
                overdue: past(&l.order_by),
                needed_by: day(&l.needed_by),
                expected_on: day(&l.expected_on),
                reason: t.word("proposal_reason", &l.reason),
                model_code: l.model_code,
            })
            .collect(),
    }
}

async fn proposals(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<PlanQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let supplier_id = if query.supplier_id.trim().parse::<i64>().is_ok() { query.supplier_id.trim() } else { "" };
    let path = with_query("/api/v1/import-plans/proposals", &[("supplier_id", supplier_id)]);
    let found: ListOf<SupplierProposal> = ui.api.get(session.api_caller(), &path).await?;
    let today = local_date(now_micros());
    let groups = found.items.into_iter().map(|g| proposal_view(g, today, t)).collect();
    let c = Chrome::new(&session, "/import-plans", t.get("plans.proposals").to_owned(), "/import-plans/proposals");
    Ok(html(&ProposalsPage { c, filtered: !supplier_id.is_empty(), groups }))
}
