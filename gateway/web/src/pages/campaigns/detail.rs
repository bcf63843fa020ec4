//! A care campaign's page: its facts and the next step of its status, a form adding the
//! customers of a segment as members, the members with the forward steps each may take, and the
//! results of the 30 days from its start.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use serde::Deserialize;

use super::super::customers::{Choice, GROUPS, choices};
use super::super::forms::{FieldErrors, check_csrf};
use super::views::{Campaign, Member, Results, SegmentAdded};
use super::{allowed, days_label, kind_label, offices_label};
use crate::UiState;
use crate::format;
use crate::i18n::{Lang, Texts};
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::ListOf;

/// A member's steps in order; a member only moves forward, and gift_sent is for holiday gifts.
const MEMBER_STEPS: [&str; 5] = ["planned", "contacted", "gift_sent", "responded", "bought"];
const SEGMENT_FIELDS: [&str; 2] = ["group", "office"];
/// The results window the page shows, in days from the campaign's start.
const RESULT_DAYS: i32 = 30;

pub struct MemberRow {
    pub customer_id: i64,
    pub code: String,
    pub name: String,
    pub office: String,
    pub status: String,
    pub updated: String,
    pub moves: Vec<Choice>,
}

/// The results as shown; ROI and gross profit are empty where the API gives none.
pub struct ResultsView {
    pub window: String,
    pub members: i64,
    pub buying_members: i64,
    pub orders: i64,
    pub revenue: String,
    pub gross_profit: String,
    pub cost: String,
    pub roi: String,
    pub method: String,
    pub statuses: Vec<(String, i64)>,
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct ShowPage {
    c: Chrome,
    campaign: Campaign,
    kind: String,
    offices: String,
    dates: String,
    cost: String,
    status: String,
    next_status: Option<Choice>,
    groups: Vec<Choice>,
    segment_offices: Vec<Choice>,
    errors: FieldErrors,
    error: String,
    notice: String,
    members: Vec<MemberRow>,
    results: ResultsView,
}

/// A share in basis points as the language writes a percentage, sign first: "-25,50 %".
fn percent(bp: i64, lang: Lang) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let (whole, hundredths) = (bp.unsigned_abs() / 100, bp.unsigned_abs() % 100);
    match lang {
        Lang::Vi => format!("{sign}{whole},{hundredths:02} %"),
        Lang::En => format!("{sign}{whole}.{hundredths:02}%"),
    }
}

fn results_view(results: Results, t: Texts) -> ResultsView {
    ResultsView {
        window: days_label(&results.window_from, &results.window_to, t.lang),
        members: results.member_count,
        buying_members: results.buying_members,
        orders: results.order_count,
        revenue: format::money(results.revenue, t.lang),
        gross_profit: results.gross_profit.map(|v| format::money(v, t.lang)).unwrap_or_default(),
        cost: format::money(results.cost, t.lang),
        roi: results.roi_bp.map(|bp| percent(bp, t.lang)).unwrap_or_default(),
        method: t.word("roi_method", &results.roi_method),
        statuses: results.statuses.into_iter().map(|s| (t.word("member_status", &s.status), s.count)).collect(),
    }
}

/// The steps after `status` a member of a campaign of `kind` may take.
fn member_moves(kind: &str, status: &str, t: Texts) -> Vec<Choice> {
    let position = MEMBER_STEPS.iter().position(|s| *s == status).unwrap_or(MEMBER_STEPS.len());
    MEMBER_STEPS
        .iter()
        .skip(position + 1)
        .filter(|s| **s != "gift_sent" || kind == "holiday_gift")
        .map(|s| Choice { value: s, label: t.word("member_status", s), selected: false })
        .collect()
}

fn member_row(member: Member, kind: &str, t: Texts) -> MemberRow {
    MemberRow {
        moves: member_moves(kind, &member.status, t),
        customer_id: member.customer_id,
        code: member.customer_code,
        name: member.customer_name,
        office: t.word("office", &member.office),
        status: t.word("member_status", &member.status),
        updated: format!("{} · {}", format::time(&member.updated_at, t.lang), member.updated_by),
    }
}

/// What the page shows besides the campaign: a refused step's reason, a segment's errors, or
/// what the last segment added.
#[derive(Default)]
struct Outcome {
    segment: SegmentForm,
    errors: FieldErrors,
    error: String,
    notice: String,
}

