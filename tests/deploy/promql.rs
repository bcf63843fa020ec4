//! A small PromQL scanner, enough to find the metric and label names in the expressions of the
//! dashboards and the alert rules, and the checks made with it against the metrics table.

use std::collections::BTreeSet;

use crate::metrics::{GRPC_CODES, Kind, METRICS, POOL_STATES, TARGET_LABELS};

/// What an expression refers to: metric names, label names (in matchers and in `by`/`without`/
/// `on`/`ignoring`/`group_*` lists), the matchers themselves, and the labels it groups by.
#[derive(Debug, Default)]
pub struct Query {
    pub metrics: BTreeSet<String>,
    pub labels: BTreeSet<String>,
    pub matchers: Vec<(String, String, String)>,
    pub grouping: BTreeSet<String>,
    /// An aggregation (`sum`, `max`, …) that keeps only its `by` labels, or drops its `without` ones.
    pub aggregated: bool,
    pub without: BTreeSet<String>,
}

/// Words that are not metric names even when no `(` follows them (`a and b`, `x > bool 1`).
const PROMQL_KEYWORDS: &str = "and or unless bool offset inf nan atan2 topk bottomk limitk limit_ratio";
const PROMQL_LABEL_LISTS: &[&str] = &["by", "without", "on", "ignoring", "group_left", "group_right"];
/// Aggregations whose result loses the labels they do not group by (`topk` and kin keep them).
const PROMQL_AGGREGATIONS: &[&str] =
    &["sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "quantile"];

struct Scanner<'e> {
    expr: &'e str,
    chars: Vec<char>,
    i: usize,
    query: Query,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn word(&mut self) -> String {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            self.i += 1;
        }
        self.chars[start..self.i].iter().collect()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
    }

    fn quoted(&mut self) -> String {
        let quote = self.chars[self.i];
        self.i += 1;
        let mut value = String::new();
        while self.peek().is_some_and(|c| c != quote) {
            if self.chars[self.i] == '\\' && quote != '`' {
                self.i += 1;
            }
            if let Some(c) = self.peek() {
                value.push(c);
            }
            self.i += 1;
        }
        self.i += 1;
        value
    }

    /// `{label="value", …}`, from just after the `{` to just after the `}`.
    fn matchers(&mut self) {
        loop {
            self.skip_spaces();
            match self.peek() {
                None | Some('}') => {
                    self.i += 1;
                    return;
                }
                Some(',') => {
                    self.i += 1;
                    continue;
                }
                Some(_) => {}
            }
            let label = self.word();
            self.skip_spaces();
            let start = self.i;
            while self.peek().is_some_and(|c| "=!~".contains(c)) {
                self.i += 1;
            }
            let op: String = self.chars[start..self.i].iter().collect();
            self.skip_spaces();
            let value = if self.peek().is_some_and(|c| "\"'`".contains(c)) { self.quoted() } else { String::new() };
            assert!(!label.is_empty() && !op.is_empty(), "cannot read the matchers of {}", self.expr);
            self.query.labels.insert(label.clone());
            self.query.matchers.push((label, op, value));
        }
    }

    /// A metric name, a function, an aggregation, a keyword or a label list.
    fn identifier(&mut self) {
        let ident = self.word();
        let mut after = self.i;
        while self.chars.get(after).is_some_and(|c| c.is_whitespace()) {
            after += 1;
        }
        let called = self.chars.get(after) == Some(&'(');
        if PROMQL_LABEL_LISTS.contains(&ident.as_str()) && called {
            let close = after + self.chars[after..].iter().position(|&c| c == ')').expect("an unclosed label list");
            let inside: String = self.chars[after + 1..close].iter().collect();
            for label in inside.split(',').map(str::trim).filter(|label| !label.is_empty()) {
                self.query.labels.insert(label.to_owned());
                if ident == "by" {
                    self.query.grouping.insert(label.to_owned());
                }
                if ident == "without" {
                    self.query.without.insert(label.to_owned());
                }
            }
            self.i = close + 1;
        } else if PROMQL_AGGREGATIONS.contains(&ident.as_str()) {
            self.query.aggregated = true;
        } else if !called && !PROMQL_KEYWORDS.split_whitespace().any(|k| k == ident.to_lowercase()) {
            self.query.metrics.insert(ident);
        }
    }

    fn scan(mut self) -> Query {
        while let Some(c) = self.peek() {
            if c == '"' || c == '\'' || c == '`' {
                self.quoted();
            } else if c == '[' {
                while self.peek().is_some_and(|c| c != ']') {
                    self.i += 1;
                }
                self.i += 1;
            } else if c == '{' {
                self.i += 1;
                self.matchers();
            } else if c == '$' {
                self.i += 1;
                self.word();
            } else if c.is_ascii_digit() || (c == '.' && self.chars.get(self.i + 1).is_some_and(char::is_ascii_digit)) {
                // Numbers and durations (5m, 1e3, 0.99).
                while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == '.') {
                    self.i += 1;
                }
            } else if c.is_ascii_alphabetic() || c == '_' || c == ':' {
                self.identifier();
            } else {
                self.i += 1;
            }
        }
        self.query
    }
}

pub fn scan_promql(expr: &str) -> Query {
    Scanner { expr, chars: expr.chars().collect(), i: 0, query: Query::default() }.scan()
}

