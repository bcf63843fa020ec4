//! The form that adds a product to the catalog or changes one, for those who keep the catalog
//! (`Action::WriteCatalog`): every field the API takes, with the API's refusals beside their
//! fields. A change sends the version read, so a change made meanwhile by someone else is refused
//! rather than overwritten.

use askama::Template;
use atq_platform::caller::Action;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{BRAND_CLASSES, CATEGORIES};
use crate::UiState;
use crate::api::{ApiFieldError, ApiProblem};
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::customers::{Choice, choices};
use crate::pages::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::session::Session;
use crate::views::{CatalogProduct, ListOf, Supplier};

/// The VAT rates a product may carry, as the API writes them.
const VAT_RATES: [&str; 3] = ["0.10", "0.08", "0.05"];
const FORM_FIELDS: [&str; 13] = [
    "model_code",
    "name_vi",
    "name_en",
    "category",
    "brand",
    "brand_class",
    "supplier_id",
    "unit",
    "hs_code",
    "warranty_months",
    "serial_tracked",
    "list_price",
    "vat_rate",
];
/// How many suppliers the form offers; a company with more types the id of the rest.
const SUPPLIER_PAGE: &str = "500";

/// The forms that change the catalog are for those who may; others see the page the API would answer.
pub(super) fn allowed(session: &Session) -> Result<(), PageError> {
    if session.caller.role.may(Action::WriteCatalog) {
        return Ok(());
    }
    Err(PageError::Api(ApiProblem { status: 403, detail: "error.forbidden".into(), ..ApiProblem::default() }))
}

/// A whole number as typed, read with or without thousands separators (`1.500.000`, `1,500,000`):
/// `Ok(None)` when left empty, `Err` when it is not a whole number.
pub(super) fn whole_number(typed: &str) -> Result<Option<i64>, ()> {
    let digits: String = typed.chars().filter(|c| !matches!(c, '.' | ',' | ' ' | '\u{a0}')).collect();
    if digits.is_empty() {
        return Ok(None);
    }
    digits.parse::<i64>().map(Some).map_err(|_| ())
}

/// Puts the number typed in `field` into `body`; a field that is not a whole number is named in
/// `refused`, with the message in the page's language.
pub(super) fn put_number(
    body: &mut Map<String, Value>,
    refused: &mut Vec<ApiFieldError>,
    field: &str,
    typed: &str,
    t: Texts,
) {
    match whole_number(typed) {
        Ok(Some(number)) => {
            body.insert(field.to_owned(), number.into());
        }
        Ok(None) => {}
        Err(()) => refused
            .push(ApiFieldError { field: field.to_owned(), message: t.get("catalog_edit.whole_number").to_owned() }),
    }
}

/// The errors of fields the page could not read as numbers, shown as the API's would be.
pub(super) fn unreadable(refused: Vec<ApiFieldError>, t: Texts) -> Result<FieldErrors, PageError> {
    FieldErrors::from_problem(ApiProblem { status: 400, errors: refused, ..ApiProblem::default() }, t)
}

/// What the form holds, as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProductForm {
    csrf: String,
    idempotency_key: String,
    version: i64,
    model_code: String,
    name_vi: String,
    name_en: String,
    category: String,
    brand: String,
    brand_class: String,
    supplier_id: String,
    unit: String,
    hs_code: String,
    warranty_months: String,
    /// `"true"` when the box is ticked; a browser sends nothing for an unticked box.
    serial_tracked: String,
    list_price: String,
    vat_rate: String,
}

impl ProductForm {
    fn of(p: CatalogProduct) -> ProductForm {
        ProductForm {
            version: p.version,
            model_code: p.model_code,
            name_vi: p.name_vi,
            name_en: p.name_en,
            category: p.category,
            brand: p.brand,
            brand_class: p.brand_class,
            supplier_id: p.supplier_id.to_string(),
            unit: p.unit,
            hs_code: p.hs_code,
            warranty_months: p.warranty_months.to_string(),
            serial_tracked: if p.serial_tracked { "true".into() } else { String::new() },
            list_price: p.list_price.to_string(),
            vat_rate: p.vat_rate,
            ..ProductForm::default()
        }
    }

    /// The body the API takes, or the fields that are not numbers.
    fn body(&self, t: Texts) -> Result<Value, Vec<ApiFieldError>> {
        let mut body = Map::new();
        for (field, value) in [
            ("model_code", &self.model_code),
            ("name_vi", &self.name_vi),
            ("name_en", &self.name_en),
            ("category", &self.category),
            ("brand", &self.brand),
            ("brand_class", &self.brand_class),
            ("unit", &self.unit),
            ("hs_code", &self.hs_code),
            ("vat_rate", &self.vat_rate),
        ] {
            body.insert(field.to_owned(), value.trim().into());
        }
        body.insert("serial_tracked".into(), (self.serial_tracked == "true").into());
        let mut refused = Vec::new();
        put_number(&mut body, &mut refused, "supplier_id", &self.supplier_id, t);
        put_number(&mut body, &mut refused, "warranty_months", &self.warranty_months, t);
        put_number(&mut body, &mut refused, "list_price", &self.list_price, t);
        if self.version > 0 {
            body.insert("version".into(), self.version.into());
        }
        if refused.is_empty() { Ok(Value::Object(body)) } else { Err(refused) }
    }
}

