use atq_platform::business_time::{local_date, now_micros};
use atq_tests::{Reply, TestSystem, seed_products};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn margins() -> Value {
    json!({"individual": "0.35", "dealer": "0.20", "project": "0.25"})
}

/// (cost_basis, price_net, price_gross) of a product's line for a group.
fn line(list: &Value, product_id: i64, group: &str) -> (String, i64, i64) {
    let found = list["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["product_id"] == product_id && l["customer_group"] == group)
        .unwrap_or_else(|| panic!("no line for product {product_id} and {group}: {list}"));
    (
        found["cost_basis"].as_str().unwrap_or_default().to_owned(),
        found["price_net"].as_i64().unwrap(),
        found["price_gross"].as_i64().unwrap(),
    )
}

/// One file of a workbook (a zip of XML files), as text.
fn workbook_part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut part = archive.by_name(name).unwrap_or_else(|_| panic!("{name} missing from the workbook"));
    let mut text = String::new();
    std::io::Read::read_to_string(&mut part, &mut text).unwrap();
    text
}

fn change<'a>(changes: &'a Value, product_id: i64, group: &str) -> &'a Value {
    changes["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["product_id"] == product_id && c["customer_group"] == group)
        .unwrap_or_else(|| panic!("no change for product {product_id} and {group}: {changes}"))
}

fn sorted_fields(reply: &Reply) -> Vec<String> {
    let mut fields = reply.error_fields();
    fields.sort();
    fields
}

