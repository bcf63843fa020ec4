//! Sales targets: results against targets for a month, quarter or year, per office and per
//! salesperson (target, result, achievement bar, pace while the period runs); for sales managers
//! and directors a form to set a target and a spreadsheet import with a dry-run preview.

use askama::Template;
use atq_platform::Role;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Datelike;
use serde::Deserialize;

use super::contracts::read_upload;
use super::customers::{Choice, OFFICES, choices};
use super::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::UiState;
use crate::format;
use crate::i18n::{Lang, Texts};
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::targets::{ReportLine, RowError, TargetImport, TargetReport};

/// The API takes sheets of at most 2 MiB; a little more for the form around them.
const MAX_UPLOAD_BYTES: usize = 2 * 1024 * 1024 + 64 * 1024;
const SCOPES: [&str; 2] = ["person", "office"];
const METRICS: [&str; 4] = ["revenue", "new_customers", "visits", "category_revenue"];
const CATEGORIES: [&str; 8] =
    ["physics", "chemistry", "biology", "electrical", "electronics_telecom", "it", "automation", "environment"];
const FORM_FIELDS: [&str; 7] = ["period", "scope", "owner", "office", "metric", "category", "target"];

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/targets", get(report).post(set_target))
        .route("/targets/import", post(import).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
        .route("/targets/download", get(download))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportQuery {
    period: String,
    office: String,
}

/// An option of the period picker, grouped as years, quarters and months.
pub struct PeriodChoice {
    pub value: String,
    pub selected: bool,
}

pub struct PeriodGroups {
    pub years: Vec<PeriodChoice>,
    pub quarters: Vec<PeriodChoice>,
    pub months: Vec<PeriodChoice>,
}

/// This year's and last year's periods, newest first.
fn period_groups(current: &str) -> PeriodGroups {
    let year = atq_platform::business_time::local_date(atq_platform::business_time::now_micros()).year();
    let choice = |value: String| PeriodChoice { selected: value == current, value };
    let years = [year, year - 1];
    PeriodGroups {
        years: years.iter().map(|y| choice(y.to_string())).collect(),
        quarters: years.iter().flat_map(|y| (1..=4).rev().map(move |q| format!("{y}-Q{q}"))).map(choice).collect(),
        months: years.iter().flat_map(|y| (1..=12).rev().map(move |m| format!("{y}-{m:02}"))).map(choice).collect(),
    }
}

/// The quarter of today, as "2026-Q4".
fn this_quarter() -> String {
    let today = atq_platform::business_time::local_date(atq_platform::business_time::now_micros());
    format!("{}-Q{}", today.year(), (today.month() - 1) / 3 + 1)
}

/// A share in basis points as the language writes a percentage: "66,67 %", "66.67%".
fn percent(bp: i64, lang: Lang) -> String {
    let (whole, hundredths) = (bp / 100, bp % 100);
    match lang {
        Lang::Vi => format!("{whole},{hundredths:02} %"),
        Lang::En => format!("{whole}.{hundredths:02}%"),
    }
}

/// A line of the report as shown.
pub struct LineRow {
    pub who: String,
    pub is_office: bool,
    pub metric: String,
    pub target: String,
    pub result: String,
    pub achievement: String,
    /// The bar's width, 0 to 100.
    pub bar: i64,
    /// Where the result should be by now at an even pace; empty once the period has ended.
    pub expected: String,
    pub on_pace: bool,
    pub people_target: String,
}

pub struct OfficeSection {
    pub office: String,
    pub lines: Vec<LineRow>,
}

fn amount(metric: &str, value: i64, lang: Lang) -> String {
    if metric.ends_with("revenue") { format::money(value, lang) } else { format::number(value, lang) }
}

fn line_row(line: &ReportLine, report: &TargetReport, t: Texts) -> LineRow {
    let metric = match line.category.as_str() {
        "" => t.word("target_metric", &line.metric),
        category => format!("{} — {}", t.word("target_metric", &line.metric), t.word("category", category)),
    };
    let expected_value = line
        .target
        .map(|target| i64::try_from(i128::from(target) * i128::from(report.elapsed_bp) / 10_000).unwrap_or(i64::MAX));
    LineRow {
        who: if line.scope == "office" { t.get("targets.whole_office").to_owned() } else { line.owner.clone() },
        is_office: line.scope == "office",
        target: line.target.map(|v| amount(&line.metric, v, t.lang)).unwrap_or_default(),
        result: amount(&line.metric, line.result, t.lang),
        achievement: line.achievement_bp.map(|bp| percent(bp, t.lang)).unwrap_or_default(),
        bar: line.achievement_bp.map(|bp| (bp / 100).clamp(0, 100)).unwrap_or(0),
        expected: expected_value
            .filter(|_| report.running)
            .map(|v| amount(&line.metric, v, t.lang))
            .unwrap_or_default(),
        on_pace: expected_value.is_none_or(|expected| line.result >= expected),
        people_target: if line.scope == "office" && line.people_target > 0 {
            amount(&line.metric, line.people_target, t.lang)
        } else {
            String::new()
        },
        metric,
    }
}

fn sections(report: &TargetReport, t: Texts) -> Vec<OfficeSection> {
    let mut sections: Vec<OfficeSection> = Vec::new();
    for line in &report.lines {
        let office = t.word("office", &line.office);
        match sections.last_mut() {
            Some(section) if section.office == office => section.lines.push(line_row(line, report, t)),
            _ => sections.push(OfficeSection { office, lines: vec![line_row(line, report, t)] }),
        }
    }
    sections
}

/// The set-a-target form as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TargetForm {
    csrf: String,
    idempotency_key: String,
    period: String,
    scope: String,
    owner: String,
    office: String,
    metric: String,
    category: String,
    target: String,
}

