//! Contacts, project parties and leads as the pages read them from the REST API.

use serde::Deserialize;

#[derive(Deserialize, Clone, Default)]
pub struct Contact {
    pub id: i64,
    pub name: String,
    pub position: String,
    pub phone: String,
    pub email: String,
    pub birthday: String,
    pub notes: String,
    pub is_primary: bool,
    pub active: bool,
    pub version: i64,
}

#[derive(Deserialize)]
pub struct Party {
    pub id: i64,
    pub role: String,
    pub party_name: String,
    pub influence: String,
    pub stance: String,
    pub note: String,
}

#[derive(Deserialize, Clone, Default)]
pub struct Lead {
    pub id: i64,
    pub name: String,
    pub company: String,
    pub contact_name: String,
    pub position: String,
    pub group: String,
    pub source: String,
    pub office: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub tax_code: String,
    pub notes: String,
    pub status: String,
    pub disqualify_reason: String,
    pub owner: String,
    pub converted_customer_id: Option<i64>,
    pub version: i64,
    pub created_at: String,
}

#[derive(Deserialize)]
pub struct Converted {
    pub customer_id: i64,
}
