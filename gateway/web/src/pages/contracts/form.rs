//! The form for a new draft contract: its customer, name, the employee in charge, the dates it
//! was made and ends, and its value; the API numbers it and says what is wrong with it.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::UiState;
use crate::page::{Chrome, PageError, html};
use crate::pages::documents;
use crate::pages::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::session::Session;
use crate::views::{Customer, ListOf};

/// What the form holds, as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ContractForm {
    csrf: String,
    idempotency_key: String,
    customer_id: String,
    name: String,
    responsible: String,
    made_on: String,
    ends_on: String,
    value: String,
    note: String,
}

/// A customer the contract may be with.
pub struct CustomerChoice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "contract_form.html")]
struct FormPage {
    c: Chrome,
    form: ContractForm,
    customers: Vec<CustomerChoice>,
    errors: FieldErrors,
    other_errors: String,
}

const FORM_FIELDS: [&str; 7] = ["customer_id", "name", "responsible", "made_on", "ends_on", "value", "note"];

/// The customers the person may make a contract with, the one asked for among them.
async fn customer_choices(ui: &UiState, session: &Session, chosen: &str) -> Result<Vec<CustomerChoice>, PageError> {
    let page: ListOf<Customer> = ui.api.get(session.api_caller(), "/api/v1/customers?limit=500").await?;
    let mut customers = page.items;
    let chosen_id = chosen.trim().parse::<i64>().unwrap_or_default();
    if chosen_id > 0 && !customers.iter().any(|c| c.id == chosen_id) {
        let path = format!("/api/v1/customers/{chosen_id}");
        match ui.api.get::<Customer>(session.api_caller(), &path).await {
            Ok(customer) => customers.push(customer),
            Err(problem) if problem.status == 404 => {}
            Err(problem) => return Err(problem.into()),
        }
    }
    Ok(customers
        .into_iter()
        .map(|c| CustomerChoice {
            selected: c.id == chosen_id,
            value: c.id.to_string(),
            label: format!("{} — {}", c.code, c.name),
        })
        .collect())
}

async fn form_page(
    ui: &UiState,
    session: &Session,
    form: ContractForm,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let t = session.texts();
    let customers = customer_choices(ui, session, &form.customer_id).await?;
    let other_errors = errors.others(&FORM_FIELDS);
    let c = Chrome::new(session, "/contracts", t.get("contracts.new").to_owned(), "/contracts/new");
    Ok(html(&FormPage { c, form, customers, errors, other_errors }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    customer_id: String,
}

pub async fn new_form(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<NewQuery>,
) -> Result<Response, PageError> {
    let form = ContractForm {
        idempotency_key: new_idempotency_key(),
        customer_id: query.customer_id,
        responsible: session.caller.username.clone(),
        ..ContractForm::default()
    };
    form_page(&ui, &session, form, FieldErrors::default()).await
}

/// An amount of đồng as typed: digits, with `.`, spaces or `₫` as people write them; blank is 0.
fn parse_value(text: &str) -> Option<i64> {
    let digits: String = text.chars().filter(|c| !matches!(c, '.' | ' ' | '\u{a0}' | '₫')).collect();
    if digits.is_empty() {
        return Some(0);
    }
    digits.parse::<i64>().ok()
}

/// A date field left blank is not sent.
fn optional(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

pub async fn create(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<ContractForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let t = session.texts();
    let Some(value) = parse_value(&form.value) else {
        let errors = FieldErrors::from_problem(value_problem(t.get("contracts.value_invalid")), t)?;
        return form_page(&ui, &session, form, errors).await;
    };
    let body = serde_json::json!({
        "customer_id": form.customer_id.trim().parse::<i64>().unwrap_or_default(),
        "name": form.name, "responsible": form.responsible, "made_on": optional(&form.made_on),
        "ends_on": optional(&form.ends_on), "value": value, "note": form.note,
    });
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/contracts", &body, &headers).await {
        Ok(answer) => Ok(Redirect::to(&format!("/contracts/{}", documents::id_of(&answer)?)).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, t)?;
            // A corrected form is a new request: it gets a key of its own.
            let form = ContractForm { idempotency_key: new_idempotency_key(), ..form };
            form_page(&ui, &session, form, errors).await
        }
    }
}

/// The value field's refusal, already in the page's language (translating it again keeps it).
fn value_problem(message: &str) -> crate::api::ApiProblem {
    crate::api::ApiProblem {
        status: 400,
        title: String::new(),
        detail: String::new(),
        errors: vec![crate::api::ApiFieldError { field: "value".into(), message: message.to_owned() }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_as_people_type_them() {
        assert_eq!(parse_value("2.450.000.000"), Some(2_450_000_000));
        assert_eq!(parse_value("1 500 000 ₫"), Some(1_500_000));
        assert_eq!(parse_value(""), Some(0));
        assert_eq!(parse_value("hai tỷ"), None);
        assert_eq!(parse_value("1,5"), None);
    }
}
