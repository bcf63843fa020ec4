//! Logging and tracing, set up once per process. Spans carry OpenTelemetry context so that trace
//! ids exist and W3C `traceparent` travels in gRPC metadata and outbox events. Spans are exported
//! over OTLP only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; otherwise nothing leaves the process.

use std::collections::HashMap;
use std::sync::OnceLock;

use opentelemetry::propagation::{Extractor, Injector};
use opentelemetry::trace::{SpanContext, TraceContextExt, TracerProvider as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanExporter};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

pub const OTLP_ENDPOINT_ENV: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";

static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

fn resource(default_name: &str) -> Resource {
    let name =
        std::env::var("OTEL_SERVICE_NAME").ok().filter(|n| !n.is_empty()).unwrap_or_else(|| default_name.to_owned());
    Resource::builder().with_service_name(name).build()
}

/// Installs the global subscriber: `RUST_LOG` filter (default `info`), human or JSON lines, and
/// OTLP export of spans when an endpoint is configured.
pub fn init(format: LogFormat, service_name: &str) -> anyhow::Result<()> {
    let fmt_layer = match format {
        // A line break inside a value must not read as a log line of its own.
        LogFormat::Text => tracing_subscriber::fmt::layer().with_writer(crate::log_writer::EscapedStdout).boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer().json().flatten_event(true).boxed(),
    };
    let mut provider = SdkTracerProvider::builder().with_resource(resource(service_name));
    if std::env::var(OTLP_ENDPOINT_ENV).is_ok_and(|endpoint| !endpoint.is_empty()) {
        let exporter = opentelemetry_otlp::SpanExporter::builder().with_tonic().build()?;
        provider = provider.with_batch_exporter(exporter);
    }
    install(
        Some(fmt_layer),
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        provider.build(),
    );
    Ok(())
}

/// Tests are silent unless `ATQ_TEST_LOG` holds a filter (e.g. `ATQ_TEST_LOG=debug`).
pub fn init_for_tests() {
    install(test_fmt_layer(), test_filter(), SdkTracerProvider::builder().with_resource(resource("atq-test")).build());
}

/// For a test that inspects spans: every finished span goes to `exporter` as soon as it ends.
pub fn init_for_tests_with_exporter(exporter: impl SpanExporter + 'static) {
    let provider =
        SdkTracerProvider::builder().with_resource(resource("atq-test")).with_simple_exporter(exporter).build();
    install(test_fmt_layer(), test_filter(), provider);
}

fn test_fmt_layer() -> Option<BoxedLayer> {
    std::env::var("ATQ_TEST_LOG").ok().map(|_| tracing_subscriber::fmt::layer().with_test_writer().boxed())
}

fn test_filter() -> EnvFilter {
    EnvFilter::new(std::env::var("ATQ_TEST_LOG").unwrap_or_else(|_| "info".into()))
}

/// Sends the spans still buffered; call before the process exits.
pub fn shutdown() {
    if let Some(provider) = PROVIDER.get() {
        let _ = provider.force_flush();
    }
}

type BoxedLayer = Box<dyn Layer<tracing_subscriber::Registry> + Send + Sync>;

fn install(fmt_layer: Option<BoxedLayer>, filter: EnvFilter, provider: SdkTracerProvider) {
    if PROVIDER.set(provider).is_err() {
        return;
    }
    let Some(provider) = PROVIDER.get() else { return };
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let otel_layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("atq")).boxed();
    let layers: Vec<BoxedLayer> = fmt_layer.into_iter().chain([otel_layer]).collect();
    let _ = tracing_subscriber::registry().with(layers).with(filter).try_init();
}

struct HeaderInjector<'a>(&'a mut http::HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) =
            (http::header::HeaderName::from_bytes(key.as_bytes()), http::HeaderValue::from_str(&value))
        {
            self.0.insert(name, value);
        }
    }
}

struct HeaderExtractor<'a>(&'a http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|key| key.as_str()).collect()
    }
}

/// Writes the current span's trace context into outgoing HTTP headers.
pub fn inject_into_headers(headers: &mut http::HeaderMap) {
    let context = tracing::Span::current().context();
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&context, &mut HeaderInjector(headers));
    });
}

/// Writes the current span's trace context into outgoing gRPC metadata.
pub fn inject_into_metadata(metadata: &mut tonic::metadata::MetadataMap) {
    let mut headers = http::HeaderMap::new();
    inject_into_headers(&mut headers);
    for (name, value) in headers.iter() {
        if let (Ok(key), Ok(value)) = (
            tonic::metadata::MetadataKey::from_bytes(name.as_str().as_bytes()),
            tonic::metadata::AsciiMetadataValue::try_from(value.as_bytes()),
        ) {
            metadata.insert(key, value);
        }
    }
}

/// The trace context a caller sent, to parent the server's span.
pub fn extract_from_headers(headers: &http::HeaderMap) -> opentelemetry::Context {
    opentelemetry::global::get_text_map_propagator(|propagator| propagator.extract(&HeaderExtractor(headers)))
}

/// The span a stored `traceparent` names, for linking work done later to the request that caused it.
pub fn span_context_of(traceparent: &str) -> Option<SpanContext> {
    let carrier = HashMap::from([("traceparent".to_owned(), traceparent.to_owned())]);
    let context = opentelemetry::global::get_text_map_propagator(|propagator| propagator.extract(&carrier));
    let span_context = context.span().span_context().clone();
    span_context.is_valid().then_some(span_context)
}

/// The current `traceparent` (empty outside a traced request), stored with outbox events.
pub fn current_traceparent() -> String {
    let mut carrier = HashMap::new();
    let context = tracing::Span::current().context();
    opentelemetry::global::get_text_map_propagator(|propagator| propagator.inject_context(&context, &mut carrier));
    carrier.remove("traceparent").unwrap_or_default()
}

/// The current trace id in hex, for error bodies and support requests.
pub fn current_trace_id() -> Option<String> {
    let context = tracing::Span::current().context();
    let span = context.span();
    let span_context = span.span_context();
    span_context.is_valid().then(|| span_context.trace_id().to_string())
}
