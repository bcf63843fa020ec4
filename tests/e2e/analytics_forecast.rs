//! The forecasts of revenue and demand, checked against orders the test makes and dates in past
//! months: a Hà Nội history longer than a year (seasonal naive), a Hồ Chí Minh City history of
//! two months (the mean of the last months), and a cancelled order that drops out.

use atq_platform::business_time::{local_date, now_micros, start_of_local_day, to_timestamp};
use atq_platform::{Db, Office, outbox};
use atq_proto::sales::v1 as sales;
use atq_tests::shipping::stock_and_customer;
use atq_tests::{Session, TestSystem, customer, eventually, seed_products};
use chrono::{Datelike, Days, Months, NaiveDate};
use reqwest::StatusCode;
use serde_json::{Value, json};

const HOUR: i64 = 3_600_000_000;

/// The first day of the local month `back` months before the current one.
fn month_back(back: u32) -> NaiveDate {
    let today = local_date(now_micros());
    today.with_day(1).unwrap().checked_sub_months(Months::new(back)).unwrap()
}

fn month_text(back: u32) -> String {
    month_back(back).format("%Y-%m").to_string()
}

/// Creates and confirms an order of `quantity` units at `price`.
pub(crate) async fn confirmed_order(
    rep: &Session,
    customer_id: &Value,
    product: i64,
    quantity: i64,
    price: i64,
) -> Value {
    let lines = json!([{"product_id": product, "quantity": quantity, "unit_price": price}]);
    let created = rep.post("/api/v1/orders", json!({"customer_id": customer_id, "lines": lines})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let confirmed = rep.post(&format!("/api/v1/orders/{}/confirm", created.body["id"]), json!({})).await;
    assert_eq!(confirmed.body["status"], "confirmed", "{}", confirmed.body);
    confirmed.body
}

/// The system has no clock to turn back, so an order confirmed in an earlier month is recorded
/// as the sales service records a confirmation: its confirmation time and an `OrderConfirmed`
/// event with the order (analytics keeps the later event), on the 15th of the month at 10:00.
pub(crate) async fn backdate(system: &TestSystem, order: &Value, back: u32) {
    let at = start_of_local_day(month_back(back).checked_add_days(Days::new(14)).unwrap()) + 10 * HOUR;
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

fn net(order: &Value) -> i64 {
    order["total_net"].as_i64().unwrap()
}

/// `n / d` rounded half up, for non-negative figures.
fn half_up(n: i64, d: i64) -> i64 {
    (2 * n + d) / (2 * d)
}

fn series<'a>(report: &'a Value, list: &str, key: &str) -> &'a Value {
    let found = report[list].as_array().unwrap().iter().find(|s| s["key"] == key);
    found.unwrap_or_else(|| panic!("no series {key} in {list}: {report}"))
}

fn values(series: &Value, part: &str) -> Vec<i64> {
    series[part].as_array().unwrap().iter().map(|m| m["value"].as_i64().unwrap()).collect()
}

/// The history's value in the month `back` months ago.
fn month_value(series: &Value, back: u32) -> i64 {
    let month = month_text(back);
    let found = series["history"].as_array().unwrap().iter().find(|m| m["month"] == month.as_str());
    found.map_or(0, |m| m["value"].as_i64().unwrap())
}

/// (month, actual, forecast, method) of each backtest point.
fn backtest(series: &Value) -> Vec<(String, i64, i64, String)> {
    let points = series["backtest"].as_array().unwrap().iter();
    points
        .map(|p| {
            let text = |k: &str| p[k].as_str().unwrap().to_owned();
            (text("month"), p["actual"].as_i64().unwrap(), p["forecast"].as_i64().unwrap(), text("method"))
        })
        .collect()
}

async fn get(session: &Session, path: &str) -> Value {
    let reply = session.get(path).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    reply.body
}

