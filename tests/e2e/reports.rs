use atq_tests::{Session, TestSystem, customer, eventually};
use reqwest::StatusCode;

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
