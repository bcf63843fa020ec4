//! A posted stocktake as shown: each line's expected and counted quantities, the difference
//! signed and named a surplus or a shortage, and the serial numbers missing or found over.

use askama::Template;
use atq_platform::caller::Action;
use axum::response::Response;
use serde::Deserialize;

use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::documents::{product_name, products_by_id};
use crate::session::Session;

/// A posted stocktake as the API answers it.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StockCount {
    pub number: String,
    pub warehouse: String,
    pub lines: Vec<CountResult>,
    pub created_by: String,
    pub created_at: String,
}

#[derive(Deserialize)]
pub struct CountResult {
    pub product_id: i64,
    pub condition: String,
    pub expected: i64,
    pub counted: i64,
    pub difference: i64,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub missing_serials: Vec<String>,
    #[serde(default)]
    pub surplus_serials: Vec<String>,
}

/// A posted line as shown: the difference signed, and whether it is a surplus or a shortage.
pub struct ResultRow {
    pub product_id: i64,
    pub model_code: String,
    pub name: String,
    pub condition: String,
    pub expected: String,
    pub counted: String,
    pub difference: String,
    /// `surplus`, `shortage` or `match`: the row's class and the key of its label.
    pub outcome: &'static str,
    pub reason: String,
    pub missing_serials: String,
    pub surplus_serials: String,
}

#[derive(Template)]
#[template(path = "stock_count.html")]
struct PostedPage {
    c: Chrome,
    /// Shown right after the sheet: it says so; opened from the list, it is the document alone.
    just_posted: bool,
    may_write: bool,
    count: StockCount,
    warehouse: String,
    at: String,
    rows: Vec<ResultRow>,
}

fn result_row(line: &CountResult, product: Option<&crate::views::Product>, t: Texts) -> ResultRow {
    let outcome = match line.difference {
        d if d > 0 => "surplus",
        d if d < 0 => "shortage",
        _ => "match",
    };
    let sign = if line.difference > 0 { "+" } else { "" };
    ResultRow {
        product_id: line.product_id,
        model_code: product.map(|p| p.model_code.clone()).unwrap_or_else(|| format!("#{}", line.product_id)),
        name: product.map(|p| product_name(p, t.lang)).unwrap_or_default(),
        condition: t.word("condition", &line.condition),
        expected: format::number(line.expected, t.lang),
        counted: format::number(line.counted, t.lang),
        difference: format!("{sign}{}", format::number(line.difference, t.lang)),
        outcome,
        reason: line.reason.clone(),
        missing_serials: line.missing_serials.join(", "),
        surplus_serials: line.surplus_serials.join(", "),
    }
}

/// A stocktake: the one just posted (a resubmitted sheet shows the same one: the key is the same)
/// or one opened from the list.
pub async fn count_page(
    ui: &UiState,
    session: &Session,
    count: StockCount,
    just_posted: bool,
) -> Result<Response, PageError> {
    let t = session.texts();
    let products = products_by_id(ui, session, count.lines.iter().map(|l| l.product_id).collect()).await?;
    let rows = count.lines.iter().map(|line| result_row(line, products.get(&line.product_id), t)).collect();
    let (title, here) = if just_posted {
        (format!("{} {}", t.get("counts.posted"), count.number), "/stock/counts/new".to_owned())
    } else {
        (format!("{} {}", t.get("stock_document.count"), count.number), format!("/stock/counts/{}", count.number))
    };
    let c = Chrome::new(session, "/stock", title, &here);
    Ok(html(&PostedPage {
        c,
        just_posted,
        may_write: session.caller.role.may(Action::WriteStock),
        warehouse: t.word("office", &count.warehouse),
        at: format::time(&count.created_at, t.lang),
        count,
        rows,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn a_difference_is_signed_and_named() {
        let line = |difference| CountResult {
            product_id: 1,
            condition: "good".into(),
            expected: 5,
            counted: 5 + difference,
            difference,
            reason: String::new(),
            missing_serials: Vec::new(),
            surplus_serials: Vec::new(),
        };
        let t = Texts::new(Lang::Vi);
        assert_eq!(
            (result_row(&line(2), None, t).difference, result_row(&line(2), None, t).outcome),
            ("+2".into(), "surplus")
        );
        assert_eq!(result_row(&line(-3), None, t).outcome, "shortage");
        assert_eq!(result_row(&line(0), None, t).outcome, "match");
    }
}
