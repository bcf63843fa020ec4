//! The web UI's customer import, stock transfers and stocktakes on the real system: each screen
//! for the roles that use it in both languages and refused to the others; a checked file with a
//! bad row shows that row's problem and writes nothing, and the import of the checked file creates
//! its customers once; a transfer moves the goods and a stocktake posts the difference, both seen
//! through the REST API's stock levels.

use atq_tests::web::{Page, WebSession};
use atq_tests::{Session, TestProducts, TestSystem, seed_products};
use reqwest::StatusCode;
use serde_json::{Value, json};

const HEADER: &str = "Tên khách hàng,Nhóm khách hàng,Điện thoại,Địa chỉ,Văn phòng,Mã số thuế\r\n";

/// Four filter presses and two serial-numbered viscometers (FN-101, FN-102) in Hà Nội.
async fn seed_stock(system: &TestSystem, products: &TestProducts) {
    let keeper = system.login("warehouse").await;
    let receipt = keeper
        .post("/api/v1/stock/receipts", json!({"warehouse": "HN", "kind": "opening", "lines": [
            {"product_id": products.filter_press, "quantity": 4, "unit_cost": 100_000},
            {"product_id": products.viscometer, "quantity": 2, "unit_cost": 250_000_000, "serials": ["FN-101", "FN-102"]},
        ]}))
        .await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
}

/// What a warehouse holds of a product in good condition, by the REST API.
async fn on_hand(api: &Session, product_id: i64, warehouse: &str) -> i64 {
    let levels = api.get(&format!("/api/v1/stock?product_id={product_id}&warehouse={warehouse}")).await;
    assert_eq!(levels.status, StatusCode::OK, "{}", levels.body);
    let items = levels.body["items"].as_array().cloned().unwrap_or_default();
    items.iter().filter(|l| l["condition"] == "good").map(|l| l["on_hand"].as_i64().unwrap_or(0)).sum()
}

/// The value of an attribute that follows `prefix` in `html`.
fn attribute_after(html: &str, prefix: &str) -> String {
    let start = html.find(prefix).map(|i| i + prefix.len()).unwrap_or_else(|| panic!("{prefix} in {html}"));
    html[start..].split('"').next().unwrap_or_default().to_owned()
}

fn assert_shows(page: &Page, what: &str, expected: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.html);
    for text in expected {
        assert!(page.html.contains(text), "{what} shows {text}: {}", page.html);
    }
}

#[tokio::test]
async fn the_screens_render_for_their_roles_in_both_languages_and_are_refused_to_others() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    seed_stock(&system, &products).await;
    let pages: [(&str, &str, [&str; 2], [&str; 2]); 7] = [
        ("warehouse", "/stock", ["id=\"new-transfer\"", "Chuyển kho"], ["id=\"new-count\"", "Stocktake"]),
        (
            "warehouse",
            "/stock/transfers/new",
            ["Kho nhận", "name=\"serials\""],
            ["To warehouse", "name=\"idempotency_key\""],
        ),
        ("director", "/stock/transfers/new", ["Kho xuất", "LPLT 300"], ["From warehouse", "Model 35SA"]),
        ("warehouse", "/stock/counts/new?warehouse=HN", ["Số trên sổ", "LPLT 300"], ["Book quantity", "Model 35SA"]),
        (
            "sales.hn",
            "/customers",
            ["id=\"import-customers\"", "Nhập từ bảng tính"],
            ["id=\"import-customers\"", "Import"],
        ),
        (
            "sales.hn",
            "/customers/import",
            ["Tải mẫu CSV", "id=\"check-form\""],
            ["Download the CSV template", "id=\"check-form\""],
        ),
        ("manager.hn", "/customers/import", ["Kiểm tra tệp", "name=\"sheet\""], ["Check the file", "name=\"sheet\""]),
    ];
    for (index, lang) in ["vi", "en"].into_iter().enumerate() {
        for (username, path, vietnamese, english) in &pages {
            let mut web = WebSession::sign_in(&system, username, lang).await;
            let page = web.get(path).await;
            let expected = if index == 0 { vietnamese } else { english };
            assert_shows(&page, &format!("{username} {lang} {path}"), expected);
            assert!(page.html.contains(&format!("<html lang=\"{lang}\">")), "{path}");
        }
    }
    let refused = [
        ("sales.hn", "/stock/transfers/new"),
        ("sales.hn", "/stock/counts/new"),
        ("accountant", "/stock/counts/new?warehouse=HN"),
        ("warehouse", "/customers/import"),
        ("accountant", "/customers/import"),
    ];
    for (username, path) in refused {
        let mut web = WebSession::sign_in(&system, username, "vi").await;
        assert_eq!(web.get(path).await.status, StatusCode::FORBIDDEN, "{username} {path}");
    }
    let mut keeper = WebSession::sign_in(&system, "warehouse", "en").await;
    assert!(!keeper.get("/customers").await.html.contains("import-customers"), "no import button for the warehouse");
    let mut rep = WebSession::sign_in(&system, "sales.hn", "en").await;
    assert!(!rep.get("/stock").await.html.contains("new-transfer"), "no transfer button for sales");
    for (path, form) in [("/stock/transfers", "/stock/transfers/new"), ("/stock/counts", "/stock/counts/new")] {
        assert!(keeper.get(path).await.html.contains(&format!("href=\"{form}\"")), "{path} offers {form}");
    }
    let mut anonymous = WebSession::anonymous(&system, "vi");
    assert_eq!(anonymous.get("/stock/counts/new").await.status, StatusCode::SEE_OTHER);
    let template = rep.get("/customers/import/template?format=csv").await;
    assert!(template.content_type.starts_with("text/csv"), "{}", template.content_type);
    assert!(template.html.contains("Tên khách hàng"), "{}", template.html);
    system.stop().await;
}

