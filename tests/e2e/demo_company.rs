//! The demo company: loaded through the services, every list a director opens has something in
//! it, the books agree, and loading again adds nothing.

use std::time::{Duration, Instant};

use atq_tests::{Session, TestSystem, dates};
use chrono::Datelike;
use serde_json::Value;

/// Every list route and where its items are in the answer. The reports fill from event feeds,
/// so each is waited for.
const LISTS: &[(&str, &str)] = &[
    ("/api/v1/customers?limit=500", "/items"),
    ("/api/v1/quotes?limit=500", "/items"),
    ("/api/v1/contracts?limit=500", "/items"),
    ("/api/v1/orders?limit=500", "/items"),
    ("/api/v1/dispatch-orders?limit=500", "/items"),
    ("/api/v1/invoices?limit=500", "/items"),
    ("/api/v1/stock", "/items"),
    ("/api/v1/stock/serials?product_id={serial_tracked}", "/items"),
    ("/api/v1/products?limit=500", "/items"),
    ("/api/v1/suppliers?limit=500", "/items"),
    ("/api/v1/price-lists?limit=500", "/items"),
    ("/api/v1/price-lists/current", "/lines"),
    ("/api/v1/import-plans?limit=500", "/items"),
    ("/api/v1/import-plans/proposals", "/items"),
    ("/api/v1/supply-terms", "/items"),
    ("/api/v1/purchase-orders?limit=500", "/items"),
    ("/api/v1/exchange-rates", "/items"),
    ("/api/v1/duty-rates", "/rates"),
    ("/api/v1/bank-statements/lines?status=unmatched", "/items"),
    ("/api/v1/bank-statements/lines?status=matched", "/items"),
    ("/api/v1/commission-plans", "/items"),
    ("/api/v1/reports/sales", "/by_office"),
    ("/api/v1/reports/receivables-aging", "/items"),
    ("/api/v1/reports/new-customers", "/items"),
    ("/api/v1/reports/suppliers", "/items"),
];

async fn items(session: &Session, path: &str, pointer: &str) -> (usize, Value) {
    let reply = session.get(path).await;
    let count = reply.body.pointer(pointer).and_then(Value::as_array).map_or(0, Vec::len);
    (count, reply.body)
}

/// The number of items of every list, waiting (bounded) for those that fill from a feed.
async fn every_list(director: &Session) -> Vec<usize> {
    let products = director.get("/api/v1/products?limit=500").await.body;
    let serial_tracked = products["items"].as_array().unwrap().iter().find(|p| p["serial_tracked"] == true).unwrap();
    let mut counts = Vec::new();
    for (path, pointer) in LISTS {
        let path = &path.replace("{serial_tracked}", &serial_tracked["id"].to_string());
        let started = Instant::now();
        let mut answer = items(director, path, pointer).await;
        while answer.0 == 0 && started.elapsed() < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(50)).await;
            answer = items(director, path, pointer).await;
        }
        assert!(answer.0 > 0, "{path} is empty: {}", answer.1);
        counts.push(answer.0);
    }
    counts
}

fn count_where(body: &Value, field: &str, value: &str) -> usize {
    body["items"].as_array().map_or(0, |items| items.iter().filter(|i| i[field] == value).count())
}

/// The tier-1 dealers' bonus scheme is there, and Minh Phát (tier 1, paid in full this quarter)
/// has a statement for the quarter with what counted and the bonus earned.
async fn assert_the_dealer_bonus_has_figures(director: &Session) {
    let schemes = director.get("/api/v1/bonus-schemes").await.body;
    assert_eq!(count_where(&schemes, "target", "tier1"), 1, "one tier-1 scheme: {schemes}");
    let customers = director.get("/api/v1/customers?limit=500").await.body;
    let dealer =
        customers["items"].as_array().unwrap().iter().find(|c| c["name"] == "Công ty TNHH Thiết bị Khoa học Minh Phát");
    let today = dates::today();
    let quarter = format!("{}-Q{}", today.year(), today.month0() / 3 + 1);
    let path = format!("/api/v1/customers/{}/bonus-statement?period={quarter}", dealer.expect("the demo dealer")["id"]);
    let statement = director.get(&path).await.body;
    assert_eq!(statement["customer_tier"], "tier1", "{statement}");
    assert_eq!(statement["scheme"]["target"], "tier1", "{statement}");
    assert!(!statement["lines"].as_array().unwrap().is_empty(), "a paid invoice counts: {statement}");
    assert!(statement["rate_bp"].as_i64() > Some(0) && statement["earned"].as_i64() > Some(0), "{statement}");
}

#[tokio::test]
async fn the_demo_company_fills_every_list_and_its_books_agree() {
    let mut system = TestSystem::start().await;
    let (peers, key) = (system.system().peers().clone(), system.system().internal_key().clone());
    let started = Instant::now();
    atq_launcher::demo::load(&peers, &key).await.unwrap();
    println!("the demo company loaded in {} ms", started.elapsed().as_millis());

    let director = system.login("director").await;
    let counts = every_list(&director).await;
    let count_of = |path: &str| LISTS.iter().position(|(p, _)| p.starts_with(path)).map(|i| counts[i]);
    let figures = ["/api/v1/customers", "/api/v1/suppliers", "/api/v1/products"].map(count_of);
    assert_eq!(figures, [Some(60), Some(9), Some(17)], "customers, suppliers and products");
    assert_eq!(director.get("/api/v1/duty-rates").await.body["rates"].as_array().map(Vec::len), Some(10));
    let quotes = director.get("/api/v1/quotes?limit=500").await.body;
    for status in ["draft", "sent", "accepted", "rejected"] {
        assert!(count_where(&quotes, "status", status) > 0, "no {status} quote");
    }
    let contracts = director.get("/api/v1/contracts?limit=500").await.body;
    assert!(count_where(&contracts, "status", "signed") >= 3);
    let orders = director.get("/api/v1/orders?limit=500").await.body;
    assert!(count_where(&orders, "status", "draft") >= 2, "a draft and the one over its credit limit");
    let invoices = director.get("/api/v1/invoices?limit=500").await.body;
    assert!(count_where(&invoices, "status", "paid") > 0 && count_where(&invoices, "status", "open") > 0);
    let partly_paid = invoices["items"].as_array().unwrap().iter().filter(|i| i["status"] == "open" && i["paid"] != 0);
    assert!(partly_paid.count() > 0, "some invoices are paid in part");
    let plans = director.get("/api/v1/import-plans?limit=500").await.body;
    assert!(count_where(&plans, "status", "late") > 0, "a plan cannot make its date");
    let contract_plans =
        plans["items"].as_array().unwrap().iter().filter(|p| p["source_ref"].as_str().unwrap().starts_with("HD-"));
    assert_eq!(contract_plans.count(), 3, "three project contracts are planned: {plans}");
    let later = director.get(&format!("/api/v1/reports/receivables-aging?as_of={}", dates::plus(10))).await.body;
    let overdue: i64 = later["totals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["bucket"] != "current")
        .map(|b| b["amount"].as_i64().unwrap_or(0))
        .sum();
    assert!(overdue > 0, "invoices with short terms fall due: {later}");
    assert_the_dealer_bonus_has_figures(&director).await;
    system.assert_books_agree().await;

    let again = Instant::now();
    atq_launcher::demo::load(&peers, &key).await.unwrap();
    println!("loading it again took {} ms", again.elapsed().as_millis());
    assert_eq!(every_list(&director).await, counts, "loading twice adds nothing");
    system.assert_books_agree().await;
    system.stop().await;
}
