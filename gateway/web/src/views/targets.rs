//! Sales targets and the report of results against them, as the pages read them.

use serde::Deserialize;

#[derive(Deserialize, Clone, Default)]
pub struct ReportLine {
    pub scope: String,
    pub owner: String,
    pub office: String,
    pub metric: String,
    pub category: String,
    pub target: Option<i64>,
    pub result: i64,
    pub achievement_bp: Option<i64>,
    pub people_target: i64,
}

#[derive(Deserialize, Clone, Default)]
pub struct TargetReport {
    pub period: String,
    pub first_day: String,
    pub last_day: String,
    pub running: bool,
    pub elapsed_bp: i64,
    pub lines: Vec<ReportLine>,
}

#[derive(Deserialize, Clone, Default)]
pub struct SalesTarget {
    pub scope: String,
    pub owner: String,
    pub office: String,
    pub period: String,
    pub metric: String,
    pub category: String,
    pub target: i64,
}

#[derive(Deserialize, Clone, Default)]
pub struct RowError {
    pub row: i32,
    pub column: String,
    pub message: String,
}

#[derive(Deserialize, Clone, Default)]
pub struct TargetImport {
    pub dry_run: bool,
    pub targets: Vec<SalesTarget>,
    pub errors: Vec<RowError>,
}
