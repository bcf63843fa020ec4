//! The bounds every amount and quantity is held to where it enters the system, so that no total
//! the books make from them can overflow 64-bit integers: amounts up to 10^15 (a thousand
//! trillion đồng, far above any document this company makes), quantities up to 10^6 units.
//! Products of the two (line totals) are checked against the amount bound as well.

/// The largest amount in minor units (VND has none: 10^15 đồng).
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;
/// The largest quantity of one line or one move.
pub const MAX_QUANTITY: i64 = 1_000_000;

/// An amount from 0 to [`MAX_AMOUNT`].
pub fn amount(value: i64) -> Result<i64, String> {
    if (0..=MAX_AMOUNT).contains(&value) { Ok(value) } else { Err(format!("must be from 0 to {MAX_AMOUNT}")) }
}

/// An amount from 1 to [`MAX_AMOUNT`] (a payment, a price that must be set).
pub fn positive_amount(value: i64) -> Result<i64, String> {
    if (1..=MAX_AMOUNT).contains(&value) { Ok(value) } else { Err(format!("must be from 1 to {MAX_AMOUNT}")) }
}

/// A quantity from 1 to [`MAX_QUANTITY`].
pub fn quantity(value: i64) -> Result<i64, String> {
    if (1..=MAX_QUANTITY).contains(&value) { Ok(value) } else { Err(format!("must be from 1 to {MAX_QUANTITY}")) }
}

/// `quantity × unit amount`, refused when it passes [`MAX_AMOUNT`].
pub fn line_total(quantity: i64, unit_amount: i64) -> Result<i64, String> {
    quantity
        .checked_mul(unit_amount)
        .filter(|total| (-MAX_AMOUNT..=MAX_AMOUNT).contains(total))
        .ok_or_else(|| format!("quantity × unit amount must not pass {MAX_AMOUNT}"))
}

/// The sum of `amounts`, or `None` when it overflows.
pub fn checked_sum(amounts: impl IntoIterator<Item = i64>) -> Option<i64> {
    amounts.into_iter().try_fold(0_i64, i64::checked_add)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_quantities_are_held_to_their_bounds() {
        assert_eq!(amount(0), Ok(0));
        assert_eq!(amount(MAX_AMOUNT), Ok(MAX_AMOUNT));
        assert!(amount(MAX_AMOUNT + 1).is_err());
        assert!(amount(-1).is_err());
        assert!(amount(i64::MAX).is_err());
        assert!(positive_amount(0).is_err());
        assert_eq!(quantity(MAX_QUANTITY), Ok(MAX_QUANTITY));
        assert!(quantity(0).is_err());
        assert!(quantity(MAX_QUANTITY + 1).is_err());
    }

    #[test]
    fn line_totals_and_sums_never_overflow_silently() {
        assert_eq!(line_total(3, 1_500_000), Ok(4_500_000));
        assert!(line_total(MAX_QUANTITY, MAX_AMOUNT).is_err());
        assert!(line_total(2, i64::MAX).is_err());
        assert_eq!(checked_sum([1, 2, 3]), Some(6));
        assert_eq!(checked_sum([i64::MAX, 1]), None);
    }
}
