//! The margins a sheet is drafted with: one per customer group, all required, and one per dealer
//! tier, each optional (a sheet without a tier's column quotes that tier's dealers the dealer
//! group's price).

use atq_platform::validation::Violations;
use atq_proto::importplanning::v1 as pb;

use super::pricing::{GROUPS, MAX_MARGIN_BP, TIERS};

/// Margins in basis points, in the order of [`GROUPS`] and [`TIERS`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Margins {
    pub groups: [i64; 3],
    pub tiers: [Option<i64>; 3],
}

impl Margins {
    /// The sheet's columns with their margins: the groups, then the tiers it prices.
    pub fn columns(&self) -> impl Iterator<Item = (&'static str, i64)> + '_ {
        let groups = GROUPS.into_iter().zip(self.groups);
        let tiers = TIERS.into_iter().zip(self.tiers).filter_map(|(tier, bp)| Some((tier, bp?)));
        groups.chain(tiers)
    }
}

pub(super) const NOT_A_COLUMN: &str =
    "is not a customer group or dealer tier: individual, dealer, project, distributor, tier1 or tier2";

/// The margins given, every bad one named; a group's is required, a tier's is not.
pub fn parse(v: &mut Violations, margins: &[pb::GroupMargin]) -> Margins {
    let mut found: [Option<i64>; 6] = [None; 6];
    for margin in margins {
        let word = margin.customer_group.trim();
        let field = format!("margins.{word}");
        let Some(index) = GROUPS.iter().chain(TIERS.iter()).position(|g| *g == word) else {
            v.add(field, NOT_A_COLUMN);
            continue;
        };
        if found[index].is_some() {
            v.add(field.clone(), "is given twice");
        }
        let bp = i64::from(margin.margin_bp);
        if bp < 0 {
            v.add(field, "must not be negative");
        } else if bp > MAX_MARGIN_BP {
            v.add(field, "must be at most 10 (1000%)");
        }
        found[index] = Some(bp);
    }
    let mut out = Margins::default();
    for (i, group) in GROUPS.iter().enumerate() {
        match found[i] {
            Some(bp) => out.groups[i] = bp,
            None => v.add(format!("margins.{group}"), "is required"),
        }
    }
    out.tiers.copy_from_slice(&found[GROUPS.len()..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn margin(group: &str, margin_bp: i32) -> pb::GroupMargin {
        pb::GroupMargin { customer_group: group.to_owned(), margin_bp }
    }

    #[test]
    fn groups_are_required_and_tiers_optional() {
        let mut v = Violations::new();
        let given =
            [margin("individual", 3500), margin("dealer", 2000), margin("project", 2500), margin("tier1", 1500)];
        let margins = parse(&mut v, &given);
        assert!(v.finish().is_ok());
        assert_eq!(margins.groups, [3500, 2000, 2500]);
        assert_eq!(margins.tiers, [None, Some(1500), None]);
        let columns: Vec<_> = margins.columns().collect();
        assert_eq!(columns, [("individual", 3500), ("dealer", 2000), ("project", 2500), ("tier1", 1500)]);
    }

    #[test]
    fn bad_margins_are_named() {
        let mut v = Violations::new();
        let given = [margin("individual", 3500), margin("vip", 1), margin("tier2", -5), margin("tier2", 100)];
        parse(&mut v, &given);
        let Err(atq_platform::Error::Invalid(fields)) = v.finish() else { panic!("expected a field error") };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["margins.vip", "margins.tier2", "margins.tier2", "margins.dealer", "margins.project"]);
    }
}
