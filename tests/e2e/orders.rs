use atq_tests::{Session, TestSystem, customer, eventually, seed_products};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn receive(keeper: &Session, product_id: i64, quantity: i64) {
    let reply = keeper
        .post(
            "/api/v1/stock/receipts",
            json!({"warehouse": "HN", "kind": "purchase",
            "lines": [{"product_id": product_id, "quantity": quantity, "unit_cost": 200_000_000}]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

async fn order_for(rep: &Session, customer_id: &Value, product_id: i64, quantity: i64) -> Value {
    let reply = rep
        .post(
            "/api/v1/orders",
            json!({"customer_id": customer_id, "lines": [{"product_id": product_id, "quantity": quantity}]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body
}

fn line(order: &Value, index: usize) -> (i64, i64) {
    (order["lines"][index]["reserved"].as_i64().unwrap(), order["lines"][index]["backordered"].as_i64().unwrap())
}

#[tokio::test]
async fn a_confirmed_order_reserves_what_stock_covers_and_the_rest_waits_for_the_next_delivery() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let keeper = system.login("warehouse").await;
    receive(&keeper, products.filter_press, 3).await;
    let rep = system.login("sales.hn").await;
    let school = rep.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;

    let created = rep
        .post("/api/v1/orders", json!({"customer_id": school["id"], "note": "Phòng thí nghiệm hóa", "lines": [
            {"product_id": products.filter_press, "quantity": 5},
            {"product_id": products.viscometer, "quantity": 1, "unit_price": 280_000_000, "vat_rate": "0.05", "delivery_date": "2099-08-15"},
        ]}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let order = &created.body;
    assert!(order["number"].as_str().unwrap().starts_with("DH-"));
    assert_eq!((order["status"].as_str(), order["customer_group"].as_str()), (Some("draft"), Some("project")));
    assert_eq!(order["lines"][0]["unit_price"], 285_000_000, "the list price by default");
    assert_eq!((order["total_net"].as_i64(), order["total_vat"].as_i64()), (Some(1_705_000_000), Some(156_500_000)));
    assert_eq!(order["total_gross"], 1_861_500_000);
    assert_eq!(order["lines"][1]["delivery_date"], "2099-08-15");
    let path = created.header("location").unwrap().to_owned();

    let confirmed = rep.post(&format!("{path}/confirm"), json!({})).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(confirmed.body["status"], "confirmed");
    assert_eq!(line(&confirmed.body, 0), (3, 2));
    assert_eq!(line(&confirmed.body, 1), (0, 1));
    let again = rep.post(&format!("{path}/confirm"), json!({})).await;
    assert_eq!((again.status, again.body["version"].clone()), (StatusCode::OK, confirmed.body["version"].clone()));

    let record = rep.get(&format!("/api/v1/customers/{}", school["id"])).await;
    assert_eq!(record.body["purchase_count"], 1);
    assert!(record.body["last_purchase_on"].as_str().is_some());

    receive(&keeper, products.filter_press, 2).await;
    eventually("the delivery to fill the backorder on the order", || async {
        line(&rep.get(&path).await.body, 0) == (5, 0)
    })
    .await;
    let stock = keeper.get(&format!("/api/v1/stock?product_id={}&warehouse=HN", products.filter_press)).await;
    assert_eq!(
        (stock.body["items"][0]["on_hand"].as_i64(), stock.body["items"][0]["reserved"].as_i64()),
        (Some(5), Some(5))
    );
    system.assert_books_agree().await;
    system.stop().await;
}

#[tokio::test]
async fn cancelling_a_confirmed_order_releases_its_stock_to_the_next_order_in_line() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let keeper = system.login("warehouse").await;
    receive(&keeper, products.filter_press, 1).await;
    let rep = system.login("sales.hn").await;
    let dealer = rep.create_customer(customer("Công ty TNHH Minh Phát", "dealer", "HN")).await;
    let first = order_for(&rep, &dealer["id"], products.filter_press, 1).await;
    let second = order_for(&rep, &dealer["id"], products.filter_press, 1).await;
    let (first_path, second_path) =
        (format!("/api/v1/orders/{}", first["id"]), format!("/api/v1/orders/{}", second["id"]));
    assert_eq!(line(&rep.post(&format!("{first_path}/confirm"), json!({})).await.body, 0), (1, 0));
    assert_eq!(line(&rep.post(&format!("{second_path}/confirm"), json!({})).await.body, 0), (0, 1));
    assert_eq!(rep.get(&format!("/api/v1/customers/{}", dealer["id"])).await.body["purchase_count"], 2);

    let cancelled = rep.post(&format!("{first_path}/cancel"), json!({})).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!((cancelled.body["status"].as_str(), line(&cancelled.body, 0)), (Some("cancelled"), (0, 0)));
    eventually("the released unit to reach the second order", || async {
        line(&rep.get(&second_path).await.body, 0) == (1, 0)
    })
    .await;
    assert_eq!(
        rep.get(&format!("/api/v1/customers/{}", dealer["id"])).await.body["purchase_count"],
        1,
        "a cancelled order is no purchase"
    );

    assert_eq!(rep.post(&format!("{first_path}/cancel"), json!({})).await.status, StatusCode::OK);
    assert_eq!(rep.post(&format!("{first_path}/confirm"), json!({})).await.status, StatusCode::CONFLICT);
    let draft = order_for(&rep, &dealer["id"], products.filter_press, 1).await;
    let stale = rep
        .send(reqwest::Method::POST, &format!("/api/v1/orders/{}/confirm", draft["id"]), None, &[("If-Match", "\"9\"")])
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    system.assert_books_agree().await;
    system.stop().await;
}

#[tokio::test]
async fn orders_check_their_lines_and_stay_in_their_office() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let hanoi = system.login("sales.hn").await;
    let customer_hn = hanoi.create_customer(customer("Khách Hà Nội", "individual", "HN")).await;

    let bad = hanoi
        .post(
            "/api/v1/orders",
            json!({"customer_id": customer_hn["id"], "lines": [
                {"product_id": 999, "quantity": 1},
                {"product_id": products.filter_press, "quantity": 0, "vat_rate": "0.07"},
                {"product_id": products.filter_press, "quantity": 1, "delivery_date": "2020-01-01"},
            ]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(
        bad.error_fields(),
        ["lines[0].product_id", "lines[1].quantity", "lines[1].vat_rate", "lines[2].delivery_date"]
    );
    assert_eq!(
        hanoi.post("/api/v1/orders", json!({"customer_id": customer_hn["id"], "lines": []})).await.error_fields(),
        ["lines"]
    );
    assert_eq!(
        hanoi
            .post(
                "/api/v1/orders",
                json!({"customer_id": 999, "lines": [{"product_id": products.filter_press, "quantity": 1}]})
            )
            .await
            .error_fields(),
        ["customer_id"]
    );

    let order = order_for(&hanoi, &customer_hn["id"], products.filter_press, 2).await;
    let saigon = system.login("sales.hcm").await;
    assert_eq!(saigon.get(&format!("/api/v1/orders/{}", order["id"])).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        saigon.post(&format!("/api/v1/orders/{}/confirm", order["id"]), json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    let elsewhere = saigon
        .post(
            "/api/v1/orders",
            json!({"customer_id": customer_hn["id"], "lines": [{"product_id": products.filter_press, "quantity": 1}]}),
        )
        .await;
    assert_eq!(elsewhere.error_fields(), ["customer_id"]);
    assert_eq!(saigon.get("/api/v1/orders").await.body["items"].as_array().unwrap().len(), 0);
    assert_eq!(hanoi.get("/api/v1/orders?status=draft").await.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(hanoi.get("/api/v1/orders?status=shipped").await.error_fields(), ["status"]);

    let keeper = system.login("warehouse").await;
    assert_eq!(keeper.get(&format!("/api/v1/orders/{}", order["id"])).await.status, StatusCode::OK);
    assert_eq!(
        keeper.post(&format!("/api/v1/orders/{}/confirm", order["id"]), json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    system.assert_books_agree().await;
    system.stop().await;
}
