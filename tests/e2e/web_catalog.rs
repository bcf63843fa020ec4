//! The web UI's catalog forms on the real system: the import officer adds and changes products
//! and suppliers, with the API's refusals beside their fields in both languages; a change made
//! from a stale page is refused and changes nothing; other roles are offered no form and are
//! refused one. What was saved is read back through the REST API.

use atq_tests::web::{Page, WebSession};
use atq_tests::{Session, TestSystem, seed_products};
use reqwest::StatusCode;
use serde_json::Value;

fn assert_shows(page: &Page, what: &str, expected: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.html);
    for text in expected {
        assert!(page.html.contains(text), "{what} shows {text}: {}", page.html);
    }
}

/// The products whose model code, name or brand match `q`, by the REST API.
async fn products_matching(api: &Session, q: &str) -> Vec<Value> {
    let found = api.get(&format!("/api/v1/products?q={q}")).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    found.body["items"].as_array().cloned().unwrap_or_default()
}

/// The fields of a product form, with `changes` in place of the defaults.
fn product_fields<'a>(csrf: &'a str, supplier_id: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("csrf", csrf),
        ("idempotency_key", "web-catalog-product-1"),
        ("version", "0"),
        ("model_code", "VIS-200"),
        ("name_vi", "Máy đo độ nhớt cầm tay"),
        ("name_en", "Handheld viscometer"),
        ("category", "physics"),
        ("brand", "Fann"),
        ("brand_class", "big"),
        ("supplier_id", supplier_id),
        ("unit", "bộ"),
        ("hs_code", "9027.80.30"),
        ("warranty_months", "12"),
        ("list_price", "12.500.000"),
        ("vat_rate", "0.08"),
    ];
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push((name, value));
    }
    fields
}

#[tokio::test]
async fn the_catalog_forms_are_offered_to_those_who_keep_the_catalog_in_both_languages() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let edit_product = format!("/products/{}/edit", products.filter_press);
    let edit_supplier = format!("/suppliers/{}/edit", products.supplier_id);
    let pages: [(&str, [&str; 2], [&str; 2]); 6] = [
        ("/products", ["id=\"new-product\"", "Thêm sản phẩm"], ["id=\"new-product\"", "New product"]),
        (
            "/products/new",
            ["Giá niêm yết (₫, chưa VAT)", "Fann Instrument"],
            ["List price (₫, without VAT)", "Fann Instrument"],
        ),
        (&edit_product, ["Sửa sản phẩm", "value=\"LPLT 300\""], ["Edit product", "value=\"LPLT 300\""]),
        ("/suppliers", ["id=\"new-supplier\"", &edit_supplier], ["id=\"new-supplier\"", &edit_supplier]),
        (
            "/suppliers/new",
            ["Thêm nhà cung cấp", "Mã tiền tệ 3 chữ cái"],
            ["New supplier", "Three-letter currency code"],
        ),
        (&edit_supplier, ["Sửa nhà cung cấp", "value=\"Fann Instrument\""], ["Edit supplier", "value=\"42\""]),
    ];
    for lang in ["vi", "en"] {
        for username in ["import", "director"] {
            let mut web = WebSession::sign_in(&system, username, lang).await;
            for (path, vietnamese, english) in &pages {
                let page = web.get(path).await;
                assert_shows(
                    &page,
                    &format!("{username} {lang} {path}"),
                    if lang == "vi" { vietnamese } else { english },
                );
                assert!(page.html.contains(&format!("<html lang=\"{lang}\">")), "{path}");
            }
        }
    }
    let product_page = format!("/products/{}", products.filter_press);
    for username in ["warehouse", "sales.hn", "accountant"] {
        let mut web = WebSession::sign_in(&system, username, "vi").await;
        for path in ["/products/new", "/suppliers/new", edit_product.as_str(), edit_supplier.as_str()] {
            assert_eq!(web.get(path).await.status, StatusCode::FORBIDDEN, "{username} {path}");
        }
        for (path, offered) in
            [("/products", "new-product"), (product_page.as_str(), "edit-product"), ("/suppliers", "new-supplier")]
        {
            let page = web.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{username} {path}");
            assert!(!page.html.contains(offered), "{username} is not offered {offered}");
        }
        let csrf = web.csrf();
        let refused = web.post_form("/products", &product_fields(&csrf, "1", &[])).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{username} posts a product: {}", refused.html);
    }
    system.stop().await;
}

