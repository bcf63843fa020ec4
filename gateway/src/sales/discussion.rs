//! Discussion on sales records: `/api/v1/{customers|opportunities|contracts|orders}/{id}/comments`
//! (oldest first, never edited), the caller's notifications under `/api/v1/me/notifications`, and
//! files kept with customers and opportunities.

mod mentions;
mod notifications;
mod record_files;

use atq_proto::sales::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, page, rfc3339};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(customer_comments, add_customer_comment))
        .routes(routes!(opportunity_comments, add_opportunity_comment))
        .routes(routes!(contract_comments, add_contract_comment))
        .routes(routes!(order_comments, add_order_comment))
        .merge(notifications::router())
        .merge(record_files::router())
}

/// The REST collection of a subject kind (`customer` → `customers`).
pub fn collection_of(kind: &str) -> &'static str {
    match kind {
        "customer" => "customers",
        "opportunity" => "opportunities",
        "contract" => "contracts",
        "dealer_application" => "dealer-applications",
        _ => "orders",
    }
}

#[derive(Serialize, ToSchema)]
pub struct CommentBody {
    pub id: i64,
    /// customer, opportunity, contract, order
    pub subject_kind: String,
    pub subject_id: i64,
    pub author: String,
    pub body: String,
    /// Usernames of the colleagues it mentions
    pub mentions: Vec<String>,
    pub created_at: String,
}

impl From<pb::Comment> for CommentBody {
    fn from(c: pb::Comment) -> Self {
        CommentBody {
            id: c.id,
            subject_kind: c.subject_kind,
            subject_id: c.subject_id,
            author: c.author,
            body: c.body,
            mentions: c.mentions,
            created_at: rfc3339(c.created_at.as_ref()),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct NewCommentBody {
    /// At most 4,000 characters; `@username` mentions a colleague, who is notified
    #[schema(required = true, max_length = 4000, min_length = 1)]
    pub body: String,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct CommentQuery {
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

async fn list(
    state: &AppState,
    caller: &atq_platform::Caller,
    kind: &str,
    id: i64,
    query: CommentQuery,
) -> Result<axum::Json<ListBody<CommentBody>>, Problem> {
    let message = pb::ListCommentsRequest {
        subject_kind: kind.to_owned(),
        subject_id: id,
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(state, caller);
    let page = ctx.call(&state.discussion, message, |mut c, r| async move { c.list_comments(r).await }).await?;
    Ok(axum::Json(ListBody::new(page.items.into_iter().map(CommentBody::from).collect(), page.next_cursor)))
}

async fn add(
    state: &AppState,
    caller: &atq_platform::Caller,
    headers: &HeaderMap,
    (kind, id): (&str, i64),
    body: NewCommentBody,
) -> Result<Response, Problem> {
    let mentions = mentions::resolve(state, headers, &body.body).await?;
    let message = pb::AddCommentRequest { subject_kind: kind.to_owned(), subject_id: id, body: body.body, mentions };
    let ctx = CallContext::write(state, caller, headers)?;
    let comment = ctx
        .call(&state.discussion, message, |mut c, r| async move { c.add_comment(r).await })
        .await
        .map_err(|problem| mentions::refusal_in_callers_language(headers, problem))?;
    Ok((StatusCode::CREATED, axum::Json(CommentBody::from(comment))).into_response())
}

/// One pair of routes per kind of record, so the OpenAPI document names each path.
macro_rules! comment_routes {
    ($kind:literal, $path:tt, $tag:literal, $list:ident, $add:ident) => {
        /// The record's comments, oldest first.
        #[utoipa::path(get, path = $path, tag = $tag, params(("id" = i64, Path), CommentQuery),
            responses((status = 200, body = ListBody<CommentBody>), BadRequest, NotFound))]
        pub async fn $list(
            State(state): State<AppState>,
            AuthUser(caller): AuthUser,
            Path(id): Path<i64>,
            Query(query): Query<CommentQuery>,
        ) -> Result<axum::Json<ListBody<CommentBody>>, Problem> {
            list(&state, &caller, $kind, id, query).await
        }

        /// Add a comment; each `@username` in it must be an active colleague who can see the
        /// record, and is notified.
        #[utoipa::path(post, path = $path, tag = $tag, request_body = NewCommentBody,
            params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
            responses((status = 201, body = CommentBody), BadRequest, NotFound))]
        pub async fn $add(
            State(state): State<AppState>,
            AuthUser(caller): AuthUser,
            Path(id): Path<i64>,
            headers: HeaderMap,
            JsonBody(body): JsonBody<NewCommentBody>,
        ) -> Result<Response, Problem> {
            add(&state, &caller, &headers, ($kind, id), body).await
        }
    };
}

comment_routes!("customer", "/api/v1/customers/{id}/comments", "customers", customer_comments, add_customer_comment);
comment_routes!(
    "opportunity",
    "/api/v1/opportunities/{id}/comments",
    "opportunities",
    opportunity_comments,
    add_opportunity_comment
);
comment_routes!("contract", "/api/v1/contracts/{id}/comments", "contracts", contract_comments, add_contract_comment);
comment_routes!("order", "/api/v1/orders/{id}/comments", "orders", order_comments, add_order_comment);
