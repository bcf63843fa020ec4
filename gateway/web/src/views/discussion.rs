//! Comments, notifications and record files as the discussion API answers them.

use serde::Deserialize;

#[derive(Deserialize)]
pub struct Comment {
    pub author: String,
    pub body: String,
    pub created_at: String,
}

#[derive(Deserialize)]
pub struct Notification {
    pub id: i64,
    pub subject_kind: String,
    pub subject_id: i64,
    pub author: String,
    pub excerpt: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// A page of notifications and how many of all of them are unread.
#[derive(Deserialize)]
pub struct Notifications {
    pub items: Vec<Notification>,
    #[serde(default)]
    pub next_cursor: Option<String>,
    pub unread_count: i64,
}

#[derive(Deserialize)]
pub struct RecordFile {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
}
