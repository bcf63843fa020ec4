//! The authorization matrix, generated from the gateway's policy table (`atq_gateway::policy`):
//! every operation the API serves, called by every human role, on objects of the caller's own
//! office and, where the row says the object belongs to an office, of another office too.
//!
//! What each case must answer:
//! - the role may not do the row's action: exactly `403`;
//! - it may: never `401` or `403`, never a `5xx` (a minimal body is refused as `400`, a missing
//!   object is `404`, a state that does not allow the step is `409`: all fine here);
//! - an office-scoped object of another office, asked for by sales staff: exactly `404`, the
//!   answer for an object that does not exist, so ids of other offices cannot be probed.

use std::collections::HashMap;

use atq_gateway::policy::{self, Need, Rule, Scope};
use atq_platform::Role;
use atq_tests::{Reply, Session, TestProducts, TestSystem, customer, dates, seed_products};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// An id no object has: allowed callers are answered `404`, refused ones still `403`.
const MISSING: i64 = 9_000_001;

/// The demo user who plays each human role; sales staff work in Hà Nội.
fn user_of(role: Role) -> &'static str {
    match role {
        Role::SalesRep => "sales.hn",
        Role::SalesManager => "manager.hn",
        Role::ImportOfficer => "import",
        Role::Accountant => "accountant",
        Role::WarehouseKeeper => "warehouse",
        Role::Director => "director",
        Role::Admin => "admin",
        Role::Service => unreachable!("people never sign in as a service"),
    }
}

/// The objects of one office, by the collection their path starts with (`orders`, `customers`).
#[derive(Default)]
struct OfficeObjects {
    ids: HashMap<&'static str, i64>,
}

impl OfficeObjects {
    fn insert(&mut self, collection: &'static str, reply: &Reply) {
        let id = reply.body["id"].as_i64().unwrap_or_else(|| panic!("{collection}: {} {}", reply.status, reply.body));
        self.ids.insert(collection, id);
    }

    fn customer(&self) -> i64 {
        self.ids["customers"]
    }
}

/// Creates one of each office-scoped object in `office`, as that office's sales rep (and, for
/// what sales staff may not do themselves, as the department that does it).
async fn seed_office(system: &TestSystem, products: &TestProducts, rep: &str, office: &str) -> OfficeObjects {
    let rep = system.login(rep).await;
    let mut objects = OfficeObjects::default();
    let school = rep.post("/api/v1/customers", customer(&format!("Trường THPT Ma Trận {office}"), "project", office));
    objects.insert("customers", &school.await);
    let order_number = ship_one_order(system, products, &rep, office, &mut objects).await;
    seed_sales_records(&rep, products, office, &mut objects).await;
    seed_back_office(system, &rep, (office, &order_number), &mut objects).await;
    objects
}

/// Quotes, contracts, opportunities, activities, requests, leads and contacts.
async fn seed_sales_records(rep: &Session, products: &TestProducts, office: &str, objects: &mut OfficeObjects) {
    let customer_id = objects.customer();
    let line = json!([{"product_id": products.filter_press, "quantity": 1}]);
    let quote = rep.post("/api/v1/quotes", json!({"customer_id": customer_id, "lines": line})).await;
    objects.insert("quotes", &quote);
    let contract = json!({"name": "Thiết bị phòng thí nghiệm", "customer_id": customer_id, "made_on": dates::plus(0)});
    objects.insert("contracts", &rep.post("/api/v1/contracts", contract).await);
    let opportunity = json!({"customer_id": customer_id, "title": "Phòng thí nghiệm vật lý",
        "expected_value": 500_000_000, "expected_close_on": dates::plus(30)});
    objects.insert("opportunities", &rep.post("/api/v1/opportunities", opportunity).await);
    let activity = json!({"kind": "call", "subject": "Gọi nhắc báo giá", "customer_id": customer_id,
        "planned_at": format!("{}T09:00:00+07:00", dates::plus(1)), "duration_minutes": 15});
    objects.insert("activities", &rep.post("/api/v1/activities", activity).await);
    let request = json!({"customer_id": customer_id, "channel": "phone", "kind": "quality", "priority": "high",
        "subject": "Máy đo báo sai"});
    objects.insert("requests", &rep.post("/api/v1/requests", request).await);
    let lead = json!({"name": "Anh Phúc (hội chợ)", "company": "Công ty Phúc Thịnh", "contact_name": "Lê Văn Phúc",
        "group": "project", "source": "exhibition", "office": office, "phone": "0903111222",
        "address": "15 Nguyễn Huệ"});
    objects.insert("leads", &rep.post("/api/v1/leads", lead).await);
    let contact = rep.post(&format!("/api/v1/customers/{customer_id}/contacts"), json!({"name": "Cô Lan"})).await;
    objects.insert("contacts", &contact);
    let week = dates::today().format("%G-W%V").to_string();
    let report = rep.send(Method::PUT, &format!("/api/v1/sales-reports/weekly/{week}"), Some(json!({})), &[]).await;
    objects.insert("sales-reports", &report);
}

