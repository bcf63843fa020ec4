//! The web UI's account screens: an administrator adds a member of staff, who signs in with the
//! temporary password and is taken to change it before anything else; the language they pick is
//! kept with their account.

use atq_tests::TestSystem;
use atq_tests::web::WebSession;
use reqwest::StatusCode;

fn text_of(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = html.find(&marker).map(|i| i + marker.len()).unwrap_or_else(|| panic!("#{id} in {html}"));
    html[start..].split('<').next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn an_added_user_changes_the_temporary_password_first_and_keeps_their_language() {
    let system = TestSystem::start().await;
    let mut admin = WebSession::sign_in(&system, "admin", "vi").await;
    assert!(admin.get("/").await.html.contains("href=\"/users\""), "the admin's menu has the users");
    let csrf = admin.csrf();
    let refused = admin
        .post_form(
            "/users",
            &[("csrf", &csrf), ("username", "kế toán"), ("display_name", "Lý Thị Hoa"), ("role", "accountant")],
        )
        .await;
    assert!(refused.html.contains("id=\"username-error\">gồm 2 đến 64 chữ cái"), "{}", refused.html);
    let fields = [
        ("csrf", csrf.as_str()),
        ("username", "ly.hoa"),
        ("display_name", "Lý Thị Hoa"),
        ("role", "accountant"),
        ("office", "HCM"),
    ];
    let added = admin.post_form("/users", &fields).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.html);
    let temporary = text_of(&added.html, "temporary-password");
    assert_eq!(temporary.len(), 14);

    let mut hoa = WebSession::anonymous(&system, "vi");
    let signed_in =
        hoa.post_form("/login", &[("username", "ly.hoa"), ("password", &temporary), ("next", "/invoices")]).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.html);
    let elsewhere = hoa.get("/invoices").await;
    assert_eq!(elsewhere.location.as_deref(), Some("/password"), "nothing but the password change first");
    let form = hoa.get("/password").await;
    assert!(form.html.contains("mật khẩu tạm thời"), "{}", form.html);
    let csrf = hoa.csrf();
    let mismatch = [
        ("csrf", csrf.as_str()),
        ("current_password", &temporary),
        ("new_password", "Hoa sen trắng 1975"),
        ("confirm_password", "x"),
    ];
    assert!(
        hoa.post_form("/password", &mismatch)
            .await
            .html
            .contains("id=\"confirm_password-error\">phải giống mật khẩu mới")
    );
    let weak = [
        ("csrf", csrf.as_str()),
        ("current_password", &temporary),
        ("new_password", "12345678"),
        ("confirm_password", "12345678"),
    ];
    assert!(
        hoa.post_form("/password", &weak).await.html.contains("id=\"new_password-error\">phải có ít nhất 10 ký tự")
    );
    let good = [
        ("csrf", csrf.as_str()),
        ("current_password", &temporary),
        ("new_password", "Hoa sen trắng 1975"),
        ("confirm_password", "Hoa sen trắng 1975"),
    ];
    let changed = hoa.post_form("/password", &good).await;
    assert_eq!(changed.location.as_deref(), Some("/"), "{}", changed.html);
    assert_eq!(hoa.get("/invoices").await.status, StatusCode::OK);

    // English, chosen once, follows the person to another browser.
    hoa.post_form("/language", &[("lang", "en"), ("next", "/")]).await;
    let mut elsewhere = WebSession::anonymous(&system, "vi");
    elsewhere.post_form("/login", &[("username", "ly.hoa"), ("password", "Hoa sen trắng 1975"), ("next", "/")]).await;
    assert_eq!(elsewhere.cookie("atq_lang"), Some("en"));
    assert!(elsewhere.get("/").await.html.contains("Sign out"));

    let history = admin.get("/users").await;
    assert!(history.html.contains("ly.hoa"), "{}", history.html);
    system.stop().await;
}
