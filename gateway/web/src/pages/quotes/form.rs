//! The form to write a new quote: the customer (given by the page that opened the form, or chosen
//! here), how long the prices hold, a note, and line rows of a product and a quantity; blank rows
//! are left out. Prices and VAT rates come from the price sheet in force, so they are not typed.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::UiState;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::documents::{id_of, product_name};
use crate::pages::forms::{FieldErrors, check_csrf, line_error_fields, new_idempotency_key, put_line_errors};
use crate::session::Session;
use crate::views::{Customer, ListOf, Product};

/// Line rows of a new form; a refused form keeps the rows it had, and at least this many.
const EMPTY_ROWS: usize = 5;
/// How many products and customers the selects offer.
const CHOICES_LIMIT: &str = "200";
/// The fields a quote's line may have errors on, as the API names them (`lines[0].quantity`).
const LINE_FIELDS: [&str; 5] = ["product_id", "quantity", "unit_price", "discount", "vat_rate"];
const HEAD_FIELDS: [&str; 4] = ["customer_id", "opportunity_id", "valid_until", "note"];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    customer_id: String,
    /// The opportunity the quote is made for ("Make a quote" on its page).
    opportunity_id: String,
}

/// What the form holds, as typed; `product_id` and `quantity` repeat once per line row.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QuoteForm {
    csrf: String,
    idempotency_key: String,
    customer_id: String,
    opportunity_id: String,
    valid_until: String,
    note: String,
    product_id: Vec<String>,
    quantity: Vec<String>,
}

/// An option of a select whose values are ids.
pub struct IdChoice {
    pub value: String,
    pub label: String,
}

/// A line row as shown: what was typed, and why it was refused.
pub struct LineRow {
    pub product_id: String,
    pub quantity: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "quote_form.html")]
struct FormPage {
    c: Chrome,
    idempotency_key: String,
    customer_id: String,
    /// Set when the customer came with the page; otherwise `customers` offers the choice.
    customer_name: String,
    customers: Vec<IdChoice>,
    /// Set when the quote is made for an opportunity.
    opportunity_id: String,
    products: Vec<IdChoice>,
    valid_until: String,
    note: String,
    rows: Vec<LineRow>,
    errors: FieldErrors,
    other_errors: String,
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
    Ok(products
        .items
        .iter()
        .map(|p| IdChoice {
            value: p.id.to_string(), label: format!("{} — {}", p.model_code, product_name(p, t.lang))
        })
        .collect())
}

async fn form_page(
    ui: &UiState,
    session: &Session,
    form: QuoteForm,
    mut rows: Vec<LineRow>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let t = session.texts();
    let (customer_name, customers) = customer_choice(ui, session, &form.customer_id).await?;
    let products = product_choices(ui, session, t).await?;
    let blank = || LineRow { product_id: String::new(), quantity: String::new(), error: String::new() };
    while rows.len() < EMPTY_ROWS {
        rows.push(blank());
    }
    let shown: Vec<String> = HEAD_FIELDS
        .iter()
        .map(|f| (*f).to_owned())
        .chain((0..rows.len()).flat_map(|i| line_error_fields(i, &LINE_FIELDS).into_iter()))
        .collect();
    let other_errors = errors.others(&shown.iter().map(String::as_str).collect::<Vec<_>>());
    let customer_id = form.customer_id.trim().to_owned();
    let opportunity_id = crate::pages::documents::id_filter(&form.opportunity_id);
    let here = match (customer_name.is_empty(), opportunity_id.is_empty()) {
        (true, _) => "/quotes/new".to_owned(),
        (false, true) => format!("/quotes/new?customer_id={customer_id}"),
        (false, false) => format!("/quotes/new?customer_id={customer_id}&opportunity_id={opportunity_id}"),
    };
    let c = Chrome::new(session, "/quotes", t.get("quotes.new").to_owned(), &here);
    Ok(html(&FormPage {
        c,
        idempotency_key: form.idempotency_key,
        customer_id,
        customer_name,
        customers,
        opportunity_id,
        products,
        valid_until: form.valid_until,
        note: form.note,
        rows,
        errors,
        other_errors,
    }))
}

pub async fn new_form(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<NewQuery>,
) -> Result<Response, PageError> {
    let form = QuoteForm {
        idempotency_key: new_idempotency_key(),
        customer_id: query.customer_id,
        opportunity_id: query.opportunity_id,
        ..Default::default()
    };
    form_page(&ui, &session, form, Vec::new(), FieldErrors::default()).await
}

