//! The catalog: products (searched, filtered by category, brand and supplier, paged), a product's
//! page with its stock in each warehouse, and the suppliers; the forms that add and change them
//! are in `product_form` and `supplier_form`.

mod product_form;
mod supplier_form;

use askama::Template;
use atq_platform::caller::Action;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::customers::{Choice, choices};
use super::documents::percent;
use crate::UiState;
use crate::format;
use crate::i18n::{Lang, Texts};
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::{CatalogProduct, ListOf, StockLevel, Supplier};

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/products", get(list).post(product_form::create))
        .route("/products/new", get(product_form::new_form))
        .route("/products/{id}", get(show).post(product_form::update))
        .route("/products/{id}/edit", get(product_form::edit_form))
        .route("/suppliers", get(suppliers).post(supplier_form::create))
        .route("/suppliers/new", get(supplier_form::new_form))
        .route("/suppliers/{id}", axum::routing::post(supplier_form::update))
        .route("/suppliers/{id}/edit", get(supplier_form::edit_form))
}

pub const CATEGORIES: [&str; 8] =
    ["physics", "chemistry", "biology", "electrical", "electronics_telecom", "it", "automation", "environment"];
pub const BRAND_CLASSES: [&str; 2] = ["big", "small"];
const PAGE_SIZE: &str = "50";

/// `path` with the non-empty `params` as its query.
pub fn with_query(path: &str, params: &[(&str, &str)]) -> String {
    let set: Vec<(&str, &str)> = params.iter().copied().filter(|(_, v)| !v.trim().is_empty()).collect();
    if set.is_empty() {
        return path.to_owned();
    }
    format!("{path}?{}", serde_urlencoded::to_string(&set).unwrap_or_default())
}

/// One page of an API list with the filters `filters`, and the link to the next page of `page`.
pub async fn read_page<T: serde::de::DeserializeOwned>(
    ui: &UiState,
    session: &Session,
    (api, page): (&str, &str),
    filters: &[(&str, &str)],
    cursor: &str,
) -> Result<(Vec<T>, String), PageError> {
    let mut params = filters.to_vec();
    params.push(("limit", PAGE_SIZE));
    params.push(("cursor", cursor));
    let list: ListOf<T> = ui.api.get(session.api_caller(), &with_query(api, &params)).await?;
    let next_page = if list.next_cursor.is_empty() {
        String::new()
    } else {
        let mut next = filters.to_vec();
        next.push(("cursor", &list.next_cursor));
        with_query(page, &next)
    };
    Ok((list.items, next_page))
}

