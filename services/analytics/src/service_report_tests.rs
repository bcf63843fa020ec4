use chrono::NaiveDate;

use super::*;
use crate::periods::Unit;

fn month(text: &str) -> Period {
    Period::parse(Unit::Month, text).expect("a month")
}

fn request(kind: &str, office: &str, on: &str) -> RequestFact {
    RequestFact {
        kind: kind.into(),
        department: "sales".into(),
        office: office.into(),
        received_on: on.into(),
        first_response_minutes: -1,
        resolution_minutes: -1,
        first_response_target: 240,
        resolution_target: 2550,
        ..RequestFact::default()
    }
}

#[test]
fn rates_round_half_up_and_means_toward_zero() {
    assert_eq!(ratio(1, 3, 10_000), Some(3_333));
    assert_eq!(ratio(2, 3, 10_000), Some(6_667));
    assert_eq!(ratio(1, 2, 10_000), Some(5_000));
    assert_eq!(ratio(5, 0, 10_000), None);
    let mut figures = RequestFigures::default();
    let answered = |minutes| RequestFact { first_response_minutes: minutes, ..request("price", "HN", "2026-11-02") };
    figures.add(&answered(10), 0);
    figures.add(&answered(15), 0);
    assert_eq!(figures.mean_first_response_minutes(), Some(12), "25 / 2 toward zero");
    assert_eq!(figures.mean_first_response_target(), Some(240));
    assert_eq!(figures.mean_resolution_minutes(), None);
}

#[test]
fn requests_group_by_period_kind_department_and_office_with_breaches_at_the_time_asked() {
    let periods = [month("2026-10"), month("2026-11")];
    let late = RequestFact { first_response_due_at: 50, ..request("debt", "HCM", "2026-11-03") };
    let on_time = RequestFact {
        first_response_at: 20,
        first_response_minutes: 30,
        resolved_at: 40,
        resolution_minutes: 600,
        ..request("quality", "HN", "2026-11-04")
    };
    let earlier = request("quality", "HN", "2026-10-31");
    let outside = request("quality", "HN", "2026-12-01");
    let report = tally(&periods, &[late, on_time, earlier, outside], &[], &[], 100);
    let total = &report.totals[&periods[1]];
    assert_eq!((total.requests, total.answered, total.resolved, total.breached), (2, 1, 1, 1));
    assert_eq!(total.breach_rate_bp(), Some(5_000));
    assert_eq!(report.totals[&periods[0]].requests, 1);
    let key = (periods[1], "debt".to_owned(), "sales".to_owned(), "HCM".to_owned());
    assert_eq!(report.requests[&key].first_response_breached, 1);
    assert_eq!(report.requests[&key].resolution_breached, 0, "no due time known: not late");
    assert_eq!(report.requests.len(), 3);
}

#[test]
fn failure_rates_divide_cases_by_units_sold_and_turnaround_takes_median_and_mean() {
    let periods = [month("2026-11")];
    let case = |id, shipped: &str, received: &str| CaseFact {
        case_id: id,
        product_id: 7,
        supplier_id: 3,
        supplier_code: "NCC003".into(),
        opened_on: "2026-11-02".into(),
        rma_shipped_on: shipped.into(),
        rma_received_on: received.into(),
        ..CaseFact::default()
    };
    let cases = [case(1, "2026-10-01", "2026-11-05"), case(2, "2026-11-03", "2026-11-13"), case(3, "2026-11-04", "")];
    let units = [("2026-11".to_owned(), 7, 40), ("2026-11".to_owned(), 8, 5), ("2026-10".to_owned(), 7, 99)];
    let report = tally(&periods, &[], &cases, &units, 0);
    let product = &report.products[&(periods[0], 7)];
    assert_eq!((product.cases, product.units_sold, product.failure_rate_bp()), (3, 40, Some(750)));
    assert!(!report.products.contains_key(&(periods[0], 8)), "no cases: no row");
    let supplier = &report.suppliers[&(periods[0], 3)];
    assert_eq!((supplier.cases, supplier.rmas_sent), (3, 2), "the October shipment counts in October");
    assert_eq!(supplier.turnaround_days, [35, 10]);
    assert_eq!(supplier.median_turnaround_tenths(), Some(225));
    assert_eq!(supplier.mean_turnaround_tenths(), Some(225));
    let odd = SupplierFigures { turnaround_days: vec![9, 2, 4], ..SupplierFigures::default() };
    assert_eq!((odd.median_turnaround_tenths(), odd.mean_turnaround_tenths()), (Some(40), Some(50)));
    assert_eq!(NaiveDate::from_ymd_opt(2026, 11, 1), Some(periods[0].first_day));
}
