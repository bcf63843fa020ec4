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
