//! Dealer-opening requests: the list, the dealer file (the request, its two years' figures, the
//! evaluation with every rule checked and the gaps to the next tier) with its steps — submit,
//! evaluate, and for directors approve or reject — and the form for a new request. The request's
//! documents and the link to the dealer contract are on the dealer file too (`files`).

mod files;
mod form;
mod views;

use askama::Template;
use atq_platform::caller::Action;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use self::views::{Application, Evaluation, TierCheck};
use super::customers::{Choice, OFFICES, choices};
use super::documents;
use super::forms::{FieldErrors, check_csrf};
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::ListOf;

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/dealers", get(list).post(form::create))
        .route("/dealers/new", get(form::new_form))
        .route("/dealers/{id}", get(show))
        .route("/dealers/{id}/submit", post(submit))
        .route("/dealers/{id}/evaluate", post(evaluate))
        .route("/dealers/{id}/approve", post(approve))
        .route("/dealers/{id}/reject", post(reject))
        .route(
            "/dealers/{id}/files",
            post(files::upload).layer(axum::extract::DefaultBodyLimit::max(super::contracts::MAX_UPLOAD_BYTES)),
        )
        .route("/dealers/{id}/files/{file_id}", get(files::download))
}

const STATUSES: [&str; 5] = ["draft", "submitted", "evaluated", "approved", "rejected"];
pub const TIERS: [&str; 3] = ["distributor", "tier1", "tier2"];

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    status: String,
    office: String,
    cursor: String,
}

pub struct Row {
    pub id: i64,
    pub number: String,
    pub name: String,
    pub proposed: String,
    pub decided: String,
    pub status: String,
    pub office: String,
    pub owner: String,
}

