//! Printed documents: the invoice, quote and dispatch order as PDF, read back as text.

use atq_tests::shipping::{ship_everything, stock_and_customer};
use atq_tests::{TestSystem, seed_products};
use reqwest::StatusCode;
use serde_json::json;

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

#[tokio::test]
async fn the_invoice_prints_its_amounts_per_vat_rate_and_the_total_in_words() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let invoice = ship_everything(&system, &products, &rep, &school["id"]).await;
    let accountant = system.login("accountant").await;
    let (status, headers, bytes) =
        accountant.download(&format!("/api/v1/invoices/{}/pdf?lang=vi", invoice["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(bytes.starts_with(b"%PDF"));
    let text = pdf_text(&bytes);
    let total = invoice["total_gross"].as_i64().unwrap();
    let grouped = atq_documents::format_money(total, atq_documents::Language::Vi);
    let words = atq_documents::amount_in_words(total, atq_documents::Language::Vi);
    for expected in ["HÓA ĐƠN GIÁ TRỊ GIA TĂNG", "Trường THPT Chu Văn An", "Bằng chữ", grouped.as_str(), words.as_str()]
    {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    let english = accountant.download(&format!("/api/v1/invoices/{}/pdf?lang=en", invoice["id"])).await.2;
    assert!(pdf_text(&english).contains("In words"), "the English invoice");
    // The dispatch order the invoice came from, with the serials the warehouse picked.
    let keeper = system.login("warehouse").await;
    let dispatches = keeper.get("/api/v1/dispatch-orders?status=shipped").await;
    let dispatch = &dispatches.body["items"][0];
    assert_eq!(dispatch["number"], invoice["dispatch_number"]);
    let (_, _, bytes) = keeper.download(&format!("/api/v1/dispatch-orders/{}/pdf?lang=vi", dispatch["id"])).await;
    let text = pdf_text(&bytes);
    for expected in [dispatch["number"].as_str().unwrap(), "FN-001", "FN-002", "Trường THPT Chu Văn An"] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    let refused = accountant.get(&format!("/api/v1/invoices/{}/pdf?lang=fr", invoice["id"])).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.error_fields(), ["lang"]);
    system.stop().await;
}

#[tokio::test]
async fn quotes_and_dispatch_orders_print_for_their_office_only() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let quote = rep
        .post(
            "/api/v1/quotes",
            json!({"customer_id": school["id"], "note": "Giao hàng trong 30 ngày",
            "lines": [{"product_id": products.viscometer, "quantity": 1, "unit_price": 250_000_000}]}),
        )
        .await;
    assert_eq!(quote.status, StatusCode::CREATED, "{}", quote.body);
    let (status, _, bytes) = rep.download(&format!("/api/v1/quotes/{}/pdf?lang=vi", quote.body["id"])).await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&bytes);
    assert!(text.contains("BÁO GIÁ") && text.contains(quote.body["number"].as_str().unwrap()), "{text}");
    assert!(text.contains("250.000.000"), "{text}");

    let other_office = system.login("sales.hcm").await;
    let (status, _, _) = other_office.download(&format!("/api/v1/quotes/{}/pdf", quote.body["id"])).await;
    assert!(matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN), "{status}");
    system.stop().await;
}
