//! Activities, a day's call plan, calendars and the private calendar address.

use serde::Deserialize;

#[derive(Deserialize, Clone)]
pub struct Activity {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    #[serde(default)]
    pub customer_id: Option<i64>,
    #[serde(default)]
    pub customer_name: String,
    pub owner: String,
    pub planned_at: String,
    pub duration_minutes: i32,
    pub status: String,
    pub overdue: bool,
    #[serde(default)]
    pub done_at: Option<String>,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub checked_in_at: Option<String>,
    #[serde(default)]
    pub latitude: Option<String>,
    #[serde(default)]
    pub longitude: Option<String>,
    #[serde(default)]
    pub cancel_reason: String,
    pub version: i64,
}

#[derive(Deserialize)]
pub struct DayPlan {
    pub done_count: i32,
    pub open_count: i32,
    pub items: Vec<Activity>,
}

#[derive(Deserialize)]
pub struct UncontactedCustomer {
    pub customer_id: i64,
    pub code: String,
    pub name: String,
    pub assigned_to: String,
    #[serde(default)]
    pub last_done_at: Option<String>,
}

#[derive(Deserialize)]
pub struct Holiday {
    pub date: String,
    pub name_vi: String,
    pub name_en: String,
}

#[derive(Deserialize)]
pub struct CalendarView {
    pub activities: Vec<Activity>,
    pub holidays: Vec<Holiday>,
}

/// The private subscription: the address comes only when it was just issued.
#[derive(Deserialize)]
pub struct MyCalendar {
    #[serde(default)]
    pub url: Option<String>,
    pub created_at: String,
}
