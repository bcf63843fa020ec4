//! The web UI's back-office screens on the real system: stock and the goods receipt, the catalog,
//! the price sheet and its versions, import plans, receivables and reports, for the roles that use
//! them, in both languages, with the data each shows seeded through the REST API.

use atq_tests::dates::plus;
use atq_tests::shipping::{ship_everything, stock_and_customer};
use atq_tests::web::{Page, WebSession};
use atq_tests::{TestProducts, TestSystem, eventually, seed_products};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Goods in the HN warehouse, a published price sheet and a late import plan; returns the sheet's
/// and the plan's ids.
async fn seed_back_office(system: &TestSystem, products: &TestProducts) -> (i64, i64) {
    let keeper = system.login("warehouse").await;
    let receipt = keeper
        .post("/api/v1/stock/receipts", json!({"warehouse": "HN", "kind": "opening", "lines": [
            {"product_id": products.filter_press, "quantity": 4, "unit_cost": 100_000},
            {"product_id": products.viscometer, "quantity": 2, "unit_cost": 250_000_000, "serials": ["FN-101", "FN-102"]},
        ]}))
        .await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    let officer = system.login("import").await;
    let margins = json!({"individual": "0.35", "dealer": "0.20", "project": "0.25"});
    let draft = json!({"effective_on": plus(0), "rounding_step": 1000, "margins": margins});
    let sheet = officer.send(Method::POST, "/api/v1/price-lists", Some(draft), &[]).await;
    assert_eq!(sheet.status, StatusCode::CREATED, "{}", sheet.body);
    let sheet_id = sheet.body["id"].as_i64().unwrap();
    let published = officer.post(&format!("/api/v1/price-lists/{sheet_id}/publish"), json!({})).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let rep = system.login("sales.hn").await;
    let contract = json!({"source_ref": "HD-2026-0777", "customer_name": "Trường THPT Chu Văn An", "office": "HN",
        "lines": [{"line_no": 1, "product_id": products.viscometer, "milestones": [{"needed_by": plus(20), "quantity": 3}]}]});
    let plan = rep.post("/api/v1/import-plans", contract).await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    assert_eq!(plan.body["status"], "late", "{}", plan.body);
    (sheet_id, plan.body["id"].as_i64().unwrap())
}

fn assert_page(page: &Page, lang: &str, what: &str, expected: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.html);
    assert!(page.html.contains(&format!("<html lang=\"{lang}\">")), "{what}");
    for text in expected {
        assert!(page.html.contains(text), "{what} shows {text}: {}", page.html);
    }
}

#[tokio::test]
async fn the_back_office_pages_render_for_their_roles_in_both_languages() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (sheet_id, plan_id) = seed_back_office(&system, &products).await;
    let (visc, press) = (products.viscometer, products.filter_press);
    let (sheet, plan) = (format!("/price-lists/{sheet_id}"), format!("/import-plans/{plan_id}"));
    let pages: Vec<(&str, String, [&str; 2])> = vec![
        ("warehouse", "/stock".into(), ["Model 35SA", "LPLT 300"]),
        ("warehouse", "/stock?warehouse=HN&q=LPLT".into(), ["LPLT 300", "id=\"new-receipt\""]),
        ("warehouse", format!("/stock/serials?product_id={visc}"), ["FN-101", "FN-102"]),
        ("warehouse", "/stock/receipts/new".into(), ["name=\"idempotency_key\"", "name=\"serials\""]),
        ("warehouse", "/products?category=chemistry".into(), ["Model 35SA", "LPLT 300"]),
        ("import", format!("/products/{press}"), ["LPLT 300", "90278030"]),
        ("import", "/suppliers".into(), ["Fann Instrument", "FR"]),
        ("sales.hn", "/price-sheet?group=dealer".into(), ["id=\"download-xlsx\"", "Model 35SA"]),
        ("import", "/price-lists".into(), ["BBG-", &sheet]),
        ("import", sheet.clone(), ["BBG-", "Model 35SA"]),
        ("import", "/import-plans?status=late".into(), ["HD-2026-0777", &plan]),
        ("import", plan.clone(), ["<svg role=\"img\"", "class=\"late\""]),
        ("import", "/import-plans/proposals".into(), ["Fann Instrument", "Model 35SA"]),
        ("import", "/".into(), [&plan, "Trường THPT Chu Văn An"]),
        ("accountant", "/receivables".into(), ["<svg role=\"img\"", "<title>"]),
        ("director", "/reports".into(), ["<svg role=\"img\"", "id=\"sales-csv\""]),
        ("manager.hn", "/reports".into(), ["<svg", "Hà Nội"]),
    ];
    for lang in ["vi", "en"] {
        let mut sessions: Vec<(&str, WebSession)> = Vec::new();
        for (username, path, expected) in &pages {
            if !sessions.iter().any(|(name, _)| name == username) {
                sessions.push((username, WebSession::sign_in(&system, username, lang).await));
            }
            let Some((_, web)) = sessions.iter_mut().find(|(name, _)| name == username) else { continue };
            let page = web.get(path).await;
            assert_page(&page, lang, &format!("{username} {lang} {path}"), expected);
        }
        let labels = if lang == "vi" { ["Tồn kho", "Bảng báo giá"] } else { ["Stock", "Price sheet"] };
        let (_, import) = sessions.iter_mut().find(|(name, _)| *name == "import").unwrap();
        let menu = import.get("/price-sheet").await;
        assert!(labels.iter().all(|label| menu.html.contains(label)), "{}", menu.html);
        assert!(menu.html.contains("href=\"/price-lists\""), "import-export manages the versions");
    }
    system.stop().await;
}

