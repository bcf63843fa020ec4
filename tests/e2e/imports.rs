//! Customers imported from spreadsheets: legacy CSV and XLSX, dry runs, all rows or none,
//! idempotent retries, office scoping and the template; targets from XLSX through the same reader.

use atq_tests::{Reply, TestSystem};
use reqwest::StatusCode;
use serde_json::{Value, json};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HEADER: [&str; 7] =
    ["Tên khách hàng", "Nhóm khách hàng", "Điện thoại", "Địa chỉ", "Văn phòng", "Mã số thuế", "Email"];

/// Three customers with Vietnamese names, as people type them.
fn three_rows() -> Vec<[&'static str; 7]> {
    vec![
        ["Công ty TNHH Thiết bị Đức Thành", "Đại lý", "0912000001", "12 Tràng Tiền, Hà Nội", "HN", "0101000001", ""],
        ["Nguyễn Thị Hương", "Cá nhân", "0912000002", "5 Lý Thường Kiệt, Hà Nội", "HN", "", "huong@example.vn"],
        ["Trường THPT Chu Văn An", "project", "0912000003", "10 Thụy Khuê, Tây Hồ, Hà Nội", "Hà Nội", "0101000003", ""],
    ]
}

fn csv_text(rows: &[[&str; 7]]) -> String {
    let mut text = HEADER.join(",") + "\r\n";
    for row in rows {
        text.push_str(&row.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(","));
        text.push_str("\r\n");
    }
    text
}

/// The text as Windows-1258 spells it (as Excel saves "CSV" on Vietnamese Windows): a precomposed
/// letter the code page lacks is its base letter (ê, ư) and a combining tone mark.
fn windows_1258_form(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut spelled = String::new();
    for c in text.chars() {
        let decomposed: Vec<char> = c.to_string().nfd().collect();
        let tone =
            decomposed.iter().copied().find(|m| matches!(m, '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}'));
        match tone {
            Some(tone) if encoding_rs::WINDOWS_1258.encode(&c.to_string()).2 => {
                spelled.extend(decomposed.iter().filter(|m| **m != tone).collect::<String>().nfc());
                spelled.push(tone);
            }
            _ => spelled.push(c),
        }
    }
    spelled
}

