//! The person's notifications: the page (unread first, each with a link to its record), marking
//! one or all read, and the header's badge, which the layout fetches with htmx after the page has
//! loaded so that no page waits for the count.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::Subject;
use crate::UiState;
use crate::format;
use crate::page::{Chrome, PageError, html};
use crate::pages::forms::check_csrf;
use crate::session::Session;
use crate::views::discussion::Notifications;

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/badge", get(badge))
        .route("/notifications/read-all", post(mark_all_read))
        .route("/notifications/{id}/read", post(mark_read))
}

/// A notification as listed.
pub struct NotificationRow {
    pub id: i64,
    pub record: String,
    pub href: String,
    pub author: String,
    pub excerpt: String,
    pub when: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<NotificationRow>,
    unread_count: i64,
    next_page: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    cursor: String,
}

const PER_PAGE: &str = "100";

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let mut params = vec![("limit", PER_PAGE)];
    if !query.cursor.is_empty() {
        params.push(("cursor", &query.cursor));
    }
    let path = format!("/api/v1/me/notifications?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    let page: Notifications = ui.api.get(session.api_caller(), &path).await?;
    let mut rows: Vec<NotificationRow> = page
        .items
        .into_iter()
        .map(|n| NotificationRow {
            id: n.id,
            record: t.word("subject_kind", &n.subject_kind),
            href: Subject::of(&n.subject_kind, n.subject_id)
                .map(|s| format!("{}#discussion", s.page()))
                .unwrap_or_default(),
            author: n.author,
            excerpt: n.excerpt,
            when: format::time(&n.created_at, t.lang),
            unread: n.read_at.is_none(),
        })
        .collect();
    // Newest first as the API gives them, the unread ones above the rest.
    rows.sort_by_key(|row| !row.unread);
    let next_page = page
        .next_cursor
        .map(|cursor| {
            format!("/notifications?{}", serde_urlencoded::to_string([("cursor", cursor)]).unwrap_or_default())
        })
        .unwrap_or_default();
    let c = Chrome::new(&session, "/notifications", t.get("notifications.title").to_owned(), "/notifications");
    Ok(html(&ListPage { c, rows, unread_count: page.unread_count, next_page }))
}

/// The unread count for the header: a small fragment, empty when nothing is unread (and when
/// the count cannot be read, so the header never shows an error).
async fn badge(State(ui): State<UiState>, session: Session) -> Response {
    let path = "/api/v1/me/notifications?unread=true&limit=1";
    let count = match ui.api.get::<Notifications>(session.api_caller(), path).await {
        Ok(page) => page.unread_count,
        Err(_) => 0,
    };
    let label = session.texts().get("notifications.unread");
    let fragment = if count > 0 {
        format!("<span class=\"badge danger\" id=\"unread-count\" title=\"{label}\">{count}</span>")
    } else {
        String::new()
    };
    Html(fragment).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MarkForm {
    csrf: String,
}

async fn mark_read(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<MarkForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let path = format!("/api/v1/me/notifications/{id}/read");
    ui.api.send(session.api_caller(), Method::POST, &path, &serde_json::json!({}), &[]).await?;
    Ok(Redirect::to("/notifications").into_response())
}

async fn mark_all_read(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<MarkForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let path = "/api/v1/me/notifications/read-all";
    ui.api.send(session.api_caller(), Method::POST, path, &serde_json::json!({}), &[]).await?;
    Ok(Redirect::to("/notifications").into_response())
}