/// The customers whose names fold to `q`, by the REST API.
async fn customers_named(api: &Session, q: &str) -> Vec<Value> {
    let found = api.get(&format!("/api/v1/customers?q={q}")).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    found.body["items"].as_array().cloned().unwrap_or_default()
}

async fn upload(web: &mut WebSession, fields: &[(&str, &str)], csv: &str) -> Page {
    let csrf = web.csrf();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    web.post_multipart("/customers/import", &all, "sheet", ("khach-hang.csv", "text/csv", csv.as_bytes())).await
}

#[tokio::test]
async fn a_checked_file_with_a_bad_row_writes_nothing_and_the_checked_file_is_imported_once() {
    let system = TestSystem::start().await;
    let api = system.login("sales.hn").await;
    let mut web = WebSession::sign_in(&system, "sales.hn", "vi").await;
    let good = [
        "Công ty Nhập Thử Một,Đại lý,0912700001,12 Tràng Tiền,HN,0101700001",
        "Nguyễn Nhập Thử Hai,Cá nhân,0912700002,5 Lý Thường Kiệt,HN,",
    ];
    let bad_file = format!("{HEADER}{}\r\n{}\r\nNhập Thử Ba,Cá nhân,,7 Hàng Bài,HN,\r\n", good[0], good[1]);
    let checked = upload(&mut web, &[("step", "check")], &bad_file).await;
    assert_shows(&checked, "the check", &["id=\"row-errors\"", "<td class=\"num\">4</td><td>Số điện thoại</td>"]);
    assert!(!checked.html.contains("id=\"run-form\""), "no import of a file with problems");
    assert!(customers_named(&api, "nhap+thu").await.is_empty(), "a check writes nothing");

    let good_file = format!("{HEADER}{}\r\n{}\r\n", good[0], good[1]);
    let checked = upload(&mut web, &[("step", "check")], &good_file).await;
    assert_shows(&checked, "the check of a good file", &["id=\"import-ready\"", "id=\"rows-valid\">2<"]);
    assert!(customers_named(&api, "nhap+thu").await.is_empty(), "a check writes nothing");
    let digest = attribute_after(&checked.html, "name=\"digest\" value=\"");
    let key = attribute_after(&checked.html, "name=\"idempotency_key\" value=\"");
    let import = [("step", "import"), ("digest", digest.as_str()), ("idempotency_key", key.as_str())];

    let other = upload(&mut web, &import, &format!("{good_file}Khác,Cá nhân,0912700009,1 Huế,HN,\r\n")).await;
    assert_shows(&other, "another file", &["id=\"import-refused\"", "không phải tệp vừa kiểm tra"]);
    assert!(customers_named(&api, "nhap+thu").await.is_empty());

    let imported = upload(&mut web, &import, &good_file).await;
    assert_shows(&imported, "the import", &["id=\"import-done\"", "Công ty Nhập Thử Một", "Nguyễn Nhập Thử Hai"]);
    assert_eq!(customers_named(&api, "nhap+thu").await.len(), 2);
    let again = upload(&mut web, &import, &good_file).await;
    assert_shows(&again, "the import sent twice", &["id=\"import-done\""]);
    assert_eq!(customers_named(&api, "nhap+thu").await.len(), 2, "a resubmitted import writes once");
    system.stop().await;
}

