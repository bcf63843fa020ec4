//! REST <-> gRPC translations shared by the routes: enums as their REST words, timestamps as
//! RFC 3339, list envelopes, paging parameters.

use atq_platform::Office;
use atq_platform::business_time::from_micros;
use atq_platform::business_time::timestamp_micros;
use atq_proto::sales::v1::CustomerGroup;
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::Problem;

/// Sent on the wire for a word that names no value, so the service reports the field as invalid
/// instead of treating it as absent.
const UNKNOWN: i32 = -1;

pub fn office_from_text(text: &str) -> i32 {
    match text.trim() {
        "" => 0,
        code => Office::parse(code).map(|o| o.to_proto() as i32).unwrap_or(UNKNOWN),
    }
}

pub fn office_text(value: i32) -> String {
    Office::from_proto(value).map(|o| o.code().to_owned()).unwrap_or_default()
}

pub fn group_from_text(text: &str) -> i32 {
    match text.trim() {
        "" => 0,
        "individual" => CustomerGroup::Individual as i32,
        "dealer" => CustomerGroup::Dealer as i32,
        "project" => CustomerGroup::Project as i32,
        _ => UNKNOWN,
    }
}

pub fn group_text(value: i32) -> String {
    match CustomerGroup::try_from(value) {
        Ok(CustomerGroup::Individual) => "individual",
        Ok(CustomerGroup::Dealer) => "dealer",
        Ok(CustomerGroup::Project) => "project",
        _ => "",
    }
    .to_owned()
}

pub fn rfc3339(timestamp: Option<&prost_types::Timestamp>) -> String {
    timestamp
        .map(|ts| from_micros(timestamp_micros(ts)).to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_default()
}

pub fn parse_limit(limit: Option<&str>) -> Result<u32, Problem> {
    match limit.map(str::trim) {
        None | Some("") => Ok(0),
        Some(text) => match text.parse::<u32>() {
            Ok(n) if (1..=atq_platform::paging::MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(Problem::field("limit", "must be a whole number from 1 to 500")),
        },
    }
}

/// Every list: `{"items": [...], "next_cursor": "..." | null}`.
#[derive(Serialize, ToSchema)]
pub struct ListBody<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> ListBody<T> {
    pub fn new(items: Vec<T>, next_cursor: String) -> Self {
        ListBody { items, next_cursor: (!next_cursor.is_empty()).then_some(next_cursor) }
    }
}
