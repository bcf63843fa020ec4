//! Stock, catalog, price sheets, import plans, receivables and reports.

use serde::Deserialize;

/// A product's stock in one warehouse and condition; the cost only for those who may read costs.
#[derive(Deserialize)]
pub struct StockLevel {
    pub product_id: i64,
    pub warehouse: String,
    pub condition: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
    #[serde(default)]
    pub average_unit_cost: Option<i64>,
}

/// A serial-numbered unit, with the warehouse it is in.
#[derive(Deserialize)]
pub struct SerialRow {
    pub serial: String,
    pub warehouse: String,
    pub condition: String,
    pub status: String,
}

/// A goods receipt as the API answers it.
#[derive(Deserialize)]
pub struct Receipt {
    pub number: String,
}

/// A catalog product with what its page shows.
#[derive(Deserialize, Clone)]
pub struct CatalogProduct {
    pub id: i64,
    pub model_code: String,
    pub name_vi: String,
    pub name_en: String,
    pub category: String,
    pub brand: String,
    pub brand_class: String,
    pub supplier_id: i64,
    pub unit: String,
    pub hs_code: String,
    pub warranty_months: i32,
    pub serial_tracked: bool,
    pub list_price: i64,
    pub vat_rate: String,
    pub list_price_with_vat: i64,
    /// The version read, sent back with a change.
    #[serde(default)]
    pub version: i64,
}

#[derive(Deserialize, Clone)]
pub struct Supplier {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub country: String,
    pub currency: String,
    pub lead_time_days: i32,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    /// The version read, sent back with a change.
    #[serde(default)]
    pub version: i64,
}

/// A version of the price sheet; margins and costs only for those who may read costs.
#[derive(Deserialize)]
pub struct PriceList {
    pub id: i64,
    pub number: String,
    pub status: String,
    pub effective_on: String,
    pub current: bool,
    #[serde(default)]
    pub margins: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default)]
    pub lines: Vec<PriceLine>,
    pub created_by: String,
    #[serde(default)]
    pub published_by: Option<String>,
    #[serde(default)]
    pub published_at: Option<String>,
    pub version: i64,
}

#[derive(Deserialize)]
pub struct PriceLine {
    pub product_id: i64,
    pub model_code: String,
    pub name_vi: String,
    pub brand: String,
    pub unit: String,
    pub customer_group: String,
    #[serde(default)]
    pub unit_cost: Option<i64>,
    #[serde(default)]
    pub margin: Option<String>,
    pub price_net: i64,
    pub vat_rate: String,
    pub price_gross: i64,
}

/// What a version of the price sheet changes against the one in force.
#[derive(Deserialize)]
pub struct PriceChanges {
    #[serde(default)]
    pub against_number: Option<String>,
    pub items: Vec<PriceChange>,
}

#[derive(Deserialize)]
pub struct PriceChange {
    pub model_code: String,
    pub name_vi: String,
    pub customer_group: String,
    pub change: String,
    pub old_price: Option<i64>,
    pub new_price: Option<i64>,
    pub difference: Option<i64>,
    pub percent_change: Option<String>,
}

/// An import plan; its lines come with one plan, not with the list.
#[derive(Deserialize)]
pub struct ImportPlan {
    pub id: i64,
    pub number: String,
    pub source_ref: String,
    #[serde(default)]
    pub order_ref: Option<String>,
    pub customer_id: i64,
    pub customer_name: String,
    #[serde(default)]
    pub office: Option<String>,
    pub status: String,
    #[serde(default)]
    pub lines: Vec<PlanLine>,
    pub revision: i64,
    #[serde(default)]
    pub changes: Vec<PlanChange>,
    pub updated_at: String,
}

#[derive(Deserialize)]
pub struct PlanLine {
    pub line_no: i32,
    pub product_id: i64,
    pub model_code: String,
    pub milestones: Vec<Milestone>,
}

#[derive(Deserialize)]
pub struct Milestone {
    pub milestone_no: i32,
    pub needed_by: Option<String>,
    pub quantity: i64,
    pub promise_date: Option<String>,
    pub late: bool,
    pub reason: Option<String>,
    pub coverage: Vec<Coverage>,
}

#[derive(Deserialize)]
pub struct Coverage {
    pub source: String,
    pub reference: Option<String>,
    pub quantity: i64,
    pub available_on: Option<String>,
}

#[derive(Deserialize)]
pub struct PlanChange {
    pub line_no: i32,
    pub milestone_no: i32,
    pub change: String,
    pub old_needed_by: Option<String>,
    pub new_needed_by: Option<String>,
    pub old_promise_date: Option<String>,
    pub new_promise_date: Option<String>,
    pub late: bool,
}

/// The supplier orders the plans call for, one supplier's worth.
#[derive(Deserialize)]
pub struct SupplierProposal {
    pub supplier_id: i64,
    pub supplier_code: String,
    pub supplier_name: String,
    pub currency: String,
    pub order_by: Option<String>,
    pub lines: Vec<ProposalLine>,
}

#[derive(Deserialize)]
pub struct ProposalLine {
    pub product_id: i64,
    pub model_code: String,
    pub quantity: i64,
    pub shortfall: i64,
    pub order_by: Option<String>,
    pub needed_by: Option<String>,
    pub expected_on: Option<String>,
    pub reason: String,
}

/// An amount owed, by days overdue (`current`, `1-30`, `31-60`, `61-90`, `>90`).
#[derive(Deserialize, Clone)]
pub struct AgingBucket {
    pub bucket: String,
    pub amount: i64,
}

#[derive(Deserialize)]
pub struct Aging {
    pub as_of: String,
    pub items: Vec<CustomerAging>,
    pub totals: Vec<AgingBucket>,
}

#[derive(Deserialize)]
pub struct CustomerAging {
    pub customer_id: i64,
    pub customer_name: String,
    pub buckets: Vec<AgingBucket>,
    pub total: i64,
}

#[derive(Deserialize)]
pub struct Balance {
    pub invoiced: i64,
    pub paid: i64,
    pub balance: i64,
    pub credit_limit: i64,
    pub payment_terms_days: i32,
    pub aging: Vec<AgingBucket>,
}

/// Sales figures in đồng: net, VAT, gross, units and orders.
#[derive(Deserialize, Default)]
pub struct SalesFigures {
    pub net: i64,
    pub vat: i64,
    pub gross: i64,
    pub quantity: i64,
    pub orders: i64,
}

#[derive(Deserialize)]
pub struct SalesRow {
    pub key: String,
    pub net: i64,
    pub gross: i64,
    pub orders: i64,
}

#[derive(Deserialize)]
pub struct SalesMonth {
    pub month: String,
    pub total: SalesFigures,
}

#[derive(Deserialize)]
pub struct SalesReport {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub office: Option<String>,
    pub total: SalesFigures,
    pub by_office: Vec<SalesRow>,
    pub by_customer_group: Vec<SalesRow>,
    pub months: Vec<SalesMonth>,
}

#[derive(Deserialize)]
pub struct NewCustomers {
    pub items: Vec<NewCustomersRow>,
}

#[derive(Deserialize)]
pub struct NewCustomersRow {
    pub week_start: String,
    pub office: String,
    pub group: String,
    pub count: i64,
}
