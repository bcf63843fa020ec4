//! Returns of delivered goods as the pages read them from `/api/v1/returns`.

use serde::Deserialize;

#[derive(Deserialize, Clone, Default)]
pub struct ReturnLine {
    pub model_code: String,
    pub quantity: i64,
    pub condition: String,
    pub serials: Vec<String>,
    pub unit_price: i64,
    pub net_amount: i64,
    pub vat_amount: i64,
}

/// The reducing invoice; its amounts are negative.
#[derive(Deserialize, Clone, Default)]
pub struct Adjustment {
    pub number: String,
    pub issue_date: String,
    pub total_net: i64,
    pub total_vat: i64,
    pub total_gross: i64,
}

#[derive(Deserialize, Clone, Default)]
pub struct SalesReturn {
    pub id: i64,
    pub number: String,
    pub invoice_id: i64,
    pub invoice_number: String,
    pub order_number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub office: String,
    pub returned_on: String,
    pub reason: String,
    pub lines: Vec<ReturnLine>,
    pub total_net: i64,
    pub total_vat: i64,
    pub total_gross: i64,
    pub adjustment: Option<Adjustment>,
    pub receivable_reduced: i64,
    pub customer_credit: i64,
}
