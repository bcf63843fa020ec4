//! Promotion programmes: made by a sales manager for his office or by a director, activated, and
//! applied by themselves to the quotes and typed orders that qualify (office, customer group or
//! dealer tier, product, threshold) and to no other; a programme that is not stackable standing
//! alone when it is worth more; a gift line at its price, discounted whole; the report of each
//! programme's revenue, discount and gifts over confirmed orders. A dealer's typed order takes its
//! tier's price from the sheet.

use atq_tests::dates::today;
use atq_tests::{Session, TestProducts, TestSystem, customer, seed_products};
use chrono::Datelike;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn programme(code: &str, name: &str, rule: Value, scope: Value) -> Value {
    let mut body = json!({"code": code, "name": name, "starts_on": today().to_string(),
        "ends_on": (today() + chrono::Days::new(30)).to_string(), "rule": rule, "stackable": true});
    for (key, value) in scope.as_object().unwrap() {
        body[key] = value.clone();
    }
    body
}

/// Creates and activates a programme; answers its id.
async fn active(manager: &Session, body: Value) -> i64 {
    let created = manager.post("/api/v1/promotions", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["status"], "draft");
    let id = created.body["id"].as_i64().unwrap();
    let activated = manager.post(&format!("/api/v1/promotions/{id}/activate"), json!({})).await;
    assert_eq!(
        (activated.status, activated.body["status"].as_str()),
        (StatusCode::OK, Some("active")),
        "{}",
        activated.body
    );
    id
}

