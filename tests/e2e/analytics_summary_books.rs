//! The accounting and warehouse summary: receivables open at the period's end in two aging
//! buckets after a payment, days sales outstanding, stock received in two warehouses with one unit
//! damaged, and a stocktake's shortage, against the accounting aging report and the stock list.

use super::*;

/// Sums on hand × average cost of the stock list by "warehouse/condition".
async fn stock_values(accountant: &Session) -> std::collections::BTreeMap<String, (i64, i64)> {
    let list = accountant.get("/api/v1/stock").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let mut values = std::collections::BTreeMap::new();
    for level in list.body["items"].as_array().unwrap().iter().filter(|l| l["on_hand"] != 0) {
        let key = format!("{}/{}", level["warehouse"].as_str().unwrap(), level["condition"].as_str().unwrap());
        let on_hand = level["on_hand"].as_i64().unwrap();
        let entry: &mut (i64, i64) = values.entry(key).or_default();
        *entry = (entry.0 + on_hand, entry.1 + on_hand * level["average_unit_cost"].as_i64().unwrap());
    }
    values
}

async fn set_terms(accountant: &Session, customer_id: &Value, days: i32) {
    let path = format!("/api/v1/customers/{customer_id}/credit-terms");
    let set =
        accountant.send(Method::PUT, &path, Some(json!({"credit_limit": 0, "payment_terms_days": days})), &[]).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
}

