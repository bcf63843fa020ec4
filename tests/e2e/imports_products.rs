//! Catalog products imported from spreadsheets: a legacy Windows-1258 CSV and an XLSX, a dry run
//! naming each bad row and column and writing nothing, all rows or none, idempotent retries, the
//! same file twice changing nothing, a changed row updating its product (a dry run saying so), the
//! template read back, and the import screen for the import-export department only.

use atq_tests::web::WebSession;
use atq_tests::{Reply, TestSystem};
use reqwest::StatusCode;
use serde_json::{Value, json};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HEADER: [&str; 13] = [
    "Mã model",
    "Tên tiếng Việt",
    "Tên tiếng Anh",
    "Nhóm hàng",
    "Hãng",
    "Phân loại hãng",
    "Nhà cung cấp",
    "Đơn vị tính",
    "Mã HS",
    "Bảo hành (tháng)",
    "Theo dõi số serial",
    "Giá niêm yết",
    "Thuế suất VAT",
];

/// Three products with Vietnamese names, as the import-export department types them, one line a
/// row with `|` between the cells; the supplier by name (without diacritics or case) or by id.
const FLOWMETER: &str = "TK-UF2000|Máy đo lưu lượng siêu âm Tokyo Keiki|Ultrasonic flowmeter|Tự động hóa|Tokyo Keiki|\
                         Hãng lớn|tokyo keiki|bộ|9026.10.30|24|có|185.000.000|10%";
const GAUGE: &str = "TK-DP10|Đồng hồ đo áp suất điện tử||electrical|Tokyo Keiki|big|Tokyo Keiki|chiếc|9026.20.40|12|không|12500000|0.08";
const BIOLOGY_KIT: &str = "TK-BIO5|Bộ thí nghiệm sinh học phân tử|Molecular biology kit|Sinh học|Nhật Quang|Hãng nhỏ|\
                           Tokyo Keiki|bộ|902300|||4500000|0.05";
/// Unknown category and a negative price.
const BAD_TELESCOPE: &str =
    "TK-X1|Kính thiên văn||Thiên văn|Tokyo Keiki|big|Tokyo Keiki|chiếc|9005.80.00|12|có|-5|0.10";

fn three_rows() -> Vec<String> {
    [FLOWMETER, GAUGE, BIOLOGY_KIT].map(str::to_owned).to_vec()
}

fn csv_text(rows: &[String]) -> String {
    let mut text = HEADER.join(",") + "\r\n";
    for row in rows {
        text.push_str(&row.split('|').map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(","));
        text.push_str("\r\n");
    }
    text
}

/// The text in Windows-1258 as Excel on Vietnamese Windows saves "CSV": a precomposed letter the
/// code page lacks is its base letter (ê, ư) and a combining tone mark.
fn windows_1258(text: &str) -> Vec<u8> {
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
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1258.encode(&spelled);
    assert!(!unmappable, "every letter has a Windows-1258 spelling");
    bytes.into_owned()
}

