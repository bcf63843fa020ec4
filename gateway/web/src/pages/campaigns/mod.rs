//! Care campaigns (holiday gifts, promotions, satisfaction calls, events): the list with each
//! campaign's status, the form to plan one with errors beside each field, and a campaign's page
//! ([`detail`]) with its members and results.

mod detail;
mod views;

use askama::Template;
use atq_platform::caller::Action;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;

use super::customers::{Choice, OFFICES, choices};
use super::documents;
use super::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::UiState;
use crate::api::ApiProblem;
use crate::format;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::ListOf;
use views::Campaign;

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/campaigns", get(list).post(create))
        .route("/campaigns/new", get(new_form))
        .route("/campaigns/{id}", get(detail::show).post(detail::move_campaign))
        .route("/campaigns/{id}/segment", post(detail::add_segment))
        .route("/campaigns/{id}/members/{customer_id}", post(detail::move_member))
}

const KINDS: [&str; 4] = ["holiday_gift", "promotion", "satisfaction_call", "event"];
const OCCASIONS: [&str; 5] = ["company_anniversary", "valentines_14_2", "women_8_3", "teachers_20_11", "tet"];
const STATUSES: [&str; 3] = ["planned", "running", "done"];
const FORM_FIELDS: [&str; 7] = ["name", "kind", "occasion", "offices", "starts_on", "ends_on", "cost"];

/// Campaigns are worked by those who care for customers; the API lets every role read them, the
/// pages are not in the others' work.
fn allowed(session: &Session) -> Result<(), PageError> {
    if session.caller.role.may(Action::WriteCustomers) {
        return Ok(());
    }
    Err(PageError::Api(ApiProblem { status: 403, detail: "error.forbidden".into(), ..ApiProblem::default() }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    status: String,
    cursor: String,
}

pub struct CampaignRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub offices: String,
    pub dates: String,
    pub cost: String,
    pub members: i64,
    pub status: String,
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct ListPage {
    c: Chrome,
    statuses: Vec<Choice>,
    rows: Vec<CampaignRow>,
    next_page: String,
}

/// A campaign's kind, with its occasion when it is a holiday gift.
fn kind_label(campaign: &Campaign, t: crate::i18n::Texts) -> String {
    let kind = t.word("campaign_kind", &campaign.kind);
    match campaign.occasion.as_str() {
        "" => kind,
        occasion => format!("{kind} — {}", t.word("campaign_occasion", occasion)),
    }
}

/// A first and last day as the language writes them.
fn days_label(first: &str, last: &str, lang: crate::i18n::Lang) -> String {
    format!("{} – {}", format::date(first, lang), format::date(last, lang))
}

fn offices_label(offices: &[String], t: crate::i18n::Texts) -> String {
    offices.iter().map(|o| t.word("office", o)).collect::<Vec<_>>().join(", ")
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    allowed(&session)?;
    let t = session.texts();
    let set: Vec<(&str, &str)> =
        [("status", query.status.as_str())].into_iter().filter(|(_, v)| !v.is_empty()).collect();
    let mut params = set.clone();
    params.push(("limit", "50"));
    if !query.cursor.is_empty() {
        params.push(("cursor", &query.cursor));
    }
    let api_path = format!("/api/v1/campaigns?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    let page: ListOf<Campaign> = ui.api.get(session.api_caller(), &api_path).await?;
    let next_page = documents::next_page_link("/campaigns", &set, &page.next_cursor);
    let rows = page
        .items
        .iter()
        .map(|campaign| CampaignRow {
            id: campaign.id,
            name: campaign.name.clone(),
            kind: kind_label(campaign, t),
            offices: offices_label(&campaign.offices, t),
            dates: days_label(&campaign.starts_on, &campaign.ends_on, t.lang),
            cost: format::money(campaign.cost, t.lang),
            members: campaign.member_count,
            status: t.word("campaign_status", &campaign.status),
        })
        .collect();
    let c = Chrome::new(&session, "/campaigns", t.get("campaigns.title").to_owned(), "/campaigns");
    let statuses = choices(t, "campaign_status", &STATUSES, &query.status);
    Ok(html(&ListPage { c, statuses, rows, next_page }))
}

/// The form as typed; `offices` are the boxes ticked.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CampaignForm {
    csrf: String,
    idempotency_key: String,
    name: String,
    kind: String,
    occasion: String,
    offices: Vec<String>,
    starts_on: String,
    ends_on: String,
    cost: String,
}

impl CampaignForm {
    /// The API's body; a cost that is not a number is sent as -1 so the API names the field.
    fn body(&self) -> serde_json::Value {
        let digits: String = self.cost.chars().filter(|c| !matches!(c, '.' | ',' | ' ' | '₫')).collect();
        let cost = if digits.is_empty() { 0 } else { digits.parse::<i64>().unwrap_or(-1) };
        serde_json::json!({
            "name": self.name.trim(), "kind": self.kind, "occasion": self.occasion,
            "offices": self.offices, "starts_on": self.starts_on.trim(), "ends_on": self.ends_on.trim(),
            "cost": cost,
        })
    }
}

/// An office box of the form, ticked or not.
pub struct OfficeBox {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "campaign_form.html")]
struct FormPage {
    c: Chrome,
    form: CampaignForm,
    errors: FieldErrors,
    other_errors: String,
    kinds: Vec<Choice>,
    occasions: Vec<Choice>,
    offices: Vec<OfficeBox>,
}

fn form_page(session: &Session, form: CampaignForm, errors: FieldErrors) -> Response {
    let t = session.texts();
    let c = Chrome::new(session, "/campaigns", t.get("campaigns.new").to_owned(), "/campaigns/new");
    let offices = OFFICES
        .iter()
        .map(|o| OfficeBox { value: o, label: t.word("office", o), checked: form.offices.iter().any(|f| f == o) })
        .collect();
    html(&FormPage {
        c,
        other_errors: errors.others(&FORM_FIELDS),
        kinds: choices(t, "campaign_kind", &KINDS, &form.kind),
        occasions: choices(t, "campaign_occasion", &OCCASIONS, &form.occasion),
        offices,
        form,
        errors,
    })
}

async fn new_form(session: Session) -> Result<Response, PageError> {
    allowed(&session)?;
    let office = session.caller.office.map(|o| o.code().to_owned());
    let form = CampaignForm {
        idempotency_key: new_idempotency_key(),
        kind: "holiday_gift".into(),
        offices: office.into_iter().collect(),
        ..CampaignForm::default()
    };
    Ok(form_page(&session, form, FieldErrors::default()))
}

async fn create(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<CampaignForm>,
) -> Result<Response, PageError> {
    allowed(&session)?;
    check_csrf(&session, &form.csrf)?;
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/campaigns", &form.body(), &headers).await {
        Ok(answer) => {
            let created: Campaign = answer.json()?;
            Ok(Redirect::to(&format!("/campaigns/{}", created.id)).into_response())
        }
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            // A corrected form is a new request: it gets a key of its own.
            let form = CampaignForm { idempotency_key: new_idempotency_key(), ..form };
            Ok(form_page(&session, form, errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cost_is_read_as_typed_and_a_wrong_one_is_left_to_the_api() {
        let form = |cost: &str| CampaignForm { cost: cost.into(), ..CampaignForm::default() };
        assert_eq!(form("5.000.000 ₫").body()["cost"], 5_000_000);
        assert_eq!(form("").body()["cost"], 0);
        assert_eq!(form("năm triệu").body()["cost"], -1);
    }
}
