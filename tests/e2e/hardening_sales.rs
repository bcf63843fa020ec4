//! Hardening of sales and import planning: amounts past the system's bounds, import plans of
//! another office, and cancelling an order whose goods were delivered.

use atq_tests::dates::{plus, today};
use atq_tests::{Reply, TestSystem, customer, seed_products};
use reqwest::StatusCode;
use serde_json::json;

/// Ten to the fifteenth: the largest amount the system takes.
const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

/// A field error (bad input, problem+json) naming exactly `fields`.
fn assert_refused(reply: &Reply, fields: &[&str]) {
    assert!(
        matches!(reply.status, StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY),
        "{} {}",
        reply.status,
        reply.body
    );
    assert_eq!(reply.error_fields(), fields, "{}", reply.body);
}

#[tokio::test]
async fn order_quote_and_contract_amounts_past_the_bounds_are_refused_by_field() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let press = products.filter_press;
    let rep = system.login("sales.hn").await;
    let school = rep.create_customer(customer("Trường THPT Việt Đức", "project", "HN")).await;
    let order = |lines: serde_json::Value| json!({"customer_id": school["id"], "lines": lines});

    // 9 x 10^18 đồng used to come back with its VAT capped at i64::MAX.
    let huge = rep
        .post(
            "/api/v1/orders",
            order(json!([{"product_id": press, "quantity": 1, "unit_price": 9_000_000_000_000_000_000_i64}])),
        )
        .await;
    assert_refused(&huge, &["lines[0].unit_price"]);
    let many = rep.post("/api/v1/orders", order(json!([{"product_id": press, "quantity": 1_000_001}]))).await;
    assert_refused(&many, &["lines[0].quantity"]);
    let line_past_the_bound = rep
        .post("/api/v1/orders", order(json!([{"product_id": press, "quantity": 1_000_000, "unit_price": MAX_AMOUNT}])))
        .await;
    assert_refused(&line_past_the_bound, &["lines[0].quantity"]);
    let total_past_the_bound = rep
        .post(
            "/api/v1/orders",
            order(json!([
                {"product_id": press, "quantity": 1, "unit_price": MAX_AMOUNT},
                {"product_id": press, "quantity": 1, "unit_price": MAX_AMOUNT},
            ])),
        )
        .await;
    assert_refused(&total_past_the_bound, &["lines"]);
    let orders = rep.get("/api/v1/orders").await;
    assert_eq!(orders.body["items"], json!([]), "nothing written: {}", orders.body);

    let quote = rep
        .post(
            "/api/v1/quotes",
            json!({"customer_id": school["id"], "lines": [
                {"product_id": press, "quantity": 2, "unit_price": 9_000_000_000_000_000_000_i64, "discount": "0.05"}]}),
        )
        .await;
    assert_refused(&quote, &["lines[0].unit_price"]);
    assert_eq!(rep.get("/api/v1/quotes").await.body["items"], json!([]));

    let contract = rep
        .post(
            "/api/v1/contracts",
            json!({"name": "Thiết bị phòng thí nghiệm", "customer_id": school["id"], "value": MAX_AMOUNT * 10}),
        )
        .await;
    assert_refused(&contract, &["value"]);

    // At the bound itself a line is taken, its VAT exact.
    let largest = rep
        .post(
            "/api/v1/orders",
            order(json!([{"product_id": press, "quantity": 1, "unit_price": 900_000_000_000_000_i64}])),
        )
        .await;
    assert_eq!(largest.status, StatusCode::CREATED, "{}", largest.body);
    assert_eq!(largest.body["lines"][0]["vat_amount"], 90_000_000_000_000_i64);
    system.stop().await;
}

