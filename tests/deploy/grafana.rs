//! The Grafana dashboards (`deploy/grafana`): they query only metrics and labels the code records,
//! through the provisioned Prometheus datasource, and show service health, feeds, pools and
//! business counters.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value as Json;

use crate::alerts::alert_rules;
use crate::compose::{compose, compose_binds};
use crate::metrics::{Kind, METRICS};
use crate::promql::{check_promql, check_variable_query, template_labels};
use crate::support::{at, deploy, extension, files_under, json, keys, list, relative, text, yaml_one};

fn dashboards() -> Vec<(PathBuf, Json)> {
    files_under(&deploy().join("grafana/dashboards"))
        .into_iter()
        .filter(|path| extension(path) == "json")
        .map(|path| {
            let dashboard = json(&path);
            (path, dashboard)
        })
        .collect()
}

/// Every panel, rows' nested panels included.
fn panels(dashboard: &Json) -> Vec<&Json> {
    let mut all = Vec::new();
    let mut pending: Vec<&Json> =
        dashboard.get("panels").and_then(Json::as_array).map(|p| p.iter().collect()).unwrap_or_default();
    while let Some(panel) = pending.pop() {
        if let Some(nested) = panel.get("panels").and_then(Json::as_array) {
            pending.extend(nested);
        }
        all.push(panel);
    }
    all
}

/// (expression, legend) of every panel query.
fn dashboard_queries(dashboard: &Json) -> Vec<(String, String)> {
    panels(dashboard)
        .iter()
        .flat_map(|panel| panel.get("targets").and_then(Json::as_array).cloned().unwrap_or_default())
        .filter_map(|target| {
            let expr = target.get("expr")?.as_str()?.to_owned();
            let legend = target.get("legendFormat").and_then(Json::as_str).unwrap_or("").to_owned();
            Some((expr, legend))
        })
        .collect()
}

