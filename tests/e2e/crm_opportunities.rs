//! Opportunities through their stages, the quotes and contracts that move them, and the pipeline.

use atq_tests::web::{Page, WebSession};
use atq_tests::{Reply, Session, TestSystem, customer, dates, seed_products};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn opportunity(customer_id: &Value, title: &str, value: i64, close_in_days: u64) -> Value {
    json!({"customer_id": customer_id, "title": title, "expected_value": value,
        "expected_close_on": dates::plus(close_in_days)})
}

async fn open(session: &Session, body: Value) -> Value {
    let created = session.post("/api/v1/opportunities", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body
}

/// Moves the opportunity as read at `etag`.
async fn move_to(session: &Session, id: &Value, etag: &str, body: Value) -> Reply {
    let path = format!("/api/v1/opportunities/{id}/stage");
    session.send(Method::POST, &path, Some(body), &[("If-Match", etag)]).await
}

/// Moves the opportunity as it is now, failing the test unless it moves.
async fn move_now(session: &Session, id: &Value, body: Value) -> Value {
    let current = session.get(&format!("/api/v1/opportunities/{id}")).await;
    let moved = move_to(session, id, current.header("etag").unwrap(), body).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    moved.body
}

fn stages_of(history: &Reply) -> Vec<(Option<String>, String)> {
    let items = history.body["items"].as_array().unwrap();
    items
        .iter()
        .map(|c| (c["from_stage"].as_str().map(str::to_owned), c["to_stage"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn a_project_opportunity_is_qualified_quoted_negotiated_and_won_by_its_accepted_quote() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let rep = system.login("sales.hn").await;
    let school = rep.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    let mut body = opportunity(&school["id"], "Phòng thí nghiệm hóa học", 900_000_000, 30);
    body["products"] = json!([{"product_id": products.viscometer, "quantity": 2, "note": "2 phòng"}]);
    let key = [("Idempotency-Key", "opportunity-school-1")];
    let created = rep.send(Method::POST, "/api/v1/opportunities", Some(body.clone()), &key).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let again = rep.send(Method::POST, "/api/v1/opportunities", Some(body), &key).await;
    assert_eq!((again.status, &again.body["id"]), (StatusCode::CREATED, &created.body["id"]), "a retry makes no twin");
    let made = &created.body;
    assert_eq!((made["stage"].as_str(), made["probability"].as_i64()), (Some("prospecting"), Some(10)));
    assert_eq!((made["office"].as_str(), made["owner"].as_str()), (Some("HN"), Some("sales.hn")));
    assert_eq!(
        (made["weighted_value"].as_i64(), made["products"][0]["model_code"].as_str()),
        (Some(90_000_000), Some("Model 35SA"))
    );
    let id = made["id"].clone();

    let qualified = move_to(&rep, &id, created.header("etag").unwrap(), json!({"stage": "qualified"})).await;
    assert_eq!(
        (qualified.status, qualified.body["probability"].as_i64()),
        (StatusCode::OK, Some(25)),
        "{}",
        qualified.body
    );
    let stale = move_to(&rep, &id, created.header("etag").unwrap(), json!({"stage": "proposal"})).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.body);
    let unversioned = rep.post(&format!("/api/v1/opportunities/{id}/stage"), json!({"stage": "proposal"})).await;
    assert_eq!(unversioned.status, StatusCode::PRECONDITION_REQUIRED);

    let quote = rep
        .post(
            "/api/v1/quotes",
            json!({"customer_id": school["id"], "opportunity_id": id,
                "lines": [{"product_id": products.viscometer, "quantity": 2}]}),
        )
        .await;
    assert_eq!((quote.status, &quote.body["opportunity_id"]), (StatusCode::CREATED, &id), "{}", quote.body);
    let proposed = rep.get(&format!("/api/v1/opportunities/{id}")).await;
    assert_eq!((proposed.body["stage"].as_str(), proposed.body["probability"].as_i64()), (Some("proposal"), Some(50)));
    let of_it = rep.get(&format!("/api/v1/quotes?opportunity_id={id}")).await;
    assert_eq!(of_it.body["items"].as_array().unwrap().len(), 1);

    move_now(&rep, &id, json!({"stage": "negotiation", "note": "giảm 3%"})).await;
    let accepted = rep.post(&format!("/api/v1/quotes/{}/accept", quote.body["id"]), json!({})).await;
    assert_eq!(accepted.body["status"], "accepted", "{}", accepted.body);
    let won = rep.get(&format!("/api/v1/opportunities/{id}")).await;
    assert_eq!((won.body["stage"].as_str(), won.body["probability"].as_i64()), (Some("won"), Some(100)));
    assert_eq!(won.body["closed_on"].as_str(), Some(dates::today().to_string().as_str()));

    let history = rep.get(&format!("/api/v1/opportunities/{id}/history")).await;
    let stage = |s: &str| s.to_owned();
    assert_eq!(
        stages_of(&history),
        [
            (None, stage("prospecting")),
            (Some(stage("prospecting")), stage("qualified")),
            (Some(stage("qualified")), stage("proposal")),
            (Some(stage("proposal")), stage("negotiation")),
            (Some(stage("negotiation")), stage("won")),
        ]
    );
    let last = &history.body["items"][4];
    assert_eq!(last["changed_by"], "sales.hn");
    assert_eq!(last["note"].as_str().unwrap(), format!("quote {} accepted", quote.body["number"].as_str().unwrap()));

    let reopened = move_to(&rep, &id, won.header("etag").unwrap(), json!({"stage": "negotiation"})).await;
    assert_eq!(reopened.status, StatusCode::CONFLICT, "a rep does not reopen: {}", reopened.body);
    let manager = system.login("manager.hn").await;
    let reopened = move_to(&manager, &id, won.header("etag").unwrap(), json!({"stage": "negotiation"})).await;
    assert_eq!((reopened.status, reopened.body["closed_on"].is_null()), (StatusCode::OK, true), "{}", reopened.body);
    let late = rep
        .post(
            "/api/v1/quotes",
            json!({"customer_id": school["id"], "opportunity_id": 999_999,
        "lines": [{"product_id": products.viscometer, "quantity": 1}]}),
        )
        .await;
    assert_eq!(late.error_fields(), ["opportunity_id"]);
    system.stop().await;
}

#[tokio::test]
async fn a_signed_contract_wins_its_opportunity_and_only_the_same_customers_open_one_is_taken() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let lab = rep.create_customer(customer("Viện Hóa học", "project", "HN")).await;
    let other = rep.create_customer(customer("Công ty Minh Phát", "dealer", "HN")).await;
    let deal = open(&rep, opportunity(&lab["id"], "Thiết bị đo lưu biến", 400_000_000, 20)).await;
    let contract = |customer_id: &Value| {
        json!({"name": "Cung cấp thiết bị", "customer_id": customer_id,
        "opportunity_id": deal["id"], "value": 400_000_000})
    };
    let wrong = rep.post("/api/v1/contracts", contract(&other["id"])).await;
    assert_eq!(wrong.error_fields(), ["opportunity_id"], "{}", wrong.body);
    let made = rep.post("/api/v1/contracts", contract(&lab["id"])).await;
    assert_eq!((made.status, &made.body["opportunity_id"]), (StatusCode::CREATED, &deal["id"]), "{}", made.body);
    let path = made.header("location").unwrap().to_owned();
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
    let kept = rep.send_raw(Method::POST, &format!("{path}/files?file_name=hd.pdf"), "application/pdf", pdf).await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.body);
    let current = rep.get(&path).await;
    let signed = rep.patch(&path, json!({"status": "signed"}), current.header("etag").unwrap()).await;
    assert_eq!(signed.body["status"], "signed", "{}", signed.body);
    let won = rep.get(&format!("/api/v1/opportunities/{}", deal["id"])).await;
    assert_eq!(won.body["stage"], "won");
    let history = rep.get(&format!("/api/v1/opportunities/{}/history", deal["id"])).await;
    let note = history.body["items"][1]["note"].as_str().unwrap();
    assert_eq!(note, format!("contract {} signed", made.body["number"].as_str().unwrap()));
    let closed = rep.post("/api/v1/contracts", contract(&lab["id"])).await;
    assert_eq!(closed.error_fields(), ["opportunity_id"], "a won opportunity takes no new contract");
    system.stop().await;
}

fn figures(report: &Value, part: &str, key: &str) -> Value {
    let rows = report[part].as_array().unwrap();
    rows.iter().find(|r| r["key"] == key || r["stage"] == key).cloned().unwrap_or(Value::Null)
}

#[tokio::test]
async fn lost_deals_keep_their_reason_and_the_pipeline_adds_up_exactly_within_each_territory() {
    let system = TestSystem::start().await;
    let (hn, hcm) = (system.login("sales.hn").await, system.login("sales.hcm").await);
    let plant = hn.create_customer(customer("Nhà máy Xi măng Bút Sơn", "project", "HN")).await;
    let port = hcm.create_customer(customer("Cảng Cát Lái", "project", "HCM")).await;
    let early = open(&hn, opportunity(&plant["id"], "Phòng thí nghiệm hóa", 1_000_000_333, 30)).await;
    let mut judged = opportunity(&plant["id"], "Máy nghiền mẫu", 500_000_005, 90);
    judged["stage"] = json!("qualified");
    judged["probability"] = json!(33);
    let judged = open(&hn, judged).await;
    let lost = open(&hn, opportunity(&plant["id"], "Tủ sấy", 200_000_000, 10)).await;
    let won = open(&hcm, opportunity(&port["id"], "Thiết bị kiểm định", 700_000_000, 15)).await;

    let current = hn.get(&format!("/api/v1/opportunities/{}", lost["id"])).await;
    let reasonless = move_to(&hn, &lost["id"], current.header("etag").unwrap(), json!({"stage": "lost"})).await;
    assert_eq!(reasonless.error_fields(), ["lost_reason"]);
    let lost =
        move_now(&hn, &lost["id"], json!({"stage": "lost", "lost_reason": "competitor", "competitor": "Hãng B"})).await;
    assert_eq!((lost["lost_reason"].as_str(), lost["competitor"].as_str()), (Some("competitor"), Some("Hãng B")));
    move_now(&hcm, &won["id"], json!({"stage": "won"})).await;

    let director = system.login("director").await;
    let report = director.get("/api/v1/reports/pipeline").await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let stage = |name: &str| {
        let f = figures(&report.body, "stages", name);
        (f["count"].as_i64().unwrap(), f["value"].as_i64().unwrap(), f["weighted_value"].as_i64().unwrap())
    };
    // 1,000,000,333 × 10% = 100,000,033.3 -> 100,000,033; 500,000,005 × 33% = 165,000,001.65 -> 165,000,002.
    assert_eq!(stage("prospecting"), (1, 1_000_000_333, 100_000_033));
    assert_eq!(stage("qualified"), (1, 500_000_005, 165_000_002));
    assert_eq!((stage("proposal"), stage("negotiation")), ((0, 0, 0), (0, 0, 0)));
    assert_eq!((stage("won"), stage("lost")), ((1, 700_000_000, 700_000_000), (1, 200_000_000, 0)));
    let hn_owner = figures(&report.body, "owners", "sales.hn");
    assert_eq!(
        (&hn_owner["open_count"], &hn_owner["open_value"], &hn_owner["weighted_forecast"], &hn_owner["lost_count"]),
        (&json!(2), &json!(1_500_000_338_i64), &json!(265_000_035), &json!(1))
    );
    assert_eq!(hn_owner["win_rate_bp"], 0);
    let hcm_office = figures(&report.body, "offices", "HCM");
    assert_eq!(
        (&hcm_office["won_count"], &hcm_office["won_value"], &hcm_office["win_rate_bp"]),
        (&json!(1), &json!(700_000_000), &json!(10_000))
    );
    let soon = director.get(&format!("/api/v1/reports/pipeline?office=HN&close_to={}", dates::plus(60))).await;
    let soon_hn = figures(&soon.body, "offices", "HN");
    assert_eq!(
        (&soon_hn["open_value"], &soon_hn["lost_count"]),
        (&json!(1_000_000_333_i64), &json!(1)),
        "{}",
        soon.body
    );

    let own = hcm.get("/api/v1/reports/pipeline").await;
    assert_eq!(own.body["offices"].as_array().unwrap().len(), 1, "{}", own.body);
    let foreign = hcm.get("/api/v1/reports/pipeline?office=HN").await;
    assert_eq!(
        (
            foreign.body["owners"].as_array().unwrap().len(),
            figures(&foreign.body, "stages", "prospecting")["count"].as_i64()
        ),
        (0, Some(0))
    );
    let hidden = hcm.get(&format!("/api/v1/opportunities/{}", judged["id"])).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let listed = hcm.get("/api/v1/opportunities").await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);

    let found = hn.get("/api/v1/opportunities?q=phong%20thi%20nghiem").await;
    assert_eq!(found.body["items"][0]["id"], early["id"], "diacritics do not matter: {}", found.body);
    let by_stage = hn.get("/api/v1/opportunities?stage=lost").await;
    assert_eq!(by_stage.body["items"].as_array().unwrap().len(), 1);
    let csv = hn.get("/api/v1/opportunities?format=csv").await;
    let text = csv.body.as_str().unwrap().trim_start_matches('\u{feff}').to_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with("id,customer_code,customer_name,office,title,stage,expected_value"));
    assert!(
        lines[3].contains(",lost,200000000,0,0,")
            && lines[3].ends_with(&format!(",sales.hn,competitor,Hãng B,{}", dates::today())),
        "{}",
        lines[3]
    );
    system.stop().await;
}

