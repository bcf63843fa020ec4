//! Suppliers imported from spreadsheets: the template read back in both formats, a dry run naming
//! every bad row and writing nothing, a file imported twice adding its suppliers once (matched by
//! code, or by name without one), and the series of codes stepping over a code an import kept.

use atq_tests::{Reply, TestSystem};
use reqwest::StatusCode;
use serde_json::{Value, json};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HEADER: &str = "Mã nhà cung cấp,Tên nhà cung cấp,Quốc gia,Tiền tệ,Thời gian giao hàng (ngày),Người liên hệ,Email liên hệ,Điện thoại liên hệ";
const FANN: &str = "NCC002,Fann Instrument Company,US,USD,60,John Miller,sales@fann.com,+1 281 871 4482";
const TOKYO: &str = ",Tokyo Keiki,Nhật Bản,JPY,45,Sato Kenji,,";
const LEYBOLD: &str = "LD-01,LD Didactic GmbH,DE,eur,90,,,";

/// A raw upload with an idempotency key, as a script sends it; answers in English.
async fn import(system: &TestSystem, user: &str, dry_run: bool, file: (&str, Vec<u8>), key: &str) -> Reply {
    upload(system, user, &format!("/api/v1/imports/suppliers?dry_run={dry_run}"), file, key).await
}

/// Posts a file to an import route as `user` (password `demo`), in English, with an idempotency
/// key unless it is empty.
pub(crate) async fn upload(
    system: &TestSystem,
    user: &str,
    path: &str,
    (content_type, body): (&str, Vec<u8>),
    key: &str,
) -> Reply {
    let http = reqwest::Client::new();
    let login = http
        .post(format!("{}/api/v1/auth/login", system.base))
        .json(&json!({"username": user, "password": "demo"}))
        .send()
        .await
        .unwrap();
    let token = login.json::<Value>().await.unwrap()["access_token"].as_str().unwrap_or_default().to_owned();
    let mut request = http
        .post(format!("{}{path}", system.base))
        .bearer_auth(token)
        .header("content-type", content_type)
        .header("accept-language", "en")
        .body(body);
    if !key.is_empty() {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    Reply { status, headers: Default::default(), body: serde_json::from_str(&text).unwrap_or(Value::String(text)) }
}

fn csv(rows: &[&str]) -> (&'static str, Vec<u8>) {
    ("text/csv", format!("{HEADER}\r\n{}\r\n", rows.join("\r\n")).into_bytes())
}

fn row_errors(reply: &Reply) -> Vec<(i64, String)> {
    let errors = reply.body["errors"].as_array().cloned().unwrap_or_default();
    errors.iter().map(|e| (e["row"].as_i64().unwrap_or(0), e["column"].as_str().unwrap_or("").to_owned())).collect()
}

/// Every supplier's (code, name), by code.
async fn suppliers(system: &TestSystem) -> Vec<(String, String)> {
    let list = system.login("import").await.get("/api/v1/suppliers?limit=500").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let items = list.body["items"].as_array().cloned().unwrap_or_default();
    let mut found: Vec<(String, String)> = items
        .iter()
        .map(|s| (s["code"].as_str().unwrap_or("").to_owned(), s["name"].as_str().unwrap_or("").to_owned()))
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn five_bad_rows_get_five_problems_and_nothing_is_written() {
    let system = TestSystem::start().await;
    let bad = [
        FANN,
        "NCC-Đ1,An Phát,US,USD,30,,,",                 // a code with an accent
        "NCC010,Hach Company,USA,USD,30,,,",           // a country that is no ISO code
        "NCC011,Cortest,US,XYZ,30,,,",                 // an unknown currency
        "NCC012,PASCO scientific,US,USD,hai tháng,,,", // a lead time that is no number
        "NCC013,fann instrument company,US,USD,30,,,", // the name of row 2 again
        TOKYO,
    ];
    let dry = import(&system, "import", true, csv(&bad), "").await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    let expected: Vec<(i64, String)> =
        [(3, "code"), (4, "country"), (5, "currency"), (6, "lead_time_days"), (7, "name")]
            .map(|(row, column)| (row, column.to_owned()))
            .to_vec();
    assert_eq!(row_errors(&dry), expected);
    assert_eq!((dry.body["rows_read"].as_i64(), dry.body["rows_valid"].as_i64()), (Some(7), Some(2)));
    let refused = import(&system, "import", false, csv(&bad), "bad-file").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.error_fields().len(), 5, "{}", refused.body);
    assert!(suppliers(&system).await.is_empty(), "a dry run and a refused import write nothing");

    let rep = system.login("sales.hn").await;
    assert_eq!(rep.get("/api/v1/imports/suppliers/template").await.status, StatusCode::FORBIDDEN);
    assert_eq!(import(&system, "sales.hn", false, csv(&[FANN]), "rep").await.status, StatusCode::FORBIDDEN);
    system.stop().await;
}

#[tokio::test]
async fn the_same_file_imported_twice_adds_its_suppliers_once_and_the_series_steps_over_kept_codes() {
    let system = TestSystem::start().await;
    let file = csv(&[FANN, TOKYO, LEYBOLD]);
    let first = import(&system, "import", false, file.clone(), "first").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["created"].as_array().map(Vec::len), Some(3), "{}", first.body);
    let listed = suppliers(&system).await;
    let codes: Vec<&str> = listed.iter().map(|(code, _)| code.as_str()).collect();
    assert_eq!(codes, ["LD-01", "NCC001", "NCC002"], "kept codes, and the series' first for the row without one");

    let again = import(&system, "import", false, file, "second").await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["created"].as_array().map(Vec::len), Some(0), "{}", again.body);
    let present: Vec<&str> =
        again.body["already_present"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(present, ["NCC002", "NCC001", "LD-01"]);
    assert_eq!(suppliers(&system).await.len(), 3, "nothing added the second time");

    let renamed = import(&system, "import", true, csv(&["NCC002,Fann Corp,US,USD,60,,,"]), "").await;
    assert_eq!(row_errors(&renamed), [(2, "code".to_owned())], "a kept code under another name");

    let officer = system.login("import").await;
    let body = json!({"name": "Hach Company", "country": "US", "currency": "USD", "lead_time_days": 30});
    let created = officer.post("/api/v1/suppliers", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["code"], "NCC003", "NCC002 was taken by the import");
    system.stop().await;
}

#[tokio::test]
async fn both_templates_read_back_as_a_valid_row() {
    let system = TestSystem::start().await;
    let officer = system.login("import").await;
    for (format, content_type) in [("csv", "text/csv"), ("xlsx", XLSX)] {
        let (status, headers, bytes) =
            officer.download(&format!("/api/v1/imports/suppliers/template?format={format}")).await;
        assert_eq!(status, StatusCode::OK, "{format}");
        let disposition = headers.get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(disposition.contains(&format!("mau-nhap-nha-cung-cap.{format}")), "{disposition}");
        let checked = import(&system, "import", true, (content_type, bytes), "").await;
        assert_eq!(checked.status, StatusCode::OK, "{format}: {}", checked.body);
        assert_eq!(
            (checked.body["rows_valid"].as_i64(), checked.body["errors"].as_array().map(Vec::len)),
            (Some(1), Some(0)),
            "{format}: {}",
            checked.body
        );
    }
    assert!(suppliers(&system).await.is_empty());
    system.stop().await;
}