/// A return and a warranty case of the shipped goods, an import plan for the order, a care
/// campaign of the office and a dealer application.
async fn seed_back_office(
    system: &TestSystem,
    rep: &Session,
    (office, order): (&str, &str),
    objects: &mut OfficeObjects,
) {
    let accountant = system.login("accountant").await;
    let returned = json!({"invoice_id": objects.ids["invoices"], "reason": "Khách đổi ý",
        "lines": [{"invoice_line_no": 1, "quantity": 1, "condition": "good"}]});
    let key = [("Idempotency-Key", office)];
    objects.insert("returns", &accountant.send(Method::POST, "/api/v1/returns", Some(returned), &key).await);
    let officer = system.login("import").await;
    let case = json!({"serial": format!("FN-{office}"), "complaint": "Máy không lên nguồn"});
    objects.insert("warranty-cases", &officer.send(Method::POST, "/api/v1/warranty-cases", Some(case), &key).await);
    let plan = json!({"source_ref": order, "customer_name": "Dự án phòng thí nghiệm", "office": office,
        "lines": [{"line_no": 1, "product_id": objects.ids["products"],
            "milestones": [{"needed_by": dates::plus(90), "quantity": 1}]}]});
    objects.insert("import-plans", &rep.post("/api/v1/import-plans", plan).await);
    let campaign = json!({"name": "Gọi hỏi thăm", "kind": "satisfaction_call", "offices": [office],
        "starts_on": dates::plus(0), "ends_on": dates::plus(0), "cost": 0});
    objects.insert("campaigns", &system.login("director").await.post("/api/v1/campaigns", campaign).await);
    let promotion = json!({"code": format!("KM-{office}"), "name": "Giảm 5%", "offices": [office],
        "starts_on": dates::plus(0), "ends_on": dates::plus(30), "stackable": true,
        "rule": {"kind": "percent_off", "percent": "0.05"}});
    objects.insert("promotions", &system.login("director").await.post("/api/v1/promotions", promotion).await);
    let year = dates::today().format("%Y").to_string().parse::<i64>().unwrap_or(2026);
    let figures = |year: i64| {
        json!({"year": year, "revenue": 10_000_000_000_i64, "lab_sales": 6_000_000_000_i64,
            "big_brand_share_bp": 3500, "small_brand_share_bp": 6500, "staff": 10, "shops": 2})
    };
    let application = json!({"prospect": {"name": format!("Đại lý {office}"), "phone": "0912345678",
        "address": "45 Phố Huế"}, "region": "Miền Bắc", "proposed_tier": "tier1",
        "years": [figures(year - 2), figures(year - 1)]});
    objects.insert("dealer-applications", &rep.post("/api/v1/dealer-applications", application).await);
}

