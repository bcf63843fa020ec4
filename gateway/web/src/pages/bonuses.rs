//! Sales bonuses for customers (thưởng doanh số): the schemes in force, and a customer's statement
//! for a quarter or a year with every payment and invoice that counted, the step reached, what was
//! accrued, settled and clawed back.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::Datelike;
use serde::Deserialize;

use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::{Customer, ListOf};

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/bonus-schemes", get(schemes))
        .route("/bonus-statement", get(find_statement))
        .route("/customers/{id}/bonus-statement", get(statement))
        .route("/customers/{id}/bonus-statement/pdf", get(statement_pdf))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Step {
    threshold: i64,
    rate_bp: i32,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Scheme {
    id: i64,
    name: String,
    target_kind: String,
    target: String,
    period_kind: String,
    effective_from: String,
    steps: Vec<Step>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PaidLine {
    payment_number: String,
    received_on: String,
    invoice_id: i64,
    invoice_number: String,
    invoice_date: String,
    allocated: i64,
    net: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Movement {
    kind: String,
    amount: i64,
    month: String,
    method: String,
    document_number: String,
    entry_date: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Statement {
    period: String,
    period_start: String,
    period_end: String,
    scheme: Option<Scheme>,
    lines: Vec<PaidLine>,
    paid_gross: i64,
    paid_net: i64,
    threshold_reached: i64,
    rate_bp: i32,
    earned: i64,
    accrued: i64,
    settled: i64,
    clawed_back: i64,
    payable: i64,
    movements: Vec<Movement>,
}

/// Basis points as a percentage: 150 → "1.5%" (1,5% in Vietnamese).
fn percent(bp: i32, t: Texts) -> String {
    let whole = bp / 100;
    let hundredths = (bp % 100).abs();
    let text = if hundredths == 0 {
        format!("{whole}%")
    } else {
        let fraction = format!("{hundredths:02}");
        format!("{whole}.{}%", fraction.trim_end_matches('0'))
    };
    if t.lang.code() == "vi" { text.replace('.', ",") } else { text }
}

/// The scheme's steps on one line: "≥ 100.000.000 ₫: 1% · ≥ 500.000.000 ₫: 2%".
fn steps_text(steps: &[Step], t: Texts) -> String {
    let step = |s: &Step| format!("≥ {}: {}", format::money(s.threshold, t.lang), percent(s.rate_bp, t));
    steps.iter().map(step).collect::<Vec<_>>().join(" · ")
}

pub struct SchemeRow {
    pub name: String,
    pub target: String,
    pub period_kind: String,
    pub effective_from: String,
    pub steps: String,
}

fn scheme_row(s: &Scheme, t: Texts) -> SchemeRow {
    let kind = if s.target_kind == "tier" { "tier" } else { "group" };
    SchemeRow {
        name: s.name.clone(),
        target: t.word(kind, &s.target),
        period_kind: t.get(if s.period_kind == "year" { "bonuses.year" } else { "bonuses.quarter" }).to_owned(),
        effective_from: format::date(&s.effective_from, t.lang),
        steps: steps_text(&s.steps, t),
    }
}

/// The quarter today falls in: "2026-Q4".
fn this_quarter() -> String {
    let today = atq_platform::business_time::local_date(atq_platform::business_time::now_micros());
    format!("{}-Q{}", today.year(), today.month0() / 3 + 1)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SchemeListQuery {
    cursor: String,
}

#[derive(Template)]
#[template(path = "bonus_schemes.html")]
struct SchemesPage {
    c: Chrome,
    rows: Vec<SchemeRow>,
    next_page: String,
    period: String,
}

async fn schemes(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<SchemeListQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let cursor = serde_urlencoded::to_string([("cursor", query.cursor.as_str())]).unwrap_or_default();
    let path = if query.cursor.is_empty() {
        "/api/v1/bonus-schemes".to_owned()
    } else {
        format!("/api/v1/bonus-schemes?{cursor}")
    };
    let page: ListOf<Scheme> = ui.api.get(session.api_caller(), &path).await?;
    let next_page = if page.next_cursor.is_empty() {
        String::new()
    } else {
        format!("/bonus-schemes?{}", serde_urlencoded::to_string([("cursor", &page.next_cursor)]).unwrap_or_default())
    };
    let c = Chrome::new(&session, "/bonus-schemes", t.get("bonuses.title").to_owned(), "/bonus-schemes");
    let rows = page.items.iter().map(|s| scheme_row(s, t)).collect();
    Ok(html(&SchemesPage { c, rows, next_page, period: this_quarter() }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatementQuery {
    customer_id: String,
    period: String,
}

/// The form on the schemes page names a customer by id: on to its statement.
async fn find_statement(Query(query): Query<StatementQuery>) -> Response {
    match query.customer_id.trim().parse::<i64>() {
        Ok(id) if id > 0 => {
            let period = serde_urlencoded::to_string([("period", query.period.trim())]).unwrap_or_default();
            Redirect::to(&format!("/customers/{id}/bonus-statement?{period}")).into_response()
        }
        _ => Redirect::to("/bonus-schemes").into_response(),
    }
}

pub struct LineRow {
    pub payment_number: String,
    pub received_on: String,
    pub invoice_id: i64,
    pub invoice_number: String,
    pub invoice_date: String,
    pub allocated: String,
    pub net: String,
}

pub struct MovementRow {
    pub kind: String,
    pub document_number: String,
    pub entry_date: String,
    pub detail: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "bonus_statement.html")]
struct StatementPage {
    c: Chrome,
    customer: Customer,
    period: String,
    /// The printed statement of the same period.
    print: String,
    dates: String,
    scheme: String,
    lines: Vec<LineRow>,
    figures: Vec<(&'static str, String)>,
    movements: Vec<MovementRow>,
}

fn figures(s: &Statement, t: Texts) -> Vec<(&'static str, String)> {
    let money = |vnd: i64| format::money(vnd, t.lang);
    vec![
        ("bonuses.paid_gross", money(s.paid_gross)),
        ("bonuses.paid_net", money(s.paid_net)),
        ("bonuses.step", format!("≥ {}: {}", money(s.threshold_reached), percent(s.rate_bp, t))),
        ("bonuses.earned", money(s.earned)),
        ("bonuses.accrued", money(s.accrued)),
        ("bonuses.settled", money(s.settled)),
        ("bonuses.clawed_back", money(s.clawed_back)),
        ("bonuses.payable", money(s.payable)),
    ]
}

async fn statement(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Query(query): Query<StatementQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let period = if query.period.trim().is_empty() { this_quarter() } else { query.period.trim().to_owned() };
    let customer: Customer = ui.api.get(session.api_caller(), &format!("/api/v1/customers/{id}")).await?;
    let asked = serde_urlencoded::to_string([("period", period.as_str())]).unwrap_or_default();
    let s: Statement =
        ui.api.get(session.api_caller(), &format!("/api/v1/customers/{id}/bonus-statement?{asked}")).await?;
    let money = |vnd: i64| format::money(vnd, t.lang);
    let lines = s
        .lines
        .iter()
        .map(|l| LineRow {
            payment_number: l.payment_number.clone(),
            received_on: format::date(&l.received_on, t.lang),
            invoice_id: l.invoice_id,
            invoice_number: l.invoice_number.clone(),
            invoice_date: format::date(&l.invoice_date, t.lang),
            allocated: money(l.allocated),
            net: money(l.net),
        })
        .collect();
    let movements = s
        .movements
        .iter()
        .map(|m| MovementRow {
            kind: t.word("bonus_kind", &m.kind),
            document_number: m.document_number.clone(),
            entry_date: format::date(&m.entry_date, t.lang),
            detail: if m.method.is_empty() { m.month.clone() } else { t.word("bonus_method", &m.method) },
            amount: money(m.amount),
        })
        .collect();
    let scheme = s.scheme.as_ref().map(|x| format!("{} — {}", x.name, steps_text(&x.steps, t)));
    let title = format!("{} {} · {}", t.get("bonuses.statement"), s.period, customer.name);
    let here = format!("/customers/{id}/bonus-statement?{asked}");
    Ok(html(&StatementPage {
        c: Chrome::new(&session, "/bonus-schemes", title, &here),
        dates: format!("{} – {}", format::date(&s.period_start, t.lang), format::date(&s.period_end, t.lang)),
        scheme: scheme.unwrap_or_else(|| t.get("bonuses.no_scheme").to_owned()),
        figures: figures(&s, t),
        period: s.period.clone(),
        print: format!("/customers/{id}/bonus-statement/pdf?{asked}"),
        lines,
        movements,
        customer,
    }))
}

/// The statement printed by the API, in the page's language.
async fn statement_pdf(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Query(query): Query<StatementQuery>,
) -> Result<Response, PageError> {
    let period = if query.period.trim().is_empty() { this_quarter() } else { query.period.trim().to_owned() };
    let asked = serde_urlencoded::to_string([("period", period.as_str())]).unwrap_or_default();
    super::documents::printed(&ui, &session, &format!("/api/v1/customers/{id}/bonus-statement/pdf?{asked}")).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn rates_show_as_percentages_in_each_language() {
        let (en, vi) = (Texts::new(Lang::En), Texts::new(Lang::Vi));
        assert_eq!(percent(150, en), "1.5%");
        assert_eq!(percent(150, vi), "1,5%");
        assert_eq!(percent(200, en), "2%");
        assert_eq!(percent(5, en), "0.05%");
    }
}
