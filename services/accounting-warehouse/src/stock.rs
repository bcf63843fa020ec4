//! The checks every stock document shares: conditions, quantities, serial numbers.

use std::collections::HashSet;

use atq_proto::accountingwarehouse::v1 as pb;

/// One document may not move more than this many units on a line.
pub const MAX_QUANTITY: i64 = 1_000_000;

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

pub fn parse_quantity(quantity: i64) -> Result<i64, String> {
    if (1..=MAX_QUANTITY).contains(&quantity) { Ok(quantity) } else { Err(format!("must be 1 to {MAX_QUANTITY}")) }
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
