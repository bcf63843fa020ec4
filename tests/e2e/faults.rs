//! Faults the system must survive: a sibling service that accepts connections and never answers.

use std::time::{Duration, Instant};

use atq_platform::grpc_client::DEFAULT_DEADLINE;
use atq_tests::TestSystem;
use reqwest::StatusCode;

/// A listener on `address` that accepts every connection and never says a word: a service hung
/// in a way that a closed port (refused at once) does not show.
async fn hang_on(address: std::net::SocketAddr) -> tokio::task::JoinHandle<()> {
    let listener = tokio::net::TcpListener::bind(address).await.unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((connection, _)) = listener.accept().await {
            held.push(connection);
        }
    })
}

#[tokio::test]
async fn a_hung_service_makes_the_gateway_answer_504_in_time_without_piling_up_requests() {
    let mut system = TestSystem::start().await;
    let director = system.login("director").await;
    let address = system.stop_module("analytics").await.unwrap();
    let hung = hang_on(address).await;

    let started = Instant::now();
    let asked = (0..8).map(|_| director.get("/api/v1/reports/new-customers"));
    let answers = tokio::time::timeout(Duration::from_secs(60), futures::future::join_all(asked))
        .await
        .expect("the gateway answers at all");
    let waited = started.elapsed();
    for answer in &answers {
        assert_eq!(answer.status, StatusCode::GATEWAY_TIMEOUT, "{}", answer.body);
        assert_eq!(answer.header("content-type").unwrap(), "application/problem+json");
        assert_eq!(answer.body["status"], 504, "{}", answer.body);
    }
    // Eight requests at once wait out one deadline together, not one after another; the bound
    // is loose because the machine is shared, but a hang or a queue would pass it by far.
    assert!(waited >= DEFAULT_DEADLINE, "answered before the deadline: {waited:?}");
    assert!(waited < DEFAULT_DEADLINE + Duration::from_secs(5), "waited {waited:?}");

    hung.abort();
    let _ = hung.await;
    system.start_module("analytics", address).await.unwrap();
    let report = director.get("/api/v1/reports/new-customers").await;
    assert_eq!(report.status, StatusCode::OK, "the service answers again: {}", report.body);
    system.stop().await;
}
