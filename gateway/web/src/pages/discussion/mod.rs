//! The discussion of a record, shown on the record's own page: its comments (oldest first) with
//! the form to add one, where `@username` notifies a colleague, and for customers and
//! opportunities the files kept with it. A host page makes one call, [`load`], and keeps one
//! field, a [`Talk`], that `discussion.html` and `record_files.html` read. The notifications page
//! and the header's badge are in `notifications`, uploads and downloads in `record_files`.

mod notifications;
mod record_files;

use atq_platform::caller::Action;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::PageError;
use crate::session::Session;
use crate::views::ListOf;
use crate::views::discussion::{Comment, RecordFile};

pub fn router() -> Router<UiState> {
    let upload = || DefaultBodyLimit::max(super::contracts::MAX_UPLOAD_BYTES);
    Router::new()
        .route("/customers/{id}/comments", post(|ui, s, id, f| comment(Subject::Customer, ui, s, id, f)))
        .route("/opportunities/{id}/comments", post(|ui, s, id, f| comment(Subject::Opportunity, ui, s, id, f)))
        .route("/contracts/{id}/comments", post(|ui, s, id, f| comment(Subject::Contract, ui, s, id, f)))
        .route("/orders/{id}/comments", post(|ui, s, id, f| comment(Subject::Order, ui, s, id, f)))
        .route("/customers/{id}/files", post(record_files::upload_to_customer).layer(upload()))
        .route("/opportunities/{id}/files", post(record_files::upload_to_opportunity).layer(upload()))
        .route("/customers/{id}/files/{file_id}", get(record_files::download_from_customer))
        .route("/opportunities/{id}/files/{file_id}", get(record_files::download_from_opportunity))
        .merge(notifications::router())
}

/// The record a discussion belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Customer(i64),
    Opportunity(i64),
    Contract(i64),
    Order(i64),
}

impl Subject {
    /// The subject of a notification, by the API's kind word.
    pub fn of(kind: &str, id: i64) -> Option<Subject> {
        match kind {
            "customer" => Some(Subject::Customer(id)),
            "opportunity" => Some(Subject::Opportunity(id)),
            "contract" => Some(Subject::Contract(id)),
            "order" => Some(Subject::Order(id)),
            _ => None,
        }
    }

    /// The collection both the API and the pages name it by, and its id.
    fn parts(self) -> (&'static str, i64) {
        match self {
            Subject::Customer(id) => ("customers", id),
            Subject::Opportunity(id) => ("opportunities", id),
            Subject::Contract(id) => ("contracts", id),
            Subject::Order(id) => ("orders", id),
        }
    }

    /// The record's page.
    pub fn page(self) -> String {
        let (collection, id) = self.parts();
        format!("/{collection}/{id}")
    }

    fn api(self, tail: &str) -> String {
        format!("/api/v1{}/{tail}", self.page())
    }

    /// Files are kept with customers and opportunities; contracts keep their signed copies.
    fn keeps_files(self) -> bool {
        matches!(self, Subject::Customer(_) | Subject::Opportunity(_))
    }
}

/// What was typed into a block's form and why it was refused, shown again on the host page.
#[derive(Default)]
pub struct Draft {
    pub body: String,
    pub comment_error: String,
    pub file_error: String,
}

pub struct CommentRow {
    pub author: String,
    pub when: String,
    pub body: String,
}

pub struct FileRow {
    pub href: String,
    pub file_name: String,
    pub content_type: String,
    pub size: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// Both blocks of a record's page.
#[derive(Default)]
pub struct Talk {
    /// Where the comment form posts.
    pub comment_action: String,
    /// Where the upload form posts; empty when the record keeps no files.
    pub files_action: String,
    pub comments: Vec<CommentRow>,
    pub files: Vec<FileRow>,
    pub draft: Draft,
    /// The idempotency key of the comment form.
    pub key: String,
    pub may_upload: bool,
}

/// Longer threads show their first comments; a record's discussion rarely reaches this.
const COMMENTS_SHOWN: usize = 200;

/// The comments and files of `subject`, with `draft` put back into the forms.
pub async fn load(ui: &UiState, session: &Session, subject: Subject, draft: Draft) -> Result<Talk, PageError> {
    let t = session.texts();
    let path = subject.api(&format!("comments?limit={COMMENTS_SHOWN}"));
    let comments: ListOf<Comment> = ui.api.get(session.api_caller(), &path).await?;
    let files: Vec<RecordFile> =
        if subject.keeps_files() { ui.api.get(session.api_caller(), &subject.api("files")).await? } else { Vec::new() };
    Ok(Talk {
        comment_action: format!("{}/comments", subject.page()),
        files_action: if subject.keeps_files() { format!("{}/files", subject.page()) } else { String::new() },
        comments: comments
            .items
            .into_iter()
            .map(|c| CommentRow { when: format::time(&c.created_at, t.lang), author: c.author, body: c.body })
            .collect(),
        files: files.into_iter().map(|f| file_row(subject, f, t)).collect(),
        draft,
        key: new_idempotency_key(),
        may_upload: session.caller.role.may(Action::WriteCustomers),
    })
}

fn file_row(subject: Subject, file: RecordFile, t: Texts) -> FileRow {
    FileRow {
        href: format!("{}/files/{}", subject.page(), file.id),
        size: format!("{} KB", format::number(file.size.saturating_add(1023) / 1024, t.lang)),
        uploaded_at: format::time(&file.uploaded_at, t.lang),
        file_name: file.file_name,
        content_type: file.content_type,
        uploaded_by: file.uploaded_by,
    }
}

/// The host page of `subject` again, with `draft` in its blocks.
async fn host_page(ui: &UiState, session: &Session, subject: Subject, draft: Draft) -> Result<Response, PageError> {
    match subject {
        Subject::Customer(id) => super::customers::show_with(ui, session, id, draft).await,
        Subject::Opportunity(id) => super::opportunities::show_page(ui, session, id, String::new(), draft).await,
        Subject::Contract(id) => super::contracts::show_page(ui, session, id, String::new(), draft).await,
        Subject::Order(id) => super::orders::show_page(ui, session, id, String::new(), draft).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CommentForm {
    csrf: String,
    idempotency_key: String,
    body: String,
}

async fn comment(
    subject: fn(i64) -> Subject,
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<CommentForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let subject = subject(id);
    let body = serde_json::json!({ "body": form.body });
    // A refused mention names the colleague, which the message table cannot hold: the API is
    // asked in the person's own language.
    let headers = [("idempotency-key", form.idempotency_key), ("accept-language", session.lang.code().to_owned())];
    let sent = ui.api.send(session.api_caller(), Method::POST, &subject.api("comments"), &body, &headers).await;
    match sent {
        Ok(_) => Ok(Redirect::to(&format!("{}#discussion", subject.page())).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            let draft = Draft { body: form.body, comment_error: errors.others(&[]), ..Draft::default() };
            host_page(&ui, &session, subject, draft).await
        }
    }
}
