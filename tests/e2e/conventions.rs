//! The API conventions as the README states them ("REST entry points"), on real routes:
//! `Idempotency-Key` optional on every POST, replaying per user; `If-Match` (or `version`)
//! required on updates and optional on state actions; weak ETags read as their version; one JSON
//! value per body and nothing after it; the JSON media type in any letter case.

use atq_tests::{Reply, Session, TestSystem, customer, dates, seed_products};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn assert_problem(reply: &Reply, status: StatusCode, field: Option<&str>) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/problem+json"), "{}", reply.body);
    assert_eq!(reply.body["status"].as_u64(), Some(u64::from(status.as_u16())), "{}", reply.body);
    if let Some(field) = field {
        assert_eq!(reply.error_fields(), [field], "{}", reply.body);
    }
}

async fn post_keyed(session: &Session, path: &str, body: &Value, key: &str) -> Reply {
    session.send(Method::POST, path, Some(body.clone()), &[("Idempotency-Key", key)]).await
}

#[tokio::test]
async fn an_idempotency_key_is_optional_replays_per_user_and_refuses_another_body() {
    let system = TestSystem::start().await;
    let (hn, hcm) = (system.login("sales.hn").await, system.login("sales.hcm").await);
    let school = customer("Trường THCS Giảng Võ", "project", "HN");
    let first = post_keyed(&hn, "/api/v1/customers", &school, "conventions-1").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let replayed = post_keyed(&hn, "/api/v1/customers", &school, "conventions-1").await;
    assert_eq!((replayed.status, &replayed.body["id"]), (StatusCode::CREATED, &first.body["id"]), "the first answer");

    let other = customer("Trường THCS Thành Công", "project", "HN");
    let reused = post_keyed(&hn, "/api/v1/customers", &other, "conventions-1").await;
    assert_problem(&reused, StatusCode::UNPROCESSABLE_ENTITY, None);
    // Keys are each user's own: another rep's same key is a new request.
    let hcm_school = customer("Trường Lê Quý Đôn", "project", "HCM");
    let theirs = post_keyed(&hcm, "/api/v1/customers", &hcm_school, "conventions-1").await;
    assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.body);
    assert_ne!(theirs.body["id"], first.body["id"]);

    // Without a key nothing is deduplicated: the same body twice is two customers.
    let twin = customer("Hộ kinh doanh Minh An", "individual", "HN");
    let (one, two) = (hn.post("/api/v1/customers", twin.clone()).await, hn.post("/api/v1/customers", twin).await);
    assert_eq!((one.status, two.status), (StatusCode::CREATED, StatusCode::CREATED));
    assert_ne!(one.body["id"], two.body["id"]);

    for bad in ["  ", &"k".repeat(201), "two words"] {
        let reply = post_keyed(&hn, "/api/v1/customers", &other, bad).await;
        assert_problem(&reply, StatusCode::BAD_REQUEST, Some("Idempotency-Key"));
    }
    system.stop().await;
}

#[tokio::test]
async fn an_update_needs_the_version_it_was_based_on_weak_etags_included() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let school = rep.create_customer(customer("Trường THPT Kim Liên", "project", "HN")).await;
    let path = format!("/api/v1/customers/{}", school["id"]);
    let read = rep.get(&path).await;
    let etag = read.header("etag").expect("an ETag").to_owned();
    assert_eq!(etag, format!("\"{}\"", school["version"]), "a strong ETag of the version");

    let unversioned = rep.send(Method::PATCH, &path, Some(json!({"phone": "0987654321"})), &[]).await;
    assert_problem(&unversioned, StatusCode::PRECONDITION_REQUIRED, None);
    let weak = rep.patch(&path, json!({"phone": "0987654321"}), &format!("W/{etag}")).await;
    assert_eq!(weak.status, StatusCode::OK, "a weak ETag names the same version: {}", weak.body);
    let stale = rep.patch(&path, json!({"phone": "0911111111"}), &etag).await;
    assert_problem(&stale, StatusCode::PRECONDITION_FAILED, None);
    let by_body = json!({"phone": "0911111111", "version": weak.body["version"]});
    assert_eq!(
        rep.send(Method::PATCH, &path, Some(by_body), &[]).await.status,
        StatusCode::OK,
        "or version in the body"
    );
    for bad in ["abc", "*", "\"1\", \"2\""] {
        assert_problem(
            &rep.patch(&path, json!({"phone": "0922222222"}), bad).await,
            StatusCode::BAD_REQUEST,
            Some("If-Match"),
        );
    }
    system.stop().await;
}

