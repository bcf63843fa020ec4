//! The API answers problems in Vietnamese unless the caller prefers English; the field keys are
//! the same either way.

use atq_tests::TestSystem;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn problems_come_in_vietnamese_by_default_and_in_english_when_asked() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let body = json!({"name": "", "group": "individual", "phone": "12345", "address": "1 Hàng Bài", "office": "HN"});
    let vietnamese =
        rep.send(Method::POST, "/api/v1/customers", Some(body.clone()), &[("Accept-Language", "vi-VN,vi;q=0.9")]).await;
    assert_eq!(vietnamese.status, StatusCode::BAD_REQUEST);
    assert_eq!(vietnamese.error_fields(), ["name", "phone"]);
    assert_eq!(vietnamese.body["errors"][0]["message"], "không được để trống");
    assert!(vietnamese.body["errors"][1]["message"].as_str().unwrap().starts_with("phải gồm 10 chữ số"));
    assert_eq!(vietnamese.header("content-language"), Some("vi"));

    let english =
        rep.send(Method::POST, "/api/v1/customers", Some(body), &[("Accept-Language", "en-GB, vi;q=0.5")]).await;
    assert_eq!(english.error_fields(), ["name", "phone"]);
    assert_eq!(english.body["errors"][0]["message"], "must not be empty");

    let missing = rep.send(Method::GET, "/api/v1/customers/999999", None, &[("Accept-Language", "fr")]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body["title"], "Không tìm thấy", "{}", missing.body);
    assert_eq!(missing.body["type"], "/problems/not-found");
    system.stop().await;
}
