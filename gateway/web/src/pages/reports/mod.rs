//! Reports for the directors, accounting and sales managers: sales by month (a table and its bar
//! chart, downloadable as the API's CSV), the split by office and customer group, and new
//! customers per week.

pub mod chart;
mod demand;
mod forecast;
mod service;
mod summary;

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::catalog::with_query;
use super::documents;
use super::forms::FieldErrors;
use crate::UiState;
use crate::format;
use crate::i18n::{Lang, Texts};
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::{NewCustomersRow, SalesMonth, SalesReport, SalesRow};
use chart::{Chart, Datum, columns};

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/reports", get(report))
        .route("/reports/sales.csv", get(sales_csv))
        .route("/reports/new-customers.csv", get(new_customers_csv))
        .merge(summary::router())
        .merge(forecast::router())
        .merge(demand::router())
        .merge(service::router())
}

/// The period as typed: a month `YYYY-MM` or a day `YYYY-MM-DD`, each end optional.
#[derive(Deserialize, Default)]
#[serde(default)]
struct PeriodQuery {
    from: String,
    to: String,
}

impl PeriodQuery {
    fn sales_params(&self) -> Vec<(&'static str, String)> {
        vec![("period", "month".into()), ("from", self.from.trim().into()), ("to", self.to.trim().into())]
    }

    /// The new-customers report counts days: a month stands for its first or its last day.
    fn day_params(&self) -> Vec<(&'static str, String)> {
        vec![("from", first_day(self.from.trim())), ("to", last_day(self.to.trim()))]
    }
}

fn month_start(month: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok().filter(|_| month.len() == 7)
}

fn first_day(typed: &str) -> String {
    month_start(typed).map(|d| d.to_string()).unwrap_or_else(|| typed.to_owned())
}

fn last_day(typed: &str) -> String {
    let next_month = month_start(typed).and_then(|d| d.checked_add_months(chrono::Months::new(1)));
    match next_month.and_then(|d| d.pred_opt()) {
        Some(last) => last.to_string(),
        None => typed.to_owned(),
    }
}

