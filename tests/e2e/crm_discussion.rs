//! Discussion on sales records: comments with @mentions, the notifications they raise, and files
//! kept with customers and opportunities.

use atq_tests::{Reply, Session, TestSystem, customer, dates};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const ENGLISH: (&str, &str) = ("Accept-Language", "en");

async fn comment(session: &Session, path: &str, body: &str) -> Reply {
    session.send(Method::POST, path, Some(json!({"body": body})), &[ENGLISH]).await
}

async fn hanoi_opportunity(rep: &Session) -> Value {
    let school = rep.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    let body = json!({"customer_id": school["id"], "title": "Phòng thí nghiệm vật lý",
        "expected_value": 500_000_000, "expected_close_on": dates::plus(30)});
    let created = rep.post("/api/v1/opportunities", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body
}

fn messages_of(reply: &Reply) -> Vec<String> {
    let errors = reply.body["errors"].as_array().cloned().unwrap_or_default();
    errors.iter().map(|e| format!("{}: {}", e["field"].as_str().unwrap(), e["message"].as_str().unwrap())).collect()
}

#[tokio::test]
async fn a_comment_mentioning_the_manager_reaches_their_notifications_until_read() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let opportunity = hanoi_opportunity(&rep).await;
    let path = format!("/api/v1/opportunities/{}/comments", opportunity["id"]);
    let key = [("Idempotency-Key", "comment-1"), ENGLISH];
    let body = json!({"body": "Khách hỏi chiết khấu 5%,\nnhờ @manager.hn duyệt."});
    let added = rep.send(Method::POST, &path, Some(body.clone()), &key).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!(added.body["mentions"], json!(["manager.hn"]));
    assert_eq!(added.body["author"], "sales.hn");
    let again = rep.send(Method::POST, &path, Some(body), &key).await;
    assert_eq!(again.body["id"], added.body["id"], "a retry adds no second comment");
    let second = comment(&rep, &path, "Đã gửi báo giá lần 2.").await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);

    let thread = rep.get(&path).await;
    let bodies: Vec<&str> =
        thread.body["items"].as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Khách hỏi chiết khấu 5%,\nnhờ @manager.hn duyệt.", "Đã gửi báo giá lần 2."]);

    let manager = system.login("manager.hn").await;
    let unread = manager.get("/api/v1/me/notifications?unread=true").await;
    assert_eq!(unread.body["unread_count"], 1, "{}", unread.body);
    let notice = &unread.body["items"][0];
    assert_eq!((notice["kind"].as_str(), notice["author"].as_str()), (Some("mention"), Some("sales.hn")));
    assert_eq!(notice["excerpt"], "Khách hỏi chiết khấu 5%, nhờ @manager.hn duyệt.");
    assert_eq!(notice["subject_kind"], "opportunity");
    assert_eq!(notice["subject_id"], opportunity["id"]);
    assert!(notice["read_at"].is_null());
    assert_eq!(rep.get("/api/v1/me/notifications").await.body["unread_count"], 0, "the author is not told");
    let not_yours = rep.post(&format!("/api/v1/me/notifications/{}/read", notice["id"]), json!({})).await;
    assert_eq!(not_yours.status, StatusCode::NOT_FOUND);

    let read = manager.post(&format!("/api/v1/me/notifications/{}/read", notice["id"]), json!({})).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert!(read.body["read_at"].is_string());
    let after = manager.get("/api/v1/me/notifications?unread=true").await;
    assert_eq!((after.body["unread_count"].as_i64(), after.body["items"].as_array().unwrap().len()), (Some(0), 0));
    assert_eq!(manager.get("/api/v1/me/notifications").await.body["items"].as_array().unwrap().len(), 1);
    system.stop().await;
}

