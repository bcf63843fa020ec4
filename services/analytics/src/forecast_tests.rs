use super::*;

/// Two years of a school-year pattern: high in August and September, low otherwise.
fn seasonal_two_years() -> Vec<i64> {
    let year = [10, 12, 8, 9, 11, 10, 9, 50, 60, 14, 12, 30];
    year.iter().chain(year.iter()).map(|v| v * 1_000_000).collect()
}

#[test]
fn a_series_with_a_year_of_history_repeats_last_years_month() {
    let values = seasonal_two_years();
    assert_eq!(history_months(&values), 24);
    assert_eq!(method_for(&values), Method::SeasonalNaive);
    // The month after December is January: last January's 10 million, then February's.
    let seen = outlook(&values, 3).unwrap();
    assert_eq!(seen.ahead, vec![10_000_000, 12_000_000, 8_000_000]);
    // Exactly 12 months is enough; 11 is not.
    assert_eq!(method_for(&values[12..]), Method::SeasonalNaive);
    assert_eq!(method_for(&values[13..]), Method::RecentMean);
}

#[test]
fn leading_empty_months_are_no_history() {
    let mut values = vec![0; 14];
    values.extend([3, 0, 6]);
    assert_eq!(history_months(&values), 3);
    assert_eq!(method_for(&values), Method::RecentMean);
    assert_eq!(predict(&values, Method::RecentMean, 1), Some(3));
    assert_eq!(history_months(&[0, 0]), 0);
    assert_eq!(outlook(&[0, 0], 3).unwrap().ahead, vec![0, 0, 0]);
}

#[test]
fn a_young_series_repeats_the_mean_of_its_last_three_months_rounded_half_away_from_zero() {
    // (100 + 200 + 201) / 3 = 167, as 501 / 3 = 167 exactly.
    assert_eq!(predict(&[7, 100, 200, 201], Method::RecentMean, 1), Some(167));
    // (1 + 1 + 2) / 3 = 1.33 → 1; (1 + 2 + 2) / 3 = 1.67 → 2; 1.5 → 2; −1.5 → −2.
    assert_eq!(predict(&[1, 1, 2], Method::RecentMean, 1), Some(1));
    assert_eq!(predict(&[1, 2, 2], Method::RecentMean, 4), Some(2));
    assert_eq!(predict(&[1, 2], Method::RecentMean, 1), Some(2), "two months of history: their mean");
    assert_eq!(predict(&[-1, -2], Method::RecentMean, 1), Some(-2));
    assert_eq!(divide_rounded(5, 2), Some(3));
    assert_eq!(divide_rounded(-5, 2), Some(-3));
    assert_eq!(divide_rounded(4, 0), None);
}

#[test]
fn the_seasonal_method_needs_the_month_a_year_back() {
    assert_eq!(predict(&[1; 11], Method::SeasonalNaive, 1), None);
    assert_eq!(predict(&[5; 12], Method::SeasonalNaive, 13), None);
}

#[test]
fn the_backtest_forecasts_the_last_three_months_from_the_months_before_each() {
    let mut values = seasonal_two_years();
    // This year's October to December differ from last year's by −2, +3 and +6 million.
    let last = values.len();
    values[last - 3] = 12_000_000;
    values[last - 2] = 15_000_000;
    values[last - 1] = 36_000_000;
    let test = backtest(&values).unwrap();
    let seen: Vec<_> = test.points.iter().map(|p| (p.index, p.method, p.actual, p.forecast)).collect();
    assert_eq!(
        seen,
        vec![
            (21, Method::SeasonalNaive, 12_000_000, 14_000_000),
            (22, Method::SeasonalNaive, 15_000_000, 12_000_000),
            (23, Method::SeasonalNaive, 36_000_000, 30_000_000),
        ]
    );
    // (2 + 3 + 6) / 3 = 3.67 million → 3,666,667 đồng.
    assert_eq!(test.mean_absolute_error, 3_666_667);
    // 2/12 = 1666.67 → 1667 bp; 3/15 = 2000 bp; 6/36 = 1666.67 → 1667 bp; mean 5334 / 3 = 1778.
    assert_eq!(test.mape_bp, Some(1778));
}

#[test]
fn the_backtest_takes_the_method_the_shorter_history_had() {
    // Twelve months of history in all: each month of the backtest had fewer than 12 before it.
    let values = [4, 4, 4, 4, 4, 4, 4, 4, 4, 10, 20, 0];
    assert_eq!(method_for(&values), Method::SeasonalNaive);
    let test = backtest(&values).unwrap();
    let seen: Vec<_> = test.points.iter().map(|p| (p.method, p.actual, p.forecast)).collect();
    // Before the 10: mean of 4, 4, 4; before the 20: (4 + 4 + 10) / 3 = 6; before the 0:
    // (4 + 10 + 20) / 3 = 11.33 → 11.
    assert_eq!(seen, vec![(Method::RecentMean, 10, 4), (Method::RecentMean, 20, 6), (Method::RecentMean, 0, 11)]);
    // |6| + |14| + |11| = 31, / 3 = 10.33 → 10.
    assert_eq!(test.mean_absolute_error, 10);
    // A zero actual has no percentage: 6/10 = 6000 bp and 14/20 = 7000 bp, mean 6500.
    assert_eq!(test.mape_bp, Some(6500));
}

#[test]
fn a_series_too_short_for_a_backtest_has_fewer_points_and_no_percentage_without_sales() {
    let test = backtest(&[0, 0]).unwrap();
    assert_eq!(test.points.len(), 2);
    assert_eq!((test.mean_absolute_error, test.mape_bp), (0, None));
    assert_eq!(backtest(&[]).unwrap().points.len(), 0);
}

#[test]
fn extreme_figures_do_not_overflow_silently() {
    let values = [i64::MAX, i64::MAX, i64::MAX];
    assert_eq!(predict(&values, Method::RecentMean, 1), Some(i64::MAX));
    // The error between i64::MIN and i64::MAX does not fit: the backtest says so instead of
    // wrapping.
    assert_eq!(backtest(&[i64::MIN, i64::MAX]), None);
}
