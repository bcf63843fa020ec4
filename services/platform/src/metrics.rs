//! Prometheus metrics for the whole process (one recorder, one `/metrics`), and the gRPC server
//! layer that times every call and opens its span under the caller's trace.

use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Instant;

use futures::future::BoxFuture;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tower::{Layer, Service};
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

const LATENCY_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Installs the process-wide recorder once; later calls return the same handle.
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new())
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed by an embedding program; ours then stays idle.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// The Prometheus text exposition of every metric of the process.
pub fn render() -> String {
    let handle = install();
    handle.run_upkeep();
    handle.render()
}

/// Connections of a pool in use and idle, as `atq_db_pool_connections{service, state}`.
pub fn sample_pool(db: &crate::Db, service: &'static str) {
    let size = db.pool().size() as f64;
    let idle = db.pool().num_idle() as f64;
    metrics::gauge!("atq_db_pool_connections", "service" => service, "state" => "in_use").set(size - idle);
    metrics::gauge!("atq_db_pool_connections", "service" => service, "state" => "idle").set(idle);
}

#[derive(Clone)]
pub struct GrpcObservabilityLayer {
    service: &'static str,
}

impl GrpcObservabilityLayer {
    pub fn new(service: &'static str) -> Self {
        GrpcObservabilityLayer { service }
    }
}

impl<S> Layer<S> for GrpcObservabilityLayer {
    type Service = GrpcObservability<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GrpcObservability { inner, service: self.service }
    }
}

#[derive(Clone)]
pub struct GrpcObservability<S> {
    inner: S,
    service: &'static str,
}

impl<S, B, RB> Service<http::Request<B>> for GrpcObservability<S>
where
    S: Service<http::Request<B>, Response = http::Response<RB>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let method = request.uri().path().to_owned();
        let span = tracing::info_span!(
            "grpc.server",
            otel.name = %method,
            otel.kind = "server",
            rpc.system = "grpc",
            atq.service = self.service,
            rpc.grpc.status_code = tracing::field::Empty,
        );
        let _ = span.set_parent(crate::telemetry::extract_from_headers(request.headers()));
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let service = self.service;
        let started = Instant::now();
        Box::pin(async move {
            let outcome = inner.call(request).instrument(span.clone()).await;
            // Errors from handlers are sent trailers-only, so their status is in the headers.
            let code = match &outcome {
                Ok(response) => response
                    .headers()
                    .get("grpc-status")
                    .and_then(|value| value.to_str().ok())
                    .and_then(|value| value.parse::<i32>().ok())
                    .unwrap_or(0),
                Err(_) => tonic::Code::Unknown as i32,
            };
            let code = tonic::Code::from_i32(code);
            span.record("rpc.grpc.status_code", code as i32);
            // Unknown paths would make the label set unbounded.
            let method = if code == tonic::Code::Unimplemented { "unknown".to_owned() } else { method };
            let labels = [("service", service.to_owned()), ("method", method), ("code", format!("{code:?}"))];
            metrics::counter!("atq_grpc_server_requests_total", &labels).increment(1);
            metrics::histogram!("atq_grpc_server_request_duration_seconds", &labels[..2])
                .record(started.elapsed().as_secs_f64());
            outcome
        })
    }
}
