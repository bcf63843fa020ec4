//! The person's own account: changing the password (required first when it is temporary).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::forms::{FieldErrors, check_csrf};
use crate::UiState;
use crate::api::ApiProblem;
use crate::page::{Chrome, PageError, html};
use crate::session::{self, Session};

pub fn router() -> Router<UiState> {
    Router::new().route("/password", get(password_form).post(change_password))
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    c: Chrome,
    required: bool,
    errors: FieldErrors,
}

fn password_page(session: &Session, required: bool, errors: FieldErrors) -> Response {
    let t = session.texts();
    let c = Chrome::new(session, "", t.get("password.title").to_owned(), "/password");
    html(&PasswordPage { c, required, errors })
}

#[derive(serde::Deserialize)]
struct Me {
    must_change_password: bool,
}

async fn password_form(State(ui): State<UiState>, session: Session) -> Result<Response, PageError> {
    let me: Me = ui.api.get(session.api_caller(), "/api/v1/me").await?;
    Ok(password_page(&session, me.must_change_password, FieldErrors::default()))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PasswordForm {
    csrf: String,
    current_password: String,
    new_password: String,
    confirm_password: String,
}

async fn change_password(
    State(ui): State<UiState>,
    session: Session,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let t = session.texts();
    if form.new_password != form.confirm_password {
        let problem = ApiProblem {
            status: 400,
            errors: vec![crate::api::ApiFieldError {
                field: "confirm_password".into(),
                message: "must be the same as the new password".into(),
            }],
            ..Default::default()
        };
        let page = password_page(&session, false, FieldErrors::from_problem(problem, t)?);
        return Ok(page);
    }
    let body = serde_json::json!({"current_password": form.current_password, "new_password": form.new_password});
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/me/password", &body, &[]).await {
        Ok(_) => {
            // The token still says the password is temporary: trade it for one that does not.
            let renewed = atq_gateway::auth::renew_token(&ui.gateway, &session.caller.username)
                .await
                .map_err(|_| PageError::SignIn)?
                .ok_or(PageError::SignIn)?;
            let (token, user) = renewed;
            let jar = session::remember(jar, &token, &user.display_name, None, session::is_secure(&headers));
            Ok((jar, Redirect::to("/")).into_response())
        }
        Err(problem) => {
            let page = password_page(&session, false, FieldErrors::from_problem(problem, t)?);
            Ok(page)
        }
    }
}
