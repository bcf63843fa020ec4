//! A quote's discount carried to accounting: the order keeps the price before discount and the
//! discount beside it, each partial shipment's invoice takes its exact share, the journal books
//! revenue on 511 and the discount on 5211, and a return takes its share of the discount back.

use atq_tests::shipping::stock_and_customer;
use atq_tests::web::WebSession;
use atq_tests::{Session, TestProducts, TestSystem, eventually, seed_products};
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

fn int(value: &Value) -> i64 {
    value.as_i64().unwrap_or_else(|| panic!("not an integer: {value}"))
}

/// Dispatches `quantity` units of the order's first line, approved and shipped; returns the
/// customer's invoices once there are `invoices` of them.
async fn ship(system: &TestSystem, rep: &Session, order: &str, quantity: i64, invoices: usize) -> Vec<Value> {
    let dispatch =
        rep.post(&format!("{order}/dispatch-orders"), json!({"lines": [{"line_no": 1, "quantity": quantity}]})).await;
    assert_eq!(dispatch.status, StatusCode::CREATED, "{}", dispatch.body);
    let dispatch = dispatch.header("location").unwrap().to_owned();
    let approved = system.login("director").await.post(&format!("{dispatch}/approve"), json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let shipped = system.login("warehouse").await.post(&format!("{dispatch}/ship"), json!({})).await;
    assert_eq!(shipped.body["status"], "shipped", "{}", shipped.body);
    let accountant = system.login("accountant").await;
    let customer_id = rep.get(order).await.body["customer_id"].clone();
    let path = format!("/api/v1/invoices?customer_id={customer_id}");
    eventually("the shipment's invoice", || async {
        accountant.get(&path).await.body["items"].as_array().is_some_and(|items| items.len() == invoices)
    })
    .await;
    accountant.get(&path).await.body["items"].as_array().unwrap().clone()
}

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

/// An accepted quote of three presses at 5% off, ordered and confirmed; returns the order's path.
async fn discounted_order(rep: &Session, customer_id: &Value, products: &TestProducts) -> (Value, Value) {
    let valid_until = (chrono::Utc::now().date_naive() + chrono::Days::new(30)).to_string();
    let quote = rep
        .post(
            "/api/v1/quotes",
            json!({"customer_id": customer_id, "valid_until": valid_until, "lines": [
                {"product_id": products.filter_press, "quantity": 3, "discount": "0.05"},
            ]}),
        )
        .await;
    assert_eq!(quote.status, StatusCode::CREATED, "{}", quote.body);
    let quote_path = quote.header("location").unwrap().to_owned();
    assert_eq!(rep.post(&format!("{quote_path}/send"), json!({})).await.status, StatusCode::OK);
    assert_eq!(rep.post(&format!("{quote_path}/accept"), json!({})).await.body["status"], "accepted");
    let order = rep.post("/api/v1/orders", json!({"customer_id": customer_id, "quote_id": quote.body["id"]})).await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    (quote.body, order.body)
}

#[tokio::test]
async fn the_order_and_invoice_show_and_print_the_trade_discount_in_both_languages() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let (_, order) = discounted_order(&rep, &school["id"], &products).await;
    let order_path = format!("/api/v1/orders/{}", order["id"]);
    assert_eq!(rep.post(&format!("{order_path}/confirm"), json!({})).await.body["status"], "confirmed");
    let invoice = ship(&system, &rep, &order_path, 3, 1).await.remove(0);
    for (lang, column, amount, label) in
        [("vi", "Chiết khấu", "42.750.000", "Chiết khấu"), ("en", "Discount", "42,750,000", "Trade discount")]
    {
        let mut web = WebSession::sign_in(&system, "director", lang).await;
        for path in [format!("/orders/{}", order["id"]), format!("/invoices/{}", invoice["id"])] {
            let page = web.get(&path).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.html);
            assert!(page.html.contains(column) && page.html.contains(amount), "{path} {lang}: {}", page.html);
        }
        let director = system.login("director").await;
        for path in
            [format!("/api/v1/invoices/{}/pdf?lang={lang}", invoice["id"]), format!("{order_path}/pdf?lang={lang}")]
        {
            let (status, _, bytes) = director.download(&path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            let text = pdf_text(&bytes);
            assert!(text.contains(label) && text.contains(&format!("-{amount}")), "{path}: {text}");
        }
    }
    system.stop().await;
}

