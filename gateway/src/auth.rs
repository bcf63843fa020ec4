//! Sign-in and access tokens. Tokens are short-lived HS256 JWTs signed with the gateway's token
//! key, so any gateway replica holding the key accepts them.

use std::sync::{Arc, LazyLock};

use atq_platform::{Caller, Office, Role};
use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::Unauthorized;
use crate::state::AppState;
use crate::users;

const AUDIENCE: &str = "atq-api";
pub const TOKEN_SECONDS: u64 = 15 * 60;

#[derive(Clone)]
pub struct TokenKeys {
    encoding: Arc<EncodingKey>,
    decoding: Arc<DecodingKey>,
}

impl TokenKeys {
    pub fn new(secret: &[u8]) -> TokenKeys {
        TokenKeys {
            encoding: Arc::new(EncodingKey::from_secret(secret)),
            decoding: Arc::new(DecodingKey::from_secret(secret)),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    office: Option<Office>,
    aud: String,
    iat: u64,
    exp: u64,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    pub access_token: String,
    /// Always "Bearer".
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
    pub user: UserBody,
}

#[derive(Serialize, ToSchema)]
pub struct UserBody {
    pub username: String,
    pub display_name: String,
    /// sales_rep, sales_manager, import_officer, accountant, warehouse_keeper, director, admin
    pub role: String,
    /// HN, HCM or DL.
    pub office: Option<String>,
}

/// A hash to verify against when the user does not exist, so the answer takes as long.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| users::hash_password("decoy password").unwrap_or_default());

/// Sign in; the token goes in `Authorization: Bearer` on every other call.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), Unauthorized))]
pub async fn login(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Result<axum::Json<LoginResponse>, Problem> {
    let found = users::find_active(&state.db, body.username.trim()).await?;
    let hash = found.as_ref().map(|(_, hash)| hash.clone()).unwrap_or_else(|| DECOY_HASH.clone());
    let matches = users::password_matches(hash, body.password).await;
    let Some((user, _)) = found.filter(|_| matches) else {
        tracing::info!(username = %body.username, "sign-in refused");
        return Err(Problem::unauthenticated("wrong username or password"));
    };
    let now = jsonwebtoken::get_current_timestamp();
    let claims = Claims {
        sub: user.username.clone(),
        role: user.role,
        office: user.office,
        aud: AUDIENCE.into(),
        iat: now,
        exp: now + TOKEN_SECONDS,
    };
    let access_token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &state.token_keys.encoding)
        .map_err(|error| Problem::from(atq_platform::Error::internal(error)))?;
    tracing::info!(username = %user.username, "signed in");
    Ok(axum::Json(LoginResponse {
        access_token,
        token_type: "Bearer",
        expires_in: TOKEN_SECONDS,
        user: UserBody {
            username: user.username,
            display_name: user.display_name,
            role: user.role.as_str().to_owned(),
            office: user.office.map(|o| o.code().to_owned()),
        },
    }))
}

/// The signed-in caller of a route.
pub struct AuthUser(pub Caller);

impl<S> FromRequestParts<S> for AuthUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or_else(|| Problem::unauthenticated("sign in and send Authorization: Bearer <token>"))?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        let claims = jsonwebtoken::decode::<Claims>(token.trim(), &state.token_keys.decoding, &validation)
            .map_err(|_| Problem::unauthenticated("the token is invalid or has expired; sign in again"))?
            .claims;
        Ok(AuthUser(Caller { username: claims.sub, role: claims.role, office: claims.office }))
    }
}
