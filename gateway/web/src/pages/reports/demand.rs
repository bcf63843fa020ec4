//! The demand forecast page: units per month of one product (or of every product sold), the
//! history and the months ahead as a chart and a table, the method the series took and why, its
//! error on the last complete months month by month, and the table as the API's CSV download.
//! Without a product chosen, each product sold has a row leading to its own forecast.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::chart::{Chart, Datum, columns};
use super::forecast::{SeriesView, method_text, percent};
use super::{month_label, query_of};
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::documents::{self, product_name};
use crate::pages::forms::FieldErrors;
use crate::pages::stock::catalog;
use crate::session::Session;

pub fn router() -> Router<UiState> {
    Router::new().route("/reports/demand", get(demand_page)).route("/reports/demand.csv", get(demand_csv))
}

/// How many complete months the chart and the table show before the forecast (the CSV has all).
const MONTHS_SHOWN: usize = 12;

/// The selection as typed; blanks are the API's defaults, and the API checks the rest.
#[derive(Deserialize, Default)]
#[serde(default)]
struct DemandQuery {
    product_id: String,
    horizon: String,
    office: String,
}

impl DemandQuery {
    fn params(&self) -> Vec<(&'static str, String)> {
        [("product_id", &self.product_id), ("horizon", &self.horizon), ("office", &self.office)]
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k, v.trim().to_owned()))
            .collect()
    }
}

#[derive(Deserialize)]
struct DemandView {
    office: Option<String>,
    product_id: Option<i64>,
    total: SeriesView,
    by_product: Vec<SeriesView>,
}

/// A month of the series: `history` or `forecast` (the row's class and the key of its label).
pub struct MonthRow {
    pub month: String,
    pub kind: &'static str,
    pub units: String,
}

pub struct BacktestRow {
    pub month: String,
    pub actual: String,
    pub forecast: String,
    pub off_by: String,
    pub method: String,
}

/// A product sold, with its months ahead, leading to its own forecast.
pub struct ProductRow {
    pub key: String,
    pub model_code: String,
    pub ahead: Vec<String>,
    pub method: String,
    pub error: String,
}

/// An option of the product picker: value, label, chosen.
pub struct Pick {
    pub value: String,
    pub label: String,
    pub chosen: bool,
}

#[derive(Template)]
#[template(path = "demand.html")]
struct DemandPage {
    c: Chrome,
    products: Vec<Pick>,
    horizons: Vec<(String, bool)>,
    offices: Vec<(String, String, bool)>,
    error: String,
    /// The product or office the figures are limited to, as a heading says it.
    scope: String,
    method: String,
    accuracy: String,
    chart: Option<Chart>,
    /// Bars of the chart from this index on are forecasts.
    forecast_from: usize,
    months: Vec<MonthRow>,
    backtest: Vec<BacktestRow>,
    ahead: Vec<String>,
    product_rows: Vec<ProductRow>,
    csv: String,
}

fn units(value: i64, t: Texts) -> String {
    format::number(value, t.lang)
}

/// The error on the last complete months: mean absolute error in units and MAPE.
fn accuracy(series: &SeriesView, t: Texts) -> String {
    let mae = units(series.mean_absolute_error, t);
    format!("{mae} {} · MAPE {}", t.get("demand.units"), percent(series.mape_bp, t.lang))
}

/// The last complete months shown, then the months ahead.
fn month_rows(series: &SeriesView, t: Texts) -> Vec<MonthRow> {
    let recent = &series.history[series.history.len().saturating_sub(MONTHS_SHOWN)..];
    let row = |kind: &'static str| {
        move |m: &super::forecast::MonthView| MonthRow {
            month: month_label(&m.month, t.lang),
            kind,
            units: units(m.value, t),
        }
    };
    recent.iter().map(row("history")).chain(series.forecast.iter().map(row("forecast"))).collect()
}

/// The chart of the same months as the table; the index where the forecast starts.
fn chart_of(series: &SeriesView, t: Texts) -> (Chart, usize) {
    let recent = &series.history[series.history.len().saturating_sub(MONTHS_SHOWN)..];
    let datum = |m: &super::forecast::MonthView| Datum {
        label: month_label(&m.month, t.lang),
        amount: m.value,
        shown: units(m.value, t),
        alert: false,
    };
    let data: Vec<Datum> = recent.iter().chain(&series.forecast).map(datum).collect();
    (columns(t.get("demand.chart").to_owned(), &data), recent.len())
}

fn backtest_rows(series: &SeriesView, t: Texts) -> Vec<BacktestRow> {
    series
        .backtest
        .iter()
        .map(|b| BacktestRow {
            month: month_label(&b.month, t.lang),
            actual: units(b.actual, t),
            forecast: units(b.forecast, t),
            off_by: units(b.actual.saturating_sub(b.forecast).saturating_abs(), t),
            method: t.word("forecast.method", &b.method),
        })
        .collect()
}

fn product_rows(view: &DemandView, t: Texts) -> Vec<ProductRow> {
    view.by_product
        .iter()
        .map(|series| ProductRow {
            key: series.key.clone(),
            model_code: series.model_code.clone().unwrap_or_else(|| format!("#{}", series.key)),
            ahead: series.forecast.iter().map(|m| units(m.value, t)).collect(),
            method: method_text(series, t),
            error: accuracy(series, t),
        })
        .collect()
}

