//! Sales bonuses for customers (thưởng doanh số) on paid revenue: a quarterly scheme for dealers
//! with stepped rates, a bonus counted only from what was paid, accrued in the journal, settled as
//! a credit note against the dealer's debt and clawed back by a later return, with the journal
//! balancing and the reconciliation agreeing after each step.

use atq_tests::web::WebSession;
use atq_tests::{Session, TestProducts, TestSystem, customer, dates, eventually, seed_products};
use chrono::Datelike;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

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

/// Orders `quantity` filter presses for the customer and ships them; returns the new invoice.
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

fn int(value: &Value) -> i64 {
    value.as_i64().unwrap_or_else(|| panic!("not an integer: {value}"))
}

/// Half up, as the bonus is rounded.
fn rate_of(net: i64, bp: i64) -> i64 {
    (net * bp + 5_000) / 10_000
}

fn scheme() -> Value {
    json!({"name": "Thưởng doanh số đại lý theo quý", "target_kind": "group", "target": "dealer",
        "period_kind": "quarter", "effective_from": "2020-01-01", "steps": [
        {"threshold": 100_000_000, "rate_bp": 100},
        {"threshold": 500_000_000, "rate_bp": 200},
        {"threshold": 2_000_000_000_i64, "rate_bp": 300},
    ]})
}

