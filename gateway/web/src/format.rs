//! Numbers, money and dates as each language writes them: `1.500.000 ₫` and `01/12/2026` in
//! Vietnamese, `₫1,500,000` and `2026-12-01` in English.

use crate::i18n::Lang;

/// Digits grouped by three with the language's separator, as the printed documents write them.
pub fn number(value: i64, lang: Lang) -> String {
    atq_documents::format_integer(value, lang.into())
}

/// An amount of đồng.
pub fn money(vnd: i64, lang: Lang) -> String {
    match lang {
        Lang::Vi => format!("{} ₫", number(vnd, lang)),
        Lang::En => format!("₫{}", number(vnd, lang)),
    }
}

/// A `YYYY-MM-DD` date (or the date part of an RFC 3339 time) as the language writes it; text
/// that is not a date is shown as it came.
pub fn date(iso: &str, lang: Lang) -> String {
    let day = iso.get(..10).unwrap_or(iso);
    match (lang, chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")) {
        (Lang::Vi, Ok(parsed)) => parsed.format("%d/%m/%Y").to_string(),
        (Lang::En, Ok(parsed)) => parsed.format("%Y-%m-%d").to_string(),
        (_, Err(_)) => iso.to_owned(),
    }
}

/// An RFC 3339 time in Vietnam's local time, `dd/mm/yyyy HH:MM` (Vietnamese) or ISO-like.
pub fn time(rfc3339: &str, lang: Lang) -> String {
    let Ok(parsed) = chrono::DateTime::parse_from_rfc3339(rfc3339) else {
        return rfc3339.to_owned();
    };
    let local = parsed.with_timezone(&atq_platform::business_time::BUSINESS_TZ);
    match lang {
        Lang::Vi => local.format("%d/%m/%Y %H:%M").to_string(),
        Lang::En => local.format("%Y-%m-%d %H:%M").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_as_each_language_writes_it() {
        assert_eq!(money(1_500_000, Lang::Vi), "1.500.000 ₫");
        assert_eq!(money(1_500_000, Lang::En), "₫1,500,000");
        assert_eq!(number(-1_234, Lang::Vi), "-1.234");
        assert_eq!(number(0, Lang::Vi), "0");
        assert_eq!(number(i64::MIN, Lang::En), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn dates_are_day_first_in_vietnamese() {
        assert_eq!(date("2026-12-01", Lang::Vi), "01/12/2026");
        assert_eq!(date("2026-12-01T03:00:00Z", Lang::En), "2026-12-01");
        assert_eq!(date("", Lang::Vi), "");
        assert_eq!(time("2026-12-01T17:30:00Z", Lang::Vi), "02/12/2026 00:30");
    }
}