#[tokio::test]
async fn an_unknown_or_out_of_office_mention_is_refused_and_nothing_is_written() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let hanoi = rep.create_customer(customer("Công ty Thiết bị Hà Thành", "dealer", "HN")).await;
    let path = format!("/api/v1/customers/{}/comments", hanoi["id"]);
    let unknown = comment(&rep, &path, "Hỏi @nobody.here và @manager.hn").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "{}", unknown.body);
    assert_eq!(messages_of(&unknown), ["body: no colleague named @nobody.here"]);
    let in_vietnamese =
        rep.send(Method::POST, &path, Some(json!({"body": "Hỏi @nobody.here"})), &[("Accept-Language", "vi")]).await;
    assert_eq!(messages_of(&in_vietnamese), ["body: không có đồng nghiệp nào tên @nobody.here"]);

    let other_office = comment(&rep, &path, "Nhờ @sales.hcm xem giúp").await;
    assert_eq!(other_office.status, StatusCode::BAD_REQUEST, "{}", other_office.body);
    assert_eq!(messages_of(&other_office), ["body: @sales.hcm cannot see records of this office"]);
    let vi = [("Accept-Language", "vi")];
    let refused = rep.send(Method::POST, &path, Some(json!({"body": "@sales.hcm"})), &vi).await;
    assert_eq!(messages_of(&refused), ["body: @sales.hcm không xem được hồ sơ của văn phòng này"]);

    assert_eq!(rep.get(&path).await.body["items"], json!([]));
    let manager = system.login("manager.hn").await;
    assert_eq!(manager.get("/api/v1/me/notifications").await.body["unread_count"], 0);
    let director_may = comment(&rep, &path, "Báo @director: khách lớn.").await;
    assert_eq!(director_may.status, StatusCode::CREATED, "{}", director_may.body);
    system.stop().await;
}

#[tokio::test]
async fn another_offices_rep_finds_neither_comments_nor_files() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let opportunity = hanoi_opportunity(&rep).await;
    let (id, customer_id) = (&opportunity["id"], &opportunity["customer_id"]);
    assert_eq!(
        comment(&rep, &format!("/api/v1/customers/{customer_id}/comments"), "Đã gặp").await.status,
        StatusCode::CREATED
    );
    let stranger = system.login("sales.hcm").await;
    for path in [
        format!("/api/v1/customers/{customer_id}/comments"),
        format!("/api/v1/opportunities/{id}/comments"),
        format!("/api/v1/customers/{customer_id}/files"),
        format!("/api/v1/opportunities/{id}/files"),
    ] {
        assert_eq!(stranger.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let posted = comment(&stranger, &format!("/api/v1/opportunities/{id}/comments"), "xin chào").await;
    assert_eq!(posted.status, StatusCode::NOT_FOUND);
    let upload = stranger
        .send_raw(
            Method::POST,
            &format!("/api/v1/customers/{customer_id}/files?file_name=a.pdf"),
            "application/pdf",
            b"%PDF-1.4".to_vec(),
        )
        .await;
    assert_eq!(upload.status, StatusCode::NOT_FOUND);
    let director = system.login("director").await;
    let seen = director.get(&format!("/api/v1/customers/{customer_id}/comments")).await;
    assert_eq!(seen.body["items"].as_array().unwrap().len(), 1, "directors see every office");
    system.stop().await;
}

#[tokio::test]
async fn a_file_attached_twice_is_kept_once_and_downloads_as_uploaded() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let opportunity = hanoi_opportunity(&rep).await;
    let files = format!("/api/v1/opportunities/{}/files", opportunity["id"]);
    let pdf = b"%PDF-1.7\nHo so nang luc\n%%EOF".to_vec();
    let upload = |name: &str| format!("{files}?file_name={name}");
    let first = rep.send_raw(Method::POST, &upload("H%E1%BB%93%20s%C6%A1.pdf"), "application/pdf", pdf.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!((first.body["file_name"].as_str(), first.body["size"].as_i64()), (Some("Hồ sơ.pdf"), Some(29)));
    let twice = rep.send_raw(Method::POST, &upload("copy.pdf"), "application/pdf", pdf.clone()).await;
    assert_eq!(twice.body["id"], first.body["id"]);
    let listed = rep.get(&files).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);

    let disguised =
        rep.send_raw(Method::POST, &upload("bao-gia.pdf"), "application/pdf", b"MZ\x90\x00\x03".to_vec()).await;
    assert_eq!(disguised.status, StatusCode::BAD_REQUEST);
    assert_eq!(disguised.error_fields(), ["file"]);
    assert_eq!(rep.get(&files).await.body.as_array().unwrap().len(), 1);

    let (status, headers, bytes) = rep.download(first.body["href"].as_str().unwrap()).await;
    assert_eq!((status, bytes), (StatusCode::OK, pdf));
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"Ho so.pdf\""));
    let customer_files = rep.get(&format!("/api/v1/customers/{}/files", opportunity["customer_id"])).await;
    assert_eq!(customer_files.body, json!([]), "the opportunity's file is not the customer's");
    system.stop().await;
}
