//! A salesperson's daily report and weekly summary: figures assembled from the day's work and
//! accounting's debts, notes, evaluations and competitor notes; submitted reports frozen; the
//! manager's roll-up; nothing of it for another office; CSV and XLSX downloads.

use atq_platform::business_time::{local_date, now_micros};
use atq_tests::shipping::{ship_everything, stock_and_customer};
use atq_tests::{Reply, Session, TestProducts, TestSystem, customer, seed_products};
use chrono::{Datelike, NaiveDate};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn today() -> NaiveDate {
    local_date(now_micros())
}

fn this_week() -> String {
    let week = today().iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

async fn plan(rep: &Session, kind: &str, customer_id: &Value, time: &str) -> Value {
    let body = json!({"kind": kind, "subject": format!("{kind} Trường Chu Văn An"), "customer_id": customer_id,
        "planned_at": format!("{}T{time}:00+07:00", today()), "duration_minutes": 30});
    let reply = rep.post("/api/v1/activities", body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body
}

/// Two activities done and one left planned, a quote sent, everything shipped and invoiced.
async fn a_working_day(system: &TestSystem, products: &TestProducts) -> (Session, Value, Value, Value) {
    let (rep, school) = stock_and_customer(system, products).await;
    for (kind, time, outcome) in [("visit", "08:00", "reached"), ("call", "10:00", "follow_up")] {
        let activity = plan(&rep, kind, &school["id"], time).await;
        let done =
            rep.post(&format!("/api/v1/activities/{}/complete", activity["id"]), json!({"outcome": outcome})).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    }
    plan(&rep, "meeting", &school["id"], "16:00").await;
    let quote = rep
        .post(
            "/api/v1/quotes",
            json!({"customer_id": school["id"], "valid_until": (today() + chrono::Days::new(30)).to_string(),
                "lines": [{"product_id": products.filter_press, "quantity": 1}]}),
        )
        .await;
    assert_eq!(quote.status, StatusCode::CREATED, "{}", quote.body);
    let sent = rep.post(&format!("/api/v1/quotes/{}/send", quote.body["id"]), json!({})).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let invoice = ship_everything(system, products, &rep, &school["id"]).await;
    (rep, school, sent.body, invoice)
}

fn count(value: &Value) -> usize {
    value.as_array().map_or(0, Vec::len)
}

async fn put(rep: &Session, path: &str, body: Value, if_match: Option<&str>) -> Reply {
    let headers: Vec<(&str, &str)> = if_match.map(|v| ("If-Match", v)).into_iter().collect();
    rep.send(Method::PUT, path, Some(body), &headers).await
}

#[tokio::test]
async fn the_day_and_the_week_carry_exact_figures_and_a_submitted_week_never_changes() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school, quote, invoice) = a_working_day(&system, &products).await;

    let day = rep.get(&format!("/api/v1/sales-reports/current?kind=daily&period={}", today())).await;
    assert_eq!(day.status, StatusCode::OK, "{}", day.body);
    let figures = &day.body["figures"];
    assert_eq!((day.body["id"].is_null(), day.body["status"].as_str()), (true, Some("draft")));
    assert_eq!(count(&figures["activities_done"]), 2, "the planned meeting does not count: {figures}");
    assert_eq!(figures["activities_by_kind"], json!([{"kind": "call", "count": 1}, {"kind": "visit", "count": 1}]));
    assert_eq!(figures["activities_done"][0]["outcome"], "reached");
    assert_eq!(figures["new_customers"][0]["customer_id"], school["id"]);
    assert_eq!(count(&figures["new_customers"]), 1);
    assert_eq!(figures["quotes_sent"][0]["number"], quote["number"]);
    assert_eq!(figures["quotes_sent"][0]["total_net"], 285_000_000);
    assert_eq!(count(&figures["orders_confirmed"]), 1);
    let sales = (figures["sales_net"].as_i64(), figures["sales_vat"].as_i64(), figures["sales_gross"].as_i64());
    assert_eq!(sales, (Some(1_425_000_000), Some(142_500_000), Some(1_567_500_000)));
    assert_eq!(count(&figures["debts"]), 0, "a day has no debts section");

    let week_path = format!("/api/v1/sales-reports/weekly/{}", this_week());
    let hcm_customer =
        system.login("sales.hcm").await.create_customer(customer("Đại lý Sài Gòn", "dealer", "HCM")).await;
    let foreign =
        put(&rep, &week_path, json!({"evaluations": [{"customer_id": hcm_customer["id"], "rating": 4}]}), None).await;
    assert_eq!(foreign.status, StatusCode::BAD_REQUEST, "{}", foreign.body);
    assert_eq!(foreign.error_fields(), ["evaluations[0].customer_id"]);
    let bad = put(
        &rep,
        &week_path,
        json!({"evaluations": [{"customer_id": school["id"], "rating": 6}],
        "competitors": [{"competitor": "", "product": "Máy đo độ nhớt", "price": -1}]}),
        None,
    )
    .await;
    assert_eq!(bad.error_fields(), ["evaluations[0].rating", "competitors[0].competitor", "competitors[0].price"]);

    let body = json!({"notes": "Tuần này tập trung khối trường học.",
        "evaluations": [{"customer_id": school["id"], "rating": 4, "remark": "Thanh toán đúng hạn"}],
        "competitors": [{"competitor": "Hanoi Scientific", "product": "Máy đo độ nhớt Model 35SA",
            "price": 270_000_000, "remark": "=giảm 5% cho trường"}]});
    let saved = put(&rep, &week_path, body.clone(), None).await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    assert_eq!(saved.header("etag"), Some("\"1\""));
    let week = &saved.body;
    assert!(week["from"].as_str().unwrap() <= today().to_string().as_str());
    assert_eq!(
        week["figures"]["debts"],
        json!([{"customer_id": school["id"], "customer_name": school["name"],
        "balance": 1_567_500_000}])
    );
    assert_eq!(week["figures"]["debts_total"], invoice["total_gross"]);
    assert_eq!(week["evaluations"][0]["customer_name"], school["name"]);
    assert_eq!(week["competitors"][0]["price"], 270_000_000);
    let again = put(&rep, &week_path, body.clone(), None).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "once it exists a save names its version: {}", again.body);
    assert_eq!(again.error_fields(), ["version"]);

    let submitted = rep.send(Method::POST, &format!("{week_path}/submit"), None, &[("If-Match", "\"1\"")]).await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    assert_eq!(submitted.body["status"], "submitted");
    assert!(submitted.body["submitted_at"].is_string());
    let id = submitted.body["id"].as_i64().unwrap();

    // A later order counts in the live day, not in the submitted week.
    let keeper = system.login("warehouse").await;
    keeper
        .post(
            "/api/v1/stock/receipts",
            json!({"warehouse": "HN", "kind": "purchase", "reference": "INV-FANN-2",
            "lines": [{"product_id": products.filter_press, "quantity": 1, "unit_cost": 100_000}]}),
        )
        .await;
    let order = rep
        .post(
            "/api/v1/orders",
            json!({"customer_id": school["id"], "lines": [{"product_id": products.filter_press, "quantity": 1}]}),
        )
        .await;
    let confirmed = rep.post(&format!("/api/v1/orders/{}/confirm", order.body["id"]), json!({})).await;
    assert_eq!(confirmed.body["status"], "confirmed", "{}", confirmed.body);
    let frozen = rep.get(&format!("/api/v1/sales-reports/{id}")).await;
    assert_eq!(frozen.body["figures"], submitted.body["figures"]);
    assert_eq!(frozen.body["figures"]["sales_net"], 1_425_000_000);
    let live = rep.get(&format!("/api/v1/sales-reports/current?kind=daily&period={}", today())).await;
    assert_eq!(live.body["figures"]["sales_net"], 1_710_000_000);
    let edit = put(&rep, &week_path, body, Some("\"2\"")).await;
    assert_eq!(edit.status, StatusCode::CONFLICT, "{}", edit.body);

    the_manager_rolls_up_and_another_office_sees_nothing(&system, id).await;
    system.stop().await;
}

