//! Warranty by serial number: a sold unit looked up with its warranty end; an exchange that issues
//! a replacement and takes the faulty unit back damaged, the books agreeing; a repair sent to the
//! supplier and back; a unit out of warranty refused coverage with the reason; bad input refused
//! field by field.

use atq_tests::shipping::{ship_everything, stock_and_customer};
use atq_tests::{Reply, Session, TestProducts, TestSystem, seed_products};
use chrono::Months;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn account(trial: &Value, code: &str) -> i64 {
    trial["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == code)
        .map_or(0, |a| a["debit"].as_i64().unwrap() - a["credit"].as_i64().unwrap())
}

async fn open_case(officer: &Session, body: Value, key: &str) -> Reply {
    officer.send(Method::POST, "/api/v1/warranty-cases", Some(body), &[("Idempotency-Key", key)]).await
}

/// (on hand in Hà Nội in a condition) of a product.
async fn on_hand(session: &Session, product_id: i64, condition: &str) -> i64 {
    let reply = session.get(&format!("/api/v1/stock?product_id={product_id}&warehouse=HN")).await;
    let items = reply.body["items"].as_array().unwrap().clone();
    items.iter().find(|l| l["condition"] == condition).map_or(0, |l| l["on_hand"].as_i64().unwrap())
}

/// (condition, status) of each viscometer serial.
async fn serial_states(session: &Session, products: &TestProducts) -> Vec<(String, String, String)> {
    let reply = session.get(&format!("/api/v1/stock/serials?product_id={}", products.viscometer)).await;
    let items = reply.body["items"].as_array().unwrap().clone();
    let text = |s: &Value, k: &str| s[k].as_str().unwrap().to_owned();
    items.iter().map(|s| (text(s, "serial"), text(s, "condition"), text(s, "status"))).collect()
}

/// Sells both viscometers (FN-001, FN-002) and receives a spare one (FN-003) at 260,000,000.
async fn sold_and_a_spare(system: &TestSystem) -> (TestProducts, Session, Value) {
    let products = seed_products(system).await;
    let (rep, school) = stock_and_customer(system, &products).await;
    ship_everything(system, &products, &rep, &school["id"]).await;
    let keeper = system.login("warehouse").await;
    let spare = json!({"warehouse": "HN", "kind": "purchase", "reference": "INV-FANN-2", "lines": [
        {"product_id": products.viscometer, "quantity": 1, "unit_cost": 260_000_000, "serials": ["FN-003"]},
    ]});
    assert_eq!(keeper.post("/api/v1/stock/receipts", spare).await.status, StatusCode::CREATED);
    (products, rep, school)
}

fn kinds(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_sold_serial_is_looked_up_and_exchanged_from_stock_with_the_books_agreeing() {
    let system = TestSystem::start().await;
    let (products, rep, school) = sold_and_a_spare(&system).await;
    let today = atq_tests::dates::today();
    let year_on = today.checked_add_months(Months::new(12)).unwrap().to_string();

    let sold = rep.get("/api/v1/warranty/serials/FN-001").await;
    assert_eq!(sold.status, StatusCode::OK, "{}", sold.body);
    let s = &sold.body;
    assert_eq!((s["product_id"].as_i64(), s["customer_id"].clone()), (Some(products.viscometer), school["id"].clone()));
    assert_eq!((s["status"].as_str(), s["office"].as_str()), (Some("issued"), Some("HN")));
    assert!(s["order_number"].as_str().unwrap().starts_with("DH-"), "{s}");
    assert_eq!(s["shipped_on"], today.to_string());
    assert_eq!((s["warranty_months"].as_i64(), s["warranty_ends_on"].as_str()), (Some(12), Some(year_on.as_str())));
    assert_eq!((s["in_warranty"].as_bool(), s["coverage_reason"].as_str()), (Some(true), Some("")));
    assert_eq!(kinds(&s["history"]), ["received", "issued"]);
    assert_eq!(rep.get("/api/v1/warranty/serials/NO-SUCH-1").await.status, StatusCode::NOT_FOUND);

    // Opening is the import-export department's; a retry returns the first case.
    let officer = system.login("import").await;
    let body = json!({"serial": "FN-001", "complaint": "Máy không lên nguồn sau 2 tuần sử dụng"});
    assert_eq!(open_case(&rep, body.clone(), "w-0").await.status, StatusCode::FORBIDDEN);
    let opened = open_case(&officer, body.clone(), "w-1").await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let case = opened.body.clone();
    assert!(case["number"].as_str().unwrap().starts_with("BH-") && case["number"].as_str().unwrap().ends_with("-0001"));
    assert_eq!((case["covered"].as_bool(), case["status"].as_str()), (Some(true), Some("open")));
    assert_eq!(
        (case["customer_id"].clone(), case["warranty_ends_on"].as_str()),
        (school["id"].clone(), Some(year_on.as_str()))
    );
    assert_eq!(open_case(&officer, body, "w-1").await.body["id"], case["id"], "a retry is the first case");
    let other = json!({"serial": "FN-002", "complaint": "Khác"});
    assert_eq!(open_case(&officer, other, "w-1").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let path = format!("/api/v1/warranty-cases/{}", case["id"]);

    let diagnosed = officer.post(&format!("{path}/diagnose"), json!({"diagnosis": "Hỏng bo nguồn"})).await;
    assert_eq!(diagnosed.body["status"], "diagnosed", "{}", diagnosed.body);

    // A unit that is not in stock cannot replace it; nothing moves.
    let decide = |serial: &str| json!({"decision": "exchange", "replacement_serial": serial});
    let refused = officer.post(&format!("{path}/decide"), decide("FN-002")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.error_fields(), ["replacement_serial"]);
    assert_eq!(on_hand(&officer, products.viscometer, "good").await, 1);

    let exchanged = officer.post(&format!("{path}/decide"), decide("FN-003")).await;
    assert_eq!(exchanged.status, StatusCode::OK, "{}", exchanged.body);
    let e = &exchanged.body;
    assert_eq!((e["status"].as_str(), e["decision"].as_str()), (Some("decided"), Some("exchange")));
    assert_eq!(
        (e["replacement_serial"].as_str(), e["replacement_warranty"].as_str()),
        (Some("FN-003"), Some("remaining"))
    );
    let again = officer.post(&format!("{path}/decide"), decide("FN-003")).await;
    assert_eq!((again.status, &again.body["version"]), (StatusCode::OK, &e["version"]), "a retry moves nothing");

    // Stock: the replacement left good stock, the faulty unit came back damaged.
    assert_eq!(on_hand(&officer, products.viscometer, "good").await, 0);
    assert_eq!(on_hand(&officer, products.viscometer, "damaged").await, 1);
    let unit = |serial: &str, condition: &str, status: &str| (serial.into(), condition.into(), status.into());
    assert_eq!(
        serial_states(&officer, &products).await,
        [unit("FN-001", "damaged", "in_stock"), unit("FN-002", "good", "issued"), unit("FN-003", "good", "issued")]
    );

    // The customer's record holds the replacement, with the rest of the original's warranty.
    let replacement = rep.get("/api/v1/warranty/serials/FN-003").await.body;
    assert_eq!(
        (replacement["customer_id"].clone(), replacement["replaces_serial"].as_str()),
        (school["id"].clone(), Some("FN-001"))
    );
    assert_eq!(
        (replacement["in_warranty"].as_bool(), replacement["warranty_ends_on"].as_str()),
        (Some(true), Some(year_on.as_str()))
    );
    let history = ["received", "case_opened", "case_diagnosed", "replacement_issued", "case_decided"];
    assert_eq!(kinds(&replacement["history"]), history);
    let faulty = rep.get("/api/v1/warranty/serials/FN-001").await.body;
    assert_eq!(faulty["in_warranty"], false);
    assert_eq!(faulty["coverage_reason"], "the unit is not with a customer (in_stock)");

    // The replacement is a cost (632) at its average; the faulty unit is back in 156 at its cost.
    let accountant = system.login("accountant").await;
    let trial = accountant.get("/api/v1/accounting/trial-balance").await.body;
    assert_eq!(account(&trial, "632"), 500_300_000 + 260_000_000 - 250_000_000, "{trial}");
    assert_eq!(account(&trial, "156"), 250_000_000, "{trial}");
    system.assert_books_agree().await;

    let closed = officer.post(&format!("{path}/close"), json!({"resolution": "Đã đổi máy FN-003 cho khách"})).await;
    assert_eq!(closed.body["status"], "closed", "{}", closed.body);
    assert_eq!(kinds(&closed.body["timeline"]), ["opened", "diagnosed", "decided", "closed"]);

    // Reading: the office's rep sees it; another office's does not.
    assert_eq!(rep.get(&path).await.status, StatusCode::OK);
    let saigon = system.login("sales.hcm").await;
    assert_eq!(saigon.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(saigon.get("/api/v1/warranty-cases").await.body["items"], json!([]));
    assert_eq!(saigon.get("/api/v1/warranty/serials/FN-001").await.status, StatusCode::NOT_FOUND);
    let listed = rep.get("/api/v1/warranty-cases?serial=FN-001").await.body;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    system.stop().await;
}

#[tokio::test]
async fn a_repair_goes_to_the_supplier_and_back_and_stock_follows() {
    let system = TestSystem::start().await;
    let (products, rep, school) = sold_and_a_spare(&system).await;
    let officer = system.login("import").await;
    let opened = open_case(&officer, json!({"serial": "FN-002", "complaint": "Sai số đo lớn"}), "r-1").await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let path = format!("/api/v1/warranty-cases/{}", opened.body["id"]);
    let early = officer.post(&format!("{path}/supplier-return"), json!({"rma_number": "RMA-FANN-77"})).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "only after the decision: {}", early.body);
    let decided = officer.post(&format!("{path}/decide"), json!({"decision": "repair_at_supplier"})).await;
    assert_eq!(decided.body["status"], "decided", "{}", decided.body);

    let sent = officer.post(&format!("{path}/supplier-return"), json!({"rma_number": "RMA-FANN-77"})).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(sent.body["status"], "at_supplier");
    assert_eq!(sent.body["supplier_return"]["rma_number"], "RMA-FANN-77");
    assert_eq!(on_hand(&officer, products.viscometer, "damaged").await, 0, "back from the customer and gone");
    let states = serial_states(&officer, &products).await;
    assert_eq!(states[1], ("FN-002".into(), "damaged".into(), "at_supplier".into()));
    let accountant = system.login("accountant").await;
    let trial = accountant.get("/api/v1/accounting/trial-balance").await.body;
    // Out at the moving average of the two units that were on hand (260,000,000 and 250,000,000).
    let owed_back = 255_000_000;
    assert_eq!(account(&trial, "331"), -(500_300_000 + 260_000_000) + owed_back, "owed by the supplier: {trial}");
    system.assert_books_agree().await;
    let closing = officer.post(&format!("{path}/close"), json!({"resolution": "x"})).await;
    assert_eq!(closing.status, StatusCode::CONFLICT, "not while at the supplier");

    let bad = officer
        .post(&format!("{path}/supplier-return/receive"), json!({"outcome": "lost", "received_on": "2020-13-01"}))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(bad.error_fields(), ["received_on"]);
    let bad = officer.post(&format!("{path}/supplier-return/receive"), json!({"outcome": "lost"})).await;
    assert_eq!(bad.error_fields(), ["outcome"]);
    let back = officer.post(&format!("{path}/supplier-return/receive"), json!({"outcome": "repaired"})).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    let r = &back.body["supplier_return"];
    assert_eq!((r["outcome"].as_str(), r["turnaround_days"].as_i64()), (Some("repaired"), Some(0)));
    assert_eq!(back.body["status"], "decided");

    // Repaired: into good stock at the value it left at, and straight back to the customer.
    assert_eq!(on_hand(&officer, products.viscometer, "good").await, 1, "only the spare");
    assert_eq!(serial_states(&officer, &products).await[1], ("FN-002".into(), "good".into(), "issued".into()));
    let unit = rep.get("/api/v1/warranty/serials/FN-002").await.body;
    assert_eq!((unit["customer_id"].clone(), unit["in_warranty"].as_bool()), (school["id"].clone(), Some(true)));
    let moves: Vec<String> = kinds(&unit["history"]).into_iter().filter(|k| !k.starts_with("case_")).collect();
    assert_eq!(
        moves,
        [
            "received",
            "issued",
            "faulty_received",
            "shipped_to_supplier",
            "received_from_supplier",
            "replacement_issued"
        ]
    );
    let trial = accountant.get("/api/v1/accounting/trial-balance").await.body;
    assert_eq!(account(&trial, "331"), -(500_300_000 + 260_000_000), "{trial}");
    assert_eq!(account(&trial, "632"), 500_300_000 - 250_000_000 + owed_back, "back at cost, out at average: {trial}");
    system.assert_books_agree().await;
    let closed = officer.post(&format!("{path}/close"), json!({"resolution": "Nhà cung cấp đã sửa, trả khách"})).await;
    assert_eq!(closed.body["status"], "closed", "{}", closed.body);

    // The supplier replaces FN-001 with a new unit: the customer gets the new one.
    let opened = open_case(&officer, json!({"serial": "FN-001", "complaint": "Không đo được"}), "r-2").await;
    let path = format!("/api/v1/warranty-cases/{}", opened.body["id"]);
    officer.post(&format!("{path}/decide"), json!({"decision": "repair_at_supplier"})).await;
    let sent = officer.post(&format!("{path}/supplier-return"), json!({"rma_number": "RMA-FANN-78"})).await;
    assert_eq!(sent.body["status"], "at_supplier", "{}", sent.body);
    let replaced = json!({"outcome": "replaced", "replacement_serial": "FN-900"});
    let back = officer.post(&format!("{path}/supplier-return/receive"), replaced).await;
    assert_eq!(back.body["replacement_serial"], "FN-900", "{}", back.body);
    let unit = rep.get("/api/v1/warranty/serials/FN-900").await.body;
    assert_eq!((unit["customer_id"].clone(), unit["replaces_serial"].as_str()), (school["id"].clone(), Some("FN-001")));
    assert_eq!((unit["status"].as_str(), unit["in_warranty"].as_bool()), (Some("issued"), Some(true)));
    assert_eq!(serial_states(&officer, &products).await[0].2, "replaced_by_supplier");
    system.assert_books_agree().await;
    system.stop().await;
}

#[tokio::test]
async fn a_unit_out_of_warranty_is_refused_coverage_and_only_a_paid_repair_is_offered() {
    let system = TestSystem::start().await;
    let (_products, _rep, _school) = sold_and_a_spare(&system).await;
    let officer = system.login("import").await;

    let invalid = json!({"serial": "FN 1", "complaint": " ", "contract_warranty_months": 500, "request_id": -1});
    let refused = open_case(&officer, invalid, "o-0").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.error_fields(), ["serial", "request_id", "complaint", "contract_warranty_months"]);
    let typed = open_case(&officer, json!({"serial": 7, "complaint": "x"}), "o-00").await;
    assert_eq!((typed.status, typed.error_fields()), (StatusCode::BAD_REQUEST, vec!["serial".to_owned()]));

    // FN-003 came in from the supplier and was never sold.
    let opened = open_case(&officer, json!({"serial": "FN-003", "complaint": "Khách mang máy đến sửa"}), "o-1").await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    assert_eq!(
        (opened.body["covered"].as_bool(), opened.body["coverage_reason"].as_str()),
        (Some(false), Some("never sold to a customer"))
    );
    let path = format!("/api/v1/warranty-cases/{}", opened.body["id"]);
    let exchange = json!({"decision": "exchange", "replacement_serial": "FN-001"});
    let headers = [("Accept-Language", "vi")];
    let no = officer.send(Method::POST, &format!("{path}/decide"), Some(exchange), &headers).await;
    assert_eq!(no.status, StatusCode::BAD_REQUEST, "{}", no.body);
    assert_eq!(no.error_fields(), ["decision"]);
    assert_eq!(no.body["errors"][0]["message"], "hết bảo hành: chỉ có thể sửa chữa có tính phí");
    let unquoted = officer.post(&format!("{path}/decide"), json!({"decision": "paid_repair"})).await;
    assert_eq!(unquoted.error_fields(), ["quote_amount"]);
    let huge = officer
        .post(&format!("{path}/decide"), json!({"decision": "paid_repair", "quote_amount": 2_000_000_000_000_000_i64}))
        .await;
    assert_eq!(huge.error_fields(), ["quote_amount"]);
    let unknown = officer.post(&format!("{path}/decide"), json!({"decision": "refund"})).await;
    assert_eq!(unknown.error_fields(), ["decision"]);
    let quoted =
        officer.post(&format!("{path}/decide"), json!({"decision": "paid_repair", "quote_amount": 3_500_000})).await;
    assert_eq!(quoted.status, StatusCode::OK, "{}", quoted.body);
    assert_eq!(
        (quoted.body["decision"].as_str(), quoted.body["quote_amount"].as_i64()),
        (Some("paid_repair"), Some(3_500_000))
    );
    let twice = officer.post(&format!("{path}/decide"), json!({"decision": "repair_in_house"})).await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST, "out of warranty still: {}", twice.body);

    // A contract's own months stand in for the catalog's 12.
    let body = json!({"serial": "FN-002", "complaint": "Hỏng màn hình", "contract_warranty_months": 24});
    let sold = open_case(&officer, body, "o-2").await;
    let two_years = atq_tests::dates::today().checked_add_months(Months::new(24)).unwrap().to_string();
    assert_eq!((sold.body["covered"].as_bool(), sold.body["warranty_months"].as_i64()), (Some(true), Some(24)));
    assert_eq!(sold.body["warranty_ends_on"], two_years, "{}", sold.body);
    system.assert_books_agree().await;
    system.stop().await;
}
