//! Dealers and the price sheet: a published sheet with columns for the dealer tiers beside the
//! customer groups, quotes that take a tier-1 or tier-2 dealer's own price and a school's group
//! price; the dealer contract of kind `dealer` made by the approval, with its signed copy; the
//! documents of a dealer-opening request.

use atq_tests::dates::today;
use atq_tests::{Session, TestProducts, TestSystem, customer, seed_products};
use chrono::Datelike;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A prospect's two years of figures; the seeded rule version (migration 114) decides tier1 for
/// lab-equipment sales of 6 and 8 bn VND with 40% big brands and 12 staff, and tier2 for 2 and
/// 2.2 bn VND with 20% big brands and 5 staff.
fn application(name: &str, lab_sales: [i64; 2], big_brand_share_bp: i64, staff: i64, tier: &str) -> Value {
    let year = today().year();
    let figures = |year: i32, lab_sales: i64| {
        json!({"year": year, "revenue": lab_sales * 2, "lab_sales": lab_sales,
            "big_brand_share_bp": big_brand_share_bp, "small_brand_share_bp": 10_000 - big_brand_share_bp,
            "staff": staff, "shops": 1})
    };
    json!({
        "prospect": {"name": name, "phone": "0912 345 678", "address": "45 Phố Huế, Hai Bà Trưng, Hà Nội"},
        "region": "Miền Bắc",
        "years": [figures(year - 2, lab_sales[0]), figures(year - 1, lab_sales[1])],
        "proposed_tier": tier,
    })
}

async fn ok(session: &Session, path: &str, body: Value) -> Value {
    let reply = session.post(path, body).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    reply.body
}

/// Writes, submits and evaluates an application, then a director approves it at `tier`.
async fn approved(rep: &Session, director: &Session, body: Value, tier: &str, reason: &str) -> Value {
    let created = rep.post("/api/v1/dealer-applications", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let path = format!("/api/v1/dealer-applications/{}", created.body["id"]);
    ok(rep, &format!("{path}/submit"), json!({})).await;
    ok(rep, &format!("{path}/evaluate"), json!({})).await;
    ok(director, &format!("{path}/approve"), json!({"tier": tier, "reason": reason})).await
}

fn line<'a>(list: &'a Value, product_id: i64, column: &str) -> Option<&'a Value> {
    list["lines"].as_array().unwrap().iter().find(|l| l["product_id"] == product_id && l["customer_group"] == column)
}

/// Publishes a sheet, in force since yesterday, pricing tier1 and tier2 but not distributors.
async fn published_sheet(system: &TestSystem, products: &TestProducts) -> Value {
    let officer = system.login("import").await;
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Days::new(1)).to_string();
    let draft = officer
        .post(
            "/api/v1/price-lists",
            json!({"effective_on": yesterday, "rounding_step": 1000,
            "margins": {"individual": "0.35", "dealer": "0.20", "project": "0.25", "tier1": "0.12", "tier2": "0.15"},
            "costs": [{"product_id": products.filter_press, "unit_cost": 200_000_000},
                      {"product_id": products.viscometer, "unit_cost": 150_000_400}]}),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body);
    assert_eq!(draft.body["lines"].as_array().unwrap().len(), 10, "two products x (three groups + two tiers)");
    assert_eq!(
        (draft.body["margins"]["tier1"].as_str(), draft.body["margins"]["tier2"].as_str()),
        (Some("0.12"), Some("0.15"))
    );
    assert!(draft.body["margins"].get("distributor").is_none(), "{}", draft.body);
    // 200,000,000 x 1.12 = 224,000,000 (+10% VAT 246,400,000); x 1.15 = 230,000,000
    let tier1 = line(&draft.body, products.filter_press, "tier1").expect("a tier1 line");
    assert_eq!((tier1["price_net"].as_i64(), tier1["price_gross"].as_i64()), (Some(224_000_000), Some(246_400_000)));
    assert_eq!(line(&draft.body, products.filter_press, "tier2").unwrap()["price_net"], 230_000_000);
    assert!(line(&draft.body, products.filter_press, "distributor").is_none());
    // 150,000,400 x 1.12 = 168,000,448 -> 168,000,000 at a step of 1,000
    assert_eq!(line(&draft.body, products.viscometer, "tier1").unwrap()["price_net"], 168_000_000);
    let changes = officer.get(&format!("/api/v1/price-lists/{}/changes", draft.body["id"])).await.body;
    let new_tier_lines = changes["items"].as_array().unwrap().iter().filter(|c| c["customer_group"] == "tier2").count();
    assert_eq!(new_tier_lines, 2, "{changes}");
    let published = officer.post(&format!("/api/v1/price-lists/{}/publish", draft.body["id"]), json!({})).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    draft.body
}