async fn the_manager_rolls_up_and_another_office_sees_nothing(system: &TestSystem, id: i64) {
    let manager = system.login("manager.hn").await;
    let rollup = manager.get(&format!("/api/v1/sales-reports/rollup?kind=weekly&period={}", this_week())).await;
    assert_eq!(rollup.status, StatusCode::OK, "{}", rollup.body);
    assert_eq!(rollup.body["office"], "HN");
    let rows = rollup.body["rows"].as_array().unwrap();
    let hn = rows.iter().find(|r| r["owner"] == "sales.hn").expect("the rep's row");
    assert_eq!(
        (hn["submitted"].as_bool(), hn["activities_done"].as_i64(), hn["new_customers"].as_i64()),
        (Some(true), Some(2), Some(1))
    );
    assert_eq!((hn["quotes_sent"].as_i64(), hn["orders_confirmed"].as_i64()), (Some(1), Some(1)));
    assert_eq!((hn["sales_net"].as_i64(), hn["sales_gross"].as_i64()), (Some(1_425_000_000), Some(1_567_500_000)));
    assert_eq!(rollup.body["totals"]["sales_net"], 1_425_000_000);
    assert_eq!(manager.get(&format!("/api/v1/sales-reports/{id}")).await.status, StatusCode::OK);
    let listed = manager.get("/api/v1/sales-reports?kind=weekly").await;
    assert_eq!(listed.body["items"][0]["id"], id);
    let elsewhere =
        manager.get(&format!("/api/v1/sales-reports/rollup?kind=weekly&period={}&office=HCM", this_week())).await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);

    let (status, headers, csv) = manager.download("/api/v1/sales-reports?kind=weekly&format=csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = String::from_utf8(csv).unwrap();
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    assert!(lines.next().unwrap().starts_with("id,kind,period,owner,office,status"));
    let row = lines.next().unwrap();
    assert!(row.starts_with(&format!("{id},weekly,{},sales.hn,HN,submitted,", this_week())), "{row}");
    assert!(row.ends_with(",2,1,1,1,1425000000,1567500000"), "{row}");
    let (status, headers, xlsx) =
        manager.download(&format!("/api/v1/sales-reports/rollup?kind=weekly&period={}&format=xlsx", this_week())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains(".xlsx"));
    let strings = workbook_part(&xlsx, "xl/sharedStrings.xml");
    assert!(strings.contains("sales.hn") && strings.contains("Tổng cộng"), "{strings}");
    assert!(workbook_part(&xlsx, "xl/worksheets/sheet1.xml").contains("1425000000"));

    let other = system.login("sales.hcm").await;
    assert_eq!(other.get(&format!("/api/v1/sales-reports/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get("/api/v1/sales-reports?owner=sales.hn").await.body["items"], json!([]));
    assert_eq!(other.get("/api/v1/sales-reports").await.body["items"], json!([]));
    let rollup = other.get(&format!("/api/v1/sales-reports/rollup?kind=weekly&period={}", this_week())).await;
    assert_eq!(rollup.status, StatusCode::FORBIDDEN);
    let hcm_manager_view = system.login("director").await.get("/api/v1/sales-reports?office=HCM").await;
    assert_eq!(hcm_manager_view.body["items"], json!([]));
}

/// One file of a workbook (a zip of XML files), as text.
fn workbook_part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut part = archive.by_name(name).unwrap_or_else(|_| panic!("{name} missing from the workbook"));
    let mut text = String::new();
    std::io::Read::read_to_string(&mut part, &mut text).unwrap();
    text
}

#[tokio::test]
async fn the_report_pages_save_submit_and_roll_up_in_english_and_vietnamese() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let school = rep.create_customer(customer("Trường THPT Kim Liên", "project", "HN")).await;
    let school_id = school["id"].as_i64().unwrap().to_string();
    let mut web = atq_tests::web::WebSession::sign_in(&system, "sales.hn", "en").await;
    let csrf = web.csrf();
    let path = format!("/sales-reports/weekly/{}", this_week());
    let form = web.get(&path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    for text in ["Weekly summary", "Draft", "New customers", "Trường THPT Kim Liên", "id=\"report-form\""] {
        assert!(form.html.contains(text), "the form shows {text}: {}", form.html);
    }
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("version", "0"),
        ("notes", "Gặp ban giám hiệu"),
        ("eval_customer_id", school_id.as_str()),
        ("eval_rating", "5"),
        ("eval_remark", "Rất quan tâm"),
        ("eval_customer_id", ""),
        ("eval_rating", "5"),
        ("eval_remark", ""),
        ("competitor", ""),
        ("product", "Bộ thí nghiệm quang học"),
        ("price", "12.500.000"),
        ("competitor_remark", ""),
    ];
    let refused = web.post_form(&path, &fields).await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.html);
    assert!(refused.html.contains("must not be empty"), "the row's error: {}", refused.html);
    fields[9] = ("competitor", "Thiết bị Giáo dục Hà Nội");
    let saved = web.post_form(&path, &fields).await;
    assert_eq!(
        (saved.status, saved.location.as_deref()),
        (StatusCode::SEE_OTHER, Some(path.as_str())),
        "{}",
        saved.html
    );
    let shown = web.get(&path).await;
    for text in ["Thiết bị Giáo dục Hà Nội", "12500000", "Rất quan tâm", "name=\"version\" value=\"1\""] {
        assert!(shown.html.contains(text), "the saved report shows {text}: {}", shown.html);
    }
    let submitted = web.post_form(&format!("{path}/submit"), &[("csrf", csrf.as_str()), ("version", "1")]).await;
    assert_eq!(submitted.status, StatusCode::SEE_OTHER, "{}", submitted.html);
    let done = web.get(&path).await;
    assert!(done.html.contains("Submitted") && !done.html.contains("id=\"report-form\""), "{}", done.html);

    let mut manager = atq_tests::web::WebSession::sign_in(&system, "manager.hn", "vi").await;
    let list = manager.get("/sales-reports").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.html);
    for text in ["<html lang=\"vi\">", "Báo cáo tuần", "Tổng hợp văn phòng", "sales.hn", "Đã nộp", "Tổng cộng"]
    {
        assert!(list.html.contains(text), "the manager's list shows {text}: {}", list.html);
    }
    let mut other = atq_tests::web::WebSession::sign_in(&system, "sales.hcm", "vi").await;
    assert!(!other.get("/sales-reports").await.html.contains("sales.hn"));
    system.stop().await;
}

