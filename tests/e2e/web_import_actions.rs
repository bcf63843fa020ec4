//! The import screens on the real system: the product import's check and import say what each
//! row does (created, updated, unchanged) with the counts, in both languages; the suppliers list
//! and the receivables page lead to their imports for the roles that may import, and only them.

use atq_tests::TestSystem;
use atq_tests::web::{Page, WebSession};
use reqwest::StatusCode;
use serde_json::json;

const HEADER: &str = "Mã model,Tên tiếng Việt,Tên tiếng Anh,Nhóm hàng,Hãng,Phân loại hãng,Nhà cung cấp,\
                      Đơn vị tính,Mã HS,Bảo hành (tháng),Theo dõi số serial,Giá niêm yết,Thuế suất VAT\r\n";
const FLOWMETER: &str = "TK-UF2000,Máy đo lưu lượng siêu âm,Ultrasonic flowmeter,Tự động hóa,Tokyo Keiki,Hãng lớn,\
                         Tokyo Keiki,bộ,9026.10.30,24,không,185000000,10%\r\n";
const GAUGE: &str = "TK-DP10,Đồng hồ đo áp suất điện tử,,electrical,Tokyo Keiki,big,Tokyo Keiki,chiếc,9026.20.40,12,\
                     không,12500000,0.08\r\n";
const KIT: &str = "TK-BIO6,Bộ thí nghiệm sinh học phân tử,Molecular biology kit,Sinh học,Nhật Quang,Hãng nhỏ,\
                   Tokyo Keiki,bộ,902300,,,4500000,0.05\r\n";

/// The value of an attribute that follows `prefix` in `html`.
fn attribute_after(html: &str, prefix: &str) -> String {
    let start = html.find(prefix).map(|i| i + prefix.len()).unwrap_or_else(|| panic!("{prefix} in {html}"));
    html[start..].split('"').next().unwrap_or_default().to_owned()
}

async fn upload(web: &mut WebSession, fields: &[(&str, &str)], csv: &str) -> Page {
    let csrf = web.csrf();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    web.post_multipart("/products/import", &all, "sheet", ("san-pham.csv", "text/csv", csv.as_bytes())).await
}

/// Checks `csv` on the screen, then imports it; both pages.
async fn check_then_import(web: &mut WebSession, csv: &str) -> (Page, Page) {
    let checked = upload(web, &[("step", "check")], csv).await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.html);
    let digest = attribute_after(&checked.html, "name=\"digest\" value=\"");
    let key = attribute_after(&checked.html, "name=\"idempotency_key\" value=\"");
    let import = [("step", "import"), ("digest", digest.as_str()), ("idempotency_key", key.as_str())];
    let imported = upload(web, &import, csv).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.html);
    (checked, imported)
}

/// The (row, model code, action label) of each row the table of actions lists.
fn row_actions(page: &Page) -> Vec<(String, String, String)> {
    let table = page.html.split("id=\"row-actions\"").nth(1).unwrap_or_default();
    let body = table.split("<tbody>").nth(1).and_then(|b| b.split("</tbody>").next()).unwrap_or_default();
    body.split("<tr")
        .skip(1)
        .map(|row| {
            let cells: Vec<String> = row
                .split("<td")
                .skip(1)
                .map(|cell| cell.split('>').nth(1).unwrap_or_default().split('<').next().unwrap_or_default().to_owned())
                .collect();
            (cells[0].clone(), cells[1].clone(), cells[2].clone())
        })
        .collect()
}

fn expected(rows: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    rows.iter().map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned())).collect()
}

