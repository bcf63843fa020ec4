//! The forecasting rule, on a plain monthly series (oldest month first, the last one the last
//! complete month): no database, so every figure can be checked by hand.
//!
//! The rule is chosen for being explainable to the directors rather than clever:
//! - a series with 12 or more months of history (counted from its first month with a figure)
//!   repeats the same month last year (seasonal naive): lab equipment sells to schools by the
//!   school year, so last year's month is the best simple guess;
//! - a younger series repeats the mean of its last 3 months (fewer when it is younger still),
//!   rounded half away from zero to the đồng or unit.
//!
//! Its error is measured by a backtest: each of the last 3 complete months is forecast from the
//! months before it alone (the rule choosing its method again on that shorter history), then
//! compared with what happened.

/// Months of history the seasonal rule needs: a whole year.
pub const SEASON: usize = 12;
/// Months the mean covers.
pub const MEAN_MONTHS: usize = 3;
/// Months the backtest forecasts again.
pub const BACKTEST_MONTHS: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// The same month a year earlier.
    SeasonalNaive,
    /// The mean of the last 3 months (fewer when the history is shorter).
    RecentMean,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::SeasonalNaive => "seasonal_naive",
            Method::RecentMean => "mean_of_last_3_months",
        }
    }
}

/// Months from the series' first non-zero month to its end; 0 for a series that never moved.
pub fn history_months(values: &[i64]) -> usize {
    values.iter().position(|v| *v != 0).map_or(0, |first| values.len() - first)
}

/// The method the rule takes for a history.
pub fn method_for(values: &[i64]) -> Method {
    if history_months(values) >= SEASON { Method::SeasonalNaive } else { Method::RecentMean }
}

/// `numerator / denominator` rounded half away from zero; None when the quotient leaves i64 or
/// the denominator is not positive.
pub fn divide_rounded(numerator: i128, denominator: i128) -> Option<i64> {
    if denominator <= 0 {
        return None;
    }
    let doubled = numerator.checked_mul(2)?;
    let half_up = (doubled.abs().checked_add(denominator)?) / (denominator.checked_mul(2)?);
    i64::try_from(if numerator < 0 { -half_up } else { half_up }).ok()
}

/// The forecast `ahead` months after the end of `values` (1: the month right after it), by
/// `method`. None when the history is too short for the method or a figure overflows.
pub fn predict(values: &[i64], method: Method, ahead: usize) -> Option<i64> {
    match method {
        Method::SeasonalNaive => {
            // `ahead` months after the end is `ahead - 1 - 12` months after the last one.
            let index = (values.len() + ahead).checked_sub(SEASON + 1)?;
            if ahead == 0 || ahead > SEASON { None } else { values.get(index).copied() }
        }
        Method::RecentMean => {
            let count = history_months(values).clamp(1, MEAN_MONTHS).min(values.len());
            if count == 0 {
                return Some(0);
            }
            let sum: i128 = values[values.len() - count..].iter().map(|v| i128::from(*v)).sum();
            divide_rounded(sum, i128::try_from(count).ok()?)
        }
    }
}

/// One month forecast again from the months before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BacktestPoint {
    /// Index of the month in the series.
    pub index: usize,
    pub method: Method,
    pub actual: i64,
    pub forecast: i64,
}

/// What the backtest found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backtest {
    pub points: Vec<BacktestPoint>,
    /// Mean of |actual − forecast| over the points, rounded half up.
    pub mean_absolute_error: i64,
    /// Mean absolute percentage error in basis points over the points whose actual is not zero,
    /// each point's rounded half up before the mean (itself rounded half up); None when every
    /// actual is zero.
    pub mape_bp: Option<i64>,
}

/// Forecasts each of the last 3 months of `values` from the months before it. Fewer points when
/// the series is shorter; None when a figure overflows.
pub fn backtest(values: &[i64]) -> Option<Backtest> {
    let first = values.len().saturating_sub(BACKTEST_MONTHS);
    let mut points = Vec::with_capacity(BACKTEST_MONTHS);
    for index in first..values.len() {
        let before = &values[..index];
        let method = method_for(before);
        let forecast = predict(before, method, 1)?;
        points.push(BacktestPoint { index, method, actual: values[index], forecast });
    }
    let errors: Vec<i128> = points.iter().map(|p| (i128::from(p.actual) - i128::from(p.forecast)).abs()).collect();
    let count = i128::try_from(points.len()).ok()?;
    let mean_absolute_error = if count == 0 { 0 } else { divide_rounded(errors.iter().sum(), count)? };
    let mut percentages = Vec::with_capacity(points.len());
    for (point, error) in points.iter().zip(&errors) {
        if point.actual != 0 {
            percentages.push(i128::from(divide_rounded(error.checked_mul(10_000)?, i128::from(point.actual).abs())?));
        }
    }
    let mape_bp = match i128::try_from(percentages.len()).ok()? {
        0 => None,
        n => Some(divide_rounded(percentages.iter().sum(), n)?),
    };
    Some(Backtest { points, mean_absolute_error, mape_bp })
}

/// A series' forecast: the method, why, the months ahead and the backtest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outlook {
    pub method: Method,
    pub history_months: usize,
    /// One figure per month ahead, the first the month right after the series.
    pub ahead: Vec<i64>,
    pub backtest: Backtest,
}

/// The rule applied to a series for `horizon` months (1..=12); None when a figure overflows.
pub fn outlook(values: &[i64], horizon: usize) -> Option<Outlook> {
    let method = method_for(values);
    let ahead = (1..=horizon).map(|h| predict(values, method, h)).collect::<Option<Vec<_>>>()?;
    Some(Outlook { method, history_months: history_months(values), ahead, backtest: backtest(values)? })
}

#[cfg(test)]
#[path = "forecast_tests.rs"]
mod tests;
