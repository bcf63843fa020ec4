use atq_tests::{Session, TestProducts, TestSystem, customer, seed_products};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Stock in HN (3 filter presses at 100,000; viscometers FN-001 and FN-002 at 250,000,000), a
/// project customer, and its confirmed order for all of it.
async fn confirmed_order(system: &TestSystem, products: &TestProducts) -> (Session, Value) {
    let keeper = system.login("warehouse").await;
    let receipt = keeper
        .post("/api/v1/stock/receipts", json!({"warehouse": "HN", "kind": "opening", "lines": [
            {"product_id": products.filter_press, "quantity": 3, "unit_cost": 100_000},
            {"product_id": products.viscometer, "quantity": 2, "unit_cost": 250_000_000, "serials": ["FN-001", "FN-002"]},
        ]}))
        .await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    let rep = system.login("sales.hn").await;
    let school = rep.create_customer(customer("Đại học Bách khoa Hà Nội", "project", "HN")).await;
    let order = rep
        .post(
            "/api/v1/orders",
            json!({"customer_id": school["id"], "lines": [
                {"product_id": products.filter_press, "quantity": 3},
                {"product_id": products.viscometer, "quantity": 2},
            ]}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let confirmed = rep.post(&format!("/api/v1/orders/{}/confirm", order.body["id"]), json!({})).await;
    assert_eq!(confirmed.body["status"], "confirmed", "{}", confirmed.body);
    (rep, confirmed.body)
}

#[tokio::test]
async fn partial_dispatches_add_up_until_the_order_is_complete() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, order) = confirmed_order(&system, &products).await;
    let order_path = format!("/api/v1/orders/{}", order["id"]);
    let (director, keeper) = (system.login("director").await, system.login("warehouse").await);

    let first = rep
        .post(
            &format!("{order_path}/dispatch-orders"),
            json!({"lines": [{"line_no": 1, "quantity": 2}, {"line_no": 2, "quantity": 1}]}),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert!(first.body["number"].as_str().unwrap().starts_with("LX-"));
    let first_path = first.header("location").unwrap().to_owned();
    assert_eq!(
        rep.post(&format!("{first_path}/approve"), json!({})).await.status,
        StatusCode::FORBIDDEN,
        "only directors decide"
    );
    assert_eq!(
        keeper.post(&format!("{first_path}/ship"), json!({})).await.status,
        StatusCode::CONFLICT,
        "not approved yet"
    );
    let approved = director.post(&format!("{first_path}/approve"), json!({})).await;
    assert_eq!(
        (approved.body["status"].as_str(), approved.body["decided_by"].as_str()),
        (Some("approved"), Some("director"))
    );

    let ship = json!({"lines": [{"line_no": 2, "serials": ["FN-002"]}]});
    let shipped = keeper.post(&format!("{first_path}/ship"), ship.clone()).await;
    assert_eq!(shipped.status, StatusCode::OK, "{}", shipped.body);
    assert_eq!(shipped.body["status"], "shipped");
    assert!(shipped.body["goods_issue_number"].as_str().unwrap().starts_with("PX-"));
    assert!(shipped.body.get("cost_amount").is_none(), "the warehouse keeper does not see costs");
    let as_director = director.get(&first_path).await;
    assert_eq!(as_director.body["cost_amount"], 2 * 100_000 + 250_000_000, "moving-average cost of what left");
    let listed = rep.get("/api/v1/dispatch-orders").await;
    let items = listed.body["items"].as_array().expect("a list");
    assert!(!items.is_empty() && items.iter().all(|d| d.get("cost_amount").is_none()), "sales do not see costs");
    assert_eq!(shipped.body["lines"][1]["serials"], json!(["FN-002"]));
    let again = keeper.post(&format!("{first_path}/ship"), ship).await;
    assert_eq!(again.body["version"], shipped.body["version"], "shipping twice ships once");

    let press = keeper.get(&format!("/api/v1/stock?product_id={}&warehouse=HN", products.filter_press)).await;
    assert_eq!(
        (press.body["items"][0]["on_hand"].as_i64(), press.body["items"][0]["reserved"].as_i64()),
        (Some(1), Some(1))
    );
    let serials = keeper.get(&format!("/api/v1/stock/serials?product_id={}", products.viscometer)).await;
    assert_eq!(serials.body["items"][1]["status"], "issued");
    let now = rep.get(&order_path).await.body;
    assert_eq!((now["lines"][0]["shipped"].as_i64(), now["lines"][0]["backordered"].as_i64()), (Some(2), Some(0)));

    assert_eq!(rep.post(&format!("{first_path}/deliver"), json!({})).await.body["status"], "delivered");
    assert_eq!(rep.get(&order_path).await.body["status"], "confirmed", "one line is not fully delivered yet");
    assert_eq!(
        rep.post(&format!("{order_path}/cancel"), json!({})).await.status,
        StatusCode::CONFLICT,
        "goods have left"
    );

    // The rest: by default everything reserved and not yet dispatched.
    let second = rep.post(&format!("{order_path}/dispatch-orders"), json!({})).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let quantities: Vec<i64> =
        second.body["lines"].as_array().unwrap().iter().map(|l| l["quantity"].as_i64().unwrap()).collect();
    assert_eq!(quantities, [1, 1]);
    let second_path = second.header("location").unwrap().to_owned();
    director.post(&format!("{second_path}/approve"), json!({})).await;
    let wrong_serial =
        keeper.post(&format!("{second_path}/ship"), json!({"lines": [{"line_no": 2, "serials": ["FN-002"]}]})).await;
    assert_eq!(wrong_serial.status, StatusCode::BAD_REQUEST, "{}", wrong_serial.body);
    assert_eq!(wrong_serial.error_fields(), ["lines[1].serials"]);
    let shipped =
        keeper.post(&format!("{second_path}/ship"), json!({"lines": [{"line_no": 2, "serials": ["FN-001"]}]})).await;
    assert_eq!(shipped.body["status"], "shipped", "{}", shipped.body);
    keeper.post(&format!("{second_path}/deliver"), json!({})).await;
    let done = rep.get(&order_path).await.body;
    assert_eq!(done["status"], "completed");
    assert!(done["lines"].as_array().unwrap().iter().all(|l| l["delivered"] == l["quantity"]));
    assert_eq!(rep.post(&format!("{order_path}/dispatch-orders"), json!({})).await.status, StatusCode::CONFLICT);
    system.assert_books_agree().await;
    system.stop().await;
}

#[tokio::test]
async fn a_rejected_dispatch_order_frees_its_units_for_another_request() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, order) = confirmed_order(&system, &products).await;
    let order_path = format!("/api/v1/orders/{}", order["id"]);
    let director = system.login("director").await;

    let too_many = rep
        .post(
            &format!("{order_path}/dispatch-orders"),
            json!({"lines": [{"line_no": 1, "quantity": 4}, {"line_no": 9, "quantity": 1}]}),
        )
        .await;
    assert_eq!(too_many.error_fields(), ["lines[0].quantity", "lines[1].line_no"]);

    let request =
        rep.post(&format!("{order_path}/dispatch-orders"), json!({"lines": [{"line_no": 1, "quantity": 3}]})).await;
    let path = request.header("location").unwrap().to_owned();
    assert_eq!(
        rep.post(&format!("{order_path}/dispatch-orders"), json!({"lines": [{"line_no": 1, "quantity": 1}]}))
            .await
            .error_fields(),
        ["lines[0].quantity"]
    );
    assert_eq!(
        rep.post(&format!("{order_path}/cancel"), json!({})).await.status,
        StatusCode::CONFLICT,
        "a dispatch order is open"
    );

    assert_eq!(director.post(&format!("{path}/reject"), json!({"reason": ""})).await.error_fields(), ["note"]);
    let rejected =
        director.post(&format!("{path}/reject"), json!({"reason": "Công trình chưa sẵn sàng nhận hàng"})).await;
    assert_eq!(
        (rejected.body["status"].as_str(), rejected.body["decision_note"].as_str()),
        (Some("rejected"), Some("Công trình chưa sẵn sàng nhận hàng"))
    );
    let keeper = system.login("warehouse").await;
    assert_eq!(keeper.post(&format!("{path}/ship"), json!({})).await.status, StatusCode::CONFLICT);
    assert_eq!(director.post(&format!("{path}/approve"), json!({})).await.status, StatusCode::CONFLICT);

    let again =
        rep.post(&format!("{order_path}/dispatch-orders"), json!({"lines": [{"line_no": 1, "quantity": 3}]})).await;
    assert_eq!(again.status, StatusCode::CREATED, "the rejected units may be requested again: {}", again.body);
    let requested = director.get("/api/v1/dispatch-orders?status=requested").await;
    assert_eq!(requested.body["items"].as_array().unwrap().len(), 1);
    system.assert_books_agree().await;
    system.stop().await;
}
