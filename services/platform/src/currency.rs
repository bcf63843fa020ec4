//! The currencies the business deals in: VND at home, the suppliers' currencies abroad. Amounts
//! are integers in the currency's minor unit.

/// ISO 4217 code and the number of decimal places of its minor unit.
pub const CURRENCIES: &[(&str, u32)] =
    &[("VND", 0), ("USD", 2), ("EUR", 2), ("JPY", 0), ("GBP", 2), ("CHF", 2), ("CNY", 2), ("KRW", 0), ("SGD", 2)];

pub fn parse_currency(text: &str) -> Result<String, String> {
    let code = text.trim().to_ascii_uppercase();
    if CURRENCIES.iter().any(|(known, _)| *known == code) {
        Ok(code)
    } else {
        let known: Vec<&str> = CURRENCIES.iter().map(|(c, _)| *c).collect();
        Err(format!("must be one of {}", known.join(", ")))
    }
}

pub fn minor_unit_digits(code: &str) -> Option<u32> {
    CURRENCIES.iter().find(|(known, _)| *known == code).map(|(_, digits)| *digits)
}

/// An amount in a currency's minor unit converted to VND at `rate_e4` (VND per unit x 10,000),
/// rounded half up to the đồng. None on overflow or an unknown currency.
pub fn to_vnd(amount_minor: i64, currency: &str, rate_e4: i64) -> Option<i64> {
    let scale = 10_i128.pow(minor_unit_digits(currency)?) * 10_000;
    let exact = i128::from(amount_minor).checked_mul(i128::from(rate_e4))?;
    let rounded = if exact >= 0 { (exact + scale / 2) / scale } else { (exact - scale / 2) / scale };
    i64::try_from(rounded).ok()
}

/// "25380.5" -> 253805000 (x 10,000). At most 4 decimal places; positive.
pub fn rate_e4_from_text(text: &str) -> Result<i64, String> {
    let text = text.trim().replace(',', "");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() || digits(fraction)) || fraction.len() > 4 {
        return Err("must be a positive number of VND with at most 4 decimal places".into());
    }
    let value = format!("{whole}{fraction:0<4}").parse::<i64>().map_err(|_| "is too large".to_owned())?;
    if value <= 0 { Err("must be more than zero".into()) } else { Ok(value) }
}

/// 253805000 -> "25380.5".
pub fn rate_e4_text(rate_e4: i64) -> String {
    let whole = rate_e4 / 10_000;
    let fraction = format!("{:04}", rate_e4 % 10_000);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() { whole.to_string() } else { format!("{whole}.{fraction}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_decimal_text_with_up_to_four_places() {
        assert_eq!(rate_e4_from_text("25380.5"), Ok(253_805_000));
        assert_eq!(rate_e4_from_text("25,380.50"), Ok(253_805_000));
        assert_eq!(rate_e4_from_text("166.1234"), Ok(1_661_234));
        assert!(rate_e4_from_text("1.23456").is_err());
        assert!(rate_e4_from_text("-3").is_err());
        assert!(rate_e4_from_text("0").is_err());
        assert_eq!(rate_e4_text(253_805_000), "25380.5");
        assert_eq!(rate_e4_text(1_661_234), "166.1234");
        assert_eq!(rate_e4_text(250_000_000), "25000");
    }

    #[test]
    fn conversions_round_half_up_to_the_dong() {
        // 1,234.56 USD at 25,380.5 VND = 31,333,750.08 -> 31,333,750
        assert_eq!(to_vnd(123_456, "USD", 253_805_000), Some(31_333_750));
        // 1,000,000 JPY at 166.125 VND = 166,125,000
        assert_eq!(to_vnd(1_000_000, "JPY", 1_661_250), Some(166_125_000));
        // 0.01 EUR at 27,450.5 = 274.505 -> 275
        assert_eq!(to_vnd(1, "EUR", 274_505_000), Some(275));
        assert_eq!(to_vnd(5_000, "VND", 10_000), Some(5_000));
        assert_eq!(to_vnd(1, "BTC", 1), None);
    }

    #[test]
    fn supplier_currencies_are_known_with_their_minor_units() {
        assert_eq!(parse_currency("usd"), Ok("USD".into()));
        assert!(parse_currency("BTC").is_err());
        assert_eq!(minor_unit_digits("JPY"), Some(0));
        assert_eq!(minor_unit_digits("EUR"), Some(2));
    }
}

/// `amount` plus VAT at `rate_bp` basis points, rounded half up to the currency's minor unit.
/// None when the amount with VAT does not fit in 64 bits: the caller refuses it, nothing is capped.
pub fn with_vat(amount: i64, rate_bp: i64) -> Option<i64> {
    let gross = i128::from(amount).checked_mul(i128::from(rate_bp).checked_add(10_000)?)?;
    // Half up, for positive and negative amounts alike (credit notes).
    let rounded = if gross >= 0 { (gross + 5_000) / 10_000 } else { (gross - 5_000) / 10_000 };
    i64::try_from(rounded).ok()
}

#[cfg(test)]
mod vat_tests {
    use super::with_vat;

    #[test]
    fn vat_is_added_and_rounded_half_up() {
        assert_eq!(with_vat(285_000_000, 1000), Some(313_500_000));
        assert_eq!(with_vat(15, 1000), Some(17)); // 16.5 -> 17
        assert_eq!(with_vat(1_234_567, 800), Some(1_333_332)); // 1 333 332.36
        assert_eq!(with_vat(-15, 1000), Some(-17));
        assert_eq!(with_vat(0, 500), Some(0));
    }

    #[test]
    fn an_amount_past_64_bits_with_vat_is_refused_not_capped() {
        assert_eq!(with_vat(i64::MAX, 1000), None);
        assert_eq!(with_vat(i64::MIN, 1000), None);
        assert_eq!(with_vat(i64::MAX / 2, 0), Some(i64::MAX / 2));
    }
}
