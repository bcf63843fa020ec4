//! Sign-in and access tokens. Tokens are short-lived HS256 JWTs signed with the gateway's token
//! key, so any gateway replica holding the key accepts them. A sign-in is checked for size and
//! control characters before anything is logged, throttled (`login_guard`), and hashed a bounded
//! number at a time. Tokens never carry the services' own `service` role.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, LazyLock};

use atq_platform::{Caller, Office, Role};
use axum::extract::{ConnectInfo, FromRef, FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, TooManyRequests, Unauthorized};
use crate::state::AppState;
use crate::users;

const AUDIENCE: &str = "atq-api";
pub const TOKEN_SECONDS: u64 = 15 * 60;
/// Slack for clocks that differ between the replica that signed a token and the one checking it.
const CLOCK_LEEWAY_SECONDS: u64 = 5;
/// Usernames are short; anything longer is refused before it reaches a log line.
const MAX_USERNAME_CHARS: usize = 64;
/// Far above any passphrase, and bounds what a hash has to read.
const MAX_PASSWORD_BYTES: usize = 1024;

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
    /// A temporary password is still to be changed: only that, and signing out, are allowed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    must_change_password: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    #[serde(default)]
    #[schema(required = true)]
    pub username: String,
    #[serde(default)]
    #[schema(required = true)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    pub access_token: String,
    /// Always "Bearer".
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
    /// Buys the next access token at `POST /api/v1/auth/refresh`; used once.
    pub refresh_token: String,
    /// Seconds until the refresh token expires unused.
    pub refresh_expires_in: u64,
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
    /// A temporary password: change it (`POST /api/v1/me/password`) before anything else.
    pub must_change_password: bool,
}

/// A hash to verify against when the user does not exist, so the answer takes as long.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| users::hash_password("decoy password").unwrap_or_default());

/// Sign in; the token goes in `Authorization: Bearer` on every other call. Repeated failures
/// from one address or on one account are answered `429` with `Retry-After`.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, security(()),
    responses((status = 200, body = LoginResponse), BadRequest, Unauthorized, TooManyRequests))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Result<axum::Json<LoginResponse>, Problem> {
    let username = checked_username(&body)?;
    state.login_guard.check(username, client).map_err(|wait| Problem::too_many_attempts(wait.seconds()))?;
    let Some(_hashing) = state.login_guard.hashing_slot().await else {
        return Err(Problem::busy("too many sign-ins at once; try again shortly"));
    };
    let Some(user) = verified_user(&state, username, body.password.clone()).await? else {
        state.login_guard.failed(username, client);
        tracing::info!(username, %client, "sign-in refused");
        return Err(Problem::unauthenticated("wrong username or password"));
    };
    state.login_guard.succeeded(username, client);
    tracing::info!(username = %user.username, "signed in");
    Ok(axum::Json(signed_in(&state, &user).await?))
}

/// The answer to a sign-in or a refresh: a fresh access token and refresh token for `user`.
pub async fn signed_in(state: &AppState, user: &users::User) -> Result<LoginResponse, Problem> {
    let access_token = issue_token(&state.token_keys, user)?;
    let refresh_token = crate::sessions::issue(&state.db, user.id).await?;
    Ok(LoginResponse {
        access_token,
        token_type: "Bearer",
        expires_in: TOKEN_SECONDS,
        refresh_token,
        refresh_expires_in: crate::sessions::REFRESH_SECONDS,
        user: UserBody {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role.as_str().to_owned(),
            office: user.office.map(|o| o.code().to_owned()),
            must_change_password: user.must_change_password,
        },
    })
}

/// The username to look up, once it and the password are of a sane size and the username holds
/// no control or direction-changing characters (which could forge or garble a log line).
fn checked_username(body: &LoginRequest) -> Result<&str, Problem> {
    let username = body.username.trim();
    let mut errors = Vec::new();
    if username.len() > 4 * MAX_USERNAME_CHARS || username.chars().count() > MAX_USERNAME_CHARS {
        errors.push(atq_platform::FieldError::new("username", "must be at most 64 characters"));
    } else if username.chars().any(|c| c.is_control() || is_invisible_format(c)) {
        errors.push(atq_platform::FieldError::new("username", "must not contain control characters"));
    }
    if body.password.len() > MAX_PASSWORD_BYTES {
        errors.push(atq_platform::FieldError::new("password", "must be at most 1024 bytes"));
    }
    if errors.is_empty() { Ok(username) } else { Err(Problem::invalid(errors)) }
}

/// Characters that change how the text around them reads (bidirectional overrides, zero-width
/// marks, line and paragraph separators).
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// The active user when the password matches. Unknown users cost a hash as well, so the time
/// taken does not tell which part was wrong.
async fn verified_user(state: &AppState, username: &str, password: String) -> Result<Option<users::User>, Problem> {
    let found = users::find_active(&state.db, username).await?.filter(|(user, _)| user.role != Role::Service);
    let hash = found.as_ref().map(|(_, hash)| hash.clone()).unwrap_or_else(|| DECOY_HASH.clone());
    let matches = users::password_matches(hash, password).await;
    Ok(found.filter(|_| matches).map(|(user, _)| user))
}

fn issue_token(keys: &TokenKeys, user: &users::User) -> Result<String, Problem> {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = Claims {
        sub: user.username.clone(),
        role: user.role,
        office: user.office,
        aud: AUDIENCE.into(),
        iat: now,
        exp: now + TOKEN_SECONDS,
        must_change_password: user.must_change_password,
    };
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding)
        .map_err(|error| Problem::from(atq_platform::Error::internal(error)))
}

