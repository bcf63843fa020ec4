//! Prometheus (`deploy/prometheus`): the alert rules cover targets down, error shares, latency and
//! feed lag; every module is scraped on its metrics port; and the OpenTelemetry collector's
//! pipelines are wired.

use std::collections::BTreeSet;

use serde_yaml::Value as Yaml;

use crate::facts::{gateway, grpc_modules, http_port, metrics_port};
use crate::support::{at, deploy, keys, list, port_of, run_tool, strings, text, tool_runs, yaml_one};

pub fn alert_rules() -> Vec<Yaml> {
    let alerts = yaml_one(&deploy().join("prometheus/alerts.yml"));
    list(&alerts, "groups").iter().flat_map(|group| list(group, "rules").to_vec()).collect()
}

#[test]
fn the_alert_rules_cover_targets_down_errors_latency_and_feed_lag() {
    let rules = alert_rules();
    let mut names = BTreeSet::new();
    for rule in &rules {
        let alert = text(rule, "alert").expect("alerting rules only");
        assert!(names.insert(alert.to_owned()), "{alert} twice");
        assert!(text(rule, "labels.severity").is_some(), "{alert}: severity");
        assert!(text(rule, "annotations.summary").is_some(), "{alert}: summary");
    }
    let find = |needle: &str| -> Vec<&Yaml> {
        rules
            .iter()
            .filter(|r| text(r, "expr").is_some_and(|e| e.split_whitespace().collect::<String>().contains(needle)))
            .collect()
    };
    let compact = |s: &str| s.split_whitespace().collect::<String>();
    assert_eq!(find("up==0").len(), 1, "a target down");
    let http = find(r#"atq_http_requests_total{status=~"5.."}"#);
    assert!(http.iter().any(|r| compact(text(r, "expr").unwrap()).ends_with(">0.05")), "HTTP 5xx share > 5%");
    let grpc = find("atq_grpc_server_requests_total{code");
    assert!(grpc.iter().any(|r| compact(text(r, "expr").unwrap()).ends_with(">0.05")), "gRPC error share > 5%");
    for rule in http.iter().chain(&grpc) {
        assert!(text(rule, "expr").unwrap().contains("[5m]"), "error shares over 5 minutes");
    }
    for histogram in ["atq_http_request_duration_seconds_bucket", "atq_grpc_server_request_duration_seconds_bucket"] {
        let latency = find(histogram);
        assert!(
            latency.iter().any(|r| {
                let expr = compact(text(r, "expr").unwrap());
                expr.starts_with("histogram_quantile(0.99,") && expr.ends_with(">1")
            }),
            "p99 of {histogram} over 1 s"
        );
    }
    for (metric, threshold) in [("atq_feed_consumer_lag_events", ">1000"), ("atq_feed_consumer_lag_seconds", ">300")] {
        let lag = find(metric);
        assert!(
            lag.iter().any(|r| compact(text(r, "expr").unwrap()).ends_with(threshold) && text(r, "for") == Some("10m")),
            "{metric} {threshold} for 10m"
        );
    }
}

#[test]
fn prometheus_scrapes_every_module_on_its_metrics_port_and_loads_the_rules() {
    let path = deploy().join("prometheus/prometheus.yml");
    let config = yaml_one(&path);
    let targets: BTreeSet<String> = list(&config, "scrape_configs")
        .iter()
        .flat_map(|job| list(job, "static_configs").to_vec())
        .flat_map(|group| strings(at(&group, "targets")))
        .collect();
    for module in grpc_modules() {
        let target = format!("{module}:{}", metrics_port());
        assert!(targets.contains(&target), "scrapes {target}: {targets:?}");
    }
    assert!(targets.contains(&format!("{}:{}", gateway(), http_port())), "scrapes the gateway on its HTTP port");
    let rule_files = strings(at(&config, "rule_files"));
    assert!(!rule_files.is_empty());
    for file in rule_files {
        assert!(path.parent().unwrap().join(&file).is_file(), "rule file {file} next to prometheus.yml");
    }
}

#[test]
fn the_otel_collector_receives_otlp_and_every_pipeline_is_wired() {
    let config = yaml_one(&deploy().join("otel-collector.yaml"));
    assert_eq!(port_of(text(&config, "receivers.otlp.protocols.grpc.endpoint").unwrap()), Some(4317));
    assert_eq!(port_of(text(&config, "receivers.otlp.protocols.http.endpoint").unwrap()), Some(4318));
    assert!(at(&config, "exporters.debug").is_some(), "a debug exporter");
    let pipelines = at(&config, "service.pipelines").and_then(Yaml::as_mapping).expect("pipelines");
    assert!(pipelines.contains_key("traces"));
    for (pipeline, definition) in pipelines {
        for section in ["receivers", "processors", "exporters"] {
            let declared = keys(at(&config, section));
            for component in strings(at(definition, section)) {
                assert!(
                    declared.contains(&component),
                    "pipeline {pipeline:?} uses {section} {component}, not declared"
                );
            }
        }
    }
    for extension in strings(at(&config, "service.extensions")) {
        assert!(keys(at(&config, "extensions")).contains(&extension), "extension {extension} is not declared");
    }
}

#[test]
fn promtool_accepts_the_prometheus_config_and_passes_the_rule_tests_when_it_is_installed() {
    if !tool_runs("promtool", &["--version"]) {
        // CI installs it (Debian's `prometheus`), so there a missing promtool is a failure.
        assert!(std::env::var_os("ATQ_CI").is_none(), "promtool is missing on CI");
        println!("note: promtool is not installed; the Prometheus config and rules check is skipped");
        return;
    }
    run_tool(&["promtool"], &["check", "config", "deploy/prometheus/prometheus.yml"]);
    run_tool(&["promtool"], &["check", "rules", "deploy/prometheus/alerts.yml"]);
    // The rules' own unit tests: each alert fires on the series it is meant for, and only then.
    run_tool(&["promtool"], &["test", "rules", "deploy/prometheus/alerts.test.yml"]);
}
