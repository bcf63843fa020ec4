use atq_tests::{TestSystem, customer, seed_products};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// A small but real PDF: what a scanner or a signing tool hands over.
fn signed_pdf(marker: &str) -> Vec<u8> {
    format!("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% {marker}\ntrailer << /Root 1 0 R >>\n%%EOF\n")
        .into_bytes()
}

#[tokio::test]
async fn a_contract_is_numbered_per_year_signed_with_its_pdf_and_orders_fall_under_it() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let rep = system.login("sales.hn").await;
    let university = rep.create_customer(customer("Đại học Bách khoa Hà Nội", "project", "HN")).await;

    let created = rep
        .post(
            "/api/v1/contracts",
            json!({"name": "Cung cấp thiết bị phòng thí nghiệm vật lý", "customer_id": university["id"],
            "made_on": "2026-03-02", "ends_on": "2027-03-01", "value": 2_450_000_000_i64, "responsible": "manager.hn"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["number"], "HD-2026-0001");
    assert_eq!(
        (created.body["status"].as_str(), created.body["customer_group"].as_str()),
        (Some("draft"), Some("project"))
    );
    assert_eq!(created.body["responsible"], "manager.hn");
    let path = created.header("location").unwrap().to_owned();
    let next = rep
        .post("/api/v1/contracts", json!({"name": "Bảo trì", "customer_id": university["id"], "made_on": "2025-12-30"}))
        .await;
    assert_eq!(next.body["number"], "HD-2025-0001", "each year has its own series");
    let third = rep
        .post("/api/v1/contracts", json!({"name": "Bổ sung", "customer_id": university["id"], "made_on": "2026-05-01"}))
        .await;
    assert_eq!(third.body["number"], "HD-2026-0002");

    let version = created.body["version"].as_i64().unwrap();
    let unsigned = rep.patch(&path, json!({"status": "signed"}), &format!("\"{version}\"")).await;
    assert_eq!(unsigned.status, StatusCode::CONFLICT, "no signing without the signed copy: {}", unsigned.body);

    let pdf = signed_pdf("ký ngày 02/03/2026");
    let uploaded = rep
        .send_raw(
            Method::POST,
            &format!("{path}/files?file_name=HD-2026-0001 đã ký.pdf"),
            "application/pdf",
            pdf.clone(),
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    assert_eq!(
        (uploaded.body["size"].as_u64(), uploaded.body["content_type"].as_str()),
        (Some(pdf.len() as u64), Some("application/pdf"))
    );
    let again =
        rep.send_raw(Method::POST, &format!("{path}/files?file_name=copy.pdf"), "application/pdf", pdf.clone()).await;
    assert_eq!(again.body["id"], uploaded.body["id"], "the same file is kept once");
    let files = rep.get(&format!("{path}/files")).await;
    assert_eq!(files.body.as_array().unwrap().len(), 1);

    let href = uploaded.body["href"].as_str().unwrap();
    let (status, headers, bytes) = system.login("director").await.download(href).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, pdf, "the download is the very file uploaded");
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''HD-2026-0001%20%C4%91%C3%A3%20k%C3%BD.pdf")
    );

    let current = rep.get(&path).await;
    let signed = rep.patch(&path, json!({"status": "signed"}), current.header("etag").unwrap()).await;
    assert_eq!((signed.status, signed.body["status"].as_str()), (StatusCode::OK, Some("signed")), "{}", signed.body);
    let stale = rep.patch(&path, json!({"note": "muộn"}), current.header("etag").unwrap()).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "a stale edit changes nothing");

    let draft_path = next.header("location").unwrap();
    let under_draft = rep
        .post(
            "/api/v1/orders",
            json!({"customer_id": university["id"], "contract_id": next.body["id"],
            "lines": [{"product_id": products.filter_press, "quantity": 1}]}),
        )
        .await;
    assert_eq!(under_draft.error_fields(), ["contract_id"], "{draft_path}: orders fall under signed contracts only");
    let order = rep
        .post(
            "/api/v1/orders",
            json!({"customer_id": university["id"], "contract_id": created.body["id"],
            "lines": [{"product_id": products.filter_press, "quantity": 1}]}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    assert_eq!(order.body["contract_number"], "HD-2026-0001");

    let listed = rep.get(&format!("/api/v1/contracts?customer_id={}&status=signed", university["id"])).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    let elsewhere = system.login("sales.hcm").await;
    assert_eq!(elsewhere.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(elsewhere.download(href).await.0, StatusCode::NOT_FOUND, "another office's papers stay hidden");
    system.stop().await;
}

#[tokio::test]
async fn bad_contracts_and_files_are_refused_with_the_reason() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.dl").await;
    let dealer = rep.create_customer(customer("Công ty TNHH Thiết bị Lâm Đồng", "dealer", "DL")).await;

    let bad = rep
        .post(
            "/api/v1/contracts",
            json!({"name": " ", "customer_id": dealer["id"], "made_on": "2026-06-01",
            "ends_on": "2026-05-01", "value": -1, "responsible": "nobody.here"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(bad.error_fields(), ["responsible"], "an unknown employee is named first");
    let bad = rep
        .post(
            "/api/v1/contracts",
            json!({"name": " ", "customer_id": dealer["id"], "made_on": "2026-06-01",
            "ends_on": "2026-05-01", "value": -1}),
        )
        .await;
    assert_eq!(bad.error_fields(), ["name", "ends_on", "value"]);
    assert_eq!(rep.get("/api/v1/contracts").await.body["items"].as_array().unwrap().len(), 0, "nothing half-written");

    let created = rep.post("/api/v1/contracts", json!({"name": "Đại lý 2026", "customer_id": dealer["id"]})).await;
    let path = created.header("location").unwrap().to_owned();
    let exe = rep
        .send_raw(
            Method::POST,
            &format!("{path}/files?file_name=hd.pdf"),
            "application/pdf",
            b"MZ\x90\x00 not a pdf".to_vec(),
        )
        .await;
    assert_eq!((exe.status, exe.error_fields()), (StatusCode::BAD_REQUEST, vec!["file".to_owned()]));
    let nameless = rep.send_raw(Method::POST, &format!("{path}/files"), "application/pdf", signed_pdf("x")).await;
    assert_eq!(nameless.error_fields(), ["file_name"]);
    let mut huge = signed_pdf("big");
    huge.resize(11 * 1024 * 1024, b' ');
    let too_big = rep.send_raw(Method::POST, &format!("{path}/files?file_name=big.pdf"), "application/pdf", huge).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", too_big.body);
    assert_eq!(rep.get(&path).await.body["files"].as_array().unwrap().len(), 0);

    let etag = rep.get(&path).await.header("etag").unwrap().to_owned();
    let skipped = rep.patch(&path, json!({"status": "completed"}), &etag).await;
    assert_eq!(skipped.status, StatusCode::CONFLICT, "a draft is signed before it is completed");
    let unknown = rep.patch(&path, json!({"status": "archived"}), &etag).await;
    assert_eq!(unknown.error_fields(), ["status"]);
    let cancelled = rep.patch(&path, json!({"status": "cancelled"}), &etag).await;
    assert_eq!(cancelled.body["status"], "cancelled");
    let keeper = system.login("warehouse").await;
    let by_keeper = keeper.post("/api/v1/contracts", json!({"name": "x", "customer_id": dealer["id"]})).await;
    assert_eq!(by_keeper.status, StatusCode::FORBIDDEN, "contracts are the sales staff's to make");
    system.stop().await;
}