async fn quoted_price(rep: &Session, customer_id: &Value, product_id: i64) -> (i64, String) {
    let quote = rep
        .post(
            "/api/v1/quotes",
            json!({"customer_id": customer_id, "lines": [{"product_id": product_id, "quantity": 1}]}),
        )
        .await;
    assert_eq!(quote.status, StatusCode::CREATED, "{}", quote.body);
    (quote.body["lines"][0]["unit_price"].as_i64().unwrap(), quote.body["price_list"].as_str().unwrap_or("").into())
}

#[tokio::test]
async fn a_dealers_quote_takes_its_tiers_price_and_a_school_its_groups() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let rep = system.login("sales.hn").await;
    let director = system.login("director").await;
    let sheet = published_sheet(&system, &products).await;
    let number = sheet["number"].as_str().unwrap().to_owned();

    let tier1_body = application("Công ty TNHH Thiết bị Minh Long", [6_000_000_000, 8_000_000_000], 4000, 12, "tier1");
    let tier1 = approved(&rep, &director, tier1_body, "tier1", "").await;
    let tier2_body = application("Cửa hàng Thiết bị Hòa Bình", [2_000_000_000, 2_200_000_000], 2000, 5, "tier2");
    let tier2 = approved(&rep, &director, tier2_body, "tier2", "").await;
    assert_eq!(tier2["evaluation"]["decided_tier"], "tier2", "{tier2}");
    let distributor_body =
        application("Công ty CP Phân phối Sao Việt", [6_000_000_000, 8_000_000_000], 4000, 12, "tier1");
    let distributor = approved(&rep, &director, distributor_body, "distributor", "Kênh phân phối miền Bắc").await;
    let school = rep.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    let untiered = rep.create_customer(customer("Cửa hàng Thiết bị Ánh Dương", "dealer", "HN")).await;

    let press = products.filter_press;
    assert_eq!(quoted_price(&rep, &tier1["customer_id"], press).await, (224_000_000, number.clone()));
    assert_eq!(quoted_price(&rep, &tier2["customer_id"], press).await, (230_000_000, number.clone()));
    // 200,000,000 x 1.25 for projects, x 1.20 for dealers.
    assert_eq!(quoted_price(&rep, &school["id"], press).await, (250_000_000, number.clone()));
    assert_eq!(
        quoted_price(&rep, &untiered["id"], press).await,
        (240_000_000, number.clone()),
        "a dealer without a tier"
    );
    assert_eq!(
        quoted_price(&rep, &distributor["customer_id"], press).await,
        (240_000_000, number.clone()),
        "the sheet has no distributor column: the dealer group's price"
    );

    let sales = rep.get("/api/v1/price-lists/current?group=tier1").await;
    assert_eq!(sales.status, StatusCode::OK, "{}", sales.body);
    let columns: Vec<&str> =
        sales.body["lines"].as_array().unwrap().iter().map(|l| l["customer_group"].as_str().unwrap()).collect();
    assert_eq!(columns, ["tier1", "tier1"]);
    assert!(sales.body["lines"][0].get("unit_cost").is_none(), "sales staff do not see costs");
    let wrong = rep.get("/api/v1/price-lists/current?group=tier3").await;
    assert_eq!((wrong.status, wrong.error_fields()), (StatusCode::BAD_REQUEST, vec!["group".to_owned()]));
    let (status, _, csv) = rep.download("/api/v1/price-lists/current?format=csv").await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.lines().any(|l| l.starts_with("tier2,") && l.contains(",230000000,")), "{csv}");
    system.stop().await;
}

/// A small but real PDF, and the first bytes of a PNG photo.
fn pdf(marker: &str) -> Vec<u8> {
    format!("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% {marker}\ntrailer << /Root 1 0 R >>\n%%EOF\n")
        .into_bytes()
}

fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(b"\0\0\0\rIHDR storefront photo");
    bytes
}

