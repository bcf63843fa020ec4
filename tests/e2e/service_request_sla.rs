//! SLA targets as data and the periodic breach sweep, end to end: a director changes a target
//! (If-Match, bounds, the change kept with who made it) and only requests opened afterwards take
//! it; two sweeps run at the same moment, as two replicas would, and every breach is warned
//! exactly once without anyone reading the requests.

use atq_platform::{Caller, InternalKey, Role};
use atq_proto::sales::v1::SweepBreachesRequest;
use atq_proto::sales::v1::service_requests_client::ServiceRequestsClient;
use atq_tests::{Session, TestSystem, customer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Row;

const DEBT_HIGH: &str = "/api/v1/requests/sla-targets/debt/high";

async fn record(session: &Session, body: Value) -> Value {
    let reply = session.post("/api/v1/requests", body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body
}

fn debt_question(customer_id: &Value) -> Value {
    json!({"customer_id": customer_id, "channel": "phone", "kind": "debt", "priority": "high",
        "subject": "Đối chiếu công nợ quý III"})
}

async fn put_target(session: &Session, body: Value, if_match: Option<&str>) -> atq_tests::Reply {
    let headers: Vec<(&str, &str)> = if_match.map(|etag| vec![("If-Match", etag)]).unwrap_or_default();
    session.send(Method::PUT, DEBT_HIGH, Some(body), &headers).await
}

fn target_of<'a>(list: &'a Value, kind: &str, priority: &str) -> &'a Value {
    let items = list["items"].as_array().unwrap();
    items.iter().find(|t| t["kind"] == kind && t["priority"] == priority).unwrap()
}

#[tokio::test]
async fn a_changed_target_applies_to_requests_opened_after_it_and_is_kept_with_who_changed_it() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let director = system.login("director").await;
    let client = rep.create_customer(customer("Công ty Thiết bị Hồng Hà", "dealer", "HN")).await;

    let listed = system.login("warehouse").await.get("/api/v1/requests/sla-targets").await;
    assert_eq!(listed.status, StatusCode::OK, "every signed-in colleague reads them: {}", listed.body);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 44, "eleven kinds, four priorities");
    assert_eq!(listed.body["items"][0]["kind"], "price");
    let seeded = target_of(&listed.body, "debt", "high");
    assert_eq!(
        (seeded["first_response_minutes"].as_i64(), seeded["resolution_minutes"].as_i64()),
        (Some(120), Some(1020))
    );
    assert_eq!((seeded["version"].as_i64(), seeded["updated_by"].as_str()), (Some(1), Some("")));

    let before = record(&rep, debt_question(&client["id"])).await;
    assert_eq!(
        (before["first_response"]["target_minutes"].as_i64(), before["resolution"]["target_minutes"].as_i64()),
        (Some(120), Some(1020))
    );

    let new_targets = json!({"first_response_minutes": 30, "resolution_minutes": 240});
    assert_eq!(put_target(&rep, new_targets.clone(), Some("\"1\"")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(put_target(&director, new_targets.clone(), None).await.status, StatusCode::PRECONDITION_REQUIRED);
    let out_of_bounds =
        put_target(&director, json!({"first_response_minutes": 0, "resolution_minutes": 28_801}), Some("\"1\"")).await;
    assert_eq!(out_of_bounds.status, StatusCode::BAD_REQUEST, "{}", out_of_bounds.body);
    assert_eq!(out_of_bounds.error_fields(), ["first_response_minutes", "resolution_minutes"]);
    let headers = [("If-Match", "\"1\""), ("Accept-Language", "vi")];
    let vietnamese = director.send(Method::PUT, DEBT_HIGH, Some(json!({"first_response_minutes": 0})), &headers).await;
    assert_eq!(vietnamese.body["errors"][0]["message"], "phải từ 1 đến 28800 phút làm việc", "{}", vietnamese.body);
    let shorter =
        put_target(&director, json!({"first_response_minutes": 480, "resolution_minutes": 240}), Some("\"1\"")).await;
    assert_eq!(shorter.error_fields(), ["resolution_minutes"]);
    let unknown = director
        .send(
            Method::PUT,
            "/api/v1/requests/sla-targets/gossip/high",
            Some(new_targets.clone()),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(unknown.error_fields(), ["kind"]);

    let changed = put_target(&director, new_targets.clone(), Some("\"1\"")).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!((changed.header("etag"), changed.body["updated_by"].as_str()), (Some("\"2\""), Some("director")));
    assert_eq!(
        put_target(&director, json!({"first_response_minutes": 45, "resolution_minutes": 240}), Some("\"1\""))
            .await
            .status,
        StatusCode::PRECONDITION_FAILED
    );
    let same =
        put_target(&director, json!({"first_response_minutes": 30, "resolution_minutes": 240, "version": 2}), None)
            .await;
    assert_eq!(
        (same.status, same.body["version"].as_i64()),
        (StatusCode::OK, Some(2)),
        "the same values change nothing"
    );
    let by_admin = put_target(
        &system.login("admin").await,
        json!({"first_response_minutes": 30, "resolution_minutes": 300}),
        Some("\"2\""),
    )
    .await;
    assert_eq!((by_admin.status, by_admin.body["version"].as_i64()), (StatusCode::OK, Some(3)), "{}", by_admin.body);

    let after = record(&rep, debt_question(&client["id"])).await;
    assert_eq!(
        (after["first_response"]["target_minutes"].as_i64(), after["resolution"]["target_minutes"].as_i64()),
        (Some(30), Some(300))
    );
    let kept = rep.get(&format!("/api/v1/requests/{}", before["id"])).await;
    assert_eq!(kept.body["first_response"]["target_minutes"], 120, "a request keeps the targets it was opened with");
    assert_eq!(kept.body["first_response"]["due_at"], before["first_response"]["due_at"]);

    let db = atq_platform::Db::connect(system.database_url("sales")).await.unwrap();
    let rows = sqlx::query(
        "SELECT first_response_from, first_response_to, resolution_from, resolution_to, changed_by, changed_at \
         FROM sla_target_changes WHERE kind = 'debt' AND priority = 'high' ORDER BY id",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let changes: Vec<(i64, i64, i64, i64, String)> =
        rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))).collect();
    assert_eq!(changes, [(120, 30, 1020, 240, "director".to_owned()), (30, 30, 240, 300, "admin".to_owned())]);
    assert!(rows.iter().all(|r| r.get::<i64, _>(5) > 0));
    db.close().await;
    system.stop().await;
}

