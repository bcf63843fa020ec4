//! Printed documents of returns and orders: the reducing invoice and the sales order as PDF,
//! read back as text, in Vietnamese and English, for their office only.

use atq_documents::{Language, amount_in_words, format_money};
use atq_tests::shipping::{ship_everything, stock_and_customer};
use atq_tests::{Session, TestSystem, seed_products};
use reqwest::{Method, StatusCode};
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

/// The PDF at `path` as text; it must be served as a PDF.
async fn printed(session: &Session, path: &str) -> String {
    let (status, headers, bytes) = session.download(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {}", String::from_utf8_lossy(&bytes));
    assert_eq!(headers["content-type"], "application/pdf");
    pdf_text(&bytes)
}

fn assert_holds(text: &str, expected: &[&str]) {
    for wanted in expected {
        assert!(text.contains(wanted), "{wanted:?} in:\n{text}");
    }
}

/// The record's page offers "In" and the link serves the PDF.
async fn assert_print_button(system: &TestSystem, page: &str) {
    let mut web = atq_tests::web::WebSession::sign_in(system, "director", "vi").await;
    let shown = web.get(page).await;
    let link = format!("id=\"print\" href=\"{page}/pdf\">In</a>");
    assert!(shown.html.contains(&link), "{link} in:\n{}", shown.html);
    let printed = web.get(&format!("{page}/pdf")).await;
    assert_eq!((printed.status, printed.content_type.as_str()), (StatusCode::OK, "application/pdf"));
}

/// `2026-12-01` → `01/12/2026`.
fn printed_date(iso: &str) -> String {
    format!("{}/{}/{}", &iso[8..10], &iso[5..7], &iso[0..4])
}

#[tokio::test]
async fn the_reducing_invoice_prints_the_invoice_it_adjusts_and_the_negative_amounts() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let invoice = ship_everything(&system, &products, &rep, &school["id"]).await;
    let accountant = system.login("accountant").await;
    let body = json!({"invoice_id": invoice["id"], "reason": "Khách trả lại do sai cấu hình", "lines": [
        {"invoice_line_no": 2, "quantity": 1, "condition": "good", "serials": ["FN-001"]},
    ]});
    let created =
        accountant.send(Method::POST, "/api/v1/returns", Some(body), &[("Idempotency-Key", "print-return-1")]).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let adjustment = &created.body["adjustment"];
    assert_eq!(adjustment["total_gross"], -313_500_000);
    let path = format!("/api/v1/returns/{}/pdf", created.body["id"]);

    let text = printed(&accountant, &format!("{path}?lang=vi")).await;
    let invoice_number = invoice["number"].as_str().unwrap();
    let adjusts = format!(
        "Điều chỉnh giảm cho hóa đơn số {invoice_number} ngày {}",
        printed_date(invoice["issue_date"].as_str().unwrap())
    );
    let words = amount_in_words(-313_500_000, Language::Vi);
    assert_eq!(words, "Âm ba trăm mười ba triệu năm trăm nghìn đồng");
    assert_holds(
        &text,
        &[
            "HÓA ĐƠN ĐIỀU CHỈNH GIẢM",
            adjusts.as_str(),
            adjustment["series"].as_str().unwrap(),
            "0000001",
            created.body["number"].as_str().unwrap(),
            "Trường THPT Chu Văn An",
            "Khách trả lại do sai cấu hình",
            "-285.000.000",
            "-28.500.000",
            "-313.500.000",
            words.as_str(),
        ],
    );
    assert!(text.split_whitespace().any(|word| word == "285.000.000"), "the unit price as sold:\n{text}");
    assert!(!text.contains("-570.000.000"), "only the returned unit:\n{text}");

    let english = printed(&accountant, &format!("{path}?lang=en")).await;
    let adjusts_en = format!("Reduces invoice No. {invoice_number}");
    let words_en = amount_in_words(-313_500_000, Language::En);
    assert_holds(
        &english,
        &["REDUCING ADJUSTMENT INVOICE", adjusts_en.as_str(), "-313,500,000", "In words", words_en.as_str()],
    );

    // The office's rep prints it; another office's rep does not see it.
    printed(&rep, &path).await;
    let saigon = system.login("sales.hcm").await;
    assert_eq!(saigon.download(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(accountant.download("/api/v1/returns/999999/pdf").await.0, StatusCode::NOT_FOUND);
    assert_print_button(&system, &format!("/returns/{}", created.body["id"])).await;
    system.stop().await;
}

#[tokio::test]
async fn the_sales_order_prints_its_lines_totals_and_signatures_for_its_office_only() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let order = rep
        .post(
            "/api/v1/orders",
            json!({"customer_id": school["id"], "note": "Giao tại phòng thí nghiệm tầng 3", "lines": [
                {"product_id": products.viscometer, "quantity": 2, "unit_price": 250_000_000,
                 "delivery_date": "2030-12-20"},
            ]}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    assert_eq!(order.body["total_gross"], 550_000_000);
    let path = format!("/api/v1/orders/{}/pdf", order.body["id"]);

    let text = printed(&rep, &format!("{path}?lang=vi")).await;
    let words = amount_in_words(550_000_000, Language::Vi);
    assert_holds(
        &text,
        &[
            "ĐƠN ĐẶT HÀNG",
            order.body["number"].as_str().unwrap(),
            "Trường THPT Chu Văn An",
            "250.000.000",
            "500.000.000",
            "50.000.000",
            format_money(550_000_000, Language::Vi).as_str(),
            "20/12/2030",
            words.as_str(),
            "Ghi chú: Giao tại phòng thí nghiệm tầng 3",
            "Đại diện khách hàng",
            "Giám đốc",
        ],
    );
    let english = printed(&rep, &format!("{path}?lang=en")).await;
    assert_holds(&english, &["SALES ORDER", "550,000,000", "Five hundred fifty million dong", "For the customer"]);

    let saigon = system.login("sales.hcm").await;
    assert_eq!(saigon.download(&path).await.0, StatusCode::NOT_FOUND);
    let refused = rep.get(&format!("{path}?lang=de")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_print_button(&system, &format!("/orders/{}", order.body["id"])).await;
    system.stop().await;
}

#[tokio::test]
async fn the_demo_company_has_one_return_with_its_reducing_invoice_printed() {
    let mut system = TestSystem::start().await;
    let (peers, key) = (system.system().peers().clone(), system.system().internal_key().clone());
    atq_launcher::demo::load(&peers, &key).await.unwrap();
    atq_launcher::demo::load(&peers, &key).await.unwrap();
    let accountant = system.login("accountant").await;
    let returns = accountant.get("/api/v1/returns").await.body;
    let items = returns["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "one return, however often the demo loads: {returns}");
    let sales_return = &items[0];
    assert_eq!(sales_return["lines"][0]["condition"], "good");
    assert_eq!(sales_return["lines"][0]["quantity"], 1);
    let adjustment = &sales_return["adjustment"];
    assert_eq!(adjustment["total_gross"].as_i64(), sales_return["total_gross"].as_i64().map(|gross| -gross));
    let text = printed(&accountant, &format!("/api/v1/returns/{}/pdf?lang=vi", sales_return["id"])).await;
    let adjusts = format!("Điều chỉnh giảm cho hóa đơn số {}", sales_return["invoice_number"].as_str().unwrap());
    let reduction = format_money(adjustment["total_gross"].as_i64().unwrap(), Language::Vi);
    assert_holds(&text, &["HÓA ĐƠN ĐIỀU CHỈNH GIẢM", adjusts.as_str(), reduction.as_str()]);
    system.assert_books_agree().await;
    system.stop().await;
}
