//! Opportunities: the list (searched, by stage and office), an opportunity's page with its stage
//! buttons (lost asks the reason and the competitor), products of interest, the project's
//! parties, its quotes and its history; the pipeline board (in `pipeline`) and the form to open or
//! change one (in `form`).

mod form;
mod pipeline;

use askama::Template;
use atq_platform::Role;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::customers::{Choice, OFFICES, choices};
use super::discussion::{self, Draft, Subject, Talk};
use super::documents::{self, Acted, ActionForm, act};
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::opportunities::{Opportunity, ProjectParty, StageChange};
use crate::views::{ListOf, Quote};

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/opportunities", get(list).post(form::create))
        .route("/opportunities/new", get(form::new_form))
        .route("/opportunities/pipeline", get(pipeline::board))
        .route("/opportunities/{id}", get(show).post(form::update))
        .route("/opportunities/{id}/edit", get(form::edit_form))
        .route("/opportunities/{id}/stage", post(change_stage))
}

pub const STAGES: [&str; 6] = ["prospecting", "qualified", "proposal", "negotiation", "won", "lost"];
const LOST_REASONS: [&str; 6] = ["price", "competitor", "budget", "timing", "no_decision", "other"];

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    q: String,
    stage: String,
    office: String,
    cursor: String,
}

/// An opportunity as a list row or a board card shows it.
pub struct Card {
    pub id: i64,
    pub title: String,
    pub customer: String,
    pub stage: String,
    pub value: String,
    pub probability: i32,
    pub weighted: String,
    pub close_on: String,
    pub owner: String,
}

pub fn card(o: &Opportunity, t: Texts) -> Card {
    Card {
        id: o.id,
        title: o.title.clone(),
        customer: o.customer_name.clone(),
        stage: t.word("opp_stage", &o.stage),
        value: format::money(o.expected_value, t.lang),
        probability: o.probability,
        weighted: format::money(o.weighted_value, t.lang),
        close_on: format::date(o.closed_on.as_deref().unwrap_or(&o.expected_close_on), t.lang),
        owner: o.owner.clone(),
    }
}

