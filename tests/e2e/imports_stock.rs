//! Opening stock imported from spreadsheets: serial numbers in one cell, a dry run naming every
//! bad row (unknown warehouse or model, serial count, a serial repeated in the file or already in
//! the company, a bad quantity) and writing nothing, the rows written as opening receipts per
//! warehouse against capital so the books agree, the same file twice adding once, a TCVN3 file,
//! the template read back, and the warehouse keeper's permission.

use atq_tests::{Reply, Session, TestSystem, seed_products};
use reqwest::{Method, StatusCode};
use serde_json::json;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HEADER: &str = "Kho,Mã model,Số lượng,Đơn giá vốn,Số serial\r\n";
/// Three rows over three warehouses: the viscometer (serial-tracked) in HN and HCM, the filter
/// press in Đà Lạt. Worth 2 × 250,000,000 + 250,000,000 + 15 × 12,000,000 đồng.
const GOOD_ROWS: &str = "HN,Model 35SA,2,250.000.000,\"FN-001; FN-002\"\r\n\
                         Hồ Chí Minh,model 35sa,1,250000000,FN-003\r\n\
                         Đà Lạt,LPLT 300,15,12000000,\r\n";
const GOOD_VALUE: i64 = 930_000_000;
/// One good row, then six bad ones.
const BAD_ROWS: &str = "HN,Model 35SA,2,250000000,FN-001;FN-002\r\n\
                        Hải Phòng,LPLT 300,1,1000,\r\n\
                        HN,XYZ-1,1,1000,\r\n\
                        HN,Model 35SA,3,250000000,FN-010;FN-011\r\n\
                        HCM,Model 35SA,1,250000000,FN-002\r\n\
                        DL,Model 35SA,1,250000000,FN-009\r\n\
                        DL,LPLT 300,0,1000,\r\n";
/// "Kho,Mã model,Số lượng,Đơn giá vốn,Số serial / Đà Lạt,LPLT 300,4,12000000," saved in TCVN3
/// (iconv -t TCVN5712-1), as old Vietnamese accounting programs export.
const TCVN3_FILE: &[u8] = b"Kho,M\xb7 model,S\xe8 l\xad\xeeng,\xa7\xacn gi\xb8 v\xe8n,S\xe8 serial\x0a\
                            \xa7\xb5 L\xb9t,LPLT 300,4,12000000,\x0a";

async fn import(session: &Session, dry_run: bool, body: impl Into<Vec<u8>>) -> Reply {
    let path = format!("/api/v1/imports/stock?dry_run={dry_run}");
    session.send_raw(Method::POST, &path, "text/csv", body.into()).await
}

/// A dry run as a browser in Vietnamese sends it: the answer's body.
async fn dry_run_in_vietnamese(system: &TestSystem, body: String) -> serde_json::Value {
    let http = reqwest::Client::new();
    let login = http
        .post(format!("{}/api/v1/auth/login", system.base))
        .json(&json!({"username": "warehouse", "password": "demo"}))
        .send()
        .await
        .unwrap();
    let token = login.json::<serde_json::Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    let response = http
        .post(format!("{}/api/v1/imports/stock?dry_run=true", system.base))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .header("accept-language", "vi")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// (row, column) of each row error.
fn row_errors(reply: &Reply) -> Vec<(i64, String)> {
    let errors = reply.body["errors"].as_array().unwrap();
    errors.iter().map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap().to_owned())).collect()
}