fn xlsx_bytes(header: &[&str], rows: &[String]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, text) in header.iter().enumerate() {
        sheet.write_string(0, col as u16, *text).unwrap();
    }
    for (row, cells) in rows.iter().enumerate() {
        for (col, cell) in cells.split('|').enumerate() {
            sheet.write_string(row as u32 + 1, col as u16, cell).unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// A raw upload with an idempotency key, as a script sends it; answers in English.
async fn import(system: &TestSystem, user: &str, dry_run: bool, xlsx: bool, body: Vec<u8>, key: &str) -> Reply {
    import_in(system, user, (dry_run, xlsx), body, key, "en").await
}

async fn import_in(
    system: &TestSystem,
    user: &str,
    (dry_run, xlsx): (bool, bool),
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
        .post(format!("{}/api/v1/imports/products?dry_run={dry_run}", system.base))
        .bearer_auth(token)
        .header("content-type", if xlsx { XLSX } else { "text/csv" })
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

/// (row, column) of each row error.
fn row_errors(reply: &Reply) -> Vec<(i64, String)> {
    let errors = reply.body["errors"].as_array().unwrap();
    errors.iter().map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap().to_owned())).collect()
}

async fn add_supplier(system: &TestSystem, name: &str) -> i64 {
    let officer = system.login("import").await;
    let body = json!({"name": name, "country": "JP", "currency": "JPY", "lead_time_days": 60});
    let supplier = officer.post("/api/v1/suppliers", body).await;
    assert_eq!(supplier.status, StatusCode::CREATED, "{}", supplier.body);
    supplier.body["id"].as_i64().unwrap()
}

/// Every product in the catalog, by model code.
async fn catalog(system: &TestSystem) -> Vec<Value> {
    let list = system.login("import").await.get("/api/v1/products?limit=500").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let mut items = list.body["items"].as_array().unwrap().clone();
    items.sort_by_key(|p| p["model_code"].as_str().unwrap_or_default().to_owned());
    items
}

#[tokio::test]
async fn a_windows_1258_csv_is_checked_row_by_row_then_imported_all_at_once_and_once_per_key() {
    let system = TestSystem::start().await;
    let supplier_id = add_supplier(&system, "Tokyo Keiki").await;
    let mut rows = three_rows();
    rows.push(BAD_TELESCOPE.to_owned());
    let bad = windows_1258(&csv_text(&rows));
    let dry = import(&system, "import", true, false, bad.clone(), "").await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(row_errors(&dry), [(5, "category".into()), (5, "list_price".into())]);
    assert_eq!((dry.body["rows_read"].as_i64(), dry.body["rows_valid"].as_i64()), (Some(4), Some(3)));
    assert!(dry.body["errors"][0]["message"].as_str().unwrap().starts_with("must be one of physics"));
    let refused = import(&system, "import", false, false, bad, "bad-file").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.error_fields(), ["rows[5].category", "rows[5].list_price"]);
    assert!(catalog(&system).await.is_empty(), "a dry run and a refused import write nothing");

    let good = windows_1258(&csv_text(&three_rows()));
    let first = import(&system, "import", false, false, good.clone(), "tokyo-keiki").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let products = catalog(&system).await;
    let models: Vec<&str> = products.iter().map(|p| p["model_code"].as_str().unwrap()).collect();
    assert_eq!(models, ["TK-BIO5", "TK-DP10", "TK-UF2000"]);
    let flowmeter = &products[2];
    assert_eq!(flowmeter["name_vi"], "Máy đo lưu lượng siêu âm Tokyo Keiki", "the name exact and in NFC");
    assert_eq!(
        (flowmeter["category"].as_str(), flowmeter["supplier_id"].as_i64()),
        (Some("automation"), Some(supplier_id))
    );
    assert_eq!((flowmeter["list_price"].as_i64(), flowmeter["vat_rate"].as_str()), (Some(185_000_000), Some("0.10")));
    assert_eq!((flowmeter["warranty_months"].as_i64(), flowmeter["serial_tracked"].as_bool()), (Some(24), Some(true)));
    assert_eq!((products[0]["brand_class"].as_str(), products[0]["hs_code"].as_str()), (Some("small"), Some("902300")));

    let retry = import(&system, "import", false, false, good.clone(), "tokyo-keiki").await;
    assert_eq!(retry.status, StatusCode::OK, "{}", retry.body);
    assert_eq!(retry.body["created"], first.body["created"], "the same key replays the first answer");
    assert_eq!(catalog(&system).await.len(), 3, "and creates nothing");
    let new_key = import(&system, "import", false, false, good, "another-key").await;
    assert_eq!(new_key.status, StatusCode::OK, "{}", new_key.body);
    assert_eq!(row_errors(&new_key), []);
    assert_eq!(counts(&new_key), (0, 0, 3), "the same file again changes nothing: {}", new_key.body);
    assert_eq!(catalog(&system).await, products, "not even a version");
    system.stop().await;
}

/// (created, updated, unchanged) of an import's answer.
fn counts(reply: &Reply) -> (i64, i64, i64) {
    let count = |key: &str| reply.body[key].as_i64().unwrap_or(-1);
    (count("created_count"), count("updated_count"), count("unchanged_count"))
}

/// (row, action) of each valid row.
fn actions(reply: &Reply) -> Vec<(i64, String)> {
    let actions = reply.body["actions"].as_array().unwrap();
    actions.iter().map(|a| (a["row"].as_i64().unwrap(), a["action"].as_str().unwrap().to_owned())).collect()
}

#[tokio::test]
async fn a_changed_row_updates_its_product_and_a_dry_run_says_so() {
    let system = TestSystem::start().await;
    add_supplier(&system, "Tokyo Keiki").await;
    let first = import(&system, "import", false, false, csv_text(&three_rows()).into_bytes(), "").await;
    assert_eq!((first.status, counts(&first)), (StatusCode::OK, (3, 0, 0)), "{}", first.body);
    let before = catalog(&system).await;

    // The gauge gets a new name and price; a fourth product is new.
    let mut rows = three_rows();
    rows[1] =
        GAUGE.replace("Đồng hồ đo áp suất điện tử", "Đồng hồ áp suất điện tử DP10").replace("12500000", "13.200.000");
    rows.push(BIOLOGY_KIT.replace("TK-BIO5", "TK-BIO6"));
    let changed = csv_text(&rows).into_bytes();
    let dry = import_in(&system, "import", (true, false), changed.clone(), "", "vi").await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(counts(&dry), (1, 1, 2), "{}", dry.body);
    let expected = [(2, "unchanged"), (3, "update"), (4, "unchanged"), (5, "create")];
    assert_eq!(actions(&dry), expected.map(|(row, action)| (row, action.to_owned())));
    assert_eq!(catalog(&system).await, before, "a dry run writes nothing");

    let imported = import(&system, "import", false, false, changed.clone(), "").await;
    assert_eq!((imported.status, counts(&imported)), (StatusCode::OK, (1, 1, 2)), "{}", imported.body);
    assert_eq!(imported.body["updated"][0]["model_code"], "TK-DP10");
    let after = catalog(&system).await;
    let gauge = after.iter().find(|p| p["model_code"] == "TK-DP10").unwrap();
    assert_eq!(
        (gauge["name_vi"].as_str(), gauge["list_price"].as_i64()),
        (Some("Đồng hồ áp suất điện tử DP10"), Some(13_200_000))
    );
    let old_gauge = before.iter().find(|p| p["model_code"] == "TK-DP10").unwrap();
    assert_eq!(gauge["id"], old_gauge["id"], "the same product, updated");
    assert_eq!(after.len(), 4);

    let again = import(&system, "import", false, false, changed, "").await;
    assert_eq!((again.status, counts(&again)), (StatusCode::OK, (0, 0, 4)), "{}", again.body);
    assert_eq!(catalog(&system).await, after);
    system.stop().await;
}

