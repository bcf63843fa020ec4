//! Gross margins and the best and worst sellers, checked against shipments at known costs: a
//! receipt at another cost moves the moving average before the second shipment, a return takes
//! its revenue and cost back, and a sales manager sees their own office only.

use atq_tests::{Session, TestProducts, TestSystem, customer, eventually, seed_products, the_only_invoice_of};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Receives goods into a warehouse at unit costs: (product, quantity, unit cost, serials).
async fn receive(system: &TestSystem, warehouse: &str, reference: &str, lines: &[(i64, i64, i64, &[&str])]) {
    let lines: Vec<Value> = lines
        .iter()
        .map(|(product, quantity, cost, serials)| {
            json!({"product_id": product, "quantity": quantity, "unit_cost": cost, "serials": serials})
        })
        .collect();
    let body = json!({"warehouse": warehouse, "kind": "purchase", "reference": reference, "lines": lines});
    let receipt = system.login("warehouse").await.post("/api/v1/stock/receipts", body).await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
}

/// Orders (product, quantity, unit price) lines, confirms, dispatches, approves and ships them;
/// `serials` for the second line when it is serialised.
async fn ship(system: &TestSystem, rep: &Session, customer_id: &Value, lines: &[(i64, i64, i64)], serials: &[&str]) {
    let lines: Vec<Value> =
        lines.iter().map(|(p, q, price)| json!({"product_id": p, "quantity": q, "unit_price": price})).collect();
    let order = rep.post("/api/v1/orders", json!({"customer_id": customer_id, "lines": lines})).await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let order = order.header("location").expect("the order's address").to_owned();
    assert_eq!(rep.post(&format!("{order}/confirm"), json!({})).await.body["status"], "confirmed");
    let dispatch = rep.post(&format!("{order}/dispatch-orders"), json!({})).await;
    let dispatch = dispatch.header("location").expect("the dispatch order's address").to_owned();
    system.login("director").await.post(&format!("{dispatch}/approve"), json!({})).await;
    let body = if serials.is_empty() { json!({}) } else { json!({"lines": [{"line_no": 2, "serials": serials}]}) };
    let shipped = system.login("warehouse").await.post(&format!("{dispatch}/ship"), body).await;
    assert_eq!(shipped.status, StatusCode::OK, "{}", shipped.body);
    assert_eq!(shipped.body["status"], "shipped", "{}", shipped.body);
}

async fn report(session: &Session, path: &str) -> Value {
    let reply = session.get(path).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    reply.body
}

/// quantity, revenue, cost, margin and margin rate of a row.
fn figures(row: &Value) -> [Value; 5] {
    ["quantity", "revenue", "cost", "margin", "margin_rate_bp"].map(|key| row[key].clone())
}

fn row<'a>(body: &'a Value, key: &str) -> &'a Value {
    let rows = body["rows"].as_array().unwrap();
    rows.iter().find(|r| r["key"] == key).unwrap_or_else(|| panic!("no row {key} in {body}"))
}

fn keys(body: &Value) -> Vec<String> {
    body["rows"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap().to_owned()).collect()
}

