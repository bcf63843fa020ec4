//! Accounting and warehouse hold every amount, quantity, date and customer reference to what the
//! books can carry: a bad one is refused with its field named before anything is written, and
//! every read keeps answering with the books in agreement.

use atq_tests::{Reply, Session, TestSystem, customer, seed_products};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A refusal of input (never a 500) that names `field`.
fn assert_refused(reply: &Reply, field: &str) {
    assert!(
        matches!(reply.status, StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY),
        "{field}: {} {}",
        reply.status,
        reply.body
    );
    assert!(reply.error_fields().iter().any(|f| f == field), "{field} named in {}", reply.body);
}

/// Every read of stock and the books answers, and the books agree.
async fn assert_books_readable(system: &TestSystem, accountant: &Session, customer_id: &Value) {
    for path in [
        "/api/v1/stock".to_owned(),
        "/api/v1/accounting/trial-balance".to_owned(),
        "/api/v1/accounting/reconciliation".to_owned(),
        "/api/v1/reports/receivables-aging".to_owned(),
        format!("/api/v1/customers/{customer_id}/balance"),
    ] {
        let reply = accountant.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    }
    system.assert_books_agree().await;
}

fn put(session: &Session, path: &str, body: Value) -> impl Future<Output = Reply> {
    session.send(Method::PUT, path, Some(body), &[])
}

#[tokio::test]
async fn amounts_and_quantities_beyond_the_books_are_refused_and_every_read_still_answers() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let keeper = system.login("warehouse").await;
    let accountant = system.login("accountant").await;
    let school =
        system.login("sales.hn").await.create_customer(customer("Trường THCS Ngô Sĩ Liên", "project", "HN")).await;

    // A unit cost of i64::MAX once made every later receipt of the product and every read fail.
    let receipt = |quantity: i64, unit_cost: i64| {
        json!({"warehouse": "HN", "kind": "purchase",
            "lines": [{"product_id": products.filter_press, "quantity": quantity, "unit_cost": unit_cost}]})
    };
    assert_refused(&keeper.post("/api/v1/stock/receipts", receipt(1, i64::MAX)).await, "lines[0].unit_cost");
    assert_refused(
        &keeper.post("/api/v1/stock/receipts", receipt(1, 1_000_000_000_000_001)).await,
        "lines[0].unit_cost",
    );
    assert_refused(
        &keeper.post("/api/v1/stock/receipts", receipt(1_000_000, 1_000_000_001)).await,
        "lines[0].unit_cost",
    );
    assert_refused(&keeper.post("/api/v1/stock/receipts", receipt(1_000_001, 1)).await, "lines[0].quantity");
    let first = keeper.post("/api/v1/stock/receipts", receipt(2, 100_000)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let second = keeper.post("/api/v1/stock/receipts", receipt(2, 300_000)).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let count = json!({"warehouse": "HN", "lines": [
        {"product_id": products.filter_press, "counted": 1_000_000_000_000_i64, "reason": "typed too many zeros"}]});
    assert_refused(&keeper.post("/api/v1/stock/counts", count).await, "lines[0].counted");
    let transfer = json!({"from_warehouse": "HN", "to_warehouse": "DL", "lines": [
        {"product_id": products.filter_press, "quantity": i64::MAX}]});
    assert_refused(&keeper.post("/api/v1/stock/transfers", transfer).await, "lines[0].quantity");
    let stock = keeper.get(&format!("/api/v1/stock?product_id={}&warehouse=HN", products.filter_press)).await;
    assert_eq!(stock.status, StatusCode::OK, "{}", stock.body);
    assert_eq!(stock.body["items"][0]["on_hand"], 4, "only the two good receipts came in");

    // Two payments whose sum passes i64 once broke the customer's balance for good.
    let payment = |amount: i64| json!({"customer_id": school["id"], "amount": amount, "reference": "UNC 1"});
    assert_refused(&accountant.post("/api/v1/payments", payment(i64::MAX)).await, "amount");
    assert_refused(&accountant.post("/api/v1/payments", payment(1_000_000_000_000_001)).await, "amount");
    let paid = accountant.post("/api/v1/payments", payment(1_000_000_000_000_000)).await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    let terms = format!("/api/v1/customers/{}/credit-terms", school["id"]);
    assert_refused(
        &put(&accountant, &terms, json!({"credit_limit": i64::MAX, "payment_terms_days": 30})).await,
        "credit_limit",
    );
    let statement = "date,amount,description\n01/12/2026,\"9.223.372.036.854.775.807\",TT KHONG RO\n\
                     01/12/2026,\"-2.000.000.000.000.000\",PHI\n";
    let imported = accountant.send_raw(Method::POST, "/api/v1/bank-statements", "text/csv", statement).await;
    assert_refused(&imported, "lines[0].amount");
    assert_refused(&imported, "lines[1].amount");

    let balance = accountant.get(&format!("/api/v1/customers/{}/balance", school["id"])).await;
    assert_eq!(balance.body["balance"], -1_000_000_000_000_000_i64, "{}", balance.body);
    assert_books_readable(&system, &accountant, &school["id"]).await;
    system.stop().await;
}

