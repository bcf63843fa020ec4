//! Stock: what each warehouse holds of each product (on hand, reserved for orders, available),
//! with the moving-average cost for those the API shows it to; the serial numbers of a product;
//! the warehouse keeper's goods receipt (in `receipt`), transfers and stocktakes (their forms in
//! `transfers` and `counts`, their lists in `lists`, each one opened from its list in `detail`).

mod counts;
mod detail;
mod lists;
mod receipt;
mod transfers;

use std::collections::HashMap;

use askama::Template;
use atq_platform::caller::Action;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::customers::{Choice, OFFICES, choices};
use super::documents::{product_name, products_by_id};
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::{ListOf, Product, SerialRow, StockLevel};

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/stock", get(list))
        .route("/stock/serials", get(serials))
        .route("/stock/receipts/new", get(receipt::new_form))
        .route("/stock/receipts", axum::routing::post(receipt::create))
        .route("/stock/transfers", get(lists::transfers).post(transfers::create))
        .route("/stock/transfers/new", get(transfers::new_form))
        .route("/stock/transfers/{number}", get(detail::transfer))
        .route("/stock/counts", get(lists::counts).post(counts::create))
        .route("/stock/counts/new", get(counts::new_sheet))
        .route("/stock/counts/{number}", get(detail::count))
}

/// How many products one read of the catalog names; a bigger catalog is read product by product.
pub const CATALOG_PAGE: &str = "500";

#[derive(Deserialize, Default)]
#[serde(default)]
struct StockQuery {
    warehouse: String,
    q: String,
    /// The number of a receipt just recorded, to say so.
    receipt: String,
}

/// A line of the stock list, as shown.
pub struct StockRow {
    pub product_id: i64,
    pub model_code: String,
    pub name: String,
    pub serial_tracked: bool,
    pub warehouse: String,
    pub condition: String,
    pub on_hand: String,
    pub reserved: String,
    pub available: String,
    pub average_cost: String,
}

#[derive(Template)]
#[template(path = "stock.html")]
struct StockPage {
    c: Chrome,
    q: String,
    warehouses: Vec<Choice>,
    rows: Vec<StockRow>,
    /// The API showed costs: the person may read them.
    shows_cost: bool,
    may_receive: bool,
    receipt: String,
}

/// The catalog's products by id: those matching `q` (every product when empty).
pub async fn catalog(ui: &UiState, session: &Session, q: &str) -> Result<HashMap<i64, Product>, PageError> {
    let mut params = vec![("limit", CATALOG_PAGE)];
    if !q.trim().is_empty() {
        params.push(("q", q.trim()));
    }
    let path = format!("/api/v1/products?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    let products: ListOf<Product> = ui.api.get(session.api_caller(), &path).await?;
    Ok(products.items.into_iter().map(|p| (p.id, p)).collect())
}

fn stock_row(level: StockLevel, product: Option<&Product>, t: Texts) -> StockRow {
    StockRow {
        product_id: level.product_id,
        model_code: product.map(|p| p.model_code.clone()).unwrap_or_else(|| format!("#{}", level.product_id)),
        name: product.map(|p| product_name(p, t.lang)).unwrap_or_default(),
        serial_tracked: product.is_some_and(|p| p.serial_tracked),
        warehouse: t.word("office", &level.warehouse),
        condition: t.word("condition", &level.condition),
        on_hand: format::number(level.on_hand, t.lang),
        reserved: format::number(level.reserved, t.lang),
        available: format::number(level.available, t.lang),
        average_cost: level.average_unit_cost.map(|c| format::money(c, t.lang)).unwrap_or_default(),
    }
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<StockQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let warehouse = OFFICES.iter().find(|o| **o == query.warehouse.trim()).copied().unwrap_or_default();
    let mut params = Vec::new();
    if !warehouse.is_empty() {
        params.push(("warehouse", warehouse));
    }
    let path = format!("/api/v1/stock?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    let levels: ListOf<StockLevel> = ui.api.get(session.api_caller(), &path).await?;
    let searching = !query.q.trim().is_empty();
    let mut products = catalog(&ui, &session, &query.q).await?;
    let levels: Vec<StockLevel> =
        levels.items.into_iter().filter(|l| !searching || products.contains_key(&l.product_id)).collect();
    let unnamed: Vec<i64> = levels.iter().map(|l| l.product_id).filter(|id| !products.contains_key(id)).collect();
    products.extend(products_by_id(&ui, &session, unnamed).await?);
    let shows_cost = levels.iter().any(|l| l.average_unit_cost.is_some());
    let mut rows: Vec<StockRow> = levels
        .into_iter()
        .map(|level| {
            let product = products.get(&level.product_id);
            stock_row(level, product, t)
        })
        .collect();
    rows.sort_by(|a, b| (&a.model_code, &a.warehouse).cmp(&(&b.model_code, &b.warehouse)));
    let c = Chrome::new(&session, "/stock", t.get("stock.title").to_owned(), "/stock");
    Ok(html(&StockPage {
        c,
        warehouses: choices(t, "office", &OFFICES, warehouse),
        q: query.q,
        rows,
        shows_cost,
        may_receive: session.caller.role.may(Action::WriteStock),
        receipt: query.receipt.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(32).collect(),
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SerialsQuery {
    product_id: String,
    warehouse: String,
}

pub struct SerialView {
    pub serial: String,
    pub warehouse: String,
    pub condition: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "stock_serials.html")]
struct SerialsPage {
    c: Chrome,
    product: Product,
    product_name: String,
    warehouses: Vec<Choice>,
    units: Vec<SerialView>,
}

async fn serials(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<SerialsQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let product_id = query.product_id.trim().parse::<i64>().unwrap_or(0);
    let product: Product = ui.api.get(session.api_caller(), &format!("/api/v1/products/{product_id}")).await?;
    let warehouse = OFFICES.iter().find(|o| **o == query.warehouse.trim()).copied().unwrap_or_default();
    let product_text = product_id.to_string();
    let mut params = vec![("product_id", product_text.as_str())];
    if !warehouse.is_empty() {
        params.push(("warehouse", warehouse));
    }
    let path = format!("/api/v1/stock/serials?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    let found: ListOf<SerialRow> = ui.api.get(session.api_caller(), &path).await?;
    let units = found
        .items
        .into_iter()
        .map(|u| SerialView {
            serial: u.serial,
            warehouse: t.word("office", &u.warehouse),
            condition: t.word("condition", &u.condition),
            status: t.word("serial_status", &u.status),
        })
        .collect();
    let title = format!("{} {}", t.get("stock.serials_of"), product.model_code);
    let c = Chrome::new(&session, "/stock", title, &format!("/stock/serials?product_id={product_id}"));
    Ok(html(&SerialsPage {
        c,
        product_name: product_name(&product, t.lang),
        product,
        warehouses: choices(t, "office", &OFFICES, warehouse),
        units,
    }))
}
