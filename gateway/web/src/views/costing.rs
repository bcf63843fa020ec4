//! Exchange rates and the landed-cost preview, as the costing screens show them.

use serde::Deserialize;

/// A rate as entered: VND per unit of `currency` from `effective_on`.
#[derive(Deserialize)]
pub struct ExchangeRate {
    pub currency: String,
    pub effective_on: String,
    pub rate: String,
    pub source: String,
    pub entered_by: String,
}

#[derive(Deserialize)]
pub struct ExchangeRates {
    pub items: Vec<ExchangeRate>,
}

/// Which rate a conversion used, and from which day.
#[derive(Deserialize)]
pub struct RateUsed {
    pub currency: String,
    pub rate: String,
    pub effective_on: String,
    pub source: String,
}

/// A line of the preview, in VND.
#[derive(Deserialize)]
pub struct LandedLine {
    pub model_code: String,
    pub quantity: i64,
    pub goods_value: i64,
    pub customs_value: i64,
    pub duty_rate: String,
    pub import_duty: i64,
    pub landed_total: i64,
    pub landed_unit_cost: i64,
    pub import_vat_rate: String,
    pub import_vat: i64,
}

/// A charge as typed, with what it came to in VND.
#[derive(Deserialize)]
pub struct LandedCharge {
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    pub allocation: String,
    pub amount_vnd: i64,
}

#[derive(Deserialize)]
pub struct LandedCost {
    pub rate_date: String,
    pub rates: Vec<RateUsed>,
    pub lines: Vec<LandedLine>,
    pub charges: Vec<LandedCharge>,
    pub total_goods: i64,
    pub total_charges: i64,
    pub total_duty: i64,
    pub total_landed: i64,
    pub total_import_vat: i64,
}