/// A catalog product's name in the page's language.
pub fn catalog_name(product: &CatalogProduct, lang: Lang) -> String {
    match lang {
        Lang::En if !product.name_en.trim().is_empty() => product.name_en.clone(),
        _ => product.name_vi.clone(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProductQuery {
    q: String,
    category: String,
    brand: String,
    brand_class: String,
    supplier_id: String,
    cursor: String,
}

pub struct ProductRow {
    pub id: i64,
    pub model_code: String,
    pub name: String,
    pub category: String,
    pub brand: String,
    pub unit: String,
    pub list_price: String,
    pub serial_tracked: bool,
}

#[derive(Template)]
#[template(path = "products.html")]
struct ListPage {
    c: Chrome,
    q: String,
    brand: String,
    supplier_id: String,
    categories: Vec<Choice>,
    brand_classes: Vec<Choice>,
    rows: Vec<ProductRow>,
    next_page: String,
    /// The person keeps the catalog: the page offers the forms.
    may_write: bool,
}

fn product_row(p: CatalogProduct, t: Texts) -> ProductRow {
    ProductRow {
        id: p.id,
        name: catalog_name(&p, t.lang),
        category: t.word("category", &p.category),
        list_price: format::money(p.list_price, t.lang),
        serial_tracked: p.serial_tracked,
        model_code: p.model_code,
        brand: p.brand,
        unit: p.unit,
    }
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ProductQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let supplier_id = if query.supplier_id.trim().parse::<i64>().is_ok() { query.supplier_id.trim() } else { "" };
    let filters = [
        ("q", query.q.as_str()),
        ("category", &query.category),
        ("brand", &query.brand),
        ("brand_class", &query.brand_class),
        ("supplier_id", supplier_id),
    ];
    let route = ("/api/v1/products", "/products");
    let (items, next_page) = read_page::<CatalogProduct>(&ui, &session, route, &filters, &query.cursor).await?;
    let c = Chrome::new(&session, "/products", t.get("products.title").to_owned(), "/products");
    Ok(html(&ListPage {
        c,
        categories: choices(t, "category", &CATEGORIES, &query.category),
        brand_classes: choices(t, "brand_class", &BRAND_CLASSES, &query.brand_class),
        supplier_id: supplier_id.to_owned(),
        q: query.q,
        brand: query.brand,
        rows: items.into_iter().map(|p| product_row(p, t)).collect(),
        next_page,
        may_write: session.caller.role.may(Action::WriteCatalog),
    }))
}

/// A product's stock in one warehouse and condition.
pub struct LevelRow {
    pub warehouse: String,
    pub condition: String,
    pub on_hand: String,
    pub reserved: String,
    pub available: String,
}

#[derive(Template)]
#[template(path = "product.html")]
struct ShowPage {
    c: Chrome,
    product: CatalogProduct,
    name: String,
    category: String,
    brand_class: String,
    supplier: Option<Supplier>,
    list_price: String,
    vat_rate: String,
    list_price_with_vat: String,
    levels: Vec<LevelRow>,
    may_write: bool,
    /// Those who read reports are led to the product's demand forecast.
    may_read_reports: bool,
}

async fn show(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    let t = session.texts();
    let product: CatalogProduct = ui.api.get(session.api_caller(), &format!("/api/v1/products/{id}")).await?;
    let supplier =
        match ui.api.get::<Supplier>(session.api_caller(), &format!("/api/v1/suppliers/{}", product.supplier_id)).await
        {
            Ok(supplier) => Some(supplier),
            Err(problem) if problem.status == 404 => None,
            Err(problem) => return Err(problem.into()),
        };
    let levels: ListOf<StockLevel> =
        ui.api.get(session.api_caller(), &format!("/api/v1/stock?product_id={id}")).await?;
    let levels = levels
        .items
        .into_iter()
        .map(|l| LevelRow {
            warehouse: t.word("office", &l.warehouse),
            condition: t.word("condition", &l.condition),
            on_hand: format::number(l.on_hand, t.lang),
            reserved: format::number(l.reserved, t.lang),
            available: format::number(l.available, t.lang),
        })
        .collect();
    let title = format!("{} {}", t.get("products.one"), product.model_code);
    Ok(html(&ShowPage {
        c: Chrome::new(&session, "/products", title, &format!("/products/{id}")),
        name: catalog_name(&product, t.lang),
        category: t.word("category", &product.category),
        brand_class: t.word("brand_class", &product.brand_class),
        supplier,
        list_price: format::money(product.list_price, t.lang),
        vat_rate: percent(&product.vat_rate, t.lang),
        list_price_with_vat: format::money(product.list_price_with_vat, t.lang),
        levels,
        product,
        may_write: session.caller.role.may(Action::WriteCatalog),
        may_read_reports: session.caller.role.may(Action::ReadReports),
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SupplierQuery {
    q: String,
    country: String,
    cursor: String,
}

#[derive(Template)]
#[template(path = "suppliers.html")]
struct SuppliersPage {
    c: Chrome,
    q: String,
    country: String,
    rows: Vec<Supplier>,
    next_page: String,
    may_write: bool,
}

async fn suppliers(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<SupplierQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let filters = [("q", query.q.as_str()), ("country", &query.country)];
    let route = ("/api/v1/suppliers", "/suppliers");
    let (rows, next_page) = read_page::<Supplier>(&ui, &session, route, &filters, &query.cursor).await?;
    let c = Chrome::new(&session, "/products", t.get("suppliers.title").to_owned(), "/suppliers");
    let may_write = session.caller.role.may(Action::WriteCatalog);
    Ok(html(&SuppliersPage { c, q: query.q, country: query.country, rows, next_page, may_write }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_filters_set_go_in_a_link() {
        assert_eq!(with_query("/products", &[("q", "máy"), ("brand", " ")]), "/products?q=m%C3%A1y");
        assert_eq!(with_query("/products", &[("q", "")]), "/products");
    }
}
