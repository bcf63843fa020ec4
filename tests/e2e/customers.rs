use atq_tests::{TestSystem, customer};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_customer_is_created_read_updated_and_its_history_kept() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;

    let reply = rep.post("/api/v1/customers", customer("Công ty TNHH Minh Phát", "dealer", "HN")).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let id = reply.body["id"].as_i64().unwrap();
    assert_eq!(reply.body["code"], "KH000001");
    assert_eq!(reply.body["version"], 1);
    assert_eq!(reply.body["purchase_count"], 0);
    assert_eq!(reply.body["assigned_to"], "sales.hn");
    assert_eq!(reply.header("location"), Some(format!("/api/v1/customers/{id}").as_str()));

    let read = rep.get(&format!("/api/v1/customers/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["name"], "Công ty TNHH Minh Phát");
    let etag = read.header("etag").unwrap().to_owned();

    let updated = rep
        .patch(
            &format!("/api/v1/customers/{id}"),
            json!({"phone": "+84 987 654 321", "tax_code": "0101234567-001"}),
            &etag,
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["version"], 2);
    assert_eq!(updated.body["phone"], "0987654321");

    let history = rep.get(&format!("/api/v1/customers/{id}/history")).await;
    let revisions = history.body["items"].as_array().unwrap();
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[0]["action"], "created");
    assert_eq!(revisions[1]["changed_by"], "sales.hn");
    let changed: Vec<&str> =
        revisions[1]["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(changed, ["phone", "tax_code"]);
    assert_eq!(revisions[1]["changes"][0]["old_value"], "0912345678");
    system.stop().await;
}

#[tokio::test]
async fn bad_input_names_every_field_and_writes_nothing() {
    let system = TestSystem::start().await;
    let director = system.login("director").await;

    let reply = director
        .post("/api/v1/customers", json!({"name": " ", "group": "vip", "phone": "12345", "email": "x@", "address": "", "office": "SG", "tax_code": "12"}))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.header("content-type"), Some("application/problem+json"));
    assert_eq!(reply.error_fields(), ["name", "group", "phone", "email", "address", "office", "tax_code"]);
    assert!(reply.body["trace_id"].as_str().is_some_and(|id| id.len() == 32));

    let wrong_type = director.post("/api/v1/customers", json!({"name": 7})).await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong_type.error_fields(), ["name"]);

    let list = director.get("/api/v1/customers").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 0, "nothing was written");
    system.stop().await;
}

#[tokio::test]
async fn the_same_idempotency_key_returns_the_same_customer_and_refuses_another_body() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hcm").await;
    let body = customer("Trần Thị Bích Ngọc", "individual", "HCM");
    let key = [("Idempotency-Key", "create-ngoc-1")];

    let first = rep.send(reqwest::Method::POST, "/api/v1/customers", Some(body.clone()), &key).await;
    let again = rep.send(reqwest::Method::POST, "/api/v1/customers", Some(body.clone()), &key).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(first.body["id"], again.body["id"]);

    let mut other = body.clone();
    other["name"] = json!("Someone Else");
    let reused = rep.send(reqwest::Method::POST, "/api/v1/customers", Some(other), &key).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reused.body);

    // Concurrent retries of one request still make one customer.
    let concurrent_key = [("Idempotency-Key", "create-ngoc-2")];
    let twin = customer("Lê Văn Tám", "individual", "HCM");
    let (a, b) = tokio::join!(
        rep.send(reqwest::Method::POST, "/api/v1/customers", Some(twin.clone()), &concurrent_key),
        rep.send(reqwest::Method::POST, "/api/v1/customers", Some(twin.clone()), &concurrent_key),
    );
    assert_eq!((a.status, b.status), (StatusCode::CREATED, StatusCode::CREATED), "{} {}", a.body, b.body);
    assert_eq!(a.body["id"], b.body["id"]);

    let list = rep.get("/api/v1/customers").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
    system.stop().await;
}

#[tokio::test]
async fn a_stale_write_is_refused_and_changes_nothing() {
    let system = TestSystem::start().await;
    let clerk_a = system.login("sales.hn").await;
    let clerk_b = system.login("manager.hn").await;
    let created = clerk_a.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    let path = format!("/api/v1/customers/{}", created["id"]);

    let first = clerk_a.patch(&path, json!({"address": "10 Thụy Khuê, Tây Hồ, Hà Nội"}), "\"1\"").await;
    assert_eq!(first.status, StatusCode::OK);
    let second = clerk_b.patch(&path, json!({"address": "Somewhere else"}), "\"1\"").await;
    assert_eq!(second.status, StatusCode::PRECONDITION_FAILED, "{}", second.body);
    assert_eq!(clerk_b.get(&path).await.body["address"], "10 Thụy Khuê, Tây Hồ, Hà Nội");

    // Two clerks at once on the same version: exactly one wins.
    let (a, b) = tokio::join!(
        clerk_a.patch(&path, json!({"email": "a@example.vn"}), "\"2\""),
        clerk_b.patch(&path, json!({"email": "b@example.vn"}), "\"2\""),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::PRECONDITION_FAILED]);
    let winner = if a.status == StatusCode::OK { "a@example.vn" } else { "b@example.vn" };
    let now = clerk_a.get(&path).await.body;
    assert_eq!((now["email"].as_str(), now["version"].as_i64()), (Some(winner), Some(3)));

    let unversioned = clerk_a.send(reqwest::Method::PATCH, &path, Some(json!({"email": "c@example.vn"})), &[]).await;
    assert_eq!(unversioned.status, StatusCode::PRECONDITION_REQUIRED);
    let with_body_version =
        clerk_a.send(reqwest::Method::PATCH, &path, Some(json!({"email": "c@example.vn", "version": 3})), &[]).await;
    assert_eq!(with_body_version.status, StatusCode::OK);
    system.stop().await;
}
