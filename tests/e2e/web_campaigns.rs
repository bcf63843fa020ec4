//! The care campaign screens on the real system: a sales manager plans a Teachers' Day campaign
//! through the form (refused fields shown beside them), adds a segment's customers, moves a member
//! forward, and reads the 30 days' results; the pages read in both languages and are not the
//! warehouse's.

use atq_tests::dates::{plus, today};
use atq_tests::web::{Page, WebSession};
use atq_tests::{Session, TestSystem, customer, seed_products};
use chrono::Days;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn assert_shows(page: &Page, what: &str, expected: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.html);
    for text in expected {
        assert!(page.html.contains(text), "{what} shows {text}: {}", page.html);
    }
}

fn redirected_to(page: &Page) -> String {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    page.location.clone().unwrap_or_default()
}

/// A confirmed order of one line for `customer`, net `unit_price`.
async fn confirmed_order(rep: &Session, customer: &Value, product: i64, unit_price: i64) {
    let line = json!({"product_id": product, "quantity": 1, "unit_price": unit_price});
    let created = rep.post("/api/v1/orders", json!({"customer_id": customer["id"], "lines": [line]})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let confirmed = rep.post(&format!("/api/v1/orders/{}/confirm", created.body["id"]), json!({})).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
}

/// Plans the campaign through the form: first with no name and its end before its start, then
/// corrected; answers the campaign's page path.
async fn plan_through_the_form(manager: &mut WebSession) -> String {
    let csrf = manager.csrf();
    let form = manager.get("/campaigns/new").await;
    assert_shows(&form, "the form", &["name=\"offices\" value=\"HN\" checked", "Ngày Nhà giáo Việt Nam (20/11)"]);
    let starts_on = (today() - Days::new(2)).to_string();
    let ends_on = plus(10);
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("idempotency_key", "web-campaign-1"),
        ("name", ""),
        ("kind", "holiday_gift"),
        ("occasion", "teachers_20_11"),
        ("offices", "HN"),
        ("starts_on", ends_on.as_str()),
        ("ends_on", starts_on.as_str()),
        ("cost", "5.000.000"),
    ];
    let refused = manager.post_form("/campaigns", &fields).await;
    assert_shows(&refused, "a refused campaign", &["id=\"name-error\"", "id=\"ends_on-error\"", "không được để trống"]);
    fields[1] = ("idempotency_key", "web-campaign-2");
    fields[2] = ("name", "Quà 20/11 cho các trường");
    fields[6] = ("starts_on", starts_on.as_str());
    fields[7] = ("ends_on", ends_on.as_str());
    redirected_to(&manager.post_form("/campaigns", &fields).await)
}

#[tokio::test]
async fn a_campaign_is_planned_filled_from_a_segment_and_its_results_shown() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let rep = system.login("sales.hn").await;
    let school = rep.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    rep.create_customer(customer("Trường Đại học Bách khoa Hà Nội", "project", "HN")).await;
    rep.create_customer(customer("Đại lý Thiết bị Cầu Giấy", "dealer", "HN")).await;

    let mut manager = WebSession::sign_in(&system, "manager.hn", "vi").await;
    let path = plan_through_the_form(&mut manager).await;
    let csrf = manager.csrf();
    let planned = manager.get(&path).await;
    assert_shows(&planned, "the new campaign", &["Quà 20/11 cho các trường", "Đã lên kế hoạch", "5.000.000 ₫"]);

    let segment = [("csrf", csrf.as_str()), ("group", "project"), ("office", "HN")];
    let after_segment = redirected_to(&manager.post_form(&format!("{path}/segment"), &segment).await);
    let filled = manager.get(&after_segment).await;
    assert_shows(&filled, "the members", &["Khách hàng phù hợp: 2 · thành viên mới: 2", "Chu Văn An", "Bách khoa"]);
    assert!(!filled.html.contains("Cầu Giấy"), "a dealer is not in a project segment");

    let member = format!("{path}/members/{}", school["id"]);
    let gift = [("csrf", csrf.as_str()), ("status", "gift_sent")];
    assert_eq!(redirected_to(&manager.post_form(&member, &gift).await), path);
    let back = [("csrf", csrf.as_str()), ("status", "contacted")];
    let refused = manager.post_form(&member, &back).await;
    assert_shows(&refused, "a step back", &["id=\"action-error\""]);

    confirmed_order(&rep, &school, products.filter_press, 30_000_000).await;
    let results = manager.get(&path).await;
    assert_shows(
        &results,
        "the results",
        &["Đã gửi quà", "id=\"result-revenue\">30.000.000 ₫", "id=\"result-roi\">500,00 %", "Doanh thu thuần"],
    );
    let list = manager.get("/campaigns").await;
    assert_shows(&list, "the list", &["Quà 20/11 cho các trường", "Đã lên kế hoạch", "aria-current=\"page\">Chăm sóc"]);

    let mut director = WebSession::sign_in(&system, "director", "en").await;
    let in_english = director.get(&path).await;
    assert_shows(&in_english, "the page in English", &["Holiday gift", "Gift sent", "id=\"result-roi\">500.00%"]);
    assert_shows(&director.get("/campaigns").await, "the list in English", &["Customer care", "Planned"]);
    system.stop().await;
}

#[tokio::test]
async fn the_warehouse_has_no_campaign_pages() {
    let system = TestSystem::start().await;
    let manager = system.login("manager.hn").await;
    let body = json!({"name": "Gọi hỏi thăm", "kind": "satisfaction_call", "offices": ["HN"],
        "starts_on": plus(0), "ends_on": plus(0), "cost": 0});
    let created = manager.post("/api/v1/campaigns", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let mut keeper = WebSession::sign_in(&system, "warehouse", "vi").await;
    for path in ["/campaigns".to_owned(), "/campaigns/new".to_owned(), format!("/campaigns/{}", created.body["id"])] {
        assert_eq!(keeper.get(&path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let home = keeper.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(!home.html.contains("href=\"/campaigns\""), "the warehouse's menu has no campaigns");
    let csrf = keeper.csrf();
    let segment = keeper.post_form(&format!("/campaigns/{}/segment", created.body["id"]), &[("csrf", &csrf)]).await;
    assert_eq!(segment.status, StatusCode::FORBIDDEN);
    system.stop().await;
}