#[tokio::test]
async fn revenue_and_demand_are_forecast_by_the_stated_rule_with_their_backtest_error() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let press = products.filter_press;
    let (hanoi, school) = stock_and_customer(&system, &products).await;
    let saigon = system.login("sales.hcm").await;
    let dealer = saigon.create_customer(customer("Công ty TNHH Thiết bị Phương Nam", "dealer", "HCM")).await;
    // Hà Nội: months 15 to 11 and 3 to 1 before the current one, (months back, units, price).
    let hn_plan = [(15, 1, 10_000_000), (14, 2, 10_000_000), (13, 3, 10_000_000), (12, 4, 10_000_000)];
    let hn_plan = hn_plan.into_iter().chain([(11, 5, 10_000_000), (3, 1, 12_000_000), (2, 1, 25_000_000)]);
    let hn_plan: Vec<(u32, i64, i64)> = hn_plan.chain([(1, 3, 9_000_000)]).collect();
    let mut hn = Vec::new();
    for (back, units, price) in &hn_plan {
        let order = confirmed_order(&hanoi, &school["id"], press, *units, *price).await;
        backdate(&system, &order, *back).await;
        hn.push((*back, order));
    }
    let hcm_two = confirmed_order(&saigon, &dealer["id"], press, 1, 5_000_000).await;
    let hcm_one = confirmed_order(&saigon, &dealer["id"], press, 1, 7_000_000).await;
    backdate(&system, &hcm_two, 2).await;
    backdate(&system, &hcm_one, 1).await;
    let dropped = confirmed_order(&hanoi, &school["id"], press, 1, 99_000_000).await;
    backdate(&system, &dropped, 1).await;
    let cancelled = hanoi.post(&format!("/api/v1/orders/{}/cancel", dropped["id"]), json!({})).await;
    assert_eq!(cancelled.body["status"], "cancelled", "{}", cancelled.body);
    let hn_net = |back: u32| hn.iter().filter(|(b, _)| *b == back).map(|(_, o)| net(o)).sum::<i64>();

    let director = system.login("director").await;
    let expected_total_last = hn_net(1) + net(&hcm_one);
    eventually("the backdated orders in the forecast's history", || async {
        let report = get(&director, "/api/v1/reports/forecast?horizon=4").await;
        month_value(&report["total"], 1) == expected_total_last && month_value(&report["total"], 15) == hn_net(15)
    })
    .await;
    let report = get(&director, "/api/v1/reports/forecast?horizon=4").await;
    assert_eq!((report["horizon"].as_i64(), report["currency"].as_str()), (Some(4), Some("VND")));
    assert_eq!(report["forecast_from"], month_text(0).as_str());
    assert_eq!(
        (report["history_from"].as_str(), report["history_to"].as_str()),
        (Some(&*month_text(24)), Some(&*month_text(1)))
    );

    // Hà Nội: 15 months of history, so the same month last year; the cancelled order is gone.
    let hanoi_series = series(&report, "by_office", "HN");
    assert_eq!(hanoi_series["method"], "seasonal_naive");
    assert_eq!(hanoi_series["history_months"], 15);
    assert_eq!(month_value(hanoi_series, 1), hn_net(1));
    assert_eq!(values(hanoi_series, "forecast"), vec![hn_net(12), hn_net(11), 0, 0]);
    let months: Vec<String> =
        hanoi_series["forecast"].as_array().unwrap().iter().map(|m| m["month"].as_str().unwrap().to_owned()).collect();
    assert_eq!(
        months,
        vec![
            month_text(0),
            month_back(0).checked_add_months(Months::new(1)).unwrap().format("%Y-%m").to_string(),
            month_back(0).checked_add_months(Months::new(2)).unwrap().format("%Y-%m").to_string(),
            month_back(0).checked_add_months(Months::new(3)).unwrap().format("%Y-%m").to_string()
        ]
    );
    let seasonal = "seasonal_naive".to_owned();
    let points = [(3, 15), (2, 14), (1, 13)]
        .map(|(back, year_before)| (month_text(back), hn_net(back), hn_net(year_before), seasonal.clone()));
    assert_eq!(backtest(hanoi_series), points.to_vec());
    let errors: Vec<i64> = points.iter().map(|(_, actual, forecast, _)| (actual - forecast).abs()).collect();
    assert_eq!(hanoi_series["mean_absolute_error"], half_up(errors.iter().sum(), 3));
    let mape: i64 = points.iter().zip(&errors).map(|((_, actual, _, _), e)| half_up(e * 10_000, *actual)).sum();
    assert_eq!(hanoi_series["mape_bp"], half_up(mape, 3));
    // The figures the plan gives: errors of 2, 5 and 3 million.
    assert_eq!(errors, vec![2_000_000, 5_000_000, 3_000_000]);
    assert_eq!(hanoi_series["mean_absolute_error"], 3_333_333);
    assert_eq!(hanoi_series["mape_bp"], 1_593);

    // Hồ Chí Minh City: two months, so their mean; its backtest had 0, 0 then 1 month before.
    let saigon_series = series(&report, "by_office", "HCM");
    assert_eq!(saigon_series["method"], "mean_of_last_3_months");
    assert_eq!(saigon_series["history_months"], 2);
    let mean = half_up(net(&hcm_two) + net(&hcm_one), 2);
    assert_eq!(values(saigon_series, "forecast"), vec![mean; 4]);
    let mean_method = "mean_of_last_3_months".to_owned();
    let expected = vec![
        (month_text(3), 0, 0, mean_method.clone()),
        (month_text(2), net(&hcm_two), 0, mean_method.clone()),
        (month_text(1), net(&hcm_one), net(&hcm_two), mean_method.clone()),
    ];
    assert_eq!(backtest(saigon_series), expected);
    assert_eq!(saigon_series["mean_absolute_error"], half_up(net(&hcm_two) + net(&hcm_one) - net(&hcm_two), 3));
    let mape = 10_000 + half_up((net(&hcm_one) - net(&hcm_two)) * 10_000, net(&hcm_one));
    assert_eq!(saigon_series["mape_bp"], half_up(mape, 2));
    assert_eq!(
        (saigon_series["mean_absolute_error"].as_i64(), saigon_series["mape_bp"].as_i64()),
        (Some(2_333_333), Some(6_429))
    );

    // The company and the one category hold both offices.
    let total = &report["total"];
    assert_eq!(total["method"], "seasonal_naive");
    assert_eq!(values(total, "forecast"), vec![hn_net(12), hn_net(11), 0, 0]);
    let category = &report["by_category"][0];
    assert_eq!(report["by_category"].as_array().unwrap().len(), 1);
    assert_eq!(values(category, "history"), values(total, "history"));

    // A sales manager sees their own office; the API refuses an out-of-range horizon.
    let manager = system.login("manager.hn").await;
    let own = get(&manager, "/api/v1/reports/forecast").await;
    assert_eq!((own["office"].as_str(), own["horizon"].as_i64()), (Some("HN"), Some(3)));
    assert_eq!(values(&own["total"], "forecast"), vec![hn_net(12), hn_net(11), 0]);
    assert_eq!(manager.get("/api/v1/reports/forecast?office=HCM").await.status, StatusCode::FORBIDDEN);
    for bad in ["horizon=2", "horizon=7", "horizon=0", "office=XX"] {
        let reply = director.get(&format!("/api/v1/reports/forecast?{bad}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}: {}", reply.body);
    }
    let rep = system.login("sales.hn").await;
    assert_eq!(rep.get("/api/v1/reports/forecast").await.status, StatusCode::FORBIDDEN);

    // Demand: units of the press per month, by the same rule.
    let demand = get(&director, &format!("/api/v1/reports/demand?product_id={press}&horizon=3")).await;
    assert_eq!((demand["measure"].as_str(), demand["product_id"].as_i64()), (Some("units"), Some(press)));
    let units = series(&demand, "by_product", &press.to_string());
    assert_eq!(units["method"], "seasonal_naive");
    // Units 4 and 5 a year ago; the backtest's last month had 3 + 1 units against 3.
    assert_eq!(values(units, "forecast"), vec![4, 5, 0]);
    assert_eq!(month_value(units, 2), 2);
    assert_eq!((units["mean_absolute_error"].as_i64(), units["mape_bp"].as_i64()), (Some(0), Some(833)));
    assert_eq!(units["model_code"], products_model(&director, press).await);
    let bad = director.get("/api/v1/reports/demand?product_id=0").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);

    // The weighted pipeline: open opportunities by expected close month, as sales weighs them.
    let pipeline = weighted_pipeline(&hanoi, &saigon, &school["id"], &dealer["id"]).await;
    eventually("the opportunities in the pipeline", || async {
        get(&director, "/api/v1/reports/forecast").await["pipeline"] == Value::Array(pipeline.clone())
    })
    .await;
    let own = get(&manager, "/api/v1/reports/forecast").await;
    assert_eq!(own["pipeline"], json!([pipeline[0]]), "a sales manager's office only");

    // The document lists the routes with their bounds.
    let document = system.anonymous().get("/api/openapi.json").await;
    let route = &document.body["paths"]["/api/v1/reports/forecast"]["get"];
    let horizon = route["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "horizon").unwrap();
    assert_eq!((horizon["schema"]["minimum"].as_i64(), horizon["schema"]["maximum"].as_i64()), (Some(3), Some(6)));
    assert!(document.body["paths"]["/api/v1/reports/demand"]["get"].is_object());

    // The web page states the method and the error in both languages, linked from the reports.
    let mut web = atq_tests::web::WebSession::sign_in(&system, "director", "vi").await;
    assert!(web.get("/reports").await.html.contains("href=\"/reports/forecast\""));
    let page = web.get("/reports/forecast?horizon=3").await;
    assert_eq!(page.status, StatusCode::OK);
    let mae = format!("{} ₫ · MAPE 15,93 %", vi_number(3_333_333));
    assert!(page.html.contains("Cùng tháng năm trước (15 tháng số liệu)") && page.html.contains(&mae), "{}", page.html);
    assert!(page.html.contains("<svg") && page.html.contains("forecast-table"), "{}", page.html);
    let mut english = atq_tests::web::WebSession::sign_in(&system, "director", "en").await;
    let page = english.get("/reports/forecast?office=HCM").await;
    assert!(page.html.contains("Mean of the last 3 months (2 months of history)"), "{}", page.html);
    assert!(page.html.contains("MAPE 64.29%"), "{}", page.html);
    system.stop().await;
}