#[tokio::test]
async fn supplier_order_and_landed_cost_amounts_past_the_bounds_are_refused_by_field() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let officer = system.login("import").await;

    let order = officer
        .post(
            "/api/v1/purchase-orders",
            json!({"supplier_id": products.supplier_id,
            "lines": [{"product_id": products.filter_press, "quantity": 1_000_000, "unit_price": 1_000_000_000_000_i64}]}),
        )
        .await;
    assert_refused(&order, &["lines[0].unit_price"]);
    assert_eq!(officer.get("/api/v1/purchase-orders").await.body["items"], json!([]));

    let preview = |line: serde_json::Value, charge: serde_json::Value| json!({"currency": "VND", "rate_date": today().to_string(), "lines": [line], "charges": [charge]});
    let line = json!({"product_id": products.filter_press, "quantity": 2, "unit_price": 1_000_000,
        "unit_weight_grams": 5_000, "duty_rate": "0.05"});
    let freight = json!({"kind": "freight", "amount": 100_000, "currency": "VND", "allocation": "value"});
    let fine = officer.post("/api/v1/landed-costs/preview", preview(line.clone(), freight.clone())).await;
    assert_eq!(fine.status, StatusCode::OK, "{}", fine.body);

    let mut huge_charge = freight.clone();
    huge_charge["amount"] = json!(MAX_AMOUNT * 100);
    let refused = officer.post("/api/v1/landed-costs/preview", preview(line.clone(), huge_charge)).await;
    assert_refused(&refused, &["charges[0].amount"]);
    let mut huge_price = line.clone();
    huge_price["unit_price"] = json!(MAX_AMOUNT * 1000);
    let refused = officer.post("/api/v1/landed-costs/preview", preview(huge_price, freight.clone())).await;
    assert_refused(&refused, &["lines[0].unit_price"]);
    let mut heavy = line;
    heavy["unit_weight_grams"] = json!(9_000_000_000_000_000_i64);
    let refused = officer.post("/api/v1/landed-costs/preview", preview(heavy, freight)).await;
    assert_refused(&refused, &["lines[0].unit_weight_grams"]);
    system.stop().await;
}