async fn order(rep: &Session, customer_id: &Value, lines: Value) -> Value {
    let created = rep.post("/api/v1/orders", json!({"customer_id": customer_id, "lines": lines})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body
}

async fn confirm(rep: &Session, order: &Value) {
    let confirmed = rep.post(&format!("/api/v1/orders/{}/confirm", order["id"]), json!({})).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
}

/// (net, promotions) of each line.
fn lines(document: &Value) -> Vec<(i64, Vec<String>)> {
    let names =
        |l: &Value| l["promotions"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_owned()).collect();
    document["lines"].as_array().unwrap().iter().map(|l| (l["net_amount"].as_i64().unwrap(), names(l))).collect()
}

/// HN's programmes on the filter press for projects: 10% stackable, 15% not (wins alone), a
/// viscometer given with it; company-wide, 10,000,000 off viscometer lines reaching 500,000,000.
async fn hn_programmes(system: &TestSystem, products: &TestProducts) -> [i64; 4] {
    let manager = system.login("manager.hn").await;
    let director = system.login("director").await;
    let press = json!({"offices": ["HN"], "customer_groups": ["project"], "product_ids": [products.filter_press]});
    let ten =
        programme("KM-HN-10", "Giảm 10% máy lọc", json!({"kind": "percent_off", "percent": "0.10"}), press.clone());
    let mut fifteen = programme(
        "KM-HN-15",
        "Ưu đãi 15% trường học",
        json!({"kind": "percent_off", "percent": "0.15"}),
        press.clone(),
    );
    fifteen["stackable"] = json!(false);
    let gift = json!({"kind": "gift", "free_product_id": products.viscometer, "free_quantity": 1});
    let gift = programme("KM-HN-QUA", "Tặng máy đo độ nhớt", gift, press);
    let threshold = json!({"kind": "order_threshold", "min_order_net": 500_000_000, "amount": 10_000_000});
    let threshold =
        programme("KM-NGUONG", "Đơn trên 500 triệu", threshold, json!({"product_ids": [products.viscometer]}));
    [
        active(&manager, ten).await,
        active(&manager, fifteen).await,
        active(&manager, gift).await,
        active(&director, threshold).await,
    ]
}

#[tokio::test]
async fn programmes_apply_to_the_orders_that_qualify_and_the_report_counts_them() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let manager = system.login("manager.hn").await;
    let rep = system.login("sales.hn").await;
    let mut elsewhere = programme("KM-HCM", "Giảm HCM", json!({"kind": "percent_off", "percent": "0.05"}), json!({}));
    elsewhere["offices"] = json!(["HCM"]);
    let refused = manager.post("/api/v1/promotions", elsewhere.clone()).await;
    assert_eq!((refused.status, refused.error_fields()), (StatusCode::BAD_REQUEST, vec!["offices".to_owned()]));
    assert_eq!(rep.post("/api/v1/promotions", elsewhere).await.status, StatusCode::FORBIDDEN);
    let bad = programme("KM-X", "X", json!({"kind": "percent_off", "percent": "0.10", "amount": -1}), json!({}));
    let refused = manager.post("/api/v1/promotions", bad).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    let [ten, fifteen, gift, threshold] = hn_programmes(&system, &products).await;
    let listed = rep.get("/api/v1/promotions?status=active").await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 4, "{}", listed.body);

    let school = rep.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    let promoted = order(
        &rep,
        &school["id"],
        json!([
            {"product_id": products.filter_press, "quantity": 2},
            {"product_id": products.viscometer, "quantity": 2},
        ]),
    )
    .await;
    // 2 x 285,000,000 = 570,000,000: 15% alone (85,500,000) beats 10% (57,000,000); the viscometers
    // reach the threshold; one viscometer given, at its price, discounted whole.
    let names = |list: &[&str]| list.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    assert_eq!(
        lines(&promoted),
        [
            (484_500_000, names(&["Ưu đãi 15% trường học"])),
            (560_000_000, names(&["Đơn trên 500 triệu"])),
            (0, names(&["Tặng máy đo độ nhớt"])),
        ]
    );
    assert_eq!(
        (promoted["lines"][2]["unit_price"].as_i64(), promoted["lines"][2]["quantity"].as_i64()),
        (Some(285_000_000), Some(1))
    );
    assert_eq!(promoted["total_net"], 1_044_500_000);
    confirm(&rep, &promoted).await;
    // A draft that qualifies is not counted until confirmed.
    order(&rep, &school["id"], json!([{"product_id": products.filter_press, "quantity": 1}])).await;

    let hcm_rep = system.login("sales.hcm").await;
    let hcm_school = hcm_rep.create_customer(customer("Trường THPT Lê Hồng Phong", "project", "HCM")).await;
    let plain = order(
        &hcm_rep,
        &hcm_school["id"],
        json!([
            {"product_id": products.filter_press, "quantity": 2},
            {"product_id": products.viscometer, "quantity": 1},
        ]),
    )
    .await;
    assert_eq!(lines(&plain), [(570_000_000, vec![]), (285_000_000, vec![])], "another office, below the threshold");
    confirm(&hcm_rep, &plain).await;
    let person = rep.create_customer(customer("Nguyễn Văn Đức", "individual", "HN")).await;
    let other_group = order(&rep, &person["id"], json!([{"product_id": products.filter_press, "quantity": 1}])).await;
    assert_eq!(lines(&other_group), [(285_000_000, vec![])], "another customer group");

    let quote = rep
        .post(
            "/api/v1/quotes",
            json!({"customer_id": school["id"], "lines": [
        {"product_id": products.filter_press, "quantity": 2, "discount": "0.10"}]}),
        )
        .await;
    assert_eq!(quote.status, StatusCode::CREATED, "{}", quote.body);
    // 256,500,000 a unit after the quote's 10%; 15% of 513,000,000 = 76,950,000 more.
    assert_eq!(quote.body["lines"][0]["promotion_discount"], 76_950_000);
    assert_eq!(lines(&quote.body)[0], (436_050_000, names(&["Ưu đãi 15% trường học"])));
    assert_eq!(lines(&quote.body)[1], (0, names(&["Tặng máy đo độ nhớt"])));

    let day = today().to_string();
    let report = manager.get(&format!("/api/v1/reports/promotions?from={day}&to={day}")).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let figures: Vec<(i64, String, i64, i64, i64, i64)> = report.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_i64().unwrap();
            (
                n("promotion_id"),
                r["office"].as_str().unwrap().to_owned(),
                n("orders"),
                n("revenue"),
                n("discount"),
                n("gift_value"),
            )
        })
        .collect();
    assert_eq!(
        figures,
        [
            (fifteen, "HN".into(), 1, 484_500_000, 85_500_000, 0),
            (gift, "HN".into(), 1, 484_500_000, 0, 285_000_000),
            (threshold, "HN".into(), 1, 560_000_000, 10_000_000, 0),
        ]
    );
    assert!(!figures.iter().any(|row| row.0 == ten), "the 10% lost to the 15% everywhere");
    let one = rep.get(&format!("/api/v1/promotions/{gift}/report?from={day}&to={day}")).await;
    assert_eq!(one.body["rows"].as_array().unwrap().len(), 1, "{}", one.body);
    let ended = manager.post(&format!("/api/v1/promotions/{fifteen}/end"), json!({})).await;
    assert_eq!(ended.body["status"], "ended", "{}", ended.body);
    let mut edited =
        programme("KM-HN-15", "x", json!({"kind": "percent_off", "percent": "0.2"}), json!({"offices": ["HN"]}));
    edited["version"] = ended.body["version"].clone();
    let edit = manager.send(Method::PUT, &format!("/api/v1/promotions/{fifteen}"), Some(edited), &[]).await;
    assert_eq!(edit.status, StatusCode::CONFLICT, "only a draft is edited: {}", edit.body);
    let after = order(&rep, &school["id"], json!([{"product_id": products.filter_press, "quantity": 2}])).await;
    assert_eq!(lines(&after)[0], (513_000_000, names(&["Giảm 10% máy lọc"])), "once ended, the 10% applies");
    system.stop().await;
}

