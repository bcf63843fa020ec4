use atq_tests::{TestSystem, customer};
use reqwest::StatusCode;
use serde_json::json;

fn names(reply: &atq_tests::Reply) -> Vec<String> {
    reply.body["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn search_ignores_case_and_diacritics_and_pages_with_a_cursor() {
    let system = TestSystem::start().await;
    let director = system.login("director").await;
    let mut duc = customer("Nguyễn Văn Đức", "individual", "HN");
    duc["phone"] = json!("0987654321");
    duc["email"] = json!("Duc.Nguyen@Example.vn");
    director.create_customer(duc).await;
    director.create_customer(customer("Viện Nghiên cứu Hạt nhân Đà Lạt", "project", "DL")).await;
    director.create_customer(customer("Cửa hàng Điện tử Lâm Viên", "dealer", "DL")).await;

    for query in [
        "nguyen%20van%20duc",
        "%C4%90%E1%BB%A8C",
        "NGUYEN",
        "duc.nguyen@example",
        "0987654321",
        "%2B84987654321",
        "kh000001",
    ] {
        let reply = director.get(&format!("/api/v1/customers?q={query}")).await;
        assert_eq!(names(&reply), ["Nguyễn Văn Đức"], "query {query}");
    }
    assert_eq!(names(&director.get("/api/v1/customers?q=da%20lat").await), ["Viện Nghiên cứu Hạt nhân Đà Lạt"]);
    assert_eq!(names(&director.get("/api/v1/customers?q=%25").await).len(), 0, "punctuation alone matches nothing");
    assert_eq!(
        names(&director.get("/api/v1/customers?q=_").await).len(),
        0,
        "an underscore is a literal, not a wildcard"
    );
    assert_eq!(names(&director.get("/api/v1/customers?office=DL&group=dealer").await), ["Cửa hàng Điện tử Lâm Viên"]);

    let first = director.get("/api/v1/customers?limit=2").await;
    assert_eq!(names(&first).len(), 2);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = director.get(&format!("/api/v1/customers?limit=2&cursor={cursor}")).await;
    assert_eq!(names(&second), ["Cửa hàng Điện tử Lâm Viên"]);
    assert!(second.body["next_cursor"].is_null());

    let bad = director.get("/api/v1/customers?limit=9999&group=vip&cursor=zz").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.error_fields(), ["limit"]);
    let bad = director.get("/api/v1/customers?group=vip&cursor=zz").await;
    assert_eq!(bad.error_fields(), ["cursor", "group"]);
    system.stop().await;
}
