//! The web UI's costing screens on the real system: exchange rates entered through the form and
//! the landed-cost preview, for the import officer, in both languages.

use atq_tests::web::WebSession;
use atq_tests::{TestSystem, seed_products};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Digits grouped by three with commas, as the English pages write amounts.
fn grouped(value: i64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[tokio::test]
async fn the_costing_pages_render_for_the_import_officer_in_both_languages() {
    let system = TestSystem::start().await;
    for (lang, title) in [("vi", "Tỷ giá"), ("en", "Exchange rates")] {
        let mut officer = WebSession::sign_in(&system, "import", lang).await;
        let rates = officer.get("/exchange-rates").await;
        assert_eq!(rates.status, StatusCode::OK, "{lang}: {}", rates.html);
        assert!(
            rates.html.contains(&format!("<html lang=\"{lang}\">")) && rates.html.contains(title),
            "{}",
            rates.html
        );
        assert!(rates.html.contains("id=\"rate-form\"") && rates.html.contains("href=\"/exchange-rates\""));
        let landed = officer.get("/landed-cost").await;
        assert_eq!(landed.status, StatusCode::OK, "{lang}: {}", landed.html);
        assert!(
            landed.html.contains(&format!("<html lang=\"{lang}\">")) && landed.html.contains("id=\"preview-cost\"")
        );
    }
    let mut rep = WebSession::sign_in(&system, "sales.hn", "en").await;
    assert!(!rep.get("/").await.html.contains("href=\"/exchange-rates\""), "not in a sales rep's menu");
    assert_eq!(rep.get("/exchange-rates").await.status, StatusCode::FORBIDDEN);
    system.stop().await;
}

#[tokio::test]
async fn a_rate_entered_through_the_form_is_listed_and_a_bad_one_is_named_beside_its_field() {
    let system = TestSystem::start().await;
    let mut officer = WebSession::sign_in(&system, "import", "en").await;
    let csrf = officer.csrf();
    let key = uuid::Uuid::new_v4().to_string();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("currency", "USD"),
        ("effective_on", "2026-11-02"),
        ("rate", "1.23456"),
        ("source", "Vietcombank"),
    ];
    let refused = officer.post_form("/exchange-rates", &fields).await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.html);
    assert!(refused.html.contains("id=\"rate-error\""), "{}", refused.html);
    assert!(refused.html.contains("value=\"1.23456\""), "the typed rate is kept");

    fields[4] = ("rate", "25380.5");
    let entered = officer.post_form("/exchange-rates", &fields).await;
    assert_eq!(entered.status, StatusCode::SEE_OTHER, "{}", entered.html);
    let location = entered.location.unwrap_or_default();
    assert!(location.contains("currency=USD"), "{location}");
    let listed = officer.get(&location).await;
    assert!(listed.html.contains("25,380.5") && listed.html.contains("Vietcombank"), "{}", listed.html);
    assert!(listed.html.contains("id=\"rate-history\""), "{}", listed.html);
    system.stop().await;
}

#[tokio::test]
async fn the_preview_shows_a_products_landed_cost_and_the_rate_it_used() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let api = system.login("import").await;
    let rate = json!({"rates": [{"currency": "USD", "effective_on": "2026-11-02", "rate": "25380.5", "source": "Vietcombank"}]});
    assert_eq!(api.post("/api/v1/exchange-rates", rate).await.status, StatusCode::OK);
    let duties = json!({"rates": [{"hs_code": "9027", "rate": "0.05", "note": "MFN"}]});
    assert_eq!(api.send(Method::PUT, "/api/v1/duty-rates", Some(duties), &[]).await.status, StatusCode::OK);
    let expected = api
        .post(
            "/api/v1/landed-costs/preview",
            json!({"currency": "USD", "rate_date": "2026-11-10",
            "lines": [{"product_id": products.viscometer, "quantity": 2, "unit_price": 1_000_000}],
            "charges": [{"kind": "freight", "amount": 50_000, "currency": "USD", "allocation": "value"}]}),
        )
        .await;
    assert_eq!(expected.status, StatusCode::OK, "{}", expected.body);
    let unit_cost = expected.body["lines"][0]["landed_unit_cost"].as_i64().unwrap();
    let import_vat = expected.body["lines"][0]["import_vat"].as_i64().unwrap();

    let mut officer = WebSession::sign_in(&system, "import", "en").await;
    let csrf = officer.csrf();
    let product = products.viscometer.to_string();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("currency", "USD"),
        ("rate_date", "2026-11-10"),
        ("allocation", "value"),
        ("product_id", product.as_str()),
        ("quantity", "2"),
        ("unit_price", "10,000.00"),
        ("product_id", ""),
        ("quantity", ""),
        ("unit_price", ""),
        ("charge_amount", "500"),
        ("charge_currency", "USD"),
        ("charge_amount", ""),
        ("charge_currency", "USD"),
        ("charge_amount", ""),
        ("charge_currency", "VND"),
    ];
    let page = officer.post_form("/landed-cost", &fields).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("id=\"landed-result\""), "{}", page.html);
    for shown in [format!("₫{}", grouped(unit_cost)), format!("₫{}", grouped(import_vat)), "25,380.5".into()] {
        assert!(page.html.contains(&shown), "{shown}: {}", page.html);
    }
    assert!(page.html.contains("2026-11-02") && page.html.contains("Vietcombank"), "which rate and day");

    fields[6] = ("unit_price", "ten");
    let refused = officer.post_form("/landed-cost", &fields).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.html.contains("id=\"line-1-error\"") && !refused.html.contains("id=\"landed-result\""));
    system.stop().await;
}
