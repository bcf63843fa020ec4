//! Opening receivables imported from spreadsheets: the template read back, a dry run naming every
//! bad row and writing nothing, a file imported twice adding its invoices once, and the invoices in
//! the customer's balance, the aging and the credit check, with the books agreeing.

use atq_tests::dates::{minus, plus};
use atq_tests::{Reply, TestSystem};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::imports_suppliers::upload;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HEADER: &str = "Mã khách hàng,Số hóa đơn,Ngày hóa đơn,Hạn thanh toán,Số tiền (gồm VAT),Đã thanh toán";

async fn import(system: &TestSystem, user: &str, dry_run: bool, file: (&str, Vec<u8>), key: &str) -> Reply {
    upload(system, user, &format!("/api/v1/imports/receivables?dry_run={dry_run}"), file, key).await
}

fn csv(rows: &[String]) -> (&'static str, Vec<u8>) {
    ("text/csv", format!("{HEADER}\r\n{}\r\n", rows.join("\r\n")).into_bytes())
}

/// A date as Vietnamese staff type it: 15/01/2026.
fn typed(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    format!("{}/{}/{}", parts[2], parts[1], parts[0])
}

fn row_errors(reply: &Reply) -> Vec<(i64, String)> {
    let errors = reply.body["errors"].as_array().cloned().unwrap_or_default();
    errors.iter().map(|e| (e["row"].as_i64().unwrap_or(0), e["column"].as_str().unwrap_or("").to_owned())).collect()
}

/// Two customers of the Hà Nội office: (id, code) each.
async fn two_customers(system: &TestSystem) -> [(i64, String); 2] {
    let rep = system.login("sales.hn").await;
    let mut made = Vec::new();
    for (name, phone) in [("Trường THPT Chu Văn An", "0243825001"), ("Công ty TNHH Thiết bị Minh Khoa", "0243825002")]
    {
        let body = json!({"name": name, "group": "project", "phone": phone, "address": "Hà Nội", "office": "HN"});
        let created = rep.post("/api/v1/customers", body).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        made.push((created.body["id"].as_i64().unwrap(), created.body["code"].as_str().unwrap().to_owned()));
    }
    [made[0].clone(), made[1].clone()]
}

async fn invoices(system: &TestSystem) -> Vec<Value> {
    let list = system.login("accountant").await.get("/api/v1/invoices?limit=500").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    list.body["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn five_bad_rows_get_five_problems_and_nothing_is_written() {
    let system = TestSystem::start().await;
    let [(_, school), _] = two_customers(&system).await;
    let (issued, due) = (typed(&minus(20)), typed(&plus(10)));
    let rows = [
        format!("{school},HD-0001,{issued},{due},110000000,10000000"),
        format!("KH999999,HD-0002,{issued},{due},5000000,0"), // no such customer
        format!("{school},HD-0003,{},{due},5000000,0", typed(&plus(1))), // issued tomorrow
        format!("{school},HD-0004,{issued},{due},5000000,6000000"), // paid more than the amount
        format!("{school},HD-0005,{issued},{due},năm triệu,0"), // an amount that is no number
        format!("{school},HD-0006,{issued},{},5000000,0", typed(&minus(30))), // due before issued
    ];
    let dry = import(&system, "accountant", true, csv(&rows), "").await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    let expected: Vec<(i64, String)> =
        [(3, "customer_code"), (4, "invoice_date"), (5, "paid"), (6, "amount"), (7, "due_date")]
            .map(|(row, column)| (row, column.to_owned()))
            .to_vec();
    assert_eq!(row_errors(&dry), expected, "{}", dry.body);
    assert_eq!((dry.body["rows_read"].as_i64(), dry.body["rows_valid"].as_i64()), (Some(6), Some(1)));
    let refused = import(&system, "accountant", false, csv(&rows), "bad-file").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.error_fields().len(), 5, "{}", refused.body);
    assert!(invoices(&system).await.is_empty(), "a dry run and a refused import write nothing");
    system.assert_books_agree().await;

    assert_eq!(import(&system, "sales.hn", true, csv(&rows[..1]), "").await.status, StatusCode::FORBIDDEN);
    let rep = system.login("sales.hn").await;
    assert_eq!(rep.get("/api/v1/imports/receivables/template").await.status, StatusCode::FORBIDDEN);
    system.stop().await;
}

