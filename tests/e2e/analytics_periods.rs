//! The directors' summaries by quarter and month, and customer value, checked against the orders,
//! returns, invoices and payments each test makes.

use atq_platform::business_time::{local_date, now_micros, start_of_local_day, to_timestamp};
use atq_platform::{Db, Office, outbox};
use atq_proto::sales::v1 as sales;
use atq_tests::shipping::{ship_everything, stock_and_customer};
use atq_tests::{Session, TestSystem, customer, eventually, seed_products};
use chrono::{Days, NaiveDate};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const HOUR: i64 = 3_600_000_000;

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// Creates and confirms an order of `quantity` filter presses at `price`; returns it confirmed.
async fn confirmed_order(rep: &Session, customer_id: &Value, product: i64, quantity: i64, price: i64) -> Value {
    let lines = json!([{"product_id": product, "quantity": quantity, "unit_price": price}]);
    let created = rep.post("/api/v1/orders", json!({"customer_id": customer_id, "lines": lines})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let confirmed = rep.post(&format!("/api/v1/orders/{}/confirm", created.body["id"]), json!({})).await;
    assert_eq!(confirmed.body["status"], "confirmed", "{}", confirmed.body);
    confirmed.body
}

/// The system has no clock to turn back, so an order confirmed on an earlier day is recorded as
/// the sales service records a confirmation: the order's confirmation time, and an
/// `OrderConfirmed` event carrying the order as it stands (analytics keeps the later event).
/// `local_hours` is the local time of day of the confirmation.
async fn backdate(system: &TestSystem, order: &Value, day: NaiveDate, local_hours: i64) {
    let at = start_of_local_day(day) + local_hours;
    let group = match order["customer_group"].as_str().unwrap() {
        "project" => sales::CustomerGroup::Project,
        "dealer" => sales::CustomerGroup::Dealer,
        _ => sales::CustomerGroup::Individual,
    };
    let lines = order["lines"].as_array().unwrap().iter().map(|l| sales::OrderLine {
        line_no: l["line_no"].as_i64().unwrap() as i32,
        product_id: l["product_id"].as_i64().unwrap(),
        quantity: l["quantity"].as_i64().unwrap(),
        net_amount: l["net_amount"].as_i64().unwrap(),
        vat_amount: l["vat_amount"].as_i64().unwrap(),
        ..Default::default()
    });
    let wire = sales::Order {
        id: order["id"].as_i64().unwrap(),
        number: order["number"].as_str().unwrap().to_owned(),
        customer_id: order["customer_id"].as_i64().unwrap(),
        customer_group: group as i32,
        office: Office::parse(order["office"].as_str().unwrap()).unwrap().to_proto() as i32,
        status: "confirmed".to_owned(),
        lines: lines.collect(),
        total_net: order["total_net"].as_i64().unwrap(),
        total_vat: order["total_vat"].as_i64().unwrap(),
        total_gross: order["total_gross"].as_i64().unwrap(),
        created_by: order["created_by"].as_str().unwrap().to_owned(),
        confirmed_at: Some(to_timestamp(at)),
        ..Default::default()
    };
    let db = Db::connect(system.database_url("sales")).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    sqlx::query("UPDATE orders SET confirmed_at = $1 WHERE id = $2")
        .bind(at)
        .bind(wire.id)
        .execute(&mut *tx)
        .await
        .unwrap();
    let event = sales::OrderConfirmed { order: Some(wire) };
    outbox::record(&mut tx, db.backend(), "order", &order["id"].to_string(), &event).await.unwrap();
    tx.commit().await.unwrap();
    db.close().await;
}

/// Net, VAT, gross, units and orders of some orders, from their totals.
fn figures(orders: &[&Value]) -> [i64; 5] {
    let mut sum = [0; 5];
    for order in orders {
        let units: i64 = order["lines"].as_array().unwrap().iter().map(|l| l["quantity"].as_i64().unwrap()).sum();
        let own = [order["total_net"].as_i64().unwrap(), order["total_vat"].as_i64().unwrap()];
        let own = [own[0], own[1], order["total_gross"].as_i64().unwrap(), units, 1];
        sum.iter_mut().zip(own).for_each(|(s, o)| *s += o);
    }
    sum
}

const FIGURES: [&str; 5] = ["net", "vat", "gross", "quantity", "orders"];

/// A measure of a row of a section of a period of the summary.
fn measure<'a>(period: &'a Value, section: &str, key: &str, name: &str) -> &'a Value {
    let section = period["sections"].as_array().unwrap().iter().find(|s| s["name"] == section).unwrap();
    let row = section["rows"].as_array().unwrap().iter().find(|r| r["key"] == key);
    let row = row.unwrap_or_else(|| panic!("no row {key} in {section}"));
    row["measures"].as_array().unwrap().iter().find(|m| m["name"] == name).unwrap()
}

