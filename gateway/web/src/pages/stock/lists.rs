//! The transfers and stocktakes recorded, as lists paged with the API's cursor, filtered by
//! warehouse with the filter kept in the URL; each row says what moved or what differed.

use askama::Template;
use atq_platform::caller::Action;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::counts::StockCount;
use super::transfers::Transfer;
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::catalog::read_page;
use crate::pages::customers::{Choice, OFFICES, choices};
use crate::pages::documents::products_by_id;
use crate::session::Session;

/// A model code and a number, as a list row names a line (`LPLT 300 × 2`, `Model 35SA −1`).
pub struct LineMention {
    pub product_id: i64,
    pub model_code: String,
    pub amount: String,
}

pub struct TransferRow {
    pub number: String,
    pub at: String,
    pub from: String,
    pub to: String,
    pub note: String,
    pub by: String,
    pub lines: Vec<LineMention>,
}

pub struct CountRow {
    pub number: String,
    pub at: String,
    pub warehouse: String,
    pub by: String,
    pub lines_counted: String,
    /// The lines whose count differed from the books, signed.
    pub differences: Vec<LineMention>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    from_warehouse: String,
    warehouse: String,
    cursor: String,
}

/// An office code the lists know, or empty (every warehouse) for anything else.
fn known_office(typed: &str) -> &'static str {
    OFFICES.iter().find(|o| **o == typed.trim()).copied().unwrap_or_default()
}

#[derive(Template)]
#[template(path = "stock_transfers.html")]
struct TransfersPage {
    c: Chrome,
    warehouses: Vec<Choice>,
    rows: Vec<TransferRow>,
    next_page: String,
    may_write: bool,
}

/// Names each product id of `ids` by its model code (`#id` when the catalog no longer has it).
async fn model_codes(
    ui: &UiState,
    session: &Session,
    ids: Vec<i64>,
) -> Result<impl Fn(i64) -> String + use<>, PageError> {
    let products = products_by_id(ui, session, ids).await?;
    Ok(move |id: i64| products.get(&id).map(|p| p.model_code.clone()).unwrap_or_else(|| format!("#{id}")))
}

pub async fn transfers(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let from = known_office(&query.from_warehouse);
    let route = ("/api/v1/stock/transfers", "/stock/transfers");
    let (items, next_page) =
        read_page::<Transfer>(&ui, &session, route, &[("from_warehouse", from)], &query.cursor).await?;
    let ids = items.iter().flat_map(|tr| tr.lines.iter().map(|l| l.product_id)).collect();
    let code = model_codes(&ui, &session, ids).await?;
    let rows = items
        .into_iter()
        .map(|tr| TransferRow {
            at: format::time(&tr.created_at, t.lang),
            from: t.word("office", &tr.from_warehouse),
            to: t.word("office", &tr.to_warehouse),
            lines: tr
                .lines
                .iter()
                .map(|l| LineMention {
                    product_id: l.product_id,
                    model_code: code(l.product_id),
                    amount: format::number(l.quantity, t.lang),
                })
                .collect(),
            number: tr.number,
            note: tr.note,
            by: tr.created_by,
        })
        .collect();
    let c = Chrome::new(&session, "/stock", t.get("stock_lists.transfers").to_owned(), "/stock/transfers");
    let may_write = session.caller.role.may(Action::WriteStock);
    Ok(html(&TransfersPage { c, warehouses: choices(t, "office", &OFFICES, from), rows, next_page, may_write }))
}

#[derive(Template)]
#[template(path = "stock_counts.html")]
struct CountsPage {
    c: Chrome,
    warehouses: Vec<Choice>,
    rows: Vec<CountRow>,
    next_page: String,
    may_write: bool,
}

/// A difference as counted minus booked, with its sign (`+2`, `−1`).
fn signed(difference: i64, t: Texts) -> String {
    let magnitude = format::number(difference.saturating_abs(), t.lang);
    if difference < 0 { format!("−{magnitude}") } else { format!("+{magnitude}") }
}

pub async fn counts(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let warehouse = known_office(&query.warehouse);
    let route = ("/api/v1/stock/counts", "/stock/counts");
    let (items, next_page) =
        read_page::<StockCount>(&ui, &session, route, &[("warehouse", warehouse)], &query.cursor).await?;
    let ids = items.iter().flat_map(|count| count.lines.iter().map(|l| l.product_id)).collect();
    let code = model_codes(&ui, &session, ids).await?;
    let rows = items
        .into_iter()
        .map(|count| CountRow {
            at: format::time(&count.created_at, t.lang),
            warehouse: t.word("office", &count.warehouse),
            lines_counted: format::number(i64::try_from(count.lines.len()).unwrap_or(i64::MAX), t.lang),
            differences: count
                .lines
                .iter()
                .filter(|l| l.difference != 0)
                .map(|l| LineMention {
                    product_id: l.product_id,
                    model_code: code(l.product_id),
                    amount: signed(l.difference, t),
                })
                .collect(),
            number: count.number,
            by: count.created_by,
        })
        .collect();
    let c = Chrome::new(&session, "/stock", t.get("stock_lists.counts").to_owned(), "/stock/counts");
    let may_write = session.caller.role.may(Action::WriteStock);
    Ok(html(&CountsPage { c, warehouses: choices(t, "office", &OFFICES, warehouse), rows, next_page, may_write }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_difference_shows_its_sign_and_an_unknown_warehouse_is_every_warehouse() {
        let t = Texts::new(crate::Lang::Vi);
        assert_eq!((signed(-1_500, t), signed(2, t)), ("−1.500".to_owned(), "+2".to_owned()));
        assert_eq!((known_office(" HCM"), known_office("XX")), ("HCM", ""));
    }
}
