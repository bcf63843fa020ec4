//! The web UI on the real system: every page for every role in both languages, sign-in and
//! sign-out, CSRF, inline field errors, search without diacritics, office scoping.

use atq_tests::TestSystem;
use atq_tests::web::WebSession;
use reqwest::StatusCode;
use serde_json::json;

/// Every page and what only some roles may open.
const STAFF: [&str; 8] =
    ["director", "admin", "sales.hn", "sales.hcm", "manager.hn", "import", "accountant", "warehouse"];

/// Pages every role opens (some answer 403 to some roles).
const PAGES: [&str; 7] = [
    "/",
    "/customers",
    "/customers?q=nguyen+van&group=individual",
    "/quotes",
    "/orders",
    "/dispatch-orders",
    "/invoices",
];

#[tokio::test]
async fn every_page_renders_for_every_role_in_both_languages() {
    let system = TestSystem::start().await;
    for (lang, sign_out) in [("vi", "Đăng xuất"), ("en", "Sign out")] {
        for username in STAFF {
            let mut web = WebSession::sign_in(&system, username, lang).await;
            for path in PAGES {
                let page = web.get(path).await;
                let refused = (path == "/invoices" && matches!(username, "import" | "warehouse"))
                    || (path == "/users" && username != "admin");
                if refused {
                    assert_eq!(page.status, StatusCode::FORBIDDEN, "{username} {path}");
                    continue;
                }
                assert_eq!(page.status, StatusCode::OK, "{username} {lang} {path}: {}", page.html);
                assert!(page.content_type.starts_with("text/html"), "{path}");
                assert!(page.html.contains(&format!("<html lang=\"{lang}\">")), "{username} {path}");
                assert!(page.html.contains(sign_out), "{username} {lang} {path}");
            }
        }
    }
    system.stop().await;
}

#[tokio::test]
async fn pages_ask_for_a_sign_in_and_come_back_after_it() {
    let system = TestSystem::start().await;
    let mut web = WebSession::anonymous(&system, "vi");
    let page = web.get("/customers?q=an").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/login?next=/customers%3Fq%3Dan"));
    let login = web.get("/login?next=/customers%3Fq%3Dan").await;
    assert!(login.html.contains("Tên đăng nhập") && login.html.contains("value=\"/customers?q=an\""));

    let wrong = web.post_form("/login", &[("username", "sales.hn"), ("password", "nope"), ("next", "/")]).await;
    assert_eq!(wrong.status, StatusCode::OK, "the form again, with the reason");
    assert!(wrong.html.contains("Sai tên đăng nhập hoặc mật khẩu"), "{}", wrong.html);

    let fields = [("username", "sales.hn"), ("password", "demo"), ("next", "/customers?q=an")];
    let (signed_in, cookies) = web.post_form_with_cookies("/login", &fields).await;
    assert_eq!(signed_in.location.as_deref(), Some("/customers?q=an"));
    let session = cookies.iter().find(|c| c.starts_with("atq_session=")).unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"), "{session}");

    // Another site's address is never where a sign-in leads.
    let elsewhere = [("username", "sales.hn"), ("password", "demo"), ("next", "//evil.example/x")];
    assert_eq!(web.post_form("/login", &elsewhere).await.location.as_deref(), Some("/"));
    system.stop().await;
}

#[tokio::test]
async fn forms_without_the_session_csrf_value_are_refused_and_change_nothing() {
    let system = TestSystem::start().await;
    let mut web = WebSession::sign_in(&system, "sales.hn", "vi").await;
    let fields = [("csrf", "forged"), ("name", "Công ty Giả Mạo"), ("group", "dealer"), ("office", "HN")];
    let forged = web.post_form("/customers", &fields).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let rep = system.login("sales.hn").await;
    let found = rep.get("/api/v1/customers?q=gia+mao").await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 0, "{}", found.body);

    assert_eq!(web.post_form("/logout", &[("csrf", "forged")]).await.status, StatusCode::FORBIDDEN);
    let csrf = web.csrf();
    let signed_out = web.post_form("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(signed_out.location.as_deref(), Some("/login"));
    assert_eq!(web.get("/customers").await.status, StatusCode::SEE_OTHER);
    system.stop().await;
}

#[tokio::test]
async fn a_wrong_phone_is_shown_beside_its_field_and_the_corrected_form_creates_one_customer() {
    let system = TestSystem::start().await;
    let mut web = WebSession::sign_in(&system, "sales.hn", "vi").await;
    let new_form = web.get("/customers/new").await;
    let key = attribute_after(&new_form.html, "name=\"idempotency_key\" value=\"");
    let csrf = web.csrf();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("name", "Nguyễn Văn Thử"),
        ("group", "individual"),
        ("phone", "12345"),
        ("address", "12 Láng Hạ, Hà Nội"),
        ("office", "HN"),
    ];
    let refused = web.post_form("/customers", &fields).await;
    // Shown again with its errors as a normal page: a browser logs no error for it.
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.html.contains("id=\"phone-error\">phải gồm 10 chữ số"), "{}", refused.html);
    assert!(refused.html.contains("value=\"Nguyễn Văn Thử\""), "what was typed is kept");
    assert!(refused.html.contains("aria-invalid=\"true\" aria-describedby=\"phone-error\""));

    fields[4] = ("phone", "0912 345 678");
    let created = web.post_form("/customers", &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let record = created.location.unwrap();
    // The same form sent again (a double click) creates nothing more.
    let again = web.post_form("/customers", &fields).await;
    assert_eq!(again.location.as_deref(), Some(record.as_str()));
    let page = web.get(&record).await;
    assert!(page.html.contains("Nguyễn Văn Thử") && page.html.contains("0912345678"), "{}", page.html);
    assert!(page.html.contains("Lịch sử thay đổi"));
    system.stop().await;
}

#[tokio::test]
async fn the_customer_list_is_searched_without_diacritics_and_kept_to_the_reps_office() {
    let system = TestSystem::start().await;
    let manager = system.login("director").await;
    manager
        .create_customer(json!({"name": "Nguyễn Văn Sài Gòn", "group": "individual", "phone": "0909000111",
        "address": "1 Lê Lợi, Quận 1", "office": "HCM"}))
        .await;
    manager
        .create_customer(json!({"name": "Nguyễn Văn Đức", "group": "individual", "phone": "0987654321",
        "address": "5 Kim Mã, Hà Nội", "office": "HN"}))
        .await;
    let mut hcm = WebSession::sign_in(&system, "sales.hcm", "vi").await;
    let page = hcm.get("/customers?q=nguyen+van").await;
    assert!(page.html.contains("Nguyễn Văn Sài Gòn"), "{}", page.html);
    assert!(!page.html.contains("Nguyễn Văn Đức"), "a Hà Nội customer is not in the HCM rep's list");
    let mut hn = WebSession::sign_in(&system, "sales.hn", "en").await;
    let page = hn.get("/customers?q=NGUYEN%20VAN").await;
    assert!(page.html.contains("Nguyễn Văn Đức") && !page.html.contains("Sài Gòn"), "{}", page.html);
    system.stop().await;
}

/// The value of an attribute that follows `prefix` in `html`.
fn attribute_after(html: &str, prefix: &str) -> String {
    let start = html.find(prefix).map(|i| i + prefix.len()).unwrap_or_else(|| panic!("{prefix} in {html}"));
    html[start..].split('"').next().unwrap_or_default().to_owned()
}