/// The address the request came from: the TCP peer, or the client a trusted proxy forwards for
/// (see [`crate::login_guard::trusted_proxies`]).
pub struct ClientAddress(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let forwarded = parts.extensions.get::<crate::login_guard::trusted_proxies::ForwardedClient>();
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(peer)| peer.ip());
        let peer = forwarded.map(|client| client.0).or(peer);
        Ok(ClientAddress(peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))))
    }
}

/// The signed-in caller of a route.
pub struct AuthUser(pub Caller);

/// The caller whose token the policy middleware verified, kept in the request's extensions
/// (which no client can set) so the handler's [`AuthUser`] does not verify the token again.
#[derive(Clone, Debug)]
pub struct VerifiedCaller(pub Caller);

impl<S> FromRequestParts<S> for AuthUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // The policy middleware has already verified this request's token: once is enough.
        if let Some(VerifiedCaller(caller)) = parts.extensions.get::<VerifiedCaller>() {
            return Ok(AuthUser(caller.clone()));
        }
        let state = AppState::from_ref(state);
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(bearer_token)
            .ok_or_else(|| Problem::unauthenticated("sign in and send Authorization: Bearer <token>"))?;
        let session = token_session(&state.token_keys, token, 0)?;
        if session.must_change_password && !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(&parts.uri.path()) {
            return Err(Problem::new(
                atq_platform::ErrorCode::PermissionDenied,
                "change your temporary password first: POST /api/v1/me/password",
            ));
        }
        Ok(AuthUser(session.caller))
    }
}

/// The token of an `Authorization: Bearer <token>` value; the scheme's case does not matter.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// What a person whose password is temporary may still call.
const ALLOWED_BEFORE_PASSWORD_CHANGE: [&str; 3] = ["/api/v1/me", "/api/v1/me/password", "/api/v1/auth/logout"];

/// The caller a token names, if it is ours, for this API, unexpired, and for a person.
#[cfg(test)]
fn caller_from_token(keys: &TokenKeys, token: &str) -> Result<Caller, Problem> {
    token_session(keys, token, 0).map(|session| session.caller)
}

/// What a valid token says.
#[derive(Debug, Clone)]
pub struct TokenSession {
    pub caller: Caller,
    /// Seconds since 1970.
    pub expires_at: u64,
    pub must_change_password: bool,
}

/// The caller a token names and when it expires (seconds since 1970). The web UI keeps the token
/// in its session cookie and asks for it with `expired_for_at_most` set to how long a browser may
/// sit idle: such a token is only ever traded for a fresh one by [`renew_token`], which checks the
/// user is still active.
pub fn token_session(keys: &TokenKeys, token: &str, expired_for_at_most: u64) -> Result<TokenSession, Problem> {
    let invalid = || Problem::unauthenticated("the token is invalid or has expired; sign in again");
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&[AUDIENCE]);
    validation.leeway = CLOCK_LEEWAY_SECONDS.max(expired_for_at_most);
    let claims = jsonwebtoken::decode::<Claims>(token, &keys.decoding, &validation).map_err(|_| invalid())?.claims;
    // The services' own role is for calls between them, never for a person's token.
    if claims.role == Role::Service {
        return Err(invalid());
    }
    Ok(TokenSession {
        caller: Caller { username: claims.sub, role: claims.role, office: claims.office },
        expires_at: claims.exp,
        must_change_password: claims.must_change_password,
    })
}

/// A fresh token for a user who is still active, with their current role and office; `None`
/// once they have been deactivated, so a browser session ends within one token lifetime.
pub async fn renew_token(state: &AppState, username: &str) -> Result<Option<(String, users::User)>, Problem> {
    let Some((user, _)) = users::find_active(&state.db, username).await? else {
        return Ok(None);
    };
    if user.role == Role::Service {
        return Ok(None);
    }
    Ok(Some((issue_token(&state.token_keys, &user)?, user)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(keys: &TokenKeys, role: Role, expires_in: i64) -> String {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: "someone".into(),
            role,
            office: None,
            aud: AUDIENCE.into(),
            iat: now,
            exp: now.saturating_add_signed(expires_in),
            must_change_password: false,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding).unwrap()
    }

    #[test]
    fn a_token_with_the_service_role_is_refused() {
        let keys = TokenKeys::new(b"test key");
        assert!(caller_from_token(&keys, &token(&keys, Role::Director, 60)).is_ok());
        let refused = caller_from_token(&keys, &token(&keys, Role::Service, 60)).unwrap_err();
        assert_eq!(refused.status, axum::http::StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn expiry_allows_at_most_five_seconds_of_clock_skew() {
        let keys = TokenKeys::new(b"test key");
        assert!(caller_from_token(&keys, &token(&keys, Role::Director, -2)).is_ok());
        assert!(caller_from_token(&keys, &token(&keys, Role::Director, -30)).is_err());
    }

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer abc"), Some("abc"));
        assert_eq!(bearer_token("BEARER  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
    }

    #[test]
    fn usernames_are_checked_before_they_are_logged() {
        let login =
            |username: &str, password: &str| LoginRequest { username: username.into(), password: password.into() };
        assert_eq!(checked_username(&login(" sales.hn ", "demo")).unwrap(), "sales.hn");
        for username in ["a\nforged line", "tab\there", "bidi\u{202E}", &"x".repeat(65), &"y".repeat(1_000_000)] {
            let refused = checked_username(&login(username, "demo")).unwrap_err();
            assert_eq!(refused.errors[0].field, "username");
        }
        assert_eq!(checked_username(&login("sales.hn", &"p".repeat(2000))).unwrap_err().errors[0].field, "password");
    }
}
