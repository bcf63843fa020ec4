//! The service-and-care report against what the test records: requests of two kinds in two
//! offices (one answered and resolved in time, one never answered and so breached), a warranty
//! case on a sold unit sent to the supplier and back; the directors' service summary agreeing;
//! a sales manager of Hồ Chí Minh City seeing that office only.

use atq_tests::shipping::{ship_everything, stock_and_customer};
use atq_tests::web::WebSession;
use atq_tests::{Session, TestSystem, customer, dates, eventually, seed_products};
use chrono::Days;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn report(session: &Session, path: &str) -> Value {
    let reply = session.get(path).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    reply.body
}

fn rows<'a>(list: &'a Value, keep: impl Fn(&Value) -> bool + 'a) -> Vec<&'a Value> {
    list.as_array().unwrap().iter().filter(|r| keep(r)).collect()
}

/// A sales manager of HCM, signed in with the password of their own choosing.
async fn hcm_manager(system: &TestSystem) -> Session {
    let admin = system.login("admin").await;
    let added = admin
        .post(
            "/api/v1/users",
            json!({"username": "le.hoa", "display_name": "Lê Thị Hoa", "role": "sales_manager", "office": "HCM"}),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let temporary = added.body["temporary_password"].as_str().unwrap();
    let sign_in = |password: &str| {
        let body = json!({"username": "le.hoa", "password": password});
        async move { system.anonymous().post("/api/v1/auth/login", body).await }
    };
    let first = sign_in(temporary).await;
    let session = system.with_token(first.body["access_token"].as_str().unwrap());
    let password = "Sài Gòn mưa chiều 2026";
    let changed =
        session.post("/api/v1/me/password", json!({"current_password": temporary, "new_password": password})).await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.body);
    let again = sign_in(password).await;
    system.with_token(again.body["access_token"].as_str().unwrap())
}

/// The quality complaint of HN, answered and resolved in time (with its department moved to
/// import-export), and the debt question of HCM nobody answered. Returns the working minutes
/// the complaint's clocks took, as the request itself shows them.
async fn two_requests(system: &TestSystem) -> (i64, i64) {
    let (rep_hn, rep_hcm, manager) =
        (system.login("sales.hn").await, system.login("sales.hcm").await, system.login("manager.hn").await);
    let hn = rep_hn.create_customer(customer("Công ty Xây dựng Sông Hồng", "project", "HN")).await;
    let hcm = rep_hcm.create_customer(customer("Trường THPT Lê Quý Đôn", "project", "HCM")).await;
    let complaint = rep_hn
        .post(
            "/api/v1/requests",
            json!({"customer_id": hn["id"], "channel": "phone", "kind": "quality", "priority": "high",
            "subject": "Máy đo pH báo sai", "received_at": "2026-04-24T16:00:00+07:00"}),
        )
        .await;
    assert_eq!(complaint.status, StatusCode::CREATED, "{}", complaint.body);
    let path = format!("/api/v1/requests/{}", complaint.body["id"]);
    let debt = rep_hcm
        .post(
            "/api/v1/requests",
            json!({"customer_id": hcm["id"], "channel": "email", "kind": "debt",
            "subject": "Hỏi số dư công nợ", "received_at": "2026-04-01T09:00:00+07:00"}),
        )
        .await;
    assert_eq!(debt.status, StatusCode::CREATED, "{}", debt.body);
    assert_eq!(debt.body["department"], "accounting");

    let status_path = format!("{path}/status");
    let status = |body: Value| manager.post(&status_path, body);
    let answered = status(json!({"status": "in_progress", "effective_at": "2026-04-28T08:15:00+07:00"})).await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    let resolved = status(json!({"status": "resolved", "effective_at": "2026-04-28T10:15:00+07:00"})).await;
    assert_eq!(resolved.status, StatusCode::OK, "{}", resolved.body);
    // Moved to import-export afterwards (changes are recorded now, after the backdated ones).
    let etag = rep_hn.get(&path).await.header("etag").unwrap().to_owned();
    let moved = rep_hn.patch(&path, json!({"department": "import_export"}), &etag).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let taken = |clock: &Value| clock["target_minutes"].as_i64().unwrap() - clock["minutes_left"].as_i64().unwrap();
    let r = &resolved.body;
    assert_eq!(
        (r["first_response"]["breached"].as_bool(), r["resolution"]["breached"].as_bool()),
        (Some(false), Some(false))
    );
    // Friday 16:00-17:30, then Tuesday 8:00-8:15 (the weekend and the Giỗ Tổ day in lieu off).
    assert_eq!(taken(&r["first_response"]), 105);
    // ... and on to Tuesday 10:15.
    assert_eq!(taken(&r["resolution"]), 225);
    (taken(&r["first_response"]), taken(&r["resolution"]))
}

