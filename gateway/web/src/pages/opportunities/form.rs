//! The form to open an opportunity or change one: the customer (fixed when the page came from the
//! customer, or chosen), the title, the expected value and close date, the probability, and rows
//! of products of interest; blank rows are left out.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::UiState;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::documents::id_of;
use crate::pages::documents::product_name;
use crate::pages::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::session::Session;
use crate::views::opportunities::Opportunity;
use crate::views::{Customer, ListOf, Product};

/// Product rows the form offers at least.
const PRODUCT_ROWS: usize = 3;
const FORM_FIELDS: [&str; 7] =
    ["customer_id", "title", "expected_value", "expected_close_on", "probability", "owner", "products"];

/// How many products and customers the selects offer.
const CHOICES_LIMIT: &str = "200";

/// An option of a select whose values are ids.
pub struct IdChoice {
    pub value: String,
    pub label: String,
}

/// The customer's name when the form is for one customer, else the customers to choose from.
async fn customer_choice(
    ui: &UiState,
    session: &Session,
    customer_id: &str,
) -> Result<(String, Vec<IdChoice>), PageError> {
    if let Ok(id) = customer_id.trim().parse::<i64>() {
        let customer: Customer = ui.api.get(session.api_caller(), &format!("/api/v1/customers/{id}")).await?;
        return Ok((format!("{} ({})", customer.name, customer.code), Vec::new()));
    }
    let path = format!("/api/v1/customers?limit={CHOICES_LIMIT}");
    let customers: ListOf<Customer> = ui.api.get(session.api_caller(), &path).await?;
    let choices = customers
        .items
        .into_iter()
        .map(|c| IdChoice { value: c.id.to_string(), label: format!("{} ({})", c.name, c.code) })
        .collect();
    Ok((String::new(), choices))
}

async fn product_choices(ui: &UiState, session: &Session, t: Texts) -> Result<Vec<IdChoice>, PageError> {
    let path = format!("/api/v1/products?limit={CHOICES_LIMIT}");
    let products: ListOf<Product> = ui.api.get(session.api_caller(), &path).await?;
    let label = |p: &Product| format!("{} — {}", p.model_code, product_name(p, t.lang));
    Ok(products.items.iter().map(|p| IdChoice { value: p.id.to_string(), label: label(p) }).collect())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    customer_id: String,
}

/// What the form holds, as typed; `product_id` and `quantity` repeat once per row.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OpportunityForm {
    csrf: String,
    idempotency_key: String,
    version: i64,
    customer_id: String,
    title: String,
    expected_value: String,
    expected_close_on: String,
    probability: String,
    owner: String,
    product_id: Vec<String>,
    quantity: Vec<String>,
}

/// A product row as shown: what was typed, and why the product was refused.
pub struct ProductRow {
    pub product_id: String,
    pub quantity: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "opportunity_form.html")]
struct FormPage {
    c: Chrome,
    action: String,
    form: OpportunityForm,
    customer_name: String,
    customers: Vec<IdChoice>,
    products: Vec<IdChoice>,
    rows: Vec<ProductRow>,
    errors: FieldErrors,
    other_errors: String,
}

async fn form_page(
    ui: &UiState,
    session: &Session,
    action: String,
    form: OpportunityForm,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let t = session.texts();
    let (customer_name, customers) = customer_choice(ui, session, &form.customer_id).await?;
    let products = product_choices(ui, session, t).await?;
    let count = PRODUCT_ROWS.max(form.product_id.len() + 1);
    let rows = (0..count)
        .map(|i| ProductRow {
            product_id: form.product_id.get(i).cloned().unwrap_or_default(),
            quantity: form.quantity.get(i).cloned().unwrap_or_default(),
            error: errors.of(&format!("products[{i}].product_id")).to_owned(),
        })
        .collect::<Vec<_>>();
    let title = if form.version == 0 { t.get("opportunities.new") } else { t.get("opportunities.edit") };
    let c = Chrome::new(session, "/opportunities", title.to_owned(), &action);
    let mut shown = FORM_FIELDS.to_vec();
    let product_fields: Vec<String> = (0..rows.len()).map(|i| format!("products[{i}].product_id")).collect();
    shown.extend(product_fields.iter().map(String::as_str));
    let other_errors = errors.others(&shown);
    Ok(html(&FormPage { c, action, form, customer_name, customers, products, rows, errors, other_errors }))
}