/// Receives stock in the office's warehouse, then orders, confirms, dispatches and ships a
/// filter press and a viscometer (serial `FN-<office>`) to the customer; records the order, its
/// dispatch order and its invoice, and answers the order's number.
async fn ship_one_order(
    system: &TestSystem,
    products: &TestProducts,
    rep: &Session,
    office: &str,
    objects: &mut OfficeObjects,
) -> String {
    let keeper = system.login("warehouse").await;
    let serial = format!("FN-{office}");
    let receipt = json!({"warehouse": office, "kind": "purchase", "reference": format!("INV-{office}"), "lines": [
        {"product_id": products.filter_press, "quantity": 1, "unit_cost": 100_000},
        {"product_id": products.viscometer, "quantity": 1, "unit_cost": 250_000_000, "serials": [serial]}]});
    let received = keeper.post("/api/v1/stock/receipts", receipt).await;
    assert_eq!(received.status, StatusCode::CREATED, "{}", received.body);
    let lines = json!([{"product_id": products.filter_press, "quantity": 1},
        {"product_id": products.viscometer, "quantity": 1}]);
    let order = rep.post("/api/v1/orders", json!({"customer_id": objects.customer(), "lines": lines})).await;
    objects.insert("orders", &order);
    objects.ids.insert("products", products.filter_press);
    let number = order.body["number"].as_str().expect("the order's number").to_owned();
    let order = format!("/api/v1/orders/{}", objects.ids["orders"]);
    let confirmed = rep.post(&format!("{order}/confirm"), json!({})).await;
    assert_eq!(confirmed.body["status"], "confirmed", "{}", confirmed.body);
    let dispatch = rep.post(&format!("{order}/dispatch-orders"), json!({})).await;
    objects.insert("dispatch-orders", &dispatch);
    let dispatch = format!("/api/v1/dispatch-orders/{}", objects.ids["dispatch-orders"]);
    let approved = system.login("director").await.post(&format!("{dispatch}/approve"), json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let shipped =
        keeper.post(&format!("{dispatch}/ship"), json!({"lines": [{"line_no": 2, "serials": [serial]}]})).await;
    assert_eq!(shipped.body["status"], "shipped", "{}", shipped.body);
    let accountant = system.login("accountant").await;
    let invoice = atq_tests::the_only_invoice_of(&accountant, &json!(objects.customer())).await;
    objects.ids.insert("invoices", invoice["id"].as_i64().expect("invoice id"));
    number
}

/// The object `rule`'s `{id}` names: the office's own for an office-scoped row (each has one),
/// else one nobody has.
fn object_id(rule: &Rule, collection: &str, objects: &OfficeObjects) -> i64 {
    match (objects.ids.get(collection), rule.scope) {
        (Some(id), _) => *id,
        (None, Scope::Company) => MISSING,
        (None, Scope::Office) => panic!("no {collection} of the office to try {} {} on", rule.method, rule.path),
    }
}

/// The path of `rule` with its parameters filled with `objects`' ids (or ids nobody has).
fn concrete_path(rule: &Rule, objects: &OfficeObjects) -> String {
    let collection = rule.path.trim_start_matches("/api/v1/").split('/').next().unwrap_or_default();
    let week = dates::today().format("%G-W%V").to_string();
    let mut path = rule.path.to_owned();
    let values = [
        ("{id}", object_id(rule, collection, objects).to_string()),
        ("{customer_id}", objects.customer().to_string()),
        ("{kind}", "weekly".to_owned()),
        ("{period}", week),
        ("{year}", "2031".to_owned()),
        ("{serial}", "NO-SUCH-SERIAL".to_owned()),
        ("{file}", "no-such-feed.ics".to_owned()),
    ];
    for (name, value) in values {
        path = path.replace(name, &value);
    }
    // Nested ids (a file, a party, a member) of objects nobody has.
    while let Some(start) = path.find('{') {
        let end = path[start..].find('}').map_or(path.len(), |end| start + end + 1);
        path.replace_range(start..end, &MISSING.to_string());
    }
    path
}

/// A minimal body: refused by the operation's checks before anything is written, or a step that
/// changes nothing the matrix depends on. Where a body is checked before the object is looked up,
/// a valid one, so that another office's object is looked up (and not found).
fn minimal_body(rule: &Rule, objects: &OfficeObjects) -> Option<Value> {
    let body = match rule.path {
        "/api/v1/customers/{id}/contacts" => json!({"name": "Cô Lan"}),
        "/api/v1/campaigns/{id}/members/{customer_id}/status" => json!({"status": "contacted"}),
        "/api/v1/leads/{id}/disqualify" => json!({"reason": "Trùng với khách hàng đã có"}),
        "/api/v1/opportunities/{id}/stage" => json!({"stage": "qualified"}),
        "/api/v1/customers/{id}/parties" => {
            json!({"role": "investor", "party_customer_id": objects.customer(), "influence": "decision_maker"})
        }
        _ => json!({}),
    };
    matches!(rule.method, policy::POST | policy::PUT | policy::PATCH).then_some(body)
}

/// One case: the answer must be what the row and the office say, exactly where they say it.
fn verdict(rule: &Rule, role: Role, other_office: bool, status: StatusCode) -> Result<(), String> {
    let server_error = status.is_server_error();
    let expected = if rule.need == Need::Open {
        (status != StatusCode::FORBIDDEN && !server_error, "anything but 403 or 5xx")
    } else if !rule.allows(role) {
        (status == StatusCode::FORBIDDEN, "403")
    } else if other_office && role.is_office_scoped() {
        (status == StatusCode::NOT_FOUND, "404")
    } else {
        let refused = status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN;
        (!refused && !server_error, "neither 401, 403 nor 5xx")
    };
    match expected {
        (true, _) => Ok(()),
        (false, what) => Err(format!(
            "{} {} as {} ({} office): {status}, expected {what}",
            rule.method,
            rule.path,
            role.as_str(),
            if other_office { "another" } else { "own" }
        )),
    }
}

async fn try_case(session: &Session, rule: &Rule, objects: &OfficeObjects) -> (String, StatusCode) {
    let method = Method::from_bytes(rule.method.as_bytes()).expect("a method");
    let path = concrete_path(rule, objects);
    // A version, so that a change is not refused for the lack of one (428) before its object
    // is looked up.
    let headers: &[(&str, &str)] = if rule.method == policy::GET { &[] } else { &[("If-Match", "\"1\"")] };
    let status = session.send(method, &path, minimal_body(rule, objects), headers).await.status;
    (path, status)
}

/// Every row of the table as `role`, on the own office's objects and, for office-scoped rows,
/// on the other office's: how many cases were tried, and the failures.
async fn every_row_as(role: Role, session: &Session, [own, other]: [&OfficeObjects; 2]) -> (usize, Vec<String>) {
    let (mut cases, mut failures) = (0, Vec::new());
    for rule in policy::rules() {
        // Sales staff are of Hà Nội; for everyone else, Hà Nội is as good as any office.
        let mut offices = vec![(false, own)];
        if rule.scope == Scope::Office {
            offices.push((true, other));
        }
        for (other_office, objects) in offices {
            let (path, status) = try_case(session, rule, objects).await;
            cases += 1;
            if let Err(failure) = verdict(rule, role, other_office, status) {
                failures.push(format!("{failure} [{path}]"));
            }
        }
    }
    (cases, failures)
}

#[tokio::test]
async fn every_role_is_allowed_and_refused_exactly_as_the_policy_table_says() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let hanoi = seed_office(&system, &products, "sales.hn", "HN").await;
    let saigon = seed_office(&system, &products, "sales.hcm", "HCM").await;
    let mut sessions = Vec::new();
    for role in Role::HUMAN {
        sessions.push((role, system.login(user_of(role)).await));
    }
    let started = std::time::Instant::now();
    // One sequence of requests per role, the roles side by side.
    let per_role = sessions.iter().map(|(role, session)| every_row_as(*role, session, [&hanoi, &saigon]));
    let (mut cases, mut failures) = (0, Vec::new());
    for (tried, failed) in futures::future::join_all(per_role).await {
        cases += tried;
        failures.extend(failed);
    }
    println!(
        "authorization matrix: {} operations x {} roles, {cases} cases in {:.1} s, {} failures",
        policy::rules().len(),
        sessions.len(),
        started.elapsed().as_secs_f64(),
        failures.len()
    );
    assert!(failures.is_empty(), "{} of {cases} cases:\n{}", failures.len(), failures.join("\n"));
    assert!(cases > 1500, "{cases}");
    system.stop().await;
}
