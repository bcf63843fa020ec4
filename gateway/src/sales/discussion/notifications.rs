//! `/api/v1/me/notifications`: what the signed-in person was mentioned in, newest first.

use atq_proto::sales::v1 as pb;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{page, rfc3339};

use super::collection_of;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_notifications)).routes(routes!(mark_read)).routes(routes!(mark_all_read))
}

#[derive(Serialize, ToSchema)]
pub struct NotificationBody {
    pub id: i64,
    /// mention
    pub kind: String,
    /// customer, opportunity, contract, order
    pub subject_kind: String,
    pub subject_id: i64,
    pub comment_id: i64,
    /// Who wrote the comment
    pub author: String,
    /// The comment's beginning, on one line
    pub excerpt: String,
    /// The record's comments
    pub href: String,
    pub created_at: String,
    /// Absent while unread
    pub read_at: Option<String>,
}

impl From<pb::Notification> for NotificationBody {
    fn from(n: pb::Notification) -> Self {
        NotificationBody {
            href: format!("/api/v1/{}/{}/comments", collection_of(&n.subject_kind), n.subject_id),
            id: n.id,
            kind: n.kind,
            subject_kind: n.subject_kind,
            subject_id: n.subject_id,
            comment_id: n.comment_id,
            author: n.author,
            excerpt: n.excerpt,
            created_at: rfc3339(n.created_at.as_ref()),
            read_at: n.read_at.as_ref().map(|at| rfc3339(Some(at))),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NotificationsBody {
    pub items: Vec<NotificationBody>,
    pub next_cursor: Option<String>,
    /// All of the person's unread notifications, whatever the page shows
    pub unread_count: i64,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct NotificationQuery {
    /// true: only the unread ones
    pub unread: Option<bool>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// The caller's notifications, newest first, with the count of unread ones.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "me", params(NotificationQuery),
    responses((status = 200, body = NotificationsBody), BadRequest))]
pub async fn list_notifications(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<NotificationQuery>,
) -> Result<axum::Json<NotificationsBody>, Problem> {
    let message = pb::ListNotificationsRequest {
        unread_only: query.unread.unwrap_or(false),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let page = ctx.call(&state.discussion, message, |mut c, r| async move { c.list_notifications(r).await }).await?;
    Ok(axum::Json(NotificationsBody {
        items: page.items.into_iter().map(NotificationBody::from).collect(),
        next_cursor: (!page.next_cursor.is_empty()).then_some(page.next_cursor),
        unread_count: page.unread_count,
    }))
}

/// Mark one of the caller's notifications read (again is harmless).
#[utoipa::path(post, path = "/api/v1/me/notifications/{id}/read", tag = "me", params(("id" = i64, Path)),
    responses((status = 200, body = NotificationBody), NotFound))]
pub async fn mark_read(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<NotificationBody>, Problem> {
    let ctx = CallContext::read(&state, &caller);
    let message = pb::MarkNotificationReadRequest { id };
    let read =
        ctx.call(&state.discussion, message, |mut c, r| async move { c.mark_notification_read(r).await }).await?;
    Ok(axum::Json(NotificationBody::from(read)))
}

#[derive(Serialize, ToSchema)]
pub struct MarkedBody {
    /// How many were unread
    pub marked: i64,
}

/// Mark every notification of the caller read.
#[utoipa::path(post, path = "/api/v1/me/notifications/read-all", tag = "me", responses((status = 200, body = MarkedBody)))]
pub async fn mark_all_read(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> Result<axum::Json<MarkedBody>, Problem> {
    let ctx = CallContext::read(&state, &caller);
    let message = pb::MarkAllNotificationsReadRequest {};
    let marked =
        ctx.call(&state.discussion, message, |mut c, r| async move { c.mark_all_notifications_read(r).await }).await?;
    Ok(axum::Json(MarkedBody { marked: marked.marked }))
}
