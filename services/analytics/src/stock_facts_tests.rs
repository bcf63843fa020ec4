use super::*;

fn day(d: &str) -> NaiveDate {
    d.parse().unwrap()
}

fn mv(
    document_type: &str,
    number: &str,
    (product_id, warehouse, condition): (i64, &str, &str),
    quantity: i64,
    cost: Option<i64>,
    on: &str,
) -> MoveRow {
    MoveRow {
        document_type: document_type.to_owned(),
        document_number: number.to_owned(),
        product_id,
        warehouse: warehouse.to_owned(),
        condition: condition.to_owned(),
        quantity,
        unit_cost: cost,
        moved_on: day(on),
    }
}

#[test]
fn stock_is_valued_at_the_newest_company_wide_cost_of_the_day() {
    let moves = [
        mv("receipt", "PN-1", (1, "HN", GOOD), 10, Some(100), "2026-01-05"),
        mv("receipt", "PN-2", (1, "HCM", GOOD), 10, Some(120), "2026-02-05"),
        mv("transfer", "CK-1", (1, "HN", GOOD), -1, None, "2026-02-06"),
        mv("transfer", "CK-1", (1, "HN", DAMAGED), 1, None, "2026-02-06"),
        mv("receipt", "PN-3", (2, "HN", GOOD), 3, Some(1_000), "2026-03-01"),
    ];
    let january = stock_at(&moves, day("2026-01-31"), None).unwrap();
    assert_eq!(january.by_place.len(), 1);
    assert_eq!(january.by_place[&("HN".to_owned(), GOOD.to_owned())], Holding { products: 1, units: 10, value: 1_000 });
    // The HCM receipt raised the average for the units in Hà Nội too.
    let february = stock_at(&moves, day("2026-02-28"), None).unwrap();
    assert_eq!(february.by_place[&("HN".to_owned(), GOOD.to_owned())], Holding { products: 1, units: 9, value: 1_080 });
    assert_eq!(february.by_place[&("HCM".to_owned(), GOOD.to_owned())].value, 1_200);
    assert_eq!(february.damaged["HN"], Holding { products: 1, units: 1, value: 120 });
    // One office: its units only, but the cost another warehouse's receipt set.
    let hanoi = stock_at(&moves, day("2026-02-28"), Some("HN")).unwrap();
    assert_eq!(hanoi.by_place.len(), 2);
    assert_eq!(hanoi.by_place[&("HN".to_owned(), GOOD.to_owned())].value, 1_080);
    let march = stock_at(&moves, day("2026-03-31"), None).unwrap();
    assert_eq!(march.by_place[&("HN".to_owned(), GOOD.to_owned())], Holding { products: 2, units: 12, value: 4_080 });
}

#[test]
fn stock_held_long_without_an_issue_is_slow_moving() {
    let moves = [
        mv("receipt", "PN-1", (1, "HN", GOOD), 5, Some(10), "2026-01-01"),
        mv("receipt", "PN-2", (2, "HN", GOOD), 5, Some(20), "2026-01-01"),
        mv(ISSUE, "PX-1", (2, "HN", GOOD), -1, Some(20), "2026-03-15"),
        mv("receipt", "PN-3", (3, "HN", GOOD), 5, Some(30), "2026-03-20"),
        mv("receipt", "PN-4", (4, "HN", GOOD), 5, Some(40), "2026-01-01"),
        mv(ISSUE, "PX-2", (4, "HN", GOOD), -5, Some(40), "2026-01-02"),
    ];
    // 2026-01-01 is exactly 90 days before 2026-04-01: held long enough.
    let stock = stock_at(&moves, day("2026-04-01"), None).unwrap();
    assert_eq!(stock.slow["HN"], Holding { products: 1, units: 5, value: 50 }, "product 1 only");
    // A day earlier nothing has been held 90 days.
    assert!(stock_at(&moves, day("2026-03-31"), None).unwrap().slow.is_empty());
    // Product 2's issue falls out of the window on 2026-06-13.
    let later = stock_at(&moves, day("2026-06-13"), None).unwrap();
    assert_eq!(later.slow["HN"].products, 2);
}

#[test]
fn stocktakes_count_surplus_and_shortage_apart() {
    let moves = [
        mv(COUNT, "KK-1", (1, "HN", GOOD), 2, Some(100), "2026-01-10"),
        mv(COUNT, "KK-1", (2, "HN", GOOD), -3, Some(50), "2026-01-10"),
        mv(COUNT, "KK-2", (1, "HCM", DAMAGED), -1, Some(100), "2026-01-20"),
        mv(COUNT, "KK-3", (1, "HN", GOOD), 1, Some(100), "2026-02-01"),
        mv("receipt", "PN-1", (1, "HN", GOOD), 9, Some(100), "2026-01-10"),
    ];
    let january = stocktakes(&moves, (day("2026-01-01"), day("2026-01-31")), None).unwrap();
    assert_eq!(january["HN"], [1, 2, 200, 3, 150]);
    assert_eq!(january["HCM"], [1, 0, 0, 1, 100]);
    let hanoi = stocktakes(&moves, (day("2026-01-01"), day("2026-02-28")), Some("HN")).unwrap();
    assert_eq!(hanoi.len(), 1);
    assert_eq!(hanoi["HN"], [2, 3, 300, 3, 150]);
}
