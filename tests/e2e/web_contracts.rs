//! The web UI's contract and bank statement screens on the real system: a sales rep makes a
//! contract through its form, uploads the signed copy through the page and downloads it back,
//! and signs it only once the copy is there; the accountant imports a bank statement, sees what
//! it matched and matches the rest by hand.

use atq_tests::shipping::{ship_everything, stock_and_customer};
use atq_tests::web::{Page, WebSession};
use atq_tests::{TestSystem, customer, seed_products};
use reqwest::{Method, StatusCode};

fn assert_shows(page: &Page, what: &str, expected: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.html);
    for text in expected {
        assert!(page.html.contains(text), "{what} shows {text}: {}", page.html);
    }
}

/// The id at the end of a redirect to a record's page.
fn id_in(page: &Page, prefix: &str) -> i64 {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let location = page.location.as_deref().unwrap_or_default();
    location.strip_prefix(prefix).and_then(|id| id.parse().ok()).unwrap_or_else(|| panic!("{location}"))
}

#[tokio::test]
async fn a_contract_is_made_signed_only_with_its_uploaded_copy_and_the_copy_downloads_back() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let school = rep.create_customer(customer("Đại học Bách khoa Hà Nội", "project", "HN")).await;
    let customer_id = school["id"].as_i64().unwrap().to_string();
    let mut web = WebSession::sign_in(&system, "sales.hn", "en").await;
    let csrf = web.csrf();

    let form = web.get(&format!("/contracts/new?customer_id={customer_id}")).await;
    assert_shows(&form, "the new contract form", &["name=\"idempotency_key\"", "Contract name", "selected>"]);
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("idempotency_key", "web-contract-1"),
        ("customer_id", customer_id.as_str()),
        ("name", ""),
        ("made_on", "2026-03-02"),
        ("ends_on", "2027-03-01"),
        ("value", "2.450.000.000"),
    ];
    let refused = web.post_form("/contracts", &fields).await;
    assert_shows(&refused, "a contract without a name", &["id=\"name-error\""]);
    fields[3] = ("name", "Cung cấp thiết bị phòng thí nghiệm vật lý");
    let id = id_in(&web.post_form("/contracts", &fields).await, "/contracts/");
    let path = format!("/contracts/{id}");

    let record = web.get(&path).await;
    assert_shows(&record, "the contract", &["HD-2026-0001", "Đại học Bách khoa Hà Nội", "sales.hn", "2026-03-02"]);
    assert_shows(
        &record,
        "its value and status",
        &["₫2,450,000,000", "Draft", "No signed copy yet.", "id=\"upload-form\""],
    );
    let version = rep.get(&format!("/api/v1{path}")).await.body["version"].as_i64().unwrap().to_string();
    let sign = |version: String| {
        vec![("csrf".to_owned(), csrf.clone()), ("version".into(), version), ("status".into(), "signed".into())]
    };
    let unsigned = web.post_form(&format!("{path}/status"), &pairs(&sign(version))).await;
    assert_shows(&unsigned, "signing without a copy", &["id=\"contract-error\"", "no signed copy attached"]);
    assert_eq!(rep.get(&format!("/api/v1{path}")).await.body["status"], "draft");

    let pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ký ngày 02/03/2026\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let file = ("HD-2026-0001 đã ký.pdf", "application/pdf", pdf.as_bytes());
    let uploaded = web.post_multipart(&format!("{path}/files"), &[("csrf", &csrf)], "file", file).await;
    assert_eq!((uploaded.status, uploaded.location.as_deref()), (StatusCode::SEE_OTHER, Some(path.as_str())));
    let files = rep.get(&format!("/api/v1{path}/files")).await.body;
    let file_id = files[0]["id"].as_i64().unwrap();
    let record = web.get(&path).await;
    let href = format!("{path}/files/{file_id}");
    assert_shows(&record, "the uploaded copy", &["HD-2026-0001 đã ký.pdf", &href, "application/pdf"]);
    let downloaded = web.get(&href).await;
    assert_eq!((downloaded.status, downloaded.content_type.as_str()), (StatusCode::OK, "application/pdf"));
    assert_eq!(downloaded.html.as_bytes(), pdf.as_bytes(), "the download is the very file uploaded");
    let forged = web.post_multipart(&format!("{path}/files"), &[("csrf", "forged")], "file", file).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let version = rep.get(&format!("/api/v1{path}")).await.body["version"].as_i64().unwrap().to_string();
    let signed = web.post_form(&format!("{path}/status"), &pairs(&sign(version))).await;
    assert_eq!(
        (signed.status, signed.location.as_deref()),
        (StatusCode::SEE_OTHER, Some(path.as_str())),
        "{}",
        signed.html
    );
    assert_eq!(rep.get(&format!("/api/v1{path}")).await.body["status"], "signed");

    let list = web.get(&format!("/contracts?status=signed&customer_id={customer_id}")).await;
    assert_shows(&list, "the signed contracts", &["HD-2026-0001", "Signed", "href=\"/contracts\""]);
    assert!(!list.html.contains("href=\"/bank-statements\""), "bank statements are not a sales rep's");
    let mut vietnamese = WebSession::sign_in(&system, "sales.hn", "vi").await;
    let list = vietnamese.get("/contracts").await;
    assert_shows(&list, "the list in Vietnamese", &["<html lang=\"vi\">", "Hợp đồng", "Số hợp đồng", "Đã ký"]);
    let record = vietnamese.get(&path).await;
    assert_shows(
        &record,
        "the record in Vietnamese",
        &["Bản hợp đồng đã ký", "2.450.000.000 ₫", "02/03/2026", "01/03/2027"],
    );
    let form = vietnamese.get("/contracts/new").await;
    assert_shows(&form, "the form in Vietnamese", &["Tên hợp đồng", "Nhân viên phụ trách", "Ngày kết thúc"]);
    system.stop().await;
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect()
}

