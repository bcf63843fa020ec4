//! The directors' dashboard on the real system: each key figure against documents made in the
//! test, a sales manager's office only, the roles that may read it, a stopped service leaving
//! only its own section unavailable, and the page in both languages.

use atq_tests::shipping::{ship_everything, stock_and_customer};
use atq_tests::web::WebSession;
use atq_tests::{Session, TestSystem, customer, dates, eventually, seed_products};
use chrono::{Datelike, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const HN_TARGET: i64 = 2_000_000_000;
const HCM_TARGET: i64 = 1_000_000_000;

fn this_month() -> String {
    let today = dates::today();
    format!("{}-{:02}", today.year(), today.month())
}

async fn dashboard(session: &Session) -> Value {
    let reply = session.get("/api/v1/dashboard").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

async fn receive(keeper: &Session, warehouse: &str, product: i64, quantity: i64) {
    let body = json!({"warehouse": warehouse, "kind": "opening",
        "lines": [{"product_id": product, "quantity": quantity, "unit_cost": 100_000}]});
    let receipt = keeper.post("/api/v1/stock/receipts", body).await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
}

/// An order confirmed today with a dispatch order requested for all of it: its net amount.
async fn confirmed_and_requested(rep: &Session, customer_id: &Value, product: i64, quantity: i64) -> i64 {
    let lines = json!([{"product_id": product, "quantity": quantity}]);
    let order = rep.post("/api/v1/orders", json!({"customer_id": customer_id, "lines": lines})).await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let path = order.header("location").unwrap().to_owned();
    let confirmed = rep.post(&format!("{path}/confirm"), json!({})).await;
    assert_eq!(confirmed.body["status"], "confirmed", "{}", confirmed.body);
    let dispatch = rep.post(&format!("{path}/dispatch-orders"), json!({})).await;
    assert_eq!(dispatch.status, StatusCode::CREATED, "{}", dispatch.body);
    confirmed.body["total_net"].as_i64().unwrap()
}

async fn set_revenue_target(director: &Session, office: &str, target: i64) {
    let body = json!({"period": this_month(), "scope": "office", "owner": "", "office": office,
        "metric": "revenue", "category": "", "target": target});
    let reply = director.send(Method::PUT, "/api/v1/targets", Some(body), &[]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

/// An import plan whose only milestone, 100 presses in five days, cannot be met.
async fn late_plan(rep: &Session, source_ref: &str, office: &str, press: i64) {
    let body = json!({"source_ref": source_ref, "customer_name": "Dự án phòng thí nghiệm", "office": office,
        "lines": [{"line_no": 1, "product_id": press, "milestones": [{"needed_by": dates::plus(5), "quantity": 100}]}]});
    let plan = rep.post("/api/v1/import-plans", body).await;
    assert_eq!((plan.status, plan.body["status"].as_str()), (StatusCode::OK, Some("late")), "{}", plan.body);
}

/// A customer request received `days_ago` days ago (past its SLA for any number above a few).
async fn request(rep: &Session, customer_id: &Value, days_ago: i64) -> Value {
    let received = (Utc::now() - Duration::days(days_ago)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let body = json!({"customer_id": customer_id, "channel": "phone", "kind": "quality", "priority": "high",
        "subject": "Máy đo báo sai", "received_at": received});
    let created = rep.post("/api/v1/requests", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body
}

/// What the documents below add up to: (company net, HN net).
struct Made {
    company_net: i64,
    hanoi_net: i64,
}

/// In HN: an order shipped and invoiced, another with its dispatch requested, a late import plan,
/// two requests past their SLA (one since resolved) and one within it, a warranty case opened.
/// In HCM: an order with its dispatch requested, a late import plan, a request past its SLA.
async fn documents(system: &TestSystem) -> Made {
    let products = seed_products(system).await;
    let (rep, school) = stock_and_customer(system, &products).await;
    let invoice = ship_everything(system, &products, &rep, &school["id"]).await;
    let keeper = system.login("warehouse").await;
    receive(&keeper, "HN", products.filter_press, 5).await;
    receive(&keeper, "HCM", products.filter_press, 5).await;
    let hanoi_second = confirmed_and_requested(&rep, &school["id"], products.filter_press, 2).await;
    let saigon = system.login("sales.hcm").await;
    let dealer = saigon.create_customer(customer("Công ty Thiết bị Sài Gòn", "dealer", "HCM")).await;
    let saigon_net = confirmed_and_requested(&saigon, &dealer["id"], products.filter_press, 1).await;
    late_plan(&rep, "HD-2026-0701", "HN", products.filter_press).await;
    late_plan(&saigon, "HD-2026-0702", "HCM", products.filter_press).await;

    request(&rep, &school["id"], 20).await;
    let resolved = request(&rep, &school["id"], 20).await;
    let moved = rep.post(&format!("/api/v1/requests/{}/status", resolved["id"]), json!({"status": "resolved"})).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    request(&rep, &school["id"], 0).await;
    request(&saigon, &dealer["id"], 20).await;

    let officer = system.login("import").await;
    let case = json!({"serial": "FN-001", "complaint": "Máy không lên nguồn"});
    let opened =
        officer.send(Method::POST, "/api/v1/warranty-cases", Some(case), &[("Idempotency-Key", "dash-w1")]).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);

    let hanoi_net = invoice["total_net"].as_i64().unwrap() + hanoi_second;
    Made { company_net: hanoi_net + saigon_net, hanoi_net }
}

fn achievement_bp(net: i64, target: i64) -> i64 {
    (net * 10_000 + target / 2) / target
}

#[tokio::test]
async fn the_figures_match_the_documents_and_a_sales_manager_sees_their_office() {
    let system = TestSystem::start().await;
    let made = documents(&system).await;
    let director = system.login("director").await;
    set_revenue_target(&director, "HN", HN_TARGET).await;
    set_revenue_target(&director, "HCM", HCM_TARGET).await;
    eventually("analytics has every order", || async {
        dashboard(&director).await["revenue"]["figures"]["month_to_date"]["net"] == made.company_net
    })
    .await;

    let all = dashboard(&director).await;
    assert_eq!(all["office"], Value::Null);
    let revenue = &all["revenue"]["figures"];
    assert_eq!(revenue["month"], this_month());
    assert_eq!(revenue["month_to_date"]["orders"], 3, "{revenue}");
    assert_eq!(revenue["target"], HN_TARGET + HCM_TARGET);
    assert_eq!(revenue["achievement_bp"], achievement_bp(made.company_net, HN_TARGET + HCM_TARGET));
    assert_eq!(revenue["same_days_last_month"]["net"], 0, "nothing was sold before the test");
    assert_eq!((revenue["change"].as_i64(), &revenue["change_bp"]), (Some(made.company_net), &Value::Null));
    assert_eq!(all["revenue"]["page"], format!("/reports?from={0}&to={0}", this_month()));
    assert_eq!(all["dispatch_awaiting"]["figures"], json!({"count": 2, "capped": false}));
    assert_eq!(all["dispatch_awaiting"]["api"], "/api/v1/dispatch-orders?status=requested");
    // The invoice is due in 30 days (the default terms) and the clock cannot be moved: nothing is
    // overdue yet, and the figure must say so rather than count the open invoice.
    assert_eq!(all["overdue_receivables"]["figures"], json!({"amount": 0, "customers": 0}));
    assert_eq!(all["late_imports"]["figures"], json!({"plans": 2, "capped": false}));
    assert_eq!(all["requests_past_sla"]["figures"], json!({"count": 2, "capped": false}), "open and breached only");
    assert_eq!(all["warranty_open"]["figures"]["count"], 1);
    assert_eq!(all["warranty_open"]["figures"]["by_status"][0], json!({"status": "open", "count": 1}));
    for section in ["revenue", "dispatch_awaiting", "overdue_receivables", "late_imports", "requests_past_sla"] {
        assert_eq!(all[section]["unavailable"], false, "{section}");
    }

    let manager = dashboard(&system.login("manager.hn").await).await;
    assert_eq!(manager["office"], "HN");
    let revenue = &manager["revenue"]["figures"];
    assert_eq!(
        (revenue["month_to_date"]["net"].as_i64(), revenue["target"].as_i64()),
        (Some(made.hanoi_net), Some(HN_TARGET))
    );
    assert_eq!(revenue["achievement_bp"], achievement_bp(made.hanoi_net, HN_TARGET));
    assert_eq!(manager["dispatch_awaiting"]["figures"]["count"], 1);
    assert_eq!(manager["late_imports"]["figures"]["plans"], 1);
    assert_eq!(manager["requests_past_sla"]["figures"]["count"], 1);
    assert_eq!(manager["warranty_open"]["figures"]["count"], 1, "the case is of an HN customer");
    let receivables = &manager["overdue_receivables"];
    assert_eq!((receivables["unavailable"].as_bool(), receivables["reason"].as_str()), (Some(true), Some("role")));
    assert_eq!(receivables["figures"], Value::Null);

    let accountant = dashboard(&system.login("accountant").await).await;
    assert_eq!(accountant["overdue_receivables"]["unavailable"], false);
    assert_eq!(accountant["revenue"]["figures"]["month_to_date"]["net"], made.company_net);
    for refused in ["warehouse", "sales.hn", "import"] {
        let reply = system.login(refused).await.get("/api/v1/dashboard").await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{refused}: {}", reply.body);
    }
    assert_eq!(system.anonymous().get("/api/v1/dashboard").await.status, StatusCode::UNAUTHORIZED);
    system.stop().await;
}

#[tokio::test]
async fn a_stopped_service_leaves_only_its_sections_unavailable() {
    let mut system = TestSystem::start().await;
    let director = system.login("director").await;
    let before = dashboard(&director).await;
    assert_eq!(before["revenue"]["figures"]["month_to_date"]["net"], 0);
    assert_eq!(before["revenue"]["figures"]["target"], Value::Null, "no target set");

    let address = system.stop_module("accounting-warehouse").await.unwrap();
    let without_accounting = dashboard(&director).await;
    let receivables = &without_accounting["overdue_receivables"];
    assert_eq!((receivables["unavailable"].as_bool(), receivables["reason"].as_str()), (Some(true), Some("service")));
    assert_eq!(receivables["api"], "/api/v1/reports/receivables-aging", "the link stays");
    for section in ["revenue", "dispatch_awaiting", "late_imports", "requests_past_sla", "warranty_open"] {
        assert_eq!(without_accounting[section]["unavailable"], false, "{section}");
    }
    system.start_module("accounting-warehouse", address).await.unwrap();

    let address = system.stop_module("analytics").await.unwrap();
    let without_analytics = dashboard(&director).await;
    assert_eq!(without_analytics["revenue"]["unavailable"], true);
    assert_eq!(without_analytics["revenue"]["figures"], Value::Null);
    assert_eq!(without_analytics["dispatch_awaiting"]["figures"]["count"], 0);
    assert_eq!(without_analytics["overdue_receivables"]["unavailable"], false, "accounting is back");
    system.start_module("analytics", address).await.unwrap();
    system.stop().await;
}

#[tokio::test]
async fn the_dashboard_page_shows_each_figure_in_both_languages_and_leads_the_home_page() {
    let system = TestSystem::start().await;
    let mut vietnamese = WebSession::sign_in(&system, "director", "vi").await;
    let page = vietnamese.get("/dashboard").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for text in [
        "Chỉ số chính hôm nay",
        "Doanh thu tháng này",
        "Chưa đặt chỉ tiêu",
        "Đơn chờ duyệt xuất kho",
        "Công nợ quá hạn",
        "Kế hoạch nhập khẩu có mốc trễ hạn",
        "Phiếu bảo hành đang mở",
        "href=\"/dispatch-orders?status=requested\"",
    ] {
        assert!(page.html.contains(text), "{text}: {}", page.html);
    }
    let home = vietnamese.get("/").await;
    assert!(home.html.contains("href=\"/dashboard\"") && home.html.contains("Công nợ quá hạn"), "{}", home.html);

    let mut english = WebSession::sign_in(&system, "manager.hn", "en").await;
    let page = english.get("/dashboard").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for text in [
        "Key figures today",
        "Revenue this month to date",
        "Open requests past their SLA",
        "The company-wide figure is for accounting and the directors.",
    ] {
        assert!(page.html.contains(text), "{text}: {}", page.html);
    }
    let mut keeper = WebSession::sign_in(&system, "warehouse", "en").await;
    assert!(!keeper.get("/").await.html.contains("Key figures today"), "not on a warehouse keeper's home");
    assert_eq!(keeper.get("/dashboard").await.status, StatusCode::FORBIDDEN);
    system.stop().await;
}