/// The 5th of the month `ahead` months after the current one, as the API writes dates.
fn close_date(ahead: u32) -> String {
    let month = month_back(0).checked_add_months(Months::new(ahead)).unwrap();
    month.checked_add_days(Days::new(4)).unwrap().to_string()
}

async fn open_opportunity(rep: &Session, customer_id: &Value, value: i64, ahead: u32) -> Value {
    let body = json!({"customer_id": customer_id, "title": format!("Phòng thí nghiệm {value}"),
        "expected_value": value, "expected_close_on": close_date(ahead)});
    let created = rep.post("/api/v1/opportunities", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body
}

async fn move_opportunity(rep: &Session, opportunity: &Value, body: Value) -> Value {
    let path = format!("/api/v1/opportunities/{}", opportunity["id"]);
    let current = rep.get(&path).await;
    let etag = [("If-Match", current.header("etag").unwrap())];
    let moved = rep.send(reqwest::Method::POST, &format!("{path}/stage"), Some(body), &etag).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    moved.body
}

/// Opens four opportunities (one lost) and returns the pipeline they make per close month, from
/// the weighted values the sales service gives each.
async fn weighted_pipeline(hanoi: &Session, saigon: &Session, school: &Value, dealer: &Value) -> Vec<Value> {
    let prospect = open_opportunity(hanoi, school, 900_000_000, 1).await;
    let proposal = open_opportunity(hanoi, school, 333_333_333, 1).await;
    let proposal = move_opportunity(hanoi, &proposal, json!({"stage": "proposal"})).await;
    let later = open_opportunity(saigon, dealer, 500_000_000, 2).await;
    let lost = open_opportunity(saigon, dealer, 700_000_000, 2).await;
    move_opportunity(saigon, &lost, json!({"stage": "lost", "lost_reason": "price"})).await;
    let weighted = |o: &Value| o["weighted_value"].as_i64().unwrap();
    // 10% of 900 million; 50% of 333,333,333 = 166,666,666.5, rounded half up.
    assert_eq!((weighted(&prospect), weighted(&proposal)), (90_000_000, 166_666_667));
    let month = |ahead: u32| close_date(ahead)[..7].to_owned();
    vec![
        json!({"month": month(1), "opportunities": 2, "value": 1_233_333_333,
            "weighted": weighted(&prospect) + weighted(&proposal)}),
        json!({"month": month(2), "opportunities": 1, "value": 500_000_000, "weighted": weighted(&later)}),
    ]
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

async fn products_model(session: &Session, product: i64) -> Value {
    get(session, &format!("/api/v1/products/{product}")).await["model_code"].clone()
}
