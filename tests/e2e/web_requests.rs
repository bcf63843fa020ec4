//! The web UI's customer request screens on the real system: a request recorded from the form
//! lands in its department, moves status and takes a comment on its page, shows its SLA badges in
//! the list in both languages, and a refused form names the field; another office's rep cannot
//! open it.

use atq_tests::web::{Page, WebSession};
use atq_tests::{TestSystem, customer};
use reqwest::StatusCode;

fn assert_shows(page: &Page, what: &str, expected: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.html);
    for text in expected {
        assert!(page.html.contains(text), "{what} shows {text}: {}", page.html);
    }
}

/// Where a form's answer sends the browser.
fn redirected(page: &Page) -> String {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    page.location.clone().unwrap_or_default()
}

#[tokio::test]
async fn a_request_is_recorded_moved_and_commented_from_its_pages() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let client = rep.create_customer(customer("Công ty Xây dựng Sông Hồng", "project", "HN")).await;
    let customer_id = client["id"].to_string();
    let mut web = WebSession::sign_in(&system, "sales.hn", "vi").await;
    assert_shows(&web.get("/requests/new").await, "the form", &["Ghi nhận yêu cầu", "Công nợ", "Bảo hành"]);

    let csrf = web.csrf();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("idempotency_key", "web-request-1"),
        ("customer_id", &customer_id),
        ("channel", "phone"),
        ("kind", "debt"),
        ("subject", ""),
        ("priority", "normal"),
    ];
    let refused = web.post_form("/requests/new", &fields).await;
    assert_shows(&refused, "the refused form", &["không được để trống", "aria-invalid"]);
    fields[5] = ("subject", "Hỏi lại số dư công nợ tháng 3");
    let path = redirected(&web.post_form("/requests/new", &fields).await);
    assert!(path.starts_with("/requests/"), "{path}");
    assert_shows(&web.get(&path).await, "the request", &["Kế toán", "Công nợ", "Mới", "Phản hồi đầu tiên", "Còn"]);

    let csrf = web.csrf();
    let moved = web
        .post_form(
            &format!("{path}/status"),
            &[
                ("csrf", &csrf),
                ("idempotency_key", "web-status-1"),
                ("status", "in_progress"),
                ("note", "Đã gọi lại khách"),
            ],
        )
        .await;
    assert_eq!(redirected(&moved), path);
    let commented = web
        .post_form(
            &format!("{path}/comments"),
            &[("csrf", &csrf), ("idempotency_key", "web-comment-1"), ("body", "Đã gửi bảng đối chiếu qua email")],
        )
        .await;
    assert_eq!(redirected(&commented), path);
    let page = web.get(&path).await;
    assert_shows(
        &page,
        "the timeline",
        &["Đang xử lý", "Đã gọi lại khách", "Đã gửi bảng đối chiếu qua email", "Đúng hạn"],
    );
    let wrong = web
        .post_form(
            &format!("{path}/status"),
            &[("csrf", &csrf), ("idempotency_key", "web-status-2"), ("status", "closed")],
        )
        .await;
    assert_shows(&wrong, "a transition not allowed", &["không thể chuyển sang Đã đóng"]);

    assert_shows(
        &web.get("/requests?department=accounting").await,
        "the list",
        &["Hỏi lại số dư công nợ tháng 3", "badge"],
    );
    let mut english = WebSession::sign_in(&system, "sales.hn", "en").await;
    assert_shows(&english.get(&path).await, "in English", &["Accounting", "In progress", "Timeline"]);
    let mut other = WebSession::sign_in(&system, "sales.hcm", "vi").await;
    assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
    system.stop().await;
}

/// The SLA form of one row: the first-response minutes typed, a resolution of ten hours.
fn target_form<'a>(first_response: &'a str, csrf: &'a str) -> [(&'a str, &'a str); 4] {
    [("first_response_minutes", first_response), ("resolution_minutes", "600"), ("version", "1"), ("csrf", csrf)]
}

