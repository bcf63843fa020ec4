//! Numbers as the documents print them: "1.500.000" in Vietnamese, "1,500,000" in English.

use super::Language;

fn separators(language: Language) -> (char, char) {
    match language {
        Language::Vi => ('.', ','),
        Language::En => (',', '.'),
    }
}

fn group_thousands(magnitude: u64, separator: char) -> String {
    let digits = magnitude.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    grouped
}

/// A VND amount with thousands separators and no currency sign (documents state
/// "Đơn vị tính: đồng" once): 1_500_000 → "1.500.000" (vi) / "1,500,000" (en).
pub fn format_money(amount_vnd: i64, language: Language) -> String {
    format_integer(amount_vnd, language)
}

/// A whole number (quantities, counts) grouped the same way as money.
pub fn format_integer(value: i64, language: Language) -> String {
    let grouped = group_thousands(value.unsigned_abs(), separators(language).0);
    if value < 0 { format!("-{grouped}") } else { grouped }
}

/// A rate in basis points as a percentage: 1000 → "10%", 850 → "8,5%" (vi) / "8.5%" (en),
/// 525 → "5,25%". A negative rate marks goods not subject to VAT: "KCT" / "N/A".
pub fn format_rate_bp(rate_bp: i32, language: Language) -> String {
    if rate_bp < 0 {
        return match language {
            Language::Vi => "KCT".to_string(),
            Language::En => "N/A".to_string(),
        };
    }
    format_percent_bp(rate_bp, language)
}

/// Basis points as a percentage with the language's decimal separator: 250 → "2,5%" / "2.5%".
pub(crate) fn format_percent_bp(value_bp: i32, language: Language) -> String {
    let magnitude = value_bp.unsigned_abs();
    let (whole, fraction) = (magnitude / 100, magnitude % 100);
    let sign = if value_bp < 0 { "-" } else { "" };
    if fraction == 0 {
        return format!("{sign}{whole}%");
    }
    let decimal = separators(language).1;
    let fraction_digits = format!("{fraction:02}");
    format!("{sign}{whole}{decimal}{}%", fraction_digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_by_language() {
        let cases: &[(i64, &str, &str)] = &[
            (0, "0", "0"),
            (999, "999", "999"),
            (1_000, "1.000", "1,000"),
            (1_500_000, "1.500.000", "1,500,000"),
            (110_000_000, "110.000.000", "110,000,000"),
            (-21_005, "-21.005", "-21,005"),
            (i64::MIN, "-9.223.372.036.854.775.808", "-9,223,372,036,854,775,808"),
        ];
        for (amount, vi, en) in cases {
            assert_eq!(format_money(*amount, Language::Vi), *vi);
            assert_eq!(format_money(*amount, Language::En), *en);
        }
    }

    #[test]
    fn rates_are_percentages() {
        assert_eq!(format_rate_bp(1000, Language::Vi), "10%");
        assert_eq!(format_rate_bp(0, Language::Vi), "0%");
        assert_eq!(format_rate_bp(850, Language::Vi), "8,5%");
        assert_eq!(format_rate_bp(850, Language::En), "8.5%");
        assert_eq!(format_rate_bp(525, Language::En), "5.25%");
        assert_eq!(format_rate_bp(-1, Language::Vi), "KCT");
        assert_eq!(format_percent_bp(-250, Language::Vi), "-2,5%");
        assert_eq!(format_percent_bp(i32::MIN, Language::En), "-21474836.48%");
    }
}