#[tokio::test]
async fn a_quarterly_bonus_counts_paid_invoices_only_is_accrued_settled_and_clawed_back() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let keeper = system.login("warehouse").await;
    let receipt = json!({"warehouse": "HN", "kind": "purchase", "reference": "INV-FANN-7", "lines": [
        {"product_id": products.filter_press, "quantity": 5, "unit_cost": 100_000_000}]});
    assert_eq!(keeper.post("/api/v1/stock/receipts", receipt).await.status, StatusCode::CREATED);
    let rep = system.login("sales.hn").await;
    let dealer = rep.create_customer(customer("Công ty TNHH Thiết bị Hà Thành", "dealer", "HN")).await;
    let paid = ship_presses(&system, &products, &dealer["id"], 2).await;
    let unpaid = ship_presses(&system, &products, &dealer["id"], 1).await;
    let accountant = system.login("accountant").await;
    let director = system.login("director").await;

    // The scheme: a director keeps it; the warehouse may not, and a wrong one is refused field by field.
    assert_eq!(keeper.post("/api/v1/bonus-schemes", scheme()).await.status, StatusCode::FORBIDDEN);
    let wrong = json!({"name": "x", "target_kind": "tier", "target": "dealer", "period_kind": "month",
        "effective_from": "2020-01-01", "steps": [{"threshold": 10, "rate_bp": 100}, {"threshold": 5, "rate_bp": 100}]});
    let refused = director.send(Method::POST, "/api/v1/bonus-schemes", Some(wrong), &[("Accept-Language", "vi")]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.error_fields(), ["target", "period_kind", "steps[1].threshold"]);
    assert_eq!(refused.body["errors"][0]["message"], "phải là Nhà phân phối, Đại lý cấp 1 hoặc Đại lý cấp 2");
    let created = director.post("/api/v1/bonus-schemes", scheme()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(accountant.get(created.header("location").unwrap()).await.body["steps"][2]["rate_bp"], 300);

    // Only the paid invoice counts.
    let payment = json!({"customer_id": dealer["id"], "amount": paid["total_gross"], "invoice_id": paid["id"]});
    assert_eq!(accountant.post("/api/v1/payments", payment).await.status, StatusCode::CREATED);
    let today = dates::today();
    let period = format!("{}-Q{}", today.year(), today.month0() / 3 + 1);
    let month = format!("{}-{:02}", today.year(), today.month());
    let statement_path = format!("/api/v1/customers/{}/bonus-statement?period={period}", dealer["id"]);
    let statement = accountant.get(&statement_path).await;
    assert_eq!(statement.status, StatusCode::OK, "{}", statement.body);
    let s = &statement.body;
    assert_eq!(s["lines"].as_array().unwrap().len(), 1, "{s}");
    assert_eq!((&s["lines"][0]["invoice_number"], &s["lines"][0]["net"]), (&paid["number"], &paid["total_net"]));
    assert!(s["lines"].as_array().unwrap().iter().all(|l| l["invoice_number"] != unpaid["number"]));
    let paid_net = int(&paid["total_net"]);
    assert_eq!((int(&s["paid_net"]), int(&s["paid_gross"])), (paid_net, int(&paid["total_gross"])));
    assert_eq!((s["threshold_reached"].as_i64(), s["rate_bp"].as_i64()), (Some(500_000_000), Some(200)));
    let earned = rate_of(paid_net, 200);
    assert_eq!((int(&s["earned"]), int(&s["accrued"]), int(&s["payable"])), (earned, 0, 0));
    assert_eq!(s["scheme"]["id"], created.body["id"]);
    system.assert_books_agree().await;

    // The month's accrual: 641 against 3388; run again, nothing more.
    let accrue = |key: &'static str| {
        let accountant = &accountant;
        let month = month.clone();
        async move {
            let headers = [("Idempotency-Key", key)];
            accountant.send(Method::POST, "/api/v1/bonus-accruals", Some(json!({"month": month})), &headers).await
        }
    };
    let run = accrue("accrual-1").await;
    assert_eq!(run.status, StatusCode::OK, "{}", run.body);
    assert_eq!(int(&run.body["total"]), earned, "{}", run.body);
    assert_eq!(run.body["accruals"][0]["period"], period.as_str());
    assert_eq!((account(&accountant, "641").await, account(&accountant, "3388").await), (earned, -earned));
    system.assert_books_agree().await;
    let again = accrue("accrual-2").await;
    assert_eq!((int(&again.body["total"]), again.body["accruals"].as_array().unwrap().len()), (0, 0));
    let future = accountant.post("/api/v1/bonus-accruals", json!({"month": format!("{}-01", today.year() + 1)})).await;
    assert_eq!((future.status, future.error_fields()), (StatusCode::BAD_REQUEST, vec!["month".to_owned()]));

    // Settled as a credit note: the dealer's debt falls by the bonus, nothing is owed on 3388.
    let balance_path = format!("/api/v1/customers/{}/balance", dealer["id"]);
    let owed_before = int(&accountant.get(&balance_path).await.body["balance"]);
    assert_eq!(owed_before, int(&unpaid["total_gross"]));
    let settle_path = format!("/api/v1/customers/{}/bonus-settlements", dealer["id"]);
    assert_eq!(rep.post(&settle_path, json!({"period": period})).await.status, StatusCode::FORBIDDEN);
    let settled = accountant.post(&settle_path, json!({"period": period, "method": "credit_note"})).await;
    assert_eq!(settled.status, StatusCode::OK, "{}", settled.body);
    assert_eq!((int(&settled.body["settled"]), int(&settled.body["payable"])), (earned, 0));
    assert_eq!(int(&accountant.get(&balance_path).await.body["balance"]), owed_before - earned);
    assert_eq!(account(&accountant, "3388").await, 0);
    let twice = accountant.post(&settle_path, json!({"period": period})).await;
    assert_eq!((twice.status, twice.error_fields()), (StatusCode::BAD_REQUEST, vec!["period".to_owned()]));
    system.assert_books_agree().await;

    // One paid press comes back: the paid revenue falls to the first step and the rest is clawed back.
    let back =
        json!({"invoice_id": paid["id"], "reason": "Đại lý trả lại", "lines": [{"invoice_line_no": 1, "quantity": 1}]});
    let returned = accountant.post("/api/v1/returns", back).await;
    assert_eq!(returned.status, StatusCode::CREATED, "{}", returned.body);
    assert_eq!(int(&returned.body["customer_credit"]), int(&returned.body["total_gross"]), "the press was paid for");
    let after = accountant.get(&statement_path).await.body;
    let net_left = paid_net - int(&returned.body["total_net"]);
    assert_eq!((int(&after["paid_net"]), after["rate_bp"].as_i64()), (net_left, Some(100)), "{after}");
    let earned_now = rate_of(net_left, 100);
    let clawed = earned - earned_now;
    assert_eq!(
        (int(&after["earned"]), int(&after["clawed_back"]), int(&after["settled"])),
        (earned_now, clawed, earned_now)
    );
    let kinds: Vec<&str> = after["movements"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["accrual", "settlement", "clawback"]);
    assert_eq!(account(&accountant, "641").await, earned_now, "the expense falls by what came back");
    let owed_now = owed_before - earned - int(&returned.body["total_gross"]) + clawed;
    assert_eq!(int(&accountant.get(&balance_path).await.body["balance"]), owed_now);
    let books = accountant.get("/api/v1/accounting/reconciliation").await.body;
    assert_eq!((int(&books["bonus_payable_ledger"]), int(&books["selling_expense_ledger"])), (0, earned_now));
    system.assert_books_agree().await;

    // Sales staff read their own dealer's statement; another office's do not find it.
    assert_eq!(rep.get(&statement_path).await.status, StatusCode::OK);
    assert_eq!(system.login("sales.hcm").await.get(&statement_path).await.status, StatusCode::NOT_FOUND);
    let bad_period =
        accountant.get(&format!("/api/v1/customers/{}/bonus-statement?period=2026-Q5", dealer["id"])).await;
    assert_eq!((bad_period.status, bad_period.error_fields()), (StatusCode::BAD_REQUEST, vec!["period".to_owned()]));

    // The same statement on the web, in Vietnamese and in English, reached from the schemes page.
    let mut web = WebSession::sign_in(&system, "accountant", "vi").await;
    let schemes = web.get("/bonus-schemes").await;
    assert!(schemes.html.contains("Thưởng doanh số đại lý theo quý"), "{}", schemes.html);
    let found = web.get(&format!("/bonus-statement?customer_id={}&period={period}", dealer["id"])).await;
    let page_path = format!("/customers/{}/bonus-statement?period={period}", dealer["id"]);
    assert_eq!(found.location.as_deref(), Some(page_path.as_str()));
    let page = web.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for text in ["Bảng kê thưởng doanh số", "Thu hồi (131 / 641)", "Bù trừ công nợ", paid["number"].as_str().unwrap()]
    {
        assert!(page.html.contains(text), "{text} missing");
    }
    assert!(!page.html.contains(unpaid["number"].as_str().unwrap()), "the unpaid invoice is not on the statement");
    let mut english = WebSession::sign_in(&system, "accountant", "en").await;
    assert!(english.get(&page_path).await.html.contains("Claw-back (131 / 641)"));
    system.stop().await;
}

