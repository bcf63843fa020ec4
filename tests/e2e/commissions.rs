//! Commissions for sales staff (hoa hồng): a plan for the Hà Nội sales reps, an order of a rep's
//! shipped, invoiced, paid half then in full, the statement showing both payments, a return
//! reversing the returned share, the accrual posting 641 / 334 (and only the change when run
//! again), a later plan version leaving what was earned alone, and who may read whose statement.
//! The journal balances and the reconciliation agrees after each step.

use atq_tests::{Session, TestProducts, TestSystem, customer, dates, eventually, seed_products};
use chrono::{Datelike, Days};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn int(value: &Value) -> i64 {
    value.as_i64().unwrap_or_else(|| panic!("not an integer: {value}"))
}

/// `value × part / whole`, rounded half up, as the service rounds.
fn prorate(value: i64, part: i64, whole: i64) -> i64 {
    let exact = i128::from(value) * i128::from(part);
    i64::try_from((2 * exact + i128::from(whole)) / (2 * i128::from(whole))).unwrap()
}

/// Debit less credit of an account on the trial balance.
async fn account(accountant: &Session, code: &str) -> i64 {
    let trial = accountant.get("/api/v1/accounting/trial-balance").await.body;
    assert_eq!(trial["balanced"], true, "{trial}");
    let items = trial["items"].as_array().unwrap().clone();
    items
        .iter()
        .find(|a| a["account"] == code)
        .map_or(0, |a| a["debit"].as_i64().unwrap() - a["credit"].as_i64().unwrap())
}

/// sales.hn orders `quantity` filter presses for the customer, and they are shipped; the invoice.
async fn ship_presses(system: &TestSystem, products: &TestProducts, customer_id: &Value, quantity: i64) -> Value {
    let rep = system.login("sales.hn").await;
    let lines = json!([{"product_id": products.filter_press, "quantity": quantity}]);
    let order = rep.post("/api/v1/orders", json!({"customer_id": customer_id, "lines": lines})).await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let order = order.header("location").unwrap().to_owned();
    assert_eq!(rep.post(&format!("{order}/confirm"), json!({})).await.body["status"], "confirmed");
    let dispatch = rep.post(&format!("{order}/dispatch-orders"), json!({})).await;
    let dispatch = dispatch.header("location").expect("the dispatch order's address").to_owned();
    system.login("director").await.post(&format!("{dispatch}/approve"), json!({})).await;
    let shipped = system.login("warehouse").await.post(&format!("{dispatch}/ship"), json!({})).await;
    assert_eq!(shipped.body["status"], "shipped", "{}", shipped.body);
    let accountant = system.login("accountant").await;
    let invoices_of = format!("/api/v1/invoices?customer_id={customer_id}");
    let order_number = shipped.body["order_number"].clone();
    let invoice_of_order = || async {
        let items = accountant.get(&invoices_of).await.body["items"].as_array().cloned().unwrap_or_default();
        items.into_iter().find(|i| i["order_number"] == order_number)
    };
    eventually("the shipment's invoice", || async { invoice_of_order().await.is_some() }).await;
    invoice_of_order().await.unwrap()
}

fn plan() -> Value {
    json!({"name": "Hoa hồng nhân viên kinh doanh Hà Nội", "role": "sales_rep", "office": "HN",
        "terms": {"effective_from": "2020-01-01", "basis": "paid_revenue", "default_rate_bp": 100,
            "rates": [{"category": "chemistry", "rate_bp": 250}]}})
}

/// The commission lines' sums: (net share, margin share, commission).
fn sums(statement: &Value) -> (i64, i64, i64) {
    let lines = statement["lines"].as_array().unwrap();
    let sum = |field: &str| lines.iter().map(|l| int(&l[field])).sum::<i64>();
    (sum("net_share"), sum("margin_share"), sum("commission"))
}

