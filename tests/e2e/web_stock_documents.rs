//! One transfer and one stocktake by their numbers: the REST API answers each as its list does
//! (404 for a number it does not have, or one of the other kind, and in the OpenAPI document),
//! and the web UI opens each from its list in both languages, with its lines, serials, surplus
//! and shortage and status, offering another document only to those who may move stock.

use atq_tests::web::WebSession;
use atq_tests::{Session, TestSystem, seed_products};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn post_created(api: &Session, path: &str, body: Value) -> Value {
    let created = api.post(path, body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{path}: {}", created.body);
    created.body
}

/// Ten filter presses and two viscometers (FN-201, FN-202) into Hà Nội; three presses and FN-201
/// moved to Hồ Chí Minh City; then a count in Hà Nội that finds one press short and a unit
/// FN-299 nobody booked. The transfer's and the count's numbers.
async fn record_documents(keeper: &Session, press: i64, viscometer: i64) -> (String, String) {
    let receipt = json!({"warehouse": "HN", "kind": "opening", "lines": [
        {"product_id": press, "quantity": 10, "unit_cost": 100_000},
        {"product_id": viscometer, "quantity": 2, "unit_cost": 250_000_000, "serials": ["FN-201", "FN-202"]}]});
    post_created(keeper, "/api/v1/stock/receipts", receipt).await;
    let transfer = json!({"from_warehouse": "HN", "to_warehouse": "HCM", "note": "Cho dự án Trường THPT Lê Lợi",
        "lines": [{"product_id": press, "quantity": 3}, {"product_id": viscometer, "quantity": 1, "serials": ["FN-201"]}]});
    let transfer = post_created(keeper, "/api/v1/stock/transfers", transfer).await;
    let count = json!({"warehouse": "HN", "lines": [
        {"product_id": press, "counted": 6, "reason": "Vỡ khi bốc xếp"},
        {"product_id": viscometer, "counted": 2, "serials": ["FN-202", "FN-299"], "reason": "Máy chưa nhập sổ"}]});
    let count = post_created(keeper, "/api/v1/stock/counts", count).await;
    let number = |body: &Value| body["number"].as_str().unwrap_or_else(|| panic!("a number: {body}")).to_owned();
    (number(&transfer), number(&count))
}

#[tokio::test]
async fn a_transfer_and_a_stocktake_are_read_by_their_numbers() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let keeper = system.login("warehouse").await;
    let (transfer, count) = record_documents(&keeper, products.filter_press, products.viscometer).await;
    let rep = system.login("sales.hn").await;

    let one = rep.get(&format!("/api/v1/stock/transfers/{transfer}")).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    let listed = rep.get("/api/v1/stock/transfers").await.body["items"][0].clone();
    assert_eq!(one.body, listed, "the same as the list has it");
    assert_eq!((one.body["from_warehouse"].as_str(), one.body["to_warehouse"].as_str()), (Some("HN"), Some("HCM")));
    assert_eq!(one.body["lines"][1]["serials"], json!(["FN-201"]));

    let counted = rep.get(&format!("/api/v1/stock/counts/{count}")).await;
    assert_eq!(counted.status, StatusCode::OK, "{}", counted.body);
    let lines = counted.body["lines"].as_array().cloned().unwrap_or_default();
    let differences: Vec<(i64, i64, i64)> = lines
        .iter()
        .map(|l| {
            (
                l["expected"].as_i64().unwrap_or(-9),
                l["counted"].as_i64().unwrap_or(-9),
                l["difference"].as_i64().unwrap_or(-9),
            )
        })
        .collect();
    assert_eq!(differences, [(7, 6, -1), (1, 2, 1)], "{}", counted.body);
    assert_eq!(lines[1]["surplus_serials"], json!(["FN-299"]));

    for path in [
        "/api/v1/stock/transfers/CK-1999-0001".to_owned(),
        format!("/api/v1/stock/counts/{transfer}"),
        format!("/api/v1/stock/transfers/{count}"),
        format!("/api/v1/stock/transfers/{}", "K".repeat(40)),
    ] {
        let missing = rep.get(&path).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{path}: {}", missing.body);
    }
    let missing = system.login("accountant").await.get(&format!("/api/v1/stock/counts/{transfer}")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
    let document = system.anonymous().get("/api/openapi.json").await.body;
    for path in ["/api/v1/stock/transfers/{number}", "/api/v1/stock/counts/{number}"] {
        let operation = &document["paths"][path]["get"];
        assert!(operation["responses"]["200"].is_object(), "{path} in the document");
        assert!(operation["responses"]["404"].is_object(), "{path} answers 404 in the document");
    }
    system.stop().await;
}

#[tokio::test]
async fn each_document_opens_from_its_list_in_both_languages() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let keeper_api = system.login("warehouse").await;
    let (transfer, count) = record_documents(&keeper_api, products.filter_press, products.viscometer).await;

    let mut keeper = WebSession::sign_in(&system, "warehouse", "vi").await;
    let list = keeper.get("/stock/transfers").await;
    assert!(list.html.contains(&format!("href=\"/stock/transfers/{transfer}\"")), "{}", list.html);
    let page = keeper.get(&format!("/stock/transfers/{transfer}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for shown in [
        format!("Phiếu chuyển kho {transfer}"),
        "Cho dự án Trường THPT Lê Lợi".to_owned(),
        "FN-201".to_owned(),
        "Trạng thái".to_owned(),
        "Đã ghi".to_owned(),
        "Lập phiếu khác".to_owned(),
    ] {
        assert!(page.html.contains(&shown), "{shown} in {}", page.html);
    }
    assert!(!page.html.contains("id=\"transfer-recorded\""), "not the page right after the form");
    let list = keeper.get("/stock/counts").await;
    assert!(list.html.contains(&format!("href=\"/stock/counts/{count}\"")), "{}", list.html);
    let page = keeper.get(&format!("/stock/counts/{count}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for shown in [format!("Phiếu kiểm kê {count}").as_str(), "Thiếu", "Thừa", "FN-299", "Vỡ khi bốc xếp", "Đã ghi sổ"]
    {
        assert!(page.html.contains(shown), "{shown} in {}", page.html);
    }
    let missing = keeper.get("/stock/counts/KK-1999-0001").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.html);
    assert!(missing.html.contains("không tìm thấy phiếu kiểm kê có số này"), "{}", missing.html);
    let odd = keeper.get("/stock/transfers/CK%2F..%2Fx").await;
    assert_eq!(odd.status, StatusCode::NOT_FOUND, "{}", odd.html);

    for user in ["sales.hn", "accountant"] {
        let mut reader = WebSession::sign_in(&system, user, "en").await;
        let page = reader.get(&format!("/stock/transfers/{transfer}")).await;
        assert_eq!(page.status, StatusCode::OK, "{user}: {}", page.html);
        assert!(page.html.contains(&format!("Transfer {transfer}")) && page.html.contains("Recorded"), "{}", page.html);
        assert!(page.html.contains("FN-201") && page.html.contains("All transfers"), "{}", page.html);
        assert!(!page.html.contains("Another transfer"), "{user} does not move stock");
        let page = reader.get(&format!("/stock/counts/{count}")).await;
        assert_eq!(page.status, StatusCode::OK, "{user}: {}", page.html);
        for shown in ["Stocktake", "Shortage", "Surplus", "FN-299", "Posted"] {
            assert!(page.html.contains(shown), "{shown} in {}", page.html);
        }
        assert!(!page.html.contains("Another count"), "{user} does not count stock");
    }
    system.stop().await;
}