#[tokio::test]
async fn the_openapi_document_names_the_report_routes_with_their_downloads() {
    let system = TestSystem::start().await;
    let document = system.anonymous().get("/api/openapi.json").await.body;
    let paths = &document["paths"];
    for (path, method) in [
        ("/api/v1/sales-reports", "get"),
        ("/api/v1/sales-reports/current", "get"),
        ("/api/v1/sales-reports/rollup", "get"),
        ("/api/v1/sales-reports/{id}", "get"),
        ("/api/v1/sales-reports/{kind}/{period}", "put"),
        ("/api/v1/sales-reports/{kind}/{period}/submit", "post"),
    ] {
        let responses = &paths[path][method]["responses"];
        assert!(responses["401"].is_object() && responses["403"].is_object(), "{method} {path}: {responses}");
    }
    for path in ["/api/v1/sales-reports", "/api/v1/sales-reports/rollup"] {
        let content = paths[path]["get"]["responses"]["200"]["content"].as_object().unwrap();
        let mut types: Vec<&str> = content.keys().map(String::as_str).collect();
        types.sort_unstable();
        let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        assert_eq!(types, ["application/json", xlsx, "text/csv"], "{path}");
    }
    let price = &document["components"]["schemas"]["CompetitorBody"]["properties"]["price"];
    assert_eq!((price["minimum"].as_i64(), price["maximum"].as_i64()), (Some(0), Some(1_000_000_000_000_000)));
    system.stop().await;
}