#[derive(Template)]
#[template(path = "opportunities.html")]
struct ListPage {
    c: Chrome,
    q: String,
    stages: Vec<Choice>,
    offices: Vec<Choice>,
    rows: Vec<Card>,
    next_page: String,
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let filters = [("q", query.q.as_str()), ("stage", &query.stage), ("office", &query.office)];
    let set: Vec<(&str, &str)> = filters.iter().copied().filter(|(_, v)| !v.is_empty()).collect();
    let mut params = set.clone();
    params.push(("limit", "50"));
    if !query.cursor.is_empty() {
        params.push(("cursor", &query.cursor));
    }
    let api_path = format!("/api/v1/opportunities?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    let page: ListOf<Opportunity> = ui.api.get(session.api_caller(), &api_path).await?;
    let next_page = documents::next_page_link("/opportunities", &set, &page.next_cursor);
    let c = Chrome::new(&session, "/opportunities", t.get("opportunities.title").to_owned(), "/opportunities");
    Ok(html(&ListPage {
        c,
        stages: choices(t, "opp_stage", &STAGES, &query.stage),
        offices: choices(t, "office", &OFFICES, &query.office),
        q: query.q,
        rows: page.items.iter().map(|o| card(o, t)).collect(),
        next_page,
    }))
}

/// A quote made for the opportunity, as its page lists it.
pub struct QuoteRow {
    pub id: i64,
    pub number: String,
    pub status: String,
    pub total: String,
}

#[derive(Template)]
#[template(path = "opportunity.html")]
struct ShowPage {
    c: Chrome,
    o: Opportunity,
    card: Card,
    office: String,
    closed_on: String,
    lost_reason: String,
    /// The stages a button moves to; empty when the caller may not move it.
    moves: Vec<Choice>,
    lost_reasons: Vec<Choice>,
    is_open: bool,
    parties: Vec<(String, String)>,
    quotes: Vec<QuoteRow>,
    history: Vec<(String, String, String, String)>,
    error: String,
    talk: Talk,
}

fn may_move(o: &Opportunity, role: Role) -> bool {
    let closed = o.stage == "won" || o.stage == "lost";
    !closed || matches!(role, Role::SalesManager | Role::Director | Role::Admin)
}

/// The investor, contractor and others of a project customer; none when there is no such list.
async fn parties(ui: &UiState, session: &Session, o: &Opportunity) -> Vec<(String, String)> {
    if o.customer_group != "project" {
        return Vec::new();
    }
    let path = format!("/api/v1/customers/{}/parties", o.customer_id);
    let t = session.texts();
    match ui.api.get::<ListOf<ProjectParty>>(session.api_caller(), &path).await {
        Ok(list) => list.items.into_iter().map(|p| (t.word("opp_party", &p.role), p.party_name)).collect(),
        Err(_) => Vec::new(),
    }
}

async fn quotes(ui: &UiState, session: &Session, id: i64) -> Result<Vec<QuoteRow>, PageError> {
    let t = session.texts();
    let path = format!("/api/v1/quotes?opportunity_id={id}&limit=50");
    let list: ListOf<Quote> = ui.api.get(session.api_caller(), &path).await?;
    Ok(list
        .items
        .into_iter()
        .map(|q| QuoteRow {
            id: q.id,
            number: q.number,
            status: t.word("status", &q.status),
            total: format::money(q.total_gross, t.lang),
        })
        .collect())
}

pub(in crate::pages) async fn show_page(
    ui: &UiState,
    session: &Session,
    id: i64,
    error: String,
    draft: Draft,
) -> Result<Response, PageError> {
    let t = session.texts();
    let o: Opportunity = ui.api.get(session.api_caller(), &format!("/api/v1/opportunities/{id}")).await?;
    let changes: ListOf<StageChange> =
        ui.api.get(session.api_caller(), &format!("/api/v1/opportunities/{id}/history")).await?;
    let history = changes
        .items
        .into_iter()
        .rev()
        .map(|h| {
            let from = h.from_stage.map(|s| format!("{} → ", t.word("opp_stage", &s))).unwrap_or_default();
            (
                format::time(&h.changed_at, t.lang),
                format!("{from}{}", t.word("opp_stage", &h.to_stage)),
                h.changed_by,
                h.note,
            )
        })
        .collect();
    let movable = may_move(&o, session.caller.role);
    let moves = STAGES
        .iter()
        .filter(|s| movable && **s != o.stage && **s != "lost")
        .map(|s| Choice { value: s, label: t.word("opp_stage", s), selected: false })
        .collect();
    let c = Chrome::new(session, "/opportunities", o.title.clone(), &format!("/opportunities/{id}"));
    Ok(html(&ShowPage {
        c,
        card: card(&o, t),
        office: t.word("office", &o.office),
        closed_on: o.closed_on.as_deref().map(|d| format::date(d, t.lang)).unwrap_or_default(),
        lost_reason: o.lost_reason.as_deref().map(|r| t.word("lost_reason", r)).unwrap_or_default(),
        moves,
        lost_reasons: choices(t, "lost_reason", &LOST_REASONS, ""),
        is_open: !(o.stage == "won" || o.stage == "lost"),
        parties: parties(ui, session, &o).await,
        quotes: quotes(ui, session, id).await?,
        history,
        error,
        talk: discussion::load(ui, session, Subject::Opportunity(id), draft).await?,
        o,
    }))
}

async fn show(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    show_page(&ui, &session, id, String::new(), Draft::default()).await
}

/// What a stage button sends.
#[derive(Deserialize, Default)]
#[serde(default)]
struct StageForm {
    csrf: String,
    version: i64,
    stage: String,
    lost_reason: String,
    competitor: String,
    note: String,
}

async fn change_stage(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<StageForm>,
) -> Result<Response, PageError> {
    let action = ActionForm { csrf: form.csrf, version: form.version, ..ActionForm::default() };
    super::forms::check_csrf(&session, &action.csrf)?;
    let body = serde_json::json!({
        "stage": form.stage, "lost_reason": form.lost_reason, "competitor": form.competitor.trim(),
        "note": form.note.trim(),
    });
    match act(&ui, &session, &format!("/api/v1/opportunities/{id}/stage"), &body, &action).await? {
        Acted::Done(_) => Ok(Redirect::to(&format!("/opportunities/{id}")).into_response()),
        Acted::Refused(why) => show_page(&ui, &session, id, why, Draft::default()).await,
    }
}
