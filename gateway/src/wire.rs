//! REST <-> gRPC translations shared by the routes: enums as their REST words, timestamps as
//! RFC 3339, list envelopes, paging parameters.

use atq_platform::Office;
use atq_platform::business_time::{date_from_proto, date_to_proto, from_micros, parse_local_date, timestamp_micros};
use atq_platform::validation::Violations;
use atq_proto::common::v1::{LocalDate, PageRequest};
use atq_proto::sales::v1::CustomerGroup;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
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

/// A local date as `YYYY-MM-DD`; None when absent.
pub fn date_text(date: Option<&LocalDate>) -> Option<String> {
    date.and_then(|d| date_from_proto(d).ok()).map(|d| d.to_string())
}

/// An optional `YYYY-MM-DD` from a body or query: blank is absent, a bad one is named as `field`.
pub fn optional_date(v: &mut Violations, field: &str, text: Option<&str>) -> Option<LocalDate> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    v.check(field, parse_local_date(text)).map(date_to_proto)
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

/// An optional id in a query string (`?customer_id=7`); 0 when absent.
pub fn optional_id(field: &str, text: Option<&str>) -> Result<i64, Problem> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(0),
        Some(text) => text.parse::<i64>().map_err(|_| Problem::field(field, "must be an id")),
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

/// A record with its `ETag` (its version) and, when created, its `Location`.
pub fn record_response(status: StatusCode, body: impl Serialize, version: i64, location: &str) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    if status == StatusCode::CREATED
        && let Ok(value) = HeaderValue::from_str(location)
    {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// The version an update is based on: `If-Match` (the ETag read) or `version` in the body.
pub fn expected_version(headers: &HeaderMap, body_version: Option<i64>) -> Result<i64, Problem> {
    let from_header = match headers.get(header::IF_MATCH) {
        None => None,
        Some(value) => {
            let text = value.to_str().unwrap_or_default().trim();
            let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
            Some(
                text.parse::<i64>()
                    .map_err(|_| Problem::field("If-Match", "must be the ETag this record was read with"))?,
            )
        }
    };
    from_header.or(body_version).ok_or_else(Problem::precondition_required)
}

/// The version an action is based on when `If-Match` is sent; 0 (no check) when it is not.
pub fn version_if_sent(headers: &HeaderMap) -> Result<i64, Problem> {
    if headers.contains_key(header::IF_MATCH) { expected_version(headers, None) } else { Ok(0) }
}

/// A page request from `?limit=&cursor=`.
pub fn page(limit: Option<&str>, cursor: Option<String>) -> Result<Option<PageRequest>, Problem> {
    Ok(Some(PageRequest { limit: parse_limit(limit)?, cursor: cursor.unwrap_or_default() }))
}

/// One CSV field, quoted when it holds a comma, a quote or a line break.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}

/// "0.10" -> 1000 basis points; anything else is sent as unknown for the service to refuse.
pub fn rate_bp_from_text(text: &str) -> i32 {
    let text = text.trim();
    let Some((whole, fraction)) = text.split_once('.').or(Some((text, ""))) else { return UNKNOWN };
    if whole != "0" || fraction.len() > 4 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return UNKNOWN;
    }
    format!("{fraction:0<4}").parse::<i32>().unwrap_or(UNKNOWN)
}

/// 1000 basis points -> "0.10".
pub fn rate_text(bp: i32) -> String {
    let digits = format!("{:04}", bp.clamp(0, 9999));
    let trimmed = digits.trim_end_matches('0');
    let fraction = if trimmed.len() < 2 { &digits[..2] } else { trimmed };
    format!("0.{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_travel_as_decimal_strings() {
        assert_eq!(rate_bp_from_text("0.10"), 1000);
        assert_eq!(rate_bp_from_text("0.1"), 1000);
        assert_eq!(rate_bp_from_text("0.08"), 800);
        assert_eq!(rate_bp_from_text("0.0525"), 525);
        assert_eq!(rate_bp_from_text("10%"), UNKNOWN);
        assert_eq!(rate_bp_from_text("1.0"), UNKNOWN);
        assert_eq!(rate_text(1000), "0.10");
        assert_eq!(rate_text(800), "0.08");
        assert_eq!(rate_text(525), "0.0525");
    }

    #[test]
    fn if_match_wins_over_the_body_and_one_is_required() {
        let mut headers = HeaderMap::new();
        assert!(expected_version(&headers, None).is_err());
        assert_eq!(expected_version(&headers, Some(4)).unwrap(), 4);
        headers.insert(header::IF_MATCH, HeaderValue::from_static("W/\"7\""));
        assert_eq!(expected_version(&headers, Some(4)).unwrap(), 7);
    }
}
