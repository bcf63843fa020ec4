use atq_tests::{TestSystem, customer};
use reqwest::StatusCode;

#[tokio::test]
async fn health_readiness_metrics_and_the_api_document_answer() {
    let system = TestSystem::start().await;
    let anonymous = system.anonymous();
    assert_eq!(anonymous.get("/healthz").await.status, StatusCode::OK);
    let ready = anonymous.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body["checks"].as_array().unwrap().len(), 5);

    let director = system.login("director").await;
    director.create_customer(customer("Khách", "individual", "HN")).await;
    let metrics = anonymous.get("/metrics").await;
    let text = metrics.body.as_str().unwrap();
    for series in [
        "atq_http_requests_total{method=\"POST\",route=\"/api/v1/customers\",status=\"201\"}",
        "atq_http_request_duration_seconds_bucket",
        "atq_grpc_server_requests_total{service=\"sales\",method=\"/atq.sales.v1.Customers/CreateCustomer\",code=\"Ok\"}",
        "atq_customers_created_total",
        "atq_db_pool_connections{service=\"sales\",state=\"idle\"}",
        "atq_db_pool_connections{service=\"gateway\",state=\"in_use\"}",
        "atq_outbox_last_position{service=\"sales\"}",
        "atq_feed_consumer_lag_events{feed=\"sales\"}",
    ] {
        assert!(text.contains(series), "missing {series}");
    }

    let document = anonymous.get("/api/openapi.json").await;
    let paths = document.body["paths"].as_object().unwrap();
    for path in [
        "/api/v1/auth/login",
        "/api/v1/customers",
        "/api/v1/customers/{id}",
        "/api/v1/customers/{id}/history",
        "/api/v1/reports/new-customers",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
    assert_eq!(anonymous.get("/api/v1/nothing-here").await.status, StatusCode::NOT_FOUND);
    system.stop().await;
}
