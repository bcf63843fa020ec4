use super::*;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn terms(supplier_id: i64, lead_time_days: i64, buffer_days: i64) -> Terms {
    Terms {
        supplier_id,
        lead_time_days,
        buffer_days,
        min_order_quantity: 1,
        pack_size: 1,
        reorder_point: 0,
        reorder_quantity: 0,
    }
}

fn demand(plan_id: i64, product_id: i64, needed_by: &str, quantity: i64) -> Demand {
    Demand { plan_id, line_no: 1, milestone_no: 1, product_id, needed_by: day(needed_by), quantity, reserved: 0 }
}

fn stock(product_id: i64, on: &str, quantity: i64) -> Supply {
    Supply { product_id, available_on: day(on), quantity, source: Source::Stock }
}

fn po(product_id: i64, number: &str, on: &str, quantity: i64) -> Supply {
    Supply { product_id, available_on: day(on), quantity, source: Source::PurchaseOrder(number.into()) }
}

fn cover(source: Source, quantity: i64, on: &str) -> Cover {
    Cover { source, quantity, available_on: day(on) }
}

fn number(text: &str) -> Source {
    Source::PurchaseOrder(text.into())
}

fn run(today: &str, terms: &[(i64, Terms)], demands: &[Demand], supplies: &[Supply]) -> Outcome {
    let terms: HashMap<i64, Terms> = terms.iter().cloned().collect();
    plan(&Input { today: day(today), terms: &terms, demands, supplies })
}

fn of_plan(outcome: &Outcome, plan_id: i64) -> &Planned {
    outcome.planned.iter().find(|p| p.plan_id == plan_id).unwrap()
}

#[test]
fn planner_nets_against_stock_then_purchase_orders_in_time_order() {
    let demands = [demand(2, 1, "2027-01-15", 12), demand(1, 1, "2026-12-10", 8)];
    let supplies =
        [po(1, "DMH-2026-0001", "2026-12-01", 15), stock(1, "2026-11-02", 10), po(1, "DMH-2026-0002", "2026-11-20", 5)];
    let outcome = run("2026-11-02", &[(1, terms(5, 60, 14))], &demands, &supplies);

    let first = of_plan(&outcome, 1);
    assert_eq!(first.coverage, vec![cover(Source::Stock, 8, "2026-11-02")]);
    assert_eq!((first.promise_date, first.late, first.reason.as_str()), (day("2026-11-02"), false, ""));
    let second = of_plan(&outcome, 2);
    assert_eq!(
        second.coverage,
        vec![
            cover(Source::Stock, 2, "2026-11-02"),
            cover(number("DMH-2026-0002"), 5, "2026-11-20"),
            cover(number("DMH-2026-0001"), 5, "2026-12-01"),
        ]
    );
    assert_eq!((second.promise_date, second.late), (day("2026-12-01"), false));
    assert!(outcome.proposals.is_empty());
}

#[test]
fn planner_orders_by_needed_by_less_lead_time_and_buffer() {
    let outcome = run("2026-07-01", &[(1, terms(5, 60, 14))], &[demand(1, 1, "2026-12-15", 5)], &[]);

    let expected = Proposal {
        product_id: 1,
        supplier_id: 5,
        quantity: 5,
        shortfall: 5,
        order_by: day("2026-10-02"),
        needed_by: day("2026-12-15"),
        expected_on: day("2026-12-15"),
        why: Why::Project,
    };
    assert_eq!(outcome.proposals, vec![expected]);
    let planned = &outcome.planned[0];
    assert_eq!(planned.coverage, vec![cover(Source::Proposal, 5, "2026-12-15")]);
    assert_eq!((planned.promise_date, planned.late), (day("2026-12-15"), false));
}

#[test]
fn planner_makes_a_line_late_when_its_order_by_date_has_passed() {
    let outcome = run("2026-11-23", &[(1, terms(5, 60, 14))], &[demand(1, 1, "2026-12-15", 5)], &[]);

    let planned = &outcome.planned[0];
    assert!(planned.late);
    assert_eq!(planned.promise_date, day("2027-02-05"));
    assert_eq!(
        planned.reason,
        "order-by date 2026-10-02 has passed: 60 days supplier lead time + 14 days customs and transport; \
         earliest arrival 2027-02-05"
    );
    let proposal = &outcome.proposals[0];
    assert_eq!((proposal.order_by, proposal.expected_on), (day("2026-10-02"), day("2027-02-05")));
}