/// A supplier as an option of the form's select.
pub struct SupplierChoice {
    pub id: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "product_form.html")]
struct FormPage {
    c: Chrome,
    action: String,
    cancel: String,
    form: ProductForm,
    errors: FieldErrors,
    other_errors: String,
    categories: Vec<Choice>,
    brand_classes: Vec<Choice>,
    vat_rates: Vec<Choice>,
    suppliers: Vec<SupplierChoice>,
}

async fn form_page(
    ui: &UiState,
    session: &Session,
    action: String,
    form: ProductForm,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let t = session.texts();
    let list: ListOf<Supplier> =
        ui.api.get(session.api_caller(), &format!("/api/v1/suppliers?limit={SUPPLIER_PAGE}")).await?;
    let suppliers = list
        .items
        .into_iter()
        .map(|s| SupplierChoice {
            selected: s.id.to_string() == form.supplier_id.trim(),
            id: s.id.to_string(),
            label: format!("{} — {}", s.code, s.name),
        })
        .collect();
    let (title, cancel) = if form.version == 0 {
        (t.get("catalog_edit.new_product"), "/products".to_owned())
    } else {
        (t.get("catalog_edit.edit_product"), action.clone())
    };
    let c = Chrome::new(session, "/products", title.to_owned(), &action);
    let vat_rates = VAT_RATES
        .into_iter()
        .map(|rate| Choice {
            value: rate,
            label: crate::pages::documents::percent(rate, t.lang),
            selected: rate == form.vat_rate,
        })
        .collect();
    Ok(html(&FormPage {
        c,
        cancel,
        other_errors: errors.others(&FORM_FIELDS),
        categories: choices(t, "category", &CATEGORIES, &form.category),
        brand_classes: choices(t, "brand_class", &BRAND_CLASSES, &form.brand_class),
        vat_rates,
        suppliers,
        action,
        form,
        errors,
    }))
}

pub(super) async fn new_form(State(ui): State<UiState>, session: Session) -> Result<Response, PageError> {
    allowed(&session)?;
    let form = ProductForm {
        idempotency_key: new_idempotency_key(),
        warranty_months: "12".into(),
        vat_rate: "0.10".into(),
        brand_class: "small".into(),
        ..ProductForm::default()
    };
    form_page(&ui, &session, "/products".into(), form, FieldErrors::default()).await
}

pub(super) async fn create(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<ProductForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let t = session.texts();
    let body = match form.body(t) {
        Ok(body) => body,
        Err(refused) => return form_page(&ui, &session, "/products".into(), form, unreadable(refused, t)?).await,
    };
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/products", &body, &headers).await {
        Ok(answer) => {
            let created: CatalogProduct = answer.json()?;
            Ok(Redirect::to(&format!("/products/{}", created.id)).into_response())
        }
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, t)?;
            // A corrected form is a new request: it gets a key of its own.
            let form = ProductForm { idempotency_key: new_idempotency_key(), ..form };
            form_page(&ui, &session, "/products".into(), form, errors).await
        }
    }
}

pub(super) async fn edit_form(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    allowed(&session)?;
    let product: CatalogProduct = ui.api.get(session.api_caller(), &format!("/api/v1/products/{id}")).await?;
    form_page(&ui, &session, format!("/products/{id}"), ProductForm::of(product), FieldErrors::default()).await
}

pub(super) async fn update(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ProductForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let t = session.texts();
    let action = format!("/products/{id}");
    let body = match form.body(t) {
        Ok(body) => body,
        Err(refused) => return form_page(&ui, &session, action, form, unreadable(refused, t)?).await,
    };
    match ui.api.send(session.api_caller(), Method::PATCH, &format!("/api/v1/products/{id}"), &body, &[]).await {
        Ok(_) => Ok(Redirect::to(&action).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, t)?;
            form_page(&ui, &session, action, form, errors).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_with_or_without_thousands_separators() {
        assert_eq!(whole_number("1.500.000"), Ok(Some(1_500_000)));
        assert_eq!(whole_number(" 1,500,000 "), Ok(Some(1_500_000)));
        assert_eq!(whole_number(""), Ok(None));
        assert_eq!(whole_number("12 tháng"), Err(()));
        assert_eq!(whole_number("99999999999999999999"), Err(()));
    }

    #[test]
    fn a_field_that_is_not_a_number_is_named_and_nothing_is_sent() {
        let form = ProductForm { list_price: "abc".into(), warranty_months: "12".into(), ..ProductForm::default() };
        let refused = form.body(Texts::new(crate::Lang::En)).err().unwrap_or_default();
        let fields: Vec<&str> = refused.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["list_price"]);
    }

    #[test]
    fn a_change_sends_the_version_read_and_an_unticked_box_as_false() {
        let form = ProductForm { version: 3, list_price: "2.000".into(), ..ProductForm::default() };
        let body = form.body(Texts::new(crate::Lang::Vi)).unwrap_or_default();
        assert_eq!(body["version"], 3);
        assert_eq!(body["list_price"], 2000);
        assert_eq!(body["serial_tracked"], false);
        assert!(body.get("warranty_months").is_none(), "an empty number is left to the API");
    }
}