#[tokio::test]
async fn a_transfer_short_of_stock_is_shown_on_its_row_and_the_corrected_one_moves_the_goods() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    seed_stock(&system, &products).await;
    let mut web = WebSession::sign_in(&system, "warehouse", "vi").await;
    let form = web.get("/stock/transfers/new").await;
    let key = attribute_after(&form.html, "name=\"idempotency_key\" value=\"");
    let (csrf, visc, press) = (web.csrf(), products.viscometer.to_string(), products.filter_press.to_string());
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("from_warehouse", "HN"),
        ("to_warehouse", "HCM"),
        ("note", "Cho dự án ở TP.HCM"),
        ("product_id", ""),
        ("quantity", ""),
        ("serials", ""),
        ("product_id", press.as_str()),
        ("quantity", "9"),
        ("serials", ""),
        ("product_id", visc.as_str()),
        ("quantity", "1"),
        ("serials", "FN-101"),
    ];
    let refused = web.post_form("/stock/transfers", &fields).await;
    assert_shows(&refused, "a transfer short of stock", &["id=\"line-2-error\"", "Cho dự án ở TP.HCM</textarea>"]);
    let shortage = attribute_after(&refused.html, "id=\"line-2-error\">");
    assert!(shortage.contains("chỉ còn 4 đơn vị"), "the row says what is available: {shortage}");
    assert!(!refused.html.contains("id=\"line-3-error\"") && !refused.html.contains("class=\"alert\""));
    let keeper = system.login("warehouse").await;
    assert_eq!(on_hand(&keeper, products.filter_press, "HN").await, 4, "nothing moved");

    let fresh_key = attribute_after(&refused.html, "name=\"idempotency_key\" value=\"");
    fields[1] = ("idempotency_key", fresh_key.as_str());
    fields[9] = ("quantity", "3");
    let recorded = web.post_form("/stock/transfers", &fields).await;
    assert_shows(&recorded, "the transfer", &["id=\"transfer-recorded\"", "CK-", "FN-101", "Hồ Chí Minh"]);
    let again = web.post_form("/stock/transfers", &fields).await;
    assert_shows(&again, "the transfer sent twice", &["id=\"transfer-recorded\""]);
    assert_eq!(on_hand(&keeper, products.filter_press, "HN").await, 1);
    assert_eq!(on_hand(&keeper, products.filter_press, "HCM").await, 3, "a double click moves the goods once");
    assert_eq!(on_hand(&keeper, products.viscometer, "HCM").await, 1);
    let serials = keeper.get(&format!("/api/v1/stock/serials?product_id={visc}&warehouse=HCM")).await;
    assert_eq!(serials.body["items"][0]["serial"], "FN-101", "{}", serials.body);
    system.stop().await;
}

#[tokio::test]
async fn a_stocktake_needs_a_reason_for_a_difference_and_posts_the_surplus_and_the_shortage() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    seed_stock(&system, &products).await;
    let mut web = WebSession::sign_in(&system, "warehouse", "en").await;
    let sheet = web.get("/stock/counts/new?warehouse=HN").await;
    assert_shows(&sheet, "the count sheet", &["name=\"counted\"", "LPLT 300", "<td class=\"num\">4</td>"]);
    let key = attribute_after(&sheet.html, "name=\"idempotency_key\" value=\"");
    let (csrf, visc, press) = (web.csrf(), products.viscometer.to_string(), products.filter_press.to_string());
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("warehouse", "HN"),
        ("row_kind", "sheet"),
        ("product_id", press.as_str()),
        ("condition", "good"),
        ("counted", "2"),
        ("serials", ""),
        ("reason", ""),
        ("row_kind", "sheet"),
        ("product_id", visc.as_str()),
        ("condition", "good"),
        ("counted", ""),
        ("serials", "FN-101\r\nFN-102\r\nFN-103"),
        ("reason", "Found on the shelf of returns"),
        ("row_kind", "extra"),
        ("product_id", ""),
        ("condition", "good"),
        ("counted", ""),
        ("serials", ""),
        ("reason", ""),
    ];
    let refused = web.post_form("/stock/counts", &fields).await;
    let expected = ["id=\"line-1-error\">is required when the count differs from the stock<", "FN-103"];
    assert_shows(&refused, "a difference without a reason", &expected);
    assert!(!refused.html.contains("id=\"line-2-error\""), "{}", refused.html);
    let keeper = system.login("warehouse").await;
    assert_eq!(on_hand(&keeper, products.filter_press, "HN").await, 4, "nothing posted");

    let fresh_key = attribute_after(&refused.html, "name=\"idempotency_key\" value=\"");
    fields[1] = ("idempotency_key", fresh_key.as_str());
    fields[8] = ("reason", "Two broken in handling");
    let posted = web.post_form("/stock/counts", &fields).await;
    let expected = ["id=\"count-posted\"", "KK-", "<strong>-2</strong>", "<strong>+1</strong>", "Shortage", "Surplus"];
    assert_shows(&posted, "the posted stocktake", &expected);
    assert!(posted.html.contains("FN-103"), "the surplus serial is named");
    assert_eq!(on_hand(&keeper, products.filter_press, "HN").await, 2);
    assert_eq!(on_hand(&keeper, products.viscometer, "HN").await, 3);
    system.stop().await;
}