fn variable_queries(dashboard: &Json) -> Vec<String> {
    dashboard
        .pointer("/templating/list")
        .and_then(Json::as_array)
        .map(|variables| {
            variables
                .iter()
                .filter(|v| v.get("type").and_then(Json::as_str) == Some("query"))
                .filter_map(|v| match v.get("query") {
                    Some(Json::String(query)) => Some(query.clone()),
                    Some(query) => query.get("query").and_then(Json::as_str).map(str::to_owned),
                    None => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every `"datasource"` object anywhere in a dashboard.
fn datasources(value: &Json, found: &mut Vec<Json>) {
    match value {
        Json::Object(object) => {
            for (key, inner) in object {
                if key == "datasource" {
                    found.push(inner.clone());
                } else {
                    datasources(inner, found);
                }
            }
        }
        Json::Array(items) => items.iter().for_each(|item| datasources(item, found)),
        _ => {}
    }
}

#[test]
fn every_metric_in_the_dashboards_and_alert_rules_is_one_the_code_records() {
    let mut problems = Vec::new();
    let mut queries = 0;
    for (path, dashboard) in dashboards() {
        for (expr, legend) in dashboard_queries(&dashboard) {
            queries += 1;
            problems.extend(
                check_promql(&expr, &template_labels(&legend)).into_iter().map(|p| format!("{}: {p}", relative(&path))),
            );
        }
        for query in variable_queries(&dashboard) {
            problems.extend(check_variable_query(&query).into_iter().map(|p| format!("{}: {p}", relative(&path))));
        }
    }
    for rule in alert_rules() {
        let expr = text(&rule, "expr").expect("every rule has an expr");
        queries += 1;
        let shown: BTreeSet<String> = keys(at(&rule, "annotations"))
            .iter()
            .filter_map(|key| text(&rule, &format!("annotations.{key}")))
            .flat_map(template_labels)
            .collect();
        problems.extend(check_promql(expr, &shown).into_iter().map(|p| format!("alerts.yml: {p}")));
    }
    assert!(queries >= 30, "expected the dashboards' and the rules' queries, found {queries}");
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_dashboard_has_a_uid_and_queries_the_provisioned_prometheus_datasource() {
    let mut uids = BTreeSet::new();
    for (path, dashboard) in dashboards() {
        let uid = dashboard.get("uid").and_then(Json::as_str).unwrap_or("");
        assert!(!uid.is_empty() && uid.len() <= 40, "{}: uid {uid:?}", relative(&path));
        assert!(uids.insert(uid.to_owned()), "{}: uid {uid} is used twice", relative(&path));
        assert!(dashboard.get("title").and_then(Json::as_str).is_some_and(|t| !t.is_empty()));
        let mut found = Vec::new();
        datasources(&dashboard, &mut found);
        assert!(!found.is_empty(), "{}: panels name their datasource", relative(&path));
        for datasource in found {
            assert_eq!(
                datasource.get("uid").and_then(Json::as_str),
                Some("prometheus"),
                "{}: {datasource}",
                relative(&path)
            );
        }
        let mut ids = BTreeSet::new();
        for panel in panels(&dashboard) {
            let id = panel.get("id").and_then(Json::as_u64).expect("every panel has an id");
            assert!(ids.insert(id), "{}: panel id {id} twice", relative(&path));
        }
    }
    assert_eq!(uids.len(), 4, "four dashboards");

    let provisioning = deploy().join("grafana/provisioning");
    let datasources = yaml_one(&provisioning.join("datasources/prometheus.yaml"));
    let prometheus = list(&datasources, "datasources").iter().find(|d| text(d, "uid") == Some("prometheus"));
    let prometheus = prometheus.expect("a provisioned datasource with uid prometheus");
    assert_eq!(text(prometheus, "type"), Some("prometheus"));
    let providers = yaml_one(&provisioning.join("dashboards/atq.yaml"));
    let dashboard_path = text(&list(&providers, "providers")[0], "options.path").unwrap().to_owned();
    let compose = compose();
    let grafana = at(&compose, "services.grafana").unwrap();
    let mounted = compose_binds(grafana)
        .into_iter()
        .find(|(_, target)| *target == dashboard_path)
        .unwrap_or_else(|| panic!("compose mounts the dashboards at {dashboard_path}"));
    assert_eq!(mounted.0.canonicalize().unwrap(), deploy().join("grafana/dashboards").canonicalize().unwrap());
}

#[test]
fn the_dashboards_show_service_health_feeds_pools_and_business() {
    let expressions: Vec<String> = dashboards()
        .iter()
        .map(|(_, d)| dashboard_queries(d).into_iter().map(|(e, _)| e).collect::<Vec<_>>().join("\n"))
        .collect();
    let has = |needles: &[&str]| expressions.iter().any(|all| needles.iter().all(|n| all.contains(n)));
    assert!(
        has(&[
            "rate(atq_http_requests_total",
            r#"status=~"5.."#,
            "histogram_quantile(0.5, sum by (route, le) (rate(atq_http_request_duration_seconds_bucket",
            "histogram_quantile(0.99, sum by (route, le) (rate(atq_http_request_duration_seconds_bucket",
            "rate(atq_grpc_server_requests_total",
            r#"code!="Ok""#,
            "histogram_quantile(0.5, sum by (service, method, le) (rate(atq_grpc_server_request_duration_seconds_bucket",
            "histogram_quantile(0.99, sum by (service, method, le) (rate(atq_grpc_server_request_duration_seconds_bucket",
        ]),
        "service health: rate, errors, p50 and p99 per route and per method"
    );
    assert!(has(&["atq_feed_consumer_lag_events", "atq_feed_consumer_lag_seconds"]), "event feeds: consumer lag");
    assert!(has(&[r#"state="in_use""#, r#"state="idle""#]), "database pools");
    let business: Vec<String> = METRICS
        .iter()
        .filter(|(name, kind, labels)| *kind == Kind::Counter && labels.is_empty() && name.ends_with("_total"))
        .map(|(name, _, _)| format!("increase({name}[1h])"))
        .collect();
    assert_eq!(business.len(), 5);
    assert!(has(&business.iter().map(String::as_str).collect::<Vec<_>>()), "business: each counter per hour");
}
