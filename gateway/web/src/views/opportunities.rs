//! Opportunities and the pipeline as the pages read them.

use serde::Deserialize;

#[derive(Deserialize, Clone, Default)]
pub struct Opportunity {
    pub id: i64,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub customer_group: String,
    pub office: String,
    pub title: String,
    pub stage: String,
    pub expected_value: i64,
    pub expected_close_on: String,
    pub probability: i32,
    pub weighted_value: i64,
    pub owner: String,
    pub lost_reason: Option<String>,
    pub competitor: Option<String>,
    pub closed_on: Option<String>,
    pub products: Vec<OpportunityProduct>,
    pub version: i64,
}

#[derive(Deserialize, Clone, Default)]
pub struct OpportunityProduct {
    pub product_id: i64,
    pub model_code: String,
    pub product_name: String,
    pub quantity: i64,
    pub note: String,
}

#[derive(Deserialize)]
pub struct StageChange {
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub changed_by: String,
    pub changed_at: String,
    pub note: String,
}

#[derive(Deserialize)]
pub struct Pipeline {
    pub stages: Vec<StageFigures>,
    pub owners: Vec<Forecast>,
}

#[derive(Deserialize)]
pub struct StageFigures {
    pub stage: String,
    pub count: i64,
    pub value: i64,
    pub weighted_value: i64,
}

#[derive(Deserialize)]
pub struct Forecast {
    pub key: String,
    pub open_count: i64,
    pub open_value: i64,
    pub weighted_forecast: i64,
    pub won_count: i64,
    pub won_value: i64,
    pub lost_count: i64,
    pub win_rate_bp: i32,
}

/// A party of a project customer (investor, contractor...).
#[derive(Deserialize)]
pub struct ProjectParty {
    pub role: String,
    pub party_name: String,
}