/// The rows as typed, each with what is wrong with it before asking the API.
fn typed_rows(form: &QuoteForm, t: Texts) -> Vec<LineRow> {
    let count = form.product_id.len().max(form.quantity.len());
    (0..count)
        .map(|i| {
            let product_id = form.product_id.get(i).map(|p| p.trim().to_owned()).unwrap_or_default();
            let quantity = form.quantity.get(i).map(|q| q.trim().to_owned()).unwrap_or_default();
            let error = match (product_id.is_empty(), quantity.is_empty()) {
                (true, true) => "",
                (true, false) => t.get("quotes.choose_product"),
                (false, true) => t.get("quotes.quantity_required"),
                (false, false) if quantity.parse::<i64>().is_err() => t.get("quotes.quantity_whole"),
                (false, false) => "",
            };
            LineRow { product_id, quantity, error: error.to_owned() }
        })
        .collect()
}

/// The lines to send: each filled row, with the index of its row.
fn lines_to_send(rows: &[LineRow]) -> Vec<(usize, serde_json::Value)> {
    rows.iter()
        .enumerate()
        .filter(|(_, row)| !row.product_id.is_empty())
        .filter_map(|(i, row)| {
            let product_id = row.product_id.parse::<i64>().ok()?;
            let quantity = row.quantity.parse::<i64>().ok()?;
            Some((i, serde_json::json!({ "product_id": product_id, "quantity": quantity })))
        })
        .collect()
}

pub async fn create(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<QuoteForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let t = session.texts();
    let mut rows = typed_rows(&form, t);
    if rows.iter().any(|row| !row.error.is_empty()) {
        return refused_form(&ui, &session, form, rows, FieldErrors::default()).await;
    }
    let sent = lines_to_send(&rows);
    let mut body = serde_json::json!({
        "customer_id": form.customer_id.trim().parse::<i64>().unwrap_or(0),
        "valid_until": Some(form.valid_until.trim()).filter(|d| !d.is_empty()),
        "note": form.note.trim(),
        "lines": sent.iter().map(|(_, line)| line).collect::<Vec<_>>(),
    });
    if let Ok(opportunity_id) = form.opportunity_id.trim().parse::<i64>() {
        body["opportunity_id"] = opportunity_id.into();
    }
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/quotes", &body, &headers).await {
        Ok(answer) => Ok(Redirect::to(&format!("/quotes/{}", id_of(&answer)?)).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, t)?;
            put_line_errors(&errors, sent.iter().map(|(row, _)| *row), &LINE_FIELDS, &mut rows, |row| &mut row.error);
            refused_form(&ui, &session, form, rows, errors).await
        }
    }
}

/// The form again, with its errors and a fresh idempotency key: a corrected form is a new request.
async fn refused_form(
    ui: &UiState,
    session: &Session,
    form: QuoteForm,
    rows: Vec<LineRow>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let form = QuoteForm { idempotency_key: new_idempotency_key(), ..form };
    let page = form_page(ui, session, form, rows, errors).await?;
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn form(products: &[&str], quantities: &[&str]) -> QuoteForm {
        QuoteForm {
            product_id: products.iter().map(|p| (*p).to_owned()).collect(),
            quantity: quantities.iter().map(|q| (*q).to_owned()).collect(),
            ..QuoteForm::default()
        }
    }

    #[test]
    fn blank_rows_are_left_out_and_the_rest_keep_their_row() {
        let rows = typed_rows(&form(&["", "7", "", "9"], &["", "2", "", " 1 "]), Texts::new(Lang::Vi));
        assert!(rows.iter().all(|row| row.error.is_empty()));
        let sent = lines_to_send(&rows);
        assert_eq!(sent.iter().map(|(row, _)| *row).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(sent[1].1, serde_json::json!({ "product_id": 9, "quantity": 1 }));
    }

    #[test]
    fn half_filled_rows_are_refused_before_the_api_is_asked() {
        let t = Texts::new(Lang::En);
        let rows = typed_rows(&form(&["", "7", "8"], &["3", "", "two"]), t);
        let errors: Vec<&str> = rows.iter().map(|row| row.error.as_str()).collect();
        assert_eq!(
            errors,
            [t.get("quotes.choose_product"), t.get("quotes.quantity_required"), t.get("quotes.quantity_whole")]
        );
    }

    #[test]
    fn a_line_error_is_named_by_the_line_sent() {
        assert!(line_error_fields(2, &LINE_FIELDS).contains(&"lines[2].quantity".to_owned()));
        assert!(line_error_fields(0, &LINE_FIELDS).contains(&"lines[0]".to_owned()));
    }
}