#[derive(Template)]
#[template(path = "dealers.html")]
struct ListPage {
    c: Chrome,
    statuses: Vec<Choice>,
    offices: Vec<Choice>,
    rows: Vec<Row>,
    next_page: String,
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let filters = [("status", query.status.as_str()), ("office", &query.office)];
    let set: Vec<(&str, &str)> = filters.iter().copied().filter(|(_, v)| !v.is_empty()).collect();
    let mut params = set.clone();
    params.push(("limit", "50"));
    if !query.cursor.is_empty() {
        params.push(("cursor", &query.cursor));
    }
    let path = format!("/api/v1/dealer-applications?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    let page: ListOf<Application> = ui.api.get(session.api_caller(), &path).await?;
    let next_page = documents::next_page_link("/dealers", &set, &page.next_cursor);
    let rows = page
        .items
        .into_iter()
        .map(|a| Row {
            id: a.id,
            number: a.number,
            name: a.customer_name,
            proposed: t.word("tier", &a.proposed_tier),
            decided: a.evaluation.map(|e| t.word("tier", &e.decided_tier)).unwrap_or_default(),
            status: t.word("dealer_status", &a.status),
            office: t.word("office", &a.office),
            owner: a.owner,
        })
        .collect();
    let c = Chrome::new(&session, "/dealers", t.get("dealers.title").to_owned(), "/dealers");
    Ok(html(&ListPage {
        c,
        statuses: choices(t, "dealer_status", &STATUSES, &query.status),
        offices: choices(t, "office", &OFFICES, &query.office),
        rows,
        next_page,
    }))
}

/// One checked condition, as the page shows it.
pub struct CheckLine {
    pub tier: String,
    pub condition: String,
    pub actual: String,
    pub required: String,
    pub passed: bool,
    pub shortfall: String,
}

/// Amounts in VND, shares and growth as percentages, counts as numbers.
fn figure(t: Texts, condition: &str, value: i64) -> String {
    match condition {
        "avg_lab_sales" => format::money(value, t.lang),
        "growth_bp" | "big_brand_share_bp" => format!("{:.2} %", value as f64 / 100.0),
        _ => format::number(value, t.lang),
    }
}

fn check_line(t: Texts, check: &TierCheck) -> CheckLine {
    CheckLine {
        tier: t.word("tier", &check.tier),
        condition: t.word("dealer_condition", &check.condition),
        actual: figure(t, &check.condition, check.actual),
        required: figure(t, &check.condition, check.required),
        passed: check.passed,
        shortfall: figure(t, &check.condition, check.shortfall),
    }
}

/// The evaluation as the page shows it.
pub struct EvaluationView {
    pub decided: String,
    pub rule_version: String,
    pub evaluated_on: String,
    pub evaluated_by: String,
    pub next_tier: String,
    pub checks: Vec<CheckLine>,
    pub gaps: Vec<CheckLine>,
}

fn evaluation_view(t: Texts, e: &Evaluation) -> EvaluationView {
    EvaluationView {
        decided: t.word("tier", &e.decided_tier),
        rule_version: format!("{} (#{})", e.rule_version_name, e.rule_version_id),
        evaluated_on: format::date(&e.evaluated_on, t.lang),
        evaluated_by: e.evaluated_by.clone(),
        next_tier: e.next_tier.as_deref().map(|tier| t.word("tier", tier)).unwrap_or_default(),
        checks: e.checks.iter().map(|c| check_line(t, c)).collect(),
        gaps: e.gaps.iter().map(|c| check_line(t, c)).collect(),
    }
}

/// One year's figures, formatted.
pub struct YearLine {
    pub year: i32,
    pub revenue: String,
    pub lab_sales: String,
    pub big_share: String,
    pub small_share: String,
    pub staff: String,
    pub shops: String,
}

#[derive(Template)]
#[template(path = "dealer.html")]
struct ShowPage {
    c: Chrome,
    a: Application,
    status: String,
    office: String,
    proposed: String,
    approved: String,
    years: Vec<YearLine>,
    evaluation: Option<EvaluationView>,
    may_decide: bool,
    tiers: Vec<Choice>,
    error: String,
    /// The request's documents, in the shape `record_files.html` reads.
    talk: super::discussion::Talk,
}

async fn show_page(ui: &UiState, session: &Session, id: i64, error: String) -> Result<Response, PageError> {
    show_full(ui, session, id, error, String::new()).await
}

/// The dealer file with a step's refusal (`error`) or an upload's (`file_error`).
async fn show_full(
    ui: &UiState,
    session: &Session,
    id: i64,
    error: String,
    file_error: String,
) -> Result<Response, PageError> {
    let t = session.texts();
    let talk = files::kept(ui, session, id, file_error).await?;
    let a: Application = ui.api.get(session.api_caller(), &format!("/api/v1/dealer-applications/{id}")).await?;
    let share = |bp: i64| format!("{:.2} %", bp as f64 / 100.0);
    let years = a
        .years
        .iter()
        .map(|y| YearLine {
            year: y.year,
            revenue: format::money(y.revenue, t.lang),
            lab_sales: format::money(y.lab_sales, t.lang),
            big_share: share(y.big_brand_share_bp),
            small_share: share(y.small_brand_share_bp),
            staff: format::number(y.staff, t.lang),
            shops: format::number(y.shops, t.lang),
        })
        .collect();
    let decided = a.evaluation.as_ref().map(|e| e.decided_tier.clone()).unwrap_or_default();
    let c = Chrome::new(session, "/dealers", format!("{} — {}", a.number, a.customer_name), &format!("/dealers/{id}"));
    Ok(html(&ShowPage {
        c,
        status: t.word("dealer_status", &a.status),
        office: t.word("office", &a.office),
        proposed: t.word("tier", &a.proposed_tier),
        approved: a.approved_tier.as_deref().map(|tier| t.word("tier", tier)).unwrap_or_default(),
        years,
        evaluation: a.evaluation.as_ref().map(|e| evaluation_view(t, e)),
        may_decide: session.caller.role.may(Action::DecideDealers),
        tiers: choices(t, "tier", &TIERS, &decided),
        a,
        error,
        talk,
    }))
}

async fn show(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    show_page(&ui, &session, id, String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StepForm {
    csrf: String,
    version: i64,
    tier: String,
    reason: String,
}

/// A step of the dealer file; the page again with the API's reason when refused.
async fn step(
    ui: &UiState,
    session: &Session,
    id: i64,
    step: &str,
    form: &StepForm,
    body: serde_json::Value,
) -> Result<Response, PageError> {
    check_csrf(session, &form.csrf)?;
    let path = format!("/api/v1/dealer-applications/{id}/{step}");
    let headers = [("if-match", format!("\"{}\"", form.version))];
    match ui.api.send(session.api_caller(), Method::POST, &path, &body, &headers).await {
        Ok(_) => Ok(Redirect::to(&format!("/dealers/{id}")).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            show_page(ui, session, id, errors.others(&[])).await
        }
    }
}

async fn submit(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    step(&ui, &session, id, "submit", &form, serde_json::json!({})).await
}

async fn evaluate(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    step(&ui, &session, id, "evaluate", &form, serde_json::json!({})).await
}

async fn approve(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    let body = serde_json::json!({"tier": form.tier, "reason": form.reason});
    step(&ui, &session, id, "approve", &form, body).await
}

async fn reject(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    let body = serde_json::json!({"reason": form.reason});
    step(&ui, &session, id, "reject", &form, body).await
}