/// What an import came to: the preview or the rows written, or why the upload was refused.
#[derive(Default)]
pub struct ImportOutcome {
    pub shown: bool,
    pub dry_run: bool,
    pub rows: Vec<LineRow>,
    pub errors: Vec<RowError>,
    pub refused: String,
}

#[derive(Template)]
#[template(path = "targets.html")]
struct TargetsPage {
    c: Chrome,
    periods: PeriodGroups,
    offices: Vec<Choice>,
    office: String,
    report: TargetReport,
    first_day: String,
    last_day: String,
    elapsed: String,
    sections: Vec<OfficeSection>,
    may_set: bool,
    form: TargetForm,
    scopes: Vec<Choice>,
    metrics: Vec<Choice>,
    categories: Vec<Choice>,
    form_offices: Vec<Choice>,
    errors: FieldErrors,
    other_errors: String,
    import_key: String,
    outcome: ImportOutcome,
}

fn may_set(session: &Session) -> bool {
    matches!(session.caller.role, Role::SalesManager | Role::Director | Role::Admin)
}

async fn page(
    ui: &UiState,
    session: &Session,
    query: ReportQuery,
    form: TargetForm,
    errors: FieldErrors,
    outcome: ImportOutcome,
) -> Result<Response, PageError> {
    let t = session.texts();
    let period = if query.period.trim().is_empty() { this_quarter() } else { query.period.trim().to_owned() };
    let params = [("period", period.as_str()), ("office", query.office.trim())];
    let set: Vec<_> = params.into_iter().filter(|(_, v)| !v.is_empty()).collect();
    let path = format!("/api/v1/reports/targets?{}", serde_urlencoded::to_string(&set).unwrap_or_default());
    let report: TargetReport = ui.api.get(session.api_caller(), &path).await?;
    let form = TargetForm {
        period: if form.period.is_empty() { period.clone() } else { form.period },
        idempotency_key: new_idempotency_key(),
        ..form
    };
    let c = Chrome::new(session, "/targets", t.get("targets.title").to_owned(), "/targets");
    Ok(html(&TargetsPage {
        periods: period_groups(&period),
        offices: choices(t, "office", &OFFICES, query.office.trim()),
        office: query.office.trim().to_owned(),
        first_day: format::date(&report.first_day, t.lang),
        last_day: format::date(&report.last_day, t.lang),
        elapsed: percent(report.elapsed_bp, t.lang),
        sections: sections(&report, t),
        may_set: may_set(session),
        scopes: choices(t, "target_scope", &SCOPES, &form.scope),
        metrics: choices(t, "target_metric", &METRICS, &form.metric),
        categories: choices(t, "category", &CATEGORIES, &form.category),
        form_offices: choices(t, "office", &OFFICES, &form.office),
        other_errors: errors.others(&FORM_FIELDS),
        import_key: new_idempotency_key(),
        c,
        report,
        form,
        errors,
        outcome,
    }))
}