/// Sells both viscometers to an HN school today, then one comes back under warranty and goes to
/// the supplier three days ago, back today. Returns the viscometer's id and its supplier's.
async fn a_case_and_its_rma(system: &TestSystem) -> (i64, i64) {
    let products = seed_products(system).await;
    let (rep, school) = stock_and_customer(system, &products).await;
    ship_everything(system, &products, &rep, &school["id"]).await;
    let officer = system.login("import").await;
    let opened =
        officer.post("/api/v1/warranty-cases", json!({"serial": "FN-002", "complaint": "Sai số đo lớn"})).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let path = format!("/api/v1/warranty-cases/{}", opened.body["id"]);
    let decided = officer.post(&format!("{path}/decide"), json!({"decision": "repair_at_supplier"})).await;
    assert_eq!(decided.body["status"], "decided", "{}", decided.body);
    let sent = officer
        .post(&format!("{path}/supplier-return"), json!({"rma_number": "RMA-FANN-9", "shipped_on": dates::minus(3)}))
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let back = officer.post(&format!("{path}/supplier-return/receive"), json!({"outcome": "repaired"})).await;
    assert_eq!(back.body["supplier_return"]["turnaround_days"], 3, "{}", back.body);
    (products.viscometer, products.supplier_id)
}

/// The report's page in both languages (table, chart, downloads) and the summary's service option.
async fn web_pages(system: &TestSystem) {
    let april = "/reports/service?period=month&from=2026-04&to=2026-04";
    let mut vi = WebSession::sign_in(system, "director", "vi").await;
    let page = vi.get(april).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for shown in [
        "Dịch vụ và chăm sóc khách hàng",
        "<svg",
        "id=\"service-requests\"",
        "50,00 %",
        "105 / 120",
        "Công nợ · Kế toán",
        "href=\"/reports/service.csv?period=month&#38;from=2026-04&#38;to=2026-04&#38;table=products\"",
    ] {
        assert!(page.html.contains(shown), "{shown} in {}", page.html);
    }
    let mut en = WebSession::sign_in(system, "director", "en").await;
    let page = en.get(april).await;
    for shown in ["Service and care", "50.00%", "100.00%", "Debt · Accounting"] {
        assert!(page.html.contains(shown), "{shown} in {}", page.html);
    }
    let csv = en.get("/reports/service.csv?period=month&from=2026-04&to=2026-04&table=requests").await;
    assert!(csv.content_type.starts_with("text/csv"), "{}", csv.content_type);
    assert!(csv.html.starts_with("period,kind,department,office,requests"), "{}", csv.html);
    let summary = vi.get("/reports/summary?department=service&period=month&from=2026-04&to=2026-04").await;
    for shown in ["<option value=\"service\" selected>", "Theo loại yêu cầu", "Tỷ lệ vi phạm"] {
        assert!(summary.html.contains(shown), "{shown} in {}", summary.html);
    }
}

fn month_of(date: chrono::NaiveDate) -> String {
    date.format("%Y-%m").to_string()
}

