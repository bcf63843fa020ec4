use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn row(customer_id: i64, first_on: &str, last_on: &str, orders: i64, net: i64, returned_net: i64) -> ValueRow {
    ValueRow {
        customer_id,
        code: format!("KH{customer_id}"),
        office: "HN".to_owned(),
        group: "project".to_owned(),
        first_on: first_on.to_owned(),
        last_on: last_on.to_owned(),
        orders,
        net,
        returned_net,
    }
}

#[test]
fn quintile_scores_rank_figures_and_keep_ties_together() {
    assert_eq!(scores(&[10, 20, 30, 40, 50]), [1, 2, 3, 4, 5]);
    assert_eq!(scores(&[50, 10, 30, 20, 40]), [5, 1, 3, 2, 4]);
    assert_eq!(scores(&[7, 7, 7]), [2, 2, 2], "equal figures score alike");
    assert_eq!(scores(&[1, 2, 3, 4, 5, 6]), [1, 2, 3, 4, 5, 5]);
    assert_eq!(scores(&[100]), [5], "an only customer is the best");
    assert!(scores(&[]).is_empty());
}

#[test]
fn segments_follow_the_stated_rules() {
    assert_eq!(Segment::of(5, 5, 9), Segment::Champions);
    assert_eq!(Segment::of(5, 1, 1), Segment::New);
    assert_eq!(Segment::of(4, 2, 2), Segment::Potential, "two orders are not new");
    assert_eq!(Segment::of(3, 4, 4), Segment::Loyal);
    assert_eq!(Segment::of(3, 1, 1), Segment::Potential);
    assert_eq!(Segment::of(1, 5, 8), Segment::AtRisk);
    assert_eq!(Segment::of(2, 2, 2), Segment::Hibernating);
}

#[test]
fn a_customer_is_valued_from_their_kept_purchases() {
    let rows = [
        // Every 30 days, last 10 days ago.
        row(1, "2026-01-01", "2026-11-27", 12, 600_000_000, 0),
        // Every 10 days, last 100 days ago: at risk.
        row(2, "2026-06-04", "2026-08-23", 9, 300_000_000, 60_000_000),
        row(3, "2026-11-30", "2026-11-30", 1, 100_000_000, 0),
    ];
    let report = value_report(&rows, date(2026, 12, 7)).unwrap();
    assert_eq!(report.company_revenue, 940_000_000);
    let ids: Vec<i64> = report.customers.iter().map(|c| c.customer_id).collect();
    assert_eq!(ids, [1, 2, 3], "by revenue");
    let [regular, lapsed, newcomer] = [&report.customers[0], &report.customers[1], &report.customers[2]];
    assert_eq!(regular.mean_days_between_orders_tenths, Some(300));
    assert_eq!((regular.days_since_last_order, regular.at_risk), (10, false));
    assert_eq!(regular.average_order, 50_000_000);
    assert_eq!(regular.share_bp, 6_382);
    // 600 M over 340 days, at least a year: 600 M a year, for 3 years.
    assert_eq!(regular.lifetime_value, 1_800_000_000);
    assert_eq!((lapsed.revenue, lapsed.mean_days_between_orders_tenths), (240_000_000, Some(100)));
    assert!(lapsed.at_risk, "{lapsed:?}");
    assert_eq!(lapsed.lifetime_value, 240_000_000, "one year when at risk");
    assert_eq!((newcomer.mean_days_between_orders_tenths, newcomer.at_risk), (None, false));
    assert_eq!(newcomer.scores, [5, 2, 2]);
    assert_eq!(newcomer.segment, Segment::New);
    assert_eq!(regular.segment, Segment::Champions);
    assert_eq!(lapsed.scores[0], 2);
    assert_eq!(
        report.bands[0],
        [Band { score: 2, min: 106, max: 106 }, Band { score: 4, min: 10, max: 10 }, Band { score: 5, min: 7, max: 7 }]
    );
}
