//! Dealer applications as the API writes them, read by the dealer pages.

use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct YearFigures {
    pub year: i32,
    pub revenue: i64,
    pub lab_sales: i64,
    pub big_brand_share_bp: i64,
    pub small_brand_share_bp: i64,
    pub staff: i64,
    pub shops: i64,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct TierCheck {
    pub tier: String,
    pub condition: String,
    pub actual: i64,
    pub required: i64,
    pub passed: bool,
    pub shortfall: i64,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct Figures {
    pub avg_lab_sales: i64,
    pub growth_bp: i64,
    pub big_brand_share_bp: i64,
    pub staff: i64,
    pub shops: i64,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct Evaluation {
    pub id: i64,
    pub rule_version_id: i64,
    pub rule_version_name: String,
    pub evaluated_on: String,
    pub decided_tier: String,
    pub figures: Figures,
    pub checks: Vec<TierCheck>,
    pub next_tier: Option<String>,
    pub gaps: Vec<TierCheck>,
    pub evaluated_by: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct Prospect {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub tax_code: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct Application {
    pub id: i64,
    pub number: String,
    pub customer_id: Option<i64>,
    pub customer_name: String,
    pub prospect: Option<Prospect>,
    pub office: String,
    pub region: String,
    pub years: Vec<YearFigures>,
    pub proposed_tier: String,
    pub note: String,
    pub status: String,
    pub evaluation: Option<Evaluation>,
    pub approved_tier: Option<String>,
    pub decision_reason: String,
    /// The dealer contract the approval made or named.
    pub contract_id: Option<i64>,
    pub decided_by: String,
    pub owner: String,
    pub version: i64,
    pub created_at: String,
}
