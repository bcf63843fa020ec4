//! Dealers: a dealer-opening request with two years of figures, evaluated against the tier rule
//! version in force with every check explained, approved by a director into the tier history; a
//! later rule version leaves past evaluations alone; a yearly re-evaluation proposes an upgrade
//! from confirmed orders, which a director confirms.

use atq_tests::dates::today;
use atq_tests::{Session, TestSystem, customer, seed_products};
use chrono::Datelike;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The seeded rule version's thresholds (migration 114) decide tier1 for these figures: average
/// lab-equipment sales 7 bn VND, growth 33.33%, big brands 40%, 12 staff, 2 shops.
fn application(name: &str) -> Value {
    let year = today().year();
    json!({
        "prospect": {"name": name, "phone": "0912 345 678", "address": "45 Phố Huế, Hai Bà Trưng, Hà Nội"},
        "region": "Miền Bắc",
        "years": [
            {"year": year - 2, "revenue": 10_000_000_000_i64, "lab_sales": 6_000_000_000_i64,
             "big_brand_share_bp": 3500, "small_brand_share_bp": 6500, "staff": 10, "shops": 2},
            {"year": year - 1, "revenue": 12_000_000_000_i64, "lab_sales": 8_000_000_000_i64,
             "big_brand_share_bp": 4000, "small_brand_share_bp": 6000, "staff": 12, "shops": 2},
        ],
        "proposed_tier": "tier1",
        "note": "Đã thăm cửa hàng, khách có kho riêng",
    })
}

async fn ok(session: &Session, path: &str, body: Value) -> Value {
    let reply = session.post(path, body).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    reply.body
}

/// Writes, submits and evaluates an application; answers it as evaluated.
async fn evaluated(rep: &Session, body: Value) -> Value {
    let created = rep.post("/api/v1/dealer-applications", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let path = format!("/api/v1/dealer-applications/{}", created.body["id"]);
    ok(rep, &format!("{path}/submit"), json!({})).await;
    ok(rep, &format!("{path}/evaluate"), json!({})).await
}

fn check<'a>(evaluation: &'a Value, tier: &str, condition: &str) -> &'a Value {
    evaluation["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["tier"] == tier && c["condition"] == condition)
        .unwrap_or_else(|| panic!("no check {tier}/{condition} in {evaluation}"))
}

#[tokio::test]
async fn an_application_is_evaluated_with_its_reasons_and_approved_into_tier1() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let director = system.login("director").await;
    let seeded = rep.get("/api/v1/dealer-tier-rules").await.body;
    assert_eq!(seeded["items"].as_array().unwrap().len(), 1, "{seeded}");

    let key = [("Idempotency-Key", "dndl-minh-long-1")];
    let body = application("Công ty TNHH Thiết bị Minh Long");
    let created = rep.send(Method::POST, "/api/v1/dealer-applications", Some(body.clone()), &key).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let retried = rep.send(Method::POST, "/api/v1/dealer-applications", Some(body), &key).await;
    assert_eq!(retried.body["id"], created.body["id"]);
    assert_eq!((created.body["status"].as_str(), created.body["office"].as_str()), (Some("draft"), Some("HN")));
    let path = format!("/api/v1/dealer-applications/{}", created.body["id"]);
    let edited = rep.patch(&path, json!({"region": "Hà Nội"}), "\"1\"").await;
    assert_eq!((edited.status, edited.body["region"].as_str()), (StatusCode::OK, Some("Hà Nội")), "{}", edited.body);
    assert_eq!(rep.post(&format!("{path}/evaluate"), json!({})).await.status, StatusCode::CONFLICT, "a draft");
    ok(&rep, &format!("{path}/submit"), json!({})).await;
    assert_eq!(rep.patch(&path, json!({"note": "x"}), "\"3\"").await.status, StatusCode::CONFLICT);

    let application = ok(&rep, &format!("{path}/evaluate"), json!({})).await;
    let evaluation = &application["evaluation"];
    assert_eq!(
        (application["status"].as_str(), evaluation["decided_tier"].as_str()),
        (Some("evaluated"), Some("tier1"))
    );
    assert_eq!(evaluation["rule_version_id"], seeded["items"][0]["id"]);
    assert_eq!(
        (evaluation["figures"]["avg_lab_sales"].as_i64(), evaluation["figures"]["growth_bp"].as_i64()),
        (Some(7_000_000_000), Some(3333))
    );
    assert_eq!(evaluation["checks"].as_array().unwrap().len(), 15, "five conditions for each of three tiers");
    let average = check(evaluation, "distributor", "avg_lab_sales");
    assert_eq!(
        (average["actual"].as_i64(), average["required"].as_i64(), average["passed"].as_bool()),
        (Some(7_000_000_000), Some(20_000_000_000), Some(false))
    );
    assert_eq!(check(evaluation, "tier1", "big_brand_share_bp")["passed"], true);
    assert_eq!(evaluation["next_tier"], "distributor");
    let gaps: Vec<(&str, i64)> = evaluation["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|gap| (gap["condition"].as_str().unwrap(), gap["shortfall"].as_i64().unwrap()))
        .collect();
    assert_eq!(gaps, [("avg_lab_sales", 13_000_000_000), ("big_brand_share_bp", 1000), ("staff", 8), ("shops", 1)]);

    let refused = rep.post(&format!("{path}/approve"), json!({"tier": "tier1"})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "a sales rep does not decide tiers");
    let other = director.post(&format!("{path}/approve"), json!({"tier": "distributor"})).await;
    assert_eq!((other.status, other.error_fields()), (StatusCode::BAD_REQUEST, vec!["reason".to_owned()]));
    let approved = ok(&director, &format!("{path}/approve"), json!({"tier": "tier1"})).await;
    assert_eq!((approved["status"].as_str(), approved["approved_tier"].as_str()), (Some("approved"), Some("tier1")));
    assert_eq!(approved["decided_by"], "director");
    let customer_id = approved["customer_id"].as_i64().expect("the approval made the customer");

    let tier = rep.get(&format!("/api/v1/customers/{customer_id}/tier")).await.body;
    assert_eq!(tier["tier"], "tier1", "{tier}");
    assert_eq!(tier["history"][0]["application_id"], approved["id"]);
    assert_eq!(tier["latest_evaluation"]["id"], evaluation["id"]);
    let customer = rep.get(&format!("/api/v1/customers/{customer_id}")).await.body;
    assert_eq!(
        (customer["group"].as_str(), customer["name"].as_str()),
        (Some("dealer"), Some("Công ty TNHH Thiết bị Minh Long"))
    );
    system.stop().await;
}

