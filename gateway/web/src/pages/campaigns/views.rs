//! The answers of `/api/v1/campaigns` as the care campaign pages read them.

use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub occasion: String,
    pub offices: Vec<String>,
    pub starts_on: String,
    pub ends_on: String,
    pub cost: i64,
    pub status: String,
    pub member_count: i64,
    pub created_by: String,
    pub version: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Member {
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub office: String,
    pub status: String,
    pub updated_by: String,
    pub updated_at: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusCount {
    pub status: String,
    pub count: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Results {
    pub days: i32,
    pub window_from: String,
    pub window_to: String,
    pub member_count: i64,
    pub statuses: Vec<StatusCount>,
    pub buying_members: i64,
    pub order_count: i64,
    pub revenue: i64,
    pub gross_profit: Option<i64>,
    pub cost: i64,
    pub roi_bp: Option<i64>,
    pub roi_method: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SegmentAdded {
    pub matched: i64,
    pub added: i64,
}
