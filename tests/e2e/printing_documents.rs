//! The goods issue slip and the contract as PDF, read back as text, and the sales report as XLSX.

use atq_documents::{Language, amount_in_words};
use atq_tests::shipping::{order_all, stock_and_customer};
use atq_tests::web::WebSession;
use atq_tests::{Session, TestSystem, customer, eventually, seed_products};
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

/// Asks for a dispatch order of one line of the order and has the director approve it.
async fn approved_dispatch(system: &TestSystem, rep: &Session, order: &str, line_no: i64, quantity: i64) -> String {
    let body = json!({"lines": [{"line_no": line_no, "quantity": quantity}]});
    let requested = rep.post(&format!("{order}/dispatch-orders"), body).await;
    assert_eq!(requested.status, StatusCode::CREATED, "{}", requested.body);
    let dispatch = requested.header("location").expect("the dispatch order's address").to_owned();
    let approved = system.login("director").await.post(&format!("{dispatch}/approve"), json!({})).await;
    assert_eq!(approved.body["status"], "approved", "{}", approved.body);
    dispatch
}

#[tokio::test]
async fn the_goods_issue_slip_prints_once_shipped_with_costs_only_for_their_readers() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let order = order_all(&rep, &school["id"], &products).await;
    assert_eq!(rep.post(&format!("{order}/confirm"), json!({})).await.body["status"], "confirmed");
    // Line 2: the two serial-tracked viscometers received at 250,000,000 each; line 1 stays behind.
    let viscometers = approved_dispatch(&system, &rep, &order, 2, 2).await;
    let presses = approved_dispatch(&system, &rep, &order, 1, 3).await;
    let keeper = system.login("warehouse").await;
    let before = keeper.get(&format!("{viscometers}/goods-issue/pdf")).await;
    assert_eq!(before.status, StatusCode::NOT_FOUND, "no slip before shipping: {}", before.body);

    let ship = json!({"lines": [{"line_no": 2, "serials": ["FN-001", "FN-002"]}]});
    let shipped = keeper.post(&format!("{viscometers}/ship"), ship).await;
    assert_eq!(shipped.body["status"], "shipped", "{}", shipped.body);
    let issue_number = shipped.body["goods_issue_number"].as_str().expect("the goods issue's number").to_owned();
    assert_eq!(keeper.get(&format!("{presses}/goods-issue/pdf")).await.status, StatusCode::NOT_FOUND);

    let director = system.login("director").await;
    let with_costs = printed(&director, &format!("{viscometers}/goods-issue/pdf?lang=vi")).await;
    let words = amount_in_words(500_000_000, Language::Vi);
    assert_holds(
        &with_costs,
        &["PHIẾU XUẤT KHO", &issue_number, "Trường THPT Chu Văn An", "FN-001", "FN-002", "Đơn giá vốn"],
    );
    assert_holds(&with_costs, &["250.000.000", "500.000.000", &words, "Kế toán trưởng", "Thủ kho", "Người nhận hàng"]);

    let without_costs = printed(&rep, &format!("{viscometers}/goods-issue/pdf?lang=vi")).await;
    assert_holds(&without_costs, &["PHIẾU XUẤT KHO", &issue_number, "FN-001", "FN-002", "Giám đốc"]);
    for hidden in ["Đơn giá vốn", "250.000.000", "500.000.000", "Bằng chữ"] {
        assert!(!without_costs.contains(hidden), "{hidden:?} shown to a sales rep:\n{without_costs}");
    }
    let english = printed(&director, &format!("{viscometers}/goods-issue/pdf?lang=en")).await;
    assert_holds(&english, &["GOODS ISSUE SLIP", "Unit cost", "500,000,000", "Chief accountant"]);

    let other_office = system.login("sales.hcm").await;
    assert_eq!(other_office.get(&format!("{viscometers}/goods-issue/pdf")).await.status, StatusCode::NOT_FOUND);

    // The shipped dispatch order's page offers the slip; the one not shipped does not.
    let mut web = WebSession::sign_in(&system, "warehouse", "vi").await;
    let (shipped_page, waiting_page) =
        (viscometers.trim_start_matches("/api/v1").to_owned(), presses.trim_start_matches("/api/v1").to_owned());
    assert!(web.get(&shipped_page).await.html.contains("id=\"print-goods-issue\""));
    assert!(!web.get(&waiting_page).await.html.contains("id=\"print-goods-issue\""));
    let slip = web.get(&format!("{shipped_page}/goods-issue/pdf")).await;
    assert_eq!((slip.status, slip.content_type.as_str()), (StatusCode::OK, "application/pdf"));
    system.stop().await;
}

/// The line of `text` that names `model_code`.
fn line_of<'t>(text: &'t str, model_code: &str) -> &'t str {
    text.lines().find(|line| line.contains(model_code)).unwrap_or_else(|| panic!("{model_code} in:\n{text}"))
}

