//! Returns of delivered goods: stock and serials back, a reducing invoice in its own series, the
//! receivable, VAT and the sales report reduced, the books agreeing.

use atq_tests::shipping::{ship_everything, stock_and_customer};
use atq_tests::{Session, TestProducts, TestSystem, eventually, seed_products};
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

async fn post_return(session: &Session, body: Value, key: &str) -> atq_tests::Reply {
    session.send(Method::POST, "/api/v1/returns", Some(body), &[("Idempotency-Key", key)]).await
}

/// (on hand, average unit cost) of a product in Hà Nội in a condition.
async fn level(accountant: &Session, product_id: i64, condition: &str) -> (i64, i64) {
    let reply = accountant.get(&format!("/api/v1/stock?product_id={product_id}&warehouse=HN")).await;
    let items = reply.body["items"].as_array().unwrap().clone();
    items
        .iter()
        .find(|l| l["condition"] == condition)
        .map_or((0, 0), |l| (l["on_hand"].as_i64().unwrap(), l["average_unit_cost"].as_i64().unwrap_or(0)))
}

async fn serials(session: &Session, products: &TestProducts) -> Vec<(String, String, String)> {
    let reply = session.get(&format!("/api/v1/stock/serials?product_id={}", products.viscometer)).await;
    let items = reply.body["items"].as_array().unwrap().clone();
    items
        .iter()
        .map(|s| {
            let text = |k: &str| s[k].as_str().unwrap().to_owned();
            (text("serial"), text("condition"), text("status"))
        })
        .collect()
}

/// Net, VAT and units of the whole sales report, once it shows `net`.
async fn sales_total_once(director: &Session, net: i64) -> (i64, i64, i64) {
    let total = || async { director.get("/api/v1/reports/sales?period=month").await.body["total"].clone() };
    eventually("the sales report with the return", || async { total().await["net"] == net }).await;
    let total = total().await;
    (total["net"].as_i64().unwrap(), total["vat"].as_i64().unwrap(), total["quantity"].as_i64().unwrap())
}