#[tokio::test]
async fn a_quoted_discount_is_invoiced_in_exact_shares_booked_on_5211_and_returned_in_proportion() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let (quote, order) = discounted_order(&rep, &school["id"], &products).await;

    // The order: the list price, 5% of it off as the line's discount, the quote's net exactly.
    let line = &order["lines"][0];
    assert_eq!((int(&line["unit_price"]), int(&line["discount_amount"])), (285_000_000, 42_750_000));
    assert_eq!((int(&line["net_amount"]), int(&line["vat_amount"])), (812_250_000, 81_225_000));
    assert_eq!(order["total_net"], quote["total_net"]);
    assert_eq!(int(&order["total_discount"]), 42_750_000);
    let order_path = format!("/api/v1/orders/{}", order["id"]);
    assert_eq!(rep.post(&format!("{order_path}/confirm"), json!({})).await.body["status"], "confirmed");

    // Two shipments, one press then two: each invoice takes its share, the shares add up.
    let first = ship(&system, &rep, &order_path, 1, 1).await;
    let invoices = ship(&system, &rep, &order_path, 2, 2).await;
    assert_eq!(first[0]["id"], invoices[0]["id"]);
    let shares: Vec<(i64, i64, i64)> = invoices
        .iter()
        .map(|i| (int(&i["lines"][0]["discount_amount"]), int(&i["lines"][0]["net_amount"]), int(&i["total_discount"])))
        .collect();
    assert_eq!(shares, [(14_250_000, 270_750_000, 14_250_000), (28_500_000, 541_500_000, 28_500_000)]);
    assert_eq!(invoices.iter().map(|i| int(&i["total_net"])).sum::<i64>(), 812_250_000);
    assert_eq!(invoices[1]["lines"][0]["unit_price"], 285_000_000);

    // The journal: revenue before discount on 511, the discount on 5211, the net between them.
    let accountant = system.login("accountant").await;
    let trial = accountant.get("/api/v1/accounting/trial-balance").await.body;
    assert_eq!(trial["balanced"], true, "{trial}");
    assert_eq!((account(&trial, "511"), account(&trial, "5211")), (-855_000_000, 42_750_000));
    assert_eq!(account(&trial, "511") + account(&trial, "5211"), -812_250_000, "net revenue");
    assert_eq!(account(&trial, "131"), 893_475_000);
    let books = accountant.get("/api/v1/accounting/reconciliation").await.body;
    assert_eq!(
        (int(&books["trade_discount_ledger"]), int(&books["trade_discount_documents"])),
        (42_750_000, 42_750_000)
    );
    system.assert_books_agree().await;

    // One press of the second invoice comes back: half its discount leaves 5211 with it.
    let body = json!({"invoice_id": invoices[1]["id"], "reason": "Thừa một bộ", "lines": [
        {"invoice_line_no": 1, "quantity": 1},
    ]});
    let returned = accountant.post("/api/v1/returns", body).await;
    assert_eq!(returned.status, StatusCode::CREATED, "{}", returned.body);
    assert_eq!((int(&returned.body["total_net"]), int(&returned.body["total_vat"])), (270_750_000, 27_075_000));
    assert_eq!(int(&returned.body["adjustment"]["total_net"]), -270_750_000);
    let trial = accountant.get("/api/v1/accounting/trial-balance").await.body;
    assert_eq!(trial["balanced"], true, "{trial}");
    assert_eq!((account(&trial, "5213"), account(&trial, "5211")), (285_000_000, 28_500_000));
    let net_revenue = account(&trial, "511") + account(&trial, "5211") + account(&trial, "5213");
    assert_eq!(net_revenue, -(812_250_000 - 270_750_000), "the adjusting invoice took back its net");
    let books = accountant.get("/api/v1/accounting/reconciliation").await.body;
    assert_eq!(
        (int(&books["trade_discount_ledger"]), int(&books["trade_discount_documents"])),
        (28_500_000, 28_500_000)
    );
    system.assert_books_agree().await;
    system.stop().await;
}