#[tokio::test]
async fn books_show_receivables_by_age_days_sales_outstanding_and_stock_at_the_period_end() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let other = rep.create_customer(customer("Công ty Dầu khí Hà Nội", "project", "HN")).await;
    let accountant = system.login("accountant").await;
    // The school pays on delivery, the other customer in 90 days.
    set_terms(&accountant, &school["id"], 0).await;
    set_terms(&accountant, &other["id"], 90).await;
    let school_invoice = ship_everything(&system, &products, &rep, &school["id"]).await;
    let other_invoice = ship_a_viscometer(&system, &rep, &other["id"], products.viscometer, "FN-003").await;
    assert_eq!(school_invoice["due_date"], today().to_string());
    let paid = json!({"customer_id": school["id"], "amount": 100_000_000, "invoice_id": school_invoice["id"]});
    let payment = accountant.send(Method::POST, "/api/v1/payments", Some(paid), &[]).await;
    assert_eq!(payment.status, StatusCode::CREATED, "{}", payment.body);

    // Presses: 2 into Hà Nội at 110,000; 5 good and 1 damaged into Hồ Chí Minh City at 120,000;
    // then a stocktake there finds 4 good. The moving average: (220,000 + 720,000) / 8 = 117,500.
    let keeper = system.login("warehouse").await;
    let press = products.filter_press;
    for (warehouse, lines) in [
        ("HN", json!([{"product_id": press, "quantity": 2, "unit_cost": 110_000}])),
        (
            "HCM",
            json!([{"product_id": press, "quantity": 5, "unit_cost": 120_000},
            {"product_id": press, "quantity": 1, "unit_cost": 120_000, "condition": "damaged"}]),
        ),
    ] {
        let receipt = keeper
            .post("/api/v1/stock/receipts", json!({"warehouse": warehouse, "kind": "purchase", "lines": lines}))
            .await;
        assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    }
    let count = keeper
        .post(
            "/api/v1/stock/counts",
            json!({"warehouse": "HCM", "lines": [
            {"product_id": press, "condition": "good", "counted": 4, "reason": "one unit not found"}]}),
        )
        .await;
    assert_eq!(count.status, StatusCode::CREATED, "{}", count.body);

    let gross = |invoice: &Value| invoice["total_gross"].as_i64().unwrap();
    let (school_open, other_open) = (gross(&school_invoice) - 100_000_000, gross(&other_invoice));
    let credit_sales = gross(&school_invoice) + gross(&other_invoice);
    let director = system.login("director").await;
    let this_month = month_of(today());
    let query = format!("department=accounting-warehouse&period=month&from={this_month}&to={this_month}");
    eventually("the invoices, the payment and the stocktake", || async {
        let p = &summary(&director, &query).await["periods"][0];
        figure(p, "receivables", "all", "closing_receivables") == Some(school_open + other_open)
            && figure(p, "stocktakes", "HCM", "counts") == Some(1)
    })
    .await;
    let body = summary(&director, &query).await;
    let p = &body["periods"][0];
    let end = end_of_month(today());
    let days = i64::from(end.day());
    let receivables = |name: &str| figure(p, "receivables", "all", name);
    assert_eq!((receivables("open_invoices"), receivables("credit_sales")), (Some(2), Some(credit_sales)));
    assert_eq!(receivables("days"), Some(days));
    let closing = school_open + other_open;
    let dso = half_up(i128::from(closing) * i128::from(days) * 10, i128::from(credit_sales));
    assert_eq!(receivables("dso_tenths"), Some(dso));
    let overdue = if bucket(today(), end) == "current" { 0 } else { school_open };
    assert_eq!(receivables("overdue"), Some(overdue));
    assert_eq!(figure(p, "total", "all", "collected"), Some(100_000_000));

    // Forty days on (next month or the one after), the school's debt is a month overdue or more
    // while the other is not due yet: two buckets, as the accounting aging report shows them.
    let later = today() + Days::new(40);
    let later_end = end_of_month(later);
    let late_bucket = bucket(today(), later_end);
    assert!(late_bucket == "31-60" || late_bucket == "61-90", "{late_bucket}");
    let later_query = format!("department=accounting-warehouse&period=month&from={0}&to={0}", month_of(later));
    let later_period = &summary(&director, &later_query).await["periods"][0];
    assert_eq!(figure(later_period, "receivables_aging", late_bucket, "open_amount"), Some(school_open));
    assert_eq!(figure(later_period, "receivables_aging", "current", "open_amount"), Some(other_open));
    // Rows of the month before are listed beside, at zero now.
    let aged = rows(later_period, "receivables_aging").iter().filter(|r| r["measures"][1]["current"] != 0);
    assert_eq!(aged.count(), 2);
    assert_eq!(figure(later_period, "receivables", "all", "dso_tenths"), Some(0), "nothing sold that month");
    let aging = accountant.get(&format!("/api/v1/reports/receivables-aging?as_of={later_end}")).await;
    assert_eq!(aging.status, StatusCode::OK, "{}", aging.body);
    for total in aging.body["totals"].as_array().unwrap() {
        let amount = figure(later_period, "receivables_aging", total["bucket"].as_str().unwrap(), "open_amount");
        assert_eq!(amount.unwrap_or(0), total["amount"].as_i64().unwrap(), "{total}");
    }

    // Stock at the month's end, as the stock list values it.
    let listed = stock_values(&accountant).await;
    let expected = [("HCM/damaged", 1, 117_500), ("HCM/good", 4, 470_000), ("HN/good", 2, 235_000)];
    assert_eq!(listed.len(), 3, "{listed:?}");
    for (key, units, value) in expected {
        assert_eq!(listed[key], (units, value), "{key}");
        assert_eq!(
            (figure(p, "stock_by_warehouse", key, "units"), figure(p, "stock_by_warehouse", key, "value")),
            (Some(units), Some(value)),
            "{key}"
        );
    }
    assert_eq!(rows(p, "stock_by_warehouse").len(), 3);
    assert_eq!(figure(p, "damaged_stock", "HCM", "value"), Some(117_500));
    assert!(rows(p, "slow_moving_stock").is_empty(), "nothing has been held 90 days");
    assert_eq!(figure(p, "stocktakes", "HCM", "shortage_units"), Some(1));
    assert_eq!(figure(p, "stocktakes", "HCM", "shortage_value"), Some(117_500));
    assert_eq!(figure(p, "stocktakes", "HCM", "surplus_units"), Some(0));

    // A Hà Nội manager sees the Hà Nội warehouse only (both customers are Hà Nội's).
    let manager = summary(&system.login("manager.hn").await, &query).await;
    let mp = &manager["periods"][0];
    let keys: Vec<&str> = rows(mp, "stock_by_warehouse").iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["HN/good"]);
    assert_eq!(figure(mp, "stock_by_warehouse", "HN/good", "units"), Some(2));
    assert_eq!(figure(mp, "stock_by_warehouse", "HN/good", "value"), None, "no costs for a sales manager");
    assert!(rows(mp, "stocktakes").is_empty());
    assert_eq!(figure(mp, "receivables", "all", "closing_receivables"), Some(closing));

    // The workbook has a sheet per section.
    let (status, _, bytes) = director.download(&format!("/api/v1/reports/summary?{query}&format=xlsx")).await;
    assert_eq!(status, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut workbook = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("xl/workbook.xml").unwrap(), &mut workbook).unwrap();
    for sheet in
        ["receivables", "receivables_aging", "stock_by_warehouse", "slow_moving_stock", "damaged_stock", "stocktakes"]
    {
        assert!(workbook.contains(&format!("name=\"{sheet}\"")), "{sheet}: {workbook}");
    }
    system.stop().await;
}