#[tokio::test]
async fn goods_come_back_good_and_damaged_with_a_reducing_invoice_and_the_books_agree() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let invoice = ship_everything(&system, &products, &rep, &school["id"]).await;
    let accountant = system.login("accountant").await;
    let director = system.login("director").await;
    assert_eq!(sales_total_once(&director, 1_425_000_000).await, (1_425_000_000, 142_500_000, 5));

    // Both viscometers come back: FN-001 as good, FN-002 damaged.
    let body = json!({"invoice_id": invoice["id"], "reason": "Khách trả lại do sai cấu hình", "lines": [
        {"invoice_line_no": 2, "quantity": 1, "condition": "good", "serials": ["FN-001"]},
        {"invoice_line_no": 2, "quantity": 1, "condition": "damaged", "serials": ["FN-002"]},
    ]});
    let keeper = system.login("warehouse").await;
    assert_eq!(post_return(&keeper, body.clone(), "r-0").await.status, StatusCode::FORBIDDEN);
    let first = post_return(&accountant, body.clone(), "return-1").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let r = &first.body;
    assert!(first.header("location").unwrap().ends_with(&format!("/api/v1/returns/{}", r["id"])));
    assert!(r["number"].as_str().unwrap().starts_with("TL-") && r["number"].as_str().unwrap().ends_with("-0001"));
    assert_eq!((r["total_net"].as_i64(), r["total_vat"].as_i64()), (Some(570_000_000), Some(57_000_000)));
    assert_eq!((r["total_gross"].as_i64(), r["total_cost"].as_i64()), (Some(627_000_000), Some(500_000_000)));
    assert_eq!((r["receivable_reduced"].as_i64(), r["customer_credit"].as_i64()), (Some(627_000_000), Some(0)));
    assert_eq!(r["lines"][1]["condition"], "damaged");
    assert_eq!(r["lines"][0]["unit_cost"], 250_000_000, "the cost the unit left at");
    let adjustment = &r["adjustment"];
    assert!(adjustment["number"].as_str().unwrap().ends_with("TDC-0000001"), "{adjustment}");
    assert_eq!(
        (adjustment["adjusts_invoice_id"].clone(), adjustment["adjusts_invoice_number"].clone()),
        (invoice["id"].clone(), invoice["number"].clone())
    );
    assert_eq!(
        (adjustment["total_net"].as_i64(), adjustment["total_vat"].as_i64()),
        (Some(-570_000_000), Some(-57_000_000))
    );
    assert_eq!(adjustment["total_gross"], -627_000_000);
    let replay = post_return(&accountant, body.clone(), "return-1").await;
    assert_eq!((replay.status, &replay.body["number"]), (StatusCode::CREATED, &r["number"]), "a retry is the first");

    // Stock and serials are back; the receivable and the aging are lower.
    assert_eq!(level(&accountant, products.viscometer, "good").await, (1, 250_000_000));
    assert_eq!(level(&accountant, products.viscometer, "damaged").await, (1, 250_000_000));
    let back = |serial: &str, condition: &str| (serial.to_owned(), condition.to_owned(), "in_stock".to_owned());
    assert_eq!(serials(&accountant, &products).await, [back("FN-001", "good"), back("FN-002", "damaged")]);
    let balance = format!("/api/v1/customers/{}/balance", school["id"]);
    assert_eq!(accountant.get(&balance).await.body["balance"], 940_500_000);
    let aging = accountant.get("/api/v1/reports/receivables-aging").await.body;
    assert_eq!(aging["items"][0]["total"], 940_500_000, "{aging}");
    let invoice_now = accountant.get(&format!("/api/v1/invoices/{}", invoice["id"])).await.body;
    assert_eq!(
        (invoice_now["open_amount"].as_i64(), invoice_now["status"].as_str()),
        (Some(940_500_000), Some("open"))
    );

    // Beyond what remains, or a serial already back: field errors, and nothing written.
    let again = json!({"invoice_id": invoice["id"], "reason": "Trả thêm", "lines": [
        {"invoice_line_no": 1, "quantity": 4},
        {"invoice_line_no": 2, "quantity": 1, "serials": ["FN-001"]},
    ]});
    let refused = post_return(&accountant, again.clone(), "return-2").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.error_fields(), ["lines[0].quantity", "lines[1].quantity"]);
    assert_eq!(refused.body["errors"][0]["message"], "at most 3 units of this invoice line can still be returned");
    let headers = [("Idempotency-Key", "return-2b"), ("Accept-Language", "vi")];
    let in_vietnamese = accountant.send(Method::POST, "/api/v1/returns", Some(again), &headers).await;
    assert_eq!(in_vietnamese.body["errors"][0]["message"], "dòng hóa đơn này chỉ còn có thể trả lại tối đa 3 đơn vị");
    assert_eq!(level(&accountant, products.filter_press, "good").await.0, 0, "nothing came back");

    // Paid in full, then one press comes back: the customer gets a credit.
    let paid = accountant
        .send(Method::POST, "/api/v1/payments", Some(json!({"customer_id": school["id"], "amount": 940_500_000})), &[])
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    let press =
        json!({"invoice_id": invoice["id"], "reason": "Thừa một bộ", "lines": [{"invoice_line_no": 1, "quantity": 1}]});
    let second = post_return(&accountant, press, "return-3").await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert!(second.body["adjustment"]["number"].as_str().unwrap().ends_with("TDC-0000002"), "no gap: {}", second.body);
    assert_eq!(
        (second.body["total_gross"].as_i64(), second.body["total_cost"].as_i64()),
        (Some(313_500_000), Some(100_000))
    );
    assert_eq!(
        (second.body["receivable_reduced"].as_i64(), second.body["customer_credit"].as_i64()),
        (Some(0), Some(313_500_000))
    );
    assert_eq!(accountant.get(&balance).await.body["balance"], -313_500_000, "a credit");
    let invoice_now = accountant.get(&format!("/api/v1/invoices/{}", invoice["id"])).await.body;
    assert_eq!((invoice_now["open_amount"].as_i64(), invoice_now["status"].as_str()), (Some(0), Some("paid")));
    assert_eq!(level(&accountant, products.filter_press, "good").await, (1, 100_000));

    // The journal: sales returns, VAT and receivable; the goods back at cost.
    let trial = accountant.get("/api/v1/accounting/trial-balance").await.body;
    assert_eq!(trial["balanced"], true, "{trial}");
    assert_eq!(account(&trial, "131"), -313_500_000);
    assert_eq!(account(&trial, "5213"), 855_000_000);
    assert_eq!(account(&trial, "3331"), -57_000_000);
    assert_eq!(account(&trial, "156"), 500_100_000);
    assert_eq!(account(&trial, "632"), 200_000);
    assert_eq!(account(&trial, "511"), -1_425_000_000);
    system.assert_books_agree().await;

    // The sales report falls by the returns in their month.
    assert_eq!(sales_total_once(&director, 570_000_000).await, (570_000_000, 57_000_000, 2));

    // Reading: the invoice's returns; another office's rep does not see them.
    let listed = accountant.get(&format!("/api/v1/returns?invoice_id={}", invoice["id"])).await.body;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    let one = format!("/api/v1/returns/{}", r["id"]);
    assert_eq!(rep.get(&one).await.status, StatusCode::OK);
    let saigon = system.login("sales.hcm").await;
    assert_eq!(saigon.get(&one).await.status, StatusCode::NOT_FOUND);
    assert_eq!(saigon.get("/api/v1/returns").await.body["items"], json!([]));
    system.stop().await;
}

