//! Whether a unit is under warranty on a day: from the day it was shipped (or, for a replacement
//! given a new warranty, the day the replacement went out) for the product's warranty months, or
//! the contract's own months when the case names them.

use atq_platform::business_time::date_from_proto;
use atq_proto::accountingwarehouse::v1 as wh;
use chrono::{Months, NaiveDate};

/// Where the unit stands with customers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holder {
    /// With a customer since the start date.
    Customer { since: NaiveDate },
    /// Never delivered to anyone.
    NeverSold,
    /// Delivered once, back in the company now (status: in_stock, at_supplier, ...).
    Back { status: String },
}

/// The warranty of a unit on a day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coverage {
    pub months: i64,
    /// The last day covered.
    pub ends_on: Option<NaiveDate>,
    pub covered: bool,
    /// Why not, when not covered; empty when covered.
    pub reason: String,
}

/// The last day of a warranty of `months` from `start`: the ship date plus the months (the end
/// of a shorter month where the day does not exist).
pub fn last_day(start: NaiveDate, months: i64) -> Option<NaiveDate> {
    start.checked_add_months(Months::new(u32::try_from(months).ok()?))
}

/// The unit's coverage on `day`.
pub fn assess(holder: &Holder, months: i64, day: NaiveDate) -> Coverage {
    let not = |ends_on, reason: String| Coverage { months, ends_on, covered: false, reason };
    let since = match holder {
        Holder::NeverSold => return not(None, "never sold to a customer".into()),
        Holder::Back { status } => return not(None, format!("the unit is not with a customer ({status})")),
        Holder::Customer { since } => *since,
    };
    if months <= 0 {
        return not(None, "the product has no warranty".into());
    }
    match last_day(since, months) {
        Some(ends_on) if day <= ends_on => {
            Coverage { months, ends_on: Some(ends_on), covered: true, reason: "".into() }
        }
        Some(ends_on) => not(Some(ends_on), format!("warranty expired on {ends_on}")),
        None => not(None, "the warranty period cannot be counted".into()),
    }
}

/// Where the unit stands, from its history: with a customer since its sale's ship date (or the
/// day a replacement with a new warranty went out), never sold, or back.
pub fn holder(unit: &wh::SerialUnitHistory, new_warranty_from: Option<NaiveDate>) -> Holder {
    match (&unit.sale, &unit.first_sale) {
        (Some(sale), _) => {
            let shipped = sale.shipped_on.as_ref().and_then(|d| date_from_proto(d).ok());
            match new_warranty_from.or(shipped) {
                Some(since) => Holder::Customer { since },
                None => Holder::NeverSold,
            }
        }
        (None, None) => Holder::NeverSold,
        (None, Some(_)) => Holder::Back { status: unit.status.clone() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn twelve_months_from_the_ship_date_cover_up_to_the_same_day_a_year_on() {
        let holder = Holder::Customer { since: day(2025, 12, 1) };
        let last = assess(&holder, 12, day(2026, 12, 1));
        assert!(last.covered);
        assert_eq!(last.ends_on, Some(day(2026, 12, 1)));
        let after = assess(&holder, 12, day(2026, 12, 2));
        assert!(!after.covered);
        assert_eq!(after.reason, "warranty expired on 2026-12-01");
    }

    #[test]
    fn month_ends_are_clamped() {
        assert_eq!(last_day(day(2026, 1, 31), 1), Some(day(2026, 2, 28)));
        assert_eq!(last_day(day(2028, 2, 29), 12), Some(day(2029, 2, 28)));
    }

    #[test]
    fn units_never_sold_or_back_are_not_covered() {
        assert_eq!(assess(&Holder::NeverSold, 12, day(2026, 1, 1)).reason, "never sold to a customer");
        let back = Holder::Back { status: "in_stock".into() };
        assert!(!assess(&back, 12, day(2026, 1, 1)).covered);
        let no_warranty = assess(&Holder::Customer { since: day(2026, 1, 1) }, 0, day(2026, 1, 2));
        assert_eq!(no_warranty.reason, "the product has no warranty");
    }
}
