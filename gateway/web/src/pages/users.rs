//! The administrator's screens for staff accounts: the list, adding someone (the temporary
//! password is shown once), changing role, office and details, resetting the password,
//! deactivating, and each account's change record.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::customers::{Choice, OFFICES, choices};
use super::documents;
use super::forms::{FieldErrors, check_csrf};
use crate::UiState;
use crate::format;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::ListOf;

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/new", get(new_form))
        .route("/users/{id}", get(show).post(update))
        .route("/users/{id}/reset-password", post(reset_password))
}

const ROLES: [&str; 7] =
    ["sales_rep", "sales_manager", "import_officer", "accountant", "warehouse_keeper", "director", "admin"];

#[derive(Deserialize, Clone, Default)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub office: String,
    pub email: String,
    pub phone: String,
    pub active: bool,
    pub must_change_password: bool,
    pub version: i64,
    #[serde(default)]
    pub temporary_password: Option<String>,
}

#[derive(Deserialize)]
pub struct UserChange {
    pub changed_by: String,
    pub changed_at: String,
    pub action: String,
    pub detail: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    q: String,
    cursor: String,
}

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub role: String,
    pub office: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct ListPage {
    c: Chrome,
    q: String,
    rows: Vec<UserRow>,
    next_page: String,
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let mut params = vec![("q", query.q.as_str()), ("limit", "100")];
    if !query.cursor.is_empty() {
        params.push(("cursor", &query.cursor));
    }
    let path = format!("/api/v1/users?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    let page: ListOf<UserView> = ui.api.get(session.api_caller(), &path).await?;
    let next_page = documents::next_page_link("/users", &[("q", query.q.as_str())], &page.next_cursor);
    let rows = page
        .items
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            username: u.username,
            name: u.display_name,
            role: t.word("role", &u.role),
            office: if u.office.is_empty() { String::new() } else { t.word("office", &u.office) },
            active: u.active,
        })
        .collect();
    let c = Chrome::new(&session, "/users", t.get("users.title").to_owned(), "/users");
    Ok(html(&ListPage { c, q: query.q, rows, next_page }))
}

/// The account form, as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct UserForm {
    csrf: String,
    version: i64,
    username: String,
    display_name: String,
    role: String,
    office: String,
    email: String,
    phone: String,
    /// "true" or "false" on the edit form.
    active: String,
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    c: Chrome,
    id: i64,
    form: UserForm,
    roles: Vec<Choice>,
    offices: Vec<Choice>,
    errors: FieldErrors,
    other_errors: String,
    temporary_password: String,
    must_change_password: bool,
    history: Vec<(String, String, String, String)>,
    /// Name, label key, input type and value of the plain text fields.
    text_fields: Vec<(&'static str, &'static str, &'static str, String)>,
}

const FORM_FIELDS: [&str; 7] = ["username", "display_name", "role", "office", "email", "phone", "active"];

struct Shown {
    id: i64,
    temporary_password: String,
    must_change_password: bool,
    history: Vec<(String, String, String, String)>,
}

fn user_page(session: &Session, form: UserForm, errors: FieldErrors, shown: Shown) -> Response {
    let t = session.texts();
    let title = if shown.id == 0 { t.get("users.new").to_owned() } else { form.display_name.clone() };
    let here = if shown.id == 0 { "/users/new".to_owned() } else { format!("/users/{}", shown.id) };
    let c = Chrome::new(session, "/users", title, &here);
    let roles = choices(t, "role", &ROLES, &form.role);
    let offices = choices(t, "office", &OFFICES, &form.office);
    let other_errors = errors.others(&FORM_FIELDS);
    let text_fields = vec![
        ("display_name", "users.display_name", "text", form.display_name.clone()),
        ("email", "users.email", "email", form.email.clone()),
        ("phone", "users.phone", "tel", form.phone.clone()),
    ];
    html(&UserPage {
        c,
        id: shown.id,
        form,
        roles,
        offices,
        errors,
        other_errors,
        temporary_password: shown.temporary_password,
        must_change_password: shown.must_change_password,
        history: shown.history,
        text_fields,
    })
}

async fn new_form(session: Session) -> Response {
    let form = UserForm { role: "sales_rep".into(), active: "true".into(), ..Default::default() };
    user_page(
        &session,
        form,
        FieldErrors::default(),
        Shown { id: 0, temporary_password: String::new(), must_change_password: false, history: Vec::new() },
    )
}

fn form_of(user: &UserView) -> UserForm {
    UserForm {
        csrf: String::new(),
        version: user.version,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: user.role.clone(),
        office: user.office.clone(),
        email: user.email.clone(),
        phone: user.phone.clone(),
        active: user.active.to_string(),
    }
}

/// The account page, with the temporary password when it was just made.
async fn account_page(ui: &UiState, session: &Session, user: UserView) -> Result<Response, PageError> {
    let t = session.texts();
    let changes: ListOf<UserChange> =
        ui.api.get(session.api_caller(), &format!("/api/v1/users/{}/history", user.id)).await?;
    let history = changes
        .items
        .into_iter()
        .rev()
        .map(|c| (format::time(&c.changed_at, t.lang), c.changed_by, t.word("user_change", &c.action), c.detail))
        .collect();
    let shown = Shown {
        id: user.id,
        temporary_password: user.temporary_password.clone().unwrap_or_default(),
        must_change_password: user.must_change_password,
        history,
    };
    Ok(user_page(session, form_of(&user), FieldErrors::default(), shown))
}

async fn show(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    let user: UserView = ui.api.get(session.api_caller(), &format!("/api/v1/users/{id}")).await?;
    account_page(&ui, &session, user).await
}

fn refused(session: &Session, form: UserForm, id: i64, problem: crate::api::ApiProblem) -> Result<Response, PageError> {
    let errors = FieldErrors::from_problem(problem, session.texts())?;
    let shown = Shown { id, temporary_password: String::new(), must_change_password: false, history: Vec::new() };
    Ok(user_page(session, form, errors, shown))
}

async fn create(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<UserForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let body = serde_json::json!({
        "username": form.username, "display_name": form.display_name, "role": form.role,
        "office": form.office, "email": form.email, "phone": form.phone,
    });
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/users", &body, &[]).await {
        // Shown here, once: the page is not stored anywhere the password could be read again.
        Ok(answer) => account_page(&ui, &session, answer.json()?).await,
        Err(problem) => refused(&session, form, 0, problem),
    }
}

async fn update(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<UserForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let body = serde_json::json!({
        "display_name": form.display_name, "role": form.role, "office": form.office, "email": form.email,
        "phone": form.phone, "active": form.active == "true", "version": form.version,
    });
    match ui.api.send(session.api_caller(), Method::PATCH, &format!("/api/v1/users/{id}"), &body, &[]).await {
        Ok(_) => Ok(Redirect::to(&format!("/users/{id}")).into_response()),
        Err(problem) => refused(&session, form, id, problem),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CsrfOnly {
    csrf: String,
}

async fn reset_password(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let path = format!("/api/v1/users/{id}/reset-password");
    let answer = ui.api.send(session.api_caller(), Method::POST, &path, &serde_json::json!({}), &[]).await?;
    account_page(&ui, &session, answer.json()?).await
}
