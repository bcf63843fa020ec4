//! What the pages of quotes, orders, dispatch orders and invoices share: their lists' filters and
//! paging, their lines and totals as shown, the small forms behind their action buttons, and the
//! printed copies the API renders.

use std::collections::HashMap;

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::forms::FieldErrors;
use crate::UiState;
use crate::api::Answer;
use crate::format;
use crate::i18n::{Lang, Texts};
use crate::page::PageError;
use crate::session::Session;
use crate::views::{DocumentRow, ListOf, Product};

/// How many records a list page shows.
const PAGE_SIZE: &str = "50";

/// The filters of a list page, as they stand in its URL.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    pub status: String,
    pub customer_id: String,
    pub order_id: String,
    pub cursor: String,
}

impl ListQuery {
    /// The filters that are set, among `names`, in the order given.
    fn filters<'a>(&'a self, names: &[&'a str]) -> Vec<(&'a str, &'a str)> {
        names
            .iter()
            .map(|name| match *name {
                "status" => (*name, self.status.as_str()),
                "customer_id" => (*name, self.customer_id.as_str()),
                _ => (*name, self.order_id.as_str()),
            })
            .filter(|(_, value)| !value.trim().is_empty())
            .collect()
    }
}

/// One page of a list read from the API, with the link to the next page of the same filters.
pub struct ListPage {
    pub rows: Vec<DocumentRow>,
    pub next_page: String,
}

/// Reads the page of `api` (e.g. `/api/v1/quotes`) that the filters `names` of `query` ask for;
/// the next page's link goes to `page` (e.g. `/quotes`).
pub async fn read_list(
    ui: &UiState,
    session: &Session,
    (api, page): (&str, &str),
    query: &ListQuery,
    names: &[&str],
) -> Result<ListPage, PageError> {
    let filters = query.filters(names);
    let mut params = filters.clone();
    params.push(("limit", PAGE_SIZE));
    if !query.cursor.is_empty() {
        params.push(("cursor", &query.cursor));
    }
    let api_path = format!("{api}?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    let list: ListOf<DocumentRow> = ui.api.get(session.api_caller(), &api_path).await?;
    let next_page = next_page_link(page, &filters, &list.next_cursor);
    Ok(ListPage { rows: list.items, next_page })
}

/// The link to the page after this one, with the same `filters`; empty on the last page.
pub fn next_page_link(page: &str, filters: &[(&str, &str)], next_cursor: &str) -> String {
    if next_cursor.is_empty() {
        return String::new();
    }
    let next: Vec<(&str, &str)> = filters.iter().copied().chain([("cursor", next_cursor)]).collect();
    format!("{page}?{}", serde_urlencoded::to_string(&next).unwrap_or_default())
}

/// A record id filter as the page keeps it: only a number, since the value is written back into links.
pub fn id_filter(raw: &str) -> String {
    let id = raw.trim();
    if id.parse::<i64>().is_ok() { id.to_owned() } else { String::new() }
}

/// A rate the API writes as a fraction ("0.10", "0.0525") as a percentage ("10%", "5,25%").
pub fn percent(rate: &str, lang: Lang) -> String {
    let (whole, fraction) = rate.trim().split_once('.').unwrap_or((rate.trim(), ""));
    let fraction = format!("{fraction:0<4}");
    let (Ok(whole), Some(Ok(basis_points))) = (whole.parse::<i64>(), fraction.get(..4).map(str::parse::<i64>)) else {
        return rate.to_owned();
    };
    let Some(total) = whole.checked_mul(10_000).and_then(|w| w.checked_add(basis_points)) else {
        return rate.to_owned();
    };
    let (units, hundredths) = (total / 100, total % 100);
    if hundredths == 0 {
        return format!("{units}%");
    }
    let decimals = format!("{hundredths:02}");
    let separator = if lang == Lang::Vi { ',' } else { '.' };
    format!("{units}{separator}{}%", decimals.trim_end_matches('0'))
}

/// A line of a document as shown: every figure already written in the page's language.
#[derive(Default)]
pub struct LineView {
    pub model_code: String,
    pub product_name: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    pub net_unit_price: String,
    pub vat_rate: String,
    pub net_amount: String,
    pub vat_amount: String,
    pub gross_amount: String,
    /// The promotions behind the line's discount, comma separated; empty for none.
    pub promotions: String,
}

/// The totals of a document as shown.
pub struct Totals {
    pub net: String,
    pub vat: String,
    pub gross: String,
}

impl Totals {
    pub fn new(net: i64, vat: i64, gross: i64, lang: Lang) -> Totals {
        Totals { net: format::money(net, lang), vat: format::money(vat, lang), gross: format::money(gross, lang) }
    }
}

/// A product's name in the page's language (the Vietnamese one when there is no English one).
pub fn product_name(product: &Product, lang: Lang) -> String {
    match lang {
        Lang::En if !product.name_en.trim().is_empty() => product.name_en.clone(),
        _ => product.name_vi.clone(),
    }
}

/// The catalog entries of `ids`, in one call per 500; a product the API does not show is left out.
pub async fn products_by_id(
    ui: &UiState,
    session: &Session,
    mut ids: Vec<i64>,
) -> Result<HashMap<i64, Product>, PageError> {
    ids.sort_unstable();
    ids.dedup();
    let mut products = HashMap::new();
    for chunk in ids.chunks(500) {
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let found: ListOf<Product> = ui.api.get(session.api_caller(), &format!("/api/v1/products?ids={list}")).await?;
        products.extend(found.items.into_iter().map(|product| (product.id, product)));
    }
    Ok(products)
}

/// What every action button's form sends; each action reads the fields it needs.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    pub csrf: String,
    /// The record's version the page showed: acting on a record changed since is refused.
    pub version: i64,
    pub idempotency_key: String,
    /// A quote's rejection: the customer's reason.
    pub note: String,
    /// A dispatch order's rejection: the directors' reason.
    pub reason: String,
    /// The warehouse an order made from a quote ships from.
    pub warehouse: String,
    /// A director confirms an order beyond the customer's credit limit.
    pub override_credit: String,
}

