//! Promotion programmes: the list with each programme's period and status, the form to draft one
//! with errors beside each field, and a programme's page ([`detail`]) with its report and the
//! steps of its status. Sales staff read them; sales managers and directors manage them.

mod detail;

use askama::Template;
use atq_platform::caller::Action;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;

use super::customers::{Choice, GROUPS, OFFICES, choices};
use super::documents;
use super::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::UiState;
use crate::api::ApiProblem;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::ListOf;

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/promotions", get(list).post(create))
        .route("/promotions/new", get(new_form))
        .route("/promotions/{id}", get(detail::show))
        .route("/promotions/{id}/move", post(detail::move_promotion))
}

const STATUSES: [&str; 3] = ["draft", "active", "ended"];
const KINDS: [&str; 5] = ["percent_off", "amount_off", "buy_x_get_y", "gift", "order_threshold"];
const TIERS: [&str; 3] = ["distributor", "tier1", "tier2"];
const FORM_FIELDS: [&str; 16] = [
    "code",
    "name",
    "starts_on",
    "ends_on",
    "offices",
    "customer_groups",
    "tiers",
    "product_ids",
    "categories",
    "rule.kind",
    "rule.percent",
    "rule.amount",
    "rule.buy_quantity",
    "rule.free_quantity",
    "rule.free_product_id",
    "rule.min_order_net",
];

/// Those who sell read programmes; the others have no work with them.
fn allowed(session: &Session) -> Result<(), PageError> {
    if session.caller.role.may(Action::ReadOrders) && session.caller.role.may(Action::WriteOrders) {
        return Ok(());
    }
    Err(PageError::Api(ApiProblem { status: 403, detail: "error.forbidden".into(), ..ApiProblem::default() }))
}

/// The answer of `/api/v1/promotions` as the pages read it.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Promotion {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub offices: Vec<String>,
    pub customer_groups: Vec<String>,
    pub tiers: Vec<String>,
    pub product_ids: Vec<i64>,
    pub categories: Vec<String>,
    pub rule: Rule,
    pub stackable: bool,
    pub status: String,
    pub note: String,
    pub created_by: String,
    pub version: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Rule {
    pub kind: String,
    pub percent: String,
    pub amount: i64,
    pub buy_quantity: i64,
    pub free_quantity: i64,
    pub free_product_id: i64,
    pub min_order_net: i64,
}

/// The rule in a few words: "percent off 0.05", "buy 3 get 1".
pub fn rule_label(rule: &Rule, t: Texts) -> String {
    let kind = t.word("promotion_kind", &rule.kind);
    let money = |v: i64| format::money(v, t.lang);
    match rule.kind.as_str() {
        "percent_off" => format!("{kind}: {}", rule.percent),
        "amount_off" => format!("{kind}: {}", money(rule.amount)),
        "buy_x_get_y" => format!("{kind}: {} + {}", rule.buy_quantity, rule.free_quantity),
        "gift" => format!("{kind}: {} × #{}", rule.free_quantity, rule.free_product_id),
        _ if rule.amount > 0 => format!("{kind}: ≥ {} → {}", money(rule.min_order_net), money(rule.amount)),
        _ => format!("{kind}: ≥ {} → {}", money(rule.min_order_net), rule.percent),
    }
}

fn words(kind: &str, values: &[String], t: Texts, all: &str) -> String {
    if values.is_empty() {
        return all.to_owned();
    }
    values.iter().map(|v| t.word(kind, v)).collect::<Vec<_>>().join(", ")
}

pub struct PromotionRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub dates: String,
    pub offices: String,
    pub rule: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "promotions.html")]
struct ListPage {
    c: Chrome,
    statuses: Vec<Choice>,
    rows: Vec<PromotionRow>,
    next_page: String,
    may_manage: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    status: String,
    cursor: String,
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
    let api_path = format!("/api/v1/promotions?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    let page: ListOf<Promotion> = ui.api.get(session.api_caller(), &api_path).await?;
    let next_page = documents::next_page_link("/promotions", &set, &page.next_cursor);
    let all = t.get("promotions.all");
    let rows = page
        .items
        .iter()
        .map(|p| PromotionRow {
            id: p.id,
            code: p.code.clone(),
            name: p.name.clone(),
            dates: format!("{} – {}", format::date(&p.starts_on, t.lang), format::date(&p.ends_on, t.lang)),
            offices: words("office", &p.offices, t, all),
            rule: rule_label(&p.rule, t),
            status: t.word("promotion_status", &p.status),
        })
        .collect();
    let c = Chrome::new(&session, "/promotions", t.get("promotions.title").to_owned(), "/promotions");
    let statuses = choices(t, "promotion_status", &STATUSES, &query.status);
    let may_manage = session.caller.role.may(Action::ManageSalesTeam);
    Ok(html(&ListPage { c, statuses, rows, next_page, may_manage }))
}

/// The form as typed; the boxes are those ticked, lists of ids and words are comma separated.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PromotionForm {
    csrf: String,
    idempotency_key: String,
    code: String,
    name: String,
    starts_on: String,
    ends_on: String,
    offices: Vec<String>,
    customer_groups: Vec<String>,
    tiers: Vec<String>,
    product_ids: String,
    categories: String,
    kind: String,
    percent: String,
    amount: String,
    buy_quantity: String,
    free_quantity: String,
    free_product_id: String,
    min_order_net: String,
    stackable: Option<String>,
    note: String,
}

