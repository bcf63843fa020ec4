//! A browser's session: the API token in an HttpOnly cookie, a random CSRF value in another that
//! every form must echo, the language, and the person's name for the page header.
//!
//! A token lives fifteen minutes; while the browser is in use it is traded for a fresh one before
//! it runs out, and after an idle spell of up to eight hours too. Each trade reads the user again,
//! so a deactivated user's browser session ends at its token's expiry at the latest.

use std::net::SocketAddr;

use atq_platform::Caller;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::UiState;
use crate::i18n::{Lang, Texts};
use crate::page::Failure;

pub const TOKEN_COOKIE: &str = "atq_session";
pub const CSRF_COOKIE: &str = "atq_csrf";
pub const NAME_COOKIE: &str = "atq_name";
pub const LANG_COOKIE: &str = "atq_lang";
/// The form field that carries the CSRF value back.
pub const CSRF_FIELD: &str = "csrf";
/// How long a browser may sit idle and still be let back in without a password.
const IDLE_SECONDS: u64 = 8 * 60 * 60;
/// A token with less than this left is renewed on the next page.
const RENEW_BEFORE_SECONDS: u64 = 10 * 60;

/// The signed-in person of a page, put in the request by [`resume`].
#[derive(Clone, Debug)]
pub struct Session {
    pub caller: Caller,
    pub token: String,
    pub display_name: String,
    pub csrf: String,
    pub lang: Lang,
    pub client: Option<SocketAddr>,
}

impl Session {
    pub fn texts(&self) -> Texts {
        Texts::new(self.lang)
    }

    pub fn api_caller(&self) -> crate::api::Caller<'_> {
        crate::api::Caller { token: Some(&self.token), client: self.client }
    }

    /// Whether a submitted form carries this session's CSRF value.
    pub fn csrf_matches(&self, sent: &str) -> bool {
        !self.csrf.is_empty() && constant_time_eq(self.csrf.as_bytes(), sent.as_bytes())
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The language of a request: the person's choice (cookie), else the browser's.
pub fn language(jar: &CookieJar, headers: &HeaderMap) -> Lang {
    jar.get(LANG_COOKIE).and_then(|c| Lang::parse(c.value())).unwrap_or_else(|| Lang::from_headers(headers))
}

pub fn client_of(request: &Request) -> Option<SocketAddr> {
    request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(peer)| *peer)
}