#[tokio::test]
async fn the_accountant_imports_a_statement_and_matches_the_unknown_line_by_hand() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let invoice = ship_everything(&system, &products, &rep, &school["id"]).await;
    let number = invoice["number"].as_str().unwrap();
    let day = chrono::NaiveDate::parse_from_str(invoice["issue_date"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let statement = format!(
        "date,amount,description,reference\n\
         {},\"500.000.000\",CT TRUONG CHU VAN AN TT {number},FT001\n\
         {},\"20.000.000\",CHUYEN TIEN KHONG RO NOI DUNG,FT003\n",
        day.format("%d/%m/%Y"),
        day.format("%d/%m/%Y"),
    );
    let mut web = WebSession::sign_in(&system, "accountant", "en").await;
    let csrf = web.csrf();
    let page = web.get("/bank-statements").await;
    assert_shows(
        &page,
        "the statements page",
        &["id=\"statement-form\"", "No line is waiting for review.", "href=\"/bank-statements\""],
    );
    assert!(!page.html.contains("href=\"/contracts\""), "contracts are not the accountant's");

    let csv = ("statement.csv", "text/csv", statement.as_bytes());
    let imported = web.post_multipart("/bank-statements", &[("csrf", &csrf)], "statement", csv).await;
    assert_shows(
        &imported,
        "the import's result",
        &["id=\"import-result\"", "id=\"matched-count\">1<", "id=\"unmatched-count\">1<"],
    );
    assert_shows(
        &imported,
        "the line left for review",
        &["id=\"review-lines\"", "CHUYEN TIEN KHONG RO NOI DUNG", "₫20,000,000"],
    );
    let accountant = system.login("accountant").await;
    let review = accountant.get("/api/v1/bank-statements/lines?status=unmatched").await.body;
    let line = review["items"][0]["id"].as_i64().unwrap();
    let action = format!("/bank-statements/lines/{line}/match");
    assert!(imported.html.contains(&action), "a form to match it");

    let unknown = web.post_form(&action, &[("csrf", &csrf), ("invoice_number", "C26TAQ-9999999")]).await;
    assert_shows(
        &unknown,
        "an unknown invoice number",
        &[&format!("id=\"line-{line}-error\""), "No unpaid invoice has this number."],
    );
    let matched = web.post_form(&action, &[("csrf", &csrf), ("invoice_number", number)]).await;
    assert_eq!(
        (matched.status, matched.location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/bank-statements")),
        "{}",
        matched.html
    );
    let after = web.get("/bank-statements").await;
    assert_shows(&after, "the review list emptied", &["No line is waiting for review."]);
    let balance = accountant.get(&format!("/api/v1/customers/{}/balance", school["id"])).await.body;
    assert_eq!(balance["balance"], 1_567_500_000_i64 - 520_000_000, "both lines paid the invoice: {balance}");

    let mut vietnamese = WebSession::sign_in(&system, "accountant", "vi").await;
    let page = vietnamese.get("/bank-statements").await;
    assert_shows(
        &page,
        "the page in Vietnamese",
        &["Sao kê ngân hàng", "Nhập sao kê", "Không còn giao dịch nào chờ xử lý."],
    );
    let plain = accountant.send_raw(Method::POST, "/api/v1/bank-statements", "text/csv", statement).await;
    assert_eq!(plain.body["duplicates"], 2, "the page imported it once: {}", plain.body);
    system.stop().await;
}