#[tokio::test]
async fn an_xlsx_with_english_headers_imports_and_an_unknown_supplier_is_named_in_vietnamese() {
    let system = TestSystem::start().await;
    add_supplier(&system, "Tokyo Keiki").await;
    let keys: Vec<&str> = "model_code,name_vi,name_en,category,brand,brand_class,supplier,unit,hs_code,\
                           warranty_months,serial_tracked,list_price,vat_rate"
        .split(',')
        .collect();
    let mut rows = three_rows();
    rows[1] = GAUGE.replace("|big|Tokyo Keiki|", "|big|Cortest|");
    let dry = import(&system, "import", true, true, xlsx_bytes(&keys, &rows), "").await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(row_errors(&dry), [(3, "supplier".into())]);
    let vietnamese = import_in(&system, "import", (true, true), xlsx_bytes(&keys, &rows), "", "vi").await;
    let message = vietnamese.body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("không có nhà cung cấp"), "{}", vietnamese.body);
    assert!(catalog(&system).await.is_empty());

    let imported = import(&system, "import", false, true, xlsx_bytes(&keys, &three_rows()), "xlsx-file").await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    let created: Vec<&str> =
        imported.body["created"].as_array().unwrap().iter().map(|p| p["model_code"].as_str().unwrap()).collect();
    assert_eq!(created, ["TK-UF2000", "TK-DP10", "TK-BIO5"]);
    assert_eq!(catalog(&system).await.len(), 3);
    system.stop().await;
}

#[tokio::test]
async fn both_templates_read_back_as_a_valid_row_and_only_the_catalog_keepers_import() {
    let system = TestSystem::start().await;
    add_supplier(&system, "Fann Instrument").await;
    let officer = system.login("import").await;
    for (format, xlsx) in [("csv", false), ("xlsx", true)] {
        let (status, headers, bytes) =
            officer.download(&format!("/api/v1/imports/products/template?format={format}")).await;
        assert_eq!(status, StatusCode::OK, "{format}");
        let disposition = headers.get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(disposition.contains(&format!("mau-nhap-san-pham.{format}")), "{disposition}");
        let checked = import(&system, "import", true, xlsx, bytes, "").await;
        assert_eq!(checked.status, StatusCode::OK, "{format}: {}", checked.body);
        assert_eq!(
            (checked.body["rows_valid"].as_i64(), checked.body["errors"].as_array().map(Vec::len)),
            (Some(1), Some(0))
        );
    }
    let rep = system.login("sales.hn").await;
    assert_eq!(rep.get("/api/v1/imports/products/template").await.status, StatusCode::FORBIDDEN);
    let refused = import(&system, "sales.hn", false, false, csv_text(&three_rows()).into_bytes(), "rep").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(catalog(&system).await.is_empty());

    for (lang, expected) in [
        ("vi", ["Nhập sản phẩm từ bảng tính", "Tải mẫu CSV"]),
        ("en", ["Import products from a spreadsheet", "Download the CSV template"]),
    ] {
        let mut web = WebSession::sign_in(&system, "import", lang).await;
        let page = web.get("/products/import").await;
        assert_eq!(page.status, StatusCode::OK, "{lang}: {}", page.html);
        for text in expected.iter().chain(&["id=\"check-form\"", "name=\"sheet\""]) {
            assert!(page.html.contains(text), "{lang} shows {text}: {}", page.html);
        }
        assert!(web.get("/products").await.html.contains("id=\"import-products\""), "the button for import-export");
    }
    let mut rep_web = WebSession::sign_in(&system, "sales.hn", "vi").await;
    assert_eq!(rep_web.get("/products/import").await.status, StatusCode::FORBIDDEN);
    let mut keeper = WebSession::sign_in(&system, "warehouse", "en").await;
    assert!(!keeper.get("/products").await.html.contains("import-products"), "no import button for the warehouse");
    system.stop().await;
}
