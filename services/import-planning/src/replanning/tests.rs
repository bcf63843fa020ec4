use atq_platform::business_time::date_to_proto;
use chrono::NaiveDate;
use std::collections::BTreeMap;

use super::changes::{diff, same_promise};
use crate::plan_store::StoredMilestone;
use crate::planner;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn stored(line_no: i32, needed_by: &str, promise: &str, late: bool) -> StoredMilestone {
    StoredMilestone {
        plan_id: 1,
        line_no,
        milestone_no: 1,
        product_id: 7,
        needed_by: day(needed_by),
        quantity: 5,
        promise_date: Some(day(promise)),
        late,
        reason: String::new(),
        coverage: Vec::new(),
    }
}

fn planned(line_no: i32, needed_by: &str, promise: &str, late: bool) -> planner::Planned {
    planner::Planned {
        plan_id: 1,
        line_no,
        milestone_no: 1,
        product_id: 7,
        needed_by: day(needed_by),
        quantity: 5,
        promise_date: day(promise),
        late,
        reason: String::new(),
        coverage: Vec::new(),
    }
}

#[test]
fn a_re_plan_reports_only_what_moved() {
    let old: BTreeMap<_, _> = [
        ((1, 1), stored(1, "2027-03-01", "2027-02-20", false)),
        ((2, 1), stored(2, "2027-04-01", "2027-03-20", false)),
        ((3, 1), stored(3, "2027-05-01", "2027-04-20", false)),
    ]
    .into();
    let same = planned(1, "2027-03-01", "2027-02-20", false);
    let moved = planned(2, "2027-04-01", "2027-04-10", true);
    let added = planned(4, "2027-06-01", "2027-05-01", false);
    let new: BTreeMap<_, _> = [((1, 1), &same), ((2, 1), &moved), ((4, 1), &added)].into();
    let changes = diff(&old, &new, day("2027-01-01"));
    let kinds: Vec<(i32, &str)> = changes.iter().map(|c| (c.line_no, c.change.as_str())).collect();
    assert_eq!(kinds, [(2, "moved"), (3, "removed"), (4, "added")]);
    assert_eq!(changes[0].old_promise_date, Some(date_to_proto(day("2027-03-20"))));
    assert_eq!(changes[0].new_promise_date, Some(date_to_proto(day("2027-04-10"))));
    assert!(changes[0].late && !changes[0].was_late);
}

#[test]
fn goods_ready_yesterday_are_still_ready_today() {
    let today = day("2027-01-02");
    assert!(same_promise(Some(day("2027-01-01")), today, today));
    assert!(!same_promise(Some(day("2027-01-01")), day("2027-01-05"), today));
    assert!(!same_promise(None, today, today));
}