#[tokio::test]
async fn a_reps_commission_is_earned_as_invoices_are_paid_reversed_by_a_return_and_accrued() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let keeper = system.login("warehouse").await;
    let receipt = json!({"warehouse": "HN", "kind": "purchase", "reference": "INV-FANN-9", "lines": [
        {"product_id": products.filter_press, "quantity": 4, "unit_cost": 100_000_000}]});
    assert_eq!(keeper.post("/api/v1/stock/receipts", receipt).await.status, StatusCode::CREATED);
    let (director, accountant) = (system.login("director").await, system.login("accountant").await);
    let rep = system.login("sales.hn").await;

    // The plan: the directors keep it; a rep or an accountant may not, and a wrong one is refused.
    assert_eq!(rep.post("/api/v1/commission-plans", plan()).await.status, StatusCode::FORBIDDEN);
    assert_eq!(accountant.post("/api/v1/commission-plans", plan()).await.status, StatusCode::FORBIDDEN);
    let wrong = json!({"name": "x", "role": "warehouse_keeper", "office": "SG", "terms": {"effective_from": "2020-01-01",
        "basis": "profit", "default_rate_bp": 10_001, "rates": [{"category": "toys", "rate_bp": 100}]}});
    let refused = director.send(Method::POST, "/api/v1/commission-plans", Some(wrong), &[]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(
        refused.error_fields(),
        ["role", "office", "terms.basis", "terms.default_rate_bp", "terms.rates[0].category"]
    );
    let created = director.post("/api/v1/commission-plans", plan()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let plan_path = created.header("location").unwrap().to_owned();
    assert_eq!(accountant.get(&plan_path).await.body["versions"][0]["rates"][0]["rate_bp"], 250);

    // An order of sales.hn, shipped and invoiced, paid half: the paid half of the net earns 2.5%.
    let buyer = rep.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    let invoice = ship_presses(&system, &products, &buyer["id"], 2).await;
    let (net, gross) = (int(&invoice["total_net"]), int(&invoice["total_gross"]));
    let half = gross / 2;
    let pay = |amount: i64| json!({"customer_id": buyer["id"], "amount": amount, "invoice_id": invoice["id"]});
    let first = accountant.post("/api/v1/payments", pay(half)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let today = dates::today();
    let month = format!("{}-{:02}", today.year(), today.month());
    let statement_path = format!("/api/v1/commission-statements?salesperson=sales.hn&month={month}");
    let s = accountant.get(&statement_path).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    let s = s.body;
    assert_eq!(s["lines"].as_array().unwrap().len(), 1, "{s}");
    let line = &s["lines"][0];
    let half_net = prorate(net, half, gross);
    assert_eq!(
        (line["kind"].as_str(), line["document_number"].as_str()),
        (Some("payment"), first.body["number"].as_str())
    );
    assert_eq!(
        (int(&line["net_share"]), line["category"].as_str(), int(&line["rate_bp"])),
        (half_net, Some("chemistry"), 250)
    );
    assert_eq!(int(&s["total"]), prorate(half_net, 250, 10_000));
    system.assert_books_agree().await;

    // Paid in full: both payments on the statement, the shares summing to the whole net exactly.
    let second = accountant.post("/api/v1/payments", pay(gross - half)).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let s = accountant.get(&statement_path).await.body;
    let documents: Vec<&str> =
        s["lines"].as_array().unwrap().iter().map(|l| l["document_number"].as_str().unwrap()).collect();
    assert_eq!(documents, [first.body["number"].as_str().unwrap(), second.body["number"].as_str().unwrap()]);
    let (net_paid, margin_paid, commission) = sums(&s);
    assert_eq!((net_paid, margin_paid), (net, (net - 200_000_000).max(0)), "the margin is net less the goods' cost");
    assert_eq!((int(&s["earned"]), int(&s["total"]), int(&s["to_accrue"])), (commission, commission, commission));
    assert!((commission - prorate(net, 250, 10_000)).abs() <= 1, "{commission} for {net}");

    // A later version (from tomorrow, at 9%) leaves what was earned as it was.
    let tomorrow = today.checked_add_days(Days::new(1)).unwrap().to_string();
    let version = json!({"effective_from": tomorrow, "basis": "gross_margin", "default_rate_bp": 900});
    let versioned = director.post(&format!("{plan_path}/versions"), version).await;
    assert_eq!(versioned.status, StatusCode::CREATED, "{}", versioned.body);
    assert_eq!(versioned.body["versions"].as_array().unwrap().len(), 2);
    assert_eq!(int(&accountant.get(&statement_path).await.body["total"]), commission);

    // The accrual: 641 against 334; run again, nothing more.
    let accrue = |key: &'static str| {
        let (accountant, month) = (&accountant, month.clone());
        async move {
            let headers = [("Idempotency-Key", key)];
            accountant.send(Method::POST, "/api/v1/commission-accruals", Some(json!({"month": month})), &headers).await
        }
    };
    assert_eq!(rep.post("/api/v1/commission-accruals", json!({"month": month})).await.status, StatusCode::FORBIDDEN);
    let run = accrue("commission-accrual-1").await;
    assert_eq!(run.status, StatusCode::OK, "{}", run.body);
    assert_eq!(
        (int(&run.body["total"]), run.body["accruals"][0]["salesperson"].as_str()),
        (commission, Some("sales.hn"))
    );
    assert_eq!((account(&accountant, "641").await, account(&accountant, "334").await), (commission, -commission));
    let books = accountant.get("/api/v1/accounting/reconciliation").await.body;
    assert_eq!(
        (int(&books["commission_payable_ledger"]), int(&books["commission_payable_documents"])),
        (commission, commission)
    );
    system.assert_books_agree().await;
    assert_eq!(accrue("commission-accrual-1").await.body, run.body, "a retry is the first run");
    let again = accrue("commission-accrual-2").await;
    assert_eq!((int(&again.body["total"]), again.body["accruals"].as_array().unwrap().len()), (0, 0));

    // One press comes back: the returned share's commission is reversed in the return's month.
    let back = json!({"invoice_id": invoice["id"], "reason": "Trả lại một máy", "lines": [{"invoice_line_no": 1, "quantity": 1}]});
    let returned = accountant.post("/api/v1/returns", back).await;
    assert_eq!(returned.status, StatusCode::CREATED, "{}", returned.body);
    let s = accountant.get(&statement_path).await.body;
    let reversal = s["lines"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (reversal["kind"].as_str(), reversal["document_number"].as_str()),
        (Some("return"), returned.body["number"].as_str())
    );
    let returned_net = int(&returned.body["total_net"]);
    assert_eq!(int(&reversal["net_share"]), -returned_net);
    let reversed = prorate(commission, returned_net, net);
    assert_eq!((int(&reversal["commission"]), int(&reversal["rate_bp"])), (-reversed, 250));
    assert_eq!(
        (int(&s["reversed"]), int(&s["total"]), int(&s["to_accrue"])),
        (-reversed, commission - reversed, -reversed)
    );
    let run = accrue("commission-accrual-3").await;
    assert_eq!(int(&run.body["total"]), -reversed, "{}", run.body);
    assert_eq!(account(&accountant, "334").await, reversed - commission);
    system.assert_books_agree().await;

    // Who reads whose statement: the rep their own, their office's manager, not another rep.
    assert_eq!(rep.get(&statement_path).await.status, StatusCode::OK);
    assert_eq!(system.login("manager.hn").await.get(&statement_path).await.status, StatusCode::OK);
    let other = system.login("sales.hcm").await.get(&statement_path).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "{}", other.body);
    assert_eq!(other.body["type"].as_str().map(|t| t.contains("permission")), Some(true), "{}", other.body);
    let bad = accountant.get("/api/v1/commission-statements?salesperson=sales.hn&month=2026-13").await;
    assert_eq!((bad.status, bad.error_fields()), (StatusCode::BAD_REQUEST, vec!["month".to_owned()]));
    let nobody = accountant.get(&format!("/api/v1/commission-statements?salesperson=nobody&month={month}")).await;
    assert_eq!((nobody.status, nobody.error_fields()), (StatusCode::BAD_REQUEST, vec!["salesperson".to_owned()]));
    system.stop().await;
}
