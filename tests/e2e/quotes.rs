use atq_tests::{TestSystem, customer, seed_products};
use reqwest::StatusCode;
use serde_json::json;

/// A validity date two months ahead (quotes hold at most a year).
fn in_two_months() -> String {
    (chrono::Utc::now().date_naive() + chrono::Days::new(60)).to_string()
}

#[tokio::test]
async fn a_quote_with_discounts_is_sent_accepted_and_becomes_an_order_at_its_prices() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let rep = system.login("sales.hn").await;
    let school = rep.create_customer(customer("Trường THPT Phan Đình Phùng", "project", "HN")).await;

    let created = rep
        .post(
            "/api/v1/quotes",
            json!({"customer_id": school["id"], "valid_until": in_two_months(), "lines": [
                {"product_id": products.filter_press, "quantity": 2, "discount": "0.05"},
                {"product_id": products.viscometer, "quantity": 1, "discount": "0.025", "vat_rate": "0.08"},
            ]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let quote = &created.body;
    assert!(quote["number"].as_str().unwrap().starts_with("BG-"));
    assert_eq!(
        (quote["status"].as_str(), quote["valid_until"].as_str()),
        (Some("draft"), Some(in_two_months().as_str()))
    );
    // 285,000,000 less 5% = 270,750,000; less 2.5% = 277,875,000.
    assert_eq!(quote["lines"][0]["net_unit_price"], 270_750_000);
    assert_eq!(quote["lines"][0]["discount"], "0.05");
    assert_eq!(quote["lines"][1]["net_unit_price"], 277_875_000);
    assert_eq!((quote["total_net"].as_i64(), quote["total_vat"].as_i64()), (Some(819_375_000), Some(76_380_000)));
    let path = created.header("location").unwrap().to_owned();

    let early = rep.post("/api/v1/orders", json!({"customer_id": school["id"], "quote_id": quote["id"]})).await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST, "only an accepted quote makes an order: {}", early.body);
    assert_eq!(early.error_fields(), ["quote_id"]);

    let sent = rep.post(&format!("{path}/send"), json!({})).await;
    assert_eq!((sent.status, sent.body["status"].as_str()), (StatusCode::OK, Some("sent")), "{}", sent.body);
    assert!(sent.body["sent_at"].is_string());
    let accepted = rep.post(&format!("{path}/accept"), json!({})).await;
    assert_eq!(accepted.body["status"], "accepted", "{}", accepted.body);
    let again = rep.post(&format!("{path}/accept"), json!({})).await;
    assert_eq!((again.status, &again.body["version"]), (StatusCode::OK, &accepted.body["version"]));
    let rejected = rep.post(&format!("{path}/reject"), json!({"note": "đổi ý"})).await;
    assert_eq!(rejected.status, StatusCode::CONFLICT, "a decided quote stays decided: {}", rejected.body);

    let with_lines = rep
        .post(
            "/api/v1/orders",
            json!({"customer_id": school["id"], "quote_id": quote["id"],
            "lines": [{"product_id": products.filter_press, "quantity": 1}]}),
        )
        .await;
    assert_eq!(with_lines.error_fields(), ["lines"]);
    let order = rep
        .send(
            reqwest::Method::POST,
            "/api/v1/orders",
            Some(json!({"customer_id": school["id"], "quote_id": quote["id"]})),
            &[("Idempotency-Key", "order-from-quote-1")],
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    assert_eq!(order.body["quote_number"], quote["number"]);
    // The price before discount, and the quote's 5% of it beside: 2 x 14,250,000.
    assert_eq!(order.body["lines"][0]["unit_price"], 285_000_000);
    assert_eq!(order.body["lines"][0]["discount_amount"], 28_500_000);
    assert_eq!(order.body["lines"][0]["net_amount"], 541_500_000);
    assert_eq!(order.body["lines"][1]["vat_rate"], "0.08");
    assert_eq!(
        (order.body["total_net"].as_i64(), order.body["total_vat"].as_i64()),
        (Some(819_375_000), Some(76_380_000))
    );
    let retried = rep
        .send(
            reqwest::Method::POST,
            "/api/v1/orders",
            Some(json!({"customer_id": school["id"], "quote_id": quote["id"]})),
            &[("Idempotency-Key", "order-from-quote-1")],
        )
        .await;
    assert_eq!(
        (retried.status, &retried.body["id"]),
        (StatusCode::CREATED, &order.body["id"]),
        "a retry, the same order"
    );
    let second = rep.post("/api/v1/orders", json!({"customer_id": school["id"], "quote_id": quote["id"]})).await;
    assert_eq!(second.status, StatusCode::CONFLICT, "one order per quote: {}", second.body);
    assert_eq!(rep.get(&path).await.body["order_id"], order.body["id"]);

    let elsewhere = system.login("sales.hcm").await;
    assert_eq!(elsewhere.get(&path).await.status, StatusCode::NOT_FOUND, "another office's quote stays hidden");
    system.stop().await;
}

#[tokio::test]
async fn bad_quotes_are_refused_by_field_and_rejections_keep_the_reason() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let rep = system.login("sales.dl").await;
    let shop = rep.create_customer(customer("Cửa hàng thiết bị Đà Lạt", "dealer", "DL")).await;

    let bad = rep
        .post(
            "/api/v1/quotes",
            json!({"customer_id": shop["id"], "valid_until": "2001-01-01", "lines": [
                {"product_id": products.filter_press, "quantity": 1, "discount": "1.5"},
                {"product_id": products.filter_press, "quantity": 0},
            ]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(bad.error_fields(), ["valid_until", "lines[0].discount", "lines[1].quantity"]);
    let quotes = rep.get(&format!("/api/v1/quotes?customer_id={}", shop["id"])).await;
    assert_eq!(quotes.body["items"].as_array().unwrap().len(), 0, "nothing half-written");

    let created = rep
        .post(
            "/api/v1/quotes",
            json!({"customer_id": shop["id"],
            "lines": [{"product_id": products.filter_press, "quantity": 4}]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let path = created.header("location").unwrap().to_owned();
    let rejected = rep.post(&format!("{path}/reject"), json!({"note": "Giá cao hơn đối thủ"})).await;
    assert_eq!(
        (rejected.body["status"].as_str(), rejected.body["decision_note"].as_str()),
        (Some("rejected"), Some("Giá cao hơn đối thủ"))
    );
    let accepted = rep.post(&format!("{path}/accept"), json!({})).await;
    assert_eq!(accepted.status, StatusCode::CONFLICT);
    let listed = rep.get("/api/v1/quotes?status=rejected").await;
    assert_eq!(listed.body["items"][0]["id"], created.body["id"]);
    assert_eq!(rep.get("/api/v1/quotes?status=lost").await.error_fields(), ["status"]);
    system.stop().await;
}

#[tokio::test]
async fn a_quote_past_its_date_reads_as_expired_and_cannot_be_accepted() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let rep = system.login("sales.hcm").await;
    let buyer = rep.create_customer(customer("Nguyễn Thị Lan", "individual", "HCM")).await;
    let created = rep
        .post(
            "/api/v1/quotes",
            json!({"customer_id": buyer["id"], "valid_until": in_two_months(),
            "lines": [{"product_id": products.viscometer, "quantity": 1}]}),
        )
        .await;
    let path = created.header("location").unwrap().to_owned();
    rep.post(&format!("{path}/send"), json!({})).await;

    // Time passes: the validity date is now behind us.
    let sales_db = atq_platform::Db::connect(system.database_url("sales")).await.unwrap();
    sqlx::query("UPDATE quotes SET valid_until = '2020-01-31' WHERE id = $1")
        .bind(created.body["id"].as_i64().unwrap())
        .execute(sales_db.pool())
        .await
        .unwrap();
    sales_db.close().await;

    let read = rep.get(&path).await;
    assert_eq!(read.body["status"], "expired");
    let accepted = rep.post(&format!("{path}/accept"), json!({})).await;
    assert_eq!(accepted.status, StatusCode::CONFLICT, "{}", accepted.body);
    assert!(accepted.body["detail"].as_str().unwrap().contains("2020-01-31"), "{}", accepted.body);
    let expired = rep.get("/api/v1/quotes?status=expired").await;
    assert_eq!(expired.body["items"].as_array().unwrap().len(), 1);
    let sent = rep.get("/api/v1/quotes?status=sent").await;
    assert_eq!(sent.body["items"].as_array().unwrap().len(), 0, "an expired quote is no longer counted as sent");
    system.stop().await;
}

#[tokio::test]
async fn quotes_take_the_customer_groups_price_from_the_sheet_in_force() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let rep = system.login("sales.hn").await;
    let dealer = rep.create_customer(customer("Công ty TNHH Thiết bị Sao Mai", "dealer", "HN")).await;
    let before = rep
        .post(
            "/api/v1/quotes",
            json!({"customer_id": dealer["id"], "lines": [{"product_id": products.filter_press, "quantity": 1}]}),
        )
        .await;
    assert_eq!(before.body["lines"][0]["unit_price"], 285_000_000, "no sheet in force: the list price");
    assert!(before.body["price_list"].is_null());

    let officer = system.login("import").await;
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Days::new(1)).to_string();
    let draft = officer
        .post(
            "/api/v1/price-lists",
            json!({"effective_on": yesterday, "rounding_step": 1000,
            "margins": {"individual": "0.35", "dealer": "0.20", "project": "0.25"},
            "costs": [{"product_id": products.filter_press, "unit_cost": 200_000_000},
                      {"product_id": products.viscometer, "unit_cost": 150_000_400}]}),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body);
    let published = officer.post(&format!("/api/v1/price-lists/{}/publish", draft.body["id"]), json!({})).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);

    let quote = rep
        .post(
            "/api/v1/quotes",
            json!({"customer_id": dealer["id"], "lines": [
                {"product_id": products.filter_press, "quantity": 2},
                {"product_id": products.viscometer, "quantity": 1, "unit_price": 190_000_000},
            ]}),
        )
        .await;
    assert_eq!(quote.status, StatusCode::CREATED, "{}", quote.body);
    // 200,000,000 x 1.20 = 240,000,000 for dealers; the second line keeps the price given.
    assert_eq!(quote.body["lines"][0]["unit_price"], 240_000_000);
    assert_eq!(quote.body["lines"][1]["unit_price"], 190_000_000);
    assert_eq!(quote.body["price_list"], draft.body["number"]);
    system.stop().await;
}