/// The labels the metrics of `query` carry (and the target's own); problems for unknown metrics.
fn known_labels(query: &Query, expr: &str, problems: &mut Vec<String>) -> BTreeSet<String> {
    let mut allowed: BTreeSet<String> = TARGET_LABELS.iter().map(|l| l.to_string()).collect();
    for metric in &query.metrics {
        if metric == "up" {
            continue;
        }
        let known = METRICS.iter().find(|(name, kind, _)| match kind {
            Kind::Histogram => ["_bucket", "_sum", "_count"].iter().any(|suffix| *metric == format!("{name}{suffix}")),
            _ => *name == metric.as_str(),
        });
        match known {
            Some((_, _, labels)) => {
                allowed.extend(labels.iter().map(|l| l.to_string()));
                if metric.ends_with("_bucket") {
                    allowed.insert("le".into());
                }
            }
            None => problems.push(format!("{metric} is not a metric the code records (in {expr})")),
        }
    }
    allowed
}

/// Matchers on `code` and `state` name values those labels take.
fn matcher_problems(query: &Query, expr: &str, problems: &mut Vec<String>) {
    for (label, op, value) in &query.matchers {
        let values: &[&str] = match label.as_str() {
            "code" => GRPC_CODES,
            "state" => POOL_STATES,
            _ => continue,
        };
        if value.contains('$') {
            continue;
        }
        let alternatives: Vec<&str> = if op.contains('~') { value.split('|').collect() } else { vec![value] };
        for alternative in alternatives {
            if !values.contains(&alternative) {
                problems.push(format!("{label}={alternative:?} is not one of {values:?} (in {expr})"));
            }
        }
    }
}

/// Checks one expression against METRICS; returns the problems found.
pub fn check_promql(expr: &str, legend_labels: &BTreeSet<String>) -> Vec<String> {
    let query = scan_promql(expr);
    let mut problems = Vec::new();
    if query.metrics.is_empty() {
        problems.push(format!("no metric in {expr}"));
    }
    let allowed = known_labels(&query, expr, &mut problems);
    for label in query.labels.difference(&allowed) {
        problems.push(format!("label {label} is not a label of {:?} (in {expr})", query.metrics));
    }
    matcher_problems(&query, expr, &mut problems);
    // Labels a legend or an alert message shows must survive the aggregation.
    let output = if !query.grouping.is_empty() {
        query.grouping.clone()
    } else if query.aggregated && query.without.is_empty() {
        BTreeSet::new()
    } else if query.aggregated {
        allowed.difference(&query.without).cloned().collect()
    } else {
        allowed
    };
    for label in legend_labels.difference(&output) {
        problems.push(format!("{label} is shown but the result of {expr} has no such label"));
    }
    problems
}

/// `{{route}}`, `{{ $labels.route }}`: the label names a legend or an annotation shows.
pub fn template_labels(template: &str) -> BTreeSet<String> {
    let mut labels = BTreeSet::new();
    for piece in template.split("{{").skip(1) {
        let inside = piece.split("}}").next().unwrap_or("").trim();
        let inside = inside.split('|').next().unwrap_or("").trim();
        if let Some(label) = inside.strip_prefix("$labels.") {
            labels.insert(label.trim().to_owned());
        } else if !inside.starts_with('$') && !inside.is_empty() && !inside.contains(' ') {
            labels.insert(inside.to_owned());
        }
    }
    labels
}

/// A Grafana variable query: `label_values(metric{…}, label)` or a PromQL expression.
pub fn check_variable_query(query: &str) -> Vec<String> {
    let Some(inner) = query.trim().strip_prefix("label_values(").and_then(|q| q.strip_suffix(')')) else {
        return check_promql(query, &BTreeSet::new());
    };
    let (selector, label) = inner.rsplit_once(',').unwrap_or(("", inner));
    let label = label.trim();
    if selector.is_empty() {
        return vec![format!("{query}: name the metric in label_values")];
    }
    let mut problems = check_promql(selector, &BTreeSet::new());
    let metric = scan_promql(selector).metrics.into_iter().next().unwrap_or_default();
    if let Some((_, _, labels)) = METRICS.iter().find(|(name, _, _)| *name == metric)
        && !labels.contains(&label)
    {
        problems.push(format!("{query}: {metric} has no label {label}"));
    }
    problems
}

#[test]
fn the_promql_scanner_finds_metrics_labels_and_mistakes() {
    let query = scan_promql(
        r#"histogram_quantile(0.99, sum by (route, le) (rate(atq_http_request_duration_seconds_bucket{route=~"$route"}[$__rate_interval]))) > 1"#,
    );
    assert_eq!(query.metrics, ["atq_http_request_duration_seconds_bucket".to_owned()].into());
    assert_eq!(query.labels, ["le".to_owned(), "route".to_owned()].into());
    assert!(
        check_promql(r#"sum(rate(atq_grpc_server_requests_total{code="OK"}[5m]))"#, &BTreeSet::new())[0].contains("OK")
    );
    assert!(!check_promql("rate(http_requests_total[5m])", &BTreeSet::new()).is_empty());
    assert!(!check_promql("atq_http_request_duration_seconds", &BTreeSet::new()).is_empty(), "a histogram's bare name");
    assert!(!check_promql(r#"sum by (status) (atq_db_pool_connections{state="idle"})"#, &BTreeSet::new()).is_empty());
    let route: BTreeSet<String> = ["route".to_owned()].into();
    assert!(!check_promql("sum(rate(atq_http_requests_total[5m]))", &route).is_empty(), "route is summed away");
    assert!(check_promql("up == 0", &["job".to_owned()].into()).is_empty());
}
