//! `/api/v1/users`: the administrator adds staff, changes their role, office and details,
//! resets their password and deactivates them. Each change is recorded.

use atq_platform::caller::Action;
use atq_platform::validation::{self, Violations};
use atq_platform::{Error, Office, Role};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::passwords;
use super::store::{self, ListFilter, NewUser, UserRecord};
use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, NotFound, PreconditionFailed, PreconditionRequired};
use crate::state::AppState;
use crate::wire::{ListBody, expected_version, parse_limit, record_response};

#[derive(Serialize, ToSchema)]
pub struct UserAdminBody {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// sales_rep, sales_manager, import_officer, accountant, warehouse_keeper, director, admin
    pub role: String,
    /// HN, HCM, DL, or empty
    pub office: String,
    pub email: String,
    pub phone: String,
    pub active: bool,
    pub must_change_password: bool,
    /// vi, en, or empty (the browser's)
    pub language: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Only when created or reset: hand it to the person, who must change it at sign-in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporary_password: Option<String>,
}

impl From<&UserRecord> for UserAdminBody {
    fn from(u: &UserRecord) -> Self {
        let time = |micros: i64| atq_platform::business_time::from_micros(micros).to_rfc3339();
        UserAdminBody {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role.as_str().to_owned(),
            office: u.office.map(|o| o.code().to_owned()).unwrap_or_default(),
            email: u.email.clone(),
            phone: u.phone.clone(),
            active: u.active,
            must_change_password: u.must_change_password,
            language: u.language.clone(),
            version: u.version,
            created_at: time(u.created_at),
            updated_at: time(u.updated_at),
            temporary_password: None,
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateUserBody {
    /// letters, digits, `.`, `_`, `-`; 2 to 64
    #[schema(required = true, min_length = 2)]
    pub username: String,
    #[schema(required = true, min_length = 1)]
    pub display_name: String,
    #[schema(required = true, min_length = 1)]
    pub role: String,
    /// HN, HCM or DL; required for sales staff
    pub office: String,
    pub email: String,
    pub phone: String,
}

fn user_response(status: StatusCode, user: &UserRecord, temporary_password: Option<String>) -> Response {
    let body = UserAdminBody { temporary_password, ..UserAdminBody::from(user) };
    record_response(status, body, user.version, &format!("/api/v1/users/{}", user.id))
}

fn check_username(text: &str) -> Result<String, String> {
    let name = text.trim().to_lowercase();
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if (2..=64).contains(&name.len()) && name.chars().all(allowed) {
        Ok(name)
    } else {
        Err("must be 2 to 64 letters, digits, dots, dashes or underscores, without accents".into())
    }
}

fn check_role(text: &str) -> Result<Role, String> {
    Role::HUMAN.into_iter().find(|r| r.as_str() == text.trim()).ok_or_else(|| {
        "must be sales_rep, sales_manager, import_officer, accountant, warehouse_keeper, director or admin".into()
    })
}

/// The office is required for the roles that work one office's territory.
fn check_office(v: &mut Violations, text: &str, role: Option<Role>) -> Option<Office> {
    let office = match text.trim() {
        "" => None,
        code => v.check("office", Office::parse(code).map_err(|_| "must be HN, HCM or DL".to_owned())),
    };
    if office.is_none() && text.trim().is_empty() && role.is_some_and(Role::is_office_scoped) {
        v.add("office", "must be given for sales staff (HN, HCM or DL)");
    }
    office
}

pub(super) fn checked_new(body: &CreateUserBody, hash: String) -> Result<NewUser, Error> {
    let mut v = Violations::new();
    let username = v.check("username", check_username(&body.username));
    let display_name = v.check("display_name", validation::required_text(&body.display_name, 100));
    let role = v.check("role", check_role(&body.role));
    let office = check_office(&mut v, &body.office, role);
    let email = v.check("email", validation::optional_email(&body.email));
    let phone = if body.phone.trim().is_empty() {
        Some(String::new())
    } else {
        v.check("phone", validation::phone_number(&body.phone))
    };
    v.finish()?;
    Ok(NewUser {
        username: username.unwrap_or_default(),
        display_name: display_name.unwrap_or_default(),
        role: role.unwrap_or(Role::SalesRep),
        office,
        email: email.unwrap_or_default(),
        phone: phone.unwrap_or_default(),
        password_hash: hash,
        must_change_password: true,
    })
}

/// Add a member of staff; the answer carries a temporary password, to change at first sign-in.
/// A username is taken once, so a retried request cannot add a second account.
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = CreateUserBody,
    responses((status = 201, body = UserAdminBody), BadRequest, Forbidden))]
pub async fn create_user(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    JsonBody(body): JsonBody<CreateUserBody>,
) -> Result<Response, Problem> {
    caller.require(Action::ManageUsers)?;
    let temporary = passwords::temporary();
    let hash = passwords::hash_password_off_thread(temporary.clone()).await.map_err(Error::internal)?;
    let new = checked_new(&body, hash)?;
    let mut tx = state.db.begin().await?;
    let id = store::insert(&mut tx, &new).await?;
    let detail = format!("role: {}, office: {}", new.role.as_str(), new.office.map(Office::code).unwrap_or("-"));
    store::record_change(&mut tx, id, &caller.username, "created", &detail).await?;
    let user = store::get_in(&mut tx, id).await?.ok_or_else(|| Error::NotFound(format!("user {id}")))?;
    tx.commit().await?;
    tracing::info!(admin = %caller.username, username = %user.username, "user added");
    Ok(user_response(StatusCode::CREATED, &user, Some(temporary)))
}

async fn existing(state: &AppState, id: i64) -> Result<UserRecord, Problem> {
    Ok(store::get(&state.db, id).await?.ok_or_else(|| Error::NotFound(format!("user {id}")))?)
}

/// One user, with its ETag.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = UserAdminBody), Forbidden, NotFound))]
pub async fn get_user(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ManageUsers)?;
    Ok(user_response(StatusCode::OK, &existing(&state, id).await?, None))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct UserQuery {
    /// Part of the username or name
    pub q: Option<String>,
    pub role: Option<String>,
    pub office: Option<String>,
    /// true or false
    pub active: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

fn checked_filter(query: &UserQuery) -> Result<ListFilter, Problem> {
    let mut v = Violations::new();
    let q = v.check("q", validation::optional_text(query.q.as_deref().unwrap_or(""), 100)).unwrap_or_default();
    let role = match query.role.as_deref().unwrap_or("") {
        "" => None,
        text => v.check("role", check_role(text)),
    };
    let office = check_office(&mut v, query.office.as_deref().unwrap_or(""), None);
    let active = match query.active.as_deref().unwrap_or("") {
        "" => None,
        "true" => Some(true),
        "false" => Some(false),
        _ => v.check("active", Err::<bool, _>("must be true or false".to_owned())),
    };
    let after_id = match query.cursor.as_deref().unwrap_or("") {
        "" => 0,
        text => v
            .check("cursor", text.parse::<i64>().map_err(|_| "must be a cursor this list returned".to_owned()))
            .unwrap_or(0),
    };
    v.finish()?;
    let limit = match parse_limit(query.limit.as_deref())? {
        0 => 50,
        n => n,
    };
    Ok(ListFilter { q, role, office, active, after_id, limit })
}

/// Staff, filtered; ordered by when they were added.
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", params(UserQuery),
    responses((status = 200, body = ListBody<UserAdminBody>), BadRequest, Forbidden))]
