//! Vietnamese (the default) and English: every label of the pages comes from a message catalog
//! (`i18n/vi.toml`, `i18n/en.toml`, and one pair per larger section, `i18n/<section>.vi.toml` and
//! `i18n/<section>.en.toml`, merged); the API's messages come through the API's own table
//! (`atq_gateway::messages`).

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::HeaderMap;
use include_dir::{Dir, include_dir};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The browser's preferred language among ours, by `Accept-Language` weight; Vietnamese when
    /// it names neither.
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        if atq_gateway::messages::prefers_english(headers) { Lang::En } else { Lang::Vi }
    }
}

impl From<Lang> for atq_documents::Language {
    fn from(lang: Lang) -> Self {
        match lang {
            Lang::Vi => atq_documents::Language::Vi,
            Lang::En => atq_documents::Language::En,
        }
    }
}

struct Catalog {
    labels: HashMap<String, String>,
}

#[derive(serde::Deserialize)]
struct CatalogFile {
    labels: HashMap<String, String>,
}

static CATALOG_FILES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/i18n");

/// The catalog files of one language: `vi.toml` and every `<section>.vi.toml`.
fn sources(lang: Lang) -> impl Iterator<Item = (&'static str, &'static str)> {
    let code = lang.code();
    CATALOG_FILES.files().filter_map(move |file| {
        let name = file.path().file_name()?.to_str()?;
        let of_lang = name == format!("{code}.toml") || name.ends_with(&format!(".{code}.toml"));
        Some((name, file.contents_utf8()?)).filter(|_| of_lang)
    })
}

fn load(lang: Lang) -> Catalog {
    // The catalogs are part of the binary and a unit test parses them all, so this cannot fail in
    // a build that passed its tests; a file that does not parse shows keys rather than stopping
    // the server.
    let mut labels = HashMap::new();
    for (_, source) in sources(lang) {
        if let Ok(file) = toml::from_str::<CatalogFile>(source) {
            labels.extend(file.labels);
        }
    }
    Catalog { labels }
}

static VI: LazyLock<Catalog> = LazyLock::new(|| load(Lang::Vi));
static EN: LazyLock<Catalog> = LazyLock::new(|| load(Lang::En));

/// The texts of one language, handed to every template as `t`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Texts {
    pub lang: Lang,
}

impl Texts {
    pub fn new(lang: Lang) -> Texts {
        Texts { lang }
    }

    fn catalog(self) -> &'static Catalog {
        match self.lang {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }

    /// The label for `key`; the key itself when missing (a test keeps that from happening).
    pub fn get<'k>(&self, key: &'k str) -> &'k str
    where
        'static: 'k,
    {
        self.catalog().labels.get(key).map(String::as_str).unwrap_or(key)
    }

    /// A label for a word of the API (a status, a group, a role): `status.draft`, `group.dealer`.
    pub fn word(&self, kind: &str, word: &str) -> String {
        let key = format!("{kind}.{word}");
        match self.catalog().labels.get(&key) {
            Some(label) => label.clone(),
            None => word.replace('_', " "),
        }
    }

    /// An API message (field error or problem detail; the pages ask the API in English) in this
    /// language, from the API's own table.
    pub fn message(&self, english: &str) -> String {
        match self.lang {
            Lang::En => english.to_owned(),
            Lang::Vi => atq_gateway::messages::in_vietnamese(english),
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::header::ACCEPT_LANGUAGE;

    use super::*;

    /// Every file of a language parsed and merged; a key defined in two files fails the test.
    fn parsed(lang: Lang) -> CatalogFile {
        let mut labels = HashMap::new();
        for (name, source) in sources(lang) {
            let file: CatalogFile = toml::from_str(source).unwrap_or_else(|e| panic!("{name}: {e}"));
            for (key, label) in file.labels {
                assert!(labels.insert(key.clone(), label).is_none(), "{key} is defined twice ({name})");
            }
        }
        CatalogFile { labels }
    }

    #[test]
    fn both_catalogs_parse_and_have_the_same_labels() {
        let (vi, en) = (parsed(Lang::Vi), parsed(Lang::En));
        assert!(sources(Lang::Vi).count() == sources(Lang::En).count(), "a section file lacks its translation");
        let mut missing_in_en: Vec<_> = vi.labels.keys().filter(|k| !en.labels.contains_key(*k)).collect();
        let mut missing_in_vi: Vec<_> = en.labels.keys().filter(|k| !vi.labels.contains_key(*k)).collect();
        missing_in_en.sort();
        missing_in_vi.sort();
        assert!(missing_in_en.is_empty() && missing_in_vi.is_empty(), "{missing_in_en:?} {missing_in_vi:?}");
    }

    #[test]
    fn every_label_a_template_or_page_names_is_in_the_catalogs() {
        let vi = parsed(Lang::Vi);
        // Every string literal shaped like a key of a namespace the catalog has (`nav.home`,
        // `status.draft`), whether passed to `t.get` or kept in a table for it.
        let namespaces: std::collections::HashSet<&str> =
            vi.labels.keys().filter_map(|k| k.split_once('.')).map(|(ns, _)| ns).collect();
        let mut missing = Vec::new();
        for source in crate::pages::SOURCES_FOR_CATALOG_CHECK {
            for literal in source.split('"').skip(1).step_by(2) {
                let Some((namespace, name)) = literal.split_once('.') else { continue };
                let shaped =
                    !name.is_empty() && name != "html" && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if shaped && namespaces.contains(namespace) && !vi.labels.contains_key(literal) {
                    missing.push(literal.to_owned());
                }
            }
        }
        assert!(missing.is_empty(), "labels missing from the catalogs: {missing:?}");
    }

    #[test]
    fn api_messages_are_translated_with_their_numbers() {
        let vi = Texts::new(Lang::Vi);
        assert_eq!(vi.message("must be at most 200 characters"), "tối đa 200 ký tự");
        assert_eq!(Texts::new(Lang::En).message("must not be empty"), "must not be empty");
    }

    #[test]
    fn the_browser_language_is_read_by_weight() {
        let headers = |value: &str| {
            let mut h = HeaderMap::new();
            h.insert(ACCEPT_LANGUAGE, value.parse().unwrap());
            h
        };
        assert_eq!(Lang::from_headers(&HeaderMap::new()), Lang::Vi);
        assert_eq!(Lang::from_headers(&headers("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_headers(&headers("fr, en;q=0.5, vi;q=0.8")), Lang::Vi);
        assert_eq!(Lang::from_headers(&headers("de")), Lang::Vi);
    }
}
