//! Signing in and out, and choosing the language.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use crate::UiState;
use crate::api::Caller;
use crate::i18n::{Lang, Texts};
use crate::page::{Chrome, PageError, html};
use crate::session::{self, Session};

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/login", get(login_page).post(sign_in))
        .route("/logout", post(sign_out))
        .route("/language", post(choose_language))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    next: String,
    username: String,
    error: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(jar: CookieJar, headers: HeaderMap, Query(query): Query<NextQuery>) -> Response {
    let t = Texts::new(session::language(&jar, &headers));
    let next = session::safe_next(query.next.as_deref()).to_owned();
    html(&LoginPage {
        c: Chrome::anonymous(t, t.get("login.title").to_owned()),
        next,
        username: String::new(),
        error: String::new(),
    })
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
struct SignedIn {
    access_token: String,
    user: SignedInUser,
}

#[derive(Deserialize)]
struct SavedLanguage {
    language: String,
}

#[derive(Deserialize)]
struct SignedInUser {
    display_name: String,
}

async fn sign_in(
    State(ui): State<UiState>,
    jar: CookieJar,
    headers: HeaderMap,
    atq_gateway::auth::ClientAddress(client_ip): atq_gateway::auth::ClientAddress,
    Form(form): Form<SignInForm>,
) -> Response {
    let t = Texts::new(session::language(&jar, &headers));
    let caller = Caller { token: None, client: Some(std::net::SocketAddr::new(client_ip, 0)) };
    let body = serde_json::json!({ "username": form.username, "password": form.password });
    let answer = ui.api.send(caller, Method::POST, "/api/v1/auth/login", &body, &[]).await;
    let next = session::safe_next(Some(&form.next)).to_owned();
    let signed_in = answer.and_then(|answer| answer.json::<SignedIn>());
    match signed_in {
        Ok(signed_in) => {
            let secure = session::is_secure(&headers);
            let csrf = session::new_csrf();
            let mut jar =
                session::remember(jar, &signed_in.access_token, &signed_in.user.display_name, Some(&csrf), secure);
            // The language the person chose last time, on whichever computer.
            let me = Caller { token: Some(&signed_in.access_token), client: caller.client };
            if let Ok(saved) = ui.api.get::<SavedLanguage>(me, "/api/v1/me").await
                && let Some(lang) = Lang::parse(&saved.language)
            {
                jar = jar.add(session::language_cookie(lang, secure));
            }
            (jar, Redirect::to(&next)).into_response()
        }
        Err(problem) => {
            let error = match problem.status {
                401 => t.get("login.wrong").to_owned(),
                _ => t.message(if problem.detail.is_empty() { &problem.title } else { &problem.detail }),
            };
            let page = LoginPage {
                c: Chrome::anonymous(t, t.get("login.title").to_owned()),
                next,
                username: form.username,
                error,
            };
            // The form again with what went wrong: a normal page for the browser.
            html(&page)
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn sign_out(session: Session, jar: CookieJar, Form(form): Form<CsrfForm>) -> Result<Response, PageError> {
    super::forms::check_csrf(&session, &form.csrf)?;
    tracing::info!(username = %session.caller.username, "signed out");
    Ok((session::forget(jar), Redirect::to("/login")).into_response())
}

#[derive(Deserialize)]
struct LanguageForm {
    lang: String,
    #[serde(default)]
    next: String,
}

/// Switches the language; for a signed-in person it is also saved with their account, so it
/// follows them to another computer.
async fn choose_language(
    State(ui): State<UiState>,
    jar: CookieJar,
    headers: HeaderMap,
    atq_gateway::auth::ClientAddress(client_ip): atq_gateway::auth::ClientAddress,
    Form(form): Form<LanguageForm>,
) -> Response {
    let lang = Lang::parse(&form.lang).unwrap_or_default();
    if let Some(token) = jar.get(session::TOKEN_COOKIE).map(|c| c.value().to_owned()) {
        let caller = Caller { token: Some(&token), client: Some(std::net::SocketAddr::new(client_ip, 0)) };
        let body = serde_json::json!({ "language": lang.code() });
        // Not saved (an expired session): the cookie still switches this browser.
        let _ = ui.api.send(caller, Method::PATCH, "/api/v1/me", &body, &[]).await;
    }
    let jar = jar.add(session::language_cookie(lang, session::is_secure(&headers)));
    (jar, Redirect::to(session::safe_next(Some(&form.next)))).into_response()
}