#[tokio::test]
async fn service_report_counts_requests_against_sla_warranty_cases_and_rma_turnaround() {
    let system = TestSystem::start().await;
    let (first_response, resolution) = two_requests(&system).await;
    let (viscometer, supplier_id) = a_case_and_its_rma(&system).await;
    let director = system.login("director").await;

    let april = "/api/v1/reports/service?period=month&from=2026-04&to=2026-04";
    eventually("both requests in the report", || async {
        let body = report(&director, april).await;
        body["request_totals"][0]["requests"] == 2 && body["request_totals"][0]["resolved"] == 1
    })
    .await;
    let body = report(&director, april).await;
    assert_eq!((body["period"].as_str(), body["office"].clone()), (Some("month"), Value::Null));
    let total = &body["request_totals"][0];
    let figures = |row: &Value| {
        [
            "requests",
            "answered",
            "first_response_breached",
            "resolved",
            "resolution_breached",
            "breached",
            "breach_rate_bp",
        ]
        .map(|k| row[k].as_i64().unwrap())
    };
    assert_eq!(figures(total), [2, 1, 1, 1, 1, 1, 5_000], "{total}");
    assert_eq!(
        (total["mean_first_response_minutes"].as_i64(), total["mean_resolution_minutes"].as_i64()),
        (Some(first_response), Some(resolution))
    );
    let requests = &body["requests"];
    assert_eq!(requests.as_array().unwrap().len(), 2, "{requests}");
    let quality = rows(requests, |r| r["kind"] == "quality")[0];
    assert_eq!(
        (quality["department"].as_str(), quality["office"].as_str()),
        (Some("import_export"), Some("HN")),
        "the department as it was moved"
    );
    assert_eq!(figures(quality), [1, 1, 0, 1, 0, 0, 0]);
    assert_eq!(quality["mean_first_response_target_minutes"], 120);
    let debt = rows(requests, |r| r["kind"] == "debt")[0];
    assert_eq!((debt["department"].as_str(), debt["office"].as_str()), (Some("accounting"), Some("HCM")));
    assert_eq!(figures(debt), [1, 0, 1, 0, 1, 1, 10_000], "never answered: both clocks breached");
    assert_eq!(debt["mean_first_response_minutes"], Value::Null);

    let quarter = report(&director, "/api/v1/reports/service?period=quarter&from=2026-Q2&to=2026-Q2").await;
    assert_eq!(figures(&quarter["request_totals"][0]), figures(total), "the quarter holds April");

    // The warranty case of this month and its return: sent three days ago, back today.
    let today = dates::today();
    let sent_month = month_of(today - Days::new(3));
    let months = format!("/api/v1/reports/service?period=month&from={sent_month}&to={}", month_of(today));
    eventually("the case back from the supplier", || async {
        let body = report(&director, &months).await;
        rows(&body["suppliers"], |s| s["rmas_received"] == 1).len() == 1
    })
    .await;
    let body = report(&director, &months).await;
    let products = rows(&body["products"], |p| p["product_id"] == viscometer);
    assert_eq!(products.len(), 1, "{body}");
    let p = products[0];
    assert_eq!((p["period"].as_str(), p["model_code"].as_str()), (Some(month_of(today).as_str()), Some("Model 35SA")));
    assert_eq!(
        (p["cases"].as_i64(), p["units_sold"].as_i64(), p["failure_rate_bp"].as_i64(), p["supplier_id"].as_i64()),
        (Some(1), Some(2), Some(5_000), Some(supplier_id)),
        "one case over the two units sold"
    );
    let suppliers = rows(&body["suppliers"], |s| s["supplier_id"] == supplier_id);
    let sum = |key: &str| suppliers.iter().map(|s| s[key].as_i64().unwrap()).sum::<i64>();
    assert_eq!((sum("cases"), sum("rmas_sent"), sum("rmas_received")), (1, 1, 1), "{body}");
    let back = rows(&body["suppliers"], |s| s["rmas_received"] == 1)[0];
    assert_eq!(
        (back["period"].as_str(), back["supplier_name"].as_str()),
        (Some(month_of(today).as_str()), Some("Fann Instrument"))
    );
    assert_eq!(
        (back["median_turnaround_tenths"].as_i64(), back["mean_turnaround_tenths"].as_i64()),
        (Some(30), Some(30))
    );

    // The directors' service summary agrees with the report.
    let summary =
        report(&director, "/api/v1/reports/summary?department=service&period=month&from=2026-04&to=2026-04").await;
    let sections = summary["periods"][0]["sections"].as_array().unwrap();
    let measure = |section: &str, key: &str, name: &str| {
        let section = sections.iter().find(|s| s["name"] == section).unwrap();
        let row = section["rows"].as_array().unwrap().iter().find(|r| r["key"] == key).unwrap();
        row["measures"].as_array().unwrap().iter().find(|m| m["name"] == name).unwrap()["current"].as_i64().unwrap()
    };
    assert_eq!(
        [
            measure("total", "all", "requests"),
            measure("total", "all", "breached"),
            measure("total", "all", "breach_rate_bp")
        ],
        [2, 1, 5_000]
    );
    assert_eq!(measure("by_office", "HCM", "breached"), 1);
    assert_eq!(measure("by_department", "import_export", "mean_resolution_minutes"), resolution);

    // A sales manager of HCM sees HCM only: the debt question, and no HN warranty case.
    let manager = hcm_manager(&system).await;
    let own = report(&manager, april).await;
    assert_eq!(own["office"], "HCM");
    assert_eq!(figures(&own["request_totals"][0]), [1, 0, 1, 0, 1, 1, 10_000]);
    assert!(rows(&own["requests"], |r| r["office"] != "HCM").is_empty(), "{own}");
    assert!(report(&manager, &months).await["products"].as_array().unwrap().is_empty());
    let refused = manager.get(&format!("{april}&office=HN")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let own_summary =
        report(&manager, "/api/v1/reports/summary?department=service&period=month&from=2026-04&to=2026-04").await;
    assert_eq!(own_summary["office"], "HCM");

    // One table as CSV; a table that does not exist is refused with its field named.
    let (status, headers, bytes) = director.download(&format!("{april}&format=csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("period,kind,department,office,requests"), "{text}");
    assert_eq!(lines.len(), 4, "two rows and the total: {text}");
    assert!(lines.iter().any(|l| l.starts_with("2026-04,debt,accounting,HCM,1,0,")), "{text}");
    let bad = director.get(&format!("{april}&table=nothing")).await;
    assert_eq!((bad.status, bad.error_fields()), (StatusCode::BAD_REQUEST, vec!["table".to_owned()]));
    web_pages(&system).await;
    system.stop().await;
}
