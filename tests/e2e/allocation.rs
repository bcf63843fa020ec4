use atq_tests::{Session, TestSystem, customer, eventually, seed_products};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Confirms an order of one line and returns its path; `delivery_date` is 'YYYY-MM-DD' or none.
async fn confirmed_order(
    rep: &Session,
    customer_id: &Value,
    product_id: i64,
    quantity: i64,
    delivery_date: Option<&str>,
) -> String {
    let line = json!({"product_id": product_id, "quantity": quantity, "delivery_date": delivery_date});
    let created = rep.post("/api/v1/orders", json!({"customer_id": customer_id, "lines": [line]})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let path = format!("/api/v1/orders/{}", created.body["id"]);
    let confirmed = rep.post(&format!("{path}/confirm"), json!({})).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(reserved_and_backordered(&confirmed.body), (0, quantity), "nothing in stock yet");
    path
}

fn reserved_and_backordered(order: &Value) -> (i64, i64) {
    (order["lines"][0]["reserved"].as_i64().unwrap(), order["lines"][0]["backordered"].as_i64().unwrap())
}

#[tokio::test]
async fn arriving_goods_go_to_project_orders_first_soonest_needed_first() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let press = products.filter_press;
    let rep = system.login("sales.hn").await;
    let dealer = rep.create_customer(customer("Công ty TNHH Minh Phát", "dealer", "HN")).await;
    let school = rep.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;

    let dealer_order = confirmed_order(&rep, &dealer["id"], press, 3, None).await;
    let later_project = confirmed_order(&rep, &school["id"], press, 2, Some("2099-12-15")).await;
    let sooner_project = confirmed_order(&rep, &school["id"], press, 2, Some("2099-03-01")).await;

    let keeper = system.login("warehouse").await;
    let receipt = keeper
        .post(
            "/api/v1/stock/receipts",
            json!({"warehouse": "HN", "kind": "purchase",
            "lines": [{"product_id": press, "quantity": 3, "unit_cost": 200_000_000}]}),
        )
        .await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);

    eventually("the delivery to reach the project orders", || async {
        reserved_and_backordered(&rep.get(&sooner_project).await.body) == (2, 0)
            && reserved_and_backordered(&rep.get(&later_project).await.body) == (1, 1)
    })
    .await;
    assert_eq!(
        reserved_and_backordered(&rep.get(&dealer_order).await.body),
        (0, 3),
        "the dealer's older order waits behind the projects"
    );
    system.assert_books_agree().await;
    system.stop().await;
}