#[tokio::test]
async fn imported_twice_the_receivables_count_once_in_balance_aging_and_credit_and_the_books_agree() {
    let system = TestSystem::start().await;
    let [(school_id, school), (shop_id, shop)] = two_customers(&system).await;
    let rows = [
        // 45 days overdue, partly paid: 100,000,000 still owed.
        format!("{school},0001234,{},{},110000000,10000000", typed(&minus(75)), typed(&minus(45))),
        format!("{school},0001301,{},{},22000000,0", typed(&minus(5)), typed(&plus(25))),
        format!("{shop},0001302,{},{},33000000,33000000", typed(&minus(40)), typed(&minus(10))),
    ];
    let first = import(&system, "accountant", false, csv(&rows), "opening").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["created"].as_array().map(Vec::len), Some(3), "{}", first.body);
    assert_eq!(first.body["open_amount"], 122_000_000);
    let again = import(&system, "accountant", false, csv(&rows), "opening-again").await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["created"].as_array().map(Vec::len), Some(0), "{}", again.body);
    assert_eq!(again.body["already_present"].as_array().map(Vec::len), Some(3), "{}", again.body);
    assert_eq!(invoices(&system).await.len(), 3, "added once");

    let accountant = system.login("accountant").await;
    let balance = accountant.get(&format!("/api/v1/customers/{school_id}/balance")).await;
    assert_eq!(balance.status, StatusCode::OK, "{}", balance.body);
    assert_eq!(
        (balance.body["balance"].as_i64(), balance.body["paid"].as_i64()),
        (Some(122_000_000), Some(10_000_000))
    );
    let settled = accountant.get(&format!("/api/v1/customers/{shop_id}/balance")).await;
    assert_eq!(settled.body["balance"], 0, "paid in full before the opening: nothing owed");

    let aging = accountant.get("/api/v1/reports/receivables-aging").await;
    assert_eq!(aging.status, StatusCode::OK, "{}", aging.body);
    let items = aging.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "only the school owes: {}", aging.body);
    let buckets: Vec<(String, i64)> = items[0]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["bucket"].as_str().unwrap().to_owned(), b["amount"].as_i64().unwrap()))
        .filter(|(_, amount)| *amount != 0)
        .collect();
    assert_eq!(buckets, [("current".to_owned(), 22_000_000), ("31-60".to_owned(), 100_000_000)]);

    let terms = format!("/api/v1/customers/{school_id}/credit-terms");
    let limit = json!({"credit_limit": 130_000_000, "payment_terms_days": 30});
    assert_eq!(accountant.send(reqwest::Method::PUT, &terms, Some(limit), &[]).await.status, StatusCode::OK);
    let check = accountant.get(&format!("/api/v1/customers/{school_id}/balance")).await;
    assert_eq!(check.body["credit_limit"], 130_000_000);
    let changed = [format!("{school},0001234,{},{},99000000,0", typed(&minus(75)), typed(&minus(45)))];
    let conflict = import(&system, "accountant", true, csv(&changed), "").await;
    assert_eq!(row_errors(&conflict), [(2, "invoice_number".to_owned())], "other figures under an old number");
    system.assert_books_agree().await;
    system.stop().await;
}

#[tokio::test]
async fn both_templates_read_back_as_a_valid_row_for_the_first_customer() {
    let system = TestSystem::start().await;
    let [(_, first_code), _] = two_customers(&system).await;
    assert_eq!(first_code, "KH000001", "the template's example customer");
    let accountant = system.login("accountant").await;
    for (format, content_type) in [("csv", "text/csv"), ("xlsx", XLSX)] {
        let (status, headers, bytes) =
            accountant.download(&format!("/api/v1/imports/receivables/template?format={format}")).await;
        assert_eq!(status, StatusCode::OK, "{format}");
        let disposition = headers.get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(disposition.contains(&format!("mau-nhap-cong-no-dau-ky.{format}")), "{disposition}");
        let checked = import(&system, "accountant", true, (content_type, bytes), "").await;
        assert_eq!(checked.status, StatusCode::OK, "{format}: {}", checked.body);
        assert_eq!(
            (checked.body["rows_valid"].as_i64(), checked.body["errors"].as_array().map(Vec::len)),
            (Some(1), Some(0)),
            "{format}: {}",
            checked.body
        );
    }
    assert!(invoices(&system).await.is_empty());
    system.stop().await;
}
