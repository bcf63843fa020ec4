//! Import plans timed to project schedules, supplier orders through to receipt, and the
//! promises that follow the supplier's dates. Dates are counted from today (business time).

use atq_tests::advance_purchase_order as advance;
use atq_tests::dates::{minus, plus, today};
use atq_tests::{TestSystem, customer, eventually, load_eur_rate_and_duty, seed_products};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The seeded supplier's lead time, and the default customs/transport buffer.
const LEAD: u64 = 42;
const BUFFER: u64 = 14;

fn milestone(plan: &Value, line_no: i64, milestone_no: i64) -> &Value {
    let line = plan["lines"].as_array().unwrap().iter().find(|l| l["line_no"] == line_no).unwrap();
    line["milestones"].as_array().unwrap().iter().find(|m| m["milestone_no"] == milestone_no).unwrap()
}

fn covered(milestone: &Value) -> Vec<(String, i64)> {
    milestone["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["source"].as_str().unwrap().to_owned(), c["quantity"].as_i64().unwrap()))
        .collect()
}

#[tokio::test]
async fn a_project_contract_with_two_milestones_is_netted_timed_and_re_planned() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (press, viscometer) = (products.filter_press, products.viscometer);
    let officer = system.login("import").await;
    let supplier_id = products.supplier_id;
    let terms = officer
        .send(
            Method::PUT,
            "/api/v1/supply-terms",
            Some(json!({"terms": [{"product_id": press, "min_order_quantity": 5, "pack_size": 5}]})),
            &[],
        )
        .await;
    assert_eq!(terms.status, StatusCode::OK, "{}", terms.body);

    // Three presses in stock, four on a confirmed supplier order expected in 20 + 14 days.
    let keeper = system.login("warehouse").await;
    let receipt = keeper
        .post(
            "/api/v1/stock/receipts",
            json!({"warehouse": "HCM", "kind": "purchase",
            "lines": [{"product_id": press, "quantity": 3, "unit_cost": 200_000_000}]}),
        )
        .await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    let order = officer
        .post(
            "/api/v1/purchase-orders",
            json!({"supplier_id": supplier_id,
            "lines": [{"product_id": press, "quantity": 4, "unit_price": 750_000}]}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    advance(&officer, &order.body, json!({"action": "send"})).await;
    let confirmed = advance(&officer, &order.body, json!({"action": "confirm", "ship_date": plus(20)})).await;
    assert_eq!(confirmed["expected_on"], plus(20 + BUFFER));
    let po_number = confirmed["number"].as_str().unwrap().to_owned();

    let rep = system.login("sales.hn").await;
    let contract = json!({"source_ref": "HD-2026-0901", "customer_name": "Trường THPT Chu Văn An", "office": "HN",
    "lines": [
        {"line_no": 1, "product_id": press, "milestones": [
            {"needed_by": plus(30), "quantity": 3}, {"needed_by": plus(90), "quantity": 10}]},
        {"line_no": 2, "product_id": viscometer, "milestones": [{"needed_by": plus(20), "quantity": 1}]},
    ]});
    let planned = rep.post("/api/v1/import-plans", contract.clone()).await;
    assert_eq!(planned.status, StatusCode::OK, "{}", planned.body);
    let plan = &planned.body;
    assert_eq!(plan["status"], "late", "the viscometer cannot arrive in 20 days");

    let first = milestone(plan, 1, 1);
    assert_eq!((first["late"].as_bool(), &first["promise_date"]), (Some(false), &json!(today().to_string())));
    assert_eq!(covered(first), [("stock".to_owned(), 3)]);
    let second = milestone(plan, 1, 2);
    assert_eq!(covered(second), [("purchase_order".to_owned(), 4), ("proposal".to_owned(), 6)]);
    assert_eq!(second["coverage"][0]["reference"], po_number.as_str());
    assert_eq!((second["late"].as_bool(), &second["promise_date"]), (Some(false), &json!(plus(90))));
    let flagged = milestone(plan, 2, 1);
    assert_eq!(flagged["late"], true);
    assert_eq!(flagged["promise_date"], plus(LEAD + BUFFER));
    let reason = flagged["reason"].as_str().unwrap();
    assert!(reason.contains("has passed") && reason.contains(&minus(LEAD + BUFFER - 20)), "{reason}");

    // What to order: six presses short, raised to two packs of five, by needed-by - 42 - 14.
    let proposals = officer.get(&format!("/api/v1/import-plans/proposals?supplier_id={supplier_id}")).await;
    assert_eq!(proposals.status, StatusCode::OK, "{}", proposals.body);
    let lines = proposals.body["items"][0]["lines"].as_array().unwrap().clone();
    let press_line = lines.iter().find(|l| l["product_id"] == press).unwrap();
    assert_eq!((press_line["quantity"].as_i64(), press_line["shortfall"].as_i64()), (Some(10), Some(6)));
    assert_eq!(press_line["order_by"], plus(90 - LEAD - BUFFER));
    let late_line = lines.iter().find(|l| l["product_id"] == viscometer).unwrap();
    assert_eq!(late_line["order_by"], minus(LEAD + BUFFER - 20));
    assert_eq!(proposals.body["items"][0]["order_by"], minus(LEAD + BUFFER - 20), "the most urgent line first");

    // The same schedule again moves nothing.
    let again = rep.post("/api/v1/import-plans", contract.clone()).await;
    assert_eq!(again.body["revision"], plan["revision"], "{}", again.body);

    // The site is a month late: the second milestone moves, and the plan says so.
    let mut moved = contract.clone();
    moved["lines"][0]["milestones"][1]["needed_by"] = json!(plus(120));
    let replanned = rep.post("/api/v1/import-plans", moved).await;
    assert_eq!(replanned.status, StatusCode::OK, "{}", replanned.body);
    assert_eq!(replanned.body["revision"].as_i64(), plan["revision"].as_i64().map(|r| r + 1));
    let changes = replanned.body["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!((changes[0]["line_no"].as_i64(), changes[0]["change"].as_str()), (Some(1), Some("moved")));
    assert_eq!((&changes[0]["old_needed_by"], &changes[0]["new_needed_by"]), (&json!(plus(90)), &json!(plus(120))));
    assert_eq!(changes[0]["new_promise_date"], plus(120));
    let proposals = officer.get(&format!("/api/v1/import-plans/proposals?supplier_id={supplier_id}")).await;
    let press_line =
        proposals.body["items"][0]["lines"].as_array().unwrap().iter().find(|l| l["product_id"] == press).cloned();
    assert_eq!(press_line.unwrap()["order_by"], plus(120 - LEAD - BUFFER));

    let listed = officer.get("/api/v1/import-plans?status=late").await;
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1), "{}", listed.body);

    // Bad schedules are named field by field and change nothing.
    let bad = rep
        .post(
            "/api/v1/import-plans",
            json!({"source_ref": "HD-2026-0901", "lines": [
            {"line_no": 1, "product_id": press, "milestones": [{"needed_by": "2027-02-30", "quantity": 0}]}]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    let plan_path = format!("/api/v1/import-plans/{}", plan["id"]);
    let kept = officer.get(&plan_path).await;
    assert_eq!(kept.body["revision"], replanned.body["revision"]);

    // A dealer takes the three presses in stock: the first milestone now waits for the supplier
    // order, and the plan follows without being asked.
    let dealer = rep.create_customer(customer("Công ty TNHH Minh Phát", "dealer", "HN")).await;
    let sale = rep
        .post(
            "/api/v1/orders",
            json!({"customer_id": dealer["id"], "warehouse": "HCM",
            "lines": [{"product_id": press, "quantity": 3}]}),
        )
        .await;
    assert_eq!(sale.status, StatusCode::CREATED, "{}", sale.body);
    let confirmed = rep.post(&format!("/api/v1/orders/{}/confirm", sale.body["id"]), json!({})).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    eventually("the plan to follow the stock", || async {
        let plan = officer.get(&plan_path).await.body;
        milestone(&plan, 1, 1)["late"] == true
    })
    .await;
    let followed = officer.get(&plan_path).await.body;
    let first = milestone(&followed, 1, 1);
    assert_eq!(covered(first), [("purchase_order".to_owned(), 3)]);
    assert_eq!(first["promise_date"], plus(20 + BUFFER));
    assert!(first["reason"].as_str().unwrap().contains(&po_number), "{}", first["reason"]);
}

#[tokio::test]
async fn a_supplier_order_late_then_received_serves_the_waiting_project_order() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let press = products.filter_press;
    let officer = system.login("import").await;
    let supplier_id = products.supplier_id;
    load_eur_rate_and_duty(&system, &today().to_string()).await;

    // A project order for six presses, none in stock: it waits, and planning takes it up.
    let rep = system.login("sales.hn").await;
    let school = rep.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    let created = rep
        .post(
            "/api/v1/orders",
            json!({"customer_id": school["id"], "warehouse": "HCM",
            "lines": [{"product_id": press, "quantity": 6, "delivery_date": plus(60)}]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let order_path = format!("/api/v1/orders/{}", created.body["id"]);
    let confirmed = rep.post(&format!("{order_path}/confirm"), json!({})).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let order_number = confirmed.body["number"].as_str().unwrap().to_owned();

    let find_plan = || async {
        let plans = officer.get("/api/v1/import-plans").await.body;
        plans["items"]
            .as_array()
            .and_then(|items| items.iter().find(|p| p["order_ref"] == order_number.as_str()).cloned())
    };
    eventually("the confirmed project order to be planned", || async { find_plan().await.is_some() }).await;
    let plan = find_plan().await.unwrap();
    let plan_path = format!("/api/v1/import-plans/{}", plan["id"]);
    let proposals = officer.get(&format!("/api/v1/import-plans/proposals?supplier_id={supplier_id}")).await;
    let line = &proposals.body["items"][0]["lines"][0];
    assert_eq!((line["quantity"].as_i64(), &line["order_by"]), (Some(6), &json!(plus(60 - LEAD - BUFFER))));

    // The officer orders what the plan proposes, at the supplier's price.
    let order = officer
        .post(
            "/api/v1/purchase-orders",
            json!({"supplier_id": supplier_id, "from_proposals": true,
            "lines": [{"product_id": press, "unit_price": 750_000}]}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    assert_eq!(order.body["lines"][0]["quantity"], 6);
    assert_eq!(order.body["order_by"], plus(60 - LEAD - BUFFER));
    let po_number = order.body["number"].as_str().unwrap().to_owned();
    let proposals = officer.get(&format!("/api/v1/import-plans/proposals?supplier_id={supplier_id}")).await;
    assert_eq!(proposals.body["items"], json!([]), "ordered: nothing left to propose");
    advance(&officer, &order.body, json!({"action": "send"})).await;
    advance(&officer, &order.body, json!({"action": "confirm", "ship_date": plus(10)})).await;
    let on_time = officer.get(&plan_path).await.body;
    assert_eq!(milestone(&on_time, 1, 1)["promise_date"], plus(10 + BUFFER));
    assert_eq!(milestone(&on_time, 1, 1)["late"], false);

    // The ship sails late: arrival after the site needs the goods moves the promise, and sales
    // sees it on the order.
    let shipped = advance(&officer, &order.body, json!({"action": "ship", "arrival_date": plus(75)})).await;
    assert_eq!(shipped["expected_on"], plus(75));
    let late = officer.get(&plan_path).await.body;
    let m = milestone(&late, 1, 1);
    assert_eq!((m["late"].as_bool(), &m["promise_date"]), (Some(true), &json!(plus(75))));
    assert!(m["reason"].as_str().unwrap().contains(&po_number), "{}", m["reason"]);
    assert_eq!(late["status"], "late");
    eventually("sales to show the moved promise on the order", || async {
        let order = rep.get(&order_path).await.body;
        order["lines"][0]["promised_on"] == plus(75)
            && order["lines"][0]["supply_note"].as_str().is_some_and(|n| n.contains(&po_number))
    })
    .await;

    // Cleared and received at landed cost: the goods go to the waiting order.
    let cleared = advance(&officer, &order.body, json!({"action": "clear"})).await;
    let early = officer
        .post(
            &format!("/api/v1/purchase-orders/{}/receive", order.body["id"]),
            json!({"charges": [
            {"kind": "freight", "amount": 60_000, "currency": "EUR"}]}),
        )
        .await;
    assert_eq!(early.status, StatusCode::OK, "{}", early.body);
    assert_eq!(cleared["status"], "cleared");
    let received = early.body;
    assert_eq!(received["status"], "received");
    assert!(received["receipt_number"].as_str().unwrap().starts_with("PN-"), "{received}");
    // 6 x 7,500.00 EUR + 600.00 EUR freight at 27,450.5, duty 5% on CIF: 1,297,036,125 VND.
    let goods_and_freight: i64 = (4_500_000 + 60_000) * 274_505 / 1000;
    let duty = (goods_and_freight * 5 + 50) / 100;
    assert_eq!(received["landed_total"].as_i64(), Some(goods_and_freight + duty));
    let unit = received["lines"][0]["landed_unit_cost"].as_i64().unwrap();
    assert_eq!(unit, ((goods_and_freight + duty) * 2 + 6) / 12, "rounded half up to the đồng");
    let again = officer.post(&format!("/api/v1/purchase-orders/{}/receive", order.body["id"]), json!({})).await;
    assert_eq!(again.body["receipt_number"], received["receipt_number"], "a retry receives nothing twice");

    eventually("the received presses to reach the project order", || async {
        let order = rep.get(&order_path).await.body;
        order["lines"][0]["reserved"] == 6 && order["lines"][0]["backordered"] == 0
    })
    .await;
    let stock = officer.get(&format!("/api/v1/stock?product_id={press}&warehouse=HCM")).await;
    let level = &stock.body["items"][0];
    assert_eq!((level["on_hand"].as_i64(), level["reserved"].as_i64()), (Some(6), Some(6)), "{}", stock.body);
    assert_eq!(level["average_unit_cost"].as_i64(), Some(unit), "the moving average is the landed cost");
    // The plan is re-planned from the warehouse's feed, after the order shows its units.
    eventually("the plan to show the milestone covered by the reservation", || async {
        let done = officer.get(&plan_path).await.body;
        covered(milestone(&done, 1, 1)) == [("reserved".to_owned(), 6)]
    })
    .await;
    let done = officer.get(&plan_path).await.body;
    let m = milestone(&done, 1, 1);
    assert_eq!((m["late"].as_bool(), done["status"].as_str()), (Some(false), Some("open")));
    system.assert_books_agree().await;
}

#[tokio::test]
async fn two_clerks_receiving_one_supplier_order_take_the_goods_in_once() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let press = products.filter_press;
    let officer = system.login("import").await;
    let supplier_id = products.supplier_id;
    load_eur_rate_and_duty(&system, &today().to_string()).await;
    let order = officer
        .post(
            "/api/v1/purchase-orders",
            json!({"supplier_id": supplier_id, "warehouse": "DL",
            "lines": [{"product_id": press, "quantity": 5, "unit_price": 750_000}]}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let refused = officer.post(&format!("/api/v1/purchase-orders/{}/receive", order.body["id"]), json!({})).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "a draft cannot be received: {}", refused.body);
    let unpriced = advance(&officer, &order.body, json!({"action": "send"})).await;
    advance(&officer, &unpriced, json!({"action": "confirm", "ship_date": plus(5)})).await;
    advance(&officer, &unpriced, json!({"action": "ship", "arrival_date": plus(20)})).await;
    advance(&officer, &unpriced, json!({"action": "clear"})).await;

    let keeper = system.login("warehouse").await;
    let path = format!("/api/v1/purchase-orders/{}/receive", order.body["id"]);
    let wrong = keeper.post(&path, json!({"lines": [{"line_no": 1, "serials": ["X1"]}, {"line_no": 9}]})).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.body);
    assert_eq!(wrong.error_fields(), ["lines[0].serials", "lines[1].line_no"], "{}", wrong.body);
    let still = officer.get(&format!("/api/v1/purchase-orders/{}", order.body["id"])).await;
    assert_eq!(still.body["status"], "cleared", "a refused receipt changes nothing");
    let body = json!({"charges": [{"kind": "freight", "amount": 10_000, "currency": "EUR"}]});
    let (first, second) = tokio::join!(keeper.post(&path, body.clone()), officer.post(&path, body));
    assert_eq!((first.status, second.status), (StatusCode::OK, StatusCode::OK), "{} / {}", first.body, second.body);
    assert_eq!(first.body["receipt_number"], second.body["receipt_number"]);
    assert_eq!(first.body["landed_total"], Value::Null, "the warehouse keeper does not see costs");
    assert_eq!(first.body["lines"][0]["unit_price"], Value::Null);
    assert!(second.body["landed_total"].as_i64().is_some_and(|total| total > 0), "{}", second.body);
    let stock = officer.get(&format!("/api/v1/stock?product_id={press}&warehouse=DL")).await;
    assert_eq!(stock.body["items"][0]["on_hand"], 5, "taken in once: {}", stock.body);

    // Regular stock below its reorder point calls for a replenishment, up to twice the point.
    let terms = officer
        .send(
            Method::PUT,
            "/api/v1/supply-terms",
            Some(json!({"terms": [{"product_id": press, "reorder_point": 8}]})),
            &[],
        )
        .await;
    assert_eq!(terms.status, StatusCode::OK, "{}", terms.body);
    let proposals = officer.get(&format!("/api/v1/import-plans/proposals?supplier_id={supplier_id}")).await;
    let line = &proposals.body["items"][0]["lines"][0];
    assert_eq!((line["reason"].as_str(), line["quantity"].as_i64()), (Some("reorder"), Some(11)), "{}", proposals.body);
    assert_eq!((&line["order_by"], &line["expected_on"]), (&json!(today().to_string()), &json!(plus(LEAD + BUFFER))));
    system.assert_books_agree().await;
}

#[tokio::test]
async fn orders_under_a_planned_contract_join_its_plan_and_show_its_promise() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let press = products.filter_press;
    let rep = system.login("sales.hn").await;
    let school = rep.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    let contract = rep
        .post(
            "/api/v1/contracts",
            json!({"name": "Thiết bị phòng thí nghiệm hóa", "customer_id": school["id"],
            "made_on": today().to_string(), "responsible": "manager.hn"}),
        )
        .await;
    assert_eq!(contract.status, StatusCode::CREATED, "{}", contract.body);
    let path = contract.header("location").unwrap().to_owned();
    let pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let file = rep.send_raw(Method::POST, &format!("{path}/files?file_name=hd.pdf"), "application/pdf", pdf).await;
    assert_eq!(file.status, StatusCode::CREATED, "{}", file.body);
    let version = rep.get(&path).await.body["version"].as_i64().unwrap();
    let signed = rep.patch(&path, json!({"status": "signed"}), &format!("\"{version}\"")).await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    let number = contract.body["number"].as_str().unwrap().to_owned();

    // The contract's schedule, planned ahead: two milestones, its own line numbering.
    let planned = rep
        .post(
            "/api/v1/import-plans",
            json!({"source_ref": number, "customer_id": school["id"],
            "lines": [{"line_no": 7, "product_id": press, "milestones": [
                {"needed_by": plus(80), "quantity": 2}, {"needed_by": plus(120), "quantity": 3}]}]}),
        )
        .await;
    assert_eq!(planned.status, StatusCode::OK, "{}", planned.body);
    let plan_path = format!("/api/v1/import-plans/{}", planned.body["id"]);

    // The first delivery is ordered under the contract: it joins the plan rather than making one.
    let order = rep
        .post(
            "/api/v1/orders",
            json!({"customer_id": school["id"], "contract_id": contract.body["id"],
            "lines": [{"product_id": press, "quantity": 2, "delivery_date": plus(80)}]}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let order_path = format!("/api/v1/orders/{}", order.body["id"]);
    let confirmed = rep.post(&format!("{order_path}/confirm"), json!({})).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let plan_number = planned.body["number"].as_str().unwrap().to_owned();
    eventually("the order to show its contract's plan", || async {
        let order = rep.get(&order_path).await.body;
        order["import_plan_number"] == plan_number.as_str() && order["lines"][0]["promised_on"] == plus(120)
    })
    .await;
    let plans = rep.get("/api/v1/import-plans").await;
    assert_eq!(plans.body["items"].as_array().map(Vec::len), Some(1), "no second plan: {}", plans.body);
    let plan = rep.get(&plan_path).await.body;
    assert_eq!(plan["revision"].as_i64(), planned.body["revision"].as_i64().map(|r| r + 1), "joining is a revision");

    // Cancelling the order leaves the contract's plan open: the next order joins it again.
    let cancelled = rep.post(&format!("{order_path}/cancel"), json!({})).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let next = rep
        .post(
            "/api/v1/orders",
            json!({"customer_id": school["id"], "contract_id": contract.body["id"],
            "lines": [{"product_id": press, "quantity": 5, "delivery_date": plus(120)}]}),
        )
        .await;
    let next_path = format!("/api/v1/orders/{}", next.body["id"]);
    let confirmed = rep.post(&format!("{next_path}/confirm"), json!({})).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    eventually("the next order to join the same plan", || async {
        rep.get(&next_path).await.body["import_plan_number"] == plan_number.as_str()
    })
    .await;
    let plan = rep.get(&plan_path).await.body;
    assert_ne!(plan["status"], "closed");
    assert_eq!(rep.get("/api/v1/import-plans").await.body["items"].as_array().map(Vec::len), Some(1));
}