fn query_of(path: &str, params: &[(&'static str, String)]) -> String {
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    with_query(path, &pairs)
}

/// A month `YYYY-MM` as the language writes it: `03/2026` or `2026-03`.
fn month_label(month: &str, lang: Lang) -> String {
    match (lang, month.split_once('-')) {
        (Lang::Vi, Some((year, number))) => format!("{number}/{year}"),
        _ => month.to_owned(),
    }
}

/// An amount short enough for a bar: millions of đồng, rounded (`1.235 tr`, `1,235M`).
fn short_money(vnd: i64, lang: Lang) -> String {
    let millions = vnd.saturating_add(500_000) / 1_000_000;
    match lang {
        Lang::Vi => format!("{} tr", format::number(millions, lang)),
        Lang::En => format!("{}M", format::number(millions, lang)),
    }
}

pub struct MonthRow {
    pub month: String,
    pub orders: String,
    pub quantity: String,
    pub net: String,
    pub vat: String,
    pub gross: String,
}

pub struct SplitRow {
    pub label: String,
    pub orders: String,
    pub net: String,
    pub gross: String,
}

/// Sales split by one dimension, under its title's label.
pub struct Split {
    pub title: &'static str,
    pub rows: Vec<SplitRow>,
}

pub struct WeekRow {
    pub week: String,
    pub count: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportPage {
    c: Chrome,
    from: String,
    to: String,
    error: String,
    period: String,
    office: String,
    months: Vec<MonthRow>,
    total: MonthRow,
    splits: Vec<Split>,
    charts: Vec<Chart>,
    weeks: Vec<WeekRow>,
    sales_csv: String,
    new_customers_csv: String,
}

fn month_row(month: &SalesMonth, t: Texts) -> MonthRow {
    let f = &month.total;
    MonthRow {
        month: month_label(&month.month, t.lang),
        orders: format::number(f.orders, t.lang),
        quantity: format::number(f.quantity, t.lang),
        net: format::money(f.net, t.lang),
        vat: format::money(f.vat, t.lang),
        gross: format::money(f.gross, t.lang),
    }
}

fn split_rows(rows: &[SalesRow], kind: &str, t: Texts) -> Vec<SplitRow> {
    rows.iter()
        .map(|r| SplitRow {
            label: t.word(kind, &r.key),
            orders: format::number(r.orders, t.lang),
            net: format::money(r.net, t.lang),
            gross: format::money(r.gross, t.lang),
        })
        .collect()
}

/// The weeks in order, each with its count and its split by office and group.
fn week_rows(rows: &[NewCustomersRow], t: Texts) -> Vec<WeekRow> {
    let mut weeks: BTreeMap<&str, (i64, Vec<String>)> = BTreeMap::new();
    for row in rows {
        let week = weeks.entry(row.week_start.as_str()).or_default();
        week.0 = week.0.saturating_add(row.count);
        week.1.push(format!("{} · {}: {}", t.word("office", &row.office), t.word("group", &row.group), row.count));
    }
    weeks
        .into_iter()
        .map(|(week, (count, detail))| WeekRow {
            week: format::date(week, t.lang),
            count: format::number(count, t.lang),
            detail: detail.join("; "),
        })
        .collect()
}

fn sales_chart(report: &SalesReport, t: Texts) -> Chart {
    let data: Vec<Datum> = report
        .months
        .iter()
        .map(|m| Datum {
            label: month_label(&m.month, t.lang),
            amount: m.total.net,
            shown: short_money(m.total.net, t.lang),
            alert: false,
        })
        .collect();
    columns(t.get("reports.sales_chart").to_owned(), &data)
}

fn weeks_chart(weeks: &[WeekRow], rows: &[NewCustomersRow], t: Texts) -> Chart {
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for row in rows {
        let count = counts.entry(row.week_start.as_str()).or_default();
        *count = count.saturating_add(row.count);
    }
    let data: Vec<Datum> = counts
        .values()
        .zip(weeks)
        .map(|(count, week)| Datum {
            label: week.week.get(..5).unwrap_or(&week.week).to_owned(),
            amount: *count,
            shown: week.count.clone(),
            alert: false,
        })
        .collect();
    columns(t.get("reports.new_customers").to_owned(), &data)
}

async fn report(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let caller = session.api_caller();
    let sales = ui.api.get::<SalesReport>(caller, &query_of("/api/v1/reports/sales", &query.sales_params())).await;
    let (sales, error) = match sales {
        Ok(report) => (Some(report), String::new()),
        Err(problem) => (None, FieldErrors::from_problem(problem, t)?.others(&[])),
    };
    let new_customers = match &sales {
        Some(_) => {
            let path = query_of("/api/v1/reports/new-customers", &query.day_params());
            ui.api.get::<crate::views::NewCustomers>(caller, &path).await?.items
        }
        None => Vec::new(),
    };
    let weeks = week_rows(&new_customers, t);
    let mut charts = Vec::new();
    let c = Chrome::new(&session, "/reports", t.get("reports.title").to_owned(), "/reports");
    let mut page = ReportPage {
        c,
        error,
        period: String::new(),
        office: String::new(),
        months: Vec::new(),
        total: month_row(&SalesMonth { month: String::new(), total: Default::default() }, t),
        splits: Vec::new(),
        charts: Vec::new(),
        weeks: Vec::new(),
        sales_csv: query_of("/reports/sales.csv", &query.sales_params()),
        new_customers_csv: query_of("/reports/new-customers.csv", &query.day_params()),
        from: query.from,
        to: query.to,
    };
    if let Some(report) = sales {
        charts.push(sales_chart(&report, t));
        page.period = format!("{} – {}", format::date(&report.from, t.lang), format::date(&report.to, t.lang));
        page.office = report.office.as_deref().map(|o| t.word("office", o)).unwrap_or_default();
        page.months = report.months.iter().map(|m| month_row(m, t)).collect();
        page.total = month_row(&SalesMonth { month: t.get("reports.total").to_owned(), total: report.total }, t);
        page.splits = vec![
            Split { title: "reports.by_office", rows: split_rows(&report.by_office, "office", t) },
            Split { title: "reports.by_group", rows: split_rows(&report.by_customer_group, "group", t) },
        ];
        if !weeks.is_empty() {
            charts.push(weeks_chart(&weeks, &new_customers, t));
        }
    }
    page.charts = charts;
    page.weeks = weeks;
    Ok(html(&page))
}

async fn sales_csv(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let mut params = query.sales_params();
    params.push(("format", "csv".into()));
    documents::printed(&ui, &session, &query_of("/api/v1/reports/sales", &params)).await
}

async fn new_customers_csv(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let mut params = query.day_params();
    params.push(("format", "csv".into()));
    documents::printed(&ui, &session, &query_of("/api/v1/reports/new-customers", &params)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_stand_for_their_first_and_last_days() {
        assert_eq!(first_day("2026-02"), "2026-02-01");
        assert_eq!(last_day("2026-02"), "2026-02-28");
        assert_eq!(last_day("2026-12"), "2026-12-31");
        assert_eq!(last_day("2026-12-15"), "2026-12-15");
        assert_eq!(first_day(""), "");
    }

    #[test]
    fn months_and_short_amounts_read_as_each_language_writes_them() {
        assert_eq!(month_label("2026-03", Lang::Vi), "03/2026");
        assert_eq!(month_label("2026-03", Lang::En), "2026-03");
        assert_eq!(short_money(1_234_567_890, Lang::Vi), "1.235 tr");
        assert_eq!(short_money(400_000, Lang::En), "0M");
    }
}