/// The five figures of a row as (current, previous, year ago).
fn row_figures(period: &Value, section: &str, key: &str) -> [[i64; 3]; 5] {
    FIGURES.map(|name| {
        let m = measure(period, section, key, name);
        ["current", "previous", "year_ago"].map(|column| m[column].as_i64().unwrap())
    })
}

fn side_by_side(current: [i64; 5], previous: [i64; 5], year_ago: [i64; 5]) -> [[i64; 3]; 5] {
    std::array::from_fn(|i| [current[i], previous[i], year_ago[i]])
}

fn bp(now: i64, before: i64) -> Value {
    if before == 0 { Value::Null } else { json!((i128::from(now - before) * 10_000 / i128::from(before.abs())) as i64) }
}

async fn summary(session: &Session, query: &str) -> Value {
    let reply = session.get(&format!("/api/v1/reports/summary?{query}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.body);
    reply.body
}

/// A number as Vietnamese writes it: 1.500.000.
fn vi_number(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// One file of a workbook (a zip of XML files), as text.
fn workbook_part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut part = archive.by_name(name).unwrap_or_else(|_| panic!("{name} missing from the workbook"));
    let mut text = String::new();
    std::io::Read::read_to_string(&mut part, &mut text).unwrap();
    text
}

#[tokio::test]
async fn quarters_across_a_year_boundary_sit_beside_the_quarter_before_and_a_year_earlier() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let press = products.filter_press;
    let (hanoi, school) = stock_and_customer(&system, &products).await;
    let saigon = system.login("sales.hcm").await;
    let dealer = saigon.create_customer(customer("Công ty TNHH Thiết bị Phương Nam", "dealer", "HCM")).await;
    let a_year_before = confirmed_order(&hanoi, &school["id"], press, 1, 10_000_000).await;
    let q4 = confirmed_order(&hanoi, &school["id"], press, 2, 30_000_000).await;
    let q4_dealer = confirmed_order(&saigon, &dealer["id"], press, 1, 5_000_000).await;
    let q1 = confirmed_order(&saigon, &dealer["id"], press, 3, 20_000_000).await;
    let q1_a_year_before = confirmed_order(&saigon, &dealer["id"], press, 1, 8_000_000).await;
    let dropped = confirmed_order(&hanoi, &school["id"], press, 1, 99_000_000).await;
    backdate(&system, &a_year_before, date("2024-11-10"), 10 * HOUR).await;
    backdate(&system, &q4, date("2025-11-15"), 10 * HOUR).await;
    // 23:30 on 31 December and 00:30 on 1 January, local time: either side of the boundary,
    // though both are 31 December in UTC.
    backdate(&system, &q4_dealer, date("2025-12-31"), 23 * HOUR + HOUR / 2).await;
    backdate(&system, &q1, date("2026-01-01"), HOUR / 2).await;
    backdate(&system, &q1_a_year_before, date("2025-02-08"), 10 * HOUR).await;
    backdate(&system, &dropped, date("2026-02-01"), 10 * HOUR).await;
    let cancelled = hanoi.post(&format!("/api/v1/orders/{}/cancel", dropped["id"]), json!({})).await;
    assert_eq!(cancelled.body["status"], "cancelled", "{}", cancelled.body);

    let director = system.login("director").await;
    let query = "department=sales&period=quarter&from=2025-Q4&to=2026-Q1";
    let (q4_total, q1_total) = (figures(&[&q4, &q4_dealer]), figures(&[&q1]));
    let expected_q1 = side_by_side(q1_total, q4_total, figures(&[&q1_a_year_before]));
    eventually("the backdated orders in their quarters", || async {
        let report = summary(&director, query).await;
        report["periods"].as_array().is_some_and(|p| p.len() == 2)
            && row_figures(&report["periods"][1], "total", "all") == expected_q1
    })
    .await;
    let report = summary(&director, query).await;
    assert_eq!((report["period"].as_str(), report["office"].as_str()), (Some("quarter"), None));
    let (fourth, first) = (&report["periods"][0], &report["periods"][1]);
    assert_eq!(
        (fourth["name"].as_str(), fourth["from"].as_str(), fourth["to"].as_str()),
        (Some("2025-Q4"), Some("2025-10-01"), Some("2025-12-31"))
    );
    assert_eq!((first["previous"].as_str(), first["year_ago"].as_str()), (Some("2025-Q4"), Some("2025-Q1")));
    let none = [0; 5];
    assert_eq!(row_figures(fourth, "total", "all"), side_by_side(q4_total, none, figures(&[&a_year_before])));
    assert_eq!(row_figures(first, "by_office", "HN"), side_by_side(none, figures(&[&q4]), none));
    let hcm = side_by_side(q1_total, figures(&[&q4_dealer]), figures(&[&q1_a_year_before]));
    assert_eq!(row_figures(first, "by_office", "HCM"), hcm);
    assert_eq!(row_figures(first, "by_customer_group", "dealer"), hcm);
    assert_eq!(row_figures(first, "by_salesperson", "sales.hcm"), hcm);
    let net = measure(first, "total", "all", "net");
    assert_eq!(net["change_previous"], json!(q1_total[0] - q4_total[0]));
    assert_eq!(net["change_previous_bp"], bp(q1_total[0], q4_total[0]));
    assert_eq!(net["change_year_ago_bp"], bp(q1_total[0], figures(&[&q1_a_year_before])[0]));
    assert_eq!(measure(fourth, "total", "all", "net")["change_previous_bp"], Value::Null, "nothing to compare");
    assert_eq!(measure(first, "total", "all", "new_customers")["current"], 0, "both customers are new today");

    // A sales manager sees their own office only.
    let manager = summary(&system.login("manager.hn").await, query).await;
    assert_eq!(manager["office"], "HN");
    assert_eq!(row_figures(&manager["periods"][1], "total", "all"), side_by_side(none, figures(&[&q4]), none));
    let offices = &manager["periods"][1]["sections"][1]["rows"];
    assert_eq!(offices.as_array().unwrap().len(), 1, "{offices}");

    // Exports: CSV blocks per section, XLSX sheets per section.
    let path = format!("/api/v1/reports/summary?{query}");
    let csv = director.send(Method::GET, &path, None, &[("Accept", "text/csv")]).await;
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let text = csv.body.as_str().unwrap();
    let blocks: Vec<&str> = text.split("\n\n").collect();
    assert_eq!(blocks.len(), 4, "{text}");
    assert!(blocks.iter().all(|b| b.starts_with("period,section,key,measure,current,previous,change_previous,")));
    let line = format!(
        "2026-Q1,by_office,HCM,net,{},{},{},{},{},{},{}",
        hcm[0][0],
        hcm[0][1],
        hcm[0][0] - hcm[0][1],
        bp(hcm[0][0], hcm[0][1]),
        hcm[0][2],
        hcm[0][0] - hcm[0][2],
        bp(hcm[0][0], hcm[0][2])
    );
    assert!(blocks[1].lines().any(|l| l == line), "{line} in {text}");
    let (status, headers, xlsx) = director.download(&format!("/api/v1/reports/summary?{query}&format=xlsx")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains("summary-sales-2025-Q4-2026-Q1.xlsx"));
    let book = workbook_part(&xlsx, "xl/workbook.xml");
    for sheet in ["total", "by_office", "by_customer_group", "by_salesperson"] {
        assert!(book.contains(&format!("name=\"{sheet}\"")), "{book}");
    }
    assert!(workbook_part(&xlsx, "xl/worksheets/sheet2.xml").contains(&format!("<v>{}</v>", hcm[0][0])));

    // The web page shows the same quarters in Vietnamese, with the downloads; a bad one is named.
    let mut web = atq_tests::web::WebSession::sign_in(&system, "director", "vi").await;
    let page = web.get(&format!("/reports/summary?{query}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let hcm_net = format!("<td class=\"num\">{} ₫</td>", vi_number(hcm[0][0]));
    assert!(page.html.contains("Cùng kỳ năm trước (2025-Q1)") && page.html.contains(&hcm_net), "{}", page.html);
    let download = web.get(&format!("/reports/summary.xlsx?{query}")).await;
    assert_eq!(download.content_type, XLSX);
    let wrong = web.get("/reports/summary?department=sales&period=quarter&from=2026-Q5").await;
    assert!(wrong.html.contains("phải có dạng YYYY-Qn, ví dụ 2026-Q4"), "{}", wrong.html);
    system.stop().await;
}

#[tokio::test]
async fn this_month_nets_out_returns_and_counts_new_customers_invoices_and_collections() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let (hanoi, school) = stock_and_customer(&system, &products).await;
    let invoice = ship_everything(&system, &products, &hanoi, &school["id"]).await;
    let dealer = system.login("director").await.create_customer(customer("Đại lý Đà Lạt", "dealer", "DL")).await;
    let accountant = system.login("accountant").await;
    let press = json!({"invoice_id": invoice["id"], "reason": "Thừa một bộ",
        "lines": [{"invoice_line_no": 1, "quantity": 1}]});
    let returned = accountant.send(Method::POST, "/api/v1/returns", Some(press), &[("Idempotency-Key", "ap-1")]).await;
    assert_eq!(returned.status, StatusCode::CREATED, "{}", returned.body);
    let paid = accountant
        .send(Method::POST, "/api/v1/payments", Some(json!({"customer_id": school["id"], "amount": 100_000_000})), &[])
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    let order = hanoi.get(&format!("/api/v1/orders?customer_id={}", school["id"])).await.body["items"][0].clone();
    let order = hanoi.get(&format!("/api/v1/orders/{}", order["id"])).await.body;
    let less = |key: &str| order[key].as_i64().unwrap() - returned.body[key].as_i64().unwrap();
    let expected = [less("total_net"), less("total_vat"), less("total_gross")];

    let director = system.login("director").await;
    eventually("the order less the return", || async {
        let month = summary(&director, "department=sales").await;
        let p = &month["periods"][0];
        ["net", "vat", "gross"].map(|m| measure(p, "total", "all", m)["current"].as_i64().unwrap()) == expected
    })
    .await;
    let month = summary(&director, "department=sales&period=month").await;
    let this_month = &month["periods"][0];
    assert_eq!(this_month["name"].as_str().unwrap(), local_date(now_micros()).format("%Y-%m").to_string());
    assert_eq!(measure(this_month, "total", "all", "orders")["current"], 1);
    assert_eq!(measure(this_month, "total", "all", "new_customers")["current"], 2);
    assert_eq!(measure(this_month, "by_office", "DL", "new_customers")["current"], 1);
    assert_eq!(measure(this_month, "by_customer_group", "project", "new_customers")["current"], 1);

    // Accounting and warehouse: every invoice the accounting side lists, and the payment.
    let invoices = accountant.get(&format!("/api/v1/invoices?customer_id={}", school["id"])).await.body;
    let invoices = invoices["items"].as_array().unwrap().clone();
    let sum = |key: &str| invoices.iter().map(|i| i[key].as_i64().unwrap()).sum::<i64>();
    eventually("the invoices and the payment", || async {
        let books = summary(&director, "department=accounting-warehouse").await;
        let p = &books["periods"][0];
        let current = |m: &str| measure(p, "total", "all", m)["current"].as_i64().unwrap();
        current("invoices") == invoices.len() as i64 && current("collected") == 100_000_000
    })
    .await;
    let books = summary(&director, "department=accounting-warehouse").await;
    let p = &books["periods"][0];
    assert_eq!(measure(p, "by_office", "HN", "invoiced_net")["current"], sum("total_net"));
    assert_eq!(measure(p, "total", "all", "invoiced_gross")["current"], sum("total_gross"));
    assert_eq!(measure(p, "by_office", "HN", "payments")["current"], 1);

    // The customer's value: the shipped order less the return.
    let value = director.get(&format!("/api/v1/customers/{}/value", school["id"])).await;
    assert_eq!(value.status, StatusCode::OK, "{}", value.body);
    let school_value = &value.body["customers"][0];
    assert_eq!((school_value["revenue"].as_i64(), school_value["orders"].as_i64()), (Some(expected[0]), Some(1)));
    assert_eq!(value.body["company_revenue"], expected[0]);
    let unknown = director.get(&format!("/api/v1/customers/{}/value", dealer["id"])).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "no order counted yet");
    system.stop().await;
}

