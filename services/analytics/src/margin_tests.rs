use super::*;
use crate::margin_store::RETURN;

fn shipped(product_id: i64, quantity: i64, cost: i64, order: (i64, i64)) -> MarginRow {
    MarginRow {
        source: ISSUE.to_owned(),
        product_id,
        brand: format!("brand-{product_id}"),
        office: "HN".to_owned(),
        quantity,
        cost,
        order_net: Some(order.0),
        order_units: Some(order.1),
        ..MarginRow::default()
    }
}

#[test]
fn a_partial_shipment_earns_its_share_of_the_order_rounded_half_up() {
    // 1,000 for 3 units: 1 unit earns 333.33 -> 333, 2 units 666.67 -> 667.
    assert_eq!(line_revenue(&shipped(1, 1, 0, (1_000, 3))).unwrap(), 333);
    assert_eq!(line_revenue(&shipped(1, 2, 0, (1_000, 3))).unwrap(), 667);
    assert_eq!(line_revenue(&shipped(1, 3, 0, (1_000, 3))).unwrap(), 1_000);
    let unknown_order = MarginRow { order_net: None, ..shipped(1, 3, 0, (0, 0)) };
    assert_eq!(line_revenue(&unknown_order).unwrap(), 0);
}

#[test]
fn a_return_takes_back_its_own_revenue_and_cost() {
    let back = MarginRow {
        source: RETURN.to_owned(),
        product_id: 1,
        quantity: -1,
        revenue: -400,
        cost: -250,
        ..MarginRow::default()
    };
    let report = group(&[shipped(1, 2, 500, (800, 2)), back], GroupBy::Product).unwrap();
    assert_eq!(report.total, Figures { quantity: 1, revenue: 400, cost: 250 });
    assert_eq!(report.groups[0].figures.margin(), 150);
    assert_eq!(report.groups[0].figures.margin_rate_bp(), Some(3_750));
}

#[test]
fn rankings_run_both_ways_and_stop_at_the_limit() {
    let rows = [shipped(1, 1, 900, (1_000, 1)), shipped(2, 5, 100, (600, 5)), shipped(3, 2, 50, (300, 2))];
    let report = group(&rows, GroupBy::Product).unwrap();
    let ids = |groups: Vec<Group>| groups.iter().map(|g| g.product_id).collect::<Vec<_>>();
    assert_eq!(ids(rank(report.groups.clone(), RankBy::Revenue, Ranking::Best, 10)), [1, 2, 3]);
    assert_eq!(ids(rank(report.groups.clone(), RankBy::Margin, Ranking::Best, 2)), [2, 3]);
    assert_eq!(ids(rank(report.groups.clone(), RankBy::Margin, Ranking::Worst, 1)), [1]);
    assert_eq!(ids(rank(report.groups, RankBy::Quantity, Ranking::Worst, 10)), [1, 3, 2]);
}

#[test]
fn no_revenue_has_no_rate_and_words_are_checked() {
    assert_eq!(Figures { quantity: 1, revenue: 0, cost: 10 }.margin_rate_bp(), None);
    assert_eq!(Figures { quantity: 1, revenue: 1_000, cost: 1_500 }.margin_rate_bp(), Some(-5_000));
    assert!(RankBy::parse("profit").is_err());
    assert!(Ranking::parse("middle").is_err());
    assert_eq!(GroupBy::parse("Brand"), Ok(GroupBy::Brand));
    let by_brand = group(&[shipped(1, 1, 1, (2, 1)), shipped(2, 1, 1, (2, 1))], GroupBy::Brand).unwrap();
    assert_eq!(by_brand.groups.iter().map(|g| g.key.as_str()).collect::<Vec<_>>(), ["brand-1", "brand-2"]);
}
