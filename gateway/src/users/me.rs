//! `/api/v1/me`: the signed-in person's own account: who they are, their language, their
//! password.

use atq_platform::Error;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::passwords;
use super::store;
use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::BadRequest;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct MeBody {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub office: String,
    pub email: String,
    pub phone: String,
    pub must_change_password: bool,
    /// vi, en, or empty (the browser's)
    pub language: String,
}

async fn my_record(state: &AppState, username: &str) -> Result<store::UserRecord, Problem> {
    let (user, _) = store::find_active(&state.db, username)
        .await?
        .ok_or_else(|| Problem::unauthenticated("this account is no longer active; sign in again"))?;
    Ok(store::get(&state.db, user.id).await?.ok_or_else(|| Error::NotFound("user".into()))?)
}

fn me_body(u: store::UserRecord) -> MeBody {
    MeBody {
        id: u.id,
        username: u.username,
        display_name: u.display_name,
        role: u.role.as_str().to_owned(),
        office: u.office.map(|o| o.code().to_owned()).unwrap_or_default(),
        email: u.email,
        phone: u.phone,
        must_change_password: u.must_change_password,
        language: u.language,
    }
}

/// The signed-in person.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = MeBody)))]
pub async fn me(State(state): State<AppState>, AuthUser(caller): AuthUser) -> Result<axum::Json<MeBody>, Problem> {
    Ok(axum::Json(me_body(my_record(&state, &caller.username).await?)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateMeBody {
    /// vi, en, or empty for the browser's choice
    pub language: Option<String>,
}

/// Change one's own settings: the language of the screens and documents.
#[utoipa::path(patch, path = "/api/v1/me", tag = "auth", request_body = UpdateMeBody,
    responses((status = 200, body = MeBody), BadRequest))]
pub async fn update_me(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    JsonBody(body): JsonBody<UpdateMeBody>,
) -> Result<axum::Json<MeBody>, Problem> {
    let mut record = my_record(&state, &caller.username).await?;
    if let Some(language) = body.language {
        let language = language.trim().to_owned();
        if !matches!(language.as_str(), "" | "vi" | "en") {
            return Err(Problem::field("language", "must be vi, en or empty"));
        }
        record.language = language;
    }
    let mut tx = state.db.begin().await?;
    let version = record.version;
    store::update(&mut tx, &record, version).await?;
    tx.commit().await?;
    Ok(axum::Json(me_body(my_record(&state, &caller.username).await?)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ChangePasswordBody {
    #[schema(required = true, min_length = 1)]
    pub current_password: String,
    /// At least 10 characters, not one of the most common passwords, not containing the username
    #[schema(required = true, min_length = 10)]
    pub new_password: String,
}

/// Change one's own password (a temporary one must be changed before anything else). Other
/// sessions' refresh tokens are revoked.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = ChangePasswordBody,
    responses((status = 204, description = "changed"), BadRequest))]
pub async fn change_password(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    JsonBody(body): JsonBody<ChangePasswordBody>,
) -> Result<StatusCode, Problem> {
    let record = my_record(&state, &caller.username).await?;
    if body.current_password.len() > passwords::MAX_BYTES {
        return Err(Problem::field("current_password", "is not your current password"));
    }
    let hash = store::password_hash(&state.db, record.id).await?.unwrap_or_default();
    if !passwords::password_matches(hash, body.current_password.clone()).await {
        return Err(Problem::field("current_password", "is not your current password"));
    }
    if let Some(weakness) = passwords::weakness(&body.new_password, &record.username) {
        return Err(Problem::field("new_password", &weakness));
    }
    if body.new_password == body.current_password {
        return Err(Problem::field("new_password", "must differ from the current password"));
    }
    let new_hash = passwords::hash_password_off_thread(body.new_password).await.map_err(Error::internal)?;
    let mut tx = state.db.begin().await?;
    store::set_password(&mut tx, record.id, &new_hash, false).await?;
    crate::sessions::revoke_all(&mut tx, record.id).await?;
    store::record_change(&mut tx, record.id, &caller.username, "password_changed", "").await?;
    tx.commit().await?;
    tracing::info!(username = %caller.username, "password changed");
    Ok(StatusCode::NO_CONTENT)
}
