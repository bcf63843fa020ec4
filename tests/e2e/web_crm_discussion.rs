//! The web UI's discussion screens on the real system: a rep mentions the manager in a comment on
//! an opportunity's page, the manager sees the count in the header and the notification, and marks
//! it read; a mention of nobody is refused beside the form; a file uploaded on a customer's page
//! downloads back through the web app.

use atq_tests::web::{Page, WebSession};
use atq_tests::{Session, TestSystem, customer, dates};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn assert_shows(page: &Page, what: &str, expected: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.html);
    for text in expected {
        assert!(page.html.contains(text), "{what} shows {text}: {}", page.html);
    }
}

fn assert_redirect(page: &Page, to: &str) {
    assert_eq!((page.status, page.location.as_deref()), (StatusCode::SEE_OTHER, Some(to)), "{}", page.html);
}

async fn hanoi_opportunity(rep: &Session) -> Value {
    let school = rep.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    let body = json!({"customer_id": school["id"], "title": "Phòng thí nghiệm vật lý",
        "expected_value": 500_000_000, "expected_close_on": dates::plus(30)});
    let created = rep.post("/api/v1/opportunities", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body
}

async fn post_comment(web: &mut WebSession, path: &str, key: &str, body: &str) -> Page {
    let csrf = web.csrf();
    web.post_form(&format!("{path}/comments"), &[("csrf", &csrf), ("idempotency_key", key), ("body", body)]).await
}

#[tokio::test]
async fn a_mention_on_an_opportunity_page_reaches_the_managers_badge_until_read() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let opportunity = hanoi_opportunity(&rep).await;
    let path = format!("/opportunities/{}", opportunity["id"]);
    let mut web = WebSession::sign_in(&system, "sales.hn", "vi").await;
    let page = web.get(&path).await;
    assert_shows(
        &page,
        "the opportunity's blocks",
        &["id=\"discussion\"", "Chưa có trao đổi nào.", "Gõ @tên_đăng_nhập để báo cho đồng nghiệp", "id=\"files\""],
    );
    let sent = post_comment(&mut web, &path, "web-comment-1", "Khách hỏi chiết khấu 5%, nhờ @manager.hn duyệt.").await;
    assert_redirect(&sent, &format!("{path}#discussion"));
    let again = post_comment(&mut web, &path, "web-comment-1", "Khách hỏi chiết khấu 5%, nhờ @manager.hn duyệt.").await;
    assert_redirect(&again, &format!("{path}#discussion"));
    let page = web.get(&path).await;
    assert_shows(
        &page,
        "the thread",
        &["Khách hỏi chiết khấu 5%, nhờ @manager.hn duyệt.", "<strong>sales.hn</strong>"],
    );
    assert_eq!(page.html.matches("Khách hỏi chiết khấu").count(), 1, "a resubmitted form adds no second comment");

    let mut manager = WebSession::sign_in(&system, "manager.hn", "vi").await;
    let home = manager.get("/").await;
    assert_shows(&home, "the header", &["hx-get=\"/notifications/badge\"", "Thông báo"]);
    let badge = manager.get("/notifications/badge").await;
    assert_shows(&badge, "the badge", &["id=\"unread-count\"", ">1</span>"]);
    let list = manager.get("/notifications").await;
    assert_shows(
        &list,
        "the notifications",
        &["sales.hn", "nhắc đến bạn trong", &format!("href=\"{path}#discussion\""), "cơ hội bán hàng", "Mới"],
    );
    let notification = system.login("manager.hn").await.get("/api/v1/me/notifications").await.body["items"][0].clone();
    let csrf = manager.csrf();
    let read = manager.post_form(&format!("/notifications/{}/read", notification["id"]), &[("csrf", &csrf)]).await;
    assert_redirect(&read, "/notifications");
    assert_eq!(manager.get("/notifications/badge").await.html, "", "nothing unread, no badge");
    let list = manager.get("/notifications").await;
    assert_shows(&list, "the read notification", &["Khách hỏi chiết khấu 5%"]);
    assert!(!list.html.contains("id=\"mark-all-read\""), "nothing left to mark: {}", list.html);

    for n in 1..=2 {
        let sent = post_comment(&mut web, &path, &format!("web-more-{n}"), &format!("@manager.hn lần {n}")).await;
        assert_redirect(&sent, &format!("{path}#discussion"));
    }
    assert_shows(&manager.get("/notifications/badge").await, "two more", &[">2</span>"]);
    let forged = manager.post_form("/notifications/read-all", &[("csrf", "forged")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_redirect(&manager.post_form("/notifications/read-all", &[("csrf", &csrf)]).await, "/notifications");
    assert_eq!(manager.get("/notifications/badge").await.html, "");
    system.stop().await;
}

#[tokio::test]
async fn an_unknown_mention_is_shown_beside_the_comment_form_in_either_language() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let dealer = rep.create_customer(customer("Công ty Thiết bị Hà Thành", "dealer", "HN")).await;
    let path = format!("/customers/{}", dealer["id"]);
    for (lang, message) in
        [("en", "no colleague named @nobody.here"), ("vi", "không có đồng nghiệp nào tên @nobody.here")]
    {
        let mut web = WebSession::sign_in(&system, "sales.hn", lang).await;
        let refused = post_comment(&mut web, &path, &format!("unknown-{lang}"), "Hỏi @nobody.here giúp").await;
        assert_shows(
            &refused,
            "the refused comment",
            &["id=\"comment-body-error\"", message, ">Hỏi @nobody.here giúp</textarea>", "Công ty Thiết bị Hà Thành"],
        );
    }
    assert_eq!(rep.get(&format!("/api/v1{path}/comments")).await.body["items"], json!([]), "nothing is written");
    system.stop().await;
}

#[tokio::test]
async fn a_file_uploaded_on_a_customer_page_downloads_back_through_the_web_app() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let dealer = rep.create_customer(customer("Công ty Thiết bị Hà Thành", "dealer", "HN")).await;
    let path = format!("/customers/{}", dealer["id"]);
    let mut web = WebSession::sign_in(&system, "sales.hn", "en").await;
    let csrf = web.csrf();
    assert_shows(&web.get(&path).await, "the empty blocks", &["No documents yet.", "No comments yet."]);

    let pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% hồ sơ năng lực\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let file = ("Hồ sơ năng lực.pdf", "application/pdf", pdf.as_bytes());
    let uploaded = web.post_multipart(&format!("{path}/files"), &[("csrf", &csrf)], "file", file).await;
    assert_redirect(&uploaded, &format!("{path}#files"));
    let file_id = rep.get(&format!("/api/v1{path}/files")).await.body[0]["id"].as_i64().unwrap();
    let href = format!("{path}/files/{file_id}");
    assert_shows(&web.get(&path).await, "the kept file", &["Hồ sơ năng lực.pdf", &href, "application/pdf", "sales.hn"]);
    let downloaded = web.get(&href).await;
    assert_eq!((downloaded.status, downloaded.content_type.as_str()), (StatusCode::OK, "application/pdf"));
    assert_eq!(downloaded.html.as_bytes(), pdf.as_bytes(), "the download is the very file uploaded");

    let text = ("notes.txt", "text/plain", "ghi chú".as_bytes());
    let refused = web.post_multipart(&format!("{path}/files"), &[("csrf", &csrf)], "file", text).await;
    assert_shows(&refused, "a file of another kind", &["id=\"file-error\"", "must be a PDF, JPEG or PNG file"]);
    let forged = web.post_multipart(&format!("{path}/files"), &[("csrf", "forged")], "file", file).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let stranger = WebSession::sign_in(&system, "sales.hcm", "en").await.get(&href).await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND, "another office's rep cannot download it");
    assert_eq!(rep.get(&format!("/api/v1{path}/files")).await.body.as_array().unwrap().len(), 1);
    system.stop().await;
}

