//! A promotion programme's page: whom and what it covers, its rule, the next step of its status
//! for those who manage it, and its report by office from the first of the month to today.

use askama::Template;
use atq_platform::caller::Action;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use chrono::Datelike;
use serde::Deserialize;

use super::super::customers::Choice;
use super::super::forms::check_csrf;
use super::{Promotion, allowed, rule_label, words};
use crate::UiState;
use crate::format;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Report {
    from: String,
    to: String,
    rows: Vec<ReportRow>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReportRow {
    office: String,
    orders: i64,
    revenue: i64,
    discount: i64,
    gift_value: i64,
}

pub struct ReportLine {
    pub office: String,
    pub orders: i64,
    pub revenue: String,
    pub discount: String,
    pub gift_value: String,
}

#[derive(Template)]
#[template(path = "promotion.html")]
struct ShowPage {
    c: Chrome,
    promotion: Promotion,
    dates: String,
    offices: String,
    customers: String,
    products: String,
    rule: String,
    status: String,
    stackable: String,
    next_status: Option<Choice>,
    window: String,
    report: Vec<ReportLine>,
}

pub async fn show(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    allowed(&session)?;
    let t = session.texts();
    let promotion: Promotion = ui.api.get(session.api_caller(), &format!("/api/v1/promotions/{id}")).await?;
    let today = atq_platform::business_time::local_date(atq_platform::business_time::now_micros());
    let first = today.with_day(1).unwrap_or(today);
    let report: Report =
        ui.api.get(session.api_caller(), &format!("/api/v1/promotions/{id}/report?from={first}&to={today}")).await?;
    let all = t.get("promotions.all");
    let mut customers = [words("group", &promotion.customer_groups, t, ""), words("tier", &promotion.tiers, t, "")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    if customers.is_empty() {
        customers = all.to_owned();
    }
    let ids: Vec<String> = promotion.product_ids.iter().map(|id| format!("#{id}")).collect();
    let mut products = [ids.join(", "), promotion.categories.join(", ")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    if products.is_empty() {
        products = all.to_owned();
    }
    let may_manage = session.caller.role.may(Action::ManageSalesTeam);
    let next_status = match promotion.status.as_str() {
        "draft" if may_manage => Some("activate"),
        "active" if may_manage => Some("end"),
        _ => None,
    }
    .map(|s| Choice { value: s, label: t.word("promotion_move", s), selected: false });
    let money = |v: i64| format::money(v, t.lang);
    let c = Chrome::new(&session, "/promotions", promotion.name.clone(), &format!("/promotions/{id}"));
    Ok(html(&ShowPage {
        c,
        dates: format!("{} – {}", format::date(&promotion.starts_on, t.lang), format::date(&promotion.ends_on, t.lang)),
        offices: words("office", &promotion.offices, t, all),
        customers,
        products,
        rule: rule_label(&promotion.rule, t),
        status: t.word("promotion_status", &promotion.status),
        stackable: t
            .get(if promotion.stackable { "promotions.stackable_yes" } else { "promotions.stackable_no" })
            .to_owned(),
        next_status,
        window: format!("{} – {}", format::date(&report.from, t.lang), format::date(&report.to, t.lang)),
        report: report
            .rows
            .into_iter()
            .map(|r| ReportLine {
                office: t.word("office", &r.office),
                orders: r.orders,
                revenue: money(r.revenue),
                discount: money(r.discount),
                gift_value: money(r.gift_value),
            })
            .collect(),
        promotion,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    csrf: String,
    step: String,
    version: i64,
}

/// Activates or ends the programme at the version shown; a refusal is shown as the error page.
pub async fn move_promotion(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<MoveForm>,
) -> Result<Response, PageError> {
    allowed(&session)?;
    check_csrf(&session, &form.csrf)?;
    let step = if form.step == "end" { "end" } else { "activate" };
    let path = format!("/api/v1/promotions/{id}/{step}");
    let headers = [("if-match", format!("\"{}\"", form.version))];
    ui.api.send(session.api_caller(), Method::POST, &path, &serde_json::json!({}), &headers).await?;
    Ok(Redirect::to(&format!("/promotions/{id}")).into_response())
}