#[tokio::test]
async fn a_director_changes_an_sla_target_on_its_page_and_a_bad_value_is_refused_beside_the_field() {
    let system = TestSystem::start().await;
    let mut web = WebSession::sign_in(&system, "director", "vi").await;
    assert_shows(&web.get("/requests").await, "the link", &["href=\"/requests/sla-targets\""]);
    let page = web.get("/requests/sla-targets").await;
    assert_shows(
        &page,
        "the targets",
        &["Thời hạn SLA", "Công nợ", "Khẩn cấp", "id=\"first-debt-high\"", "value=\"120\""],
    );

    let csrf = web.csrf();
    let action = "/requests/sla-targets/debt/high";
    let refused = web.post_form(action, &target_form("0", &csrf)).await;
    assert_shows(
        &refused,
        "the refused row",
        &["aria-describedby=\"first-debt-high-error\"", "phải từ 1 đến 28800 phút làm việc", "value=\"0\""],
    );
    let typo = web.post_form(action, &target_form("một giờ", &csrf)).await;
    assert_shows(&typo, "a word for a number", &["phải là số phút nguyên"]);
    let good = web.post_form(action, &target_form("90", &csrf)).await;
    assert_eq!(redirected(&good), "/requests/sla-targets#debt-high");
    let saved = web.get("/requests/sla-targets").await;
    assert_shows(&saved, "the saved row", &["value=\"90\"", "1h30 / 10h00", "director"]);

    let mut english = WebSession::sign_in(&system, "admin", "en").await;
    // The administrator has no requests section; the targets are in its menu beside the users.
    let menu_entry = "<li><a href=\"/requests/sla-targets\"";
    assert_shows(&english.get("/users").await, "the admin's menu", &[menu_entry, "<li><a href=\"/users\""]);
    assert_shows(
        &english.get("/requests/sla-targets").await,
        "in English",
        &[
            "SLA targets",
            "First response (minutes)",
            "Save",
            "<li><a href=\"/requests/sla-targets\" aria-current=\"page\">SLA targets",
        ],
    );
    let vietnamese = WebSession::sign_in(&system, "admin", "vi").await.get("/users").await;
    assert_shows(
        &vietnamese,
        "the admin's menu in Vietnamese",
        &["<li><a href=\"/requests/sla-targets\">Thời hạn SLA</a>"],
    );
    let mut rep = WebSession::sign_in(&system, "sales.hn", "en").await;
    let read_only = rep.get("/requests/sla-targets").await;
    assert!(!read_only.html.contains(menu_entry), "only the administrator has the menu entry");
    assert_shows(&read_only, "read only", &["Debt"]);
    assert!(!read_only.html.contains("<form id=\"form-debt-high\""), "a rep cannot change them");
    let csrf = rep.csrf();
    let forbidden =
        rep.post_form(action, &[("csrf", &csrf), ("first_response_minutes", "1"), ("resolution_minutes", "1")]).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    system.stop().await;
}

#[tokio::test]
async fn a_file_attached_on_a_request_page_is_listed_on_its_timeline_and_downloads_back() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let client = rep.create_customer(customer("Công ty Nước sạch Hà Đông", "project", "HN")).await;
    let request = rep
        .post(
            "/api/v1/requests",
            serde_json::json!({"customer_id": client["id"], "channel": "visit", "kind": "warranty",
                "subject": "Máy đo độ đục không lên nguồn"}),
        )
        .await
        .body;
    let path = format!("/requests/{}", request["id"]);
    let mut web = WebSession::sign_in(&system, "sales.hn", "vi").await;
    assert_shows(&web.get(&path).await, "no files yet", &["Chưa có tệp nào.", "id=\"request-file-form\""]);
    let csrf = web.csrf();
    let photo: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00 may do do duc";
    let uploaded = web
        .post_multipart(
            &format!("{path}/files"),
            &[("csrf", &csrf)],
            "file",
            ("Ảnh tem bảo hành.jpg", "image/jpeg", photo),
        )
        .await;
    assert_eq!(redirected(&uploaded), format!("{path}#files"));
    let file_id = rep.get(&format!("/api/v1{path}/files")).await.body[0]["id"].as_i64().unwrap();
    let href = format!("{path}/files/{file_id}");
    assert_shows(
        &web.get(&path).await,
        "the kept file",
        &["Ảnh tem bảo hành.jpg", &href, "Tệp đính kèm", "image/jpeg"],
    );
    let downloaded = web.get(&href).await;
    assert_eq!((downloaded.status, downloaded.content_type.as_str()), (StatusCode::OK, "image/jpeg"));

    let text = ("ghi-chu.txt", "text/plain", "ghi chú".as_bytes());
    let refused = web.post_multipart(&format!("{path}/files"), &[("csrf", &csrf)], "file", text).await;
    assert_shows(&refused, "a file of another kind", &["id=\"file-error\"", "PDF"]);
    let stranger = WebSession::sign_in(&system, "sales.hcm", "vi").await.get(&href).await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND, "another office's rep cannot download it");
    system.stop().await;
}
