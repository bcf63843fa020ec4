//! The directors' summaries of import-export and of accounting and warehouse, each figure checked
//! against the supplier orders, plan, invoices, payment, receipts and stocktake the test makes,
//! and against the department's own report (supplier performance, receivables aging, stock).

use atq_tests::advance_purchase_order as advance;
use atq_tests::dates::{minus, plus, today};
use atq_tests::shipping::{ship_everything, stock_and_customer};
use atq_tests::web::WebSession;
use atq_tests::{Session, TestSystem, customer, eventually, load_eur_rate_and_duty, seed_products};
use chrono::{Datelike, Days, Months, NaiveDate};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn month_of(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

fn end_of_month(day: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(day.year(), day.month(), 1).unwrap() + Months::new(1) - Days::new(1)
}

async fn summary(session: &Session, query: &str) -> Value {
    let reply = session.get(&format!("/api/v1/reports/summary?{query}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.body);
    reply.body
}

/// The rows of a section of a period.
fn rows<'a>(period: &'a Value, name: &str) -> &'a Vec<Value> {
    let section = period["sections"].as_array().unwrap().iter().find(|s| s["name"] == name);
    section.unwrap_or_else(|| panic!("no section {name} in {period}"))["rows"].as_array().unwrap()
}

/// The current figure of a measure of a row; none when the row or figure is not there.
fn figure(period: &Value, section: &str, key: &str, name: &str) -> Option<i64> {
    let row = rows(period, section).iter().find(|r| r["key"] == key)?;
    row["measures"].as_array().unwrap().iter().find(|m| m["name"] == name)?["current"].as_i64()
}

fn half_up(numerator: i128, denominator: i128) -> i64 {
    ((2 * numerator + denominator) / (2 * denominator)) as i64
}

/// A supplier order of `quantity` presses at 7,500.00 EUR each, sent `sent` days ago.
async fn sent_order(officer: &Session, supplier_id: i64, press: i64, quantity: i64, sent: u64) -> Value {
    let lines = json!([{"product_id": press, "quantity": quantity, "unit_price": 750_000}]);
    let order = officer.post("/api/v1/purchase-orders", json!({"supplier_id": supplier_id, "lines": lines})).await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    advance(officer, &order.body, json!({"action": "send", "on": minus(sent)})).await;
    order.body
}

/// Confirmed to ship `shipped`, then shipped, cleared and received today; the received order.
async fn receive_today(officer: &Session, order: &Value, shipped: String) -> Value {
    advance(officer, order, json!({"action": "confirm", "ship_date": shipped})).await;
    advance(officer, order, json!({"action": "ship", "arrival_date": today().to_string()})).await;
    advance(officer, order, json!({"action": "clear"})).await;
    let path = format!("/api/v1/purchase-orders/{}/receive", order["id"]);
    let done = officer.post(&path, json!({"received_on": today().to_string(), "charges": []})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    done.body
}

#[tokio::test]
async fn import_export_counts_orders_lead_times_promises_landed_cost_and_late_milestones() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (press, supplier_id) = (products.filter_press, products.supplier_id);
    let officer = system.login("import").await;
    load_eur_rate_and_duty(&system, &minus(90)).await;

    // Lead times 30, 31 and 50 days, all received today; promised ship date + 14 days, so the
    // second (promised 6 days ago) is late. A fourth is sent today and still on its way.
    let first = sent_order(&officer, supplier_id, press, 4, 30).await;
    let second = sent_order(&officer, supplier_id, press, 6, 31).await;
    let third = sent_order(&officer, supplier_id, press, 2, 50).await;
    let open = sent_order(&officer, supplier_id, press, 1, 0).await;
    let mut received = Vec::new();
    for (order, shipped) in [(&first, minus(10)), (&second, minus(20)), (&third, today().to_string())] {
        received.push(receive_today(&officer, order, shipped).await);
    }
    assert_eq!(received[1]["promised_on"], minus(6));
    let landed: i64 = received.iter().map(|o| o["landed_total"].as_i64().unwrap()).sum();
    let lines = received.iter().flat_map(|o| o["lines"].as_array().unwrap().clone()).collect::<Vec<_>>();
    let line_value = |l: &Value, field: &str| l["quantity"].as_i64().unwrap() * l[field].as_i64().unwrap();
    let priced: i64 = lines.iter().map(|l| line_value(l, "landed_unit_cost")).sum();
    let listed: i64 = lines.iter().map(|l| l["quantity"].as_i64().unwrap() * 285_000_000).sum();

    // A project plan: a viscometer needed in 3 days cannot come in time; one in 200 days can.
    let plan = json!({"source_ref": "HD-2026-0777", "customer_name": "Trường THPT Chu Văn An", "office": "HN",
        "lines": [{"line_no": 1, "product_id": products.viscometer, "milestones": [
            {"needed_by": plus(3), "quantity": 1}, {"needed_by": plus(200), "quantity": 2}]}]});
    let planned = system.login("sales.hn").await.post("/api/v1/import-plans", plan).await;
    assert_eq!(planned.status, StatusCode::OK, "{}", planned.body);
    let milestones = planned.body["lines"][0]["milestones"].as_array().unwrap().clone();
    let late: Vec<&Value> = milestones.iter().filter(|m| m["late"] == true).collect();
    assert_eq!(late.len(), 1, "{}", planned.body);
    let (needed, promised) = (&late[0]["needed_by"], &late[0]["promise_date"]);
    let day = |v: &Value| v.as_str().unwrap().parse::<NaiveDate>().unwrap();
    let late_days = (day(promised) - day(needed)).num_days();

    let director = system.login("director").await;
    let this_month = month_of(today());
    let month_query = format!("department=import-export&period=month&from={this_month}&to={this_month}");
    eventually("the receipts and the plan in the summary", || async {
        let body = summary(&director, &month_query).await;
        let p = &body["periods"][0];
        figure(p, "total", "all", "orders_received") == Some(3) && figure(p, "total", "all", "orders_placed") == Some(1)
    })
    .await;
    let body = summary(&director, &month_query).await;
    assert_eq!(body["department"], "import-export");
    let p = &body["periods"][0];
    let total = |name: &str| figure(p, "total", "all", name);
    assert_eq!((total("units_received"), total("landed_value")), (Some(12), Some(landed)));
    assert_eq!((total("priced_landed_value"), total("list_value")), (Some(priced), Some(listed)));
    assert_eq!(total("landed_vs_list_bp"), Some(half_up(i128::from(priced) * 10_000, i128::from(listed))));
    assert_eq!((total("lead_time_mean_tenths"), total("lead_time_median_tenths")), (Some(370), Some(310)));
    assert_eq!(
        (total("orders_promised"), total("orders_on_time"), total("on_time_rate_bp")),
        (Some(3), Some(2), Some(6_667))
    );
    let code = first["supplier_code"].as_str().unwrap();
    assert_eq!(figure(p, "by_supplier", code, "orders_received"), Some(3));
    assert_eq!(figure(p, "by_supplier", code, "lead_time_median_tenths"), Some(310));
    assert_eq!(figure(p, "placed_by_currency", "EUR", "orders"), Some(1));
    assert_eq!(figure(p, "placed_by_currency", "EUR", "goods_value"), open["goods_value"].as_i64());

    // The supplier performance report of the same month says the same.
    let report = director.get(&format!("/api/v1/reports/suppliers?from={this_month}&to={this_month}")).await.body;
    let tenths = |text: &Value| (text.as_str().unwrap().parse::<f64>().unwrap() * 10.0).round() as i64;
    let bp = |text: &Value| (text.as_str().unwrap().parse::<f64>().unwrap() * 10_000.0).round() as i64;
    assert_eq!(report["total"]["orders_received"].as_i64(), total("orders_received"));
    assert_eq!(report["total"]["units_received"].as_i64(), total("units_received"));
    assert_eq!(Some(tenths(&report["total"]["average_lead_time_days"])), total("lead_time_mean_tenths"));
    assert_eq!(Some(bp(&report["total"]["on_time_rate"])), total("on_time_rate_bp"));

    // Over every month from the first sending to the last milestone: four placed, two milestones.
    let (from, to) = (month_of(today() - Days::new(50)), month_of(today() + Days::new(200)));
    let range = summary(&director, &format!("department=import-export&period=month&from={from}&to={to}")).await;
    let sum = |name: &str| -> i64 {
        range["periods"].as_array().unwrap().iter().filter_map(|p| figure(p, "total", "all", name)).sum()
    };
    assert_eq!((sum("orders_placed"), sum("orders_received")), (4, 3));
    assert_eq!((sum("milestones_due"), sum("milestones_late")), (2, 1));
    let late_month = range["periods"].as_array().unwrap().iter().find(|p| p["name"] == month_of(day(needed))).unwrap();
    assert_eq!(figure(late_month, "milestones_by_office", "HN", "milestones_late"), Some(1));
    assert_eq!(figure(late_month, "milestones_by_office", "HN", "late_days"), Some(late_days));
    assert_eq!(figure(late_month, "milestones_by_office", "HN", "late_units"), Some(1));

    // A Hà Nội manager: the plan is Hà Nội's, the orders went to the Hồ Chí Minh City warehouse.
    let manager = summary(
        &system.login("manager.hn").await,
        &format!("department=import-export&period=month&from={from}&to={to}"),
    )
    .await;
    assert_eq!(manager["office"], "HN");
    let of = |name: &str| -> i64 {
        manager["periods"].as_array().unwrap().iter().filter_map(|p| figure(p, "total", "all", name)).sum()
    };
    assert_eq!((of("orders_placed"), of("orders_received"), of("milestones_late")), (0, 0, 1));
    let with_costs =
        range["periods"].as_array().unwrap().iter().filter(|p| figure(p, "total", "all", "landed_value").is_some());
    assert!(with_costs.count() > 0, "the director reads costs");
    let hidden =
        manager["periods"].as_array().unwrap().iter().all(|p| figure(p, "total", "all", "landed_value").is_none());
    assert!(hidden, "a sales manager reads no costs");

    // One sheet per section, one CSV block per section.
    let csv = director.send(Method::GET, &format!("/api/v1/reports/summary?{month_query}&format=csv"), None, &[]).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.body.as_str().unwrap().split("\n\n").count(), 4);

    // The web page offers the department and names its figures in either language.
    let page = format!("/reports/summary?{month_query}");
    let vi = WebSession::sign_in(&system, "director", "vi").await.get(&page).await;
    assert_eq!(vi.status, StatusCode::OK);
    assert!(vi.html.contains(r#"<option value="import-export" selected>Xuất nhập khẩu</option>"#), "{}", vi.html);
    assert!(vi.html.contains("Tỷ lệ đúng hẹn") && vi.html.contains("66,67 %"), "{}", vi.html);
    let en = WebSession::sign_in(&system, "director", "en").await.get(&page).await;
    assert!(en.html.contains("Lead time, median (days)") && en.html.contains(">31.0<"), "{}", en.html);
    system.stop().await;
}

/// Orders one viscometer (serial `serial`, received first in Hà Nội) for a customer and ships it;
/// returns its invoice.
async fn ship_a_viscometer(
    system: &TestSystem,
    rep: &Session,
    customer_id: &Value,
    viscometer: i64,
    serial: &str,
) -> Value {
    let keeper = system.login("warehouse").await;
    let receipt = keeper
        .post(
            "/api/v1/stock/receipts",
            json!({"warehouse": "HN", "kind": "purchase", "lines": [
            {"product_id": viscometer, "quantity": 1, "unit_cost": 250_000_000, "serials": [serial]}]}),
        )
        .await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    let lines = json!([{"product_id": viscometer, "quantity": 1}]);
    let order = rep.post("/api/v1/orders", json!({"customer_id": customer_id, "lines": lines})).await;
    let order = order.header("location").expect("the order's address").to_owned();
    assert_eq!(rep.post(&format!("{order}/confirm"), json!({})).await.body["status"], "confirmed");
    let dispatch = rep.post(&format!("{order}/dispatch-orders"), json!({})).await;
    let dispatch = dispatch.header("location").expect("the dispatch order's address").to_owned();
    system.login("director").await.post(&format!("{dispatch}/approve"), json!({})).await;
    let shipped =
        keeper.post(&format!("{dispatch}/ship"), json!({"lines": [{"line_no": 1, "serials": [serial]}]})).await;
    assert_eq!(shipped.body["status"], "shipped", "{}", shipped.body);
    atq_tests::the_only_invoice_of(&system.login("accountant").await, customer_id).await
}

/// The accounting department's bucket of an amount due on `due`, seen on `day`.
fn bucket(due: NaiveDate, day: NaiveDate) -> &'static str {
    match (day - due).num_days() {
        d if d <= 0 => "current",
        1..=30 => "1-30",
        31..=60 => "31-60",
        61..=90 => "61-90",
        _ => ">90",
    }
}

#[path = "analytics_summary_books.rs"]
mod books;