/// A prospect's figures that the seeded rule version (migration 114) decides tier1 for.
fn tier1_application(name: &str) -> Value {
    let year = today().year();
    let figures = |year: i32, lab_sales: i64| {
        json!({"year": year, "revenue": lab_sales * 2, "lab_sales": lab_sales, "big_brand_share_bp": 4000,
            "small_brand_share_bp": 6000, "staff": 12, "shops": 1})
    };
    json!({
        "prospect": {"name": name, "phone": "0912 345 678", "address": "45 Phố Huế, Hai Bà Trưng, Hà Nội"},
        "region": "Miền Bắc",
        "years": [figures(year - 2, 6_000_000_000), figures(year - 1, 8_000_000_000)],
        "proposed_tier": "tier1",
    })
}

async fn tier1_dealer(rep: &Session, director: &Session) -> Value {
    let created = rep.post("/api/v1/dealer-applications", tier1_application("Công ty TNHH Thiết bị Minh Long")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let path = format!("/api/v1/dealer-applications/{}", created.body["id"]);
    let mut last = Value::Null;
    for (session, step, body) in
        [(rep, "submit", json!({})), (rep, "evaluate", json!({})), (director, "approve", json!({"tier": "tier1"}))]
    {
        let reply = session.post(&format!("{path}/{step}"), body).await;
        assert_eq!(reply.status, StatusCode::OK, "{step}: {}", reply.body);
        last = reply.body;
    }
    last["customer_id"].clone()
}

/// A sheet in force since yesterday: filter press at cost 200,000,000, tier1 12%, dealers 20%.
async fn published_sheet(system: &TestSystem, products: &TestProducts) {
    let officer = system.login("import").await;
    let yesterday = (today() - chrono::Days::new(1)).to_string();
    let draft = officer
        .post(
            "/api/v1/price-lists",
            json!({"effective_on": yesterday, "rounding_step": 1000,
            "margins": {"individual": "0.35", "dealer": "0.20", "project": "0.25", "tier1": "0.12", "tier2": "0.15"},
            "costs": [{"product_id": products.filter_press, "unit_cost": 200_000_000}]}),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body);
    let published = officer.post(&format!("/api/v1/price-lists/{}/publish", draft.body["id"]), json!({})).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
}

#[tokio::test]
async fn a_dealers_typed_order_takes_its_tier_price_and_its_tiers_programme() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let rep = system.login("sales.hn").await;
    let director = system.login("director").await;
    published_sheet(&system, &products).await;
    let dealer = tier1_dealer(&rep, &director).await;
    let untiered = rep.create_customer(customer("Cửa hàng Thiết bị Ánh Dương", "dealer", "HN")).await;
    let per_unit = json!({"kind": "amount_off", "amount": 1_000_000});
    active(&director, programme("KM-CAP1", "Ưu đãi đại lý cấp 1", per_unit, json!({"tiers": ["tier1"]}))).await;

    let typed = order(
        &rep,
        &dealer,
        json!([
            {"product_id": products.filter_press, "quantity": 2},
            {"product_id": products.filter_press, "quantity": 1, "unit_price": 230_000_000},
        ]),
    )
    .await;
    // 200,000,000 x 1.12 = 224,000,000 from the sheet's tier1 column; a given price wins.
    assert_eq!(typed["lines"][0]["unit_price"], 224_000_000, "{typed}");
    assert_eq!(typed["lines"][1]["unit_price"], 230_000_000);
    let tier_name = vec!["Ưu đãi đại lý cấp 1".to_owned()];
    assert_eq!(lines(&typed), [(446_000_000, tier_name.clone()), (229_000_000, tier_name)]);
    let plain = order(&rep, &untiered["id"], json!([{"product_id": products.filter_press, "quantity": 1}])).await;
    assert_eq!(plain["lines"][0]["unit_price"], 240_000_000, "a dealer without a tier: the dealer column");
    assert_eq!(lines(&plain), [(240_000_000, vec![])]);
    system.stop().await;
}
