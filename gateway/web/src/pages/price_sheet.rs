//! The price sheet: the version in force for a customer group or a dealer tier, downloadable for Excel (CSV and
//! XLSX as the API writes them); and, for import-export and the directors, every version with what
//! it changes against the one in force, and the button that publishes a draft.

use askama::Template;
use atq_platform::caller::Action;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::catalog::{read_page, with_query};
use super::customers::{Choice, choices};
use super::documents::{self, Acted, ActionForm, act, percent};
use super::forms::check_csrf;
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::{PriceChanges, PriceLine, PriceList};

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/price-sheet", get(current))
        .route("/price-sheet/download", get(download))
        .route("/price-lists", get(list))
        .route("/price-lists/{id}", get(show))
        .route("/price-lists/{id}/publish", post(publish))
}

pub const SHEET_STATUSES: [&str; 2] = ["draft", "published"];
/// The sheet's columns: the customer groups, then the dealer tiers a sheet may price.
pub const COLUMNS: [&str; 6] = ["individual", "dealer", "project", "distributor", "tier1", "tier2"];

#[derive(Deserialize, Default)]
#[serde(default)]
struct SheetQuery {
    group: String,
    format: String,
    status: String,
    cursor: String,
}

/// A line of a sheet as shown; cost and margin only where the API gave them.
pub struct PriceRow {
    pub product_id: i64,
    pub model_code: String,
    pub name: String,
    pub brand: String,
    pub unit: String,
    pub group: String,
    pub unit_cost: String,
    pub margin: String,
    pub price_net: String,
    pub vat_rate: String,
    pub price_gross: String,
}

fn price_row(line: PriceLine, t: Texts) -> PriceRow {
    PriceRow {
        product_id: line.product_id,
        name: line.name_vi,
        group: t.word("group", &line.customer_group),
        unit_cost: line.unit_cost.map(|c| format::money(c, t.lang)).unwrap_or_default(),
        margin: line.margin.map(|m| percent(&m, t.lang)).unwrap_or_default(),
        price_net: format::money(line.price_net, t.lang),
        vat_rate: percent(&line.vat_rate, t.lang),
        price_gross: format::money(line.price_gross, t.lang),
        model_code: line.model_code,
        brand: line.brand,
        unit: line.unit,
    }
}

/// A valid column (a customer group or a dealer tier), or none.
fn group_of(typed: &str) -> &'static str {
    COLUMNS.iter().find(|g| **g == typed.trim()).copied().unwrap_or_default()
}

#[derive(Template)]
#[template(path = "price_sheet.html")]
struct SheetPage {
    c: Chrome,
    groups: Vec<Choice>,
    group: &'static str,
    /// Empty when no version is in force.
    number: String,
    effective_on: String,
    rows: Vec<PriceRow>,
    shows_cost: bool,
    csv: String,
    xlsx: String,
    may_manage: bool,
}

async fn current(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<SheetQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let group = group_of(&query.group);
    let path = with_query("/api/v1/price-lists/current", &[("group", group)]);
    let sheet = match ui.api.get::<PriceList>(session.api_caller(), &path).await {
        Ok(sheet) => Some(sheet),
        Err(problem) if problem.status == 404 => None,
        Err(problem) => return Err(problem.into()),
    };
    let (number, effective_on, lines) = match sheet {
        Some(s) => (s.number, format::date(&s.effective_on, t.lang), s.lines),
        None => (String::new(), String::new(), Vec::new()),
    };
    let shows_cost = lines.iter().any(|l| l.unit_cost.is_some());
    let c = Chrome::new(
        &session,
        "/price-sheet",
        t.get("prices.title").to_owned(),
        &with_query("/price-sheet", &[("group", group)]),
    );
    Ok(html(&SheetPage {
        c,
        groups: choices(t, "group", &COLUMNS, group),
        group,
        number,
        effective_on,
        rows: lines.into_iter().map(|l| price_row(l, t)).collect(),
        shows_cost,
        csv: with_query("/price-sheet/download", &[("group", group), ("format", "csv")]),
        xlsx: with_query("/price-sheet/download", &[("group", group), ("format", "xlsx")]),
        may_manage: session.caller.role.may(Action::ReadCosts),
    }))
}

/// The sheet in force as the API writes it for Excel, passed through with its name.
async fn download(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<SheetQuery>,
) -> Result<Response, PageError> {
    let format = if query.format == "xlsx" { "xlsx" } else { "csv" };
    let path = with_query("/api/v1/price-lists/current", &[("group", group_of(&query.group)), ("format", format)]);
    documents::printed(&ui, &session, &path).await
}

