//! The printed bonus statement (bảng kê thưởng doanh số), read back as text: the payment and the
//! invoice that counted, the rates, the bonus, what was accrued and settled; printed by whoever
//! reads the statement, from the API and from the statement's web page.

use atq_documents::{Language, format_money};
use atq_tests::shipping::{ship_everything, stock_and_customer};
use atq_tests::web::WebSession;
use atq_tests::{Session, TestSystem, dates, seed_products};
use chrono::Datelike;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The text of a PDF as `pdftotext` extracts it (poppler-utils; CI installs it).
fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("document.pdf");
    std::fs::write(&file, bytes).unwrap();
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", file.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext runs (install poppler-utils)");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

async fn printed(session: &Session, path: &str) -> String {
    let (status, headers, bytes) = session.download(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {}", String::from_utf8_lossy(&bytes));
    assert_eq!(headers["content-type"], "application/pdf");
    pdf_text(&bytes)
}

fn int(value: &Value) -> i64 {
    value.as_i64().unwrap_or_else(|| panic!("not an integer: {value}"))
}

#[tokio::test]
async fn the_bonus_statement_prints_what_counted_the_rate_and_what_was_accrued_and_settled() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let invoice = ship_everything(&system, &products, &rep, &school["id"]).await;
    let director = system.login("director").await;
    let scheme = json!({"name": "Thưởng doanh số dự án theo quý", "target_kind": "group", "target": "project",
        "period_kind": "quarter", "effective_from": "2020-01-01",
        "steps": [{"threshold": 0, "rate_bp": 150}, {"threshold": 900_000_000_000_i64, "rate_bp": 300}]});
    assert_eq!(director.post("/api/v1/bonus-schemes", scheme).await.status, StatusCode::CREATED);
    let accountant = system.login("accountant").await;
    let payment = json!({"customer_id": school["id"], "amount": invoice["total_gross"], "invoice_id": invoice["id"]});
    let paid = accountant.post("/api/v1/payments", payment).await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    let today = dates::today();
    let period = format!("{}-Q{}", today.year(), today.month0() / 3 + 1);
    let settle = format!("/api/v1/customers/{}/bonus-settlements", school["id"]);
    let settled = accountant.post(&settle, json!({"period": period, "method": "bank"})).await;
    assert_eq!(settled.status, StatusCode::OK, "{}", settled.body);
    let earned = int(&settled.body["earned"]);
    assert!(earned > 0, "{}", settled.body);

    let pdf = format!("/api/v1/customers/{}/bonus-statement/pdf?period={period}", school["id"]);
    let text = printed(&accountant, &format!("{pdf}&lang=vi")).await;
    let money = |value: &Value| format_money(int(value), Language::Vi);
    let payment_number = paid.body["number"].as_str().unwrap_or_default();
    for expected in [
        "BẢNG KÊ THƯỞNG DOANH SỐ",
        "CÔNG TY CỔ PHẦN ATQ",
        "Trường THPT Chu Văn An",
        "Thưởng doanh số dự án theo quý",
        period.as_str(),
        invoice["number"].as_str().unwrap(),
        payment_number,
        &money(&invoice["total_gross"]),
        &money(&invoice["total_net"]),
        "1,5%",
        &format_money(earned, Language::Vi),
        "Đã trích trước",
        "Đã chi trả, bù trừ công nợ",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    let english = printed(&accountant, &format!("{pdf}&lang=en")).await;
    assert!(english.contains("SALES BONUS STATEMENT") && english.contains("1.5%"), "{english}");

    // The JSON statement's policy: the customer's own office reads it, another office finds nothing.
    let for_the_rep = printed(&rep, &pdf).await;
    assert!(for_the_rep.contains(invoice["number"].as_str().unwrap()), "{for_the_rep}");
    let other_office = system.login("sales.hcm").await;
    assert_eq!(other_office.download(&pdf).await.0, StatusCode::NOT_FOUND);
    let bad_period = format!("/api/v1/customers/{}/bonus-statement/pdf?period=2026-Q5", school["id"]);
    let refused = accountant.get(&bad_period).await;
    assert_eq!((refused.status, refused.error_fields()), (StatusCode::BAD_REQUEST, vec!["period".to_owned()]));

    // The statement's web page links to its printed copy, which comes in the page's language.
    let mut web = WebSession::sign_in(&system, "accountant", "vi").await;
    let page = web.get(&format!("/customers/{}/bonus-statement?period={period}", school["id"])).await;
    let print_link = format!("/customers/{}/bonus-statement/pdf?period={period}", school["id"]);
    assert!(page.html.contains(&print_link), "{}", page.html);
    let copy = web.get(&print_link).await;
    assert_eq!((copy.status, copy.content_type.as_str()), (StatusCode::OK, "application/pdf"));
    assert!(copy.html.starts_with("%PDF"));
    system.stop().await;
}
