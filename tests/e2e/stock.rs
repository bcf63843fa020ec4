use atq_tests::{Session, TestSystem, seed_products};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn level(session: &Session, product_id: i64, warehouse: &str) -> Value {
    let reply = session.get(&format!("/api/v1/stock?product_id={product_id}&warehouse={warehouse}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["condition"] == "good")
        .cloned()
        .unwrap_or(json!({"on_hand": 0}))
}

#[tokio::test]
async fn receipts_add_stock_with_serials_and_a_moving_average_cost() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let keeper = system.login("warehouse").await;

    let opening = keeper
        .post("/api/v1/stock/receipts", json!({"warehouse": "HN", "kind": "opening", "lines": [
            {"product_id": products.filter_press, "quantity": 10, "unit_cost": 100_000},
            {"product_id": products.viscometer, "quantity": 2, "unit_cost": 250_000_000, "serials": ["FN-001", "FN-002"]},
        ]}))
        .await;
    assert_eq!(opening.status, StatusCode::CREATED, "{}", opening.body);
    assert!(opening.body["number"].as_str().unwrap().starts_with("PN-"));
    let purchase = keeper
        .post(
            "/api/v1/stock/receipts",
            json!({"warehouse": "HN", "kind": "purchase", "reference": "INV-FANN-7781",
            "lines": [{"product_id": products.filter_press, "quantity": 5, "unit_cost": 130_000}]}),
        )
        .await;
    assert_eq!(purchase.status, StatusCode::CREATED, "{}", purchase.body);

    let press = level(&keeper, products.filter_press, "HN").await;
    assert_eq!((press["on_hand"].as_i64(), press["available"].as_i64()), (Some(15), Some(15)));
    assert!(press.get("average_unit_cost").is_none(), "the warehouse keeper does not see costs: {press}");
    let accountant = system.login("accountant").await;
    let press = level(&accountant, products.filter_press, "HN").await;
    assert_eq!(press["average_unit_cost"], 110_000, "(10 x 100,000 + 5 x 130,000) / 15");

    let serials = keeper.get(&format!("/api/v1/stock/serials?product_id={}", products.viscometer)).await;
    let listed: Vec<&str> =
        serials.body["items"].as_array().unwrap().iter().map(|s| s["serial"].as_str().unwrap()).collect();
    assert_eq!(listed, ["FN-001", "FN-002"]);

    // A serial already in the company refuses the whole receipt.
    let again = keeper
        .post(
            "/api/v1/stock/receipts",
            json!({"warehouse": "DL", "kind": "purchase", "lines": [
                {"product_id": products.filter_press, "quantity": 1, "unit_cost": 1},
                {"product_id": products.viscometer, "quantity": 1, "unit_cost": 1, "serials": ["FN-002"]},
            ]}),
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
    assert_eq!(again.error_fields(), ["lines[1].serials"]);
    assert_eq!(level(&keeper, products.filter_press, "DL").await["on_hand"], 0, "nothing of the refused receipt stays");

    let bad = keeper
        .post(
            "/api/v1/stock/receipts",
            json!({"warehouse": "SG", "kind": "gift", "lines": [
                {"product_id": 999, "quantity": 0},
                {"product_id": products.viscometer, "quantity": 2, "serials": ["X"]},
            ]}),
        )
        .await;
    assert_eq!(
        bad.error_fields(),
        ["warehouse", "kind", "lines[0].quantity", "lines[0].product_id", "lines[1].serials"]
    );

    let rep = system.login("sales.hn").await;
    let refused = rep.post("/api/v1/stock/receipts", json!({"warehouse": "HN", "kind": "opening", "lines": []})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(level(&rep, products.filter_press, "HN").await["on_hand"], 15, "sales reads stock");
    system.assert_books_agree().await;
    system.stop().await;
}

#[tokio::test]
async fn transfers_move_stock_and_never_take_more_than_is_available() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let keeper = system.login("warehouse").await;
    keeper
        .post("/api/v1/stock/receipts", json!({"warehouse": "HN", "kind": "opening", "lines": [
            {"product_id": products.filter_press, "quantity": 5, "unit_cost": 100_000},
            {"product_id": products.viscometer, "quantity": 2, "unit_cost": 250_000_000, "serials": ["FN-001", "FN-002"]},
        ]}))
        .await;

    let too_many = keeper
        .post(
            "/api/v1/stock/transfers",
            json!({"from_warehouse": "HN", "to_warehouse": "HCM", "lines": [
            {"product_id": products.filter_press, "quantity": 6}]}),
        )
        .await;
    assert_eq!(too_many.status, StatusCode::CONFLICT, "{}", too_many.body);
    let serial_move = keeper
        .post(
            "/api/v1/stock/transfers",
            json!({"from_warehouse": "HN", "to_warehouse": "DL", "lines": [
            {"product_id": products.viscometer, "quantity": 1, "serials": ["FN-002"]}]}),
        )
        .await;
    assert_eq!(serial_move.status, StatusCode::CREATED, "{}", serial_move.body);
    let moved = keeper.get(&format!("/api/v1/stock/serials?product_id={}&warehouse=DL", products.viscometer)).await;
    assert_eq!(moved.body["items"][0]["serial"], "FN-002");

    // Ten clerks race for five units: exactly five transfers succeed.
    let attempts = (0..10).map(|i| {
        let keeper = keeper.clone();
        let press = products.filter_press;
        async move {
            keeper
                .send(reqwest::Method::POST, "/api/v1/stock/transfers",
                    Some(json!({"from_warehouse": "HN", "to_warehouse": "HCM", "lines": [{"product_id": press, "quantity": 1}]})),
                    &[("Idempotency-Key", &format!("race-{i}"))])
                .await
                .status
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    let won = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
    let lost = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
    assert_eq!((won, lost), (5, 5), "{statuses:?}");
    assert_eq!(level(&keeper, products.filter_press, "HN").await["on_hand"], 0);
    assert_eq!(level(&keeper, products.filter_press, "HCM").await["on_hand"], 5);
    system.assert_books_agree().await;
    system.stop().await;
}

#[tokio::test]
async fn a_stocktake_records_surplus_and_shortage_with_their_reasons() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let keeper = system.login("warehouse").await;
    keeper
        .post("/api/v1/stock/receipts", json!({"warehouse": "HCM", "kind": "opening", "lines": [
            {"product_id": products.filter_press, "quantity": 6, "unit_cost": 120_000},
            {"product_id": products.viscometer, "quantity": 2, "unit_cost": 250_000_000, "serials": ["FN-001", "FN-002"]},
        ]}))
        .await;

    let unexplained = keeper
        .post(
            "/api/v1/stock/counts",
            json!({"warehouse": "HCM", "lines": [{"product_id": products.filter_press, "counted": 4}]}),
        )
        .await;
    assert_eq!(unexplained.error_fields(), ["lines[0].reason"]);

    let count = keeper
        .post("/api/v1/stock/counts", json!({"warehouse": "HCM", "lines": [
            {"product_id": products.filter_press, "counted": 4, "reason": "2 units water-damaged in the rainy season, written off"},
            {"product_id": products.viscometer, "serials": ["FN-001", "FN-009"], "reason": "FN-002 not found; FN-009 found unrecorded"},
        ]}))
        .await;
    assert_eq!(count.status, StatusCode::CREATED, "{}", count.body);
    let lines = count.body["lines"].as_array().unwrap();
    assert_eq!((lines[0]["expected"].as_i64(), lines[0]["difference"].as_i64()), (Some(6), Some(-2)));
    assert_eq!(lines[1]["missing_serials"], json!(["FN-002"]));
    assert_eq!(lines[1]["surplus_serials"], json!(["FN-009"]));
    assert_eq!(lines[1]["difference"], 0);

    let press = level(&system.login("accountant").await, products.filter_press, "HCM").await;
    assert_eq!((press["on_hand"].as_i64(), press["average_unit_cost"].as_i64()), (Some(4), Some(120_000)));
    let serials = keeper.get(&format!("/api/v1/stock/serials?product_id={}", products.viscometer)).await;
    let statuses: Vec<(String, String)> = serials.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["serial"].as_str().unwrap().to_owned(), s["status"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("FN-001".into(), "in_stock".into()),
            ("FN-002".into(), "missing".into()),
            ("FN-009".into(), "in_stock".into())
        ]
    );
    system.assert_books_agree().await;
    system.stop().await;
}