/// Two years of figures that the seeded tier rules decide as a tier-1 dealer.
fn tier1_application(customer_id: &Value) -> Value {
    let year = dates::today().year();
    json!({
        "customer_id": customer_id,
        "region": "Miền Bắc",
        "years": [
            {"year": year - 2, "revenue": 10_000_000_000_i64, "lab_sales": 6_000_000_000_i64,
             "big_brand_share_bp": 3500, "small_brand_share_bp": 6500, "staff": 10, "shops": 2},
            {"year": year - 1, "revenue": 12_000_000_000_i64, "lab_sales": 8_000_000_000_i64,
             "big_brand_share_bp": 4000, "small_brand_share_bp": 6000, "staff": 12, "shops": 2},
        ],
        "proposed_tier": "tier1",
    })
}

#[tokio::test]
async fn a_tier_scheme_goes_before_the_group_one_and_a_year_accrues_beside_the_quarter() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let keeper = system.login("warehouse").await;
    let receipt = json!({"warehouse": "HN", "kind": "purchase", "reference": "INV-FANN-8", "lines": [
        {"product_id": products.filter_press, "quantity": 2, "unit_cost": 100_000_000}]});
    assert_eq!(keeper.post("/api/v1/stock/receipts", receipt).await.status, StatusCode::CREATED);
    let rep = system.login("sales.hn").await;
    let director = system.login("director").await;
    let dealer = rep.create_customer(customer("Công ty CP Thiết bị Minh Long", "dealer", "HN")).await;
    let created = rep.post("/api/v1/dealer-applications", tier1_application(&dealer["id"])).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let application = format!("/api/v1/dealer-applications/{}", created.body["id"]);
    for (session, action, body) in
        [(&rep, "submit", json!({})), (&rep, "evaluate", json!({})), (&director, "approve", json!({"tier": "tier1"}))]
    {
        let reply = session.post(&format!("{application}/{action}"), body).await;
        assert_eq!(reply.status, StatusCode::OK, "{action}: {}", reply.body);
    }
    let schemes =
        [("group", "dealer", "quarter", 100), ("tier", "tier1", "quarter", 300), ("tier", "tier1", "year", 50)];
    for (target_kind, target, period_kind, rate_bp) in schemes {
        let body = json!({"name": format!("{target} {period_kind}"), "target_kind": target_kind, "target": target,
            "period_kind": period_kind, "effective_from": "2020-01-01", "steps": [{"threshold": 0, "rate_bp": rate_bp}]});
        assert_eq!(director.post("/api/v1/bonus-schemes", body).await.status, StatusCode::CREATED);
    }
    let invoice = ship_presses(&system, &products, &dealer["id"], 1).await;
    let accountant = system.login("accountant").await;
    let payment = json!({"customer_id": dealer["id"], "amount": invoice["total_gross"], "method": "bank"});
    assert_eq!(accountant.post("/api/v1/payments", payment).await.status, StatusCode::CREATED);

    let today = dates::today();
    let (quarter, year) = (format!("{}-Q{}", today.year(), today.month0() / 3 + 1), today.year().to_string());
    let statement = |period: String| {
        let accountant = &accountant;
        let path = format!("/api/v1/customers/{}/bonus-statement?period={period}", dealer["id"]);
        async move { accountant.get(&path).await.body }
    };
    let net = int(&invoice["total_net"]);
    let in_quarter = statement(quarter.clone()).await;
    assert_eq!(
        (in_quarter["customer_tier"].as_str(), in_quarter["customer_group"].as_str()),
        (Some("tier1"), Some("dealer"))
    );
    assert_eq!((in_quarter["scheme"]["target"].as_str(), in_quarter["rate_bp"].as_i64()), (Some("tier1"), Some(300)));
    let in_year = statement(year.clone()).await;
    assert_eq!((in_year["scheme"]["period_kind"].as_str(), int(&in_year["earned"])), (Some("year"), rate_of(net, 50)));

    let month = format!("{}-{:02}", today.year(), today.month());
    let run = accountant.post("/api/v1/bonus-accruals", json!({"month": month})).await.body;
    let mut periods: Vec<&str> =
        run["accruals"].as_array().unwrap().iter().map(|a| a["period"].as_str().unwrap()).collect();
    periods.sort_unstable();
    assert_eq!(periods, [year.as_str(), quarter.as_str()]);
    assert_eq!(int(&run["total"]), rate_of(net, 300) + rate_of(net, 50));
    system.assert_books_agree().await;

    // The quarter is paid by bank; the year's accrual stays owed.
    let settle_path = format!("/api/v1/customers/{}/bonus-settlements", dealer["id"]);
    let settled = accountant.post(&settle_path, json!({"period": quarter, "method": "bank"})).await;
    assert_eq!(settled.status, StatusCode::OK, "{}", settled.body);
    assert_eq!(settled.body["movements"][1]["method"], "bank");
    assert_eq!(account(&accountant, "3388").await, -rate_of(net, 50));
    assert_eq!(account(&accountant, "641").await, rate_of(net, 300) + rate_of(net, 50));
    let cheque = accountant.post(&settle_path, json!({"period": year, "method": "cheque"})).await;
    assert_eq!(cheque.error_fields(), ["method"]);
    system.assert_books_agree().await;
    system.stop().await;
}
