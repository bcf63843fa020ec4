//! Salespeople's daily reports and weekly summaries, and a manager's roll-up of the office.

use serde::Deserialize;

#[derive(Deserialize, Clone, Default)]
pub struct ReportActivity {
    pub kind: String,
    pub subject: String,
    #[serde(default)]
    pub customer_name: String,
    pub outcome: String,
    pub done_at: String,
}

#[derive(Deserialize, Clone, Default)]
pub struct ReportCustomer {
    pub code: String,
    pub name: String,
}

#[derive(Deserialize, Clone, Default)]
pub struct ReportDocument {
    pub number: String,
    pub customer_name: String,
    pub total_gross: i64,
}

#[derive(Deserialize, Clone, Default)]
pub struct ReportDebt {
    pub customer_id: i64,
    pub customer_name: String,
    pub balance: i64,
}

#[derive(Deserialize, Clone, Default)]
pub struct ReportFigures {
    pub activities_done: Vec<ReportActivity>,
    pub new_customers: Vec<ReportCustomer>,
    pub quotes_sent: Vec<ReportDocument>,
    pub orders_confirmed: Vec<ReportDocument>,
    pub sales_net: i64,
    pub sales_gross: i64,
    pub debts: Vec<ReportDebt>,
    pub debts_total: i64,
}

#[derive(Deserialize, Clone, Default)]
pub struct ReportEvaluation {
    pub customer_id: i64,
    #[serde(default)]
    pub customer_name: String,
    pub rating: i32,
    #[serde(default)]
    pub remark: String,
}

#[derive(Deserialize, Clone, Default)]
pub struct ReportCompetitor {
    pub competitor: String,
    pub product: String,
    pub price: i64,
    #[serde(default)]
    pub remark: String,
}

#[derive(Deserialize, Clone, Default)]
pub struct SalesReport {
    #[serde(default)]
    pub id: Option<i64>,
    pub kind: String,
    pub owner: String,
    pub office: String,
    pub period: String,
    pub from: String,
    pub to: String,
    pub status: String,
    pub notes: String,
    pub figures: ReportFigures,
    pub evaluations: Vec<ReportEvaluation>,
    pub competitors: Vec<ReportCompetitor>,
    #[serde(default)]
    pub submitted_at: Option<String>,
    pub version: i64,
}

#[derive(Deserialize, Clone, Default)]
pub struct RollupRow {
    pub owner: String,
    pub submitted: bool,
    #[serde(default)]
    pub report_id: Option<i64>,
    pub activities_done: i32,
    pub new_customers: i32,
    pub quotes_sent: i32,
    pub orders_confirmed: i32,
    pub sales_net: i64,
    pub sales_gross: i64,
}

#[derive(Deserialize, Clone, Default)]
pub struct Rollup {
    pub rows: Vec<RollupRow>,
    pub totals: RollupRow,
}