async fn report(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ReportQuery>,
) -> Result<Response, PageError> {
    page(&ui, &session, query, TargetForm::default(), FieldErrors::default(), ImportOutcome::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DownloadQuery {
    period: String,
    office: String,
    format: String,
}

/// The report as the API writes it for Excel (CSV or XLSX), passed through with its name.
async fn download(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<DownloadQuery>,
) -> Result<Response, PageError> {
    let format = if query.format == "xlsx" { "xlsx" } else { "csv" };
    let params = [("period", query.period.trim()), ("office", query.office.trim()), ("format", format)];
    let set: Vec<_> = params.into_iter().filter(|(_, v)| !v.is_empty()).collect();
    let path = format!("/api/v1/reports/targets?{}", serde_urlencoded::to_string(&set).unwrap_or_default());
    super::documents::printed(&ui, &session, &path).await
}

fn body_of(form: &TargetForm) -> serde_json::Value {
    let digits: String = form.target.chars().filter(|c| !matches!(c, '.' | ',' | ' ' | '₫')).collect();
    serde_json::json!({
        "period": form.period.trim(), "scope": form.scope.trim(), "owner": form.owner.trim(),
        "office": form.office.trim(), "metric": form.metric.trim(), "category": form.category.trim(),
        "target": digits.parse::<i64>().unwrap_or(-1),
    })
}

async fn set_target(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<TargetForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    let body = body_of(&form);
    match ui.api.send(session.api_caller(), Method::PUT, "/api/v1/targets", &body, &headers).await {
        Ok(_) => {
            let query = serde_urlencoded::to_string([("period", form.period.trim())]).unwrap_or_default();
            Ok(Redirect::to(&format!("/targets?{query}")).into_response())
        }
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            let query = ReportQuery { period: form.period.trim().to_owned(), office: String::new() };
            page(&ui, &session, query, form, errors, ImportOutcome::default()).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ImportQuery {
    dry_run: bool,
    key: String,
}

/// Sends the uploaded sheet; a dry run previews, a real run writes all rows or none.
async fn import(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ImportQuery>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let upload = read_upload(multipart, "sheet").await?;
    check_csrf(&session, &upload.csrf)?;
    let t = session.texts();
    let mut outcome = ImportOutcome { shown: true, dry_run: query.dry_run, ..ImportOutcome::default() };
    if upload.bytes.is_empty() {
        outcome.refused = t.get("targets.no_file").to_owned();
        return page(&ui, &session, ReportQuery::default(), TargetForm::default(), FieldErrors::default(), outcome)
            .await;
    }
    let path = format!("/api/v1/targets/import?dry_run={}", query.dry_run);
    let headers: Vec<(&str, String)> =
        Some(("idempotency-key", query.key)).filter(|(_, k)| !k.is_empty() && !query.dry_run).into_iter().collect();
    let body = ("text/csv; charset=utf-8", upload.bytes);
    match ui.api.send_bytes(session.api_caller(), Method::POST, &path, body, &headers).await {
        Ok(answer) => {
            let imported: TargetImport = answer.json()?;
            let empty = TargetReport { running: false, ..TargetReport::default() };
            outcome.rows = imported.targets.iter().map(|s| preview_row(s, &empty, t)).collect();
            outcome.errors =
                imported.errors.into_iter().map(|e| RowError { message: t.message(&e.message), ..e }).collect();
            outcome.dry_run = imported.dry_run;
        }
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, t)?;
            outcome.refused = errors.others(&[]);
        }
    }
    page(&ui, &session, ReportQuery::default(), TargetForm::default(), FieldErrors::default(), outcome).await
}

/// A target to be written, shown like a report line without a result, saying whose it is.
fn preview_row(target: &crate::views::targets::SalesTarget, report: &TargetReport, t: Texts) -> LineRow {
    let line = ReportLine {
        scope: target.scope.clone(),
        owner: target.owner.clone(),
        office: target.office.clone(),
        metric: target.metric.clone(),
        category: target.category.clone(),
        target: Some(target.target),
        ..ReportLine::default()
    };
    let mut row = line_row(&line, report, t);
    row.who = format!("{} · {} · {}", target.period, t.word("office", &target.office), row.who);
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_and_periods_are_written_for_the_reader() {
        assert_eq!(percent(6_667, Lang::Vi), "66,67 %");
        assert_eq!(percent(10_000, Lang::En), "100.00%");
        let groups = period_groups("2026-Q4");
        assert_eq!(groups.quarters.len(), 8);
        assert_eq!(groups.months.len(), 24);
    }
}
