//! One request, one trace: the gateway's span and every service span it causes share the
//! caller's trace id, and the event consumer's work links back to it.

#![allow(clippy::unwrap_used)]

use atq_tests::{TestSystem, customer, eventually};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SpanData};
use reqwest::{Method, StatusCode};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

fn spans_of_trace(exporter: &InMemorySpanExporter, trace_id: &str) -> Vec<SpanData> {
    exporter
        .get_finished_spans()
        .unwrap()
        .into_iter()
        .filter(|span| span.span_context.trace_id().to_string() == trace_id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_makes_one_trace_across_the_gateway_and_the_services() {
    let exporter = InMemorySpanExporter::default();
    atq_platform::telemetry::init_for_tests_with_exporter(exporter.clone());
    let system = TestSystem::start().await;
    let director = system.login("director").await;

    let traceparent = format!("00-{TRACE_ID}-00f067aa0ba902b7-01");
    let reply = director
        .send(
            Method::POST,
            "/api/v1/customers",
            Some(customer("Khách có vết", "dealer", "HN")),
            &[("traceparent", &traceparent)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);

    eventually("the gateway and sales spans", || async {
        let names: Vec<String> = spans_of_trace(&exporter, TRACE_ID).iter().map(|s| s.name.to_string()).collect();
        names.contains(&"POST /api/v1/customers".to_owned())
            && names.contains(&"/atq.sales.v1.Customers/CreateCustomer".to_owned())
    })
    .await;
    let spans = spans_of_trace(&exporter, TRACE_ID);
    let gateway = spans.iter().find(|s| s.name == "POST /api/v1/customers").unwrap();
    let sales = spans.iter().find(|s| s.name == "/atq.sales.v1.Customers/CreateCustomer").unwrap();
    assert_eq!(gateway.parent_span_id.to_string(), "00f067aa0ba902b7", "the gateway continues the caller's trace");
    assert_ne!(
        sales.parent_span_id,
        opentelemetry::trace::SpanId::INVALID,
        "the service span has a parent in the trace"
    );

    // Analytics applies the CustomerCreated event in its own trace, linked to this one.
    eventually("the consumer's linked span", || async {
        exporter.get_finished_spans().unwrap().iter().any(|span| {
            span.name == "feed.apply"
                && span.links.links.iter().any(|link| link.span_context.trace_id().to_string() == TRACE_ID)
        })
    })
    .await;

    // An error names its trace, so a user's report leads to it.
    let bad = director
        .send(
            Method::POST,
            "/api/v1/customers",
            Some(serde_json::json!({"name": ""})),
            &[("traceparent", &traceparent)],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["trace_id"], TRACE_ID);
    system.stop().await;
}
