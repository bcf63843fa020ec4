//! The calendar: a week of activities day by day (personal, team or department tab), public
//! holidays marked, the previous and next week; and the panel of the private subscription
//! address a phone or Outlook subscribes to, with rotate and revoke.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{Datelike, Days, NaiveDate};
use serde::Deserialize;

use super::{ActivityLine, local_time, today};
use crate::UiState;
use crate::format;
use crate::i18n::Lang;
use crate::page::{Chrome, PageError, html};
use crate::pages::forms::check_csrf;
use crate::session::Session;
use crate::views::{CalendarView, MyCalendar};

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/calendar", get(week))
        .route("/calendar/rotate", post(rotate))
        .route("/calendar/revoke", post(revoke))
}

const SCOPES: [&str; 3] = ["personal", "team", "department"];

#[derive(Deserialize, Default)]
#[serde(default)]
struct WeekQuery {
    scope: String,
    week: String,
}

pub struct Tab {
    pub href: String,
    pub label: String,
    pub current: bool,
}

pub struct CalendarDay {
    pub title: String,
    pub today: bool,
    pub holiday: String,
    pub items: Vec<ActivityLine>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct WeekPage {
    c: Chrome,
    tabs: Vec<Tab>,
    week_title: String,
    previous_week: String,
    next_week: String,
    days: Vec<CalendarDay>,
    feed_url: String,
    feed_since: String,
}

fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

fn week_link(scope: &str, monday: NaiveDate) -> String {
    format!("/calendar?scope={scope}&week={monday}")
}

/// The subscription address as the browser reached this site (the API answers with its own).
fn address_for_browser(api_url: &str, headers: &HeaderMap) -> String {
    let Some(path) = api_url.find("/api/").map(|i| &api_url[i..]) else { return api_url.to_owned() };
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).filter(|v| !v.is_empty());
    let host = text("x-forwarded-host").or_else(|| text(header::HOST.as_str())).unwrap_or("localhost");
    let scheme = text("x-forwarded-proto").unwrap_or("http");
    format!("{scheme}://{host}{path}")
}

async fn week(
    State(ui): State<UiState>,
    session: Session,
    headers: HeaderMap,
    Query(query): Query<WeekQuery>,
) -> Result<Response, PageError> {
    let mine: MyCalendar = ui.api.get(session.api_caller(), "/api/v1/me/calendar").await?;
    week_page(&ui, &session, &headers, &query, mine).await
}

/// The week asked for, with the subscription panel showing `feed` (its address only when just issued).
async fn week_page(
    ui: &UiState,
    session: &Session,
    headers: &HeaderMap,
    query: &WeekQuery,
    feed: MyCalendar,
) -> Result<Response, PageError> {
    let t = session.texts();
    let scope = if SCOPES.contains(&query.scope.as_str()) { query.scope.as_str() } else { "personal" };
    let monday = monday_of(NaiveDate::parse_from_str(&query.week, "%Y-%m-%d").unwrap_or_else(|_| today()));
    let sunday = monday + Days::new(6);
    let path = format!("/api/v1/calendar?scope={scope}&from={monday}&to={sunday}");
    let view: CalendarView = ui.api.get(session.api_caller(), &path).await?;
    let mut days: Vec<CalendarDay> = (0..7)
        .map(|offset| {
            let date = monday + Days::new(offset);
            let holiday = view.holidays.iter().find(|h| h.date == date.to_string());
            CalendarDay {
                title: format!("{} {}", t.get(WEEKDAYS[offset as usize]), format::date(&date.to_string(), t.lang)),
                today: date == today(),
                holiday: holiday
                    .map(|h| if t.lang == Lang::Vi { h.name_vi.clone() } else { h.name_en.clone() })
                    .unwrap_or_default(),
                items: Vec::new(),
            }
        })
        .collect();
    for activity in view.activities {
        let offset = local_time(&activity.planned_at).map(|l| (l.date_naive() - monday).num_days()).unwrap_or(-1);
        if let Some(day) = usize::try_from(offset).ok().and_then(|i| days.get_mut(i)) {
            day.items.push(ActivityLine::of(activity, t));
        }
    }
    let tabs = SCOPES
        .iter()
        .map(|s| Tab { href: week_link(s, monday), label: t.word("calendar_scope", s), current: *s == scope })
        .collect();
    let c = Chrome::new(session, "/calendar", t.get("activities.calendar").to_owned(), "/calendar");
    Ok(html(&WeekPage {
        c,
        tabs,
        week_title: format!(
            "{} – {}",
            format::date(&monday.to_string(), t.lang),
            format::date(&sunday.to_string(), t.lang)
        ),
        previous_week: week_link(scope, monday - Days::new(7)),
        next_week: week_link(scope, monday + Days::new(7)),
        days,
        feed_url: feed.url.as_deref().map(|url| address_for_browser(url, headers)).unwrap_or_default(),
        feed_since: format::time(&feed.created_at, t.lang),
    }))
}

const WEEKDAYS: [&str; 7] = [
    "activities.monday",
    "activities.tuesday",
    "activities.wednesday",
    "activities.thursday",
    "activities.friday",
    "activities.saturday",
    "activities.sunday",
];

#[derive(Deserialize, Default)]
#[serde(default)]
struct FeedForm {
    csrf: String,
}

/// A new address, shown once, on the calendar's current week.
async fn rotate(
    State(ui): State<UiState>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<FeedForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let answer = ui
        .api
        .send(session.api_caller(), Method::POST, "/api/v1/me/calendar/rotate", &serde_json::json!({}), &[])
        .await?;
    week_page(&ui, &session, &headers, &WeekQuery::default(), answer.json()?).await
}

async fn revoke(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<FeedForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    ui.api.send(session.api_caller(), Method::DELETE, "/api/v1/me/calendar", &serde_json::json!({}), &[]).await?;
    // The calendar page issues a fresh address when the person next opens it.
    Ok(Redirect::to("/activities").into_response())
}