/// Finds the session of a page request, renews its token when due, and sends anyone without a
/// valid one to the sign-in page, coming back to where they were going.
pub async fn resume(State(ui): State<UiState>, jar: CookieJar, mut request: Request, next: Next) -> Response {
    let lang = language(&jar, request.headers());
    let path = request.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
    if is_public(request.uri().path()) {
        return next.run(request).await;
    }
    let Some(token) = jar.get(TOKEN_COOKIE).map(|c| c.value().to_owned()) else {
        return to_sign_in(&path);
    };
    let Ok(token_session) = atq_gateway::auth::token_session(&ui.gateway.token_keys, &token, IDLE_SECONDS) else {
        return (forget(jar), to_sign_in(&path)).into_response();
    };
    let mut renewed = None;
    let mut display_name = jar.get(NAME_COOKIE).map(|c| decode_name(c.value())).unwrap_or_default();
    let mut session_caller = token_session.caller;
    let mut must_change_password = token_session.must_change_password;
    if token_session.expires_at.saturating_sub(now_seconds()) < RENEW_BEFORE_SECONDS {
        match atq_gateway::auth::renew_token(&ui.gateway, &session_caller.username).await {
            Ok(Some((fresh, user))) => {
                display_name = user.display_name.clone();
                session_caller = user.caller();
                must_change_password = user.must_change_password;
                renewed = Some((fresh, user.display_name));
            }
            Ok(None) => return (forget(jar), to_sign_in(&path)).into_response(),
            Err(_) => return crate::page::unavailable(Texts::new(lang)),
        }
    }
    if must_change_password && !matches!(request.uri().path(), "/password" | "/logout") {
        return Redirect::to("/password").into_response();
    }
    let session = Session {
        caller: session_caller,
        token: renewed.as_ref().map(|(t, _)| t.clone()).unwrap_or(token),
        display_name,
        csrf: jar.get(CSRF_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default(),
        lang,
        client: client_of(&request),
    };
    let secure = is_secure(request.headers());
    request.extensions_mut().insert(session.clone());
    let mut response = next.run(request).await;
    if let Some(failure) = response.extensions().get::<Failure>().cloned() {
        response = crate::page::render_failure(Some(&session), session.texts(), &failure);
    }
    match renewed {
        Some((token, name)) => (remember(CookieJar::new(), &token, &name, None, secure), response).into_response(),
        None => response,
    }
}

/// Pages anyone may open: signing in, and choosing the language.
fn is_public(path: &str) -> bool {
    matches!(path, "/login" | "/language")
}

fn to_sign_in(path: &str) -> Response {
    let back = if path.is_empty() || path == "/" { String::new() } else { format!("?next={}", encode_query(path)) };
    Redirect::to(&format!("/login{back}")).into_response()
}

fn now_seconds() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Behind a TLS-terminating proxy the cookies are marked Secure.
pub fn is_secure(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

fn cookie(name: &'static str, value: String, http_only: bool, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value)).path("/").http_only(http_only).same_site(SameSite::Lax).secure(secure).build()
}

/// Sets the session's cookies; `csrf` only when a session starts (it stays the same for the
/// session, so a form opened before a token renewal still submits).
pub fn remember(jar: CookieJar, token: &str, display_name: &str, csrf: Option<&str>, secure: bool) -> CookieJar {
    let jar = jar.add(cookie(TOKEN_COOKIE, token.to_owned(), true, secure)).add(cookie(
        NAME_COOKIE,
        encode_name(display_name),
        true,
        secure,
    ));
    match csrf {
        Some(csrf) => jar.add(cookie(CSRF_COOKIE, csrf.to_owned(), true, secure)),
        None => jar,
    }
}

pub fn forget(jar: CookieJar) -> CookieJar {
    [TOKEN_COOKIE, CSRF_COOKIE, NAME_COOKIE]
        .into_iter()
        .fold(jar, |jar, name| jar.remove(Cookie::build(name).path("/").build()))
}

pub fn language_cookie(lang: Lang, secure: bool) -> Cookie<'static> {
    let mut cookie = cookie(LANG_COOKIE, lang.code().to_owned(), false, secure);
    cookie.set_max_age(Some(time::Duration::days(365)));
    cookie
}

/// A fresh random value for the CSRF cookie.
pub fn new_csrf() -> String {
    format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

/// Cookie values are ASCII: the name travels as hexadecimal UTF-8.
fn encode_name(name: &str) -> String {
    name.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_name(hex: &str) -> String {
    let bytes: Vec<u8> =
        (0..hex.len() / 2).filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()).collect();
    String::from_utf8(bytes).unwrap_or_default()
}

/// Percent-encodes a path for a `next=` query value.
pub fn encode_query(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Where to go after signing in: only a path of this site, never another address.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => path,
        _ => "/",
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Session {
    type Rejection = crate::page::PageError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Session>().cloned().ok_or(crate::page::PageError::SignIn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_survive_the_cookie() {
        assert_eq!(decode_name(&encode_name("Nguyễn Thu Hà")), "Nguyễn Thu Hà");
        assert_eq!(decode_name("zz"), "");
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/customers?q=an")), "/customers?q=an");
        for outside in ["//evil.example", "https://evil.example", "/\\evil", ""] {
            assert_eq!(safe_next(Some(outside)), "/");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn csrf_values_are_compared_whole() {
        let session = Session {
            caller: Caller { username: "a".into(), role: atq_platform::Role::SalesRep, office: None },
            token: String::new(),
            display_name: String::new(),
            csrf: "abc".into(),
            lang: Lang::Vi,
            client: None,
        };
        assert!(session.csrf_matches("abc"));
        assert!(!session.csrf_matches("ab") && !session.csrf_matches("abd") && !session.csrf_matches(""));
    }
}