#[tokio::test]
async fn a_product_is_added_and_changed_with_errors_beside_their_fields() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let api = system.login("import").await;
    let supplier = products.supplier_id.to_string();
    let mut web = WebSession::sign_in(&system, "import", "vi").await;
    let csrf = web.csrf();

    let not_a_number =
        web.post_form("/products", &product_fields(&csrf, &supplier, &[("list_price", "mười triệu")])).await;
    assert_shows(
        &not_a_number,
        "a price in words",
        &["id=\"list_price-error\"", "Nhập một số nguyên", "value=\"mười triệu\""],
    );
    let no_supplier = web.post_form("/products", &product_fields(&csrf, "", &[])).await;
    assert_shows(&no_supplier, "no supplier", &["id=\"supplier_id-error\"", "aria-invalid=\"true\""]);
    let bad_rate = web.post_form("/products", &product_fields(&csrf, &supplier, &[("vat_rate", "0.07")])).await;
    assert_shows(&bad_rate, "a VAT rate the law does not have", &["id=\"vat_rate-error\""]);
    assert!(products_matching(&api, "VIS-200").await.is_empty(), "a refused form writes nothing");

    let created = web.post_form("/products", &product_fields(&csrf, &supplier, &[])).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let found = products_matching(&api, "VIS-200").await;
    assert_eq!(found.len(), 1, "{found:?}");
    let id = found[0]["id"].as_i64().unwrap_or_default();
    assert_eq!(created.location.as_deref(), Some(format!("/products/{id}").as_str()));
    assert_eq!((found[0]["list_price"].as_i64(), found[0]["vat_rate"].as_str()), (Some(12_500_000), Some("0.08")));
    assert_eq!(found[0]["serial_tracked"], false);
    let again = web.post_form("/products", &product_fields(&csrf, &supplier, &[])).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "a resubmitted form replays: {}", again.html);
    assert_eq!(products_matching(&api, "VIS-200").await.len(), 1, "one product for one form");

    let edit = web.get(&format!("/products/{id}/edit")).await;
    assert_shows(&edit, "the edit form", &["name=\"version\" value=\"1\"", "value=\"VIS-200\""]);
    let path = format!("/products/{id}");
    let change = [("version", "1"), ("list_price", "13.900.000"), ("serial_tracked", "true")];
    let changed = web.post_form(&path, &product_fields(&csrf, &supplier, &change)).await;
    assert_eq!(
        (changed.status, changed.location.as_deref()),
        (StatusCode::SEE_OTHER, Some(path.as_str())),
        "{}",
        changed.html
    );
    let read = api.get(&format!("/api/v1/products/{id}")).await.body;
    assert_eq!(
        (read["list_price"].as_i64(), read["serial_tracked"].as_bool(), read["version"].as_i64()),
        (Some(13_900_000), Some(true), Some(2))
    );

    let stale = [("version", "1"), ("list_price", "1.000")];
    let refused = web.post_form(&path, &product_fields(&csrf, &supplier, &stale)).await;
    assert_eq!(refused.status, StatusCode::OK, "a stale form comes back: {}", refused.html);
    assert!(refused.html.contains("role=\"alert\""), "{}", refused.html);
    assert_eq!(api.get(&format!("/api/v1/products/{id}")).await.body["list_price"].as_i64(), Some(13_900_000));
    let page = web.get(&path).await;
    assert_shows(&page, "the product's page", &["13.900.000", "id=\"edit-product\""]);
    system.stop().await;
}

#[tokio::test]
async fn a_supplier_is_added_and_changed_with_errors_beside_their_fields() {
    let system = TestSystem::start().await;
    let api = system.login("import").await;
    let mut web = WebSession::sign_in(&system, "import", "en").await;
    let csrf = web.csrf();
    let fields = |country: &'static str, lead_time: &'static str| {
        vec![
            ("idempotency_key", "web-catalog-supplier-1"),
            ("version", "0"),
            ("name", "Leybold Didactic"),
            ("country", country),
            ("currency", "EUR"),
            ("lead_time_days", lead_time),
            ("contact_email", "sales@leybold.example"),
        ]
    };
    let with_csrf = |mut f: Vec<(&'static str, &'static str)>, csrf: &str| {
        let mut all: Vec<(String, String)> = vec![("csrf".into(), csrf.to_owned())];
        all.extend(f.drain(..).map(|(n, v)| (n.to_owned(), v.to_owned())));
        all
    };
    let post = async |web: &mut WebSession, path: &str, fields: Vec<(String, String)>| {
        let borrowed: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        web.post_form(path, &borrowed).await
    };
    let words = post(&mut web, "/suppliers", with_csrf(fields("DE", "six weeks"), &csrf)).await;
    assert_shows(&words, "a lead time in words", &["id=\"lead_time_days-error\"", "Enter a whole number"]);
    let country = post(&mut web, "/suppliers", with_csrf(fields("Germany", "30"), &csrf)).await;
    assert_shows(&country, "a country that is not a code", &["id=\"country-error\"", "value=\"Germany\""]);
    let found = api.get("/api/v1/suppliers?q=Leybold").await.body;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(0), "{found}");

    let created = post(&mut web, "/suppliers", with_csrf(fields("DE", "30"), &csrf)).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let found = api.get("/api/v1/suppliers?q=Leybold").await.body;
    let supplier = found["items"][0].clone();
    let code = supplier["code"].as_str().unwrap_or_default().to_owned();
    assert_eq!(created.location, Some(format!("/suppliers?q={code}")));
    let id = supplier["id"].as_i64().unwrap_or_default();
    let mut change = with_csrf(fields("DE", "60"), &csrf);
    change.retain(|(n, _)| n != "version");
    change.push(("version".into(), supplier["version"].to_string()));
    let changed = post(&mut web, &format!("/suppliers/{id}"), change).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.html);
    assert_eq!(api.get(&format!("/api/v1/suppliers/{id}")).await.body["lead_time_days"].as_i64(), Some(60));
    let listed = web.get(&format!("/suppliers?q={code}")).await;
    assert_shows(&listed, "the suppliers list", &["Leybold Didactic", "60 days", &format!("/suppliers/{id}/edit")]);
    system.stop().await;
}
