//! The SLA targets page: first-response and resolution minutes per kind and priority. Everyone
//! signed in reads the table; administrators and directors change a row in place, a refused row
//! coming back with what was typed and the error beside the field.

use askama::Template;
use atq_platform::Role;
use atq_platform::caller::Action;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::forms::{FieldErrors, check_csrf};
use crate::session::Session;

/// One row as the API sends it.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct SlaTarget {
    kind: String,
    priority: String,
    first_response_minutes: i64,
    resolution_minutes: i64,
    version: i64,
    updated_by: String,
    updated_at: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SlaTargets {
    items: Vec<SlaTarget>,
}

pub struct TargetRow {
    /// `debt-high`: the row's anchor and the suffix of its inputs' ids.
    pub key: String,
    pub action: String,
    pub kind: String,
    pub priority: String,
    pub first_response: String,
    pub resolution: String,
    pub hours: String,
    pub version: i64,
    pub changed: String,
    pub first_response_error: String,
    pub resolution_error: String,
    pub other_error: String,
}

/// Working minutes as working hours, "2h05", beside the field.
fn hours(minutes: i64) -> String {
    format!("{}h{:02}", minutes / 60, minutes % 60)
}

/// What a refused row shows again: what was typed, and the errors beside its fields.
pub struct Refused<'a> {
    kind: &'a str,
    priority: &'a str,
    form: &'a TargetForm,
    first_response: String,
    resolution: String,
    other: String,
}

const FIELDS: [&str; 2] = ["first_response_minutes", "resolution_minutes"];

fn row(target: &SlaTarget, refused: Option<&Refused>, t: Texts) -> TargetRow {
    let changed = match &target.updated_at {
        Some(at) if !target.updated_by.is_empty() => format!("{}, {}", target.updated_by, format::time(at, t.lang)),
        _ => String::new(),
    };
    let mut row = TargetRow {
        key: format!("{}-{}", target.kind, target.priority),
        action: format!("/requests/sla-targets/{}/{}", target.kind, target.priority),
        kind: t.word("request_kind", &target.kind),
        priority: t.word("priority", &target.priority),
        first_response: target.first_response_minutes.to_string(),
        resolution: target.resolution_minutes.to_string(),
        hours: format!("{} / {}", hours(target.first_response_minutes), hours(target.resolution_minutes)),
        version: target.version,
        changed,
        first_response_error: String::new(),
        resolution_error: String::new(),
        other_error: String::new(),
    };
    if let Some(refused) = refused.filter(|r| r.kind == target.kind && r.priority == target.priority) {
        row.first_response = refused.form.first_response_minutes.clone();
        row.resolution = refused.form.resolution_minutes.clone();
        row.first_response_error = refused.first_response.clone();
        row.resolution_error = refused.resolution.clone();
        row.other_error = refused.other.clone();
    }
    row
}

#[derive(Template)]
#[template(path = "request_sla_targets.html")]
struct TargetsPage {
    c: Chrome,
    rows: Vec<TargetRow>,
    may_edit: bool,
}

async fn page(ui: &UiState, session: &Session, refused: Option<Refused<'_>>) -> Result<Response, PageError> {
    let t = session.texts();
    let targets: SlaTargets = ui.api.get(session.api_caller(), "/api/v1/requests/sla-targets").await?;
    // The administrator has no requests section: the page is its own menu entry then.
    let section = if session.caller.role == Role::Admin { "/requests/sla-targets" } else { "/requests" };
    let c = Chrome::new(session, section, t.get("sla_targets.title").to_owned(), "/requests/sla-targets");
    Ok(html(&TargetsPage {
        rows: targets.items.iter().map(|target| row(target, refused.as_ref(), t)).collect(),
        may_edit: session.caller.role.may(Action::WriteCalendars),
        c,
    }))
}

pub async fn show(State(ui): State<UiState>, session: Session) -> Result<Response, PageError> {
    page(&ui, &session, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TargetForm {
    csrf: String,
    first_response_minutes: String,
    resolution_minutes: String,
    version: String,
}

/// A typed whole number of minutes, or the error to show beside its field.
fn minutes(text: &str, t: Texts) -> Result<i64, String> {
    text.trim().parse().map_err(|_| t.get("sla_targets.not_a_number").to_owned())
}

pub async fn save(
    State(ui): State<UiState>,
    session: Session,
    Path((kind, priority)): Path<(String, String)>,
    Form(form): Form<TargetForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let t = session.texts();
    let mut refused = Refused {
        kind: &kind,
        priority: &priority,
        form: &form,
        first_response: String::new(),
        resolution: String::new(),
        other: String::new(),
    };
    match (minutes(&form.first_response_minutes, t), minutes(&form.resolution_minutes, t)) {
        (Ok(first_response), Ok(resolution)) => {
            let body = serde_json::json!({
                "first_response_minutes": first_response,
                "resolution_minutes": resolution,
                "version": form.version.trim().parse::<i64>().unwrap_or(0),
            });
            let path = format!("/api/v1/requests/sla-targets/{kind}/{priority}");
            match ui.api.send(session.api_caller(), Method::PUT, &path, &body, &[]).await {
                Ok(_) => return Ok(Redirect::to(&format!("/requests/sla-targets#{kind}-{priority}")).into_response()),
                Err(problem) => {
                    let errors = FieldErrors::from_problem(problem, t)?;
                    refused.first_response = errors.of(FIELDS[0]).to_owned();
                    refused.resolution = errors.of(FIELDS[1]).to_owned();
                    refused.other = errors.others(&FIELDS);
                }
            }
        }
        (first_response, resolution) => {
            refused.first_response = first_response.err().unwrap_or_default();
            refused.resolution = resolution.err().unwrap_or_default();
        }
    }
    page(&ui, &session, Some(refused)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn a_refused_row_keeps_what_was_typed_and_shows_its_errors() {
        let t = Texts::new(Lang::En);
        let target = SlaTarget {
            kind: "debt".into(),
            priority: "high".into(),
            first_response_minutes: 120,
            resolution_minutes: 1020,
            version: 1,
            ..SlaTarget::default()
        };
        let shown = row(&target, None, t);
        assert_eq!((shown.first_response.as_str(), shown.hours.as_str()), ("120", "2h00 / 17h00"));
        let form =
            TargetForm { first_response_minutes: "0".into(), resolution_minutes: "x".into(), ..TargetForm::default() };
        let refused = Refused {
            kind: "debt",
            priority: "high",
            form: &form,
            first_response: "too small".into(),
            resolution: String::new(),
            other: String::new(),
        };
        let again = row(&target, Some(&refused), t);
        assert_eq!((again.first_response.as_str(), again.resolution.as_str()), ("0", "x"));
        assert_eq!(again.first_response_error, "too small");
        let other = SlaTarget { priority: "low".into(), ..target };
        assert!(row(&other, Some(&refused), t).first_response_error.is_empty(), "only the row sent");
    }
}