/// Thresholds low enough that the figures of [`application`] decide a distributor.
fn looser_rules(effective_from: &str) -> Value {
    let rule = |tier: &str, avg: i64| {
        json!({"tier": tier, "min_avg_lab_sales": avg, "min_growth_bp": 0, "min_big_brand_share_bp": 3000,
            "min_staff": 5, "min_shops": 1})
    };
    json!({"name": "Khung 2026 (nới lỏng)", "effective_from": effective_from,
        "rules": [rule("tier2", 500_000_000), rule("distributor", 6_000_000_000), rule("tier1", 2_000_000_000)]})
}

#[tokio::test]
async fn a_later_rule_version_leaves_past_evaluations_alone_and_decides_new_ones() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let director = system.login("director").await;
    let before = evaluated(&rep, application("Công ty CP Khoa học Đông Á")).await;
    assert_eq!(before["evaluation"]["decided_tier"], "tier1");

    let today = today().to_string();
    assert_eq!(rep.post("/api/v1/dealer-tier-rules", looser_rules(&today)).await.status, StatusCode::FORBIDDEN);
    let yesterday = atq_tests::dates::minus(1);
    let backdated = director.post("/api/v1/dealer-tier-rules", looser_rules(&yesterday)).await;
    assert_eq!(backdated.error_fields(), ["effective_from"], "a rule change never rewrites the past");
    let version = director.post("/api/v1/dealer-tier-rules", looser_rules(&today)).await;
    assert_eq!(version.status, StatusCode::CREATED, "{}", version.body);
    let tiers: Vec<&str> =
        version.body["rules"].as_array().unwrap().iter().map(|r| r["tier"].as_str().unwrap()).collect();
    assert_eq!(tiers, ["distributor", "tier1", "tier2"], "kept highest first");
    let twin = director.post("/api/v1/dealer-tier-rules", looser_rules(&today)).await;
    assert_eq!(twin.status, StatusCode::CONFLICT, "one version per start date");

    let reread = rep.get(&format!("/api/v1/dealer-applications/{}", before["id"])).await.body;
    assert_eq!(reread["evaluation"], before["evaluation"], "the past evaluation is kept as made");
    let after = evaluated(&rep, application("Công ty TNHH Hóa chất Sài Gòn")).await;
    assert_eq!(after["evaluation"]["decided_tier"], "distributor");
    assert_eq!(after["evaluation"]["rule_version_id"], version.body["id"]);
    assert_eq!(after["evaluation"]["next_tier"], Value::Null);
    let one = rep.get(&format!("/api/v1/dealer-tier-rules/{}", version.body["id"])).await;
    assert_eq!((one.status, one.body["effective_from"].as_str()), (StatusCode::OK, Some(today.as_str())));
    system.stop().await;
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_another_office_sees_nothing() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let director = system.login("director").await;
    let application = evaluated(&rep, application("Cửa hàng Thiết bị Hoàng Anh")).await;
    let path = format!("/api/v1/dealer-applications/{}", application["id"]);

    let saigon = system.login("sales.hcm").await;
    assert_eq!(saigon.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(saigon.post(&format!("{path}/evaluate"), json!({})).await.status, StatusCode::NOT_FOUND);
    let listed = saigon.get("/api/v1/dealer-applications").await.body;
    assert_eq!(listed["items"], json!([]), "{listed}");
    assert_eq!(rep.get("/api/v1/dealer-applications?status=evaluated").await.body["items"][0]["id"], application["id"]);

    let bare = director.post(&format!("{path}/reject"), json!({"reason": "  "})).await;
    assert_eq!((bare.status, bare.error_fields()), (StatusCode::BAD_REQUEST, vec!["reason".to_owned()]));
    let rejected = ok(&director, &format!("{path}/reject"), json!({"reason": "Chưa đủ kho bãi"})).await;
    assert_eq!(
        (rejected["status"].as_str(), rejected["decision_reason"].as_str()),
        (Some("rejected"), Some("Chưa đủ kho bãi"))
    );
    assert_eq!(bare.body["errors"][0]["message"], "must not be empty");
    let vietnamese = [("Accept-Language", "vi")];
    let approve = json!({"tier": "tier1"});
    let closed = director.send(Method::POST, &format!("{path}/approve"), Some(approve), &vietnamese).await;
    assert_eq!(closed.status, StatusCode::CONFLICT);
    assert_eq!(
        closed.body["detail"],
        "Không thể duyệt phiếu đề nghị mở đại lý DNDL-000001: chỉ duyệt được phiếu đã đánh giá."
    );
    system.stop().await;
}

