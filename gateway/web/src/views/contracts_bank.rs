//! Contracts with their signed copies, and the bank statement lines matched to invoices.

use serde::Deserialize;

#[derive(Deserialize)]
pub struct Contract {
    pub id: i64,
    pub number: String,
    pub name: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub responsible: String,
    #[serde(default)]
    pub made_on: Option<String>,
    #[serde(default)]
    pub ends_on: Option<String>,
    pub status: String,
    pub value: i64,
    #[serde(default)]
    pub note: String,
    pub version: i64,
    /// sale or dealer
    #[serde(default)]
    pub kind: String,
}

#[derive(Deserialize)]
pub struct ContractFile {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// A line of a bank statement: `id` is 0 for a duplicate of a line imported before.
#[derive(Deserialize)]
pub struct BankLine {
    pub id: i64,
    pub booked_on: String,
    pub amount: i64,
    pub description: String,
    pub reference: String,
    pub status: String,
    #[serde(default)]
    pub invoice_number: String,
}

/// What importing a statement did.
#[derive(Deserialize)]
pub struct BankImport {
    pub lines: Vec<BankLine>,
    pub matched: i64,
    pub unmatched: i64,
    pub duplicates: i64,
}