#[tokio::test]
async fn the_summary_checks_its_department_periods_and_readers() {
    let system = TestSystem::start().await;
    let director = system.login("director").await;
    for (query, field) in [
        ("department=marketing", "department"),
        ("period=week&department=sales", "period"),
        ("department=sales&period=quarter&from=2026-Q5", "from"),
        ("department=sales&period=quarter&from=2026-Q4&to=2026-Q1", "from"),
        ("department=sales&period=month&from=2020-01&to=2026-01", "from"),
        ("department=sales&period=year&to=26", "to"),
        ("department=sales&format=pdf", "format"),
        ("", "department"),
    ] {
        let reply = director.get(&format!("/api/v1/reports/summary?{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}: {}", reply.body);
        assert_eq!(reply.error_fields(), [field], "{query}");
    }
    let years = summary(&director, "department=sales&period=year&from=2024&to=2026").await;
    let names: Vec<&str> = years["periods"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["2024", "2025", "2026"]);
    assert_eq!(years["periods"][0]["year_ago"], "2023");
    assert_eq!(system.login("sales.hn").await.get("/api/v1/reports/summary?department=sales").await.status, 403);
    assert_eq!(system.login("warehouse").await.get("/api/v1/reports/customers").await.status, 403);
    assert_eq!(system.anonymous().get("/api/v1/reports/summary?department=sales").await.status, 401);
    let document = system.anonymous().get("/api/openapi.json").await;
    let route = &document.body["paths"]["/api/v1/reports/summary"]["get"];
    let content = route["responses"]["200"]["content"].as_object().unwrap();
    assert!(content.contains_key("text/csv") && content.contains_key(XLSX), "{route}");
    let department = route["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "department").unwrap();
    assert_eq!(
        department["schema"]["enum"],
        json!(["sales", "accounting-warehouse", "import-export", "service"]),
        "only what is built"
    );
    assert_eq!(director.get("/api/v1/reports/customers?as_of=2026-02-30").await.error_fields(), ["as_of"]);
    system.stop().await;
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Who buys, where, on which days before today, at what net price per order.
struct Buyer<'a> {
    rep: &'a Session,
    name: &'a str,
    office: &'a str,
    days_ago: &'a [u64],
    price: i64,
}

/// A customer with one order of one unit of `product` on each of the days.
async fn buyer(system: &TestSystem, product: i64, b: Buyer<'_>) -> Value {
    let (rep, days_ago, price) = (b.rep, b.days_ago, b.price);
    let buyer = rep.create_customer(customer(b.name, "project", b.office)).await;
    let today = local_date(now_micros());
    for days in days_ago {
        let order = confirmed_order(rep, &buyer["id"], product, 1, price).await;
        backdate(system, &order, today - Days::new(*days), 10 * HOUR).await;
    }
    buyer
}

#[tokio::test]
async fn customers_built_for_each_segment_land_in_it() {
    let system = TestSystem::start().await;
    let press = seed_products(&system).await.filter_press;
    let (hanoi, saigon) = (&system.login("sales.hn").await, &system.login("sales.hcm").await);
    let b = |rep, name, office, days_ago, price| Buyer { rep, name, office, days_ago, price };
    let champion = buyer(&system, press, b(hanoi, "Champion", "HN", &[100, 70, 40, 10], 50_000_000)).await;
    let newcomer = buyer(&system, press, b(saigon, "Newcomer", "HCM", &[5], 20_000_000)).await;
    let loyal = buyer(&system, press, b(hanoi, "Loyal", "HN", &[120, 90, 60], 30_000_000)).await;
    let lapsed = buyer(&system, press, b(hanoi, "Lapsed", "HN", &[300, 290, 280, 270, 260], 10_000_000)).await;
    let sleeper = buyer(&system, press, b(hanoi, "Sleeper", "HN", &[400], 5_000_000)).await;
    let director = system.login("director").await;
    let company = 200_000_000 + 20_000_000 + 90_000_000 + 50_000_000 + 5_000_000;
    eventually("five active customers", || async {
        let list = director.get("/api/v1/reports/customers").await.body;
        list["company_revenue"] == company && list["customers"].as_array().is_some_and(|c| c.len() == 5)
    })
    .await;
    let list = director.get("/api/v1/reports/customers").await.body;
    let of = |c: &Value| list["customers"].as_array().unwrap().iter().find(|v| v["customer_id"] == c["id"]).unwrap();
    // (segment, R, F, M, days since, mean gap in tenths, at risk, lifetime value)
    let expected = [
        (&champion, "champions", [4, 4, 5], 10, json!(300), false, 200_000_000_i64 * 3),
        (&newcomer, "new", [5, 1, 2], 5, Value::Null, false, 20_000_000 * 3),
        (&loyal, "loyal", [3, 3, 4], 60, json!(300), false, 90_000_000 * 3),
        (&lapsed, "at_risk", [2, 5, 3], 260, json!(100), true, 50_000_000),
        (&sleeper, "hibernating", [1, 1, 1], 400, Value::Null, false, 5_000_000 * 365 * 3 / 400),
    ];
    for (c, segment, scores, days, gap, at_risk, lifetime) in expected {
        let v = of(c);
        assert_eq!(v["segment"], segment, "{v}");
        assert_eq!(
            [&v["recency_score"], &v["frequency_score"], &v["monetary_score"]],
            scores.map(|s| json!(s)).each_ref()
        );
        assert_eq!((&v["days_since_last_order"], &v["mean_days_between_orders_tenths"]), (&json!(days), &gap), "{v}");
        assert_eq!((&v["at_risk"], &v["lifetime_value"]), (&json!(at_risk), &json!(lifetime)), "{v}");
        let revenue = v["revenue"].as_i64().unwrap();
        assert_eq!(v["share_bp"], revenue * 10_000 / company, "{v}");
        assert_eq!(v["average_order"], revenue / v["orders"].as_i64().unwrap());
    }
    assert_eq!(list["customers"][0]["customer_id"], champion["id"], "highest revenue first");
    assert_eq!(list["recency_bands"][4], json!({"score": 5, "min": 5, "max": 5}));
    assert_eq!(list["frequency_bands"][0], json!({"score": 1, "min": 1, "max": 1}));
    assert!(list["segment_rules"].as_str().unwrap().contains("champions R≥4 and F≥4"));

    // A sales manager sees their office's customers, scored among the whole company.
    let manager = system.login("manager.hn").await;
    let theirs = manager.get("/api/v1/reports/customers").await.body;
    assert_eq!(theirs["customers"].as_array().unwrap().len(), 4);
    assert_eq!(theirs["customers"][0], list["customers"][0]);
    let other = manager.get(&format!("/api/v1/customers/{}/value", newcomer["id"])).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let one = director.get(&format!("/api/v1/customers/{}/value", newcomer["id"])).await.body;
    assert_eq!(one["customers"], json!([of(&newcomer)]));
    system.stop().await;
}
