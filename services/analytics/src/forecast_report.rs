//! The forecasts as reports: the monthly history analytics keeps, cut into series (the company,
//! each office, each category, each product), each given the rule of `forecast.rs`.
//!
//! The history is the 24 complete local months (Asia/Ho_Chi_Minh) before the current one; the
//! forecast covers the current month (its sales so far are not used: it is not over) and the
//! months after it, `horizon` in all.

use std::collections::BTreeMap;

use atq_platform::error::Result;
use atq_platform::{Db, Error};
use chrono::{Months, NaiveDate};

use crate::forecast::{self, Outlook};
use crate::forecast_store::{self, MonthRow};
use crate::sales_facts::first_of_month;

/// Complete months read before the current one.
pub const HISTORY_MONTHS: u32 = 24;
/// Months a forecast may cover.
pub const HORIZONS: std::ops::RangeInclusive<u32> = 3..=6;

/// What the figures are limited to.
#[derive(Clone, Copy, Debug, Default)]
pub struct Filter<'a> {
    pub office: Option<&'a str>,
    pub category: Option<&'a str>,
    pub product_id: Option<i64>,
}

impl Filter<'_> {
    fn keeps(&self, row: &MonthRow) -> bool {
        self.office.is_none_or(|o| o == row.office)
            && self.category.is_none_or(|c| c == row.category)
            && self.product_id.is_none_or(|p| p == row.product_id)
    }
}

/// One series: its key, its history and the rule's outlook on it.
#[derive(Clone, Debug)]
pub struct Series {
    /// `all`, an office code, a category or a product id.
    pub key: String,
    /// Model code and category of a product's series; empty otherwise.
    pub model_code: String,
    pub category: String,
    /// One figure per history month.
    pub history: Vec<i64>,
    pub outlook: Outlook,
}

/// The months of a forecast and its series.
pub struct Forecast {
    /// First days of the history months, oldest first.
    pub history_months: Vec<NaiveDate>,
    /// First days of the months forecast, the current one first.
    pub forecast_months: Vec<NaiveDate>,
    pub total: Series,
    pub by_office: Vec<Series>,
    pub by_category: Vec<Series>,
    pub by_product: Vec<Series>,
}

fn month_error() -> Error {
    Error::internal(anyhow::anyhow!("month out of range"))
}

fn add_months(month: NaiveDate, count: u32) -> Result<NaiveDate> {
    month.checked_add_months(Months::new(count)).ok_or_else(month_error)
}

/// Sums of one kind of series being built, by key, one slot per history month.
#[derive(Default)]
struct Tally {
    sums: BTreeMap<String, Vec<i64>>,
}

impl Tally {
    fn add(&mut self, key: &str, slot: usize, value: i64, months: usize) -> Result<()> {
        let sums = self.sums.entry(key.to_owned()).or_insert_with(|| vec![0; months]);
        let sum = sums.get_mut(slot).ok_or_else(month_error)?;
        *sum = sum.checked_add(value).ok_or_else(|| Error::internal(anyhow::anyhow!("{key} overflows")))?;
        Ok(())
    }
}

fn series(key: String, history: Vec<i64>, horizon: usize) -> Result<Series> {
    let outlook = forecast::outlook(&history, horizon)
        .ok_or_else(|| Error::internal(anyhow::anyhow!("the forecast of {key} overflows")))?;
    Ok(Series { key, model_code: String::new(), category: String::new(), history, outlook })
}

/// The forecast of monthly net revenue (`revenue`) or units (otherwise) from `today`'s month on,
/// for `horizon` months, of the sales `filter` keeps.
pub async fn forecast(db: &Db, today: NaiveDate, horizon: u32, filter: Filter<'_>, revenue: bool) -> Result<Forecast> {
    let current = first_of_month(today);
    let first = current.checked_sub_months(Months::new(HISTORY_MONTHS)).ok_or_else(month_error)?;
    let last_day = current.pred_opt().ok_or_else(month_error)?;
    let history_months = (0..HISTORY_MONTHS).map(|i| add_months(first, i)).collect::<Result<Vec<_>>>()?;
    let forecast_months = (0..horizon).map(|i| add_months(current, i)).collect::<Result<Vec<_>>>()?;
    let slots: BTreeMap<String, usize> =
        history_months.iter().enumerate().map(|(i, m)| (m.format("%Y-%m").to_string(), i)).collect();
    let months = history_months.len();
    let (mut total, mut offices, mut categories, mut products) =
        (Tally::default(), Tally::default(), Tally::default(), Tally::default());
    let mut product_names: BTreeMap<i64, (String, String)> = BTreeMap::new();
    // Revenue is forecast per office and category only: no product's series is read for it.
    let rows = if revenue {
        forecast_store::monthly_sales_by_category(db, first, last_day, filter.office).await?
    } else {
        forecast_store::monthly_sales(db, first, last_day, (filter.office, filter.product_id)).await?
    };
    for row in rows {
        let Some(&slot) = slots.get(&row.month).filter(|_| filter.keeps(&row)) else { continue };
        let value = if revenue { row.net } else { row.quantity };
        total.add("all", slot, value, months)?;
        offices.add(&row.office, slot, value, months)?;
        categories.add(&row.category, slot, value, months)?;
        if !revenue {
            products.add(&row.product_id.to_string(), slot, value, months)?;
            product_names.entry(row.product_id).or_insert((row.model_code, row.category));
        }
    }
    let horizon = forecast_months.len();
    let build = |tally: Tally| -> Result<Vec<Series>> {
        tally.sums.into_iter().map(|(key, history)| series(key, history, horizon)).collect()
    };
    let mut by_product = build(products)?;
    for one in &mut by_product {
        if let Some((model, category)) = one.key.parse().ok().and_then(|id: i64| product_names.get(&id)) {
            one.model_code.clone_from(model);
            one.category.clone_from(category);
        }
    }
    // Products by id, not by the text of it.
    by_product.sort_by_key(|s| s.key.parse::<i64>().unwrap_or_default());
    let total = match total.sums.remove("all") {
        Some(history) => series("all".to_owned(), history, horizon)?,
        None => series("all".to_owned(), vec![0; months], horizon)?,
    };
    Ok(Forecast {
        history_months,
        forecast_months,
        total,
        by_office: build(offices)?,
        by_category: build(categories)?,
        by_product,
    })
}