#[tokio::test]
async fn menus_and_buttons_follow_the_role() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (sheet_id, _) = seed_back_office(&system, &products).await;
    let mut rep = WebSession::sign_in(&system, "sales.hn", "en").await;
    let home = rep.get("/").await;
    assert!(home.html.contains("href=\"/price-sheet\"") && !home.html.contains("href=\"/receivables\""));
    let stock = rep.get("/stock").await;
    assert!(!stock.html.contains("new-receipt") && !stock.html.contains("Moving-average cost"), "no costs for sales");
    let sheet = rep.get("/price-sheet").await;
    assert!(!sheet.html.contains("href=\"/price-lists\"") && !sheet.html.contains(">Cost<"));
    assert_eq!(rep.get("/receivables").await.status, StatusCode::FORBIDDEN);

    let mut accountant = WebSession::sign_in(&system, "accountant", "en").await;
    let stock = accountant.get("/stock").await;
    assert!(stock.html.contains("Moving-average cost") && stock.html.contains("₫100,000"), "{}", stock.html);

    let mut officer = WebSession::sign_in(&system, "import", "vi").await;
    let draft = json!({"effective_on": plus(1), "rounding_step": 1000, "margins": {"individual": "0.35", "dealer": "0.30", "project": "0.25"}});
    let second = system.login("import").await.send(Method::POST, "/api/v1/price-lists", Some(draft), &[]).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let second_id = second.body["id"].as_i64().unwrap();
    let page = officer.get(&format!("/price-lists/{second_id}")).await;
    assert!(page.html.contains("id=\"publish-sheet\"") && page.html.contains("Đổi giá"), "{}", page.html);
    assert!(!officer.get(&format!("/price-lists/{sheet_id}")).await.html.contains("id=\"publish-sheet\""));
    let csrf = officer.csrf();
    let published = officer.post_form(&format!("/price-lists/{second_id}/publish"), &[("csrf", &csrf)]).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.html);
    assert!(officer.get(&format!("/price-lists/{second_id}")).await.html.contains("Đã công bố"));

    for format in ["csv", "xlsx"] {
        let download = rep.get(&format!("/price-sheet/download?group=dealer&format={format}")).await;
        assert_eq!(download.status, StatusCode::OK, "{format}");
        let expected = if format == "csv" { "text/csv" } else { "spreadsheetml" };
        assert!(download.content_type.contains(expected), "{format}: {}", download.content_type);
    }
    system.stop().await;
}