/// Every product of the catalog by model code, the one asked for chosen.
async fn picks(ui: &UiState, session: &Session, chosen: &str) -> Result<Vec<Pick>, PageError> {
    let lang = session.texts().lang;
    let mut picks: Vec<Pick> = catalog(ui, session, "")
        .await?
        .into_values()
        .map(|p| Pick {
            chosen: p.id.to_string() == chosen.trim(),
            value: p.id.to_string(),
            label: format!("{} — {}", p.model_code, product_name(&p, lang)),
        })
        .collect();
    picks.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(picks)
}

/// What the figures are limited to: the product's model code, the office.
fn scope_of(view: &DemandView, picks: &[Pick], t: Texts) -> String {
    let product = view.product_id.map(|id| {
        let label = picks.iter().find(|p| p.value == id.to_string()).map(|p| p.label.clone());
        label.unwrap_or_else(|| format!("#{id}"))
    });
    let office = view.office.as_deref().map(|o| t.word("office", o));
    product.into_iter().chain(office).collect::<Vec<_>>().join(" · ")
}

async fn demand_page(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<DemandQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let path = query_of("/api/v1/reports/demand", &query.params());
    let (view, error) = match ui.api.get::<DemandView>(session.api_caller(), &path).await {
        Ok(view) => (Some(view), String::new()),
        Err(problem) => (None, FieldErrors::from_problem(problem, t)?.others(&[])),
    };
    let products = picks(&ui, &session, &query.product_id).await?;
    let charted = view.as_ref().map(|v| chart_of(&v.total, t));
    let c = Chrome::new(
        &session,
        "/reports",
        t.get("demand.title").to_owned(),
        &query_of("/reports/demand", &query.params()),
    );
    let page = DemandPage {
        c,
        scope: view.as_ref().map(|v| scope_of(v, &products, t)).unwrap_or_default(),
        error,
        method: view.as_ref().map(|v| method_text(&v.total, t)).unwrap_or_default(),
        accuracy: view.as_ref().map(|v| accuracy(&v.total, t)).unwrap_or_default(),
        forecast_from: charted.as_ref().map_or(0, |(_, from)| *from),
        chart: charted.map(|(chart, _)| chart),
        months: view.as_ref().map(|v| month_rows(&v.total, t)).unwrap_or_default(),
        backtest: view.as_ref().map(|v| backtest_rows(&v.total, t)).unwrap_or_default(),
        ahead: view
            .as_ref()
            .map(|v| v.total.forecast.iter().map(|m| month_label(&m.month, t.lang)).collect())
            .unwrap_or_default(),
        product_rows: view.as_ref().filter(|v| v.product_id.is_none()).map(|v| product_rows(v, t)).unwrap_or_default(),
        products,
        horizons: ["3", "4", "5", "6"].map(|m| (m.to_owned(), query.horizon.trim() == m)).to_vec(),
        offices: ["HN", "HCM", "DL"].map(|o| (o.to_owned(), t.word("office", o), query.office.trim() == o)).to_vec(),
        csv: query_of("/reports/demand.csv", &query.params()),
    };
    Ok(html(&page))
}

/// The API's CSV of the same selection, passed through with its name.
async fn demand_csv(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<DemandQuery>,
) -> Result<Response, PageError> {
    let mut params = query.params();
    params.push(("format", "csv".into()));
    documents::printed(&ui, &session, &query_of("/api/v1/reports/demand", &params)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn series(history: &[i64], forecast: &[i64]) -> SeriesView {
        let months = |values: &[i64], year: i32| {
            values
                .iter()
                .zip(1..)
                .map(|(v, m)| super::super::forecast::MonthView { month: format!("{year}-{m:02}"), value: *v })
                .collect()
        };
        SeriesView {
            key: "7".into(),
            model_code: Some("LPLT 300".into()),
            method: "mean_of_last_3_months".into(),
            history_months: 3,
            history: months(history, 2025),
            forecast: months(forecast, 2026),
            backtest: Vec::new(),
            mean_absolute_error: 2,
            mape_bp: Some(1_250),
        }
    }

    #[test]
    fn the_table_and_chart_show_the_last_twelve_months_then_the_forecast() {
        let t = Texts::new(Lang::Vi);
        let history: Vec<i64> = (1..=14).collect();
        let s = series(&history, &[5, 6, 7]);
        let rows = month_rows(&s, t);
        assert_eq!(rows.len(), 15);
        assert_eq!((rows[0].units.as_str(), rows[0].kind), ("3", "history"));
        assert_eq!((rows[12].month.as_str(), rows[12].kind), ("01/2026", "forecast"));
        let (chart, from) = chart_of(&s, t);
        assert_eq!((chart.bars.len(), from), (15, 12));
    }

    #[test]
    fn the_error_is_stated_in_units_and_percent() {
        let s = series(&[1, 2, 3], &[2, 2, 2]);
        assert_eq!(accuracy(&s, Texts::new(Lang::En)), "2 units · MAPE 12.50%");
        assert_eq!(accuracy(&s, Texts::new(Lang::Vi)), "2 đơn vị · MAPE 12,50 %");
    }

    #[test]
    fn blanks_are_left_to_the_api() {
        let query = DemandQuery { product_id: " 7 ".into(), ..DemandQuery::default() };
        assert_eq!(query.params(), vec![("product_id", "7".to_owned())]);
    }
}