#[tokio::test]
async fn the_approval_drafts_the_dealer_contract_and_the_request_keeps_its_documents() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let director = system.login("director").await;
    let body = application("Công ty TNHH Thiết bị Minh Long", [6_000_000_000, 8_000_000_000], 4000, 12, "tier1");
    let created = rep.post("/api/v1/dealer-applications", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let path = format!("/api/v1/dealer-applications/{}", created.body["id"]);

    let licence = pdf("Giấy chứng nhận đăng ký doanh nghiệp 0101234567");
    let kept = rep
        .send_raw(
            Method::POST,
            &format!("{path}/files?file_name=Giấy phép kinh doanh.pdf"),
            "application/pdf",
            licence.clone(),
        )
        .await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.body);
    assert_eq!(kept.header("location"), kept.body["href"].as_str());
    let photo = rep.send_raw(Method::POST, &format!("{path}/files?file_name=cua-hang.png"), "image/png", png()).await;
    assert_eq!((photo.status, photo.body["content_type"].as_str()), (StatusCode::CREATED, Some("image/png")));
    let not_a_document =
        rep.send_raw(Method::POST, &format!("{path}/files?file_name=x.pdf"), "application/pdf", b"MZ".to_vec()).await;
    assert_eq!(
        (not_a_document.status, not_a_document.error_fields()),
        (StatusCode::BAD_REQUEST, vec!["file".to_owned()])
    );
    let listed = rep.get(&format!("{path}/files")).await.body;
    let names: Vec<&str> = listed.as_array().unwrap().iter().map(|f| f["file_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Giấy phép kinh doanh.pdf", "cua-hang.png"]);
    let (status, _, bytes) = director.download(kept.body["href"].as_str().unwrap()).await;
    assert_eq!((status, bytes), (StatusCode::OK, licence));
    let elsewhere = system.login("sales.hcm").await.get(&format!("{path}/files")).await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND, "another office's request: {}", elsewhere.body);

    ok(&rep, &format!("{path}/submit"), json!({})).await;
    ok(&rep, &format!("{path}/evaluate"), json!({})).await;
    let decided = ok(&director, &format!("{path}/approve"), json!({"tier": "tier1"})).await;
    let contract_id = decided["contract_id"].as_i64().expect("the approval drafts the dealer contract");
    let contract_path = format!("/api/v1/contracts/{contract_id}");
    let contract = rep.get(&contract_path).await;
    assert_eq!(contract.status, StatusCode::OK, "{}", contract.body);
    assert_eq!(
        (contract.body["kind"].as_str(), contract.body["status"].as_str(), contract.body["customer_id"].as_i64()),
        (Some("dealer"), Some("draft"), decided["customer_id"].as_i64())
    );
    assert_eq!(contract.body["name"], "Hợp đồng đại lý cấp 1 – Công ty TNHH Thiết bị Minh Long");
    assert_eq!(contract.body["responsible"], "sales.hn");

    let signed_copy = pdf("Hợp đồng đại lý đã ký");
    let uploaded = rep
        .send_raw(
            Method::POST,
            &format!("{contract_path}/files?file_name=HĐ đại lý đã ký.pdf"),
            "application/pdf",
            signed_copy.clone(),
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    let (status, _, bytes) = director.download(uploaded.body["href"].as_str().unwrap()).await;
    assert_eq!((status, bytes), (StatusCode::OK, signed_copy));
    let current = rep.get(&contract_path).await;
    let signed = rep.patch(&contract_path, json!({"status": "signed"}), current.header("etag").unwrap()).await;
    assert_eq!((signed.status, signed.body["status"].as_str()), (StatusCode::OK, Some("signed")), "{}", signed.body);
    let file = rep.get(&path).await.body;
    assert_eq!(file["contract_id"], contract_id, "the dealer file links its contract");
    system.stop().await;
}

#[tokio::test]
async fn a_contract_is_a_sale_unless_it_says_dealer_and_an_approval_names_only_a_dealer_contract() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let director = system.login("director").await;
    let shop = rep.create_customer(customer("Cửa hàng Thiết bị Ánh Dương", "dealer", "HN")).await;
    let sale =
        rep.post("/api/v1/contracts", json!({"name": "Cung cấp máy đo độ nhớt", "customer_id": shop["id"]})).await;
    assert_eq!((sale.status, sale.body["kind"].as_str()), (StatusCode::CREATED, Some("sale")), "{}", sale.body);
    let odd =
        rep.post("/api/v1/contracts", json!({"name": "Thuê kho", "customer_id": shop["id"], "kind": "lease"})).await;
    assert_eq!((odd.status, odd.error_fields()), (StatusCode::BAD_REQUEST, vec!["kind".to_owned()]));
    let dealer = rep
        .post("/api/v1/contracts", json!({"name": "Hợp đồng đại lý 2026", "customer_id": shop["id"], "kind": "dealer"}))
        .await;
    assert_eq!(dealer.body["kind"], "dealer", "{}", dealer.body);

    let mut body = application("", [6_000_000_000, 8_000_000_000], 4000, 12, "tier1");
    body["customer_id"] = shop["id"].clone();
    body.as_object_mut().unwrap().remove("prospect");
    let created = rep.post("/api/v1/dealer-applications", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let path = format!("/api/v1/dealer-applications/{}", created.body["id"]);
    ok(&rep, &format!("{path}/submit"), json!({})).await;
    ok(&rep, &format!("{path}/evaluate"), json!({})).await;
    let refused =
        director.post(&format!("{path}/approve"), json!({"tier": "tier1", "contract_id": sale.body["id"]})).await;
    assert_eq!((refused.status, refused.error_fields()), (StatusCode::BAD_REQUEST, vec!["contract_id".to_owned()]));
    let decided =
        ok(&director, &format!("{path}/approve"), json!({"tier": "tier1", "contract_id": dealer.body["id"]})).await;
    assert_eq!(decided["contract_id"], dealer.body["id"], "the dealer contract named is kept, no second one made");
    let contracts = rep.get(&format!("/api/v1/contracts?customer_id={}", shop["id"])).await.body;
    assert_eq!(contracts["items"].as_array().unwrap().len(), 2, "{contracts}");
    system.stop().await;
}

