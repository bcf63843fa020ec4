//! Warranty (bảo hành): the serial lookup (which product, which customer, shipped when, covered
//! until when and, if not, why; the unit's service history) above the list of warranty cases,
//! filtered by status and scoped to the person's office by the API; the form that opens a case
//! (`open.rs`) and a case's page with the form of its next step (`case.rs`).

mod case;
mod open;
mod views;

use askama::Template;
use atq_platform::caller::Action;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use self::views::{SerialWarranty, WarrantyCase, coverage_reason, day, path_segment};
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::customers::{Choice, choices};
use crate::session::Session;
use crate::views::ListOf;

/// A case's statuses in the order of its life.
pub const STATUSES: [&str; 5] = ["open", "diagnosed", "decided", "at_supplier", "closed"];

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/warranty", get(lookup_and_list))
        .route("/warranty/cases/new", get(open::new_form).post(open::create))
        .route("/warranty/cases/{id}", get(case::show))
        .route("/warranty/cases/{id}/diagnose", post(case::diagnose))
        .route("/warranty/cases/{id}/decide", post(case::decide))
        .route("/warranty/cases/{id}/supplier-return", post(case::ship_to_supplier))
        .route("/warranty/cases/{id}/receive", post(case::receive_from_supplier))
        .route("/warranty/cases/{id}/close", post(case::close))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LookupQuery {
    serial: String,
    product_id: String,
    status: String,
    cursor: String,
}

/// A case as a list row shows it.
pub struct CaseRow {
    pub id: i64,
    pub number: String,
    pub serial: String,
    pub model_code: String,
    pub customer_name: String,
    pub opened_on: String,
    pub covered: String,
    pub decision: String,
    pub status: String,
}

pub fn case_row(case: &WarrantyCase, t: Texts) -> CaseRow {
    CaseRow {
        id: case.id,
        number: case.number.clone(),
        serial: case.serial.clone(),
        model_code: case.model_code.clone(),
        customer_name: case.customer_name.clone(),
        opened_on: format::date(&case.created_at, t.lang),
        covered: t.get(if case.covered { "warranty.covered_yes" } else { "warranty.covered_no" }).to_owned(),
        decision: if case.decision.is_empty() { String::new() } else { t.word("warranty_decision", &case.decision) },
        status: t.word("warranty_status", &case.status),
    }
}

/// One line of a unit's history.
pub struct HistoryRow {
    pub date: String,
    pub what: String,
    pub document: String,
    pub note: String,
}

/// A looked-up serial as the page shows it.
pub struct Found {
    pub unit: SerialWarranty,
    pub unit_status: String,
    pub office: String,
    pub shipped_on: String,
    pub warranty_ends_on: String,
    pub reason: String,
    /// The form that opens a case on this unit.
    pub open_href: String,
    /// The lookup of the unit this one replaced, when it replaced one.
    pub replaces_href: String,
    pub history: Vec<HistoryRow>,
    pub cases: Vec<CaseRow>,
}

fn query_string(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

fn found(unit: SerialWarranty, t: Texts) -> Found {
    let history = unit
        .history
        .iter()
        .map(|e| HistoryRow {
            date: format::date(&e.date, t.lang),
            what: t.word("warranty_event", &e.kind),
            document: e.document_number.clone(),
            note: e.note.clone(),
        })
        .collect();
    Found {
        unit_status: t.word("warranty_unit", &unit.status),
        office: if unit.office.is_empty() { String::new() } else { t.word("office", &unit.office) },
        shipped_on: day(unit.shipped_on.as_deref(), t),
        warranty_ends_on: day(unit.warranty_ends_on.as_deref(), t),
        reason: coverage_reason(&unit.coverage_reason, t),
        open_href: format!(
            "/warranty/cases/new?{}",
            query_string(&[("serial", &unit.serial), ("product_id", &unit.product_id.to_string())])
        ),
        replaces_href: format!("/warranty?{}", query_string(&[("serial", &unit.replaces_serial)])),
        history,
        cases: unit.cases.iter().map(|c| case_row(c, t)).collect(),
        unit,
    }
}

#[derive(Template)]
#[template(path = "warranty.html")]
struct LookupPage {
    c: Chrome,
    serial: String,
    found: Option<Found>,
    /// Why the serial typed was not found or refused; empty when none.
    lookup_error: String,
    statuses: Vec<Choice>,
    rows: Vec<CaseRow>,
    next_page: String,
    may_handle: bool,
}

/// The serial typed, looked up: what the API found, or why not as a message for the search box.
async fn look_up(ui: &UiState, session: &Session, query: &LookupQuery) -> Result<(Option<Found>, String), PageError> {
    let t = session.texts();
    let serial = query.serial.trim();
    if serial.is_empty() {
        return Ok((None, String::new()));
    }
    let mut path = format!("/api/v1/warranty/serials/{}", path_segment(serial));
    if let Ok(product_id) = query.product_id.trim().parse::<i64>() {
        path.push_str(&format!("?product_id={product_id}"));
    }
    match ui.api.get::<SerialWarranty>(session.api_caller(), &path).await {
        Ok(unit) => Ok((Some(found(unit, t)), String::new())),
        Err(problem) if problem.status == 404 => Ok((None, t.get("warranty.serial_not_found").to_owned())),
        Err(problem) if problem.status == 400 => {
            let why = problem.errors.first().map(|e| e.message.clone()).unwrap_or(problem.detail);
            Ok((None, t.message(&why)))
        }
        Err(problem) => Err(problem.into()),
    }
}

async fn lookup_and_list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<LookupQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let (found, lookup_error) = look_up(&ui, &session, &query).await?;
    let status = if STATUSES.contains(&query.status.as_str()) { query.status.as_str() } else { "" };
    let filters: Vec<(&str, &str)> = [("serial", query.serial.trim()), ("status", status)]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .collect();
    let mut params: Vec<(&str, &str)> = filters.iter().copied().filter(|(name, _)| *name == "status").collect();
    params.push(("limit", "50"));
    if !query.cursor.is_empty() {
        params.push(("cursor", &query.cursor));
    }
    let api_path = format!("/api/v1/warranty-cases?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    let page: ListOf<WarrantyCase> = ui.api.get(session.api_caller(), &api_path).await?;
    let next_page = if page.next_cursor.is_empty() {
        String::new()
    } else {
        let mut next = filters;
        next.push(("cursor", &page.next_cursor));
        format!("/warranty?{}", serde_urlencoded::to_string(&next).unwrap_or_default())
    };
    Ok(html(&LookupPage {
        c: Chrome::new(&session, "/warranty", t.get("warranty.title").to_owned(), "/warranty"),
        serial: query.serial.trim().to_owned(),
        found,
        lookup_error,
        statuses: choices(t, "warranty_status", &STATUSES, status),
        rows: page.items.iter().map(|c| case_row(c, t)).collect(),
        next_page,
        may_handle: session.caller.role.may(Action::HandleWarranty),
    }))
}
