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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supplier_currencies_are_known_with_their_minor_units() {
        assert_eq!(parse_currency("usd"), Ok("USD".into()));
        assert!(parse_currency("BTC").is_err());
        assert_eq!(minor_unit_digits("JPY"), Some(0));
        assert_eq!(minor_unit_digits("EUR"), Some(2));
    }
}

/// `amount` plus VAT at `rate_bp` basis points, rounded half up to the currency's minor unit.
pub fn with_vat(amount: i64, rate_bp: i64) -> i64 {
    let gross = i128::from(amount) * i128::from(10_000 + rate_bp);
    // Half up, for positive and negative amounts alike (credit notes).
    let rounded = if gross >= 0 { (gross + 5_000) / 10_000 } else { (gross - 5_000) / 10_000 };
    i64::try_from(rounded).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod vat_tests {
    use super::with_vat;

    #[test]
    fn vat_is_added_and_rounded_half_up() {
        assert_eq!(with_vat(285_000_000, 1000), 313_500_000);
        assert_eq!(with_vat(15, 1000), 17); // 16.5 -> 17
        assert_eq!(with_vat(1_234_567, 800), 1_333_332); // 1 333 332.36
        assert_eq!(with_vat(-15, 1000), -17);
        assert_eq!(with_vat(0, 500), 0);
    }
}
