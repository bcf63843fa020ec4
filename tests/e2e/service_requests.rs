//! Customer requests end to end: routed to the department that owns them, SLA due times on
//! Vietnamese working time (weekends, public holidays and the lunch break skipped, paused while
//! waiting for the customer), a timeline of every change in order, one breach warning each for
//! the assignee and the office's manager, the holiday calendar edited per year, and another
//! office's sales rep seeing none of it.

use atq_tests::{Session, TestSystem, customer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn record(session: &Session, body: Value) -> Value {
    let reply = session.post("/api/v1/requests", body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body
}

async fn move_to(session: &Session, request: &Value, body: Value) -> Value {
    let reply = session.post(&format!("/api/v1/requests/{}/status", request["id"]), body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

/// A quality complaint phoned in on Friday 24 April 2026 at 16:00, before a weekend and the
/// Monday in lieu of Giỗ Tổ (Sunday 26 April).
fn complaint(customer_id: &Value) -> Value {
    json!({"customer_id": customer_id, "channel": "phone", "kind": "quality", "priority": "high",
        "subject": "Máy đo pH báo sai sau hai tuần", "description": "Sai lệch 0,5 pH\nĐã hiệu chuẩn lại",
        "assignee": "sales.hn", "received_at": "2026-04-24T16:00:00+07:00", "serial_number": "PH-2026-0042"})
}

fn ids(list: &Value) -> Vec<i64> {
    list["items"].as_array().unwrap().iter().map(|item| item["id"].as_i64().unwrap()).collect()
}

/// Notifications that name `number`.
async fn warnings_about(session: &Session, number: &str) -> usize {
    let list = session.get("/api/v1/me/notifications?limit=500").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    list.body["items"].as_array().unwrap().iter().filter(|n| n["excerpt"].as_str().unwrap().contains(number)).count()
}

#[tokio::test]
async fn requests_go_to_their_department_and_their_sla_skips_weekends_holidays_and_pauses() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let manager = system.login("manager.hn").await;
    let client = rep.create_customer(customer("Công ty Xây dựng Sông Hồng", "project", "HN")).await;

    let key = [("Idempotency-Key", "complaint-1")];
    let first = rep.send(Method::POST, "/api/v1/requests", Some(complaint(&client["id"])), &key).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = rep.send(Method::POST, "/api/v1/requests", Some(complaint(&client["id"])), &key).await;
    assert_eq!(again.body["id"], first.body["id"], "a retry records nothing new");
    let quality = first.body;
    assert!(quality["number"].as_str().unwrap().starts_with("YC-"), "{quality}");
    assert_eq!((quality["department"].as_str(), quality["status"].as_str()), (Some("sales"), Some("new")));
    assert_eq!(quality["office"], "HN");
    // Two working hours: 16:00-17:30 on Friday, then Saturday, Sunday and Monday 27 April are off.
    assert_eq!(quality["first_response"]["target_minutes"], 120);
    assert_eq!(quality["first_response"]["due_at"], "2026-04-28T01:30:00.000000Z");
    // 34 working hours: Friday, Tuesday, Wednesday, then 30 April and 1 May off, Monday, Tuesday 16:00.
    assert_eq!(quality["resolution"]["due_at"], "2026-05-05T09:00:00.000000Z");

    let debt = record(
        &rep,
        json!({"customer_id": client["id"], "channel": "email", "kind": "debt",
        "subject": "Hỏi lại số dư công nợ tháng 3"}),
    )
    .await;
    assert_eq!((debt["department"].as_str(), debt["priority"].as_str()), (Some("accounting"), Some("normal")));
    let warranty = record(
        &rep,
        json!({"customer_id": client["id"], "channel": "visit", "kind": "warranty",
        "subject": "Máy khuấy từ không quay", "serial_number": "MS-7781"}),
    )
    .await;
    assert_eq!(warranty["department"], "import_export");

    // Answered by the manager on Tuesday at 08:15, recorded after the fact: in time.
    let backdated = json!({"status": "in_progress", "effective_at": "2026-04-28T08:15:00+07:00"});
    let refused = rep.post(&format!("/api/v1/requests/{}/status", quality["id"]), backdated.clone()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "only a manager records after the fact");
    let answered = move_to(&manager, &quality, backdated).await;
    assert_eq!(answered["first_response_at"], "2026-04-28T01:15:00.000000Z");
    assert_eq!(
        (answered["first_response"]["breached"].as_bool(), answered["first_response"]["minutes_left"].as_i64()),
        (Some(false), Some(15))
    );

    // Waiting for the customer from Wednesday 10:00 to Monday 4 May 10:00: 510 working minutes.
    let waiting = move_to(
        &manager,
        &quality,
        json!({"status": "waiting_customer", "note": "Chờ khách gửi mẫu",
        "effective_at": "2026-04-29T10:00:00+07:00"}),
    )
    .await;
    assert_eq!((waiting["sla_paused"].as_bool(), &waiting["resolution"]["due_at"]), (Some(true), &Value::Null));
    let early = json!({"status": "in_progress", "effective_at": "2026-04-29T09:00:00+07:00"});
    let before_latest = manager.post(&format!("/api/v1/requests/{}/status", quality["id"]), early).await;
    assert_eq!(before_latest.status, StatusCode::BAD_REQUEST);
    assert_eq!(before_latest.error_fields(), ["effective_at"]);
    let resumed = move_to(
        &manager,
        &quality,
        json!({"status": "in_progress",
        "effective_at": "2026-05-04T10:00:00+07:00"}),
    )
    .await;
    assert_eq!(resumed["resolution"]["due_at"], "2026-05-06T09:00:00.000000Z", "one working day later");
    assert_eq!(resumed["resolution"]["breached"], true, "still open long after");
    assert!(resumed["resolution"]["minutes_left"].as_i64().unwrap() < 0);

    let closing = rep.post(&format!("/api/v1/requests/{}/status", quality["id"]), json!({"status": "closed"})).await;
    assert_eq!(closing.status, StatusCode::CONFLICT, "resolved before closed: {}", closing.body);
    let comment =
        rep.post(&format!("/api/v1/requests/{}/comments", quality["id"]), json!({"body": "Đã gửi máy thay thế"})).await;
    assert_eq!(comment.status, StatusCode::CREATED, "{}", comment.body);
    let etag = rep.get(&format!("/api/v1/requests/{}", quality["id"])).await.header("etag").unwrap().to_owned();
    let moved =
        rep.patch(&format!("/api/v1/requests/{}", quality["id"]), json!({"department": "import_export"}), &etag).await;
    assert_eq!(
        (moved.status, moved.body["department"].as_str()),
        (StatusCode::OK, Some("import_export")),
        "{}",
        moved.body
    );
    let stale = rep.patch(&format!("/api/v1/requests/{}", quality["id"]), json!({"priority": "low"}), &etag).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);

    let timeline = rep.get(&format!("/api/v1/requests/{}/timeline", quality["id"])).await;
    let entries = timeline.body["items"].as_array().unwrap();
    let kinds: Vec<_> = entries.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["created", "status", "status", "status", "comment", "department"]);
    let statuses: Vec<_> =
        entries.iter().filter(|e| e["kind"] == "status").map(|e| e["to_value"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["in_progress", "waiting_customer", "in_progress"]);
    let times: Vec<_> = entries.iter().map(|e| e["at"].as_str().unwrap().to_owned()).collect();
    assert!(times.windows(2).all(|pair| pair[0] <= pair[1]), "in the order they happened: {times:?}");
    assert_eq!((entries[5]["from_value"].as_str(), entries[5]["actor"].as_str()), (Some("sales"), Some("sales.hn")));

    // Reading it past its resolution due time warns the assignee and the manager once each.
    let number = quality["number"].as_str().unwrap();
    for _ in 0..2 {
        rep.get(&format!("/api/v1/requests/{}", quality["id"])).await;
        rep.get("/api/v1/requests").await;
    }
    assert_eq!(warnings_about(&rep, number).await, 1);
    assert_eq!(warnings_about(&manager, number).await, 1);
    system.stop().await;
}

#[tokio::test]
async fn another_office_sees_nothing_and_bad_input_names_its_fields() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let other = system.login("sales.hcm").await;
    let client = rep.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    let quality = record(&rep, complaint(&client["id"])).await;
    let debt = record(
        &rep,
        json!({"customer_id": client["id"], "channel": "phone", "kind": "debt",
        "subject": "Đối chiếu công nợ"}),
    )
    .await;

    let path = format!("/api/v1/requests/{}", quality["id"]);
    assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("{path}/timeline")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other.post(&format!("{path}/status"), json!({"status": "in_progress"})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(other.post(&format!("{path}/comments"), json!({"body": "?"})).await.status, StatusCode::NOT_FOUND);
    assert!(ids(&other.get("/api/v1/requests").await.body).is_empty());
    let director = system.login("director").await;
    assert_eq!(
        ids(&director.get("/api/v1/requests").await.body),
        [quality["id"].as_i64().unwrap(), debt["id"].as_i64().unwrap()]
    );
    assert_eq!(ids(&rep.get("/api/v1/requests?department=accounting").await.body), [debt["id"].as_i64().unwrap()]);
    assert_eq!(ids(&rep.get("/api/v1/requests?breached=true").await.body), [quality["id"].as_i64().unwrap()]);
    assert_eq!(ids(&rep.get("/api/v1/requests?breached=false&kind=debt").await.body), [debt["id"].as_i64().unwrap()]);
    let filter = rep.get("/api/v1/requests?status=lost&breached=maybe").await;
    assert_eq!(
        (filter.status, filter.error_fields()),
        (StatusCode::BAD_REQUEST, vec!["status".to_owned(), "breached".to_owned()])
    );

    let bad = rep
        .post(
            "/api/v1/requests",
            json!({"channel": "pigeon", "kind": "gossip", "subject": " ",
        "priority": "asap", "received_at": "2099-01-01T08:00:00+07:00"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(bad.error_fields(), ["customer_id", "channel", "kind", "subject", "priority", "received_at"]);
    let outsider = other
        .post(
            "/api/v1/requests",
            json!({"customer_id": client["id"], "channel": "phone",
        "kind": "price", "subject": "Hỏi giá"}),
        )
        .await;
    assert_eq!(outsider.error_fields(), ["customer_id"], "another office's customer: {}", outsider.body);
    let assignee = rep
        .post(
            "/api/v1/requests",
            json!({"customer_id": client["id"], "channel": "phone",
        "kind": "price", "subject": "Hỏi giá", "assignee": "sales.hcm"}),
        )
        .await;
    assert_eq!(assignee.error_fields(), ["assignee"], "{}", assignee.body);
    // A NUL cannot reach the database (PostgreSQL refuses it in text): a field error, not a 500.
    let control = rep
        .post(
            "/api/v1/requests",
            json!({"customer_id": client["id"], "channel": "phone",
        "kind": "price", "subject": "Hỏi giá", "assignee": "sales\u{0}.hn"}),
        )
        .await;
    assert_eq!((control.status, control.error_fields()), (StatusCode::BAD_REQUEST, vec!["assignee".to_owned()]));
    let warehouse = system.login("warehouse").await;
    let refused = warehouse
        .post(
            "/api/v1/requests",
            json!({"customer_id": client["id"], "channel": "phone",
        "kind": "price", "subject": "Hỏi giá"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    system.stop().await;
}

#[tokio::test]
async fn a_holiday_added_to_the_year_moves_the_due_times_of_open_requests() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let director = system.login("director").await;
    let client = rep.create_customer(customer("Đại lý Thiết bị Hà Đông", "dealer", "HN")).await;
    // Friday 5 June 2026 at 16:00: due on Monday 8 June at 08:30.
    let mut body = complaint(&client["id"]);
    body["received_at"] = json!("2026-06-05T16:00:00+07:00");
    let request = record(&rep, body).await;
    assert_eq!(request["first_response"]["due_at"], "2026-06-08T01:30:00.000000Z");

    let year = rep.get("/api/v1/holidays?year=2026").await;
    assert_eq!(year.status, StatusCode::OK, "{}", year.body);
    assert!(year.body["holidays"].as_array().unwrap().iter().any(|h| h["date"] == "2026-04-27"));
    assert_eq!(year.body["saturday_morning"], false);
    let mut holidays = year.body["holidays"].as_array().unwrap().clone();
    holidays.push(json!({"date": "2026-06-08", "name_vi": "Nghỉ bù", "name_en": ""}));
    let refused =
        rep.send(Method::PUT, "/api/v1/holidays/2026", Some(json!({"holidays": holidays.clone()})), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let replaced = director.send(Method::PUT, "/api/v1/holidays/2026", Some(json!({"holidays": holidays})), &[]).await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    let added = replaced.body["holidays"].as_array().unwrap().iter().find(|h| h["date"] == "2026-06-08").cloned();
    assert_eq!(added.unwrap()["name_en"], "Nghỉ bù", "the English name defaults to the Vietnamese one");

    let moved = rep.get(&format!("/api/v1/requests/{}", request["id"])).await;
    assert_eq!(moved.body["first_response"]["due_at"], "2026-06-09T01:30:00.000000Z");
    let listed = rep.get("/api/v1/requests?breached=true").await;
    assert_eq!(ids(&listed.body), [request["id"].as_i64().unwrap()], "still unanswered past its due time");

    let wrong = json!({"holidays": [{"date": "2027-01-01", "name_vi": "Tết"}, {"date": "2026-13-01", "name_vi": ""}]});
    let bad = director.send(Method::PUT, "/api/v1/holidays/2026", Some(wrong), &[]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(bad.error_fields(), ["holidays[1].date"], "a malformed date is refused at the gateway first");
    let wrong_year =
        json!({"holidays": [{"date": "2027-01-01", "name_vi": "Tết"}, {"date": "2026-05-01", "name_vi": ""}]});
    let bad = director.send(Method::PUT, "/api/v1/holidays/2026", Some(wrong_year), &[]).await;
    assert_eq!(bad.error_fields(), ["holidays[0].date", "holidays[1].name_vi"]);
    system.stop().await;
}

#[tokio::test]
async fn files_sent_with_a_request_are_kept_once_on_its_timeline_and_only_for_its_office() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let other = system.login("sales.hcm").await;
    let client = rep.create_customer(customer("Công ty Môi trường Xanh", "project", "HN")).await;
    let request = record(&rep, complaint(&client["id"])).await;
    let files = format!("/api/v1/requests/{}/files", request["id"]);
    let upload = |name: &str| format!("{files}?file_name={name}");
    assert_eq!(rep.get(&files).await.body, json!([]));

    let photo = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00 may do pH hong".to_vec();
    let first = rep.send_raw(Method::POST, &upload("%E1%BA%A2nh%20m%C3%A1y.jpg"), "image/jpeg", photo.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(
        (first.body["file_name"].as_str(), first.body["content_type"].as_str()),
        (Some("Ảnh máy.jpg"), Some("image/jpeg"))
    );
    assert_eq!(first.header("location"), first.body["href"].as_str());
    let twice = rep.send_raw(Method::POST, &upload("copy.jpg"), "image/jpeg", photo.clone()).await;
    assert_eq!(twice.body["id"], first.body["id"], "the same file is kept once");
    let note = b"%PDF-1.7\nPhieu giao hang\n%%EOF".to_vec();
    let second = rep.send_raw(Method::POST, &upload("Phi%E1%BA%BFu%20giao.pdf"), "application/pdf", note.clone()).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let disguised = rep.send_raw(Method::POST, &upload("virus.pdf"), "application/pdf", b"MZ\x90\x00".to_vec()).await;
    assert_eq!((disguised.status, disguised.error_fields()), (StatusCode::BAD_REQUEST, vec!["file".to_owned()]));

    let listed = rep.get(&files).await.body;
    let names: Vec<&str> = listed.as_array().unwrap().iter().map(|f| f["file_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Ảnh máy.jpg", "Phiếu giao.pdf"]);
    let (status, headers, bytes) = rep.download(second.body["href"].as_str().unwrap()).await;
    assert_eq!((status, bytes), (StatusCode::OK, note));
    assert_eq!(headers["content-type"], "application/pdf");

    let timeline = rep.get(&format!("/api/v1/requests/{}/timeline", request["id"])).await.body;
    let entries: Vec<(&str, &str)> = timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["body"].as_str().unwrap()))
        .filter(|(kind, _)| *kind == "file")
        .collect();
    assert_eq!(entries, [("file", "Ảnh máy.jpg"), ("file", "Phiếu giao.pdf")], "each new file once, in order");

    assert_eq!(other.get(&files).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.download(first.body["href"].as_str().unwrap()).await.0, StatusCode::NOT_FOUND);
    let theirs = other.send_raw(Method::POST, &upload("x.pdf"), "application/pdf", b"%PDF-1.4".to_vec()).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let director = system.login("director").await;
    assert_eq!(director.get(&files).await.body.as_array().unwrap().len(), 2);
    let missing = rep.download(&format!("{files}/999999")).await;
    assert_eq!(missing.0, StatusCode::NOT_FOUND);
    system.stop().await;
}
