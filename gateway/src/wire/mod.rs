//! REST <-> gRPC translations shared by the routes: enums as their REST words, timestamps as
//! RFC 3339, rates as decimal text, CSV downloads, list envelopes, versions, paging parameters.

mod csv;
mod dates;
mod decimals;
mod enums;

pub use self::csv::{CsvLayout, CsvSheet, could_run_as_formula};
pub use dates::{date_text, day_text, month_text, optional_date, optional_month_or_date, rfc3339};
pub use decimals::{bp_text, rate_bp_from_text, rate_text, tenths_text};
pub use enums::{enum_from_text, enum_text, office_from_text, office_text};

use atq_proto::common::v1::PageRequest;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::Problem;

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

/// Like [`version_if_sent`] for an action whose body may carry `version` too; a garbled
/// `If-Match` is refused rather than taken as no check.
pub fn version_if_given(headers: &HeaderMap, body_version: Option<i64>) -> Result<i64, Problem> {
    if headers.contains_key(header::IF_MATCH) || body_version.is_some() {
        expected_version(headers, body_version)
    } else {
        Ok(0)
    }
}

/// A page request from `?limit=&cursor=`.
pub fn page(limit: Option<&str>, cursor: Option<String>) -> Result<Option<PageRequest>, Problem> {
    Ok(Some(PageRequest { limit: parse_limit(limit)?, cursor: cursor.unwrap_or_default() }))
}

/// `?format=`: json (the default) or csv (a download); anything else is a field error.
pub fn wants_csv(v: &mut atq_platform::validation::Violations, format: Option<&str>) -> bool {
    match format.map(str::trim) {
        None | Some("") | Some("json") => false,
        Some("csv") => true,
        Some(_) => {
            v.add("format", "must be json or csv");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_wins_over_the_body_and_one_is_required() {
        let mut headers = HeaderMap::new();
        assert!(expected_version(&headers, None).is_err());
        assert_eq!(expected_version(&headers, Some(4)).unwrap(), 4);
        headers.insert(header::IF_MATCH, HeaderValue::from_static("W/\"7\""));
        assert_eq!(expected_version(&headers, Some(4)).unwrap(), 7);
    }
}