#[test]
fn planner_waits_for_a_late_purchase_order() {
    let supplies = [po(1, "DMH-2026-0003", "2027-03-18", 10)];
    let outcome = run("2026-11-02", &[(1, terms(5, 30, 7))], &[demand(1, 1, "2027-03-01", 10)], &supplies);

    let planned = &outcome.planned[0];
    assert_eq!(planned.coverage, vec![cover(number("DMH-2026-0003"), 10, "2027-03-18")]);
    assert_eq!((planned.promise_date, planned.late), (day("2027-03-18"), true));
    assert_eq!(planned.reason, "waits for DMH-2026-0003, expected 2027-03-18");
    assert!(outcome.proposals.is_empty());
}

#[test]
fn planner_gives_the_reason_of_the_latest_cover() {
    let supplies = [stock(1, "2027-02-01", 2), po(1, "DMH-2027-0001", "2027-03-18", 3)];
    let outcome = run("2027-02-01", &[(1, terms(5, 60, 14))], &[demand(1, 1, "2027-03-01", 10)], &supplies);

    let planned = &outcome.planned[0];
    assert_eq!(planned.promise_date, day("2027-04-16"));
    assert!(planned.reason.starts_with("order-by date 2026-12-17 has passed"), "{}", planned.reason);
}

#[test]
fn planner_rounds_to_minimum_and_packs_and_carries_the_surplus() {
    let mut rounded = terms(5, 10, 5);
    (rounded.min_order_quantity, rounded.pack_size) = (12, 5);
    let demands = [demand(1, 1, "2027-01-10", 3), demand(2, 1, "2027-02-10", 9), demand(3, 1, "2027-03-10", 5)];
    let outcome = run("2026-11-02", &[(1, rounded)], &demands, &[]);

    let made: Vec<_> = outcome.proposals.iter().map(|p| (p.quantity, p.shortfall, p.needed_by)).collect();
    assert_eq!(made, vec![(15, 3, day("2027-01-10")), (15, 2, day("2027-03-10"))]);
    assert_eq!(of_plan(&outcome, 2).coverage, vec![cover(Source::Proposal, 9, "2027-01-10")]);
    assert_eq!(
        of_plan(&outcome, 3).coverage,
        vec![cover(Source::Proposal, 3, "2027-01-10"), cover(Source::Proposal, 2, "2027-03-10")]
    );
    assert!(outcome.planned.iter().all(|p| !p.late));
}

#[test]
fn planner_covers_from_the_reservation_first() {
    let mut partly = demand(1, 1, "2026-12-01", 10);
    partly.reserved = 4;
    let mut over = demand(2, 1, "2027-01-01", 3);
    over.reserved = 7;
    let outcome = run("2026-11-02", &[(1, terms(5, 10, 5))], &[partly, over], &[stock(1, "2026-11-02", 5)]);

    assert_eq!(
        of_plan(&outcome, 1).coverage,
        vec![
            cover(Source::Reserved, 4, "2026-11-02"),
            cover(Source::Stock, 5, "2026-11-02"),
            cover(Source::Proposal, 1, "2026-12-01"),
        ]
    );
    let over = of_plan(&outcome, 2);
    assert_eq!(over.coverage, vec![cover(Source::Reserved, 3, "2026-11-02")]);
    assert_eq!((over.promise_date, over.late), (day("2026-11-02"), false));
    assert_eq!(outcome.proposals.len(), 1);
}

#[test]
fn planner_gives_competing_stock_to_the_earlier_need() {
    let demands = [demand(1, 1, "2027-02-01", 8), demand(2, 1, "2026-12-01", 8)];
    let outcome = run("2026-11-02", &[(1, terms(5, 20, 5))], &demands, &[stock(1, "2026-11-02", 10)]);

    assert_eq!(of_plan(&outcome, 2).coverage, vec![cover(Source::Stock, 8, "2026-11-02")]);
    assert_eq!(
        of_plan(&outcome, 1).coverage,
        vec![cover(Source::Stock, 2, "2026-11-02"), cover(Source::Proposal, 6, "2027-02-01")]
    );
    assert_eq!(outcome.proposals[0].shortfall, 6);
}

