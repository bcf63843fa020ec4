//! The web UI's warranty screens on the real system: a sold serial looked up shows its customer
//! and warranty end; a case is opened, diagnosed, decided (exchange) and closed through the forms,
//! a wrong decision coming back with the error beside its field; a repair goes to the supplier and
//! back through the forms; the pages speak both languages, the menu shows warranty to the roles
//! that work it, and another office's salesperson cannot see the case.

use atq_tests::shipping::{ship_everything, stock_and_customer};
use atq_tests::web::{Page, WebSession};
use atq_tests::{TestSystem, seed_products};
use chrono::Months;
use reqwest::StatusCode;
use serde_json::json;

fn assert_shows(page: &Page, what: &str, expected: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.html);
    for text in expected {
        assert!(page.html.contains(text), "{what} shows {text}: {}", page.html);
    }
}

/// Where a form's answer sends the browser.
fn redirected(page: &Page) -> String {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    page.location.clone().unwrap_or_default()
}

/// Both viscometers (FN-001, FN-002) sold and shipped to a Hà Nội school, a spare (FN-003) in stock.
async fn sold_and_a_spare(system: &TestSystem) {
    let products = seed_products(system).await;
    let (rep, school) = stock_and_customer(system, &products).await;
    ship_everything(system, &products, &rep, &school["id"]).await;
    let keeper = system.login("warehouse").await;
    let spare = json!({"warehouse": "HN", "kind": "purchase", "reference": "INV-FANN-2", "lines": [
        {"product_id": products.viscometer, "quantity": 1, "unit_cost": 260_000_000, "serials": ["FN-003"]},
    ]});
    assert_eq!(keeper.post("/api/v1/stock/receipts", spare).await.status, StatusCode::CREATED);
}

/// Posts a step form of a case and returns the page it answers (the case again when refused).
async fn step(web: &mut WebSession, case: &str, verb: &str, fields: &[(&str, &str)]) -> Page {
    let csrf = web.csrf();
    let mut sent = vec![("csrf", csrf.as_str())];
    sent.extend_from_slice(fields);
    web.post_form(&format!("{case}/{verb}"), &sent).await
}

#[tokio::test]
async fn a_sold_serial_is_looked_up_and_its_case_opened_decided_and_closed_through_the_forms() {
    let system = TestSystem::start().await;
    sold_and_a_spare(&system).await;
    let year_on = atq_tests::dates::today().checked_add_months(Months::new(12)).unwrap().format("%d/%m/%Y").to_string();
    let mut officer = WebSession::sign_in(&system, "import", "vi").await;

    let found = officer.get("/warranty?serial=FN-001").await;
    assert_shows(
        &found,
        "the lookup",
        &["Trường THPT Chu Văn An", "Còn bảo hành", &year_on, "Xuất bán", "id=\"open-case\""],
    );
    assert_shows(&officer.get("/warranty?serial=NO-SUCH-1").await, "an unknown serial", &["Không tìm thấy"]);
    let form = officer.get("/warranty/cases/new?serial=FN-001").await;
    assert_shows(&form, "the form", &["Mở phiếu bảo hành", "value=\"FN-001\"", &year_on]);

    let csrf = officer.csrf();
    let mut fields = vec![("csrf", csrf.as_str()), ("idempotency_key", "web-warranty-1"), ("serial", "FN-001")];
    fields.extend([("complaint", " "), ("contract_warranty_months", "")]);
    let refused = officer.post_form("/warranty/cases/new", &fields).await;
    assert_shows(&refused, "the refused form", &["id=\"complaint-error\"", "aria-invalid"]);
    fields[3] = ("complaint", "Máy không lên nguồn sau 2 tuần sử dụng");
    let case = redirected(&officer.post_form("/warranty/cases/new", &fields).await);
    assert!(case.starts_with("/warranty/cases/"), "{case}");
    assert_shows(
        &officer.get(&case).await,
        "the new case",
        &["Mới mở", "Còn bảo hành", "id=\"diagnose-form\"", "id=\"decide-form\""],
    );

    let diagnosed = step(&mut officer, &case, "diagnose", &[("diagnosis", "Hỏng bo nguồn")]).await;
    assert_eq!(redirected(&diagnosed), case);
    // A decision the API does not know, then a replacement that is not in stock: each beside its field.
    let unknown = step(&mut officer, &case, "decide", &[("decision", "refund")]).await;
    assert_shows(&unknown, "an unknown decision", &["id=\"decision-error\"", "Đổi hàng (exchange)"]);
    let not_in_stock = [("decision", "exchange"), ("replacement_serial", "FN-002"), ("note", "")];
    let refused = step(&mut officer, &case, "decide", &not_in_stock).await;
    assert_shows(&refused, "a replacement not in stock", &["id=\"replacement_serial-error\"", "value=\"FN-002\""]);
    let exchange = [("decision", "exchange"), ("replacement_serial", "FN-003"), ("replacement_warranty", "remaining")];
    assert_eq!(redirected(&step(&mut officer, &case, "decide", &exchange).await), case);
    let decided = officer.get(&case).await;
    assert_shows(&decided, "the decided case", &["Đã quyết định", "Đổi hàng", "FN-003", "id=\"close-form\""]);
    assert!(!decided.html.contains("id=\"decide-form\""), "decided once");
    let closed = step(&mut officer, &case, "close", &[("resolution", "Đã đổi máy FN-003 cho khách")]).await;
    assert_eq!(redirected(&closed), case);
    assert_shows(
        &officer.get(&case).await,
        "the closed case",
        &["Đã đóng", "Đóng phiếu", "Đã đổi máy FN-003 cho khách"],
    );
    let replacement = officer.get("/warranty?serial=FN-003").await;
    assert_shows(&replacement, "the replacement", &["Thay cho số sê-ri", "FN-001", "Xuất hàng đổi bảo hành"]);

    let mut english = WebSession::sign_in(&system, "import", "en").await;
    assert_shows(
        &english.get(&case).await,
        "in English",
        &["Warranty case", "Exchange FN-001 → FN-003", "Closed", "Timeline"],
    );
    assert_shows(&english.get("/warranty?status=closed").await, "the list", &["Warranty cases", "FN-001", "Closed"]);
    let faulty = english.get("/warranty?serial=FN-001").await;
    assert_shows(&faulty, "the faulty unit back", &["Out of warranty", "The unit is not with a customer (in stock)"]);

    // Sales read the case of their office; another office's salesperson does not see it.
    let mut rep = WebSession::sign_in(&system, "sales.hn", "vi").await;
    let read = rep.get(&case).await;
    assert_shows(&read, "the rep's view", &["Đã đóng", "<li><a href=\"/warranty\""]);
    let mut saigon = WebSession::sign_in(&system, "sales.hcm", "en").await;
    assert_eq!(saigon.get(&case).await.status, StatusCode::NOT_FOUND);
    assert_shows(&saigon.get("/warranty").await, "another office's list", &["No warranty cases yet."]);
    system.stop().await;
}

