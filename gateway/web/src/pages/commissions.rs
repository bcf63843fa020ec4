//! Commissions for sales staff (hoa hồng): the plans and their versions, a person's statement for
//! a month with every payment and return that counted, and accounting's button that accrues the
//! month (641 / 334).

use askama::Template;
use atq_platform::caller::Action;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::forms::{check_csrf, new_idempotency_key};
use crate::session::Session;
use crate::views::ListOf;

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/commissions", get(plans))
        .route("/commissions/accrue", post(accrue))
        .route("/commission-statement", get(statement))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Rate {
    category: String,
    rate_bp: i32,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Version {
    version: i32,
    effective_from: String,
    basis: String,
    default_rate_bp: i32,
    rates: Vec<Rate>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Plan {
    name: String,
    role: String,
    office: String,
    username: String,
    versions: Vec<Version>,
}

/// Basis points as a percentage: 250 → "2.5%" (2,5% in Vietnamese).
fn percent(bp: i32, t: Texts) -> String {
    let text = if bp % 100 == 0 {
        format!("{}%", bp / 100)
    } else {
        format!("{}.{}%", bp / 100, format!("{:02}", (bp % 100).abs()).trim_end_matches('0'))
    };
    if t.lang.code() == "vi" { text.replace('.', ",") } else { text }
}

/// A version on one line: "from 01/11/2026: paid revenue, chemistry 2.5%, others 1%".
fn version_text(v: &Version, t: Texts) -> String {
    let mut parts =
        vec![format!("v{} · {} {}", v.version, t.get("commissions.from"), format::date(&v.effective_from, t.lang))];
    parts.push(t.word("commission_basis", &v.basis));
    parts.extend(v.rates.iter().map(|r| format!("{} {}", t.word("category", &r.category), percent(r.rate_bp, t))));
    parts.push(format!("{} {}", t.get("commissions.others"), percent(v.default_rate_bp, t)));
    parts.join(" · ")
}

pub struct PlanRow {
    pub name: String,
    pub whom: String,
    pub versions: Vec<String>,
}

fn plan_row(p: &Plan, t: Texts) -> PlanRow {
    let mut whom: Vec<String> = Vec::new();
    if !p.role.is_empty() {
        whom.push(t.word("role", &p.role));
    }
    if !p.office.is_empty() {
        whom.push(p.office.clone());
    }
    if !p.username.is_empty() {
        whom.push(p.username.clone());
    }
    let whom = if whom.is_empty() { t.get("commissions.everyone").to_owned() } else { whom.join(" · ") };
    PlanRow { name: p.name.clone(), whom, versions: p.versions.iter().map(|v| version_text(v, t)).collect() }
}

/// This month: "2026-11".
fn this_month() -> String {
    let today = atq_platform::business_time::local_date(atq_platform::business_time::now_micros());
    today.format("%Y-%m").to_string()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PlansQuery {
    cursor: String,
    /// After an accrual: the month and what it posted.
    accrued: String,
    total: String,
}

#[derive(Template)]
#[template(path = "commissions.html")]
struct PlansPage {
    c: Chrome,
    rows: Vec<PlanRow>,
    next_page: String,
    month: String,
    me: String,
    may_accrue: bool,
    key: String,
    notice: String,
}

async fn plans(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<PlansQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let path = if query.cursor.is_empty() {
        "/api/v1/commission-plans".to_owned()
    } else {
        format!(
            "/api/v1/commission-plans?{}",
            serde_urlencoded::to_string([("cursor", &query.cursor)]).unwrap_or_default()
        )
    };
    let page: ListOf<Plan> = ui.api.get(session.api_caller(), &path).await?;
    let next_page = if page.next_cursor.is_empty() {
        String::new()
    } else {
        format!("/commissions?{}", serde_urlencoded::to_string([("cursor", &page.next_cursor)]).unwrap_or_default())
    };
    let notice = if query.accrued.is_empty() {
        String::new()
    } else {
        let total = query.total.parse::<i64>().unwrap_or_default();
        format!("{} {}: {}", t.get("commissions.accrued_month"), query.accrued, format::money(total, t.lang))
    };
    Ok(html(&PlansPage {
        c: Chrome::new(&session, "/commissions", t.get("commissions.title").to_owned(), "/commissions"),
        rows: page.items.iter().map(|p| plan_row(p, t)).collect(),
        next_page,
        month: this_month(),
        me: session.caller.username.clone(),
        may_accrue: session.caller.role.may(Action::WriteAccounts),
        key: new_idempotency_key(),
        notice,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AccrualForm {
    csrf: String,
    idempotency_key: String,
    month: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AccrualRun {
    month: String,
    total: i64,
}

/// Accrues the month and comes back to the plans with what was posted.
async fn accrue(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<AccrualForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let body = serde_json::json!({ "month": form.month.trim() });
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    let path = "/api/v1/commission-accruals";
    let answer = ui.api.send(session.api_caller(), Method::POST, path, &body, &headers).await?;
    let run: AccrualRun = answer.json()?;
    let back =
        serde_urlencoded::to_string([("accrued", run.month), ("total", run.total.to_string())]).unwrap_or_default();
    Ok(Redirect::to(&format!("/commissions?{back}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Line {
    kind: String,
    document_number: String,
    event_date: String,
    invoice_id: i64,
    invoice_number: String,
    line_no: i32,
    category: String,
    net_share: i64,
    margin_share: i64,
    basis: String,
    rate_bp: i32,
    commission: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Statement {
    salesperson: String,
    office: String,
    month: String,
    lines: Vec<Line>,
    earned: i64,
    reversed: i64,
    total: i64,
    accrued: i64,
    to_accrue: i64,
    unattributed_invoices: i32,
    unattributed_net: i64,
}

pub struct LineRow {
    pub kind: String,
    pub document_number: String,
    pub event_date: String,
    pub invoice_id: i64,
    pub invoice: String,
    pub category: String,
    pub net_share: String,
    pub margin_share: String,
    pub rate: String,
    pub commission: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatementQuery {
    salesperson: String,
    month: String,
}

#[derive(Template)]
#[template(path = "commission_statement.html")]
struct StatementPage {
    c: Chrome,
    salesperson: String,
    month: String,
    lines: Vec<LineRow>,
    figures: Vec<(&'static str, String)>,
    unattributed: String,
}

fn line_row(l: &Line, t: Texts) -> LineRow {
    let money = |vnd: i64| format::money(vnd, t.lang);
    let rate = if l.basis.is_empty() {
        t.get("commissions.no_plan").to_owned()
    } else {
        format!("{} · {}", percent(l.rate_bp, t), t.word("commission_basis", &l.basis))
    };
    LineRow {
        kind: t.word("commission_kind", &l.kind),
        document_number: l.document_number.clone(),
        event_date: format::date(&l.event_date, t.lang),
        invoice_id: l.invoice_id,
        invoice: format!("{} / {}", l.invoice_number, l.line_no),
        category: t.word("category", &l.category),
        net_share: money(l.net_share),
        margin_share: money(l.margin_share),
        rate,
        commission: money(l.commission),
    }
}

async fn statement(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<StatementQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let salesperson = if query.salesperson.trim().is_empty() {
        session.caller.username.clone()
    } else {
        query.salesperson.trim().to_owned()
    };
    let month = if query.month.trim().is_empty() { this_month() } else { query.month.trim().to_owned() };
    let asked = serde_urlencoded::to_string([("salesperson", salesperson.as_str()), ("month", month.as_str())])
        .unwrap_or_default();
    let s: Statement = ui.api.get(session.api_caller(), &format!("/api/v1/commission-statements?{asked}")).await?;
    let money = |vnd: i64| format::money(vnd, t.lang);
    let figures = vec![
        ("commissions.earned", money(s.earned)),
        ("commissions.reversed", money(s.reversed)),
        ("commissions.total", money(s.total)),
        ("commissions.accrued", money(s.accrued)),
        ("commissions.to_accrue", money(s.to_accrue)),
    ];
    let unattributed = if s.unattributed_invoices > 0 {
        format!("{} {} · {}", t.get("commissions.unattributed"), s.unattributed_invoices, money(s.unattributed_net))
    } else {
        String::new()
    };
    let title = format!("{} {} · {} {}", t.get("commissions.statement"), s.month, s.salesperson, s.office);
    let here = format!("/commission-statement?{asked}");
    Ok(html(&StatementPage {
        c: Chrome::new(&session, "/commissions", title, &here),
        lines: s.lines.iter().map(|l| line_row(l, t)).collect(),
        salesperson: s.salesperson,
        month: s.month,
        figures,
        unattributed,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn rates_show_as_percentages_in_each_language() {
        let (en, vi) = (Texts::new(Lang::En), Texts::new(Lang::Vi));
        assert_eq!(
            (percent(250, en), percent(250, vi), percent(100, en), percent(5, en)),
            ("2.5%".to_owned(), "2,5%".to_owned(), "1%".to_owned(), "0.05%".to_owned())
        );
    }
}
