//! Care campaigns over a segment of customers, their members' progress and results, and the care
//! reminders planned as activities.

use atq_platform::business_time::start_of_local_day;
use atq_tests::dates::{plus, today};
use atq_tests::{Session, TestSystem, customer, seed_products};
use chrono::Days;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A confirmed order of one line, net `unit_price` × `quantity`.
async fn confirmed_order(rep: &Session, customer: &Value, product: i64, quantity: i64, unit_price: i64) -> Value {
    let line = json!({"product_id": product, "quantity": quantity, "unit_price": unit_price});
    let created = rep.post("/api/v1/orders", json!({"customer_id": customer["id"], "lines": [line]})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let confirmed = rep.post(&format!("/api/v1/orders/{}/confirm", created.body["id"]), json!({})).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    confirmed.body
}

fn teachers_day_campaign() -> Value {
    let starts_on = (today() - Days::new(2)).to_string();
    json!({"name": "Quà 20/11 cho các trường", "kind": "holiday_gift", "occasion": "teachers_20_11",
        "offices": ["HN"], "starts_on": starts_on, "ends_on": plus(10), "cost": 5_000_000})
}

async fn set_status(by: &Session, campaign: &str, customer: &Value, status: &str) -> atq_tests::Reply {
    by.post(&format!("{campaign}/members/{}/status", customer["id"]), json!({"status": status})).await
}

#[tokio::test]
async fn a_teachers_day_campaign_over_a_segment_gives_its_revenue_and_roi() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, manager, hcm) =
        (system.login("sales.hn").await, system.login("manager.hn").await, system.login("sales.hcm").await);
    let school = rep.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    let university = rep.create_customer(customer("Trường Đại học Bách khoa Hà Nội", "project", "HN")).await;
    let dealer = rep.create_customer(customer("Đại lý Thiết bị Cầu Giấy", "dealer", "HN")).await;
    hcm.create_customer(customer("Trường THPT Lê Hồng Phong", "project", "HCM")).await;

    let key = [("Idempotency-Key", "campaign-20-11")];
    let created = manager.send(Method::POST, "/api/v1/campaigns", Some(teachers_day_campaign()), &key).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let again = manager.send(Method::POST, "/api/v1/campaigns", Some(teachers_day_campaign()), &key).await;
    assert_eq!(again.body["id"], created.body["id"], "the same key makes one campaign");
    let campaign = created.header("location").unwrap().to_owned();
    assert_eq!((created.body["status"].as_str(), created.body["offices"].clone()), (Some("planned"), json!(["HN"])));

    let segment = json!({"group": "project", "office": "HN"});
    let added = manager.post(&format!("{campaign}/members/from-segment"), segment.clone()).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert_eq!(added.body, json!({"matched": 2, "added": 2, "member_count": 2}));
    let twice = manager.post(&format!("{campaign}/members/from-segment"), segment).await;
    assert_eq!(twice.body, json!({"matched": 2, "added": 0, "member_count": 2}), "nobody is added twice");

    for status in ["contacted", "gift_sent"] {
        let moved = set_status(&rep, &campaign, &school, status).await;
        assert_eq!((moved.status, moved.body["status"].as_str()), (StatusCode::OK, Some(status)), "{}", moved.body);
    }
    assert_eq!(set_status(&rep, &campaign, &university, "contacted").await.status, StatusCode::OK);
    assert_eq!(set_status(&rep, &campaign, &school, "contacted").await.status, StatusCode::CONFLICT);
    assert_eq!(set_status(&rep, &campaign, &dealer, "contacted").await.status, StatusCode::NOT_FOUND);

    // In the window: the school's order. Not counted: a non-member's order, and the university's
    // order confirmed on the first day after the 30-day window.
    confirmed_order(&rep, &school, products.filter_press, 2, 15_000_000).await;
    confirmed_order(&rep, &dealer, products.filter_press, 1, 10_000_000).await;
    let late = confirmed_order(&rep, &university, products.filter_press, 1, 20_000_000).await;
    let sales_db = atq_platform::Db::connect(system.database_url("sales")).await.unwrap();
    sqlx::query("UPDATE orders SET confirmed_at = $1 WHERE id = $2")
        .bind(start_of_local_day(today() - Days::new(2) + Days::new(30)))
        .bind(late["id"].as_i64().unwrap())
        .execute(sales_db.pool())
        .await
        .unwrap();
    sales_db.close().await;

    let results = manager.get(&format!("{campaign}/results?days=30")).await;
    assert_eq!(results.status, StatusCode::OK, "{}", results.body);
    let r = &results.body;
    assert_eq!(
        (r["revenue"].as_i64(), r["cost"].as_i64(), r["order_count"].as_i64()),
        (Some(30_000_000), Some(5_000_000), Some(1))
    );
    assert_eq!((r["buying_members"].as_i64(), r["member_count"].as_i64()), (Some(1), Some(2)));
    assert_eq!(r["gross_profit"], Value::Null, "the sales service holds no cost of goods");
    assert_eq!((r["roi_bp"].as_i64(), r["roi_method"].as_str()), (Some(50_000), Some("net_revenue")));
    assert_eq!(r["window_to"].as_str(), Some((today() - Days::new(2) + Days::new(29)).to_string().as_str()));
    let statuses: Vec<(String, i64)> = r["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["status"].as_str().unwrap().to_owned(), s["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(statuses[1..3], [("contacted".to_owned(), 1), ("gift_sent".to_owned(), 1)]);
    let wider = manager.get(&format!("{campaign}/results?days=31")).await;
    assert_eq!(wider.body["revenue"].as_i64(), Some(50_000_000), "a day more takes the late order in");

    // Another office's salesperson sees none of it.
    for path in [campaign.clone(), format!("{campaign}/members"), format!("{campaign}/results")] {
        assert_eq!(hcm.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let segment = hcm.post(&format!("{campaign}/members/from-segment"), json!({})).await;
    assert_eq!(segment.status, StatusCode::NOT_FOUND);
    assert_eq!(hcm.get("/api/v1/campaigns").await.body["items"], json!([]));
    assert_eq!(rep.get(&format!("{campaign}/members")).await.body["items"].as_array().unwrap().len(), 2);

    let running = manager.patch(&campaign, json!({"status": "running"}), "\"1\"").await;
    assert_eq!(
        (running.status, running.body["status"].as_str()),
        (StatusCode::OK, Some("running")),
        "{}",
        running.body
    );
    let back = manager.patch(&campaign, json!({"status": "planned"}), "\"2\"").await;
    assert_eq!(back.status, StatusCode::CONFLICT, "{}", back.body);
    system.stop().await;
}

/// Asks for the answers in Vietnamese (the harness asks for English by default).
const VIETNAMESE: [(&str, &str); 1] = [("Accept-Language", "vi")];

/// Every field message of a refusal asked for in Vietnamese is translated.
fn in_vietnamese(reply: &atq_tests::Reply) {
    for error in reply.body["errors"].as_array().unwrap() {
        let message = error["message"].as_str().unwrap();
        assert!(!message.starts_with("must") && !message.contains(" only "), "untranslated: {message}");
    }
}

#[tokio::test]
async fn bad_campaign_input_is_refused_by_field() {
    let system = TestSystem::start().await;
    let manager = system.login("manager.hn").await;
    let bad = json!({"name": "Khuyến mãi", "kind": "gift", "offices": [], "starts_on": "2026-11-20",
        "ends_on": "2026-11-10", "cost": 1_000_000_000_000_001_i64});
    let refused = manager.send(Method::POST, "/api/v1/campaigns", Some(bad), &VIETNAMESE).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.error_fields(), ["kind", "offices", "ends_on", "cost"]);
    in_vietnamese(&refused);
    let gift = json!({"name": "Quà Tết", "kind": "holiday_gift", "occasion": "christmas", "offices": ["HN"],
        "starts_on": "2027-01-20", "ends_on": "2027-02-05", "cost": 0});
    assert_eq!(manager.post("/api/v1/campaigns", gift).await.error_fields(), ["occasion"]);
    let call = json!({"name": "Gọi hỏi thăm", "kind": "satisfaction_call", "offices": ["HN"],
        "starts_on": plus(0), "ends_on": plus(0), "cost": 0});
    let created = manager.post("/api/v1/campaigns", call).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let campaign = created.header("location").unwrap().to_owned();
    let bad_segment = json!({"group": "shop", "birthday_month": 13, "last_purchase_before": "20/11/2026",
        "office": "HCM"});
    let segment_path = format!("{campaign}/members/from-segment");
    let segment = manager.send(Method::POST, &segment_path, Some(bad_segment), &VIETNAMESE).await;
    assert_eq!(segment.status, StatusCode::BAD_REQUEST, "{}", segment.body);
    assert_eq!(segment.error_fields(), ["group", "office", "last_purchase_before", "birthday_month"]);
    in_vietnamese(&segment);
    assert_eq!(manager.get(&format!("{campaign}/results?days=0")).await.error_fields(), ["days"]);
    let reminders = manager.post("/api/v1/campaigns/reminders/run?date=2026-13-01", json!({})).await;
    assert_eq!(reminders.error_fields(), ["date"]);
    system.stop().await;
}

/// Delivers one unit to a new HN customer of sales.hn through the real dispatch flow.
async fn delivered_customer(system: &TestSystem, rep: &Session) -> Value {
    let products = seed_products(system).await;
    let keeper = system.login("warehouse").await;
    let receipt = keeper
        .post(
            "/api/v1/stock/receipts",
            json!({"warehouse": "HN", "kind": "opening",
            "lines": [{"product_id": products.filter_press, "quantity": 1, "unit_cost": 100_000}]}),
        )
        .await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    let lab = rep.create_customer(customer("Phòng thí nghiệm Hóa Hoàn Kiếm", "individual", "HN")).await;
    let order = confirmed_order(rep, &lab, products.filter_press, 1, 12_000_000).await;
    let dispatch = rep.post(&format!("/api/v1/orders/{}/dispatch-orders", order["id"]), json!({})).await;
    assert_eq!(dispatch.status, StatusCode::CREATED, "{}", dispatch.body);
    let path = dispatch.header("location").unwrap().to_owned();
    let director = system.login("director").await;
    assert_eq!(director.post(&format!("{path}/approve"), json!({})).await.body["status"], "approved");
    assert_eq!(keeper.post(&format!("{path}/ship"), json!({})).await.body["status"], "shipped");
    assert_eq!(keeper.post(&format!("{path}/deliver"), json!({})).await.body["status"], "delivered");
    lab
}

#[tokio::test]
async fn reminders_plan_one_follow_up_a_week_after_delivery_and_birthday_calls() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let lab = delivered_customer(&system, &rep).await;
    let week_later = today() + Days::new(7);
    let birthday = format!("1980-{}", week_later.format("%m-%d"));
    let contact = rep
        .post(
            &format!("/api/v1/customers/{}/contacts", lab["id"]),
            json!({"name": "Trần Văn Minh",
            "position": "Trưởng phòng", "phone": "0912 000 222", "birthday": birthday}),
        )
        .await;
    assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.body);

    let run = |by: Session, date: String| async move {
        let reply = by.post(&format!("/api/v1/campaigns/reminders/run?date={date}"), json!({})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body
    };
    let first = run(system.login("sales.hn").await, week_later.to_string()).await;
    assert_eq!(first["created"], 2, "{first}");
    let reasons: Vec<_> = first["reminders"].as_array().unwrap().iter().map(|r| r["reason"].clone()).collect();
    assert_eq!(reasons, [json!("follow_up"), json!("birthday")]);
    assert_eq!(first["reminders"][1]["contact_id"], contact.body["id"]);
    assert!(first["skipped"][0].as_str().unwrap().starts_with("warranty_expiring"));
    let second = run(system.login("sales.hn").await, week_later.to_string()).await;
    assert_eq!(second["created"], 0, "a date's run twice plans nothing twice");
    assert_eq!(second["reminders"][0]["activity_id"], first["reminders"][0]["activity_id"]);
    // The day before, nothing is due; another office's run does not see this customer.
    assert_eq!(run(system.login("sales.hn").await, plus(6)).await["reminders"], json!([]));
    assert_eq!(run(system.login("sales.hcm").await, week_later.to_string()).await["reminders"], json!([]));

    let activities = rep.get(&format!("/api/v1/activities?owner=sales.hn&customer_id={}", lab["id"])).await;
    let calls: Vec<_> = activities.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "call" && a["subject"].as_str().unwrap().starts_with("Follow-up call"))
        .collect();
    assert_eq!(calls.len(), 1, "{}", activities.body);
    assert_eq!(calls[0]["status"], "planned");
    system.stop().await;
}
