//! The demand forecast page on the real system: a product's units per month (history and
//! forecast) as a chart and a table with its method and backtest error, in both languages, for
//! the roles that read reports and refused to the others; the table as the API's CSV; the page
//! reached from the revenue forecast and from the product's own page.

use atq_platform::business_time::{local_date, now_micros};
use atq_tests::shipping::stock_and_customer;
use atq_tests::web::WebSession;
use atq_tests::{TestSystem, eventually, seed_products};
use chrono::{Datelike, Months};
use reqwest::StatusCode;

use crate::analytics_forecast::{backdate, confirmed_order};

/// `YYYY-MM` of the local month `back` months before the current one.
fn month_back(back: u32) -> String {
    let first = local_date(now_micros()).with_day(1).and_then(|d| d.checked_sub_months(Months::new(back)));
    first.map(|d| d.format("%Y-%m").to_string()).unwrap_or_default()
}

/// The filter press sold 1, 2 and 3 units in the last three complete months: the mean of the
/// last 3 months, 2 units a month ahead.
async fn three_months_of_sales(system: &TestSystem) -> i64 {
    let products = seed_products(system).await;
    let press = products.filter_press;
    let (hanoi, school) = stock_and_customer(system, &products).await;
    for (back, units) in [(3, 1), (2, 2), (1, 3)] {
        let order = confirmed_order(&hanoi, &school["id"], press, units, 10_000_000).await;
        backdate(system, &order, back).await;
    }
    let director = system.login("director").await;
    let path = format!("/api/v1/reports/demand?product_id={press}");
    let last = month_back(1);
    eventually("the backdated orders in the demand history", || async {
        let report = director.get(&path).await.body;
        let history = report["total"]["history"].as_array().cloned().unwrap_or_default();
        history.iter().any(|m| m["month"] == last.as_str() && m["value"] == 3)
    })
    .await;
    press
}

#[tokio::test]
async fn a_products_demand_is_charted_tabled_and_downloaded_for_those_who_read_reports() {
    let system = TestSystem::start().await;
    let press = three_months_of_sales(&system).await;

    let mut director = WebSession::sign_in(&system, "director", "vi").await;
    let forecast = director.get("/reports/forecast").await;
    assert!(forecast.html.contains("href=\"/reports/demand\""), "{}", forecast.html);
    let product = director.get(&format!("/products/{press}")).await;
    assert!(product.html.contains(&format!("href=\"/reports/demand?product_id={press}\"")), "{}", product.html);
    let page = director.get(&format!("/reports/demand?product_id={press}&horizon=4")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for shown in [
        "Dự báo nhu cầu · LPLT 300",
        &format!("<option value=\"{press}\" selected>"),
        "<option value=\"4\" selected>",
        "Trung bình 3 tháng gần nhất (3 tháng số liệu)",
        "đơn vị · MAPE",
        "<svg",
        "id=\"demand-months\"",
        "id=\"demand-backtest\"",
        &format!("href=\"/reports/demand.csv?product_id={press}&#38;horizon=4\""),
    ] {
        assert!(page.html.contains(shown), "{shown} in {}", page.html);
    }
    let months = page.html.split("id=\"demand-months\"").nth(1).unwrap_or_default();
    let last = month_back(1).split('-').rev().collect::<Vec<_>>().join("/");
    assert!(months.contains(&format!("<th scope=\"row\">{last}</th>")), "{last} in {months}");
    assert_eq!(months.matches("<tr class=\"forecast\">").count(), 4, "four months ahead: {months}");

    let csv = director.get(&format!("/reports/demand.csv?product_id={press}&horizon=4")).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.html);
    assert!(csv.content_type.starts_with("text/csv"), "{}", csv.content_type);
    assert!(csv.html.starts_with("key,model_code,category,month,kind,units,method"), "{}", csv.html);
    let history_row = format!("{press},LPLT 300,");
    let row = csv.html.lines().find(|l| l.starts_with(&history_row) && l.contains(&month_back(1)));
    assert!(row.is_some_and(|r| r.contains(",history,3,mean_of_last_3_months,")), "{}", csv.html);
    let ahead = csv.html.lines().filter(|l| l.starts_with(&history_row) && l.contains(",forecast,2,")).count();
    assert_eq!(ahead, 4, "{}", csv.html);

    let mut accountant = WebSession::sign_in(&system, "accountant", "en").await;
    let all = accountant.get("/reports/demand").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.html);
    for shown in
        ["Demand forecast", "Mean of the last 3 months (3 months of history)", "id=\"demand-products\"", "units · MAPE"]
    {
        assert!(all.html.contains(shown), "{shown} in {}", all.html);
    }
    assert!(all.html.contains(&format!("href=\"/reports/demand?product_id={press}\"")), "{}", all.html);
    let refused = accountant.get("/reports/demand?product_id=abc").await;
    assert_eq!(refused.status, StatusCode::OK, "the selection's problem is shown on the page");
    assert!(refused.html.contains("id=\"demand-error\""), "{}", refused.html);
    let mut manager = WebSession::sign_in(&system, "manager.hn", "vi").await;
    assert_eq!(manager.get(&format!("/reports/demand?product_id={press}")).await.status, StatusCode::OK);

    for user in ["sales.hn", "warehouse"] {
        let mut other = WebSession::sign_in(&system, user, "en").await;
        assert_eq!(other.get("/reports/demand").await.status, StatusCode::FORBIDDEN, "{user}");
        assert_eq!(other.get("/reports/demand.csv").await.status, StatusCode::FORBIDDEN, "{user}");
        let product = other.get(&format!("/products/{press}")).await;
        assert!(!product.html.contains("id=\"product-demand\""), "{user} is not led to reports");
    }
    system.stop().await;
}