fn assert_shows(page: &Page, what: &str, expected: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.html);
    for text in expected {
        assert!(page.html.contains(text), "{what} shows {text}: {}", page.html);
    }
}

#[tokio::test]
async fn a_rep_opens_moves_and_quotes_an_opportunity_through_the_vietnamese_pages() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let school = rep.create_customer(customer("Trường Đại học Mỏ", "project", "HN")).await;
    let builder = rep.create_customer(customer("Công ty Xây dựng Sông Đà", "dealer", "HN")).await;
    let party = json!({"role": "contractor", "party_customer_id": builder["id"], "influence": "decision_maker"});
    let added = rep.post(&format!("/api/v1/customers/{}/parties", school["id"]), party).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let customer_id = school["id"].to_string();
    let mut web = WebSession::sign_in(&system, "sales.hn", "vi").await;
    let csrf = web.csrf();
    let home = web.get("/").await;
    assert_shows(&home, "the menu", &["href=\"/opportunities\""]);

    let form = web.get(&format!("/opportunities/new?customer_id={customer_id}")).await;
    assert_shows(&form, "the new opportunity form", &["Tên cơ hội", "Trường Đại học Mỏ"]);
    let close_on = dates::plus(45);
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("idempotency_key", "web-opportunity-1"),
        ("customer_id", customer_id.as_str()),
        ("title", ""),
        ("expected_value", "900.000.000"),
        ("expected_close_on", close_on.as_str()),
    ];
    let refused = web.post_form("/opportunities", &fields).await;
    assert_shows(&refused, "an opportunity without a title", &["id=\"title-error\"", "không được để trống"]);
    fields[3] = ("title", "Phòng thí nghiệm địa chất");
    fields[1] = ("idempotency_key", "web-opportunity-2");
    let made = web.post_form("/opportunities", &fields).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let path = made.location.clone().unwrap();
    let page = web.get(&path).await;
    assert_shows(
        &page,
        "the opportunity",
        &["Tìm hiểu", "900.000.000 ₫", "90.000.000 ₫", "Lập báo giá", "Chủ thi công", "Công ty Xây dựng Sông Đà"],
    );

    let moved =
        web.post_form(&format!("{path}/stage"), &[("csrf", &csrf), ("version", "1"), ("stage", "qualified")]).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.html);
    let stale =
        web.post_form(&format!("{path}/stage"), &[("csrf", &csrf), ("version", "1"), ("stage", "proposal")]).await;
    assert_shows(&stale, "a move from a stale page", &["role=\"alert\"", "Đủ điều kiện"]);
    let reasonless =
        web.post_form(&format!("{path}/stage"), &[("csrf", &csrf), ("version", "2"), ("stage", "lost")]).await;
    assert_shows(&reasonless, "a loss without its reason", &["bắt buộc khi cơ hội bị mất"]);

    let id = path.trim_start_matches("/opportunities/");
    let quote_form = web.get(&format!("/quotes/new?customer_id={customer_id}&opportunity_id={id}")).await;
    assert_shows(
        &quote_form,
        "the quote form for the opportunity",
        &[&format!("name=\"opportunity_id\" value=\"{id}\"")],
    );
    let board = web.get("/opportunities/pipeline").await;
    assert_shows(
        &board,
        "the pipeline board",
        &["Phễu bán hàng", "id=\"stage-qualified\"", "225.000.000 ₫", "sales.hn"],
    );
    system.stop().await;
}

