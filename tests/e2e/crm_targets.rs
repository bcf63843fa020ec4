use atq_platform::business_time::{local_date, now_micros, start_of_local_day};
use atq_tests::{Session, TestSystem, customer, seed_products};
use chrono::{Datelike, Months, NaiveDate};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// This quarter (the tests cannot move the clock): its name and the first day of the next one.
fn this_quarter() -> (String, NaiveDate) {
    let today = local_date(now_micros());
    let first_month = (today.month() - 1) / 3 * 3 + 1;
    let first = NaiveDate::from_ymd_opt(today.year(), first_month, 1).unwrap();
    (format!("{}-Q{}", today.year(), (today.month() - 1) / 3 + 1), first + Months::new(3))
}

async fn put_target(by: &Session, body: Value) -> Reply {
    by.send(Method::PUT, "/api/v1/targets", Some(body), &[]).await
}

type Reply = atq_tests::Reply;

async fn set(by: &Session, period: &str, scope: &str, owner: &str, metric: &str, category: &str, target: i64) {
    let body = json!({"period": period, "scope": scope, "owner": owner, "office": "HN", "metric": metric,
        "category": category, "target": target});
    let reply = put_target(by, body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

/// A confirmed order of one line per (product, quantity, unit price).
async fn confirmed_order(rep: &Session, customer: &Value, lines: &[(i64, i64, i64)]) -> Value {
    let lines: Vec<Value> =
        lines.iter().map(|(p, q, price)| json!({"product_id": p, "quantity": q, "unit_price": price})).collect();
    let created = rep.post("/api/v1/orders", json!({"customer_id": customer["id"], "lines": lines})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let confirmed = rep.post(&format!("/api/v1/orders/{}/confirm", created.body["id"]), json!({})).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    confirmed.body
}

async fn physics_product(system: &TestSystem, supplier_id: i64) -> i64 {
    let officer = system.login("import").await;
    let created = officer
        .post(
            "/api/v1/products",
            json!({"model_code": "PHY-200", "name_vi": "Bộ thí nghiệm cơ học", "category": "physics",
            "brand": "Fann", "brand_class": "big", "supplier_id": supplier_id, "unit": "bộ", "hs_code": "9023.00.00",
            "warranty_months": 12, "serial_tracked": false, "list_price": 12_000_000, "vat_rate": "0.10"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body["id"].as_i64().unwrap()
}

async fn done_activity(rep: &Session, customer: &Value, kind: &str) {
    let planned = rep
        .post(
            "/api/v1/activities",
            json!({"kind": kind, "subject": "Gặp khách", "customer_id": customer["id"],
            "planned_at": chrono::Utc::now().to_rfc3339(), "duration_minutes": 30}),
        )
        .await;
    assert_eq!(planned.status, StatusCode::CREATED, "{}", planned.body);
    let done =
        rep.post(&format!("/api/v1/activities/{}/complete", planned.body["id"]), json!({"outcome": "reached"})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
}

/// (scope, owner, metric, category, target, result, achievement_bp, people_target)
type Line = (String, String, String, String, Option<i64>, i64, Option<i64>, i64);

fn lines(report: &Value) -> Vec<Line> {
    let text = |v: &Value| v.as_str().unwrap().to_owned();
    report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                text(&l["scope"]),
                text(&l["owner"]),
                text(&l["metric"]),
                text(&l["category"]),
                l["target"].as_i64(),
                l["result"].as_i64().unwrap(),
                l["achievement_bp"].as_i64(),
                l["people_target"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn line(scope: &str, owner: &str, metric: &str, category: &str, target: Option<i64>, result: i64) -> Line {
    let achievement = target.filter(|t| *t > 0).map(|t| (result * 10_000 * 2 + t) / (2 * t));
    (scope.into(), owner.into(), metric.into(), category.into(), target, result, achievement, 0)
}

fn with_people(mut line: Line, people_target: i64) -> Line {
    line.7 = people_target;
    line
}

#[tokio::test]
async fn results_against_targets_per_person_and_office_count_only_what_belongs_to_the_quarter() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let physics = physics_product(&system, products.supplier_id).await;
    let (quarter, next_quarter) = this_quarter();
    let (rep, manager, director) =
        (system.login("sales.hn").await, system.login("manager.hn").await, system.login("director").await);

    set(&manager, &quarter, "person", "sales.hn", "revenue", "", 100_000_000).await;
    set(&manager, &quarter, "person", "sales.hn", "new_customers", "", 4).await;
    set(&manager, &quarter, "person", "sales.hn", "visits", "", 3).await;
    set(&manager, &quarter, "person", "sales.hn", "category_revenue", "chemistry", 60_000_000).await;
    set(&manager, &quarter, "person", "manager.hn", "revenue", "", 50_000_000).await;
    set(&director, &quarter, "office", "", "revenue", "", 200_000_000).await;
    set(&director, &quarter, "office", "", "category_revenue", "physics", 30_000_000).await;
    let refused = put_target(
        &rep,
        json!({"period": quarter, "scope": "person", "owner": "sales.hn", "office": "HN",
        "metric": "revenue", "target": 1}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    let first = rep.create_customer(customer("Công ty Thiết bị Trường học Hà Nội", "dealer", "HN")).await;
    let second = rep.create_customer(customer("Trường THPT Việt Đức", "project", "HN")).await;
    let third = manager.create_customer(customer("Đại lý Khoa học Cầu Giấy", "dealer", "HN")).await;
    confirmed_order(&rep, &first, &[(products.viscometer, 1, 40_000_000), (physics, 2, 10_000_000)]).await;
    confirmed_order(&manager, &third, &[(products.filter_press, 1, 25_000_000)]).await;
    let cancelled = confirmed_order(&rep, &second, &[(products.viscometer, 1, 7_000_000)]).await;
    let reply = rep.post(&format!("/api/v1/orders/{}/cancel", cancelled["id"]), json!({})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let later = confirmed_order(&rep, &second, &[(physics, 1, 9_000_000)]).await;
    let draft = rep
        .post(
            "/api/v1/orders",
            json!({"customer_id": second["id"],
        "lines": [{"product_id": physics, "quantity": 1, "unit_price": 5_000_000}]}),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body);
    // The order confirmed on the first day of the next quarter belongs to that one.
    let sales_db = atq_platform::Db::connect(system.database_url("sales")).await.unwrap();
    sqlx::query("UPDATE orders SET confirmed_at = $1 WHERE id = $2")
        .bind(start_of_local_day(next_quarter) + 3_600_000_000)
        .bind(later["id"].as_i64().unwrap())
        .execute(sales_db.pool())
        .await
        .unwrap();
    sales_db.close().await;
    done_activity(&rep, &first, "visit").await;
    done_activity(&rep, &second, "visit").await;
    done_activity(&rep, &first, "call").await;
    let hcm = system.login("sales.hcm").await;
    let saigon = hcm.create_customer(customer("Công ty Thiết bị Sài Gòn", "dealer", "HCM")).await;
    confirmed_order(&hcm, &saigon, &[(physics, 1, 11_000_000)]).await;

    let report = manager.get(&format!("/api/v1/reports/targets?period={quarter}")).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert_eq!(report.body["running"], true);
    let elapsed = report.body["elapsed_bp"].as_i64().unwrap();
    assert!((1..10_000).contains(&elapsed), "{elapsed}");
    let expected = vec![
        with_people(line("office", "", "revenue", "", Some(200_000_000), 85_000_000), 150_000_000),
        with_people(line("office", "", "new_customers", "", None, 3), 4),
        with_people(line("office", "", "visits", "", None, 2), 3),
        with_people(line("office", "", "category_revenue", "chemistry", None, 65_000_000), 60_000_000),
        with_people(line("office", "", "category_revenue", "physics", Some(30_000_000), 20_000_000), 0),
        line("person", "manager.hn", "revenue", "", Some(50_000_000), 25_000_000),
        line("person", "sales.hn", "revenue", "", Some(100_000_000), 60_000_000),
        line("person", "sales.hn", "new_customers", "", Some(4), 2),
        line("person", "sales.hn", "visits", "", Some(3), 2),
        line("person", "sales.hn", "category_revenue", "chemistry", Some(60_000_000), 40_000_000),
    ];
    assert_eq!(lines(&report.body), expected);
    assert_eq!(expected[4].6, Some(6667), "two thirds, rounded half up");

    // A sales rep sees their own lines and their office's, not a colleague's.
    let own = lines(&rep.get(&format!("/api/v1/reports/targets?period={quarter}")).await.body);
    assert_eq!(own.len(), 9);
    assert!(own.iter().all(|l| l.1 != "manager.hn"));
    // Another office's salesperson sees none of it.
    let other = hcm.get(&format!("/api/v1/reports/targets?period={quarter}&office=HN")).await;
    assert_eq!((other.status, other.body["lines"].as_array().unwrap().len()), (StatusCode::OK, 0));
    assert_eq!(hcm.get(&format!("/api/v1/reports/targets?period={quarter}")).await.body["lines"], json!([]));
    assert_eq!(hcm.get(&format!("/api/v1/targets?period={quarter}")).await.body["items"], json!([]));
    assert_eq!(rep.get(&format!("/api/v1/targets?period={quarter}")).await.body["items"].as_array().unwrap().len(), 6);

    let (status, headers, csv) =
        director.download(&format!("/api/v1/reports/targets?period={quarter}&format=csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains(&format!("{quarter},HN,person,sales.hn,revenue,,100000000,60000000,0.6000,0")), "{csv}");
    let (status, _, xlsx) = director.download(&format!("/api/v1/reports/targets?period={quarter}&format=xlsx")).await;
    assert_eq!((status, &xlsx[..2]), (StatusCode::OK, b"PK".as_slice()));
    system.stop().await;
}

fn sheet(rows: &[&str]) -> String {
    let mut text = String::from("\u{feff}period,scope,owner,office,metric,category,target\r\n");
    for row in rows {
        text.push_str(row);
        text.push_str("\r\n");
    }
    text
}

#[tokio::test]
async fn an_import_shows_every_row_error_on_a_dry_run_and_writes_all_rows_or_none() {
    let system = TestSystem::start().await;
    let manager = system.login("manager.hn").await;
    let (quarter, _) = this_quarter();
    let good = format!("{quarter},person,sales.hn,HN,revenue,,120000000");
    let office = format!("{quarter},office,,HN,visits,,40");
    let bad = sheet(&[
        &good,
        &format!("{quarter},person,sales.hcm,HN,profit,,5"),
        &format!("{quarter},office,,HCM,visits,,10"),
        &office,
    ]);
    let import = |dry_run: bool, body: String| {
        let manager = manager.clone();
        async move {
            let path = format!("/api/v1/targets/import?dry_run={dry_run}");
            manager.send_raw(Method::POST, &path, "text/csv", body).await
        }
    };
    let preview = import(true, bad.clone()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let errors: Vec<(i64, String)> = preview.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(errors, [(3, "owner".into()), (3, "metric".into()), (4, "office".into())]);
    let written = import(false, bad).await;
    assert_eq!(written.status, StatusCode::BAD_REQUEST, "{}", written.body);
    assert_eq!(written.error_fields(), ["rows[3].owner", "rows[3].metric", "rows[4].office"]);
    assert_eq!(manager.get("/api/v1/targets").await.body["items"], json!([]), "nothing was written");

    let sheet = sheet(&[&good, &office]);
    let preview = import(true, sheet.clone()).await;
    assert_eq!((preview.body["targets"][0]["id"].as_i64(), preview.body["errors"].clone()), (Some(0), json!([])));
    assert_eq!(manager.get("/api/v1/targets").await.body["items"], json!([]), "a dry run writes nothing");
    let written = import(false, sheet.clone()).await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.body);
    let listed = manager.get(&format!("/api/v1/targets?period={quarter}")).await.body["items"].clone();
    let figures: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["owner"].as_str().unwrap().to_owned(),
                t["metric"].as_str().unwrap().to_owned(),
                t["target"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(figures, [("sales.hn".into(), "revenue".into(), 120_000_000), (String::new(), "visits".into(), 40)]);
    // The same key replaces the figure.
    let again = import(false, sheet.replace("120000000", "130000000")).await;
    assert_eq!(
        (again.body["targets"][0]["target"].as_i64(), again.body["targets"][0]["version"].as_i64()),
        (Some(130_000_000), Some(2))
    );
    system.stop().await;
}

fn assert_shows(page: &atq_tests::web::Page, what: &str, expected: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.html);
    for text in expected {
        assert!(page.html.contains(text), "{what} shows {text}: {}", page.html);
    }
}

#[tokio::test]
async fn a_manager_sets_and_imports_targets_through_the_pages_and_a_rep_reads_them() {
    use atq_tests::web::WebSession;
    let system = TestSystem::start().await;
    let (quarter, _) = this_quarter();
    let mut web = WebSession::sign_in(&system, "manager.hn", "vi").await;
    let csrf = web.csrf();
    let home = web.get("/").await;
    assert_shows(&home, "the menu", &["href=\"/targets\""]);
    let empty = web.get("/targets").await;
    assert_shows(
        &empty,
        "the empty report",
        &["Chỉ tiêu và kết quả", &quarter, "Chưa có chỉ tiêu nào", "Đặt chỉ tiêu"],
    );

    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("idempotency_key", "web-target-1"),
        ("period", quarter.as_str()),
        ("scope", "person"),
        ("owner", "sales.hn"),
        ("office", "HN"),
        ("metric", "revenue"),
        ("category", ""),
        ("target", "abc"),
    ];
    let refused = web.post_form("/targets", &fields).await;
    assert_shows(&refused, "a target that is not a number", &["id=\"target-error\"", "phải là số nguyên"]);
    fields[8] = ("target", "150.000.000");
    fields[1] = ("idempotency_key", "web-target-2");
    let set = web.post_form("/targets", &fields).await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.html);
    let report = web.get(set.location.as_deref().unwrap()).await;
    assert_shows(&report, "the report", &["sales.hn", "Doanh số", "150.000.000 ₫", "0,00 %", "Cả văn phòng"]);

    let bad = sheet(&[&format!("{quarter},office,,HN,visits,,many")]);
    let preview = web
        .post_multipart(
            "/targets/import?dry_run=true",
            &[("csrf", &csrf)],
            "sheet",
            ("t.csv", "text/csv", bad.as_bytes()),
        )
        .await;
    assert_shows(
        &preview,
        "the dry run",
        &["id=\"row-errors\"", "<td class=\"num\">2</td><td>target</td>", "phải là số nguyên"],
    );
    let good = sheet(&[&format!("{quarter},office,,HN,visits,,40")]);
    let written = web
        .post_multipart(
            "/targets/import?dry_run=false&key=web-import-1",
            &[("csrf", &csrf)],
            "sheet",
            ("t.csv", "text/csv", good.as_bytes()),
        )
        .await;
    assert_shows(&written, "the import", &["id=\"import-rows\"", "Số chỉ tiêu đã ghi: 1", "Lượt thăm khách hàng"]);

    let mut rep = WebSession::sign_in(&system, "sales.hn", "en").await;
    let page = rep.get(&format!("/targets?period={quarter}")).await;
    assert_shows(&page, "the rep's report", &["Targets and results", "₫150,000,000", "Visits", "Whole office"]);
    assert!(!page.html.contains("id=\"target-form\""), "a rep has no form to set targets");
    system.stop().await;
}

#[tokio::test]
async fn the_openapi_document_describes_the_target_routes_as_served() {
    let system = TestSystem::start().await;
    let document = system.anonymous().get("/api/openapi.json").await.body;
    let report = &document["paths"]["/api/v1/reports/targets"]["get"]["responses"];
    let content: Vec<&String> = report["200"]["content"].as_object().unwrap().keys().collect();
    assert_eq!(
        content,
        ["application/json", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"]
    );
    for (path, method) in [
        ("/api/v1/targets", "get"),
        ("/api/v1/targets", "put"),
        ("/api/v1/targets/import", "post"),
        ("/api/v1/reports/targets", "get"),
    ] {
        let responses = &document["paths"][path][method]["responses"];
        for status in ["400", "401", "403"] {
            assert!(responses.get(status).is_some(), "{method} {path} {status}: {responses}");
        }
    }
    system.stop().await;
}