#[tokio::test]
async fn accounting_takes_goods_back_from_the_invoice_page_in_vietnamese_and_english() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (rep, school) = stock_and_customer(&system, &products).await;
    let invoice = ship_everything(&system, &products, &rep, &school["id"]).await;
    let mut web = atq_tests::web::WebSession::sign_in(&system, "accountant", "vi").await;
    let invoice_page = format!("/invoices/{}", invoice["id"]);
    let shown = web.get(&invoice_page).await;
    assert!(shown.html.contains("id=\"return-goods\""), "{}", shown.html);
    assert!(shown.html.contains("Nhận hàng trả lại"));
    let form_path = format!("/invoices/{}/return", invoice["id"]);
    let form = web.get(&form_path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    assert!(form.html.contains("Số lượng trả") && form.html.contains("Hỏng"), "{}", form.html);

    let csrf = web.csrf();
    let too_many = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", "web-return-1"),
        ("reason", "Sai cấu hình"),
        ("quantity", "5"),
        ("condition", "good"),
        ("serials", ""),
        ("quantity", ""),
        ("condition", "good"),
        ("serials", ""),
    ];
    let refused = web.post_form(&form_path, &too_many).await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.html);
    assert!(refused.html.contains("dòng hóa đơn này chỉ còn có thể trả lại tối đa 3 đơn vị"), "{}", refused.html);

    let one_back = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", "web-return-2"),
        ("reason", "Máy bị vỡ khi vận chuyển"),
        ("quantity", ""),
        ("condition", "good"),
        ("serials", ""),
        ("quantity", "1"),
        ("condition", "damaged"),
        ("serials", "FN-002"),
    ];
    let created = web.post_form(&form_path, &one_back).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let location = created.location.clone().unwrap();
    let record = web.get(&location).await;
    assert!(record.html.contains("Hóa đơn điều chỉnh giảm") && record.html.contains("TDC-0000001"), "{}", record.html);
    assert!(record.html.contains("FN-002") && record.html.contains("313.500.000"), "{}", record.html);
    assert!(web.get(&invoice_page).await.html.contains(&format!("href=\"{location}\"")));
    assert!(web.get("/returns").await.html.contains(&format!("href=\"{location}\"")));

    let mut english = atq_tests::web::WebSession::sign_in(&system, "accountant", "en").await;
    let record = english.get(&location).await;
    assert!(record.html.contains("Reducing invoice") && record.html.contains("Damaged"), "{}", record.html);
    system.assert_books_agree().await;
    system.stop().await;
}