/// The outcome of an action the API may refuse: its answer, or the refusal's words for the page.
pub enum Acted {
    Done(Answer),
    Refused(String),
}

/// Posts an action to the API with the version read (`If-Match`) and, for one that creates a
/// record, the form's idempotency key. A refusal (400, 409, 412, 422) comes back as text to show
/// above the buttons; any other problem becomes an error page.
pub async fn act(
    ui: &UiState,
    session: &Session,
    path: &str,
    body: &serde_json::Value,
    form: &ActionForm,
) -> Result<Acted, PageError> {
    let mut headers = Vec::new();
    if form.version > 0 {
        headers.push(("if-match", format!("\"{}\"", form.version)));
    }
    if !form.idempotency_key.is_empty() {
        headers.push(("idempotency-key", form.idempotency_key.clone()));
    }
    match ui.api.send(session.api_caller(), Method::POST, path, body, &headers).await {
        Ok(answer) => Ok(Acted::Done(answer)),
        Err(problem) => Ok(Acted::Refused(FieldErrors::from_problem(problem, session.texts())?.others(&[]))),
    }
}

/// Posts `step` of the record `id` (e.g. `/api/v1/orders/7/confirm`) and goes back to its page
/// (`{page}/{id}`); a refusal is handed to `refused`, which shows the page again with it.
pub async fn post_step(
    (ui, session): (&UiState, &Session),
    (api, page, id): (&str, &str, i64),
    (step, body): (&str, &serde_json::Value),
    form: &ActionForm,
    refused: impl AsyncFnOnce(String) -> Result<Response, PageError>,
) -> Result<Response, PageError> {
    match act(ui, session, &format!("{api}/{id}/{step}"), body, form).await? {
        Acted::Done(_) => Ok(Redirect::to(&format!("{page}/{id}")).into_response()),
        Acted::Refused(why) => refused(why).await,
    }
}

/// The id of the record an answer holds.
pub fn id_of(answer: &Answer) -> Result<i64, PageError> {
    #[derive(Deserialize)]
    struct Created {
        id: i64,
    }
    Ok(answer.json::<Created>()?.id)
}

/// The printed copy of a document, as the API renders it, with its type and file name.
pub async fn printed(ui: &UiState, session: &Session, api_path: &str) -> Result<Response, PageError> {
    let language = [("accept-language", session.lang.code().to_owned())];
    let answer = ui.api.call(session.api_caller(), Method::GET, api_path, None, &language).await?;
    let content_type =
        answer.headers.get(header::CONTENT_TYPE).cloned().unwrap_or(HeaderValue::from_static("application/pdf"));
    let mut response = (StatusCode::OK, answer.body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, content_type);
    if let Some(disposition) = answer.headers.get(header::CONTENT_DISPOSITION) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, disposition.clone());
    }
    Ok(response)
}

/// A row of a list of documents, as shown.
pub struct DocumentListRow {
    pub id: i64,
    pub number: String,
    pub customer: String,
    pub date: String,
    pub due: String,
    pub order_number: String,
    pub warehouse: String,
    pub total: String,
    pub open: String,
    pub status: String,
}

/// The rows of a list in the page's language.
pub fn list_rows(rows: Vec<DocumentRow>, t: Texts) -> Vec<DocumentListRow> {
    let money = |amount: Option<i64>| amount.map(|a| format::money(a, t.lang)).unwrap_or_default();
    let day = |date: Option<&str>| date.map(|d| format::date(d, t.lang)).unwrap_or_default();
    rows.into_iter()
        .map(|row| DocumentListRow {
            id: row.id,
            date: day(row.issue_date.as_deref().or(row.created_at.as_deref())),
            due: day(row.due_date.as_deref()),
            total: money(row.total_gross),
            open: money(row.open_amount),
            status: t.word("status", &row.status),
            warehouse: if row.warehouse.is_empty() { String::new() } else { t.word("office", &row.warehouse) },
            order_number: row.order_number.unwrap_or_default(),
            number: row.number,
            customer: row.customer_name,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_as_percentages() {
        assert_eq!(percent("0.10", Lang::Vi), "10%");
        assert_eq!(percent("0.05", Lang::En), "5%");
        assert_eq!(percent("0.0525", Lang::Vi), "5,25%");
        assert_eq!(percent("0.0525", Lang::En), "5.25%");
        assert_eq!(percent("0.125", Lang::En), "12.5%");
        assert_eq!(percent("0", Lang::Vi), "0%");
        assert_eq!(percent("ten", Lang::Vi), "ten");
    }

    #[test]
    fn only_the_filters_set_go_in_the_links() {
        let query = ListQuery { status: "sent".into(), customer_id: " ".into(), ..Default::default() };
        assert_eq!(query.filters(&["status", "customer_id"]), vec![("status", "sent")]);
    }
}