pub async fn list_users(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<UserQuery>,
) -> Result<axum::Json<ListBody<UserAdminBody>>, Problem> {
    caller.require(Action::ManageUsers)?;
    let filter = checked_filter(&query)?;
    let users = store::list(&state.db, &filter).await?;
    let next = if users.len() == filter.limit as usize {
        users.last().map(|u| u.id.to_string()).unwrap_or_default()
    } else {
        String::new()
    };
    Ok(axum::Json(ListBody::new(users.iter().map(UserAdminBody::from).collect(), next)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateUserBody {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub office: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// false deactivates: no sign-in, no refresh; tokens already given run out within 15 minutes
    pub active: Option<bool>,
    /// The version read; alternatively send If-Match with the ETag.
    pub version: Option<i64>,
}

/// `current` with `body`'s changes, checked; and what changed, for the record.
fn changed(current: &UserRecord, body: &UpdateUserBody) -> Result<(UserRecord, Vec<String>), Error> {
    let mut v = Violations::new();
    let mut next = current.clone();
    if let Some(text) = &body.display_name {
        next.display_name = v.check("display_name", validation::required_text(text, 100)).unwrap_or_default();
    }
    if let Some(text) = &body.role {
        next.role = v.check("role", check_role(text)).unwrap_or(current.role);
    }
    if let Some(text) = &body.office {
        next.office = check_office(&mut v, text, Some(next.role));
    } else if next.office.is_none() && next.role.is_office_scoped() {
        v.add("office", "must be given for sales staff (HN, HCM or DL)");
    }
    if let Some(text) = &body.email {
        next.email = v.check("email", validation::optional_email(text)).unwrap_or_default();
    }
    if let Some(text) = &body.phone {
        next.phone = if text.trim().is_empty() {
            String::new()
        } else {
            v.check("phone", validation::phone_number(text)).unwrap_or_default()
        };
    }
    if let Some(active) = body.active {
        next.active = active;
    }
    v.finish()?;
    let office = |u: &UserRecord| u.office.map(Office::code).unwrap_or("-").to_owned();
    let fields: [(&str, String, String); 6] = [
        ("display_name", current.display_name.clone(), next.display_name.clone()),
        ("role", current.role.as_str().into(), next.role.as_str().into()),
        ("office", office(current), office(&next)),
        ("email", current.email.clone(), next.email.clone()),
        ("phone", current.phone.clone(), next.phone.clone()),
        ("active", current.active.to_string(), next.active.to_string()),
    ];
    let changes = fields
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(f, old, new)| format!("{f}: {old} → {new}"))
        .collect();
    Ok((next, changes))
}

/// Change a user's details, role, office or `active`. Send `If-Match` (the ETag you read) or
/// `version`; a stale one is 412.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "admin", request_body = UpdateUserBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = UserAdminBody), BadRequest, Forbidden, NotFound, PreconditionFailed, PreconditionRequired))]
pub async fn update_user(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<UpdateUserBody>,
) -> Result<Response, Problem> {
    caller.require(Action::ManageUsers)?;
    let expected = expected_version(&headers, body.version)?;
    let mut tx = state.db.begin().await?;
    let current = store::get_in(&mut tx, id).await?.ok_or_else(|| Error::NotFound(format!("user {id}")))?;
    if current.username == caller.username
        && (body.active == Some(false) || body.role.as_deref().is_some_and(|r| r != "admin"))
    {
        return Err(Problem::field("active", "an administrator cannot deactivate or demote their own account"));
    }
    let (next, changes) = changed(&current, &body)?;
    store::update(&mut tx, &next, expected).await?;
    if !changes.is_empty() {
        let action = match (current.active, next.active) {
            (true, false) => "deactivated",
            (false, true) => "reactivated",
            _ => "updated",
        };
        store::record_change(&mut tx, id, &caller.username, action, &changes.join("; ")).await?;
    }
    if !next.active {
        crate::sessions::revoke_all(&mut tx, id).await?;
    }
    let user = store::get_in(&mut tx, id).await?.ok_or_else(|| Error::NotFound(format!("user {id}")))?;
    tx.commit().await?;
    Ok(user_response(StatusCode::OK, &user, None))
}

/// A new temporary password for the user, who must change it at the next sign-in; their refresh
/// tokens are revoked.
#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = UserAdminBody), Forbidden, NotFound))]
pub async fn reset_password(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ManageUsers)?;
    existing(&state, id).await?;
    let temporary = passwords::temporary();
    let hash = passwords::hash_password_off_thread(temporary.clone()).await.map_err(Error::internal)?;
    let mut tx = state.db.begin().await?;
    store::set_password(&mut tx, id, &hash, true).await?;
    crate::sessions::revoke_all(&mut tx, id).await?;
    store::record_change(&mut tx, id, &caller.username, "password_reset", "").await?;
    let user = store::get_in(&mut tx, id).await?.ok_or_else(|| Error::NotFound(format!("user {id}")))?;
    tx.commit().await?;
    Ok(user_response(StatusCode::OK, &user, Some(temporary)))
}

#[derive(Serialize, ToSchema)]
pub struct UserChangeBody {
    pub changed_by: String,
    pub changed_at: String,
    /// created, updated, deactivated, reactivated, password_reset, password_changed
    pub action: String,
    pub detail: String,
}

/// Who changed what on this account, oldest first.
#[utoipa::path(get, path = "/api/v1/users/{id}/history", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = ListBody<UserChangeBody>), Forbidden, NotFound))]
pub async fn user_history(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<ListBody<UserChangeBody>>, Problem> {
    caller.require(Action::ManageUsers)?;
    existing(&state, id).await?;
    let items = store::history(&state.db, id)
        .await?
        .into_iter()
        .map(|c| UserChangeBody {
            changed_by: c.changed_by,
            changed_at: atq_platform::business_time::from_micros(c.changed_at).to_rfc3339(),
            action: c.action,
            detail: c.detail,
        })
        .collect();
    Ok(axum::Json(ListBody::new(items, String::new())))
}
