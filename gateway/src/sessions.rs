//! Refresh tokens: a longer-lived secret that buys a new access token without the password. Only
//! a hash is stored; each use revokes it and hands out the next one. Using a revoked token again
//! (a stolen copy, or the person's own stale one) revokes every token of that user, so a thief
//! and the owner cannot both keep a session. Deactivating a user, resetting or changing a password
//! revokes them all.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use atq_platform::business_time::now_micros;
use atq_platform::idempotency::hex_sha256;
use atq_platform::{Db, Error, Tx};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{ClientAddress, LoginResponse, signed_in};
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Unauthorized};
use crate::state::AppState;
use crate::users;

/// How long a refresh token lasts unused: a working week.
pub const REFRESH_SECONDS: u64 = 7 * 24 * 60 * 60;

/// A new refresh token for `user_id`, stored by its hash.
pub async fn issue(db: &Db, user_id: i64) -> Result<String, Error> {
    let token = new_token();
    let mut tx = db.begin().await?;
    store(&mut tx, user_id, &token).await?;
    tx.commit().await?;
    Ok(token)
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn store(tx: &mut Tx, user_id: i64, token: &str) -> Result<(), Error> {
    let now = now_micros();
    let expires = now.saturating_add(i64::try_from(REFRESH_SECONDS).unwrap_or(i64::MAX).saturating_mul(1_000_000));
    sqlx::query("INSERT INTO refresh_tokens (token_hash, user_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(hex_sha256(token.as_bytes()))
        .bind(user_id)
        .bind(now)
        .bind(expires)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn revoke_all(tx: &mut Tx, user_id: i64) -> Result<(), Error> {
    sqlx::query("UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now_micros())
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Revokes `token` and says whose it was, if it was live; a token used twice revokes them all.
async fn consume(tx: &mut Tx, token: &str) -> Result<Option<i64>, Error> {
    let row: Option<(i64, i64, Option<i64>)> =
        sqlx::query_as("SELECT user_id, expires_at, revoked_at FROM refresh_tokens WHERE token_hash = $1")
            .bind(hex_sha256(token.as_bytes()))
            .fetch_optional(&mut **tx)
            .await?;
    let Some((user_id, expires_at, revoked_at)) = row else { return Ok(None) };
    if revoked_at.is_some() {
        revoke_all(tx, user_id).await?;
        tracing::warn!(user_id, "a revoked refresh token was used again; every session of the user is revoked");
        return Ok(None);
    }
    // Only the first of two concurrent uses revokes it; the other finds it revoked.
    let revoked = sqlx::query("UPDATE refresh_tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
        .bind(now_micros())
        .bind(hex_sha256(token.as_bytes()))
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok((revoked == 1 && expires_at > now_micros()).then_some(user_id))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct RefreshBody {
    #[schema(required = true, pattern = "^[0-9a-fA-F]{64}$")]
    pub refresh_token: String,
}

fn refused() -> Problem {
    Problem::unauthenticated("the refresh token is invalid, expired or revoked; sign in again")
}

/// A new access token and the next refresh token, for a refresh token still valid and a user
/// still active. The token sent is used up.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshBody, security(()),
    responses((status = 200, body = LoginResponse), BadRequest, Unauthorized))]
pub async fn refresh(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<RefreshBody>,
) -> Result<axum::Json<LoginResponse>, Problem> {
    if body.refresh_token.len() != 64 || !body.refresh_token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(refused());
    }
    let mut tx = state.db.begin().await?;
    let consumed = consume(&mut tx, &body.refresh_token).await?;
    tx.commit().await?;
    let Some(user_id) = consumed else { return Err(refused()) };
    let record = users::store_get(&state.db, user_id).await?.filter(|u| u.active).ok_or_else(refused)?;
    tracing::info!(username = %record.username, %client, "token refreshed");
    Ok(axum::Json(signed_in(&state, &record.user()).await?))
}

/// Sign out: the refresh token is revoked (the access token runs out within 15 minutes).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = RefreshBody, security(()),
    responses((status = 204, description = "signed out"), BadRequest))]
pub async fn logout(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<RefreshBody>,
) -> Result<StatusCode, Problem> {
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE refresh_tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
        .bind(now_micros())
        .bind(hex_sha256(body.refresh_token.as_bytes()))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
