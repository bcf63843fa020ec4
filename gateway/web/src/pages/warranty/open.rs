//! Opening a warranty case (import-export's), usually from the serial lookup's button: the
//! serial, what the customer says is wrong, and when the contract promised other than the
//! catalog's warranty, its months; the customer request it came from when there is one. The
//! API checks the coverage on the day; a refused form comes back with each field's error.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use serde::Deserialize;
use serde_json::{Value, json};

use super::views::{SerialWarranty, WarrantyCase, coverage_reason, day, path_segment};
use crate::UiState;
use crate::page::{Chrome, PageError, html};
use crate::pages::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::session::Session;

const SHOWN: [&str; 4] = ["serial", "complaint", "contract_warranty_months", "request_id"];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OpenForm {
    csrf: String,
    idempotency_key: String,
    serial: String,
    product_id: String,
    complaint: String,
    contract_warranty_months: String,
    request_id: String,
}

/// The unit the form is about, as found by the lookup, in one line.
pub struct UnitSummary {
    pub product: String,
    pub customer: String,
    pub ends_on: String,
    pub in_warranty: bool,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "warranty_case_form.html")]
struct FormPage {
    c: Chrome,
    form: OpenForm,
    unit: Option<UnitSummary>,
    errors: FieldErrors,
    other_errors: String,
}

/// The unit behind the serial typed, when the lookup finds it; the form works without it.
async fn summary(ui: &UiState, session: &Session, form: &OpenForm) -> Option<UnitSummary> {
    let t = session.texts();
    let serial = form.serial.trim();
    if serial.is_empty() {
        return None;
    }
    let mut path = format!("/api/v1/warranty/serials/{}", path_segment(serial));
    if let Ok(product_id) = form.product_id.trim().parse::<i64>() {
        path.push_str(&format!("?product_id={product_id}"));
    }
    let unit: SerialWarranty = ui.api.get(session.api_caller(), &path).await.ok()?;
    Some(UnitSummary {
        product: format!("{} — {}", unit.model_code, unit.product_name),
        customer: unit.customer_name,
        ends_on: day(unit.warranty_ends_on.as_deref(), t),
        in_warranty: unit.in_warranty,
        reason: coverage_reason(&unit.coverage_reason, t),
    })
}

async fn form_page(ui: &UiState, session: &Session, form: OpenForm, errors: FieldErrors) -> Response {
    let t = session.texts();
    let unit = summary(ui, session, &form).await;
    let other_errors = errors.others(&SHOWN);
    let c = Chrome::new(session, "/warranty", t.get("warranty.new_case").to_owned(), "/warranty/cases/new");
    html(&FormPage { c, form, unit, errors, other_errors })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    serial: String,
    product_id: String,
}

pub async fn new_form(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<NewQuery>,
) -> Result<Response, PageError> {
    let form = OpenForm {
        idempotency_key: new_idempotency_key(),
        serial: query.serial.trim().to_owned(),
        product_id: query.product_id.trim().to_owned(),
        ..OpenForm::default()
    };
    Ok(form_page(&ui, &session, form, FieldErrors::default()).await)
}

/// A whole number as typed: empty is 0 (the API's "not given"); what is not a number goes as the
/// text typed, so the API refuses it by the field's name like any other wrong value.
pub fn whole_number(typed: &str) -> Value {
    let typed = typed.trim();
    if typed.is_empty() {
        return json!(0);
    }
    typed.parse::<i64>().map_or_else(|_| json!(typed), |n| json!(n))
}

fn body_of(form: &OpenForm) -> Value {
    json!({
        "serial": form.serial.trim(),
        "product_id": whole_number(&form.product_id),
        "complaint": form.complaint.trim(),
        "contract_warranty_months": whole_number(&form.contract_warranty_months),
        "request_id": whole_number(&form.request_id),
    })
}

pub async fn create(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<OpenForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    let body = body_of(&form);
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/warranty-cases", &body, &headers).await {
        Ok(answer) => {
            let opened: WarrantyCase = answer.json()?;
            Ok(Redirect::to(&format!("/warranty/cases/{}", opened.id)).into_response())
        }
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            // A corrected form is a new request.
            let form = OpenForm { idempotency_key: new_idempotency_key(), ..form };
            Ok(form_page(&ui, &session, form, errors).await)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_left_empty_are_zero_and_wrong_ones_go_as_typed() {
        assert_eq!(whole_number(" "), json!(0));
        assert_eq!(whole_number("24"), json!(24));
        assert_eq!(whole_number("hai"), json!("hai"));
        let form = OpenForm { serial: " SN-1 ".into(), complaint: "Không lên nguồn".into(), ..OpenForm::default() };
        assert_eq!(body_of(&form)["serial"], "SN-1");
        assert_eq!(body_of(&form)["contract_warranty_months"], 0);
    }
}