#[test]
fn planner_proposes_reorders_at_the_reorder_point() {
    let with = |reorder_point, reorder_quantity, min_order_quantity, pack_size| Terms {
        reorder_point,
        reorder_quantity,
        min_order_quantity,
        pack_size,
        ..terms(5, 30, 10)
    };
    let terms = [
        (1, with(10, 0, 1, 5)),
        (2, with(10, 25, 1, 1)),
        (3, with(10, 0, 1, 1)),
        (4, with(0, 0, 1, 1)),
        (5, with(3, 0, 1, 1)),
        (6, with(5, 0, 12, 1)),
    ];
    let demands = [demand(1, 2, "2026-12-01", 25), demand(2, 6, "2027-01-01", 10)];
    let supplies = [stock(1, "2026-11-02", 4), stock(2, "2026-11-02", 30), stock(3, "2026-11-02", 11)];
    let outcome = run("2026-11-02", &terms, &demands, &supplies);

    let reorders: Vec<_> = outcome
        .proposals
        .iter()
        .filter(|p| p.why == Why::Reorder)
        .map(|p| (p.product_id, p.quantity, p.shortfall))
        .collect();
    assert_eq!(reorders, vec![(1, 20, 7), (2, 25, 6), (5, 6, 4), (6, 12, 4)]);
    let reorder = outcome.proposals.iter().find(|p| p.why == Why::Reorder).unwrap();
    assert_eq!((reorder.order_by, reorder.expected_on), (day("2026-11-02"), day("2026-12-12")));
    assert_eq!(reorder.needed_by, reorder.expected_on);
}

#[test]
fn planner_marks_milestones_without_terms_late_without_proposing() {
    let demands = [demand(1, 9, "2026-12-01", 10), demand(2, 8, "2026-12-01", 3)];
    let supplies = [stock(9, "2026-11-02", 4), stock(8, "2026-11-02", 3)];
    let outcome = run("2026-11-02", &[], &demands, &supplies);

    let short = of_plan(&outcome, 1);
    assert_eq!(short.coverage, vec![cover(Source::Stock, 4, "2026-11-02")]);
    assert!(short.late);
    assert_eq!(short.reason, "no supplier terms for product 9");
    let covered = of_plan(&outcome, 2);
    assert!(!covered.late && covered.reason.is_empty());
    assert!(outcome.proposals.is_empty());
}

#[test]
fn planner_is_deterministic_whatever_the_input_order() {
    let mut reordering = terms(6, 40, 10);
    reordering.reorder_point = 20;
    let terms = [(1, terms(5, 60, 14)), (2, reordering), (3, terms(5, 20, 5))];
    let mut demands = Vec::new();
    for k in 0..40 {
        let mut milestone = demand(k % 7, 1 + k % 3, &format!("2027-{:02}-{:02}", 1 + k % 12, 1 + k % 28), 5 + k);
        milestone.milestone_no = i32::try_from(k).unwrap();
        demands.push(milestone);
    }
    let supplies =
        [stock(1, "2026-11-02", 30), po(2, "DMH-2026-0009", "2027-01-05", 40), po(2, "DMH-2026-0008", "2027-01-05", 7)];
    let forward = run("2026-11-02", &terms, &demands, &supplies);
    demands.reverse();
    let backward =
        run("2026-11-02", &terms, &demands, &[supplies[2].clone(), supplies[1].clone(), supplies[0].clone()]);

    assert_eq!(forward, backward);
    let keys: Vec<_> = forward.planned.iter().map(|p| (p.plan_id, p.line_no, p.milestone_no)).collect();
    assert!(keys.is_sorted());
    let keys: Vec<_> = forward.proposals.iter().map(|p| (p.supplier_id, p.order_by, p.product_id)).collect();
    assert!(keys.is_sorted());
    let po_8 = forward.planned.iter().position(|p| p.coverage.iter().any(|c| c.source == number("DMH-2026-0008")));
    let po_9 = forward.planned.iter().position(|p| p.coverage.iter().any(|c| c.source == number("DMH-2026-0009")));
    assert!(po_8.is_some() && po_9.is_some());
}

#[test]
fn planner_survives_odd_input() {
    let odd = Terms {
        supplier_id: 1,
        lead_time_days: i64::MAX,
        buffer_days: -5,
        min_order_quantity: -1,
        pack_size: 0,
        reorder_point: i64::MAX,
        reorder_quantity: 0,
    };
    let mut negative = demand(1, 1, "2026-12-01", -5);
    negative.reserved = -3;
    let mut at_the_end = demand(2, 1, "2026-12-01", i64::MAX);
    at_the_end.needed_by = NaiveDate::MAX;
    let mut at_the_start = demand(3, 1, "2026-12-01", 1);
    at_the_start.needed_by = NaiveDate::MIN;
    let supplies = [stock(1, "2026-11-02", -7), po(1, "DMH-1", "2026-11-02", i64::MAX)];
    let outcome = run("2026-11-02", &[(1, odd)], &[negative, at_the_end, at_the_start], &supplies);

    let zero = of_plan(&outcome, 1);
    assert_eq!((zero.quantity, zero.promise_date, zero.late), (0, day("2026-11-02"), false));
    assert!(zero.coverage.is_empty());
    assert!(of_plan(&outcome, 3).late);
    assert_eq!(outcome.planned.len(), 3);
}