#[tokio::test]
async fn a_re_evaluation_proposes_an_upgrade_from_confirmed_orders_and_a_director_confirms_it() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let rep = system.login("sales.hn").await;
    let director = system.login("director").await;
    let shop = rep.create_customer(customer("Công ty TNHH Thiết bị Phương Nam", "individual", "HN")).await;
    let mut body = application("");
    body.as_object_mut().unwrap().remove("prospect");
    body["customer_id"] = shop["id"].clone();
    body["years"][1]["big_brand_share_bp"] = json!(6000);
    body["years"][1]["small_brand_share_bp"] = json!(4000);
    body["years"][1]["staff"] = json!(25);
    body["years"][1]["shops"] = json!(4);
    let application = evaluated(&rep, body).await;
    assert_eq!(application["evaluation"]["decided_tier"], "tier1", "7 bn a year is below a distributor's 20 bn");
    ok(&director, &format!("/api/v1/dealer-applications/{}/approve", application["id"]), json!({"tier": "tier1"}))
        .await;

    let order = rep
        .post(
            "/api/v1/orders",
            json!({"customer_id": shop["id"],
            "lines": [{"product_id": products.viscometer, "quantity": 150, "unit_price": 285_000_000}]}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    ok(&rep, &format!("/api/v1/orders/{}/confirm", order.body["id"]), json!({})).await;

    let year = today().year();
    assert_eq!(rep.post("/api/v1/dealers/re-evaluations", json!({"year": year})).await.status, StatusCode::FORBIDDEN);
    let proposals = ok(&director, "/api/v1/dealers/re-evaluations", json!({"year": year})).await;
    let proposal = &proposals["items"][0];
    assert_eq!(proposals["items"].as_array().unwrap().len(), 1, "{proposals}");
    assert_eq!(
        (proposal["customer_id"].clone(), proposal["direction"].as_str()),
        (shop["id"].clone(), Some("upgrade"))
    );
    assert_eq!(
        (proposal["current_tier"].as_str(), proposal["proposed_tier"].as_str()),
        (Some("tier1"), Some("distributor"))
    );
    assert_eq!(
        (proposal["year_sales"].clone(), proposal["previous_year_sales"].as_i64()),
        (order.body["total_net"].clone(), Some(0))
    );
    assert_eq!(proposal["evaluation"]["decided_tier"], "distributor");

    let path = format!("/api/v1/dealers/re-evaluations/{}/confirm", proposal["id"]);
    assert_eq!(rep.post(&path, json!({})).await.status, StatusCode::FORBIDDEN);
    let confirmed = ok(&director, &path, json!({})).await;
    assert_eq!(
        (confirmed["status"].as_str(), confirmed["confirmed_by"].as_str()),
        (Some("confirmed"), Some("director"))
    );
    assert_eq!(director.post(&path, json!({})).await.status, StatusCode::CONFLICT);
    let tier = rep.get(&format!("/api/v1/customers/{}/tier", shop["id"])).await.body;
    assert_eq!(tier["tier"], "distributor", "{tier}");
    let sources: Vec<(&str, bool)> = tier["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| (change["tier"].as_str().unwrap(), change["re_evaluation_id"].is_i64()))
        .collect();
    assert_eq!(sources, [("distributor", true), ("tier1", false)]);
    let again = ok(&director, "/api/v1/dealers/re-evaluations", json!({"year": year})).await;
    assert_eq!(again["items"][0]["status"], "confirmed", "a dealer is re-evaluated once a year");
    system.stop().await;
}