#[tokio::test]
async fn the_product_import_says_what_each_row_would_do_and_did() {
    let system = TestSystem::start().await;
    let officer = system.login("import").await;
    let supplier = json!({"name": "Tokyo Keiki", "country": "JP", "currency": "JPY", "lead_time_days": 60});
    assert_eq!(officer.post("/api/v1/suppliers", supplier).await.status, StatusCode::CREATED);

    let mut vi = WebSession::sign_in(&system, "import", "vi").await;
    let (checked, imported) = check_then_import(&mut vi, &format!("{HEADER}{FLOWMETER}{GAUGE}")).await;
    assert!(checked.html.contains("Việc mỗi dòng sẽ làm") && !checked.html.contains("id=\"import-applied\""));
    assert_eq!(row_actions(&checked), expected(&[("2", "TK-UF2000", "Sẽ tạo mới"), ("3", "TK-DP10", "Sẽ tạo mới")]));
    assert!(imported.html.contains("id=\"import-applied\"") && imported.html.contains("Việc mỗi dòng đã làm"));
    assert_eq!(row_actions(&imported), expected(&[("2", "TK-UF2000", "Đã tạo mới"), ("3", "TK-DP10", "Đã tạo mới")]));

    // The gauge renamed, the flowmeter as it was, a kit new.
    let changed = format!("{HEADER}{FLOWMETER}{}{KIT}", GAUGE.replace("Đồng hồ đo áp suất", "Đồng hồ áp suất"));
    let mut en = WebSession::sign_in(&system, "import", "en").await;
    let (checked, imported) = check_then_import(&mut en, &changed).await;
    let counts = checked.html.split("id=\"action-counts\"").nth(1).unwrap_or_default();
    for count in
        ["<dt>To be created</dt><dd>1</dd>", "<dt>To be updated</dt><dd>1</dd>", "<dt>Unchanged</dt><dd>1</dd>"]
    {
        assert!(counts.contains(count), "{count} in {}", checked.html);
    }
    let would = [("2", "TK-UF2000", "Unchanged"), ("3", "TK-DP10", "To be updated"), ("4", "TK-BIO6", "To be created")];
    assert_eq!(row_actions(&checked), expected(&would));
    let did = [("2", "TK-UF2000", "Unchanged"), ("3", "TK-DP10", "Updated"), ("4", "TK-BIO6", "Created")];
    assert_eq!(row_actions(&imported), expected(&did));
    assert!(imported.html.contains("The import is done.") && imported.html.contains("What each row did"));
    let products = officer.get("/api/v1/products?q=TK-DP10").await;
    assert_eq!(products.body["items"][0]["name_vi"], "Đồng hồ áp suất điện tử", "{}", products.body);
    system.stop().await;
}

#[tokio::test]
async fn the_supplier_and_receivable_imports_have_their_buttons_for_those_who_may_import() {
    let system = TestSystem::start().await;
    for (user, lang, suppliers, receivables) in [
        ("import", "vi", true, false),
        ("director", "en", true, true),
        ("accountant", "vi", false, true),
        ("sales.hn", "en", false, false),
        ("warehouse", "vi", false, false),
    ] {
        let mut web = WebSession::sign_in(&system, user, lang).await;
        let list = web.get("/suppliers").await;
        assert_eq!(list.status, StatusCode::OK, "{user}: {}", list.html);
        assert_eq!(list.html.contains("href=\"/suppliers/import\""), suppliers, "{user}: {}", list.html);
        if suppliers {
            let screen = web.get("/suppliers/import").await;
            assert_eq!(screen.status, StatusCode::OK, "{user}: {}", screen.html);
        }
        let page = web.get("/receivables").await;
        if page.status == StatusCode::OK {
            assert_eq!(page.html.contains("href=\"/receivables/import\""), receivables, "{user}: {}", page.html);
        } else {
            assert!(!receivables, "{user} reads no receivables: {}", page.status);
        }
        if receivables {
            let screen = web.get("/receivables/import").await;
            assert_eq!(screen.status, StatusCode::OK, "{user}: {}", screen.html);
        }
    }
    let mut vi = WebSession::sign_in(&system, "accountant", "vi").await;
    assert!(vi.get("/receivables").await.html.contains("Nhập công nợ đầu kỳ"));
    let mut en = WebSession::sign_in(&system, "import", "en").await;
    assert!(en.get("/suppliers").await.html.contains("Import from a spreadsheet"));
    system.stop().await;
}
