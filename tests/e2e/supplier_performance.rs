//! The supplier lead-time report: supplier orders taken from sending to receipt in import
//! planning, read back per supplier from analytics. Dates are counted from today (business time).

use atq_tests::advance_purchase_order as advance;
use atq_tests::dates::{minus, plus, today};
use atq_tests::{Session, TestSystem, eventually, load_eur_rate_and_duty, seed_products};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The default customs/transport buffer: a confirmation promises the ship date plus this.
const BUFFER: u64 = 14;

/// A supplier order of `quantity` presses, sent `sent` days ago.
async fn sent_order(officer: &Session, supplier_id: i64, press: i64, quantity: i64, sent: u64) -> Value {
    let order = officer
        .post(
            "/api/v1/purchase-orders",
            json!({"supplier_id": supplier_id,
            "lines": [{"product_id": press, "quantity": quantity, "unit_price": 750_000}]}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    advance(officer, &order.body, json!({"action": "send", "on": minus(sent)})).await;
    order.body
}

/// Confirmed to ship `shipped` days ago, shipped, cleared and received `received` days ago.
async fn receive(officer: &Session, order: &Value, shipped: u64, received: u64) -> Value {
    let confirmed = advance(officer, order, json!({"action": "confirm", "ship_date": minus(shipped)})).await;
    advance(officer, order, json!({"action": "ship", "arrival_date": minus(received)})).await;
    advance(officer, order, json!({"action": "clear", "on": minus(received)})).await;
    let done = officer
        .post(
            &format!("/api/v1/purchase-orders/{}/receive", order["id"]),
            json!({"received_on": minus(received), "charges": []}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!((done.body["status"].as_str(), &done.body["received_on"]), (Some("received"), &json!(minus(received))));
    confirmed
}

#[tokio::test]
async fn lead_times_and_kept_promises_are_reported_per_supplier() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (press, supplier_id) = (products.filter_press, products.supplier_id);
    let officer = system.login("import").await;
    // Receipts cost the goods at the day's EUR rate and the product's duty.
    load_eur_rate_and_duty(&system, &minus(90)).await;

    // Sent 40 days ago, promised for 10 - 14 = 4 days from now, received 2 days ago: 38 days, on time.
    let early = sent_order(&officer, supplier_id, press, 4, 40).await;
    let confirmed = receive(&officer, &early, 10, 2).await;
    assert_eq!(confirmed["promised_on"], plus(BUFFER - 10));
    // Sent 50 days ago, promised 30 - 14 = 16 days ago, received 6 days ago: 44 days, 10 late.
    let late = sent_order(&officer, supplier_id, press, 6, 50).await;
    let confirmed = receive(&officer, &late, 30, 6).await;
    assert_eq!(confirmed["promised_on"], minus(30 - BUFFER));
    // Still open: one promised 6 days ago, one not confirmed yet.
    let overdue = sent_order(&officer, supplier_id, press, 1, 30).await;
    advance(&officer, &overdue, json!({"action": "confirm", "ship_date": minus(20)})).await;
    sent_order(&officer, supplier_id, press, 1, 1).await;

    let director = system.login("director").await;
    let report = || async {
        let reply = director.get("/api/v1/reports/suppliers").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body
    };
    eventually("both receipts and both open orders in the report", || async {
        let body = report().await;
        body["total"]["orders_received"] == 2 && body["total"]["open_orders"] == 2
    })
    .await;
    let body = report().await;
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{body}");
    let row = &items[0];
    assert_eq!(row["supplier_id"], supplier_id);
    assert_eq!((&row["supplier_code"], &row["supplier_name"]), (&early["supplier_code"], &json!("Fann Instrument")));
    assert_eq!((row["orders_received"].as_i64(), row["units_received"].as_i64()), (Some(2), Some(10)));
    assert_eq!((row["average_lead_time_days"].as_str(), row["max_lead_time_days"].as_i64()), (Some("41.0"), Some(44)));
    assert_eq!((row["orders_promised"].as_i64(), row["orders_on_time"].as_i64()), (Some(2), Some(1)));
    assert_eq!(row["on_time_rate"], "0.5000");
    assert_eq!((row["orders_late"].as_i64(), row["average_delay_days"].as_str()), (Some(1), Some("10.0")));
    assert_eq!((row["open_orders"].as_i64(), row["open_orders_overdue"].as_i64()), (Some(2), Some(1)));
    assert_eq!(body["total"]["on_time_rate"], "0.5000");
    assert_eq!(body["as_of"], today().to_string());
    // Twelve months by default, through the end of this one.
    let from = chrono::NaiveDate::parse_from_str(body["from"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert_eq!(from.to_string(), format!("{}-01", (today() - chrono::Months::new(11)).format("%Y-%m")));
    assert!(body["to"].as_str().unwrap() >= today().to_string().as_str(), "{body}");

    // A period before the receipts: nothing received, the open orders still shown.
    let earlier = (today() - chrono::Months::new(3)).format("%Y-%m").to_string();
    let reply = director.get(&format!("/api/v1/reports/suppliers?from={earlier}&to={earlier}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let row = &reply.body["items"][0];
    assert_eq!((row["orders_received"].as_i64(), row["open_orders"].as_i64()), (Some(0), Some(2)), "{}", reply.body);
    assert_eq!((&row["average_lead_time_days"], &row["on_time_rate"]), (&Value::Null, &Value::Null));

    let csv = director.get("/api/v1/reports/suppliers?format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-disposition").unwrap().contains("suppliers-"));
    let text = csv.body.as_str().unwrap();
    assert!(text.starts_with("supplier_code,supplier_name,orders_received,"), "{text}");
    let line =
        format!("{},Fann Instrument,2,10,41.0,44,2,1,0.5000,1,10.0,2,1\n", early["supplier_code"].as_str().unwrap());
    assert!(text.contains(&line), "{text}");
    system.stop().await;
}

#[tokio::test]
async fn the_supplier_report_checks_its_parameters_and_its_readers() {
    let system = TestSystem::start().await;
    let director = system.login("director").await;
    for (query, field) in [
        ("from=2026-13", "from"),
        ("to=2026-02-30", "to"),
        ("from=2026-12&to=2026-01", "from"),
        ("format=pdf", "format"),
    ] {
        let reply = director.get(&format!("/api/v1/reports/suppliers?{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}: {}", reply.body);
        assert_eq!(reply.error_fields(), [field], "{query}");
    }
    let empty = director.get("/api/v1/reports/suppliers?from=2020-02&to=2020-03").await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert_eq!((empty.body["from"].as_str(), empty.body["to"].as_str()), (Some("2020-02-01"), Some("2020-03-31")));
    assert_eq!(empty.body["items"], json!([]));

    assert_eq!(system.login("accountant").await.get("/api/v1/reports/suppliers").await.status, StatusCode::OK);
    assert_eq!(system.login("sales.hn").await.get("/api/v1/reports/suppliers").await.status, StatusCode::FORBIDDEN);
    assert_eq!(system.anonymous().get("/api/v1/reports/suppliers").await.status, StatusCode::UNAUTHORIZED);
    let document = system.anonymous().get("/api/openapi.json").await;
    let route = &document.body["paths"]["/api/v1/reports/suppliers"]["get"];
    let content = route["responses"]["200"]["content"].as_object().unwrap();
    assert!(content.contains_key("application/json") && content.contains_key("text/csv"), "{route}");
    system.stop().await;
}
