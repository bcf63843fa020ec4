//! The API's messages in Vietnamese or English. Messages are written in English in the code;
//! `messages/*.toml` (one file per area, merged) give each its Vietnamese, keyed by the English text with every number
//! written `{n}`, and the numbers are put back in order. The API answers problems in Vietnamese
//! unless `Accept-Language` prefers English; the field keys stay the same in both.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use include_dir::{Dir, include_dir};

#[derive(serde::Deserialize)]
struct Catalog {
    messages: HashMap<String, String>,
}

static TABLES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/messages");

/// Every table's messages, merged; a file that does not parse is skipped (a unit test parses them
/// all, so none ships).
fn merged_tables() -> HashMap<String, String> {
    let sources = TABLES.files().filter_map(|file| file.contents_utf8());
    sources.filter_map(|source| toml::from_str::<Catalog>(source).ok()).flat_map(|c| c.messages).collect()
}

static VIETNAMESE: LazyLock<HashMap<String, String>> = LazyLock::new(merged_tables);

/// Whether a caller's `Accept-Language` prefers English to Vietnamese (by weight, then order);
/// Vietnamese when it names neither.
pub fn prefers_english(headers: &HeaderMap) -> bool {
    let Some(accepted) = headers.get(ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok()) else {
        return false;
    };
    let mut best: Option<(f32, bool)> = None;
    for entry in accepted.split(',') {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let weight = parts.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
        let english = match tag.split('-').next().unwrap_or_default() {
            "en" => true,
            "vi" => false,
            _ => continue,
        };
        if best.is_none_or(|(w, _)| weight > w) {
            best = Some((weight, english));
        }
    }
    best.is_some_and(|(_, english)| english)
}

/// `english` in Vietnamese, or as it is when the table does not have it.
pub fn in_vietnamese(english: &str) -> String {
    let (pattern, numbers) = numbers_as_placeholders(english);
    match VIETNAMESE.get(&pattern) {
        Some(translated) => numbers.iter().fold(translated.clone(), |text, n| text.replacen("{n}", n, 1)),
        None => english.to_owned(),
    }
}

/// `"must be at most 200 characters"` → (`"must be at most {n} characters"`, `["200"]`).
fn numbers_as_placeholders(text: &str) -> (String, Vec<String>) {
    let mut pattern = String::with_capacity(text.len());
    let mut numbers = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            current.push(c);
            continue;
        }
        if !current.is_empty() {
            pattern.push_str("{n}");
            numbers.push(std::mem::take(&mut current));
        }
        pattern.push(c);
    }
    if !current.is_empty() {
        pattern.push_str("{n}");
        numbers.push(current);
    }
    (pattern, numbers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_writes_every_number_as_a_placeholder() {
        let mut messages = HashMap::new();
        for file in TABLES.files() {
            let catalog: Catalog = toml::from_str(file.contents_utf8().unwrap()).unwrap();
            for (english, vietnamese) in catalog.messages {
                // The same message in two areas' files must say the same thing in both.
                let earlier = messages.insert(english.clone(), vietnamese.clone());
                assert!(earlier.is_none_or(|e| e == vietnamese), "{english} is translated two ways");
            }
        }
        assert!(messages.len() > 40);
        let with_digits: Vec<_> = messages.keys().filter(|k| k.chars().any(|c| c.is_ascii_digit())).collect();
        assert!(with_digits.is_empty(), "write numbers as {{n}}: {with_digits:?}");
    }

    #[test]
    fn messages_are_translated_with_their_numbers() {
        assert_eq!(in_vietnamese("must be at most 200 characters"), "tối đa 200 ký tự");
        assert_eq!(in_vietnamese("something new"), "something new");
        assert_eq!(numbers_as_placeholders("1 to 10"), ("{n} to {n}".into(), vec!["1".into(), "10".into()]));
    }

    #[test]
    fn english_is_chosen_only_when_preferred() {
        let headers = |value: &str| {
            let mut h = HeaderMap::new();
            h.insert(ACCEPT_LANGUAGE, value.parse().unwrap());
            h
        };
        assert!(!prefers_english(&HeaderMap::new()));
        assert!(prefers_english(&headers("en-US,en;q=0.9")));
        assert!(!prefers_english(&headers("fr, en;q=0.5, vi;q=0.8")));
        assert!(!prefers_english(&headers("vi-VN, en")));
        assert!(!prefers_english(&headers("de")));
    }
}