#[tokio::test]
async fn an_import_plan_belongs_to_the_office_of_its_contract() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let press = products.filter_press;
    let hanoi = system.login("sales.hn").await;
    let school = hanoi.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    let contract = hanoi
        .post("/api/v1/contracts", json!({"name": "Thiết bị phòng thí nghiệm hóa", "customer_id": school["id"]}))
        .await;
    assert_eq!(contract.status, StatusCode::CREATED, "{}", contract.body);
    let number = contract.body["number"].as_str().unwrap().to_owned();
    let schedule = |quantity: i64| {
        json!({"source_ref": number, "lines": [
            {"line_no": 1, "product_id": press, "milestones": [{"needed_by": plus(90), "quantity": quantity}]}]})
    };
    let planned = hanoi.post("/api/v1/import-plans", schedule(4)).await;
    assert_eq!(planned.status, StatusCode::OK, "{}", planned.body);
    assert_eq!((planned.body["office"].as_str(), &planned.body["customer_id"]), (Some("HN"), &school["id"]));
    let plan_path = format!("/api/v1/import-plans/{}", planned.body["id"]);

    // Đà Lạt neither rewrites nor reads Hà Nội's plan, nor sees it listed.
    let dalat = system.login("sales.dl").await;
    let mut moved = schedule(40);
    moved["office"] = json!("DL");
    let taken = dalat.post("/api/v1/import-plans", moved).await;
    assert_refused(&taken, &["source_ref"]);
    assert_eq!(dalat.get(&plan_path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(dalat.get("/api/v1/import-plans").await.body["items"], json!([]));
    let officer = system.login("import").await;
    let kept = officer.get(&plan_path).await.body;
    assert_eq!((kept["office"].as_str(), &kept["revision"]), (Some("HN"), &planned.body["revision"]), "{kept}");
    assert_eq!(kept["lines"][0]["milestones"][0]["quantity"], 4);

    // A plan takes the office of its document; one planned ahead of its contract's entry is its
    // maker's office's, and stays theirs.
    let mut elsewhere = schedule(4);
    elsewhere["office"] = json!("DL");
    assert_refused(&hanoi.post("/api/v1/import-plans", elsewhere).await, &["office"]);
    let mut ahead = schedule(2);
    ahead["source_ref"] = json!("HD-2099-0999");
    let planned_ahead = hanoi.post("/api/v1/import-plans", ahead.clone()).await;
    assert_eq!(planned_ahead.status, StatusCode::OK, "{}", planned_ahead.body);
    assert_eq!(planned_ahead.body["office"], "HN");
    ahead["lines"][0]["milestones"][0]["quantity"] = json!(20);
    assert_refused(&dalat.post("/api/v1/import-plans", ahead).await, &["source_ref"]);
    let ahead_path = format!("/api/v1/import-plans/{}", planned_ahead.body["id"]);
    let kept = officer.get(&ahead_path).await.body;
    assert_eq!((kept["office"].as_str(), &kept["lines"][0]["milestones"][0]["quantity"]), (Some("HN"), &json!(2)));
    assert_eq!(hanoi.get("/api/v1/import-plans").await.body["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(dalat.get("/api/v1/import-plans").await.body["items"], json!([]));
    system.stop().await;
}

#[tokio::test]
async fn a_delivered_order_cannot_be_cancelled() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let press = products.filter_press;
    let keeper = system.login("warehouse").await;
    let receipt = keeper
        .post(
            "/api/v1/stock/receipts",
            json!({"warehouse": "HN", "kind": "opening",
            "lines": [{"product_id": press, "quantity": 2, "unit_cost": 100_000}]}),
        )
        .await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    let rep = system.login("sales.hn").await;
    let shop = rep.create_customer(customer("Cửa hàng Thiết bị Hoàn Kiếm", "individual", "HN")).await;
    let order = rep
        .post("/api/v1/orders", json!({"customer_id": shop["id"], "lines": [{"product_id": press, "quantity": 2}]}))
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let order_path = format!("/api/v1/orders/{}", order.body["id"]);
    let confirmed = rep.post(&format!("{order_path}/confirm"), json!({})).await;
    assert_eq!(confirmed.body["status"], "confirmed", "{}", confirmed.body);
    let dispatch = rep.post(&format!("{order_path}/dispatch-orders"), json!({})).await;
    assert_eq!(dispatch.status, StatusCode::CREATED, "{}", dispatch.body);
    let dispatch_path = dispatch.header("location").unwrap().to_owned();
    let director = system.login("director").await;
    assert_eq!(director.post(&format!("{dispatch_path}/approve"), json!({})).await.body["status"], "approved");
    assert_eq!(keeper.post(&format!("{dispatch_path}/ship"), json!({})).await.body["status"], "shipped");
    assert_eq!(keeper.post(&format!("{dispatch_path}/deliver"), json!({})).await.body["status"], "delivered");
    let delivered = rep.get(&order_path).await.body;
    assert_eq!(delivered["status"], "completed", "{delivered}");

    let cancel = rep.post(&format!("{order_path}/cancel"), json!({})).await;
    assert_eq!(cancel.status, StatusCode::CONFLICT, "{}", cancel.body);
    assert!(cancel.header("content-type").is_some_and(|t| t.starts_with("application/problem+json")));
    assert!(cancel.body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{}", cancel.body);
    let still = rep.get(&order_path).await.body;
    assert_eq!((still["status"].as_str(), &still["version"]), (Some("completed"), &delivered["version"]));
    system.assert_books_agree().await;
    system.stop().await;
}

/// Names that show nothing or carry control characters are refused by field; a name typed with
/// combining marks is stored in its precomposed form, so search and duplicates see one name.
#[tokio::test]
async fn invisible_or_control_character_names_are_refused_and_names_are_stored_in_nfc() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    for name in ["\u{200B}\u{FEFF}", "Trường\u{0}THCS"] {
        let refused = rep.post("/api/v1/customers", customer(name, "project", "HN")).await;
        assert_eq!(refused.error_fields(), ["name"], "{name:?}: {}", refused.body);
    }
    let created = rep.post("/api/v1/customers", customer("Nguye\u{302}\u{303}n Văn Đức", "individual", "HN")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["name"], "Nguyễn Văn Đức");
}

/// A customer's responsible salesperson is one of the staff: a made-up or deactivated username is
/// refused by field, on creation and on reassignment, and nothing is written.
#[tokio::test]
async fn a_customer_is_assigned_only_to_an_active_colleague() {
    let system = TestSystem::start().await;
    let manager = system.login("manager.hn").await;
    let mut body = customer("Công ty TNHH Thiết bị Hà Thành", "dealer", "HN");
    body["assigned_to"] = json!("nguoi.khong.co");
    let refused = manager.post("/api/v1/customers", body.clone()).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.body["errors"][0]["field"], "assigned_to", "{}", refused.body);
    assert_eq!(manager.get("/api/v1/customers").await.body["items"].as_array().unwrap().len(), 0);

    body["assigned_to"] = json!("sales.hn");
    let created = manager.post("/api/v1/customers", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let path = format!("/api/v1/customers/{}", created.body["id"]);
    let etag = manager.get(&path).await.header("etag").unwrap().to_owned();
    let moved = manager.patch(&path, json!({"assigned_to": "ghost.user"}), &etag).await;
    assert_eq!(moved.status, StatusCode::BAD_REQUEST, "{}", moved.body);
    assert_eq!(moved.body["errors"][0]["field"], "assigned_to");
    let read = manager.get(&path).await;
    assert_eq!((read.body["assigned_to"].as_str(), read.body["version"].as_i64()), (Some("sales.hn"), Some(1)));
}