pub struct VersionRow {
    pub id: i64,
    pub number: String,
    pub status: String,
    pub effective_on: String,
    pub current: bool,
    pub created_by: String,
    pub published_by: String,
}

#[derive(Template)]
#[template(path = "price_lists.html")]
struct ListPage {
    c: Chrome,
    statuses: Vec<Choice>,
    rows: Vec<VersionRow>,
    next_page: String,
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<SheetQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let status = SHEET_STATUSES.iter().find(|s| **s == query.status.trim()).copied().unwrap_or_default();
    let route = ("/api/v1/price-lists", "/price-lists");
    let (items, next_page) = read_page::<PriceList>(&ui, &session, route, &[("status", status)], &query.cursor).await?;
    let rows = items
        .into_iter()
        .map(|l| VersionRow {
            id: l.id,
            status: t.word("sheet_status", &l.status),
            effective_on: format::date(&l.effective_on, t.lang),
            current: l.current,
            published_by: l.published_by.unwrap_or_default(),
            created_by: l.created_by,
            number: l.number,
        })
        .collect();
    let c = Chrome::new(&session, "/price-sheet", t.get("prices.versions").to_owned(), "/price-lists");
    Ok(html(&ListPage { c, statuses: choices(t, "sheet_status", &SHEET_STATUSES, status), rows, next_page }))
}

/// What a version changes for one product and group, as shown.
pub struct ChangeRow {
    pub model_code: String,
    pub name: String,
    pub group: String,
    pub change: String,
    pub old_price: String,
    pub new_price: String,
    pub difference: String,
    pub percent: String,
    pub rise: bool,
}

#[derive(Template)]
#[template(path = "price_list.html")]
struct ShowPage {
    c: Chrome,
    sheet: PriceList,
    status: String,
    effective_on: String,
    published_at: String,
    margins: Vec<(String, String)>,
    rows: Vec<PriceRow>,
    against: String,
    changes: Vec<ChangeRow>,
    may_publish: bool,
    error: String,
}

fn change_row(change: crate::views::PriceChange, t: Texts) -> ChangeRow {
    let money = |amount: Option<i64>| amount.map(|a| format::money(a, t.lang)).unwrap_or_default();
    ChangeRow {
        group: t.word("group", &change.customer_group),
        change: t.word("price_change", &change.change),
        old_price: money(change.old_price),
        new_price: money(change.new_price),
        difference: money(change.difference),
        percent: change
            .percent_change
            .map(|p| format!("{}%", p.replace('.', if t.lang == crate::Lang::Vi { "," } else { "." })))
            .unwrap_or_default(),
        rise: change.difference.is_some_and(|d| d > 0),
        model_code: change.model_code,
        name: change.name_vi,
    }
}

async fn show_page(ui: &UiState, session: &Session, id: i64, error: String) -> Result<Response, PageError> {
    let t = session.texts();
    let mut sheet: PriceList = ui.api.get(session.api_caller(), &format!("/api/v1/price-lists/{id}")).await?;
    let changes: PriceChanges = ui.api.get(session.api_caller(), &format!("/api/v1/price-lists/{id}/changes")).await?;
    let margins = sheet
        .margins
        .take()
        .unwrap_or_default()
        .into_iter()
        .map(|(g, m)| (t.word("group", &g), percent(&m, t.lang)))
        .collect();
    let rows = std::mem::take(&mut sheet.lines).into_iter().map(|l| price_row(l, t)).collect();
    let title = format!("{} {}", t.get("prices.one"), sheet.number);
    Ok(html(&ShowPage {
        c: Chrome::new(session, "/price-sheet", title, &format!("/price-lists/{id}")),
        status: t.word("sheet_status", &sheet.status),
        effective_on: format::date(&sheet.effective_on, t.lang),
        published_at: sheet.published_at.as_deref().map(|at| format::time(at, t.lang)).unwrap_or_default(),
        margins,
        rows,
        against: changes.against_number.unwrap_or_default(),
        changes: changes.items.into_iter().filter(|c| c.change != "unchanged").map(|c| change_row(c, t)).collect(),
        may_publish: sheet.status == "draft" && session.caller.role.may(Action::WriteRates),
        error,
        sheet,
    }))
}

async fn show(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    show_page(&ui, &session, id, String::new()).await
}

async fn publish(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    match act(&ui, &session, &format!("/api/v1/price-lists/{id}/publish"), &serde_json::json!({}), &form).await? {
        Acted::Done(_) => Ok(Redirect::to(&format!("/price-lists/{id}")).into_response()),
        Acted::Refused(why) => show_page(&ui, &session, id, why).await,
    }
}