#[tokio::test]
async fn price_sheet_is_drafted_compared_published_and_exported() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (viscometer, press) = (products.viscometer, products.filter_press);
    let officer = system.login("import").await;
    let today = local_date(now_micros()).to_string();

    let nothing_yet = officer.get("/api/v1/price-lists/current?group=dealer").await;
    assert_eq!(nothing_yet.status, StatusCode::NOT_FOUND, "{}", nothing_yet.body);

    // Draft 1: a given cost for the viscometer; the press has no stock, so its list price.
    let request = json!({"effective_on": today, "rounding_step": 1000, "margins": margins(),
        "costs": [{"product_id": viscometer, "unit_cost": 123_456_789}]});
    let first =
        officer.send(Method::POST, "/api/v1/price-lists", Some(request.clone()), &[("Idempotency-Key", "bbg-1")]).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let first_id = first.body["id"].as_i64().unwrap();
    assert_eq!(first.header("location"), Some(format!("/api/v1/price-lists/{first_id}").as_str()));
    assert_eq!(first.body["status"], "draft");
    assert!(first.body["number"].as_str().unwrap().starts_with("BBG-"), "{}", first.body);
    assert_eq!(first.body["margins"]["dealer"], "0.20");
    assert_eq!(first.body["lines"].as_array().unwrap().len(), 6, "two products x three groups");
    // 123,456,789 x 1.35 = 166,666,665.15 -> 166,667,000; + 10% VAT = 183,333,700
    assert_eq!(line(&first.body, viscometer, "individual"), ("given".into(), 166_667_000, 183_333_700));
    // x 1.20 = 148,148,146.8 -> 148,148,000; 162,962,800
    assert_eq!(line(&first.body, viscometer, "dealer"), ("given".into(), 148_148_000, 162_962_800));
    // x 1.25 = 154,320,986.25 -> 154,321,000; 169,753,100
    assert_eq!(line(&first.body, viscometer, "project"), ("given".into(), 154_321_000, 169_753_100));
    // 285,000,000 x 1.20 = 342,000,000; 376,200,000
    assert_eq!(line(&first.body, press, "dealer"), ("list_price".into(), 342_000_000, 376_200_000));
    let dealer_line = first.body["lines"].as_array().unwrap().iter().find(|l| l["customer_group"] == "dealer").unwrap();
    assert_eq!((dealer_line["unit_cost"].as_i64(), dealer_line["margin"].as_str()), (Some(123_456_789), Some("0.20")));
    assert_eq!(dealer_line["vat_rate"], "0.10");

    let replay =
        officer.send(Method::POST, "/api/v1/price-lists", Some(request), &[("Idempotency-Key", "bbg-1")]).await;
    assert_eq!(replay.body["id"], first_id, "the same key replays the first draft");

    // With nothing published, every product is new.
    let changes = officer.get(&format!("/api/v1/price-lists/{first_id}/changes")).await;
    assert_eq!(changes.status, StatusCode::OK, "{}", changes.body);
    assert_eq!(changes.body["against_id"], Value::Null);
    assert_eq!(changes.body["new_products"], json!([viscometer, press]));

    let published = officer.post(&format!("/api/v1/price-lists/{first_id}/publish"), json!({})).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    assert_eq!(
        (published.body["status"].as_str(), published.body["current"].as_bool()),
        (Some("published"), Some(true))
    );
    let etag = published.header("etag").unwrap().to_owned();
    // Publishing twice changes nothing, even with the ETag read before.
    let again = officer.post(&format!("/api/v1/price-lists/{first_id}/publish"), json!({})).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_eq!(again.body["published_at"], published.body["published_at"]);

    // Stock arrives for the press: its moving-average cost becomes the basis.
    let keeper = system.login("warehouse").await;
    let receipt = keeper
        .post(
            "/api/v1/stock/receipts",
            json!({"warehouse": "HN", "kind": "opening", "lines": [
            {"product_id": press, "quantity": 10, "unit_cost": 200_000_000}]}),
        )
        .await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);

    // Draft 2: the viscometer's cost changes.
    let second = officer
        .post(
            "/api/v1/price-lists",
            json!({"effective_on": today, "rounding_step": 1000, "margins": margins(),
            "costs": [{"product_id": viscometer, "unit_cost": 130_000_500}]}),
        )
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let second_id = second.body["id"].as_i64().unwrap();
    // 130,000,500 x 1.20 = 156,000,600 -> 156,001,000; 171,601,100
    assert_eq!(line(&second.body, viscometer, "dealer"), ("given".into(), 156_001_000, 171_601_100));
    // 200,000,000 x 1.20 = 240,000,000; 264,000,000
    assert_eq!(line(&second.body, press, "dealer"), ("average_cost".into(), 240_000_000, 264_000_000));

    let changes = officer.get(&format!("/api/v1/price-lists/{second_id}/changes")).await;
    assert_eq!(changes.status, StatusCode::OK, "{}", changes.body);
    assert_eq!(changes.body["against_id"], first_id);
    assert_eq!(
        (changes.body["new_products"].clone(), changes.body["dropped_products"].clone()),
        (json!([]), json!([]))
    );
    let dealer = change(&changes.body, viscometer, "dealer");
    assert_eq!(dealer["change"], "changed");
    assert_eq!((dealer["old_price"].as_i64(), dealer["new_price"].as_i64()), (Some(148_148_000), Some(156_001_000)));
    // 7,853,000 / 148,148,000 = 0.05300...
    assert_eq!((dealer["difference"].as_i64(), dealer["change_rate"].as_str()), (Some(7_853_000), Some("0.0530")));
    assert_eq!(dealer["percent_change"], "5.30");
    let individual = change(&changes.body, viscometer, "individual");
    assert_eq!(individual["difference"], 175_501_000 - 166_667_000);
    let press_dealer = change(&changes.body, press, "dealer");
    // -102,000,000 / 342,000,000 = -0.29824...
    assert_eq!(
        (press_dealer["difference"].as_i64(), press_dealer["change_rate"].as_str()),
        (Some(-102_000_000), Some("-0.2982"))
    );

    // A stale If-Match is refused and changes nothing.
    let stale = officer
        .send(Method::POST, &format!("/api/v1/price-lists/{second_id}/publish"), None, &[("If-Match", "\"7\"")])
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.body);
    let read = officer.get(&format!("/api/v1/price-lists/{second_id}")).await;
    assert_eq!(read.body["status"], "draft");
    let etag = read.header("etag").unwrap().to_owned();
    let published = officer
        .send(Method::POST, &format!("/api/v1/price-lists/{second_id}/publish"), None, &[("If-Match", &etag)])
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);

    let current = officer.get("/api/v1/price-lists/current?group=dealer").await;
    assert_eq!(current.status, StatusCode::OK, "{}", current.body);
    assert_eq!(current.body["id"], second_id);
    assert_eq!(current.body["lines"].as_array().unwrap().len(), 2, "dealer lines only");
    assert_eq!(line(&current.body, viscometer, "dealer"), ("given".into(), 156_001_000, 171_601_100));
    assert_eq!(line(&current.body, press, "dealer"), ("average_cost".into(), 240_000_000, 264_000_000));
    let first_now = officer.get(&format!("/api/v1/price-lists/{first_id}")).await;
    assert_eq!(
        (first_now.body["status"].as_str(), first_now.body["current"].as_bool()),
        (Some("published"), Some(false))
    );
    let published_list = officer.get("/api/v1/price-lists?status=published").await;
    assert_eq!(published_list.body["items"].as_array().unwrap().len(), 2);
    let drafts = officer.get("/api/v1/price-lists?status=draft").await;
    assert_eq!(drafts.body["items"], json!([]));

    // CSV for Excel: BOM, header, Vietnamese intact.
    let (status, headers, bytes) = officer.download("/api/v1/price-lists/current?group=dealer&format=csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(headers["content-disposition"].to_str().unwrap().contains(".csv"));
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 byte order mark");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows[0], "model_code,name_vi,brand,category,unit,price_net,vat_rate,price_gross");
    assert_eq!(rows[1], "Model 35SA,Máy đo độ nhớt,Fann,chemistry,bộ,156001000,0.10,171601100");
    assert_eq!(rows.len(), 3);
    let csv_name = headers["content-disposition"].to_str().unwrap().to_owned();

    // The same sheet as an Excel workbook: Vietnamese header, prices as numbers.
    let (status, headers, bytes) = officer.download("/api/v1/price-lists/current?group=dealer&format=xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert_eq!(disposition, csv_name.replace(".csv", ".xlsx"));
    assert!(
        disposition.starts_with("attachment; filename=\"bang-bao-gia-BBG-") && disposition.ends_with("-dealer.xlsx\"")
    );
    assert!(bytes.starts_with(b"PK\x03\x04"), "a zip container");
    let strings = workbook_part(&bytes, "xl/sharedStrings.xml");
    for text in ["Mã model", "Giá chưa VAT (VND)", "Model 35SA", "Máy đo độ nhớt"] {
        assert!(strings.contains(text), "{text} missing: {strings}");
    }
    let sheet = workbook_part(&bytes, "xl/worksheets/sheet1.xml");
    for value in ["<v>156001000</v>", "<v>0.1</v>", "<v>171601100</v>"] {
        assert!(sheet.contains(value), "{value} missing: {sheet}");
    }
    assert_eq!(sheet.matches("<row ").count(), 3, "header and two dealer lines: {sheet}");

    // Sales staff read the prices, never the costs.
    let sales = system.login("sales.hn").await;
    let seen = sales.get("/api/v1/price-lists/current?group=project").await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    let first_line = &seen.body["lines"][0];
    assert_eq!(
        (first_line["price_net"].as_i64(), first_line["price_gross"].as_i64()),
        (Some(162_501_000), Some(178_751_100))
    );
    for hidden in ["unit_cost", "cost_basis", "margin"] {
        assert!(first_line.get(hidden).is_none(), "{hidden} shown to sales: {first_line}");
    }
    assert!(seen.body.get("margins").is_none(), "{}", seen.body);
    let draft_for_sales = sales.get(&format!("/api/v1/price-lists/{second_id}")).await;
    assert_eq!(draft_for_sales.status, StatusCode::FORBIDDEN);
    let create_for_sales = sales
        .post(
            "/api/v1/price-lists",
            json!({"effective_on": today, "rounding_step": 1000,
        "margins": margins()}),
        )
        .await;
    assert_eq!(create_for_sales.status, StatusCode::FORBIDDEN);
    system.stop().await;
}

#[tokio::test]
async fn price_sheet_refuses_bad_input_and_writes_nothing() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let officer = system.login("import").await;
    let today = local_date(now_micros()).to_string();

    let bad = officer
        .post(
            "/api/v1/price-lists",
            json!({"effective_on": today, "rounding_step": 0,
            "margins": {"individual": "-0.10", "dealer": "0.20", "vip": "0.30"},
            "costs": [{"product_id": products.viscometer, "unit_cost": -5}, {"product_id": 999_999, "unit_cost": 100}],
            "product_ids": [products.viscometer, 999_999]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(
        sorted_fields(&bad),
        [
            "costs[0].unit_cost",
            "costs[1].product_id",
            "margins.individual",
            "margins.project",
            "margins.vip",
            "product_ids[1]",
            "rounding_step"
        ]
    );
    let unparsable = officer
        .post(
            "/api/v1/price-lists",
            json!({"effective_on": "2026-02-30", "rounding_step": 1000,
            "margins": {"individual": "35%", "dealer": "0.20", "project": "0.25"}}),
        )
        .await;
    assert_eq!(unparsable.status, StatusCode::BAD_REQUEST, "{}", unparsable.body);
    assert_eq!(sorted_fields(&unparsable), ["effective_on", "margins.individual"]);
    let unknown_group = officer.get("/api/v1/price-lists/current?group=vip").await;
    assert_eq!(unknown_group.status, StatusCode::BAD_REQUEST, "{}", unknown_group.body);
    assert_eq!(unknown_group.error_fields(), ["group"]);
    let pdf = officer.get("/api/v1/price-lists/current?group=dealer&format=pdf").await;
    assert_eq!(pdf.status, StatusCode::BAD_REQUEST, "{}", pdf.body);
    assert_eq!(pdf.error_fields(), ["format"]);

    let listed = officer.get("/api/v1/price-lists").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body["items"], json!([]), "nothing was written");
    let missing = officer.post("/api/v1/price-lists/424242/publish", json!({})).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
    system.stop().await;
}