/// Two HN customers and one of HCM, shipped to: the school before the filter presses' cost
/// changes, the hospital after (one press returned), the HCM institute at a loss.
async fn shipped_history(system: &TestSystem, products: &TestProducts) -> [Value; 3] {
    let (press, viscometer) = (products.filter_press, products.viscometer);
    receive(system, "HN", "INV-1", &[(press, 3, 100_000, &[]), (viscometer, 1, 250_000_000, &["FN-1"])]).await;
    let hanoi = system.login("sales.hn").await;
    let school = hanoi.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    ship(system, &hanoi, &school["id"], &[(press, 2, 300_000), (viscometer, 1, 400_000_000)], &["FN-1"]).await;
    // One press left at 100,000 and one received at 160,000: the average is now 130,000.
    receive(system, "HN", "INV-2", &[(press, 1, 160_000, &[])]).await;
    let hospital = hanoi.create_customer(customer("Bệnh viện Bạch Mai", "project", "HN")).await;
    ship(system, &hanoi, &hospital["id"], &[(press, 2, 300_000)], &[]).await;
    let accountant = system.login("accountant").await;
    let invoice = the_only_invoice_of(&accountant, &hospital["id"]).await;
    let back = json!({"invoice_id": invoice["id"], "reason": "Thừa một bộ",
        "lines": [{"invoice_line_no": 1, "quantity": 1}]});
    let returned = accountant.send(Method::POST, "/api/v1/returns", Some(back), &[("Idempotency-Key", "mg-1")]).await;
    assert_eq!(returned.status, StatusCode::CREATED, "{}", returned.body);
    receive(system, "HCM", "INV-3", &[(press, 1, 200_000, &[])]).await;
    let saigon = system.login("sales.hcm").await;
    let dealer = saigon.create_customer(customer("Viện Pasteur TP.HCM", "project", "HCM")).await;
    ship(system, &saigon, &dealer["id"], &[(press, 1, 150_000)], &[]).await;
    [school, hospital, dealer]
}

#[tokio::test]
async fn margins_follow_the_moving_average_returns_and_the_office() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let [school, hospital, dealer] = shipped_history(&system, &products).await;
    let director = system.login("director").await;
    // Presses: 2 + 2 − 1 returned in HN and 1 in HCM; revenue 600,000 + 600,000 − 300,000 +
    // 150,000; cost 200,000 + 260,000 − 130,000 + 165,000 (the moving average is the company's:
    // the returned press back at 130,000 and the HCM one received at 200,000).
    let press = json!([4, 1_050_000, 495_000, 555_000, 5_285]);
    let viscometer = json!([1, 400_000_000, 250_000_000, 150_000_000, 3_750]);
    eventually("every shipment, the return and the HCM order", || async {
        let body = report(&director, "/api/v1/reports/margins?by=product").await;
        body["rows"].as_array().unwrap().len() == 2
            && Value::from(figures(row(&body, &products.filter_press.to_string())).to_vec()) == press
    })
    .await;
    let by_product = report(&director, "/api/v1/reports/margins?by=product&period=year").await;
    assert_eq!(Value::from(figures(row(&by_product, &products.viscometer.to_string())).to_vec()), viscometer);
    assert_eq!(by_product["total"]["revenue"], 401_050_000);
    assert_eq!(by_product["total"]["margin"], 150_555_000);

    // The hospital bought after the cost change: 2 at 130,000, one returned at its issue cost.
    let by_customer = report(&director, "/api/v1/reports/margins?by=customer").await;
    let hospital = figures(row(&by_customer, hospital["code"].as_str().unwrap()));
    assert_eq!(Value::from(hospital.to_vec()), json!([1, 300_000, 130_000, 170_000, 5_666]));
    let school = figures(row(&by_customer, school["code"].as_str().unwrap()));
    assert_eq!(Value::from(school.to_vec()), json!([3, 400_600_000, 250_200_000, 150_400_000, 3_754]));
    let dealer = figures(row(&by_customer, dealer["code"].as_str().unwrap()));
    assert_eq!(Value::from(dealer.to_vec()), json!([1, 150_000, 165_000, -15_000, -1_000]));
    let by_office = report(&director, "/api/v1/reports/margins?by=office").await;
    assert_eq!(keys(&by_office), ["HCM", "HN"]);
    assert_eq!(row(&by_office, "HN")["margin"], 150_570_000);
    let by_salesperson = report(&director, "/api/v1/reports/margins?by=salesperson").await;
    assert_eq!(row(&by_salesperson, "sales.hcm")["margin"], -15_000);

    // Rankings both ways.
    let (press_key, viscometer_key) = (products.filter_press.to_string(), products.viscometer.to_string());
    let best = report(&director, "/api/v1/reports/products?rank_by=revenue").await;
    assert_eq!(keys(&best), [viscometer_key.clone(), press_key.clone()]);
    assert_eq!(
        (best["rows"][0]["category"].as_str(), best["rows"][0]["brand"].as_str()),
        (Some("chemistry"), Some("Fann"))
    );
    assert!(!best["rows"][0]["model_code"].as_str().unwrap().is_empty());
    let worst = report(&director, "/api/v1/reports/products?rank_by=margin&order=worst&limit=1").await;
    assert_eq!(keys(&worst), std::slice::from_ref(&press_key));
    assert_eq!(worst["total"]["margin"], 150_555_000, "the total is of every product, not the listed");
    let most_units = report(&director, "/api/v1/reports/products?rank_by=quantity&order=best").await;
    assert_eq!(keys(&most_units), [press_key.clone(), viscometer_key.clone()]);
    let other_category = report(&director, "/api/v1/reports/products?category=electronics_telecom").await;
    assert_eq!(keys(&other_category), Vec::<String>::new());

    // A sales manager of HN sees HN only, and may not ask for HCM.
    let manager = system.login("manager.hn").await;
    let own = report(&manager, "/api/v1/reports/products?rank_by=margin&order=worst").await;
    assert_eq!(own["office"], "HN");
    assert_eq!(Value::from(figures(row(&own, &press_key)).to_vec()), json!([3, 900_000, 330_000, 570_000, 6_333]));
    let refused = manager.get("/api/v1/reports/margins?by=office&office=HCM").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let hcm = report(&director, "/api/v1/reports/margins?by=product&office=HCM").await;
    assert_eq!(hcm["total"]["margin"], -15_000);

    // CSV: the listed rows, then the total.
    let (status, headers, bytes) = director.download("/api/v1/reports/products?rank_by=revenue&format=csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[reqwest::header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "key,product_id,model_code,category,brand,quantity,revenue,cost,margin,margin_rate_bp");
    assert!(lines[1].starts_with(&format!("{viscometer_key},{viscometer_key},")), "{text}");
    assert!(lines[1].ends_with(",1,400000000,250000000,150000000,3750"), "{text}");
    assert_eq!(lines[3], "all,,,,,5,401050000,250495000,150555000,3754");
    system.stop().await;
}