/// A number as typed, dots and spaces of thousands aside; -1 when it is none, so the API names it.
fn number(text: &str) -> i64 {
    let digits: String = text.chars().filter(|c| !matches!(c, '.' | ',' | ' ' | '₫')).collect();
    if digits.is_empty() { 0 } else { digits.parse().unwrap_or(-1) }
}

impl PromotionForm {
    fn body(&self) -> serde_json::Value {
        let list = |text: &str| {
            text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect::<Vec<_>>()
        };
        let ids: Vec<i64> = list(&self.product_ids).iter().map(|id| id.parse().unwrap_or(-1)).collect();
        serde_json::json!({
            "code": self.code.trim(), "name": self.name.trim(), "starts_on": self.starts_on.trim(),
            "ends_on": self.ends_on.trim(), "offices": self.offices, "customer_groups": self.customer_groups,
            "tiers": self.tiers, "product_ids": ids, "categories": list(&self.categories),
            "rule": {"kind": self.kind, "percent": self.percent.trim().replace(',', "."), "amount": number(&self.amount),
                "buy_quantity": number(&self.buy_quantity), "free_quantity": number(&self.free_quantity),
                "free_product_id": number(&self.free_product_id), "min_order_net": number(&self.min_order_net)},
            "stackable": self.stackable.is_some(), "note": self.note.trim(),
        })
    }
}

/// A box of the form, ticked or not.
pub struct Tick {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

fn ticks(t: Texts, kind: &str, values: &[&'static str], ticked: &[String]) -> Vec<Tick> {
    values.iter().map(|v| Tick { value: v, label: t.word(kind, v), checked: ticked.iter().any(|x| x == v) }).collect()
}

#[derive(Template)]
#[template(path = "promotion_form.html")]
struct FormPage {
    c: Chrome,
    form: PromotionForm,
    errors: FieldErrors,
    other_errors: String,
    kinds: Vec<Choice>,
    offices: Vec<Tick>,
    groups: Vec<Tick>,
    tiers: Vec<Tick>,
}

fn form_page(session: &Session, form: PromotionForm, errors: FieldErrors) -> Response {
    let t = session.texts();
    let c = Chrome::new(session, "/promotions", t.get("promotions.new").to_owned(), "/promotions/new");
    html(&FormPage {
        c,
        other_errors: errors.others(&FORM_FIELDS),
        kinds: choices(t, "promotion_kind", &KINDS, &form.kind),
        offices: ticks(t, "office", &OFFICES, &form.offices),
        groups: ticks(t, "group", &GROUPS, &form.customer_groups),
        tiers: ticks(t, "tier", &TIERS, &form.tiers),
        form,
        errors,
    })
}

async fn new_form(session: Session) -> Result<Response, PageError> {
    allowed(&session)?;
    let office = session.caller.office.filter(|_| session.caller.role.is_office_scoped());
    let form = PromotionForm {
        idempotency_key: new_idempotency_key(),
        kind: "percent_off".into(),
        offices: office.map(|o| o.code().to_owned()).into_iter().collect(),
        stackable: Some("on".into()),
        ..PromotionForm::default()
    };
    Ok(form_page(&session, form, FieldErrors::default()))
}

async fn create(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<PromotionForm>,
) -> Result<Response, PageError> {
    allowed(&session)?;
    check_csrf(&session, &form.csrf)?;
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/promotions", &form.body(), &headers).await {
        Ok(answer) => {
            let created: Promotion = answer.json()?;
            Ok(Redirect::to(&format!("/promotions/{}", created.id)).into_response())
        }
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            let form = PromotionForm { idempotency_key: new_idempotency_key(), ..form };
            Ok(form_page(&session, form, errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_numbers_and_lists_as_typed() {
        let form = PromotionForm {
            amount: "1.000.000".into(),
            product_ids: "12, 40,".into(),
            percent: "0,05".into(),
            free_quantity: "một".into(),
            ..PromotionForm::default()
        };
        let body = form.body();
        assert_eq!(body["rule"]["amount"], 1_000_000);
        assert_eq!(body["rule"]["percent"], "0.05");
        assert_eq!(body["rule"]["free_quantity"], -1);
        assert_eq!(body["product_ids"], serde_json::json!([12, 40]));
        assert_eq!(body["stackable"], false);
    }
}