#[tokio::test]
async fn a_repair_goes_to_the_supplier_and_back_through_the_forms() {
    let system = TestSystem::start().await;
    sold_and_a_spare(&system).await;
    let mut officer = WebSession::sign_in(&system, "import", "en").await;
    let csrf = officer.csrf();
    let fields = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", "web-warranty-2"),
        ("serial", "FN-002"),
        ("complaint", "Sai số đo lớn"),
    ];
    let case = redirected(&officer.post_form("/warranty/cases/new", &fields).await);
    let decided = step(&mut officer, &case, "decide", &[("decision", "repair_at_supplier")]).await;
    assert_eq!(redirected(&decided), case);
    assert_shows(&officer.get(&case).await, "to send", &["id=\"supplier-return-form\"", "Repair at the supplier"]);
    let sent = step(&mut officer, &case, "supplier-return", &[("rma_number", "RMA-FANN-77"), ("shipped_on", "")]).await;
    assert_eq!(redirected(&sent), case);
    let away = officer.get(&case).await;
    assert_shows(&away, "at the supplier", &["At the supplier", "RMA-FANN-77", "id=\"receive-form\""]);
    assert!(!away.html.contains("id=\"close-form\""), "not closed while away");

    let bad = step(&mut officer, &case, "receive", &[("outcome", "repaired"), ("received_on", "2020-13-01")]).await;
    assert_shows(&bad, "a bad date", &["id=\"received_on-error\"", "value=\"2020-13-01\""]);
    let back = step(&mut officer, &case, "receive", &[("outcome", "repaired"), ("received_on", "")]).await;
    assert_eq!(redirected(&back), case);
    assert_shows(&officer.get(&case).await, "back", &["Repaired", "Back from the supplier", "id=\"close-form\""]);

    // Every role that works warranty has it in its menu (the home page may link it too); the
    // warehouse and accounting do not.
    for (username, in_menu) in
        [("director", true), ("admin", true), ("manager.hn", true), ("warehouse", false), ("accountant", false)]
    {
        let mut web = WebSession::sign_in(&system, username, "vi").await;
        let home = web.get("/").await;
        assert_eq!(home.html.contains("<li><a href=\"/warranty\""), in_menu, "{username}: {}", home.html);
        assert_shows(&web.get("/warranty").await, username, &["Phiếu bảo hành", "Tra cứu"]);
    }
    system.stop().await;
}

#[tokio::test]
async fn the_demo_company_has_an_exchange_done_and_a_repair_at_the_supplier_once() {
    let mut system = TestSystem::start().await;
    let (peers, key) = (system.system().peers().clone(), system.system().internal_key().clone());
    atq_launcher::demo::load(&peers, &key).await.unwrap();
    atq_launcher::demo::load(&peers, &key).await.unwrap();
    let officer = system.login("import").await;
    let cases = officer.get("/api/v1/warranty-cases").await.body;
    let items = cases["items"].as_array().unwrap();
    let states: Vec<(&str, &str)> =
        items.iter().map(|c| (c["decision"].as_str().unwrap(), c["status"].as_str().unwrap())).collect();
    assert_eq!(states, [("exchange", "closed"), ("repair_at_supplier", "at_supplier")], "loaded twice: {cases}");
    let exchanged = &items[0];
    let replacement_serial = exchanged["replacement_serial"].as_str().unwrap();
    let replacement = officer.get(&format!("/api/v1/warranty/serials/{replacement_serial}")).await;
    assert_eq!(replacement.body["replaces_serial"], exchanged["serial"], "{}", replacement.body);
    assert_eq!(items[1]["supplier_return"]["rma_number"], "RMA-CHK-26-0142");

    let mut web = WebSession::sign_in(&system, "director", "vi").await;
    assert_shows(&web.get("/warranty").await, "the demo cases", &["Đổi hàng", "Đã đóng", "Ở nhà cung cấp"]);
    system.assert_books_agree().await;
    system.stop().await;
}
