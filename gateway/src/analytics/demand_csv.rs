//! The demand forecast as a CSV download: one row per series and month, history then forecast,
//! so a spreadsheet can chart or sum it; each row carries its series' method and backtest error.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::forecast::{ForecastBody, SeriesBody};
use crate::problem::Problem;
use crate::wire::{CsvLayout, CsvSheet};

pub const COLUMNS: [&str; 9] =
    ["key", "model_code", "category", "month", "kind", "units", "method", "mean_absolute_error", "mape_bp"];

fn series_rows(sheet: &mut CsvSheet, series: &SeriesBody) -> Result<(), Problem> {
    let history = series.history.iter().map(|m| ("history", m));
    for (kind, month) in history.chain(series.forecast.iter().map(|m| ("forecast", m))) {
        sheet.row([
            series.key.clone(),
            series.model_code.clone().unwrap_or_default(),
            series.category.clone().unwrap_or_default(),
            month.month.clone(),
            kind.to_owned(),
            month.value.to_string(),
            series.method.clone(),
            series.mean_absolute_error.to_string(),
            series.mape_bp.map(|bp| bp.to_string()).unwrap_or_default(),
        ])?;
    }
    Ok(())
}

/// The total (`all`) first, then each product's series.
pub fn demand_csv(body: &ForecastBody) -> Result<Response, Problem> {
    let mut sheet = CsvSheet::new(CsvLayout::Plain, &COLUMNS)?;
    for series in [&body.total].into_iter().chain(&body.by_product) {
        series_rows(&mut sheet, series)?;
    }
    let name = match body.product_id {
        Some(id) => format!("demand-{id}-{}.csv", body.forecast_from),
        None => format!("demand-{}.csv", body.forecast_from),
    };
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
    ];
    Ok((headers, sheet.into_bytes()?).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::forecast::MonthFigure;

    #[test]
    fn each_month_is_a_row_history_first_with_its_series_method_and_error() {
        let month = |month: &str, value| MonthFigure { month: month.into(), value };
        let series = SeriesBody {
            key: "7".into(),
            model_code: Some("=LPLT 300".into()),
            category: Some("chemistry".into()),
            method: "mean_of_last_3_months".into(),
            reason: String::new(),
            history_months: 2,
            history: vec![month("2026-09", 1), month("2026-10", 3)],
            forecast: vec![month("2026-11", 2)],
            backtest: Vec::new(),
            mean_absolute_error: 1,
            mape_bp: None,
        };
        let mut sheet = CsvSheet::new(CsvLayout::Plain, &COLUMNS).unwrap();
        series_rows(&mut sheet, &series).unwrap();
        let text = String::from_utf8(sheet.into_bytes().unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[1], "7,'=LPLT 300,chemistry,2026-09,history,1,mean_of_last_3_months,1,");
        assert_eq!(lines[3], "7,'=LPLT 300,chemistry,2026-11,forecast,2,mean_of_last_3_months,1,");
    }
}