pub async fn new_form(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<NewQuery>,
) -> Result<Response, PageError> {
    let form = OpportunityForm {
        idempotency_key: new_idempotency_key(),
        customer_id: query.customer_id,
        ..OpportunityForm::default()
    };
    form_page(&ui, &session, "/opportunities".into(), form, FieldErrors::default()).await
}

pub async fn edit_form(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let o: Opportunity = ui.api.get(session.api_caller(), &format!("/api/v1/opportunities/{id}")).await?;
    let form = OpportunityForm {
        version: o.version,
        customer_id: o.customer_id.to_string(),
        title: o.title,
        expected_value: o.expected_value.to_string(),
        expected_close_on: o.expected_close_on,
        probability: o.probability.to_string(),
        owner: o.owner,
        product_id: o.products.iter().map(|p| p.product_id.to_string()).collect(),
        quantity: o.products.iter().map(|p| p.quantity.to_string()).collect(),
        ..OpportunityForm::default()
    };
    form_page(&ui, &session, format!("/opportunities/{id}"), form, FieldErrors::default()).await
}

/// The filled product rows; a quantity that is not a number is sent as 0 for the API to refuse.
fn products_of(form: &OpportunityForm) -> Vec<serde_json::Value> {
    form.product_id
        .iter()
        .zip(form.quantity.iter().map(String::as_str).chain(std::iter::repeat("")))
        .filter(|(product, _)| !product.trim().is_empty())
        .map(|(product, quantity)| {
            let quantity = if quantity.trim().is_empty() { 1 } else { quantity.trim().parse::<i64>().unwrap_or(0) };
            serde_json::json!({"product_id": product.trim().parse::<i64>().unwrap_or(0), "quantity": quantity})
        })
        .collect()
}

/// A number typed in the form, or text the API refuses with the field's name.
fn number(text: &str) -> serde_json::Value {
    let digits: String = text.chars().filter(|c| !matches!(c, '.' | ',' | ' ' | '₫')).collect();
    digits.parse::<i64>().map(serde_json::Value::from).unwrap_or(serde_json::Value::from(-1))
}

fn body_of(form: &OpportunityForm) -> serde_json::Value {
    let mut body = serde_json::json!({
        "title": form.title.trim(),
        "expected_value": number(&form.expected_value),
        "expected_close_on": form.expected_close_on.trim(),
        "products": products_of(form),
    });
    if !form.probability.trim().is_empty() {
        body["probability"] = number(&form.probability);
    }
    if !form.owner.trim().is_empty() {
        body["owner"] = form.owner.trim().into();
    }
    body
}

pub async fn create(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<OpportunityForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let mut body = body_of(&form);
    body["customer_id"] = form.customer_id.trim().parse::<i64>().unwrap_or(0).into();
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/opportunities", &body, &headers).await {
        Ok(answer) => Ok(Redirect::to(&format!("/opportunities/{}", id_of(&answer)?)).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            let form = OpportunityForm { idempotency_key: new_idempotency_key(), ..form };
            form_page(&ui, &session, "/opportunities".into(), form, errors).await
        }
    }
}

pub async fn update(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<OpportunityForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let mut body = body_of(&form);
    body["version"] = form.version.into();
    let path = format!("/api/v1/opportunities/{id}");
    match ui.api.send(session.api_caller(), Method::PATCH, &path, &body, &[]).await {
        Ok(_) => Ok(Redirect::to(&path.replace("/api/v1", "")).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            form_page(&ui, &session, format!("/opportunities/{id}"), form, errors).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_product_rows_are_left_out_and_a_blank_quantity_is_one() {
        let form = OpportunityForm {
            product_id: vec!["".into(), "7".into(), "9".into()],
            quantity: vec!["".into(), "".into(), "3".into()],
            expected_value: "1.500.000".into(),
            ..OpportunityForm::default()
        };
        let body = body_of(&form);
        assert_eq!(
            body["products"],
            serde_json::json!([{"product_id": 7, "quantity": 1}, {"product_id": 9, "quantity": 3}])
        );
        assert_eq!(body["expected_value"], 1_500_000);
        assert!(body.get("probability").is_none());
    }
}
