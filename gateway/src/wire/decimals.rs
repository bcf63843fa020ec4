//! Rates and averages as decimal text, so JSON readers never meet a float.

use super::enums::UNKNOWN;

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

/// Tenths as a decimal with one place: 385 -> "38.5", -5 -> "-0.5".
pub fn tenths_text(tenths: i64) -> String {
    let sign = if tenths < 0 { "-" } else { "" };
    format!("{sign}{}.{}", tenths.unsigned_abs() / 10, tenths.unsigned_abs() % 10)
}

/// Basis points as a decimal with four places: 6667 -> "0.6667", 10000 -> "1.0000".
pub fn bp_text(bp: i32) -> String {
    let bp = bp.max(0);
    format!("{}.{:04}", bp / 10_000, bp % 10_000)
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
    fn day_averages_and_rates_read_as_decimals() {
        assert_eq!(tenths_text(385), "38.5");
        assert_eq!(tenths_text(410), "41.0");
        assert_eq!(tenths_text(-5), "-0.5");
        assert_eq!(bp_text(5000), "0.5000");
        assert_eq!(bp_text(6667), "0.6667");
        assert_eq!(bp_text(10_000), "1.0000");
        assert_eq!(bp_text(0), "0.0000");
    }
}
