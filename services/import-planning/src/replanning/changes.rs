//! What a re-plan changed: the milestones whose promise must be written again, and per plan
//! what was added, removed or moved, as sales is told it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use atq_platform::business_time::date_to_proto;
use atq_proto::importplanning::v1 as pb;
use chrono::NaiveDate;
use prost::Message;

use super::Scope;
use crate::plan_store::StoredMilestone;
use crate::planner::{self, Source};

pub(super) type MilestoneKey = (i32, i32);

/// The planned milestones whose promise, lateness or coverage differ from what is stored, with
/// their coverage encoded: only those are written.
pub(super) fn unsaved<'p>(
    stored: &[(StoredMilestone, String)],
    planned: &'p [planner::Planned],
    today: NaiveDate,
) -> Vec<(&'p planner::Planned, Vec<u8>)> {
    let as_stored: HashMap<(i64, i32, i32), &StoredMilestone> =
        stored.iter().map(|(m, _)| ((m.plan_id, m.line_no, m.milestone_no), m)).collect();
    let mut to_save = Vec::new();
    for planned in planned {
        let coverage = coverage_of(planned).encode_to_vec();
        let unchanged = as_stored.get(&(planned.plan_id, planned.line_no, planned.milestone_no)).is_some_and(|m| {
            same_promise(m.promise_date, planned.promise_date, today)
                && m.late == planned.late
                && m.reason == planned.reason
                && m.coverage == coverage
        });
        if !unchanged {
            to_save.push((planned, coverage));
        }
    }
    to_save
}

/// The plans that moved, each with its changes: those whose milestones changed, and every plan
/// in `before` (its schedule was just replaced, so it gets a new revision whatever moved).
pub(super) fn moved_plans(
    stored: &[(StoredMilestone, String)],
    before: &HashMap<i64, Vec<StoredMilestone>>,
    scope: &Scope,
    products: &BTreeSet<i64>,
    planned: &[planner::Planned],
    today: NaiveDate,
) -> Vec<(i64, Vec<pb::PlanChange>)> {
    let mut old: BTreeMap<i64, BTreeMap<MilestoneKey, StoredMilestone>> = BTreeMap::new();
    for (m, _) in stored {
        if !before.contains_key(&m.plan_id) {
            old.entry(m.plan_id).or_default().insert((m.line_no, m.milestone_no), m.clone());
        }
    }
    for (plan_id, milestones) in before {
        let entry = old.entry(*plan_id).or_default();
        for m in milestones.iter().filter(|m| scope.is_none() || products.contains(&m.product_id)) {
            entry.insert((m.line_no, m.milestone_no), m.clone());
        }
    }
    let mut new: BTreeMap<i64, BTreeMap<MilestoneKey, &planner::Planned>> = BTreeMap::new();
    for planned in planned {
        new.entry(planned.plan_id).or_default().insert((planned.line_no, planned.milestone_no), planned);
    }
    let plan_ids: BTreeSet<i64> = old.keys().chain(new.keys()).chain(before.keys()).copied().collect();
    let mut moved = Vec::new();
    for plan_id in plan_ids {
        let empty_old = BTreeMap::new();
        let empty_new = BTreeMap::new();
        let changes = diff(old.get(&plan_id).unwrap_or(&empty_old), new.get(&plan_id).unwrap_or(&empty_new), today);
        if !changes.is_empty() || before.contains_key(&plan_id) {
            moved.push((plan_id, changes));
        }
    }
    moved
}

fn coverage_of(planned: &planner::Planned) -> pb::PlannedMilestone {
    pb::PlannedMilestone {
        coverage: planned
            .coverage
            .iter()
            .map(|cover| {
                // Units on hand carry no date: they are ready now, whatever day it is.
                let (source, reference, dated) = match &cover.source {
                    Source::Reserved => ("reserved", String::new(), false),
                    Source::Stock => ("stock", String::new(), false),
                    Source::PurchaseOrder(number) => ("purchase_order", number.clone(), true),
                    Source::Proposal => ("proposal", String::new(), true),
                };
                pb::Coverage {
                    source: source.to_owned(),
                    reference,
                    quantity: cover.quantity,
                    available_on: dated.then(|| date_to_proto(cover.available_on)),
                }
            })
            .collect(),
        ..Default::default()
    }
}

fn proto_day(date: Option<NaiveDate>) -> Option<atq_proto::common::v1::LocalDate> {
    date.map(date_to_proto)
}

/// Milestones added, removed, or whose schedule or promise moved.
/// Goods ready yesterday are ready today: a promise in the past reads as today, so the days
/// passing alone never count as a move.
pub(super) fn same_promise(old: Option<NaiveDate>, new: NaiveDate, today: NaiveDate) -> bool {
    old.map(|o| o.max(today)) == Some(new.max(today))
}

pub(super) fn diff(
    old: &BTreeMap<MilestoneKey, StoredMilestone>,
    new: &BTreeMap<MilestoneKey, &planner::Planned>,
    today: NaiveDate,
) -> Vec<pb::PlanChange> {
    let keys: BTreeSet<MilestoneKey> = old.keys().chain(new.keys()).copied().collect();
    let mut changes = Vec::new();
    for key in keys {
        let (before, after) = (old.get(&key), new.get(&key));
        let change = match (before, after) {
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            (Some(b), Some(a))
                if b.needed_by != a.needed_by
                    || b.quantity != a.quantity
                    || !same_promise(b.promise_date, a.promise_date, today)
                    || b.late != a.late =>
            {
                "moved"
            }
            _ => continue,
        };
        changes.push(pb::PlanChange {
            line_no: key.0,
            milestone_no: key.1,
            product_id: after.map(|a| a.product_id).or(before.map(|b| b.product_id)).unwrap_or_default(),
            change: change.to_owned(),
            old_needed_by: proto_day(before.map(|b| b.needed_by)),
            new_needed_by: proto_day(after.map(|a| a.needed_by)),
            old_promise_date: proto_day(before.and_then(|b| b.promise_date)),
            new_promise_date: proto_day(after.map(|a| a.promise_date)),
            was_late: before.is_some_and(|b| b.late),
            late: after.is_some_and(|a| a.late),
            old_quantity: before.map(|b| b.quantity).unwrap_or_default(),
            new_quantity: after.map(|a| a.quantity).unwrap_or_default(),
        });
    }
    changes
}