#[tokio::test]
async fn a_state_action_checks_if_match_only_when_sent() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let rep = system.login("sales.hn").await;
    let school = rep.create_customer(customer("Trường THPT Việt Đức", "project", "HN")).await;
    let line = json!([{"product_id": products.filter_press, "quantity": 1}]);
    let order = rep.post("/api/v1/orders", json!({"customer_id": school["id"], "lines": line})).await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let confirm = format!("/api/v1/orders/{}/confirm", order.body["id"]);
    let stale = rep.send(Method::POST, &confirm, Some(json!({})), &[("If-Match", "\"999\"")]).await;
    assert_problem(&stale, StatusCode::PRECONDITION_FAILED, None);
    let garbled = rep.send(Method::POST, &confirm, Some(json!({})), &[("If-Match", "seven")]).await;
    assert_problem(&garbled, StatusCode::BAD_REQUEST, Some("If-Match"));
    let weak = format!("W/\"{}\"", order.body["version"]);
    let confirmed = rep.send(Method::POST, &confirm, Some(json!({})), &[("If-Match", &weak)]).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    // Without If-Match the action runs on the record as it is.
    let second = rep.post("/api/v1/orders", json!({"customer_id": school["id"], "lines": line})).await;
    let confirmed = rep.post(&format!("/api/v1/orders/{}/confirm", second.body["id"]), json!({})).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);

    // The same on an action with a body: a garbled If-Match is refused, not ignored.
    let planned_at = format!("{}T09:00:00+07:00", dates::plus(1));
    let call = json!({"kind": "call", "subject": "Gọi hỏi nhu cầu", "customer_id": school["id"],
        "planned_at": planned_at, "duration_minutes": 15});
    let activity = rep.post("/api/v1/activities", call).await;
    assert_eq!(activity.status, StatusCode::CREATED, "{}", activity.body);
    let complete = format!("/api/v1/activities/{}/complete", activity.body["id"]);
    let outcome = json!({"outcome": "follow_up", "notes": "Khách hẹn gọi lại"});
    let garbled = rep.send(Method::POST, &complete, Some(outcome.clone()), &[("If-Match", "seven")]).await;
    assert_problem(&garbled, StatusCode::BAD_REQUEST, Some("If-Match"));
    let stale = rep.send(Method::POST, &complete, Some(outcome.clone()), &[("If-Match", "\"999\"")]).await;
    assert_problem(&stale, StatusCode::PRECONDITION_FAILED, None);
    assert_eq!(rep.post(&complete, outcome).await.status, StatusCode::OK);

    // The two actions that change a record's fields as they move it need the version (README).
    let opportunity = json!({"customer_id": school["id"], "title": "Phòng thí nghiệm", "expected_value": 100_000_000,
        "expected_close_on": dates::plus(30)});
    let opportunity = rep.post("/api/v1/opportunities", opportunity).await;
    let stage = format!("/api/v1/opportunities/{}/stage", opportunity.body["id"]);
    let unversioned = rep.post(&stage, json!({"stage": "qualified"})).await;
    assert_problem(&unversioned, StatusCode::PRECONDITION_REQUIRED, None);
    system.stop().await;
}

#[tokio::test]
async fn a_body_is_one_json_value_of_a_json_media_type_in_any_case() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let body = |name: &str| customer(name, "individual", "HN").to_string();
    for (index, media_type) in
        ["APPLICATION/JSON", "application/json; charset=UTF-8", "Application/Json"].iter().enumerate()
    {
        let reply = rep.send_raw(Method::POST, "/api/v1/customers", media_type, body(&format!("Khách {index}"))).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{media_type}: {}", reply.body);
    }
    let trailing_space = format!("{}\n  \n", body("Khách khoảng trắng"));
    let reply = rep.send_raw(Method::POST, "/api/v1/customers", "application/json", trailing_space).await;
    assert_eq!(reply.status, StatusCode::CREATED, "white space after the value is no text: {}", reply.body);

    for trailing in [
        format!("{} x", body("Khách a")),
        format!("{}{}", body("Khách b"), body("Khách c")),
        format!("{},", body("Khách d")),
    ] {
        let reply = rep.send_raw(Method::POST, "/api/v1/customers", "application/json", trailing.clone()).await;
        assert_problem(&reply, StatusCode::BAD_REQUEST, Some("body"));
    }
    for other in ["text/plain", "application/x-www-form-urlencoded", "application/jsonx"] {
        let reply = rep.send_raw(Method::POST, "/api/v1/customers", other, body("Khách e")).await;
        assert_problem(&reply, StatusCode::BAD_REQUEST, Some("body"));
    }
    let listed = rep.get("/api/v1/customers?q=Kh%C3%A1ch").await;
    let names: Vec<&str> = listed.body["items"].as_array().unwrap().iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names.len(), 4, "only the accepted bodies made customers: {names:?}");
    system.stop().await;
}