async fn show_page(ui: &UiState, session: &Session, id: i64, outcome: Outcome) -> Result<Response, PageError> {
    let t = session.texts();
    let base = format!("/api/v1/campaigns/{id}");
    let campaign: Campaign = ui.api.get(session.api_caller(), &base).await?;
    let members: ListOf<Member> = ui.api.get(session.api_caller(), &format!("{base}/members")).await?;
    let results: Results = ui.api.get(session.api_caller(), &format!("{base}/results?days={RESULT_DAYS}")).await?;
    let next_status = match campaign.status.as_str() {
        "planned" => Some("running"),
        "running" => Some("done"),
        _ => None,
    }
    .map(|s| Choice { value: s, label: t.word("campaign_move", s), selected: false });
    let offices: Vec<&'static str> =
        super::OFFICES.iter().copied().filter(|o| campaign.offices.iter().any(|c| c == o)).collect();
    let c = Chrome::new(session, "/campaigns", campaign.name.clone(), &format!("/campaigns/{id}"));
    Ok(html(&ShowPage {
        c,
        kind: kind_label(&campaign, t),
        offices: offices_label(&campaign.offices, t),
        dates: days_label(&campaign.starts_on, &campaign.ends_on, t.lang),
        cost: format::money(campaign.cost, t.lang),
        status: t.word("campaign_status", &campaign.status),
        next_status,
        groups: choices(t, "group", &GROUPS, &outcome.segment.group),
        segment_offices: choices(t, "office", &offices, &outcome.segment.office),
        members: members.items.into_iter().map(|m| member_row(m, &campaign.kind, t)).collect(),
        results: results_view(results, t),
        error: [outcome.error, outcome.errors.others(&SEGMENT_FIELDS)]
            .into_iter()
            .find(|e| !e.is_empty())
            .unwrap_or_default(),
        campaign,
        errors: outcome.errors,
        notice: outcome.notice,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    matched: Option<i64>,
    added: Option<i64>,
}

pub async fn show(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, PageError> {
    allowed(&session)?;
    let t = session.texts();
    let notice = match (query.matched, query.added) {
        (Some(matched), Some(added)) => {
            format!("{}: {matched} · {}: {added}", t.get("campaigns.matched"), t.get("campaigns.added"))
        }
        _ => String::new(),
    };
    show_page(&ui, &session, id, Outcome { notice, ..Outcome::default() }).await
}

/// The segment form as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SegmentForm {
    csrf: String,
    group: String,
    office: String,
}

pub async fn add_segment(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<SegmentForm>,
) -> Result<Response, PageError> {
    allowed(&session)?;
    check_csrf(&session, &form.csrf)?;
    let body = serde_json::json!({"group": form.group, "office": form.office});
    let path = format!("/api/v1/campaigns/{id}/members/from-segment");
    match ui.api.send(session.api_caller(), Method::POST, &path, &body, &[]).await {
        Ok(answer) => {
            let added: SegmentAdded = answer.json()?;
            let to = format!("/campaigns/{id}?matched={}&added={}", added.matched, added.added);
            Ok(Redirect::to(&to).into_response())
        }
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            show_page(&ui, &session, id, Outcome { segment: form, errors, ..Outcome::default() }).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StepForm {
    csrf: String,
    version: i64,
    status: String,
}

/// Sends one step of the page and comes back to it, or shows it again with the API's reason.
async fn step(
    ui: &UiState,
    session: &Session,
    id: i64,
    (method, path, body): (Method, String, serde_json::Value),
) -> Result<Response, PageError> {
    match ui.api.send(session.api_caller(), method, &path, &body, &[]).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
        Err(problem) => {
            let error = FieldErrors::from_problem(problem, session.texts())?.others(&[]);
            show_page(ui, session, id, Outcome { error, ..Outcome::default() }).await
        }
    }
}

pub async fn move_member(
    State(ui): State<UiState>,
    session: Session,
    Path((id, customer_id)): Path<(i64, i64)>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    allowed(&session)?;
    check_csrf(&session, &form.csrf)?;
    let path = format!("/api/v1/campaigns/{id}/members/{customer_id}/status");
    step(&ui, &session, id, (Method::POST, path, serde_json::json!({"status": form.status}))).await
}

/// Moves the campaign itself forward (planned → running → done), on the version the page read.
pub async fn move_campaign(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    allowed(&session)?;
    check_csrf(&session, &form.csrf)?;
    let body = serde_json::json!({"status": form.status, "version": form.version});
    step(&ui, &session, id, (Method::PATCH, format!("/api/v1/campaigns/{id}"), body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_move_only_forward_and_gifts_only_in_gift_campaigns() {
        let t = Texts::new(Lang::En);
        let values = |kind, status| member_moves(kind, status, t).iter().map(|c| c.value).collect::<Vec<_>>();
        assert_eq!(values("holiday_gift", "contacted"), ["gift_sent", "responded", "bought"]);
        assert_eq!(values("promotion", "planned"), ["contacted", "responded", "bought"]);
        assert!(values("event", "bought").is_empty());
    }

    #[test]
    fn roi_is_written_with_its_sign() {
        assert_eq!(percent(50_000, Lang::Vi), "500,00 %");
        assert_eq!(percent(-50, Lang::En), "-0.50%");
    }
}
