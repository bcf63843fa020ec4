//! The forecast page: monthly net revenue for the next 3 to 6 months, the company's as a chart of
//! history and forecast, each office's and category's as a table, each series with its method,
//! why, and its error on the last complete months.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::chart::{Chart, Datum, columns};
use super::{month_label, query_of, short_money};
use crate::UiState;
use crate::format;
use crate::i18n::{Lang, Texts};
use crate::page::{Chrome, PageError, html};
use crate::pages::forms::FieldErrors;
use crate::session::Session;

pub fn router() -> Router<UiState> {
    Router::new().route("/reports/forecast", get(forecast_page))
}

/// The selection as typed; blanks are the API's defaults.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ForecastQuery {
    horizon: String,
    office: String,
    category: String,
}

impl ForecastQuery {
    fn params(&self) -> Vec<(&'static str, String)> {
        [("horizon", &self.horizon), ("office", &self.office), ("category", &self.category)]
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k, v.trim().to_owned()))
            .collect()
    }
}

#[derive(Deserialize)]
struct ForecastView {
    office: Option<String>,
    total: SeriesView,
    by_office: Vec<SeriesView>,
    by_category: Vec<SeriesView>,
    pipeline: Vec<PipelineView>,
}

#[derive(Deserialize)]
struct PipelineView {
    month: String,
    opportunities: i64,
    value: i64,
    weighted: i64,
}

/// One close month of the weighted pipeline, written out.
pub struct PipelineRow {
    pub month: String,
    pub opportunities: String,
    pub value: String,
    pub weighted: String,
}

#[derive(Deserialize)]
pub(super) struct MonthView {
    pub month: String,
    pub value: i64,
}

/// One of the last complete months forecast again from the months before it alone.
#[derive(Deserialize)]
pub(super) struct BacktestView {
    pub month: String,
    pub actual: i64,
    pub forecast: i64,
    pub method: String,
}

#[derive(Deserialize)]
pub(super) struct SeriesView {
    pub key: String,
    /// A product's series (demand) names its model code.
    #[serde(default)]
    pub model_code: Option<String>,
    pub method: String,
    pub history_months: i32,
    pub history: Vec<MonthView>,
    pub forecast: Vec<MonthView>,
    #[serde(default)]
    pub backtest: Vec<BacktestView>,
    pub mean_absolute_error: i64,
    pub mape_bp: Option<i64>,
}

/// One series as a table row: the months ahead, the method and its error.
pub struct SeriesRow {
    pub label: String,
    pub ahead: Vec<String>,
    pub method: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "forecast.html")]
struct ForecastPage {
    c: Chrome,
    /// The choices of the form: value, (label,) chosen.
    horizons: Vec<(String, bool)>,
    offices: Vec<(String, String, bool)>,
    category: String,
    error: String,
    scope: String,
    months: Vec<String>,
    rows: Vec<SeriesRow>,
    chart: Option<Chart>,
    pipeline: Vec<PipelineRow>,
    /// Bars of the chart from this index on are forecasts.
    forecast_from: usize,
}

/// A share in basis points as a percentage in the language's notation.
pub(super) fn percent(bp: Option<i64>, lang: Lang) -> String {
    let Some(bp) = bp else { return "–".to_owned() };
    let (whole, hundredths) = (bp.unsigned_abs() / 100, bp.unsigned_abs() % 100);
    match lang {
        Lang::Vi => format!("{whole},{hundredths:02} %"),
        Lang::En => format!("{whole}.{hundredths:02}%"),
    }
}

/// The method and why, in the reader's language.
pub(super) fn method_text(series: &SeriesView, t: Texts) -> String {
    let months = format::number(i64::from(series.history_months), t.lang);
    format!("{} ({months} {})", t.word("forecast.method", &series.method), t.get("forecast.history_months"))
}

fn series_row(label: String, series: &SeriesView, t: Texts) -> SeriesRow {
    SeriesRow {
        label,
        ahead: series.forecast.iter().map(|m| format::money(m.value, t.lang)).collect(),
        method: method_text(series, t),
        error: format!(
            "{} · MAPE {}",
            format::money(series.mean_absolute_error, t.lang),
            percent(series.mape_bp, t.lang)
        ),
    }
}

/// The company's last 12 history months, then its forecast, as columns.
fn total_chart(total: &SeriesView, t: Texts) -> (Chart, usize) {
    let recent = &total.history[total.history.len().saturating_sub(12)..];
    let datum = |m: &MonthView| Datum {
        label: month_label(&m.month, t.lang),
        amount: m.value,
        shown: short_money(m.value, t.lang),
        alert: false,
    };
    let data: Vec<Datum> = recent.iter().chain(&total.forecast).map(datum).collect();
    (columns(t.get("forecast.chart").to_owned(), &data), recent.len())
}

fn rows_of(view: &ForecastView, t: Texts) -> Vec<SeriesRow> {
    let mut rows = vec![series_row(t.get("forecast.all").to_owned(), &view.total, t)];
    for series in &view.by_office {
        rows.push(series_row(format!("{} · {}", t.get("forecast.office"), t.word("office", &series.key)), series, t));
    }
    for series in &view.by_category {
        let label = format!("{} · {}", t.get("forecast.category"), t.word("category", &series.key));
        rows.push(series_row(label, series, t));
    }
    rows
}

fn pipeline_rows(months: &[PipelineView], t: Texts) -> Vec<PipelineRow> {
    months
        .iter()
        .map(|m| PipelineRow {
            month: if m.month == "none" { t.get("forecast.no_date").to_owned() } else { month_label(&m.month, t.lang) },
            opportunities: format::number(m.opportunities, t.lang),
            value: format::money(m.value, t.lang),
            weighted: format::money(m.weighted, t.lang),
        })
        .collect()
}

async fn forecast_page(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ForecastQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let path = query_of("/api/v1/reports/forecast", &query.params());
    let (view, error) = match ui.api.get::<ForecastView>(session.api_caller(), &path).await {
        Ok(view) => (Some(view), String::new()),
        Err(problem) => (None, FieldErrors::from_problem(problem, t)?.others(&[])),
    };
    let c = Chrome::new(&session, "/reports", t.get("forecast.title").to_owned(), "/reports/forecast");
    let months = view
        .as_ref()
        .map(|v| v.total.forecast.iter().map(|m| month_label(&m.month, t.lang)).collect())
        .unwrap_or_default();
    let charted = view.as_ref().map(|v| total_chart(&v.total, t));
    let page = ForecastPage {
        c,
        scope: view.as_ref().and_then(|v| v.office.as_deref()).map(|o| t.word("office", o)).unwrap_or_default(),
        error,
        months,
        rows: view.as_ref().map(|v| rows_of(v, t)).unwrap_or_default(),
        forecast_from: charted.as_ref().map_or(0, |(_, from)| *from),
        chart: charted.map(|(chart, _)| chart),
        pipeline: view.as_ref().map(|v| pipeline_rows(&v.pipeline, t)).unwrap_or_default(),
        horizons: ["3", "4", "5", "6"].map(|m| (m.to_owned(), query.horizon.trim() == m)).to_vec(),
        offices: ["HN", "HCM", "DL"].map(|o| (o.to_owned(), t.word("office", o), query.office.trim() == o)).to_vec(),
        category: query.category,
    };
    Ok(html(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_as_percentages_in_each_language() {
        assert_eq!(percent(Some(1_778), Lang::Vi), "17,78 %");
        assert_eq!(percent(Some(5), Lang::En), "0.05%");
        assert_eq!(percent(None, Lang::En), "–");
    }
}