#[tokio::test]
async fn the_demo_thread_waits_in_the_managers_notifications_and_a_second_load_adds_nothing() {
    let mut system = TestSystem::start().await;
    let (peers, key) = (system.system().peers().clone(), system.system().internal_key().clone());
    atq_launcher::demo::load(&peers, &key).await.unwrap();
    atq_launcher::demo::load(&peers, &key).await.unwrap();

    let manager = system.login("manager.hn").await;
    let notifications = manager.get("/api/v1/me/notifications").await.body;
    assert_eq!(notifications["unread_count"], 1, "{notifications}");
    let notice = &notifications["items"][0];
    assert_eq!((notice["author"].as_str(), notice["subject_kind"].as_str()), (Some("sales.hn"), Some("opportunity")));
    let thread = manager.get(&format!("/api/v1/opportunities/{}/comments", notice["subject_id"])).await.body;
    let authors: Vec<&str> =
        thread["items"].as_array().unwrap().iter().map(|c| c["author"].as_str().unwrap()).collect();
    assert_eq!(authors, ["sales.hn", "sales.hn", "manager.hn"]);

    let customers = manager.get("/api/v1/customers?q=Minh%20Ph%C3%A1t").await.body;
    let dealer =
        customers["items"].as_array().unwrap().iter().find(|c| c["name"] == "Công ty TNHH Thiết bị Khoa học Minh Phát");
    let dealer_id = dealer.unwrap()["id"].as_i64().unwrap();
    let comments = manager.get(&format!("/api/v1/customers/{dealer_id}/comments")).await.body;
    assert_eq!(comments["items"].as_array().unwrap().len(), 1);
    let files = manager.get(&format!("/api/v1/customers/{dealer_id}/files")).await.body;
    assert_eq!(files.as_array().unwrap().len(), 1, "{files}");
    let mut web = WebSession::sign_in(&system, "manager.hn", "vi").await;
    let page = web.get(&format!("/customers/{dealer_id}")).await;
    assert_shows(&page, "the dealer's page", &["Hồ sơ năng lực.pdf", "Đại lý xin bảng giá quý II"]);
    let pdf = web.get(&format!("/customers/{dealer_id}/files/{}", files[0]["id"])).await;
    assert_eq!(pdf.content_type, "application/pdf");
    assert!(pdf.html.starts_with("%PDF-1.4") && pdf.html.ends_with("%%EOF\n"));
    system.stop().await;
}
