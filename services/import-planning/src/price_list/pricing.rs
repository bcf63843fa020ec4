//! The price quote sheet's arithmetic: selling price = cost x (1 + margin), rounded half up to the
//! sheet's step, with VAT per the product's rate. Exact integer VND throughout.

use atq_platform::currency::with_vat;

/// The customer groups a sheet prices for, in the order lines are listed.
pub const GROUPS: [&str; 3] = ["individual", "dealer", "project"];

/// Margins above this (1000%) are a typing mistake.
pub const MAX_MARGIN_BP: i64 = 100_000;
/// A step above 10,000,000 VND would make every price meaningless.
pub const MAX_ROUNDING_STEP: i64 = 10_000_000;
/// Costs above a trillion đồng per unit are a typing mistake (and keep the products in range).
pub const MAX_UNIT_COST: i64 = 1_000_000_000_000;

/// The dealer tiers a sheet may also price, each from its own margin; listed after the groups.
pub const TIERS: [&str; 3] = ["distributor", "tier1", "tier2"];

pub fn group_word(text: &str) -> Option<&'static str> {
    GROUPS.into_iter().find(|g| *g == text.trim())
}

/// A column of the sheet: a customer group or a dealer tier.
pub fn column_word(text: &str) -> Option<&'static str> {
    GROUPS.into_iter().chain(TIERS).find(|g| *g == text.trim())
}

/// Where a column's lines sort: the groups, then the tiers; anything else last.
pub fn column_rank(word: &str) -> usize {
    GROUPS.into_iter().chain(TIERS).position(|g| g == word).unwrap_or(GROUPS.len() + TIERS.len())
}

/// Net selling price: `cost x (10000 + margin_bp) / 10000`, rounded half up to a multiple of
/// `step`. Cost and margin are not negative and the step is positive (checked by the caller).
/// None when the price does not fit in 64 bits.
pub fn price_net(cost: i64, margin_bp: i64, step: i64) -> Option<i64> {
    let numerator = i128::from(cost.max(0)) * i128::from(10_000 + margin_bp.max(0));
    let denominator = 10_000 * i128::from(step.max(1));
    // round_half_up(n / d) = floor((2n + d) / 2d) for n >= 0.
    let steps = (2 * numerator + denominator) / (2 * denominator);
    i64::try_from(steps.checked_mul(i128::from(step.max(1)))?).ok()
}

/// Net and gross (with VAT at `vat_rate_bp`, half up to the đồng).
pub fn prices(cost: i64, margin_bp: i64, step: i64, vat_rate_bp: i64) -> Option<(i64, i64)> {
    let net = price_net(cost, margin_bp, step)?;
    Some((net, with_vat(net, vat_rate_bp)?))
}

/// The change from `old` to `new` as a fraction x 10,000, half away from zero; 0 when `old` is 0.
pub fn change_e4(old: i64, new: i64) -> i64 {
    if old == 0 {
        return 0;
    }
    let numerator = (i128::from(new) - i128::from(old)) * 10_000;
    let denominator = i128::from(old);
    let half = denominator / 2;
    let rounded = if (numerator >= 0) == (denominator > 0) {
        (numerator.abs() + half.abs()) / denominator.abs()
    } else {
        -((numerator.abs() + half.abs()) / denominator.abs())
    };
    i64::try_from(rounded).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_is_cost_plus_margin_rounded_half_up_to_the_step() {
        // 123,456 x 1.35 = 166,665.6 -> 167,000
        assert_eq!(price_net(123_456, 3500, 1000), Some(167_000));
        // 123,456 x 1.20 = 148,147.2 -> 148,000
        assert_eq!(price_net(123_456, 2000, 1000), Some(148_000));
        // exactly half a step rounds up: 1,500 -> 2,000
        assert_eq!(price_net(1_000, 5000, 1000), Some(2_000));
        // just under half rounds down: 1,499.9 -> 1,000
        assert_eq!(price_net(14_999, 0, 10_000), Some(10_000));
        assert_eq!(price_net(15_000, 0, 10_000), Some(20_000));
        // step 1: rounded to the đồng, half up (0.5 -> 1)
        assert_eq!(price_net(1, 5000, 1), Some(2));
        assert_eq!(price_net(3, 1666, 1), Some(3)); // 3.4998 -> 3
        assert_eq!(price_net(0, 3500, 1000), Some(0));
    }

    #[test]
    fn large_costs_do_not_overflow() {
        assert_eq!(price_net(MAX_UNIT_COST, MAX_MARGIN_BP, 1000), Some(11_000_000_000_000));
        assert_eq!(price_net(285_000_000, 2500, 1000), Some(356_250_000));
    }

    #[test]
    fn gross_adds_vat_to_the_rounded_net() {
        // 167,000 + 10% = 183,700; 148,000 + 8% = 159,840
        assert_eq!(prices(123_456, 3500, 1000, 1000), Some((167_000, 183_700)));
        assert_eq!(prices(123_456, 2000, 1000, 800), Some((148_000, 159_840)));
        // 1,235 x 1.05 = 1,296.75 -> 1,297
        assert_eq!(prices(1_235, 0, 1, 500), Some((1_235, 1_297)));
    }

    #[test]
    fn change_is_a_fraction_rounded_half_away_from_zero() {
        assert_eq!(change_e4(167_000, 184_000), 1018); // 10.1796% -> 0.1018
        assert_eq!(change_e4(184_000, 167_000), -924); // -9.239% -> -0.0924
        assert_eq!(change_e4(200, 201), 50);
        assert_eq!(change_e4(20_000, 20_001), 1); // 0.00005 -> 0.0001
        assert_eq!(change_e4(20_000, 19_999), -1);
        assert_eq!(change_e4(0, 5), 0);
        assert_eq!(change_e4(100, 100), 0);
    }

    #[test]
    fn groups_are_the_three_words() {
        assert_eq!(group_word(" dealer "), Some("dealer"));
        assert_eq!(group_word("vip"), None);
        assert_eq!(group_word("tier1"), None);
    }

    #[test]
    fn columns_are_the_groups_then_the_tiers() {
        assert_eq!(column_word(" tier1 "), Some("tier1"));
        assert_eq!(column_word("project"), Some("project"));
        assert_eq!(column_word("tier3"), None);
        assert_eq!(column_rank("individual"), 0);
        assert_eq!(column_rank("distributor"), 3);
        assert_eq!(column_rank("tier2"), 5);
        assert_eq!(column_rank("other"), 6);
    }
}
