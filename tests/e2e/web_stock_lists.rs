//! The transfers and stocktakes recorded, through the REST API's lists (paged by cursor, filtered
//! by warehouse, refused an unknown warehouse, in the OpenAPI document) and the web UI's list
//! pages built on them (the filter kept in the URL and in the next page's link, in both
//! languages, the forms offered only to those who may move stock).

use atq_tests::web::WebSession;
use atq_tests::{Session, TestSystem, seed_products};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn post_created(api: &Session, path: &str, body: Value) -> Value {
    let created = api.post(path, body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{path}: {}", created.body);
    created.body
}

/// The items and next cursor of one page of a list, by the REST API.
async fn list_page(api: &Session, path: &str) -> (Vec<Value>, String) {
    let page = api.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    let cursor = page.body["next_cursor"].as_str().unwrap_or_default().to_owned();
    (page.body["items"].as_array().cloned().unwrap_or_default(), cursor)
}

/// A hundred filter presses in Hà Nội; 50 transfers of one to Hồ Chí Minh City, one of two to Đà
/// Lạt, one back from Hồ Chí Minh City to Đà Lạt; then a count in Hà Nội that finds one missing.
async fn record_documents(api: &Session, filter_press: i64) {
    let receipt = json!({"warehouse": "HN", "kind": "opening", "lines": [
        {"product_id": filter_press, "quantity": 100, "unit_cost": 100_000}]});
    post_created(api, "/api/v1/stock/receipts", receipt).await;
    let transfer = |from: &str, to: &str, quantity: i64| {
        json!({"from_warehouse": from, "to_warehouse": to, "note": format!("{from} → {to}"),
            "lines": [{"product_id": filter_press, "quantity": quantity}]})
    };
    for _ in 0..50 {
        post_created(api, "/api/v1/stock/transfers", transfer("HN", "HCM", 1)).await;
    }
    post_created(api, "/api/v1/stock/transfers", transfer("HN", "DL", 2)).await;
    post_created(api, "/api/v1/stock/transfers", transfer("HCM", "DL", 1)).await;
    let count = json!({"warehouse": "HN", "lines": [
        {"product_id": filter_press, "counted": 47, "reason": "Vỡ khi bốc xếp"}]});
    post_created(api, "/api/v1/stock/counts", count).await;
}

#[tokio::test]
async fn transfers_and_stocktakes_are_listed_by_the_api_page_by_page_and_by_warehouse() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let keeper = system.login("warehouse").await;
    record_documents(&keeper, products.filter_press).await;
    let rep = system.login("sales.hn").await;

    let (first, cursor) = list_page(&rep, "/api/v1/stock/transfers?from_warehouse=HN&limit=30").await;
    assert_eq!((first.len(), cursor.is_empty()), (30, false));
    let (rest, end) =
        list_page(&rep, &format!("/api/v1/stock/transfers?from_warehouse=HN&limit=30&cursor={cursor}")).await;
    assert_eq!((rest.len(), end.as_str()), (21, ""), "51 transfers out of Hà Nội");
    let numbers: Vec<&str> = first.iter().chain(&rest).filter_map(|t| t["number"].as_str()).collect();
    let mut unique = numbers.clone();
    unique.dedup();
    assert_eq!(unique.len(), 51, "each once, oldest first: {numbers:?}");
    assert_eq!(rest[20]["to_warehouse"], "DL");
    assert_eq!(rest[20]["lines"][0]["quantity"], 2);
    assert_eq!(rest[20]["note"], "HN → DL");
    let (from_hcm, _) = list_page(&rep, "/api/v1/stock/transfers?from_warehouse=HCM").await;
    assert_eq!(from_hcm.len(), 1, "{from_hcm:?}");
    assert_eq!(list_page(&rep, "/api/v1/stock/transfers?limit=500").await.0.len(), 52);

    let (counts, _) = list_page(&rep, "/api/v1/stock/counts?warehouse=HN").await;
    assert_eq!(counts.len(), 1, "{counts:?}");
    let line = &counts[0]["lines"][0];
    assert_eq!(
        (line["expected"].as_i64(), line["counted"].as_i64(), line["difference"].as_i64()),
        (Some(48), Some(47), Some(-1))
    );
    assert_eq!(line["reason"], "Vỡ khi bốc xếp");
    assert!(list_page(&rep, "/api/v1/stock/counts?warehouse=DL").await.0.is_empty());

    for path in [
        "/api/v1/stock/transfers?from_warehouse=XX",
        "/api/v1/stock/counts?warehouse=Hanoi",
        "/api/v1/stock/counts?limit=501",
        "/api/v1/stock/transfers?cursor=abc",
    ] {
        let refused = rep.get(path).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{path}: {}", refused.body);
        assert!(refused.body["errors"][0]["field"].is_string(), "{path}: {}", refused.body);
    }
    let document = system.anonymous().get("/api/openapi.json").await.body;
    for path in ["/api/v1/stock/transfers", "/api/v1/stock/counts"] {
        let operation = &document["paths"][path]["get"];
        assert!(operation["responses"]["200"].is_object(), "{path} GET in the document");
        assert!(operation["responses"]["400"].is_object(), "{path} answers 400 in the document");
        assert!(document["paths"][path]["post"].is_object(), "{path} POST stays");
    }
    system.stop().await;
}

