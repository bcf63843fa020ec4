//! Quotes, orders, dispatch orders, invoices and the products they name.

use serde::Deserialize;

/// A quote, an order, a dispatch order or an invoice as a line of a list.
#[derive(Deserialize)]
pub struct DocumentRow {
    pub id: i64,
    pub number: String,
    #[serde(default)]
    pub customer_name: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub total_gross: Option<i64>,
    #[serde(default)]
    pub open_amount: Option<i64>,
    #[serde(default)]
    pub order_number: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub issue_date: Option<String>,
    #[serde(default)]
    pub due_date: Option<String>,
    /// Dispatch orders: the warehouse the goods leave from.
    #[serde(default)]
    pub warehouse: String,
}

/// A line of a quote: prices before the discount and after it.
#[derive(Deserialize)]
pub struct QuoteLine {
    pub model_code: String,
    pub product_name: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub discount: String,
    pub net_unit_price: i64,
    pub vat_rate: String,
    pub net_amount: i64,
    pub vat_amount: i64,
    pub gross_amount: i64,
    /// The promotion programmes that took part of the line off, by name.
    #[serde(default)]
    pub promotions: Vec<String>,
}

#[derive(Deserialize)]
pub struct Quote {
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub customer_name: String,
    /// The customer's office: where an order made from it ships from, unless chosen otherwise.
    pub office: String,
    pub status: String,
    pub valid_until: String,
    pub note: String,
    pub lines: Vec<QuoteLine>,
    pub total_net: i64,
    pub total_vat: i64,
    pub total_gross: i64,
    pub created_by: String,
    pub decision_note: String,
    pub order_id: Option<i64>,
    pub version: i64,
    pub created_at: String,
}

#[derive(Deserialize)]
pub struct OrderLine {
    pub model_code: String,
    pub product_name: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub vat_rate: String,
    pub net_amount: i64,
    pub vat_amount: i64,
    pub gross_amount: i64,
    pub reserved: i64,
    pub backordered: i64,
    pub shipped: i64,
    pub delivered: i64,
    /// The quote's discount and the promotions', VND without VAT.
    #[serde(default)]
    pub discount_amount: i64,
    #[serde(default)]
    pub promotions: Vec<String>,
}

#[derive(Deserialize)]
pub struct Order {
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub warehouse: String,
    pub status: String,
    pub note: String,
    pub lines: Vec<OrderLine>,
    pub total_net: i64,
    pub total_vat: i64,
    pub total_gross: i64,
    pub created_by: String,
    pub version: i64,
    pub created_at: String,
    pub confirmed_at: Option<String>,
    pub quote_id: Option<i64>,
    pub quote_number: Option<String>,
}

#[derive(Deserialize)]
pub struct DispatchLine {
    pub line_no: i32,
    pub product_id: i64,
    pub model_code: String,
    pub quantity: i64,
    pub serials: Vec<String>,
}

#[derive(Deserialize)]
pub struct DispatchOrder {
    pub id: i64,
    pub number: String,
    pub order_id: i64,
    pub order_number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub warehouse: String,
    pub status: String,
    pub lines: Vec<DispatchLine>,
    pub requested_by: String,
    pub decided_by: String,
    pub decision_note: String,
    pub goods_issue_number: String,
    pub version: i64,
    pub created_at: String,
    pub shipped_at: Option<String>,
    pub delivered_at: Option<String>,
}

#[derive(Deserialize)]
pub struct InvoiceLine {
    pub product_id: i64,
    pub model_code: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub vat_rate: String,
    pub net_amount: i64,
    pub vat_amount: i64,
    /// The line's share of its order line's discount (chiết khấu thương mại).
    #[serde(default)]
    pub discount_amount: i64,
}

/// An invoice's net and VAT at one rate.
#[derive(Deserialize)]
pub struct VatSummary {
    pub vat_rate: String,
    pub net_amount: i64,
    pub vat_amount: i64,
}

#[derive(Deserialize)]
pub struct Invoice {
    pub id: i64,
    pub number: String,
    pub series: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub order_number: String,
    pub dispatch_number: String,
    pub issue_date: String,
    pub due_date: String,
    pub lines: Vec<InvoiceLine>,
    pub vat: Vec<VatSummary>,
    pub total_net: i64,
    pub total_vat: i64,
    pub total_gross: i64,
    pub paid: i64,
    pub open_amount: i64,
    pub status: String,
}

/// A product of the catalog, as the pages name it.
#[derive(Deserialize, Clone)]
pub struct Product {
    pub id: i64,
    pub model_code: String,
    pub name_vi: String,
    pub name_en: String,
    #[serde(default)]
    pub serial_tracked: bool,
}

/// A serial-numbered unit in a warehouse.
#[derive(Deserialize)]
pub struct SerialUnit {
    pub serial: String,
    pub condition: String,
    pub status: String,
}