/// The value of an attribute that follows `prefix` in `html`.
fn attribute_after(html: &str, prefix: &str) -> String {
    let start = html.find(prefix).map(|i| i + prefix.len()).unwrap_or_else(|| panic!("{prefix} in {html}"));
    html[start..].split('"').next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_bad_receipt_line_is_shown_beside_its_row_and_the_corrected_form_receives_the_goods() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let mut web = WebSession::sign_in(&system, "warehouse", "vi").await;
    let form = web.get("/stock/receipts/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    let key = attribute_after(&form.html, "name=\"idempotency_key\" value=\"");
    let (csrf, visc, press) = (web.csrf(), products.viscometer.to_string(), products.filter_press.to_string());
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("warehouse", "HCM"),
        ("kind", "purchase"),
        ("reference", "INV-FANN-9001"),
        ("note", ""),
        ("product_id", press.as_str()),
        ("quantity", "3"),
        ("unit_cost", "1.200.000"),
        ("serials", ""),
        ("product_id", ""),
        ("quantity", ""),
        ("unit_cost", ""),
        ("serials", ""),
        ("product_id", visc.as_str()),
        ("quantity", "2"),
        ("unit_cost", "250.000.000"),
        ("serials", "FN-900"),
    ];
    let refused = web.post_form("/stock/receipts", &fields).await;
    assert_eq!(refused.status, StatusCode::OK, "shown again as a normal page");
    let error = attribute_after(&refused.html, "id=\"line-3-error\">");
    assert!(refused.html.contains("id=\"line-3-error\""), "{}", refused.html);
    assert!(!refused.html.contains("id=\"line-1-error\""), "{error}");
    assert!(refused.html.contains("value=\"INV-FANN-9001\"") && refused.html.contains("FN-900"), "typed text kept");
    let keeper = system.login("warehouse").await;
    let nothing = keeper.get(&format!("/api/v1/stock?product_id={press}&warehouse=HCM")).await;
    assert_eq!(nothing.body["items"].as_array().map(Vec::len), Some(0), "{}", nothing.body);

    let fresh_key = attribute_after(&refused.html, "name=\"idempotency_key\" value=\"");
    fields[1] = ("idempotency_key", fresh_key.as_str());
    fields[17] = ("serials", "FN-900\r\nFN-901");
    let created = web.post_form("/stock/receipts", &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let location = created.location.unwrap();
    assert!(location.starts_with("/stock?warehouse=HCM&receipt=PN-"), "{location}");
    let again = web.post_form("/stock/receipts", &fields).await;
    assert_eq!(again.location.as_deref(), Some(location.as_str()), "a double click receives the goods once");
    let stock = web.get(&location).await;
    assert!(stock.html.contains("Đã lập phiếu nhập kho PN-") && stock.html.contains("LPLT 300"), "{}", stock.html);
    let level = keeper.get(&format!("/api/v1/stock?product_id={press}&warehouse=HCM")).await;
    assert_eq!(level.body["items"][0]["on_hand"], 3, "{}", level.body);
    system.stop().await;
}

/// `amount` as the Vietnamese pages write money.
fn vnd(amount: i64) -> String {
    let digits = amount.to_string();
    let grouped: Vec<String> =
        digits.as_bytes().rchunks(3).rev().map(|chunk| String::from_utf8_lossy(chunk).into_owned()).collect();
    format!("{} ₫", grouped.join("."))
}

#[tokio::test]
async fn the_sales_report_charts_the_months_and_the_aging_shows_an_overdue_customer() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let invoice = ship_everything(&system, &products, &rep, &school["id"]).await;
    let director = system.login("director").await;
    eventually("the order in the sales report", || async {
        director.get("/api/v1/reports/sales").await.body["total"]["orders"] == 1
    })
    .await;
    let report = director.get("/api/v1/reports/sales").await.body;
    let net = report["total"]["net"].as_i64().unwrap();
    let mut web = WebSession::sign_in(&system, "director", "vi").await;
    let page = web.get("/reports").await;
    assert_page(&page, "vi", "the sales report", &["<svg role=\"img\"", "<title>Doanh thu", &vnd(net)]);
    let csv = web.get("/reports/sales.csv").await;
    assert!(csv.content_type.starts_with("text/csv") && csv.html.starts_with("month,dimension,key"), "{}", csv.html);

    let overdue_on = plus(120);
    let aging = web.get(&format!("/receivables?as_of={overdue_on}")).await;
    let open = invoice["open_amount"].as_i64().unwrap();
    let customer = school["name"].as_str().unwrap();
    assert_page(&aging, "vi", "the aging", &[customer, "Quá hạn", &vnd(open), "class=\"bar alert\""]);
    let today = web.get("/receivables").await;
    assert!(today.html.contains(customer) && !today.html.contains("badge danger"), "not overdue today");
    let balance = web.get(&format!("/customers/{}/balance", school["id"])).await;
    assert_page(&balance, "vi", "the balance", &[invoice["number"].as_str().unwrap(), &vnd(open), "<svg"]);

    let mut english = WebSession::sign_in(&system, "accountant", "en").await;
    let balance = english.get(&format!("/customers/{}/balance", school["id"])).await;
    assert_page(&balance, "en", "the balance in English", &["Balance owed", "Credit limit"]);
    system.stop().await;
}