#[tokio::test]
async fn wrong_words_are_refused_field_by_field_in_vietnamese() {
    let system = TestSystem::start().await;
    let director = system.login("director").await;
    let wrong = director.get("/api/v1/reports/products?rank_by=profit&order=middle&limit=0&period=week").await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.body);
    let mut fields = wrong.error_fields();
    fields.sort();
    assert_eq!(fields, ["limit", "order", "period", "rank_by"]);
    // The test sessions ask for English; Vietnamese is the API's own default.
    let vietnamese = [("Accept-Language", "vi")];
    let by = director.send(Method::GET, "/api/v1/reports/margins?by=region&office=XX", None, &vietnamese).await;
    assert_eq!(by.error_fields(), ["by", "office"]);
    assert_eq!(by.status, StatusCode::BAD_REQUEST, "{}", by.body);
    assert_eq!(
        by.body["errors"][0]["message"],
        "phải là product (sản phẩm), brand (thương hiệu), category (nhóm hàng), customer (khách hàng), salesperson (nhân viên kinh doanh) hoặc office (văn phòng)"
    );
    let empty = report(&director, "/api/v1/reports/margins?by=brand&period=quarter&from=2025-Q4&to=2026-Q1").await;
    assert_eq!((empty["first_day"].clone(), empty["last_day"].clone()), (json!("2025-10-01"), json!("2026-03-31")));
    assert_eq!(empty["total"]["revenue"], 0);
    assert_eq!(empty["total"]["margin_rate_bp"], Value::Null);
    let rep = system.login("sales.hn").await.get("/api/v1/reports/margins").await;
    assert_eq!(rep.status, StatusCode::FORBIDDEN, "{}", rep.body);
    system.stop().await;
}
