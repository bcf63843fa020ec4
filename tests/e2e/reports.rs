use atq_platform::business_time::local_date;
use atq_tests::{Session, TestSystem, customer, eventually, seed_products};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn counts(director: &Session) -> Vec<(String, String, i64)> {
    let reply = director.get("/api/v1/reports/new-customers").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["office"].as_str().unwrap().to_owned(),
                row["group"].as_str().unwrap().to_owned(),
                row["count"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn total(rows: &[(String, String, i64)]) -> i64 {
    rows.iter().map(|r| r.2).sum()
}

#[tokio::test]
async fn new_customers_are_counted_once_across_an_analytics_restart() {
    let mut system = TestSystem::start().await;
    let director = system.login("director").await;
    director.create_customer(customer("A", "project", "HN")).await;
    director.create_customer(customer("B", "project", "HN")).await;
    director.create_customer(customer("C", "dealer", "HCM")).await;
    eventually("three customers in the report", || async { total(&counts(&director).await) == 3 }).await;

    let address = system.stop_module("analytics").await.unwrap();
    director.create_customer(customer("D", "individual", "DL")).await;
    director.create_customer(customer("E", "project", "HN")).await;
    system.start_module("analytics", address).await.unwrap();
    eventually("five customers after the restart", || async { total(&counts(&director).await) == 5 }).await;

    system.stop_module("analytics").await.unwrap();
    system.start_module("analytics", address).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let rows = counts(&director).await;
    assert_eq!(total(&rows), 5, "a second restart replays nothing");
    let row = |office: &str, group: &str| rows.iter().find(|r| r.0 == office && r.1 == group).map(|r| r.2);
    assert_eq!(row("HN", "project"), Some(3));
    assert_eq!(row("HCM", "dealer"), Some(1));
    assert_eq!(row("DL", "individual"), Some(1));

    let csv = director.get("/api/v1/reports/new-customers?format=csv").await;
    assert!(csv.header("content-disposition").unwrap().contains("new-customers.csv"));
    assert!(csv.body.as_str().unwrap().starts_with("week_start,office,group,count\n"));
    system.stop().await;
}

#[tokio::test]
async fn the_report_checks_its_period_and_its_readers() {
    let system = TestSystem::start().await;
    let director = system.login("director").await;
    let reply = director.get("/api/v1/reports/new-customers?from=2026-13-01&to=2026-01-01").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error_fields(), ["from"]);
    let reversed = director.get("/api/v1/reports/new-customers?from=2026-06-01&to=2026-01-01").await;
    assert_eq!(reversed.error_fields(), ["from"]);
    let keeper = system.login("warehouse").await;
    assert_eq!(keeper.get("/api/v1/reports/new-customers").await.status, StatusCode::FORBIDDEN);
    system.stop().await;
}

#[tokio::test]
async fn two_analytics_replicas_on_one_database_count_every_event_once() {
    let mut system = TestSystem::start().await;
    let director = system.login("director").await;
    let settings = atq_platform::settings::ServiceSettings {
        database_url: system.database_url("analytics").to_owned(),
        peers: system.system().peers().clone(),
        internal_key: system.system().internal_key().clone(),
    };
    let second_replica_stop = atq_platform::CancellationToken::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second_replica = tokio::spawn(atq_analytics::serve(settings, listener, second_replica_stop.clone()));

    let creations = (0..24).map(|i| {
        let director = director.clone();
        let office = ["HN", "HCM", "DL"][i % 3];
        async move { director.create_customer(customer(&format!("Khách {i}"), "dealer", office)).await }
    });
    futures::future::join_all(creations).await;
    eventually("24 customers counted", || async { total(&counts(&director).await) == 24 }).await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let rows = counts(&director).await;
    assert_eq!(total(&rows), 24, "both replicas consumed the feed; each event counted once");
    assert!(rows.iter().all(|row| row.2 == 8), "{rows:?}");

    second_replica_stop.cancel();
    second_replica.await.unwrap().unwrap();
    system.stop().await;
}

/// A supplier and a product of the given category and brand, as the import officer.
async fn product(system: &TestSystem, model: &str, category: &str, brand: &str, list_price: i64) -> i64 {
    let officer = system.login("import").await;
    let supplier = officer
        .post(
            "/api/v1/suppliers",
            json!({"name": format!("{brand} Inc."), "country": "US", "currency": "USD", "lead_time_days": 30}),
        )
        .await;
    assert_eq!(supplier.status, StatusCode::CREATED, "{}", supplier.body);
    let created = officer
        .post(
            "/api/v1/products",
            json!({"model_code": model, "name_vi": model, "category": category, "brand": brand, "brand_class": "small",
                "supplier_id": supplier.body["id"], "unit": "bộ", "hs_code": "9023.00.00", "warranty_months": 12,
                "serial_tracked": false, "list_price": list_price, "vat_rate": "0.08"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body["id"].as_i64().unwrap()
}

/// Creates and confirms an order; returns it as confirmed.
async fn confirmed_order(rep: &Session, customer_id: &Value, lines: Value) -> Value {
    let created = rep.post("/api/v1/orders", json!({"customer_id": customer_id, "lines": lines})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let confirmed = rep.post(&format!("/api/v1/orders/{}/confirm", created.body["id"]), json!({})).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(confirmed.body["status"], "confirmed");
    confirmed.body
}

/// The report's figures as the orders and their lines say they should be.
#[derive(Default, Clone, Copy, Debug, PartialEq)]
struct Figures {
    net: i64,
    vat: i64,
    gross: i64,
    quantity: i64,
    orders: i64,
}

impl Figures {
    fn of(value: &Value) -> Figures {
        let get = |name: &str| value[name].as_i64().unwrap_or_else(|| panic!("{name} in {value}"));
        Figures {
            net: get("net"),
            vat: get("vat"),
            gross: get("gross"),
            quantity: get("quantity"),
            orders: get("orders"),
        }
    }

    fn add_line(&mut self, line: &Value) {
        self.net += line["net_amount"].as_i64().unwrap();
        self.vat += line["vat_amount"].as_i64().unwrap();
        self.gross += line["gross_amount"].as_i64().unwrap();
        self.quantity += line["quantity"].as_i64().unwrap();
    }

    /// An order's whole figures, from its totals.
    fn order(order: &Value) -> Figures {
        let lines = order["lines"].as_array().unwrap();
        Figures {
            net: order["total_net"].as_i64().unwrap(),
            vat: order["total_vat"].as_i64().unwrap(),
            gross: order["total_gross"].as_i64().unwrap(),
            quantity: lines.iter().map(|l| l["quantity"].as_i64().unwrap()).sum(),
            orders: 1,
        }
    }

    fn plus(self, other: Figures) -> Figures {
        Figures {
            net: self.net + other.net,
            vat: self.vat + other.vat,
            gross: self.gross + other.gross,
            quantity: self.quantity + other.quantity,
            orders: self.orders + other.orders,
        }
    }
}

fn breakdown(summary: &Value, dimension: &str) -> Vec<(String, Figures)> {
    summary[dimension]
        .as_array()
        .unwrap_or_else(|| panic!("{dimension} in {summary}"))
        .iter()
        .map(|row| (row["key"].as_str().unwrap().to_owned(), Figures::of(row)))
        .collect()
}

/// What the whole-period part of the report should say about these orders, whose lines name
/// products of the given (category, brand).
fn expected_summary(orders: &[&Value], products: &[(i64, &str, &str)]) -> Value {
    let mut total = Figures::default();
    let mut by: std::collections::BTreeMap<(&str, String), Figures> = Default::default();
    for order in orders {
        total = total.plus(Figures::order(order));
        for (dimension, key) in
            [("by_office", "office"), ("by_customer_group", "customer_group"), ("by_salesperson", "created_by")]
        {
            let entry = by.entry((dimension, order[key].as_str().unwrap().to_owned())).or_default();
            *entry = entry.plus(Figures::order(order));
        }
        let mut counted = std::collections::BTreeSet::new();
        for line in order["lines"].as_array().unwrap() {
            let product = line["product_id"].as_i64().unwrap();
            let (_, category, brand) = products.iter().find(|p| p.0 == product).unwrap();
            for (dimension, key) in [("by_category", *category), ("by_brand", *brand)] {
                let entry = by.entry((dimension, key.to_owned())).or_default();
                entry.add_line(line);
                if counted.insert((dimension, key)) {
                    entry.orders += 1;
                }
            }
        }
    }
    let as_json =
        |f: &Figures| json!({"net": f.net, "vat": f.vat, "gross": f.gross, "quantity": f.quantity, "orders": f.orders});
    let mut summary = json!({"total": as_json(&total)});
    for dimension in ["by_office", "by_category", "by_brand", "by_customer_group", "by_salesperson"] {
        let rows: Vec<Value> = by
            .iter()
            .filter(|((d, _), _)| *d == dimension)
            .map(|((_, key), f)| {
                let mut row = as_json(f);
                row["key"] = json!(key);
                row
            })
            .collect();
        summary[dimension] = json!(rows);
    }
    summary
}

/// The whole-period part of the report, in the shape of [`expected_summary`].
fn actual_summary(report: &Value) -> Value {
    let mut summary = json!({"total": report["total"]});
    for dimension in ["by_office", "by_category", "by_brand", "by_customer_group", "by_salesperson"] {
        summary[dimension] = report[dimension].clone();
    }
    summary
}

async fn sales_report(session: &Session, query: &str) -> Value {
    let reply = session.get(&format!("/api/v1/reports/sales{query}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

fn month_of(order: &Value) -> String {
    let at = chrono::DateTime::parse_from_rfc3339(order["confirmed_at"].as_str().unwrap()).unwrap();
    local_date(at.timestamp_micros()).format("%Y-%m").to_string()
}

#[tokio::test]
async fn monthly_sales_add_up_confirmed_orders_leave_out_cancelled_ones_and_survive_an_analytics_restart() {
    let mut system = TestSystem::start().await;
    let seeded = seed_products(&system).await;
    let pasco = product(&system, "ME-6800", "physics", "PASCO", 12_500_000).await;
    let director = system.login("director").await;
    let (hanoi, saigon) = (system.login("sales.hn").await, system.login("sales.hcm").await);
    let school = hanoi.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    let dealer = saigon.create_customer(customer("Công ty TNHH Thiết bị Phương Nam", "dealer", "HCM")).await;

    let first = confirmed_order(
        &hanoi,
        &school["id"],
        json!([{"product_id": seeded.filter_press, "quantity": 2},
               {"product_id": pasco, "quantity": 3, "unit_price": 12_345_679, "vat_rate": "0.08"}]),
    )
    .await;
    let second = confirmed_order(&saigon, &dealer["id"], json!([{"product_id": pasco, "quantity": 5}])).await;
    let dropped =
        confirmed_order(&hanoi, &school["id"], json!([{"product_id": seeded.viscometer, "quantity": 1}])).await;
    let cancelled = hanoi.post(&format!("/api/v1/orders/{}/cancel", dropped["id"]), json!({})).await;
    assert_eq!(cancelled.body["status"], "cancelled", "{}", cancelled.body);

    let mut products = vec![
        (seeded.filter_press, "chemistry", "Fann"),
        (seeded.viscometer, "chemistry", "Fann"),
        (pasco, "physics", "PASCO"),
    ];
    let expected = expected_summary(&[&first, &second], &products);
    // The sales feed and the catalog feed arrive independently: wait for both.
    eventually("both orders, and their products, in the report", || async {
        actual_summary(&sales_report(&director, "?period=month").await) == expected
    })
    .await;
    let report = sales_report(&director, "?period=month").await;
    assert_eq!((report["period"].as_str(), report["currency"].as_str()), (Some("month"), Some("VND")));
    assert!(report["office"].is_null());
    let total = Figures::of(&report["total"]);
    assert_eq!(total, Figures::order(&first).plus(Figures::order(&second)), "the cancelled order counts nowhere");
    assert_eq!(total.gross, total.net + total.vat);
    assert_eq!(
        breakdown(&report, "by_office"),
        [("HCM".to_owned(), Figures::order(&second)), ("HN".to_owned(), Figures::order(&first))]
    );
    assert_eq!(
        breakdown(&report, "by_category").iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["chemistry", "physics"]
    );
    assert_eq!(breakdown(&report, "by_category")[1].1.orders, 2, "both orders sold physics");
    assert_eq!(
        breakdown(&report, "by_salesperson").iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["sales.hcm", "sales.hn"]
    );
    // Twelve months by default, the current one last; the month of each order holds it.
    let months = report["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    let month_total = months.iter().map(|m| Figures::of(&m["total"])).fold(Figures::default(), Figures::plus);
    assert_eq!(month_total, total);
    let month = |name: &str| months.iter().find(|m| m["month"] == name).unwrap_or_else(|| panic!("{name}"));
    assert!(breakdown(month(&month_of(&first)), "by_office").contains(&("HN".to_owned(), Figures::order(&first))));
    assert!(breakdown(month(&month_of(&second)), "by_office").contains(&("HCM".to_owned(), Figures::order(&second))));

    // Readers: a sales rep may not; a sales manager sees their own office; an accountant all.
    assert_eq!(hanoi.get("/api/v1/reports/sales").await.status, StatusCode::FORBIDDEN);
    let manager = sales_report(&system.login("manager.hn").await, "").await;
    assert_eq!((manager["office"].as_str(), Figures::of(&manager["total"])), (Some("HN"), Figures::order(&first)));
    assert_eq!(Figures::of(&sales_report(&system.login("accountant").await, "").await["total"]), total);

    let csv = director.get("/api/v1/reports/sales?format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-disposition").unwrap().contains("sales-"));
    let text = csv.body.as_str().unwrap();
    assert!(text.starts_with("month,dimension,key,net,vat,gross,quantity,orders\n"), "{text}");
    let f = Figures::order(&second);
    let row = format!("{},office,HCM,{},{},{},{},1\n", month_of(&second), f.net, f.vat, f.gross, f.quantity);
    assert!(text.contains(&row), "{text}");

    // Analytics away: an order on a product it has not heard of yet. Back: counted once.
    let address = system.stop_module("analytics").await.unwrap();
    let vernier = product(&system, "GDX-MD", "biology", "Vernier", 4_200_000).await;
    let third = confirmed_order(&saigon, &dealer["id"], json!([{"product_id": vernier, "quantity": 7}])).await;
    system.start_module("analytics", address).await.unwrap();
    products.push((vernier, "biology", "Vernier"));
    let expected = expected_summary(&[&first, &second, &third], &products);
    eventually("the order made while analytics was away", || async {
        actual_summary(&sales_report(&director, "").await) == expected
    })
    .await;

    system.stop_module("analytics").await.unwrap();
    system.start_module("analytics", address).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(actual_summary(&sales_report(&director, "").await), expected, "a second restart replays nothing");
    system.stop().await;
}

#[tokio::test]
async fn the_sales_report_checks_its_parameters() {
    let system = TestSystem::start().await;
    let director = system.login("director").await;
    for (query, field) in [
        ("period=week", "period"),
        ("from=2026-13", "from"),
        ("from=2026-11&to=2026-11-31", "to"),
        ("from=2026-12&to=2026-01", "from"),
        ("from=2015-01&to=2026-01", "from"),
        ("format=pdf", "format"),
    ] {
        let reply = director.get(&format!("/api/v1/reports/sales?{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}: {}", reply.body);
        assert_eq!(reply.error_fields(), [field], "{query}");
    }

    let months = sales_report(&director, "?period=month&from=2020-02&to=2020-03").await;
    assert_eq!((months["from"].as_str(), months["to"].as_str()), (Some("2020-02-01"), Some("2020-03-31")));
    let names: Vec<&str> = months["months"].as_array().unwrap().iter().map(|m| m["month"].as_str().unwrap()).collect();
    assert_eq!(names, ["2020-02", "2020-03"], "months without sales are listed, with zeros");
    assert_eq!(Figures::of(&months["months"][0]["total"]), Figures::default());
    assert_eq!(months["months"][0]["by_office"], json!([]));
    let dates = sales_report(&director, "?from=2021-01-15&to=2021-02-10").await;
    assert_eq!((dates["from"].as_str(), dates["to"].as_str()), (Some("2021-01-15"), Some("2021-02-10")));
    assert_eq!(dates["months"].as_array().unwrap().len(), 2);

    assert_eq!(system.anonymous().get("/api/v1/reports/sales").await.status, StatusCode::UNAUTHORIZED);
    let document = system.anonymous().get("/api/openapi.json").await;
    let route = &document.body["paths"]["/api/v1/reports/sales"]["get"];
    let content = route["responses"]["200"]["content"].as_object().unwrap();
    assert!(content.contains_key("application/json") && content.contains_key("text/csv"), "{route}");
    let parameters: Vec<&str> =
        route["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(parameters, ["period", "from", "to", "format"]);
    assert_eq!(system.login("warehouse").await.get("/api/v1/reports/sales").await.status, StatusCode::FORBIDDEN);
    system.stop().await;
}