#[tokio::test]
async fn a_director_reads_the_list_and_the_pipeline_in_english() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hcm").await;
    let port = rep.create_customer(customer("Cảng Cát Lái", "project", "HCM")).await;
    let deal = open(&rep, opportunity(&port["id"], "Thiết bị kiểm định", 700_000_000, 15)).await;
    move_now(&rep, &deal["id"], json!({"stage": "lost", "lost_reason": "price", "competitor": "Hãng C"})).await;
    let mut web = WebSession::sign_in(&system, "director", "en").await;
    let list = web.get("/opportunities?stage=lost").await;
    assert_shows(&list, "the list", &["Opportunities", "Thiết bị kiểm định", "Lost", "₫700,000,000"]);
    let page = web.get(&format!("/opportunities/{}", deal["id"])).await;
    assert_shows(&page, "a lost opportunity", &["Lost because", "Price", "Hãng C", "Move to stage"]);
    let board = web.get("/opportunities/pipeline?office=HCM").await;
    assert_shows(&board, "the pipeline", &["Pipeline", "Win rate", "0.00%", "sales.hcm"]);
    let mut accountant = WebSession::sign_in(&system, "accountant", "en").await;
    assert!(!accountant.get("/").await.html.contains("href=\"/opportunities\""), "not in the accountant's menu");
    system.stop().await;
}
