//! The form that adds a supplier or changes one, for those who keep the catalog, with the API's
//! refusals beside their fields; a change sends the version read.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::product_form::{allowed, put_number, unreadable};
use super::with_query;
use crate::UiState;
use crate::api::ApiFieldError;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::session::Session;
use crate::views::Supplier;

const FORM_FIELDS: [&str; 7] =
    ["name", "country", "currency", "lead_time_days", "contact_name", "contact_email", "contact_phone"];

/// What the form holds, as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SupplierForm {
    csrf: String,
    idempotency_key: String,
    version: i64,
    name: String,
    country: String,
    currency: String,
    lead_time_days: String,
    contact_name: String,
    contact_email: String,
    contact_phone: String,
}

impl SupplierForm {
    fn of(s: Supplier) -> SupplierForm {
        SupplierForm {
            version: s.version,
            name: s.name,
            country: s.country,
            currency: s.currency,
            lead_time_days: s.lead_time_days.to_string(),
            contact_name: s.contact_name,
            contact_email: s.contact_email,
            contact_phone: s.contact_phone,
            ..SupplierForm::default()
        }
    }

    /// The body the API takes, or the fields that are not numbers (the API checks the rest).
    fn body(&self, t: Texts) -> Result<Value, Vec<ApiFieldError>> {
        let mut body = Map::new();
        for (field, value) in [
            ("name", &self.name),
            ("country", &self.country),
            ("currency", &self.currency),
            ("contact_name", &self.contact_name),
            ("contact_email", &self.contact_email),
            ("contact_phone", &self.contact_phone),
        ] {
            body.insert(field.to_owned(), value.trim().into());
        }
        let mut refused = Vec::new();
        put_number(&mut body, &mut refused, "lead_time_days", &self.lead_time_days, t);
        if self.version > 0 {
            body.insert("version".into(), self.version.into());
        }
        if refused.is_empty() { Ok(Value::Object(body)) } else { Err(refused) }
    }
}

#[derive(Template)]
#[template(path = "supplier_form.html")]
struct FormPage {
    c: Chrome,
    action: String,
    form: SupplierForm,
    errors: FieldErrors,
    other_errors: String,
}

fn form_page(session: &Session, action: String, form: SupplierForm, errors: FieldErrors) -> Response {
    let t = session.texts();
    let title =
        if form.version == 0 { t.get("catalog_edit.new_supplier") } else { t.get("catalog_edit.edit_supplier") };
    let c = Chrome::new(session, "/products", title.to_owned(), &action);
    html(&FormPage { c, action, other_errors: errors.others(&FORM_FIELDS), form, errors })
}

/// Where a saved supplier is shown: the suppliers list, found by its code.
fn saved_page(supplier: &Supplier) -> String {
    with_query("/suppliers", &[("q", &supplier.code)])
}

pub(super) async fn new_form(session: Session) -> Result<Response, PageError> {
    allowed(&session)?;
    let form =
        SupplierForm { idempotency_key: new_idempotency_key(), lead_time_days: "30".into(), ..SupplierForm::default() };
    Ok(form_page(&session, "/suppliers".into(), form, FieldErrors::default()))
}

pub(super) async fn create(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<SupplierForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let t = session.texts();
    let body = match form.body(t) {
        Ok(body) => body,
        Err(refused) => return Ok(form_page(&session, "/suppliers".into(), form, unreadable(refused, t)?)),
    };
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/suppliers", &body, &headers).await {
        Ok(answer) => Ok(Redirect::to(&saved_page(&answer.json()?)).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, t)?;
            // A corrected form is a new request: it gets a key of its own.
            let form = SupplierForm { idempotency_key: new_idempotency_key(), ..form };
            Ok(form_page(&session, "/suppliers".into(), form, errors))
        }
    }
}

pub(super) async fn edit_form(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    allowed(&session)?;
    let supplier: Supplier = ui.api.get(session.api_caller(), &format!("/api/v1/suppliers/{id}")).await?;
    Ok(form_page(&session, format!("/suppliers/{id}"), SupplierForm::of(supplier), FieldErrors::default()))
}

pub(super) async fn update(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<SupplierForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let t = session.texts();
    let action = format!("/suppliers/{id}");
    let body = match form.body(t) {
        Ok(body) => body,
        Err(refused) => return Ok(form_page(&session, action, form, unreadable(refused, t)?)),
    };
    match ui.api.send(session.api_caller(), Method::PATCH, &format!("/api/v1/suppliers/{id}"), &body, &[]).await {
        Ok(answer) => Ok(Redirect::to(&saved_page(&answer.json()?)).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, t)?;
            Ok(form_page(&session, action, form, errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_go_trimmed_and_a_lead_time_must_be_a_number() {
        let form = SupplierForm { country: " US".into(), lead_time_days: "45".into(), ..Default::default() };
        let body = form.body(Texts::new(crate::Lang::En)).unwrap_or_default();
        assert_eq!((body["country"].as_str(), body["lead_time_days"].as_i64()), (Some("US"), Some(45)));
        let form = SupplierForm { lead_time_days: "six weeks".into(), ..Default::default() };
        assert_eq!(form.body(Texts::new(crate::Lang::En)).err().map(|e| e.len()), Some(1));
    }
}