fn assert_shows(page: &atq_tests::web::Page, what: &str, expected: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.html);
    for text in expected {
        assert!(page.html.contains(text), "{what} shows {text}: {}", page.html);
    }
}

#[tokio::test]
async fn the_pages_show_tier_columns_the_dealer_contract_and_the_requests_documents() {
    use atq_tests::web::WebSession;
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    published_sheet(&system, &products).await;
    let rep = system.login("sales.hn").await;
    let director = system.login("director").await;
    let body = application("Công ty TNHH Thiết bị Minh Long", [6_000_000_000, 8_000_000_000], 4000, 12, "tier1");
    let decided = approved(&rep, &director, body, "tier1", "").await;
    let (id, contract_id) = (decided["id"].as_i64().unwrap(), decided["contract_id"].as_i64().unwrap());

    let mut vi = WebSession::sign_in(&system, "sales.hn", "vi").await;
    let sheet = vi.get("/price-sheet?group=tier1").await;
    assert_shows(&sheet, "the tier-1 column", &["Nhóm khách hàng / hạng đại lý", "Đại lý cấp 1", "224.000.000"]);
    assert!(!sheet.html.contains("250.000.000"), "only the tier-1 column: {}", sheet.html);
    let mut en = WebSession::sign_in(&system, "sales.hn", "en").await;
    let every_column = en.get("/price-sheet").await;
    assert_shows(&every_column, "every column", &["Customer group / dealer tier", "Tier-2 dealer", "230,000,000"]);

    let page = format!("/dealers/{id}");
    let file = vi.get(&page).await;
    assert_shows(
        &file,
        "the dealer file",
        &["Hợp đồng đại lý", &format!("href=\"/contracts/{contract_id}\""), "id=\"files\""],
    );
    let csrf = vi.csrf();
    let licence = pdf("Giấy phép kinh doanh");
    let sent = vi
        .post_multipart(
            &format!("{page}/files"),
            &[("csrf", &csrf)],
            "file",
            ("Giấy phép.pdf", "application/pdf", &licence),
        )
        .await;
    assert_eq!(
        (sent.status, sent.location.as_deref()),
        (StatusCode::SEE_OTHER, Some(format!("{page}#files").as_str()))
    );
    let file_id = rep.get(&format!("/api/v1/dealer-applications/{id}/files")).await.body[0]["id"].as_i64().unwrap();
    let href = format!("{page}/files/{file_id}");
    assert_shows(&vi.get(&page).await, "the kept document", &["Giấy phép.pdf", &href]);
    let downloaded = vi.get(&href).await;
    assert_eq!((downloaded.status, downloaded.html.as_bytes()), (StatusCode::OK, licence.as_slice()));
    let junk = vi
        .post_multipart(&format!("{page}/files"), &[("csrf", &csrf)], "file", ("x.pdf", "application/pdf", b"MZ"))
        .await;
    assert_shows(&junk, "a file of another kind", &["id=\"file-error\""]);

    let contract = vi.get(&format!("/contracts/{contract_id}")).await;
    assert_shows(&contract, "the dealer contract", &["Loại hợp đồng", "id=\"contract-kind\">Hợp đồng đại lý<"]);
    let contract = en.get(&format!("/contracts/{contract_id}")).await;
    assert_shows(&contract, "the dealer contract in English", &["Contract kind", ">Dealer contract<"]);
    system.stop().await;
}
