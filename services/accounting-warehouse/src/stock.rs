//! The checks every stock document shares: conditions, quantities, serial numbers, the products
//! a document names. Receipts, transfers, stocktakes, reservations and goods issue all build on
//! this module, and it on none of them.

use std::collections::{BTreeSet, HashMap, HashSet};

use atq_platform::limits;
use atq_platform::validation::Violations;
use atq_proto::accountingwarehouse::v1 as pb;

/// One document may not move more than this many units on a line.
pub use atq_platform::limits::MAX_QUANTITY;

/// Product id -> serial-tracked, from the catalog.
pub type Tracking = HashMap<i64, bool>;

/// Whether a line's product is serial-tracked; a field error when the catalog does not know it.
pub fn tracked(tracking: &Tracking, v: &mut Violations, field: String, product_id: i64) -> Option<bool> {
    let known = tracking.get(&product_id).copied();
    if known.is_none() {
        v.add(field, "no product in the catalog has this id");
    }
    known
}

/// Ids of the products a document names, for one catalog call.
pub fn product_ids(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    ids.filter(|id| *id > 0).collect::<BTreeSet<_>>().into_iter().collect()
}

pub fn check_lines_present(count: usize, v: &mut Violations) {
    if count == 0 {
        v.add("lines", "at least one line is required");
    } else if count > 500 {
        v.add("lines", "at most 500 lines per document");
    }
}

/// Line `i`'s quantity and serial numbers, checked against the catalog's tracking of its
/// product; None (and field errors in `v`) when either is wrong.
pub fn check_units(
    v: &mut Violations,
    tracking: &Tracking,
    i: usize,
    (product_id, quantity, serials): (i64, i64, &[String]),
) -> Option<(i64, Vec<String>)> {
    let quantity = v.check(&format!("lines[{i}].quantity"), parse_quantity(quantity));
    let is_tracked = tracked(tracking, v, format!("lines[{i}].product_id"), product_id);
    let (quantity, is_tracked) = (quantity?, is_tracked?);
    let serials = v.check(&format!("lines[{i}].serials"), parse_serials(serials, quantity, is_tracked))?;
    Some((quantity, serials))
}

/// Where a serial unit is: in stock, gone out on a goods issue, or missing at a stocktake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SerialStatus {
    InStock,
    Issued,
    Missing,
}

impl SerialStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SerialStatus::InStock => "in_stock",
            SerialStatus::Issued => "issued",
            SerialStatus::Missing => "missing",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    Good,
    Damaged,
}

impl Condition {
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Good => "good",
            Condition::Damaged => "damaged",
        }
    }

    pub fn parse(text: &str) -> Option<Condition> {
        match text {
            "good" => Some(Condition::Good),
            "damaged" => Some(Condition::Damaged),
            _ => None,
        }
    }

    /// Unspecified means good: goods are received and moved in good condition unless said.
    pub fn from_proto_or_good(value: i32) -> Result<Condition, String> {
        match pb::Condition::try_from(value) {
            Ok(pb::Condition::Unspecified) | Ok(pb::Condition::Good) => Ok(Condition::Good),
            Ok(pb::Condition::Damaged) => Ok(Condition::Damaged),
            Err(_) => Err("must be good or damaged".into()),
        }
    }

    pub fn to_proto(self) -> pb::Condition {
        match self {
            Condition::Good => pb::Condition::Good,
            Condition::Damaged => pb::Condition::Damaged,
        }
    }
}

/// Units a line moves: 1 to [`MAX_QUANTITY`].
pub fn parse_quantity(quantity: i64) -> Result<i64, String> {
    limits::quantity(quantity)
}

/// Units counted on a shelf: 0 to [`MAX_QUANTITY`].
pub fn parse_counted(counted: i64) -> Result<i64, String> {
    if (0..=MAX_QUANTITY).contains(&counted) { Ok(counted) } else { Err(format!("must be from 0 to {MAX_QUANTITY}")) }
}

/// Serial numbers of a line: one per unit for serial-tracked products, none otherwise, no repeats.
pub fn parse_serials(serials: &[String], quantity: i64, serial_tracked: bool) -> Result<Vec<String>, String> {
    let cleaned: Vec<String> = serials.iter().map(|s| s.trim().to_owned()).collect();
    if !serial_tracked {
        return if cleaned.is_empty() { Ok(cleaned) } else { Err("this product is not serial-tracked".into()) };
    }
    if cleaned.len() as i64 != quantity {
        return Err(format!("needs one serial number per unit: {quantity} expected, {} given", cleaned.len()));
    }
    if let Some(bad) = cleaned.iter().find(|s| s.is_empty() || s.len() > 64 || !s.chars().all(|c| c.is_ascii_graphic()))
    {
        return Err(format!("{bad:?} is not a serial number (1 to 64 visible characters)"));
    }
    let mut seen = HashSet::new();
    if let Some(repeat) = cleaned.iter().find(|s| !seen.insert(s.as_str())) {
        return Err(format!("{repeat} is listed twice"));
    }
    Ok(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serials(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn serial_tracked_lines_need_one_distinct_serial_per_unit() {
        assert_eq!(parse_serials(&serials(&[" SN1 ", "SN2"]), 2, true), Ok(serials(&["SN1", "SN2"])));
        assert!(parse_serials(&serials(&["SN1"]), 2, true).is_err());
        assert!(parse_serials(&serials(&["SN1", "SN1"]), 2, true).is_err());
        assert!(parse_serials(&serials(&["SN 1"]), 1, true).is_err());
        assert!(parse_serials(&serials(&["SN1"]), 1, false).is_err());
        assert_eq!(parse_serials(&[], 5, false), Ok(vec![]));
    }

    #[test]
    fn quantities_are_positive_and_bounded() {
        assert!(parse_quantity(0).is_err());
        assert!(parse_quantity(-3).is_err());
        assert!(parse_quantity(MAX_QUANTITY + 1).is_err());
        assert_eq!(parse_quantity(7), Ok(7));
    }
}
