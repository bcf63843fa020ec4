//! Logging and tracing, set up once per process. Spans carry OpenTelemetry context so that trace
//! ids exist and W3C `traceparent` travels in gRPC metadata and outbox events; exporting them is
//! configured separately.

use std::collections::HashMap;
use std::sync::OnceLock;

use opentelemetry::propagation::{Extractor, Injector};
use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
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

static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// Installs the global subscriber: `RUST_LOG` filter (default `info`), human or JSON lines.
pub fn init(format: LogFormat) {
    let fmt_layer = match format {
        LogFormat::Text => tracing_subscriber::fmt::layer().boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer().json().flatten_event(true).boxed(),
    };
    install(Some(fmt_layer), EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")));
}

/// Tests are silent unless `ATQ_TEST_LOG` holds a filter (e.g. `ATQ_TEST_LOG=debug`).
pub fn init_for_tests() {
    let fmt_layer =
        std::env::var("ATQ_TEST_LOG").ok().map(|_| tracing_subscriber::fmt::layer().with_test_writer().boxed());
    let filter = EnvFilter::new(std::env::var("ATQ_TEST_LOG").unwrap_or_else(|_| "info".into()));
    install(fmt_layer, filter);
}

type BoxedLayer = Box<dyn Layer<tracing_subscriber::Registry> + Send + Sync>;

fn install(fmt_layer: Option<BoxedLayer>, filter: EnvFilter) {
    if PROVIDER.get().is_some() {
        return;
    }
    let provider = PROVIDER.get_or_init(|| SdkTracerProvider::builder().build());
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