#[tokio::test]
async fn payments_terms_and_balances_name_a_customer_that_exists() {
    let system = TestSystem::start().await;
    let accountant = system.login("accountant").await;
    let school =
        system.login("sales.hn").await.create_customer(customer("Trường THPT Phan Đình Phùng", "project", "HN")).await;

    let stray = accountant.post("/api/v1/payments", json!({"customer_id": 999_999, "amount": 1_000_000})).await;
    assert_eq!(stray.status, StatusCode::NOT_FOUND, "{}", stray.body);
    assert_eq!(stray.header("content-type"), Some("application/problem+json"));
    let terms =
        put(&accountant, "/api/v1/customers/888888/credit-terms", json!({"credit_limit": 1, "payment_terms_days": 30}));
    assert_eq!(terms.await.status, StatusCode::NOT_FOUND);
    for id in ["-1", "0", "777777"] {
        let balance = accountant.get(&format!("/api/v1/customers/{id}/balance")).await;
        assert_eq!(balance.status, StatusCode::NOT_FOUND, "{id}: {}", balance.body);
    }

    let paid = accountant.post("/api/v1/payments", json!({"customer_id": school["id"], "amount": 1_000_000})).await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    let terms = format!("/api/v1/customers/{}/credit-terms", school["id"]);
    assert_eq!(
        put(&accountant, &terms, json!({"credit_limit": 5_000_000, "payment_terms_days": 30})).await.status,
        StatusCode::OK
    );
    let balance = accountant.get(&format!("/api/v1/customers/{}/balance", school["id"])).await;
    assert_eq!(
        (balance.body["balance"].as_i64(), balance.body["credit_limit"].as_i64()),
        (Some(-1_000_000), Some(5_000_000))
    );
    let trial = accountant.get("/api/v1/accounting/trial-balance").await.body;
    let cash: i64 = trial["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["account"] == "112")
        .map(|a| a["debit"].as_i64().unwrap())
        .sum();
    assert_eq!(cash, 1_000_000, "only the known customer's payment was recorded: {trial}");
    assert_books_readable(&system, &accountant, &school["id"]).await;
    system.stop().await;
}

#[tokio::test]
async fn dates_outside_the_business_range_are_refused_by_field() {
    let system = TestSystem::start().await;
    let accountant = system.login("accountant").await;
    let school =
        system.login("sales.hn").await.create_customer(customer("Trường Tiểu học Kim Đồng", "project", "HN")).await;

    for date in ["0000-01-01", "9999-12-31", "+002026-01-01", "2026-1-1", "1989-12-31"] {
        let body = json!({"customer_id": school["id"], "amount": 1_000, "received_on": date});
        assert_refused(&accountant.post("/api/v1/payments", body).await, "received_on");
    }
    // The statement's dates are read by the service itself.
    let statement = "date,amount,description\n31/12/9999,1.000,A\n01/01/0001,1.000,B\n9999-12-31,1.000,C\n\
                     2026-1-1,1.000,D\n31/12/1989,1.000,E\n";
    let imported = accountant.send_raw(Method::POST, "/api/v1/bank-statements", "text/csv", statement).await;
    for line in 0..5 {
        assert_refused(&imported, &format!("lines[{line}].date"));
    }
    assert_refused(&accountant.get("/api/v1/reports/receivables-aging?as_of=9999-12-31").await, "as_of");

    let fine = "date,amount,description\n01/01/1990,1.000,A\n2100-12-31,1.000,B\n";
    let imported = accountant.send_raw(Method::POST, "/api/v1/bank-statements", "text/csv", fine).await;
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.body);
    let paid = accountant
        .post("/api/v1/payments", json!({"customer_id": school["id"], "amount": 1_000, "received_on": "1990-01-01"}))
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    assert!(paid.body["number"].as_str().unwrap().starts_with("PT-1990-"), "{}", paid.body);
    assert_books_readable(&system, &accountant, &school["id"]).await;
    system.stop().await;
}
