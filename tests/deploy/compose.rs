//! The compose file (`deploy/compose/compose.yaml`), the image it builds (`deploy/Dockerfile`)
//! and the database URLs it and the Kubernetes Secrets give each module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_yaml::Value as Yaml;

use crate::facts::{
    BINARY, UID, address_env, all_modules, calls, database_env, database_name, gateway, grpc_port, http_port,
    parse_invocation,
};
use crate::kube::{k8s_base, k8s_production};
use crate::support::{
    at, database_of, deploy, files_under, host_of, is_yaml, keys, list, port_of, read, relative, repo, run_tool,
    scalar, strings, text, tool_runs, yaml, yaml_one,
};

pub fn compose_path() -> PathBuf {
    deploy().join("compose/compose.yaml")
}

pub fn compose() -> Yaml {
    yaml_one(&compose_path())
}

/// Compose `environment:` as a map or as a `KEY=VALUE` list.
pub fn compose_env(service: &Yaml) -> BTreeMap<String, String> {
    match at(service, "environment") {
        Some(Yaml::Mapping(mapping)) => mapping
            .iter()
            .filter_map(|(key, value)| Some((key.as_str()?.to_owned(), scalar(value).unwrap_or_default())))
            .collect(),
        Some(Yaml::Sequence(items)) => items
            .iter()
            .filter_map(Yaml::as_str)
            .map(|item| {
                let (key, value) = item.split_once('=').unwrap_or((item, ""));
                (key.to_owned(), value.to_owned())
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// The compose services built from, or running, the atq image.
pub fn compose_atq_services(compose: &Yaml) -> Vec<(String, &Yaml)> {
    let image = |service: &Yaml| text(service, "image").unwrap_or("").to_owned();
    at(compose, "services")
        .and_then(Yaml::as_mapping)
        .expect("compose.yaml has services")
        .iter()
        .filter(|(_, service)| at(service, "build").is_some() || image(service).starts_with("atq"))
        .map(|(key, service)| (key.as_str().unwrap().to_owned(), service))
        .collect()
}

/// Bind-mount sources (`./x:/y`, `../x:/y:ro`) of a compose service, resolved on the disk.
pub fn compose_binds(service: &Yaml) -> Vec<(PathBuf, String)> {
    let dir = compose_path().parent().unwrap().to_path_buf();
    list(service, "volumes")
        .iter()
        .filter_map(Yaml::as_str)
        .filter(|volume| volume.starts_with('.') || volume.starts_with('/'))
        .map(|volume| {
            let mut parts = volume.split(':');
            let source = dir.join(parts.next().unwrap());
            (source, parts.next().unwrap_or("").to_owned())
        })
        .collect()
}

fn compose_tool() -> Option<Vec<&'static str>> {
    if tool_runs("docker", &["compose", "version"]) {
        Some(vec!["docker", "compose"])
    } else if tool_runs("docker-compose", &["version"]) {
        Some(vec!["docker-compose"])
    } else {
        None
    }
}

#[test]
fn the_compose_file_runs_every_module_in_its_own_container() {
    let compose = compose();
    let services = compose_atq_services(&compose);
    let mut names: Vec<&str> = services.iter().map(|(name, _)| name.as_str()).collect();
    names.sort();
    let mut expected = all_modules();
    expected.sort();
    assert_eq!(names, expected, "one compose service per module, named as the default addresses expect");
    for (service, definition) in &services {
        let invocation =
            parse_invocation(&strings(at(definition, "command"))).unwrap_or_else(|e| panic!("{service}: {e}"));
        assert_eq!(invocation.command, "serve", "{service}");
        assert_eq!(invocation.modules, [service.as_str()], "{service} serves itself");
        let build = at(definition, "build").unwrap_or_else(|| panic!("{service} is built from the repository"));
        let context = compose_path().parent().unwrap().join(text(build, "context").unwrap());
        assert_eq!(context.canonicalize().unwrap(), repo().canonicalize().unwrap(), "{service}: build context");
        assert_eq!(text(build, "dockerfile"), Some("deploy/Dockerfile"), "{service}: dockerfile");
        assert_eq!(at(definition, "read_only").and_then(Yaml::as_bool), Some(true), "{service}: read-only root");

        let env = compose_env(definition);
        let databases: Vec<&String> = env.keys().filter(|v| v.ends_with("_DATABASE_URL")).collect();
        assert_eq!(databases, [&database_env(service)], "{service}: its own database only");
        assert!(env.contains_key("ATQ_INTERNAL_KEY"), "{service}: ATQ_INTERNAL_KEY");
        assert_eq!(
            env.contains_key("ATQ_TOKEN_KEY"),
            service == gateway(),
            "{service}: ATQ_TOKEN_KEY is the gateway's"
        );
        for peer in calls(service) {
            let url = env.get(&address_env(peer)).unwrap_or_else(|| panic!("{service} calls {peer}"));
            assert_eq!(host_of(url), Some(*peer), "{service} reaches {peer} by its compose name");
            assert_eq!(port_of(url), Some(grpc_port()));
        }
        let endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT").expect("traces go to the collector");
        assert_eq!(host_of(endpoint), Some("otel-collector"));
        assert_eq!(port_of(endpoint), Some(4317), "OTLP over gRPC");
    }
    let gateway = &services.iter().find(|(name, _)| name == gateway()).unwrap().1;
    let env = compose_env(gateway);
    assert_eq!(port_of(&env["ATQ_HTTP_ADDR"]), Some(http_port()));
    let published = strings(at(gateway, "ports"));
    assert!(
        published.iter().any(|p| p.ends_with(&format!(":{}", http_port()))),
        "the gateway publishes {}: {published:?}",
        http_port()
    );

    let others = at(&compose, "services").unwrap();
    let image =
        |service: &str| text(others, &format!("{service}.image")).unwrap_or_else(|| panic!("compose has {service}"));
    assert!(image("postgres").starts_with("postgres:16"), "PostgreSQL 16");
    assert!(image("otel-collector").starts_with("otel/opentelemetry-collector-contrib"));
    assert!(image("prometheus").starts_with("prom/prometheus"));
    assert!(image("grafana").starts_with("grafana/grafana"));
    for service in ["postgres", "otel-collector", "prometheus", "grafana"] {
        for (source, _) in compose_binds(others.get(service).unwrap()) {
            assert!(source.exists(), "compose {service} mounts {}, which is missing", source.display());
        }
    }
}

#[test]
fn the_database_urls_name_each_modules_own_postgresql_database() {
    let mut checked = 0;
    let mut check = |origin: &str, variable: &str, url: &str| {
        let Some(module) = all_modules().into_iter().find(|m| database_env(m) == variable) else {
            panic!("{origin}: {variable} names no module");
        };
        assert!(url.starts_with("postgres://") || url.starts_with("postgresql://"), "{origin}: {variable} = {url}");
        assert_eq!(database_of(url), Some(database_name(module).as_str()), "{origin}: {variable} = {url}");
        checked += 1;
    };
    for dir in [k8s_base(), k8s_production()] {
        for path in files_under(&dir).into_iter().filter(|p| is_yaml(p)) {
            for document in yaml(&path) {
                if text(&document, "kind") != Some("Secret") {
                    continue;
                }
                for field in ["data", "stringData"] {
                    for key in keys(at(&document, field)).into_iter().filter(|k| k.ends_with("_DATABASE_URL")) {
                        let url = text(&document, &format!("{field}.{key}")).unwrap().to_owned();
                        check(&relative(&path), &key, &url);
                    }
                }
            }
        }
    }
    let compose = compose();
    for (service, definition) in compose_atq_services(&compose) {
        for (variable, url) in compose_env(definition).into_iter().filter(|(k, _)| k.ends_with("_DATABASE_URL")) {
            check(&format!("compose service {service}"), &variable, &url);
        }
    }
    assert!(checked >= 15, "the base Secret, the production Secret and compose each give five URLs; saw {checked}");

    // The compose PostgreSQL creates exactly those databases.
    let init = files_under(&deploy().join("compose/postgres"));
    let created: BTreeSet<String> = init
        .iter()
        .flat_map(|path| read(path).lines().map(str::to_owned).collect::<Vec<_>>())
        .filter_map(|line| {
            line.trim().strip_prefix("CREATE DATABASE ").map(|rest| rest.trim_end_matches(';').trim().to_owned())
        })
        .collect();
    let expected: BTreeSet<String> = all_modules().iter().map(|m| database_name(m)).collect();
    assert_eq!(created, expected, "the databases the compose init script creates");
}

#[test]
fn the_dockerfile_builds_the_launcher_and_runs_the_binary_as_an_unprivileged_user() {
    let dockerfile = read(&deploy().join("Dockerfile"));
    // Instructions, with continuation lines joined and comments left out.
    let mut instructions: Vec<(String, String)> = Vec::new();
    let mut pending = String::new();
    for line in dockerfile.lines() {
        if line.trim().starts_with('#') || (pending.is_empty() && line.trim().is_empty()) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(part) => pending.push_str(part),
            None => {
                pending.push_str(line);
                let (keyword, rest) = pending.trim().split_once(' ').unwrap_or((pending.trim(), ""));
                instructions.push((keyword.to_uppercase(), rest.trim().to_owned()));
                pending.clear();
            }
        }
    }
    let all = |keyword: &str| -> Vec<String> {
        instructions.iter().filter(|(k, _)| k == keyword).map(|(_, rest)| rest.clone()).collect()
    };
    let stages = all("FROM");
    assert_eq!(stages.len(), 2, "a build stage and a runtime stage: {stages:?}");
    assert!(stages[0].starts_with("rust:1-bookworm "), "builder: {}", stages[0]);
    assert_eq!(stages[1], "debian:bookworm-slim", "runtime");
    let runs = all("RUN").join("\n");
    let build = runs.split("cargo build").nth(1).and_then(|rest| rest.split("&&").next()).unwrap_or("");
    assert!(
        build.contains("--release") && build.contains("-p atq-launcher"),
        "cargo build --release -p atq-launcher: {build}"
    );
    assert!(runs.contains("ca-certificates"), "the runtime has CA certificates");
    assert!(runs.contains(&format!("--uid {UID}")), "a user with uid {UID}");
    let user = all("USER").pop().unwrap_or_default();
    assert_eq!(
        user.split(':').next(),
        Some(UID.to_string().as_str()),
        "runs as {UID} (numeric: runAsNonRoot can check it)"
    );
    let entrypoint: Vec<String> =
        serde_json::from_str(&all("ENTRYPOINT").pop().unwrap()).expect("ENTRYPOINT in exec form");
    assert_eq!(entrypoint, [format!("/usr/local/bin/{BINARY}")]);
    let cmd: Vec<String> = serde_json::from_str(&all("CMD").pop().unwrap()).expect("CMD in exec form");
    let invocation = parse_invocation(&cmd).unwrap();
    assert_eq!(invocation.command, "up");
    let http = invocation.options.get("--http").cloned().flatten().unwrap_or_default();
    assert_eq!(http, format!("0.0.0.0:{}", http_port()), "the gateway listens on every interface");
    assert_eq!(invocation.options.get("--data-dir").cloned().flatten().as_deref(), Some("/data"));

    let ignored = read(&repo().join(".dockerignore"));
    let ignored: BTreeSet<&str> = ignored.lines().map(|l| l.trim().trim_end_matches('/')).collect();
    for entry in ["target", "data", ".git"] {
        assert!(ignored.contains(entry), ".dockerignore leaves out {entry}");
    }
}

#[test]
fn docker_compose_accepts_the_compose_file_when_it_is_installed() {
    let Some(tool) = compose_tool() else {
        println!("note: neither `docker compose` nor docker-compose is installed; the compose check is skipped");
        return;
    };
    run_tool(&tool, &["-f", "deploy/compose/compose.yaml", "config", "-q"]);
}