async fn on_hand(session: &Session, product_id: i64, warehouse: &str) -> i64 {
    let reply = session.get(&format!("/api/v1/stock?product_id={product_id}&warehouse={warehouse}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let items = reply.body["items"].as_array().unwrap();
    items.iter().filter(|l| l["condition"] == "good").map(|l| l["on_hand"].as_i64().unwrap()).sum()
}

/// Debit minus credit of an account in the trial balance.
async fn balance(system: &TestSystem, code: &str) -> i64 {
    let trial = system.login("accountant").await.get("/api/v1/accounting/trial-balance").await.body;
    assert_eq!(trial["balanced"], true, "{trial}");
    let accounts = trial["items"].as_array().unwrap();
    let found = accounts.iter().find(|a| a["account"] == code);
    found.map_or(0, |a| a["debit"].as_i64().unwrap() - a["credit"].as_i64().unwrap())
}

#[tokio::test]
async fn a_dry_run_names_every_bad_row_and_the_good_file_is_opening_stock_once() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let keeper = system.login("warehouse").await;
    let earlier = keeper
        .post(
            "/api/v1/stock/receipts",
            json!({"warehouse": "HN", "kind": "opening", "lines": [
            {"product_id": products.viscometer, "quantity": 1, "unit_cost": 100_000_000, "serials": ["FN-009"]}]}),
        )
        .await;
    assert_eq!(earlier.status, StatusCode::CREATED, "{}", earlier.body);

    let bad = format!("{HEADER}{BAD_ROWS}");
    let dry = import(&keeper, true, bad.clone()).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    let expected =
        [(3, "warehouse"), (4, "model_code"), (5, "serials"), (6, "serials"), (7, "serials"), (8, "quantity")];
    assert_eq!(row_errors(&dry), expected.map(|(row, column)| (row, column.to_owned())), "{}", dry.body);
    assert_eq!((dry.body["rows_read"].as_i64(), dry.body["rows_valid"].as_i64()), (Some(7), Some(1)));
    let messages: Vec<&str> =
        dry.body["errors"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert_eq!(messages[3..5], ["already listed on row 2: FN-002", "already in the company: FN-009"]);
    let vietnamese = dry_run_in_vietnamese(&system, bad.clone()).await;
    let messages: Vec<&str> =
        vietnamese["errors"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert_eq!(messages[3], "đã có ở dòng 2: FN-002", "{messages:?}");
    assert!(messages[4].starts_with("đã có trong công ty") && messages[4].ends_with(": FN-009"), "{messages:?}");
    assert!(messages[2].starts_with("cần một số sê-ri cho mỗi đơn vị hàng"), "{messages:?}");
    let refused = import(&keeper, false, bad).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.error_fields().len(), 6, "{}", refused.body);
    assert_eq!(on_hand(&keeper, products.viscometer, "HN").await, 1, "a refused import writes nothing");
    assert_eq!(balance(&system, "156").await, 100_000_000);

    let good = format!("{HEADER}{GOOD_ROWS}");
    let checked = import(&keeper, true, good.clone()).await;
    assert_eq!((checked.status, row_errors(&checked)), (StatusCode::OK, vec![]), "{}", checked.body);
    assert_eq!((checked.body["units"].as_i64(), checked.body["value"].as_i64()), (Some(18), Some(GOOD_VALUE)));
    let imported = import(&keeper, false, good.clone()).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    let warehouses: Vec<&str> =
        imported.body["receipts"].as_array().unwrap().iter().map(|r| r["warehouse"].as_str().unwrap()).collect();
    assert_eq!(warehouses, ["HN", "HCM", "DL"], "one opening receipt per warehouse");
    assert_eq!(on_hand(&keeper, products.viscometer, "HN").await, 3);
    assert_eq!(on_hand(&keeper, products.viscometer, "HCM").await, 1);
    assert_eq!(on_hand(&keeper, products.filter_press, "DL").await, 15);
    let serials = keeper.get(&format!("/api/v1/stock/serials?product_id={}&warehouse=HN", products.viscometer)).await;
    let mut listed: Vec<&str> =
        serials.body["items"].as_array().unwrap().iter().map(|s| s["serial"].as_str().unwrap()).collect();
    listed.sort_unstable();
    assert_eq!(listed, ["FN-001", "FN-002", "FN-009"]);
    assert_eq!(balance(&system, "156").await, 100_000_000 + GOOD_VALUE, "goods at cost");
    assert_eq!(balance(&system, "411").await, -(100_000_000 + GOOD_VALUE), "against the owner's capital");

    for dry_run in [true, false] {
        let again = import(&keeper, dry_run, good.clone()).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(again.body["already_imported"], true, "{}", again.body);
    }
    let director = system.login("director").await;
    assert_eq!(import(&director, false, good).await.body["already_imported"], true, "whoever sends it");
    assert_eq!(on_hand(&keeper, products.filter_press, "DL").await, 15, "the same file adds once");
    assert_eq!(balance(&system, "156").await, 100_000_000 + GOOD_VALUE);
    system.assert_books_agree().await;
    system.stop().await;
}

#[tokio::test]
async fn a_tcvn3_file_imports_and_the_template_reads_back_for_the_keeper_only() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let keeper = system.login("warehouse").await;
    let imported = import(&keeper, false, TCVN3_FILE).await;
    assert_eq!(imported.status, StatusCode::OK, "the TCVN3 headers are read: {}", imported.body);
    assert_eq!(on_hand(&keeper, products.filter_press, "DL").await, 4);

    for (format, content_type) in [("csv", "text/csv"), ("xlsx", XLSX)] {
        let (status, headers, bytes) =
            keeper.download(&format!("/api/v1/imports/stock/template?format={format}")).await;
        assert_eq!(status, StatusCode::OK, "{format}");
        let disposition = headers.get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(disposition.contains(&format!("mau-nhap-ton-kho-dau-ky.{format}")), "{disposition}");
        let checked = keeper.send_raw(Method::POST, "/api/v1/imports/stock?dry_run=true", content_type, bytes).await;
        assert_eq!(checked.status, StatusCode::OK, "{format}: {}", checked.body);
        assert_eq!((checked.body["rows_valid"].as_i64(), row_errors(&checked)), (Some(1), vec![]), "{format}");
    }
    let rep = system.login("sales.hn").await;
    assert_eq!(rep.get("/api/v1/imports/stock/template").await.status, StatusCode::FORBIDDEN);
    let refused = import(&rep, false, format!("{HEADER}{GOOD_ROWS}")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let officer = system.login("import").await;
    assert_eq!(import(&officer, true, format!("{HEADER}{GOOD_ROWS}")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(on_hand(&keeper, products.viscometer, "HN").await, 0);
    system.assert_books_agree().await;
    system.stop().await;
}