#[tokio::test]
async fn the_list_pages_keep_their_filter_in_the_url_and_page_with_the_cursor() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let keeper_api = system.login("warehouse").await;
    record_documents(&keeper_api, products.filter_press).await;

    let mut keeper = WebSession::sign_in(&system, "warehouse", "vi").await;
    let stock = keeper.get("/stock").await;
    assert!(
        stock.html.contains("href=\"/stock/transfers\"") && stock.html.contains("href=\"/stock/counts\""),
        "{}",
        stock.html
    );
    let first = keeper.get("/stock/transfers?from_warehouse=HN").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.html);
    assert!(first.html.contains("Phiếu chuyển kho") && first.html.contains("id=\"new-transfer\""), "{}", first.html);
    assert!(first.html.contains("<option value=\"HN\" selected>"), "the filter shows as chosen");
    assert_eq!(first.html.matches("LPLT 300</a> × 1").count(), 50, "the first page holds 50 transfers");
    // The page writes `&` in a link as `&#38;`.
    let links = first.html.replace("&#38;", "&");
    let next =
        links.split("href=\"/stock/transfers?from_warehouse=HN&cursor=").nth(1).and_then(|rest| rest.split('"').next());
    let cursor = next.unwrap_or_else(|| panic!("a next page keeping the filter: {}", first.html));
    let second = keeper.get(&format!("/stock/transfers?from_warehouse=HN&cursor={cursor}")).await;
    assert!(second.html.contains("LPLT 300</a> × 2") && second.html.contains("HN → DL"), "{}", second.html);
    assert!(!second.html.contains("HCM → DL"), "the filter holds on the next page");
    assert!(!second.html.contains("cursor="), "no page after the last");
    let none = keeper.get("/stock/transfers?from_warehouse=DL").await;
    assert!(none.html.contains("Chưa có phiếu chuyển kho nào."), "{}", none.html);
    let counts = keeper.get("/stock/counts?warehouse=HN").await;
    assert!(counts.html.contains("KK-") && counts.html.contains("LPLT 300</a> −1"), "{}", counts.html);

    let mut rep = WebSession::sign_in(&system, "sales.hn", "en").await;
    let transfers = rep.get("/stock/transfers?from_warehouse=HCM").await;
    assert_eq!(transfers.status, StatusCode::OK, "{}", transfers.html);
    assert!(transfers.html.contains("Stock transfers") && transfers.html.contains("HCM → DL"), "{}", transfers.html);
    assert!(!transfers.html.contains("id=\"new-transfer\""), "sales do not move stock");
    let counts = rep.get("/stock/counts").await;
    assert!(counts.html.contains("Stocktakes") && counts.html.contains("Lines counted"), "{}", counts.html);
    assert!(!counts.html.contains("id=\"new-count\""), "sales do not count stock");
    assert!(
        rep.get("/stock/counts?warehouse=XX").await.html.contains("KK-"),
        "an unknown warehouse is every warehouse"
    );
    system.stop().await;
}
