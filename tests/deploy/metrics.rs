//! The metrics the code records, which the dashboards and the alert rules may query.
//!
//! The names are string literals at the recording sites (`metrics::counter!("…")` in
//! services/platform, the services and the gateway); no crate exports them as a list. So the
//! table below is written by hand, and `the_metrics_table_mirrors_what_the_code_records` scans
//! the sources for the recording macros to keep it honest: the one place this test still reads
//! Rust source as text.

use std::collections::{BTreeMap, BTreeSet};

use crate::facts::BINARY;
use crate::support::{extension, files_under, read, repo};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// Every metric the code records: name, kind, labels.
pub const METRICS: &[(&str, Kind, &[&str])] = &[
    ("atq_http_requests_total", Kind::Counter, &["method", "route", "status"]),
    ("atq_http_request_duration_seconds", Kind::Histogram, &["method", "route"]),
    ("atq_grpc_server_requests_total", Kind::Counter, &["service", "method", "code"]),
    ("atq_grpc_server_request_duration_seconds", Kind::Histogram, &["service", "method"]),
    ("atq_db_pool_connections", Kind::Gauge, &["service", "state"]),
    ("atq_feed_consumer_position", Kind::Gauge, &["feed"]),
    ("atq_feed_consumer_lag_events", Kind::Gauge, &["feed"]),
    ("atq_feed_consumer_lag_seconds", Kind::Gauge, &["feed"]),
    ("atq_outbox_last_position", Kind::Gauge, &["service"]),
    ("atq_backup_last_success_timestamp_seconds", Kind::Gauge, &[]),
    ("atq_backup_last_size_bytes", Kind::Gauge, &[]),
    ("atq_customers_created_total", Kind::Counter, &[]),
    ("atq_orders_confirmed_total", Kind::Counter, &[]),
    ("atq_dispatch_orders_shipped_total", Kind::Counter, &[]),
    ("atq_invoices_issued_total", Kind::Counter, &[]),
    ("atq_payments_matched_total", Kind::Counter, &[]),
];
/// Values of the `code` label: tonic's `Code` as `{:?}` prints it.
pub const GRPC_CODES: &[&str] = &[
    "Ok",
    "Cancelled",
    "Unknown",
    "InvalidArgument",
    "DeadlineExceeded",
    "NotFound",
    "AlreadyExists",
    "PermissionDenied",
    "ResourceExhausted",
    "FailedPrecondition",
    "Aborted",
    "OutOfRange",
    "Unimplemented",
    "Internal",
    "Unavailable",
    "DataLoss",
    "Unauthenticated",
];
/// Values of the `state` label of `atq_db_pool_connections`.
pub const POOL_STATES: &[&str] = &["in_use", "idle"];
/// Labels Prometheus adds to every scraped series, and the series it makes itself.
pub const TARGET_LABELS: &[&str] = &["job", "instance"];

/// Metric names, kinds and literal label names (`"feed" => …`) in `metrics::counter!("…")`-style
/// calls under services/ and gateway/. Labels passed as an array are not seen.
fn metrics_in_code() -> BTreeMap<String, (Kind, BTreeSet<String>)> {
    let mut found = BTreeMap::new();
    for dir in ["services", "gateway"] {
        for path in files_under(&repo().join(dir)).into_iter().filter(|p| extension(p) == "rs") {
            record_metric_calls(&read(&path), &mut found);
        }
    }
    found
}

fn record_metric_calls(source: &str, found: &mut BTreeMap<String, (Kind, BTreeSet<String>)>) {
    for (macro_name, kind) in
        [("counter!(\"", Kind::Counter), ("gauge!(\"", Kind::Gauge), ("histogram!(\"", Kind::Histogram)]
    {
        for (index, _) in source.match_indices(macro_name) {
            let rest = &source[index + macro_name.len()..];
            let name = &rest[..rest.find('"').unwrap()];
            // The call ends where the macro's `)` meets `.set(`, `.increment(`, `.record(`.
            let call = &rest[..rest.find(").").unwrap_or(rest.len())];
            let labels =
                call.match_indices("\" =>").filter_map(|(end, _)| call[..end].rsplit('"').next()).map(str::to_owned);
            let entry = found.entry(name.to_owned()).or_insert((kind, BTreeSet::new()));
            entry.1.extend(labels);
        }
    }
}

#[test]
fn the_metrics_table_mirrors_what_the_code_records() {
    let launcher = read(&repo().join("services/launcher/Cargo.toml"));
    let bin = &launcher[launcher.find("[[bin]]").expect("the launcher declares its binary")..];
    let bin_name = bin.lines().find_map(|line| line.strip_prefix("name = ")).map(|n| n.trim_matches('"'));
    assert_eq!(bin_name, Some(BINARY));

    // Metrics the code records already must have the kind and labels listed here.
    let recorded = metrics_in_code();
    assert!(recorded.contains_key("atq_http_requests_total"), "the metrics scan found the gateway's counter");
    for (metric, (kind, labels)) in recorded {
        match METRICS.iter().find(|(name, _, _)| *name == metric) {
            Some((_, listed, listed_labels)) => {
                assert_eq!(*listed, kind, "{metric} is recorded as a {kind:?}");
                for label in labels {
                    assert!(listed_labels.contains(&label.as_str()), "{metric} is recorded with label {label}");
                }
            }
            None => println!("note: the code records {metric}, which METRICS does not list"),
        }
    }
}
