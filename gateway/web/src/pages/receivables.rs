//! Receivables: the company's aging (what each customer owes by days overdue, with the totals drawn
//! as bars), and a customer's balance with its invoices, what it paid and its own aging.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::catalog::with_query;
use super::documents::{self, DocumentListRow};
use super::reports::chart::{Chart, Datum, rows};
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::{Aging, AgingBucket, Balance, Customer, DocumentRow, ListOf};

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/receivables", get(aging))
        .route("/receivables/download", get(download))
        .route("/customers/{id}/balance", get(balance))
}

/// The buckets in the API's order, with their labels.
const BUCKETS: [(&str, &str); 5] = [
    ("current", "aging.current"),
    ("1-30", "aging.days_1_30"),
    ("31-60", "aging.days_31_60"),
    ("61-90", "aging.days_61_90"),
    (">90", "aging.over_90"),
];

#[derive(Deserialize, Default)]
#[serde(default)]
struct AgingQuery {
    as_of: String,
}

/// The amount of each bucket, in the order of [`BUCKETS`], whatever order the API sent them in.
fn amounts(buckets: &[AgingBucket]) -> [i64; 5] {
    BUCKETS.map(|(name, _)| buckets.iter().filter(|b| b.bucket == name).map(|b| b.amount).sum())
}

fn overdue(amounts: &[i64; 5]) -> bool {
    amounts.iter().skip(1).any(|a| *a > 0)
}

/// The buckets as bars; the overdue ones drawn as such.
pub fn aging_chart(title: String, amounts: &[i64; 5], t: Texts) -> Chart {
    let data: Vec<Datum> = BUCKETS
        .iter()
        .zip(amounts)
        .enumerate()
        .map(|(i, ((_, label), amount))| Datum {
            label: t.get(label).to_owned(),
            amount: *amount,
            shown: format::money(*amount, t.lang),
            alert: i > 0 && *amount > 0,
        })
        .collect();
    rows(title, &data)
}

pub struct AgingRow {
    pub customer_id: i64,
    pub customer: String,
    pub amounts: Vec<String>,
    pub total: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "receivables.html")]
struct AgingPage {
    c: Chrome,
    as_of: String,
    as_of_shown: String,
    headers: Vec<&'static str>,
    rows: Vec<AgingRow>,
    totals: Vec<String>,
    grand_total: String,
    chart: Chart,
    csv: String,
    /// The opening receivables import is for those who keep the accounts.
    may_import: bool,
}

/// A date typed in the filter, kept only when it is one.
fn date_filter(typed: &str) -> &str {
    let typed = typed.trim();
    if chrono::NaiveDate::parse_from_str(typed, "%Y-%m-%d").is_ok() { typed } else { "" }
}

async fn aging(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<AgingQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let as_of = date_filter(&query.as_of);
    let report: Aging =
        ui.api.get(session.api_caller(), &with_query("/api/v1/reports/receivables-aging", &[("as_of", as_of)])).await?;
    let money = |amount: i64| format::money(amount, t.lang);
    let rows = report
        .items
        .iter()
        .map(|item| {
            let amounts = amounts(&item.buckets);
            AgingRow {
                customer_id: item.customer_id,
                customer: item.customer_name.clone(),
                amounts: amounts.iter().map(|a| money(*a)).collect(),
                total: money(item.total),
                overdue: overdue(&amounts),
            }
        })
        .collect();
    let totals = amounts(&report.totals);
    let grand_total = totals.iter().try_fold(0_i64, |sum, a| sum.checked_add(*a)).map(money).unwrap_or_default();
    let as_of_shown = format::date(&report.as_of, t.lang);
    let title = format!("{} {}", t.get("aging.chart_title"), as_of_shown);
    let c = Chrome::new(
        &session,
        "/receivables",
        t.get("aging.title").to_owned(),
        &with_query("/receivables", &[("as_of", as_of)]),
    );
    Ok(html(&AgingPage {
        c,
        as_of: as_of.to_owned(),
        as_of_shown,
        headers: BUCKETS.iter().map(|(_, label)| *label).collect(),
        rows,
        totals: totals.iter().map(|a| money(*a)).collect(),
        grand_total,
        chart: aging_chart(title, &totals, t),
        csv: with_query("/receivables/download", &[("as_of", as_of)]),
        may_import: session.caller.role.may(atq_platform::caller::Action::WriteAccounts),
    }))
}

/// The aging as the API writes it for a spreadsheet, passed through with its name.
async fn download(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<AgingQuery>,
) -> Result<Response, PageError> {
    let path =
        with_query("/api/v1/reports/receivables-aging", &[("as_of", date_filter(&query.as_of)), ("format", "csv")]);
    documents::printed(&ui, &session, &path).await
}

#[derive(Template)]
#[template(path = "customer_balance.html")]
struct BalancePage {
    c: Chrome,
    customer: Customer,
    invoiced: String,
    paid: String,
    balance: String,
    in_credit: bool,
    credit_limit: String,
    payment_terms_days: i32,
    overdue: bool,
    chart: Chart,
    invoices: Vec<DocumentListRow>,
    more_invoices: bool,
}

async fn balance(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    let t = session.texts();
    let customer: Customer = ui.api.get(session.api_caller(), &format!("/api/v1/customers/{id}")).await?;
    let balance: Balance = ui.api.get(session.api_caller(), &format!("/api/v1/customers/{id}/balance")).await?;
    let invoices: ListOf<DocumentRow> =
        ui.api.get(session.api_caller(), &format!("/api/v1/invoices?customer_id={id}&limit=50")).await?;
    let amounts = amounts(&balance.aging);
    let title = format!("{} · {}", t.get("aging.title"), customer.name);
    let c = Chrome::new(
        &session,
        "/customers",
        format!("{} {}", t.get("balance.title"), customer.name),
        &format!("/customers/{id}/balance"),
    );
    Ok(html(&BalancePage {
        c,
        invoiced: format::money(balance.invoiced, t.lang),
        paid: format::money(balance.paid, t.lang),
        balance: format::money(balance.balance, t.lang),
        in_credit: balance.balance < 0,
        credit_limit: if balance.credit_limit == 0 {
            t.get("balance.no_limit").to_owned()
        } else {
            format::money(balance.credit_limit, t.lang)
        },
        payment_terms_days: balance.payment_terms_days,
        overdue: overdue(&amounts),
        chart: aging_chart(title, &amounts, t),
        more_invoices: !invoices.next_cursor.is_empty(),
        invoices: documents::list_rows(invoices.items, t),
        customer,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn buckets_are_read_by_name_and_overdue_ones_flagged() {
        let bucket = |name: &str, amount| AgingBucket { bucket: name.into(), amount };
        let read = amounts(&[bucket(">90", 5), bucket("current", 7)]);
        assert_eq!(read, [7, 0, 0, 0, 5]);
        assert!(overdue(&read) && !overdue(&[9, 0, 0, 0, 0]));
        let chart = aging_chart("x".into(), &read, Texts::new(Lang::Vi));
        assert_eq!(chart.bars.iter().map(|b| b.alert).collect::<Vec<_>>(), [false, false, false, false, true]);
        assert_eq!(chart.bars[0].value, "7 ₫");
    }
}