/// Notifications of `session` that name `number`.
async fn warnings_about(session: &Session, number: &str) -> usize {
    let list = session.get("/api/v1/me/notifications?limit=500").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    list.body["items"].as_array().unwrap().iter().filter(|n| n["excerpt"].as_str().unwrap().contains(number)).count()
}

/// One sweep as the sales service runs it, asked by `caller`.
async fn sweep(address: &str, key: &InternalKey, caller: &Caller) -> Result<i64, tonic::Status> {
    let mut client = ServiceRequestsClient::connect(address.to_owned()).await.unwrap();
    let mut request = tonic::Request::new(SweepBreachesRequest {});
    request.metadata_mut().insert("x-atq-caller", key.mint(caller).parse().unwrap());
    Ok(client.sweep_breaches(request).await?.into_inner().warned)
}

#[tokio::test]
async fn two_sweeps_at_once_warn_every_breach_exactly_once_without_anyone_reading() {
    let mut system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let manager = system.login("manager.hn").await;
    let client = rep.create_customer(customer("Trường Đại học Thủy lợi", "project", "HN")).await;
    // Phoned in months ago and never answered: both clocks are past due.
    let mut numbers = Vec::new();
    for subject in ["Máy đo độ đục báo lỗi E3", "Tủ sấy không lên nhiệt", "Cân phân tích lệch 0,2 mg"]
    {
        let request = record(
            &rep,
            json!({"customer_id": client["id"], "channel": "phone", "kind": "quality", "priority": "high",
                "subject": subject, "assignee": "sales.hn", "received_at": "2026-04-24T16:00:00+07:00"}),
        )
        .await;
        numbers.push(request["number"].as_str().unwrap().to_owned());
    }
    let in_time = record(&rep, debt_question(&client["id"])).await;

    let (address, key) = (system.system().peers().sales.clone(), system.system().internal_key().clone());
    let human = Caller { username: "admin".into(), role: Role::Admin, office: None };
    assert_eq!(sweep(&address, &key, &human).await.unwrap_err().code(), tonic::Code::PermissionDenied);
    let (one, two) = (Caller::service("replica-1"), Caller::service("replica-2"));
    let (first, second) = tokio::join!(sweep(&address, &key, &one), sweep(&address, &key, &two));
    let swept = first.unwrap() + second.unwrap();
    // Six breaches (two clocks of three requests); the service's own periodic sweep may have
    // taken some first, but nothing is warned twice.
    assert!(swept <= 6, "{swept}");
    for number in &numbers {
        assert_eq!(warnings_about(&rep, number).await, 2, "the assignee, once per clock: {number}");
        assert_eq!(warnings_about(&manager, number).await, 2, "the office's manager too: {number}");
    }
    assert_eq!(warnings_about(&rep, in_time["number"].as_str().unwrap()).await, 0, "nothing is due yet");
    assert_eq!(sweep(&address, &key, &one).await.unwrap(), 0, "a later sweep finds nothing new");
    rep.get("/api/v1/requests").await;
    assert_eq!(warnings_about(&manager, &numbers[0]).await, 2, "reading adds none either");
    system.stop().await;
}