fn xlsx_bytes(rows: &[[&str; 7]]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in HEADER.iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    for (row, cells) in rows.iter().enumerate() {
        for (col, cell) in cells.iter().enumerate() {
            sheet.write_string(row as u32 + 1, col as u16, *cell).unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// A raw upload with an idempotency key and a language, as a browser or script sends it.
async fn upload(
    system: &TestSystem,
    user: &str,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
    key: &str,
    lang: &str,
) -> Reply {
    let http = reqwest::Client::new();
    let login = http
        .post(format!("{}/api/v1/auth/login", system.base))
        .json(&json!({"username": user, "password": "demo"}))
        .send()
        .await
        .unwrap();
    let token = login.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    let mut request = http
        .post(format!("{}{}", system.base, path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .header("accept-language", lang)
        .body(body);
    if !key.is_empty() {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    Reply { status, headers: Default::default(), body: serde_json::from_str(&text).unwrap_or(Value::String(text)) }
}

async fn import_customers(
    system: &TestSystem,
    user: &str,
    dry_run: bool,
    xlsx: bool,
    body: Vec<u8>,
    key: &str,
) -> Reply {
    let path = format!("/api/v1/imports/customers?dry_run={dry_run}");
    upload(system, user, &path, if xlsx { XLSX } else { "text/csv" }, body, key, "vi").await
}

/// (row, column) of each row error.
fn row_errors(reply: &Reply) -> Vec<(i64, String)> {
    let errors = reply.body["errors"].as_array().unwrap();
    errors.iter().map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap().to_owned())).collect()
}

async fn customer_names(system: &TestSystem) -> Vec<String> {
    let director = system.login("director").await;
    let list = director.get("/api/v1/customers?limit=500").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let mut names: Vec<String> =
        list.body["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect();
    names.sort();
    names
}

fn expected_names() -> Vec<String> {
    let mut names: Vec<String> = three_rows().iter().map(|r| r[0].to_owned()).collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_windows_1258_csv_and_an_xlsx_with_the_same_rows_import_the_same_customers() {
    let system = TestSystem::start().await;
    let spelled = windows_1258_form(&csv_text(&three_rows()));
    let (legacy, _, unmappable) = encoding_rs::WINDOWS_1258.encode(&spelled);
    assert!(!unmappable);
    let dry = import_customers(&system, "manager.hn", true, false, legacy.to_vec(), "").await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!((dry.body["rows_read"].as_i64(), dry.body["rows_valid"].as_i64()), (Some(3), Some(3)));
    assert!(customer_names(&system).await.is_empty(), "a dry run writes nothing");

    let real = import_customers(&system, "manager.hn", false, false, legacy.to_vec(), "legacy-csv").await;
    assert_eq!(real.status, StatusCode::OK, "{}", real.body);
    let created: Vec<&str> =
        real.body["created"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(created, three_rows().iter().map(|r| r[0]).collect::<Vec<_>>(), "names exact and in NFC");
    assert_eq!(customer_names(&system).await, expected_names());

    // The same rows as a workbook: each repeats a customer now on file, reported per row.
    let again = import_customers(&system, "manager.hn", true, true, xlsx_bytes(&three_rows()), "").await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(
        row_errors(&again),
        [(2, "tax_code".into()), (2, "phone".into()), (3, "phone".into()), (4, "tax_code".into()), (4, "phone".into())]
    );
    assert_eq!(again.body["errors"][0]["message"], "đã có khách hàng với mã số thuế này");

    // On a fresh system the workbook imports the very same customers.
    let other = TestSystem::start().await;
    let from_xlsx = import_customers(&other, "manager.hn", false, true, xlsx_bytes(&three_rows()), "xlsx").await;
    assert_eq!(from_xlsx.status, StatusCode::OK, "{}", from_xlsx.body);
    assert_eq!(customer_names(&other).await, expected_names());
    let director = other.login("director").await;
    let list = director.get("/api/v1/customers?limit=500").await;
    let school = list.body["items"].as_array().unwrap().iter().find(|c| c["name"] == three_rows()[2][0]).unwrap();
    assert_eq!((school["group"].as_str(), school["office"].as_str()), (Some("project"), Some("HN")));
    other.stop().await;
    system.stop().await;
}

#[tokio::test]
async fn two_bad_rows_are_listed_on_a_dry_run_nothing_is_written_and_a_retry_replays_the_first_answer() {
    let system = TestSystem::start().await;
    let mut rows = three_rows();
    rows.push(["Công ty Hòa Bình", "đối tác", "0912000004", "1 Hàng Bông, Hà Nội", "HN", "", ""]);
    rows[1][2] = "12345";
    let bad = csv_text(&rows).into_bytes();
    let dry = import_customers(&system, "manager.hn", true, false, bad.clone(), "").await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(row_errors(&dry), [(3, "phone".into()), (5, "group".into())]);
    assert_eq!((dry.body["rows_read"].as_i64(), dry.body["rows_valid"].as_i64()), (Some(4), Some(2)));
    let refused = import_customers(&system, "manager.hn", false, false, bad, "bad-file").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.error_fields(), ["rows[3].phone", "rows[5].group"]);
    assert!(customer_names(&system).await.is_empty(), "all rows or none");

    let good = csv_text(&three_rows()).into_bytes();
    let first = import_customers(&system, "manager.hn", false, false, good.clone(), "good-file").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let retry = import_customers(&system, "manager.hn", false, false, good.clone(), "good-file").await;
    assert_eq!(retry.status, StatusCode::OK, "{}", retry.body);
    assert_eq!(retry.body["created"], first.body["created"]);
    assert_eq!(first.body["created"].as_array().unwrap().len(), 3);
    assert_eq!(customer_names(&system).await, expected_names(), "no duplicates");
    let new_key = import_customers(&system, "manager.hn", false, false, good, "good-file-2").await;
    assert_eq!(new_key.status, StatusCode::BAD_REQUEST, "{}", new_key.body);
    assert_eq!(customer_names(&system).await.len(), 3);
    system.stop().await;
}

const CONTACT_HEADER: &str =
    "Tên khách hàng,Nhóm,Điện thoại,Địa chỉ,Người liên hệ,Chức vụ,Điện thoại người liên hệ,Email người liên hệ\r\n";

/// Two customers with a primary contact each and one without; `email` is the first contact's.
fn contact_file(email: &str) -> Vec<u8> {
    let rows = [
        format!("Công ty An Phát,Đại lý,0912000011,1 Tràng Tiền,\" Trần  Thị Hoa \",Kế toán trưởng,912000111,{email}"),
        "Trường THPT Chu Văn An,Công trình,0912000012,10 Thụy Khuê,Lê Văn Nam,Hiệu phó,,nam@cva.edu.vn".into(),
        "Nguyễn Thị Hương,Cá nhân,0912000013,5 Lý Thường Kiệt,,,,".into(),
    ];
    format!("{CONTACT_HEADER}{}\r\n", rows.join("\r\n")).into_bytes()
}

/// (name, position, phone, email, primary) of each contact of each customer the import created.
async fn contacts_of(system: &TestSystem, created: &Value) -> Vec<Vec<(String, String, String, String, bool)>> {
    let director = system.login("director").await;
    let mut all = Vec::new();
    for customer in created.as_array().unwrap() {
        let list = director.get(&format!("/api/v1/customers/{}/contacts", customer["id"])).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        let text = |c: &Value, field: &str| c[field].as_str().unwrap().to_owned();
        let items = list.body["items"].as_array().unwrap().iter();
        all.push(
            items
                .map(|c| {
                    (text(c, "name"), text(c, "position"), text(c, "phone"), text(c, "email"), c["is_primary"] == true)
                })
                .collect(),
        );
    }
    all
}

#[tokio::test]
async fn a_file_with_contacts_imports_each_customer_and_its_primary_contact_once() {
    let system = TestSystem::start().await;
    let file = contact_file("hoa@anphat.vn");
    let dry = import_customers(&system, "manager.hn", true, false, file.clone(), "").await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!((dry.body["rows_valid"].as_i64(), dry.body["contacts_created"].as_i64()), (Some(3), Some(0)));
    assert!(customer_names(&system).await.is_empty(), "a dry run writes nothing");

    let first = import_customers(&system, "manager.hn", false, false, file.clone(), "contacts").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["contacts_created"].as_i64(), Some(2));
    let hoa = ("Trần Thị Hoa".into(), "Kế toán trưởng".into(), "0912000111".into(), "hoa@anphat.vn".into(), true);
    let nam = ("Lê Văn Nam".into(), "Hiệu phó".into(), String::new(), "nam@cva.edu.vn".into(), true);
    let expected = vec![vec![hoa], vec![nam], vec![]];
    assert_eq!(contacts_of(&system, &first.body["created"]).await, expected);

    // The same file again: a retry replays the first answer, another key finds every customer on file.
    let retry = import_customers(&system, "manager.hn", false, false, file.clone(), "contacts").await;
    assert_eq!((retry.status, &retry.body), (StatusCode::OK, &first.body));
    let again = import_customers(&system, "manager.hn", false, false, file, "contacts-2").await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
    assert_eq!(again.error_fields(), ["rows[2].phone", "rows[3].phone", "rows[4].phone"]);
    assert_eq!(customer_names(&system).await.len(), 3);
    assert_eq!(contacts_of(&system, &first.body["created"]).await, expected, "each contact once");
    system.stop().await;
}

#[tokio::test]
async fn a_bad_contact_email_is_a_row_error_in_its_column_and_nothing_is_written() {
    let system = TestSystem::start().await;
    let file = contact_file("hoa@@anphat");
    let dry = import_customers(&system, "manager.hn", true, false, file.clone(), "").await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(row_errors(&dry), [(2, "contact_email".into())]);
    assert_eq!((dry.body["rows_read"].as_i64(), dry.body["rows_valid"].as_i64()), (Some(3), Some(2)));
    assert_eq!(dry.body["errors"][0]["message"], "phải là địa chỉ email, ví dụ ten@congty.vn");
    let refused = import_customers(&system, "manager.hn", false, false, file, "bad-contact").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.error_fields(), ["rows[2].contact_email"]);
    assert!(customer_names(&system).await.is_empty(), "no customer without its contact");
    let director = system.login("director").await;
    let contacts = director.get("/api/v1/contacts?limit=100").await;
    assert_eq!(contacts.body["items"].as_array().map(Vec::len), Some(0), "{}", contacts.body);
    system.stop().await;
}

#[tokio::test]
async fn a_hanoi_rep_importing_a_ho_chi_minh_row_gets_a_row_error_in_their_language() {
    let system = TestSystem::start().await;
    let mut rows = three_rows();
    rows[0][4] = "HCM";
    rows[2][4] = "";
    let body = csv_text(&rows).into_bytes();
    let path = "/api/v1/imports/customers?dry_run=true";
    let english = upload(&system, "sales.hn", path, "text/csv", body.clone(), "", "en").await;
    assert_eq!(english.status, StatusCode::OK, "{}", english.body);
    assert_eq!(row_errors(&english), [(2, "office".into())]);
    assert_eq!(english.body["errors"][0]["message"], "is not your office");
    let vietnamese = upload(&system, "sales.hn", path, "text/csv", body, "", "vi").await;
    assert_eq!(vietnamese.body["errors"][0]["message"], "không phải văn phòng của bạn");
    system.stop().await;
}

#[tokio::test]
async fn the_template_downloads_and_imports_cleanly_and_targets_come_from_xlsx_too() {
    let system = TestSystem::start().await;
    let manager = system.login("manager.hn").await;
    let (status, headers, csv) = manager.download("/api/v1/imports/customers/template?format=csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains("mau-nhap-khach-hang.csv"));
    assert!(String::from_utf8_lossy(&csv).starts_with("\u{feff}Tên khách hàng,Nhóm khách hàng,Điện thoại"));
    let dry = import_customers(&system, "manager.hn", true, false, csv, "").await;
    assert_eq!((dry.body["rows_valid"].as_i64(), dry.body["errors"].as_array().map(Vec::len)), (Some(1), Some(0)));
    let (status, _, xlsx) = manager.download("/api/v1/imports/customers/template?format=xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let real = import_customers(&system, "manager.hn", false, true, xlsx, "template").await;
    assert_eq!(real.status, StatusCode::OK, "{}", real.body);
    assert_eq!(real.body["created"][0]["name"], "Công ty TNHH Thiết bị Khoa học An Phát");
    let customer = manager.get(&format!("/api/v1/customers/{}", real.body["created"][0]["id"])).await;
    assert_eq!(
        (customer.body["phone"].as_str(), customer.body["group"].as_str()),
        (Some("02438251234"), Some("dealer"))
    );
    let contacts = contacts_of(&system, &real.body["created"]).await;
    let example =
        ("Trần Thị Hoa".into(), "Kế toán trưởng".into(), "0912000111".into(), "hoa.tran@anphat.vn".into(), true);
    assert_eq!(contacts, [vec![example]], "the template's example contact comes in with its customer");

    // Targets: the same reader takes a workbook.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let quarter = {
        use chrono::Datelike;
        let today = atq_platform::business_time::local_date(atq_platform::business_time::now_micros());
        format!("{}-Q{}", today.year(), (today.month() - 1) / 3 + 1)
    };
    let cells = [
        ["period", "scope", "owner", "office", "metric", "category", "target"],
        [quarter.as_str(), "office", "", "HN", "visits", "", "40"],
    ];
    for (row, line) in cells.iter().enumerate() {
        for (col, cell) in line.iter().enumerate() {
            sheet.write_string(row as u32, col as u16, *cell).unwrap();
        }
    }
    let bytes = workbook.save_to_buffer().unwrap();
    let targets = upload(&system, "manager.hn", "/api/v1/targets/import", XLSX, bytes, "targets-xlsx", "vi").await;
    assert_eq!(targets.status, StatusCode::OK, "{}", targets.body);
    assert_eq!(targets.body["targets"][0]["target"], 40);
    system.stop().await;
}