#[tokio::test]
async fn a_slip_of_several_lines_shows_each_line_cost_to_readers_of_costs_only() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let order = order_all(&rep, &school["id"], &products).await;
    assert_eq!(rep.post(&format!("{order}/confirm"), json!({})).await.body["status"], "confirmed");
    let requested = rep.post(&format!("{order}/dispatch-orders"), json!({})).await;
    let dispatch = requested.header("location").expect("the dispatch order's address").to_owned();
    let approved = system.login("director").await.post(&format!("{dispatch}/approve"), json!({})).await;
    assert_eq!(approved.body["status"], "approved", "{}", approved.body);
    let keeper = system.login("warehouse").await;
    let ship = json!({"lines": [{"line_no": 2, "serials": ["FN-001", "FN-002"]}]});
    assert_eq!(keeper.post(&format!("{dispatch}/ship"), ship).await.body["status"], "shipped");

    // Three filter presses at 100,000 and two viscometers at 250,000,000, at moving-average cost.
    let accountant = system.login("accountant").await;
    let vietnamese = printed(&accountant, &format!("{dispatch}/goods-issue/pdf?lang=vi")).await;
    assert_holds(line_of(&vietnamese, "LPLT 300"), &["100.000", "300.000"]);
    assert_holds(line_of(&vietnamese, "Model 35SA"), &["250.000.000", "500.000.000"]);
    assert_holds(&vietnamese, &["500.300.000", &amount_in_words(500_300_000, Language::Vi)]);
    let english = printed(&system.login("import").await, &format!("{dispatch}/goods-issue/pdf?lang=en")).await;
    assert_holds(line_of(&english, "LPLT 300"), &["100,000", "300,000"]);
    assert_holds(line_of(&english, "Model 35SA"), &["250,000,000", "500,000,000"]);

    for reader in [&keeper, &rep] {
        let without = printed(reader, &format!("{dispatch}/goods-issue/pdf?lang=vi")).await;
        assert_holds(&without, &["LPLT 300", "Model 35SA", "FN-001"]);
        for hidden in ["Đơn giá vốn", "100.000", "300.000", "250.000.000", "500.300.000"] {
            assert!(!without.contains(hidden), "{hidden:?} shown without the right to read costs:\n{without}");
        }
    }
    system.stop().await;
}

#[tokio::test]
async fn the_contract_prints_its_parties_dates_and_value_in_words_for_its_office_only() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let university = rep.create_customer(customer("Đại học Bách khoa Hà Nội", "project", "HN")).await;
    let created = rep
        .post(
            "/api/v1/contracts",
            json!({"name": "Cung cấp thiết bị phòng thí nghiệm vật lý", "customer_id": university["id"],
            "made_on": "2026-03-02", "ends_on": "2027-03-01", "value": 110_000_000, "responsible": "manager.hn"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let path = created.header("location").expect("the contract's address").to_owned();
    let number = created.body["number"].as_str().unwrap().to_owned();

    let text = printed(&rep, &format!("{path}/pdf?lang=vi")).await;
    let words = format!("Bằng chữ: {}", amount_in_words(110_000_000, Language::Vi));
    assert_holds(&text, &["HỢP ĐỒNG MUA BÁN", &number, "Cung cấp thiết bị phòng thí nghiệm vật lý"]);
    assert_holds(&text, &["BÊN A (Bên mua)", "Đại học Bách khoa Hà Nội", "BÊN B (Bên bán)", "CÔNG TY CỔ PHẦN ATQ"]);
    assert_holds(&text, &["02/03/2026", "01/03/2027", "110.000.000", &words, "Nháp", "manager.hn"]);
    assert_holds(&text, &["ĐẠI DIỆN BÊN A", "ĐẠI DIỆN BÊN B"]);

    let english = printed(&rep, &format!("{path}/pdf?lang=en")).await;
    let words = amount_in_words(110_000_000, Language::En);
    assert_holds(&english, &["SALES CONTRACT", "110,000,000", &words, "Draft", "FOR PARTY A"]);

    let other_office = system.login("sales.hcm").await;
    assert_eq!(other_office.get(&format!("{path}/pdf")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(rep.get("/api/v1/contracts/999999/pdf").await.status, StatusCode::NOT_FOUND);

    // The contract's page prints it through the web app.
    let mut web = WebSession::sign_in(&system, "sales.hn", "vi").await;
    let page_path = path.trim_start_matches("/api/v1");
    let page = web.get(page_path).await;
    assert!(page.html.contains(&format!("href=\"{page_path}/pdf\"")), "{}", page.html);
    let download = web.get(&format!("{page_path}/pdf")).await;
    assert_eq!((download.status, download.content_type.as_str()), (StatusCode::OK, "application/pdf"));
    system.stop().await;
}

/// One file of a workbook (a zip of XML files), as text.
fn workbook_part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut part = archive.by_name(name).unwrap_or_else(|_| panic!("{name} missing from the workbook"));
    let mut text = String::new();
    std::io::Read::read_to_string(&mut part, &mut text).unwrap();
    text
}

#[tokio::test]
async fn the_sales_report_downloads_as_a_workbook_with_the_figures() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let order = order_all(&rep, &school["id"], &products).await;
    let confirmed = rep.post(&format!("{order}/confirm"), json!({})).await;
    assert_eq!(confirmed.body["status"], "confirmed", "{}", confirmed.body);
    let net = confirmed.body["total_net"].as_i64().expect("the order's net total");
    assert!(net > 0);
    let director = system.login("director").await;
    eventually("the order in the sales report", || async {
        director.get("/api/v1/reports/sales").await.body["total"]["net"].as_i64() == Some(net)
    })
    .await;

    let (status, headers, bytes) = director.download("/api/v1/reports/sales?format=xlsx").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(headers["content-disposition"].to_str().unwrap().contains(".xlsx"));
    let strings = workbook_part(&bytes, "xl/sharedStrings.xml");
    for wanted in ["Doanh thu chưa thuế", "Số đơn hàng", "total", "office", "HN", "sales.hn"] {
        assert!(strings.contains(wanted), "{wanted:?} in {strings}");
    }
    // Amounts are numbers Excel can sum, not text.
    let sheet = workbook_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(&format!("<v>{net}</v>")), "{net} in {sheet}");

    let refused = rep.get("/api/v1/reports/sales?format=xlsx").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    system.stop().await;
}
