use atq_tests::shipping::{order_all, ship_everything, stock_and_customer};
use atq_tests::{TestSystem, seed_products};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn account(trial: &Value, code: &str) -> i64 {
    trial["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == code)
        .map_or(0, |a| a["debit"].as_i64().unwrap() - a["credit"].as_i64().unwrap())
}

#[tokio::test]
async fn a_shipment_is_invoiced_once_and_payments_settle_it_with_the_books_in_balance() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let invoice = ship_everything(&system, &products, &rep, &school["id"]).await;
    let accountant = system.login("accountant").await;
    let invoices_of = format!("/api/v1/invoices?customer_id={}", school["id"]);
    assert!(invoice["number"].as_str().unwrap().ends_with("TAQ-0000001"), "{}", invoice["number"]);
    assert_eq!(
        (invoice["total_net"].as_i64(), invoice["total_vat"].as_i64()),
        (Some(1_425_000_000), Some(142_500_000))
    );
    assert_eq!(invoice["vat"], json!([{"vat_rate": "0.10", "net_amount": 1_425_000_000, "vat_amount": 142_500_000}]));
    assert_eq!(invoice["status"], "open");
    let issued = chrono::NaiveDate::parse_from_str(invoice["issue_date"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let due = chrono::NaiveDate::parse_from_str(invoice["due_date"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert_eq!((due - issued).num_days(), 30, "default payment terms");
    assert_eq!(rep.get(&invoices_of).await.status, StatusCode::OK, "sales follows its customers' invoices");

    let balance = format!("/api/v1/customers/{}/balance", school["id"]);
    assert_eq!(rep.get(&balance).await.body["balance"], 1_567_500_000);
    let pay = |amount: i64, key: &'static str| {
        let accountant = accountant.clone();
        let customer_id = school["id"].clone();
        async move {
            accountant
                .send(
                    reqwest::Method::POST,
                    "/api/v1/payments",
                    Some(json!({"customer_id": customer_id, "amount": amount, "reference": "UNC 0912"})),
                    &[("Idempotency-Key", key)],
                )
                .await
        }
    };
    let first = pay(500_000_000, "bank-line-1").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.body["allocations"][0]["amount"], 500_000_000);
    assert_eq!(
        pay(500_000_000, "bank-line-1").await.body["number"],
        first.body["number"],
        "a replayed payment is recorded once"
    );
    let second = pay(1_100_000_000, "bank-line-2").await;
    assert_eq!(
        (second.body["allocations"][0]["amount"].as_i64(), second.body["unallocated"].as_i64()),
        (Some(1_067_500_000), Some(32_500_000))
    );
    let settled = accountant.get(&balance).await.body;
    assert_eq!((settled["balance"].as_i64(), settled["paid"].as_i64()), (Some(-32_500_000), Some(1_600_000_000)));
    assert_eq!(accountant.get(&invoices_of).await.body["items"][0]["status"], "paid");

    // The journal balances and agrees with stock, invoices and receivables.
    let trial = accountant.get("/api/v1/accounting/trial-balance").await.body;
    assert_eq!(trial["balanced"], true, "{trial}");
    assert_eq!(account(&trial, "131"), -32_500_000, "receivable = invoiced - paid");
    assert_eq!(account(&trial, "511"), -1_425_000_000);
    assert_eq!(account(&trial, "3331"), -142_500_000);
    assert_eq!(account(&trial, "632"), 3 * 100_000 + 2 * 250_000_000, "cost of goods at moving average");
    assert_eq!(account(&trial, "156"), 0, "everything received was shipped");
    assert_eq!(account(&trial, "112"), 1_600_000_000);
    assert_eq!(account(&trial, "331"), -(3 * 100_000 + 2 * 250_000_000));

    let aging = accountant.get("/api/v1/reports/receivables-aging").await;
    assert_eq!(aging.body["items"].as_array().unwrap().len(), 0, "nothing is open");
    system.assert_books_agree().await;
    system.stop().await;
}

#[tokio::test]
async fn an_order_over_the_credit_limit_is_refused_with_the_figures_unless_a_director_overrides() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let accountant = system.login("accountant").await;
    let terms = format!("/api/v1/customers/{}/credit-terms", school["id"]);
    assert_eq!(
        rep.send(reqwest::Method::PUT, &terms, Some(json!({"credit_limit": 1, "payment_terms_days": 30})), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let set = accountant
        .send(reqwest::Method::PUT, &terms, Some(json!({"credit_limit": 1_000_000_000, "payment_terms_days": 45})), &[])
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let bad = accountant
        .send(reqwest::Method::PUT, &terms, Some(json!({"credit_limit": -1, "payment_terms_days": 400})), &[])
        .await;
    assert_eq!(bad.error_fields(), ["credit_limit", "payment_terms_days"]);

    let order = order_all(&rep, &school["id"], &products).await;
    let refused = rep.post(&format!("{order}/confirm"), json!({})).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(detail.contains("1567500000") && detail.contains("1000000000"), "the figures: {detail}");
    assert_eq!(rep.get(&order).await.body["status"], "draft", "nothing changed");
    assert_eq!(
        rep.post(&format!("{order}/confirm"), json!({"override_credit": true})).await.status,
        StatusCode::FORBIDDEN
    );
    let director = system.login("director").await;
    let confirmed = director.post(&format!("{order}/confirm"), json!({"override_credit": true})).await;
    assert_eq!(confirmed.body["status"], "confirmed", "{}", confirmed.body);
    assert_eq!(rep.get(&format!("/api/v1/customers/{}/balance", school["id"])).await.body["payment_terms_days"], 45);

    let saigon = system.login("sales.hcm").await;
    assert_eq!(saigon.get(&format!("/api/v1/customers/{}/balance", school["id"])).await.status, StatusCode::NOT_FOUND);
    assert_eq!(saigon.get("/api/v1/invoices").await.error_fields(), ["customer_id"]);
    let payment = accountant
        .post(
            "/api/v1/payments",
            json!({"customer_id": school["id"], "amount": 0, "method": "cheque", "invoice_id": 77}),
        )
        .await;
    assert_eq!(payment.error_fields(), ["amount", "method"]);
    system.assert_books_agree().await;
    system.stop().await;
}

#[tokio::test]
async fn a_bank_statement_pays_what_it_names_keeps_the_rest_for_review_and_imports_once() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let invoice = ship_everything(&system, &products, &rep, &school["id"]).await;
    let accountant = system.login("accountant").await;
    let today = chrono::NaiveDate::parse_from_str(invoice["issue_date"].as_str().unwrap(), "%Y-%m-%d")
        .unwrap()
        .format("%d/%m/%Y");
    let (invoice_number, order_number) =
        (invoice["number"].as_str().unwrap(), invoice["order_number"].as_str().unwrap());
    let statement = format!(
        "date,amount,description,reference\n\
         {today},\"500.000.000\",CT TRUONG CHU VAN AN TT {invoice_number},FT001\n\
         {today},\"1.067.500.000\",THANH TOAN DON HANG {order_number},FT002\n\
         {today},\"20.000.000\",CHUYEN TIEN KHONG RO NOI DUNG,FT003\n\
         {today},-5.000,PHI DICH VU,FT004\n"
    );
    let import = |text: String| {
        let accountant = accountant.clone();
        async move { accountant.send_raw(reqwest::Method::POST, "/api/v1/bank-statements", "text/csv", text).await }
    };
    let first = import(statement.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(
        (first.body["matched"].as_i64(), first.body["unmatched"].as_i64(), first.body["duplicates"].as_i64()),
        (Some(2), Some(1), Some(0))
    );
    let statuses: Vec<&str> =
        first.body["lines"].as_array().unwrap().iter().map(|l| l["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["matched", "matched", "unmatched", "ignored"]);
    assert_eq!(first.body["lines"][1]["invoice_number"], invoice_number, "matched by the order number");
    let balance = format!("/api/v1/customers/{}/balance", school["id"]);
    assert_eq!(accountant.get(&balance).await.body["balance"], 0);

    let again = import(statement).await;
    assert_eq!(
        (again.body["matched"].as_i64(), again.body["duplicates"].as_i64()),
        (Some(0), Some(4)),
        "{}",
        again.body
    );
    assert_eq!(accountant.get(&balance).await.body["balance"], 0, "nothing was paid twice");

    let review = accountant.get("/api/v1/bank-statements/lines?status=unmatched").await;
    let lines = review.body["items"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    let matched = accountant
        .post(&format!("/api/v1/bank-statements/lines/{}/match", lines[0]["id"]), json!({"invoice_id": invoice["id"]}))
        .await;
    assert_eq!(matched.body["status"], "matched", "{}", matched.body);
    assert_eq!(accountant.get(&balance).await.body["balance"], -20_000_000, "paid beyond the invoice: a credit");
    assert_eq!(
        accountant.get("/api/v1/bank-statements/lines?status=unmatched").await.body["items"].as_array().unwrap().len(),
        0
    );

    let bad = import("date,amount,description\n2026-13-01,1.000,x\n".into()).await;
    assert_eq!(bad.error_fields(), ["lines[0].date"]);
    let trial = accountant.get("/api/v1/accounting/trial-balance").await.body;
    assert_eq!(trial["balanced"], true);
    assert_eq!(account(&trial, "112"), 1_587_500_000);
    system.assert_books_agree().await;
    system.stop().await;
}
