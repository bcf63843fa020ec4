//! The API's answers as the pages read them: only the fields a page shows, by the names the REST
//! API gives them (its OpenAPI document is the contract).

use serde::Deserialize;

#[derive(Deserialize)]
pub struct ListOf<T> {
    pub items: Vec<T>,
    /// The API sends `null` on the last page.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub next_cursor: String,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
}

#[derive(Deserialize, Clone, Default)]
pub struct Customer {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub group: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub office: String,
    pub tax_code: String,
    pub assigned_to: String,
    pub purchase_count: i64,
    pub last_purchase_on: Option<String>,
    pub version: i64,
}

#[derive(Deserialize)]
pub struct Revision {
    pub version: i64,
    pub action: String,
    pub changed_by: String,
    pub changed_at: String,
    pub changes: Vec<FieldChange>,
}

#[derive(Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old_value: String,
    pub new_value: String,
}

mod activities;
mod back_office;
mod contracts_bank;
mod costing;
pub mod crm_contacts;
pub mod discussion;
mod documents;
pub mod opportunities;
pub mod returns;
pub mod sales_reports;
pub mod targets;

pub use activities::*;
pub use back_office::*;
pub use contracts_bank::*;
pub use costing::*;
pub use documents::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_page_has_no_cursor() {
        let last: ListOf<SerialUnit> = serde_json::from_str(r#"{"items":[],"next_cursor":null}"#).unwrap();
        assert!(last.next_cursor.is_empty());
        let more: ListOf<SerialUnit> = serde_json::from_str(r#"{"items":[],"next_cursor":"7"}"#).unwrap();
        assert_eq!(more.next_cursor, "7");
    }
}
