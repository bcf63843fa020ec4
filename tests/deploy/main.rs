#![allow(clippy::unwrap_used)]

//! The deployment files under `deploy/` checked against the code: every YAML and JSON file
//! parses, the manifests run commands and modules the binary knows, listen and probe where the
//! code listens, name only configuration the code reads, and the dashboards and alert rules
//! query only metrics the code records. When `kustomize` (or `kubectl`), `docker compose` (or
//! `docker-compose`) or `promtool` is installed, they validate the files too; without them those
//! checks print a note and pass.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;
use serde_yaml::Value as Yaml;

// ---------------------------------------------------------------------------------------------
// Code facts. They mirror services/launcher/src/modules.rs (the modules), services/launcher/
// src/main.rs (the commands), services/launcher/src/config.rs (the listen ports; the `ATQ_*`
// variables are not listed here but derived from `struct Config` at test time) and the metrics
// that services/platform, the services and the gateway record. The test
// `the_code_facts_at_the_top_of_this_file_still_mirror_the_launcher` compares the first ones
// with the code itself.
// ---------------------------------------------------------------------------------------------

/// The binary that `cargo build -p atq-launcher` produces.
const BINARY: &str = "atq";
/// The modules that serve gRPC, each in its own container or pod.
const GRPC_MODULES: &[&str] = &["sales", "import-planning", "accounting-warehouse", "analytics"];
/// The HTTP module.
const GATEWAY: &str = "gateway";
/// `atq <command>`.
const COMMANDS: &[&str] = &["up", "serve", "migrate"];
/// Options of the binary, as (command, option, takes a value). `*` is global.
const OPTIONS: &[(&str, &str, bool)] = &[
    ("*", "--config", true),
    ("*", "--log-format", true),
    ("up", "--data-dir", true),
    ("up", "--http", true),
    ("up", "--demo", false),
    ("serve", "--listen", true),
];
/// The gRPC port of a service in serve mode (default of `grpc_addr`).
const GRPC_PORT: u64 = 50051;
/// The metrics and health HTTP port of a service in serve mode (`/metrics`, `/healthz`).
const METRICS_PORT: u64 = 9090;
/// The gateway's HTTP port (default of `http_addr`); it serves `/metrics` there too.
const HTTP_PORT: u64 = 8080;
/// The gateway's liveness and readiness paths.
const GATEWAY_LIVENESS: &str = "/healthz";
const GATEWAY_READINESS: &str = "/readyz";
/// The services each module calls, and so the `ATQ_<PEER>_ADDR` it needs: analytics reads the
/// sales and import-planning event feeds; the gateway calls every service.
const CALLS: &[(&str, &[&str])] = &[
    ("sales", &[]),
    ("import-planning", &[]),
    ("accounting-warehouse", &[]),
    ("analytics", &["sales", "import-planning"]),
    ("gateway", GRPC_MODULES),
];
/// Variables outside `ATQ_*` that the processes read.
const STANDARD_ENV: &[&str] = &["RUST_LOG", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME"];
/// The uid the image runs as.
const UID: u64 = 10001;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// Every metric the code records: name, kind, labels.
const METRICS: &[(&str, Kind, &[&str])] = &[
    ("atq_http_requests_total", Kind::Counter, &["method", "route", "status"]),
    ("atq_http_request_duration_seconds", Kind::Histogram, &["method", "route"]),
    ("atq_grpc_server_requests_total", Kind::Counter, &["service", "method", "code"]),
    ("atq_grpc_server_request_duration_seconds", Kind::Histogram, &["service", "method"]),
    ("atq_db_pool_connections", Kind::Gauge, &["service", "state"]),
    ("atq_feed_consumer_position", Kind::Gauge, &["feed"]),
    ("atq_feed_consumer_lag_events", Kind::Gauge, &["feed"]),
    ("atq_feed_consumer_lag_seconds", Kind::Gauge, &["feed"]),
    ("atq_outbox_last_position", Kind::Gauge, &["service"]),
    ("atq_customers_created_total", Kind::Counter, &[]),
    ("atq_orders_confirmed_total", Kind::Counter, &[]),
    ("atq_dispatch_orders_shipped_total", Kind::Counter, &[]),
    ("atq_invoices_issued_total", Kind::Counter, &[]),
    ("atq_payments_matched_total", Kind::Counter, &[]),
];
/// Values of the `code` label: tonic's `Code` as `{:?}` prints it.
const GRPC_CODES: &[&str] = &[
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
const POOL_STATES: &[&str] = &["in_use", "idle"];
/// Labels Prometheus adds to every scraped series, and the series it makes itself.
const TARGET_LABELS: &[&str] = &["job", "instance"];

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn deploy() -> PathBuf {
    repo().join("deploy")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() { pending.push(path) } else { files.push(path) }
        }
    }
    files.sort();
    files
}

fn extension(path: &Path) -> &str {
    path.extension().and_then(|e| e.to_str()).unwrap_or("")
}

fn is_yaml(path: &Path) -> bool {
    matches!(extension(path), "yaml" | "yml")
}

fn relative(path: &Path) -> String {
    path.strip_prefix(repo()).unwrap_or(path).display().to_string()
}

/// Every document of a YAML file (`---` separated), with `<<` merge keys applied as Compose
/// applies them. Empty documents are left out.
fn yaml_documents(path: &Path) -> Result<Vec<Yaml>, String> {
    use serde::Deserialize;
    let text = read(path);
    let mut documents = Vec::new();
    for document in serde_yaml::Deserializer::from_str(&text) {
        let mut value = Yaml::deserialize(document).map_err(|error| format!("{}: {error}", relative(path)))?;
        value.apply_merge().map_err(|error| format!("{}: {error}", relative(path)))?;
        if !value.is_null() {
            documents.push(value);
        }
    }
    Ok(documents)
}

fn yaml(path: &Path) -> Vec<Yaml> {
    yaml_documents(path).unwrap_or_else(|error| panic!("{error}"))
}

fn yaml_one(path: &Path) -> Yaml {
    let mut documents = yaml(path);
    assert_eq!(documents.len(), 1, "{} should hold one YAML document", relative(path));
    documents.remove(0)
}

fn json(path: &Path) -> Json {
    serde_json::from_str(&read(path)).unwrap_or_else(|error| panic!("{}: {error}", relative(path)))
}

// ---------------------------------------------------------------------------------------------
// YAML access
// ---------------------------------------------------------------------------------------------

/// `value.a.b.c`, or None when a step is missing.
fn at<'a>(value: &'a Yaml, path: &str) -> Option<&'a Yaml> {
    path.split('.').try_fold(value, |value, key| value.get(key))
}

fn text<'a>(value: &'a Yaml, path: &str) -> Option<&'a str> {
    at(value, path).and_then(Yaml::as_str)
}

fn list<'a>(value: &'a Yaml, path: &str) -> &'a [Yaml] {
    at(value, path).and_then(Yaml::as_sequence).map(Vec::as_slice).unwrap_or(&[])
}

fn keys(value: Option<&Yaml>) -> Vec<String> {
    value
        .and_then(Yaml::as_mapping)
        .map(|mapping| mapping.keys().filter_map(|key| key.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// A scalar as text: Compose and Kubernetes accept numbers where a string is meant.
fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(text) => Some(text.clone()),
        Yaml::Number(number) => Some(number.to_string()),
        Yaml::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn strings(value: Option<&Yaml>) -> Vec<String> {
    match value {
        Some(Yaml::Sequence(items)) => items.iter().filter_map(scalar).collect(),
        Some(Yaml::String(line)) => line.split_whitespace().map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// The code, read at test time
// ---------------------------------------------------------------------------------------------

/// The fields of `struct Config` in services/launcher/src/config.rs.
fn config_fields() -> Vec<String> {
    let source = read(&repo().join("services/launcher/src/config.rs"));
    let start = source.find("pub struct Config {").expect("config.rs no longer declares `pub struct Config {`");
    let body = &source[start..];
    let body = &body[..body.find("\n}").expect("the end of struct Config")];
    let fields: Vec<String> = body
        .lines()
        .skip(1)
        .filter_map(|line| line.trim().strip_prefix("pub "))
        .filter_map(|rest| rest.split_once(':').map(|(name, _)| name.trim().to_owned()))
        .collect();
    assert!(fields.len() >= 10, "found too few fields in struct Config: {fields:?}");
    fields
}

/// `ATQ_` + the upper-case field name: what figment's `Env::prefixed("ATQ_")` reads.
fn config_env() -> BTreeSet<String> {
    config_fields().iter().map(|field| format!("ATQ_{}", field.to_uppercase())).collect()
}

/// The port of a `Config::default()` address such as `grpc_addr: "0.0.0.0:50051".into()`.
fn default_port(field: &str) -> Option<u64> {
    let source = read(&repo().join("services/launcher/src/config.rs"));
    let default = &source[source.find("fn default()")?..];
    let line = default.lines().find(|line| line.trim().starts_with(&format!("{field}:")))?;
    let quoted = line.split('"').nth(1)?;
    quoted.rsplit_once(':')?.1.parse().ok()
}

/// (name, speaks gRPC) of each entry of `MODULES` in services/launcher/src/modules.rs, the name
/// read from the `NAME` constant of the crate it refers to.
fn modules_in_code() -> Vec<(String, bool)> {
    let source = read(&repo().join("services/launcher/src/modules.rs"));
    let table = &source[source.find("pub const MODULES").expect("modules.rs declares MODULES")..];
    let workspace = read(&repo().join("Cargo.toml"));
    let mut modules = Vec::new();
    for entry in table.split("Module {").skip(1) {
        let name_ref = entry
            .lines()
            .find_map(|line| line.trim().strip_prefix("name:"))
            .expect("a module entry without a name")
            .trim()
            .trim_end_matches(',');
        let grpc = entry
            .lines()
            .find_map(|line| line.trim().strip_prefix("grpc:"))
            .expect("a module entry without grpc")
            .trim()
            .trim_end_matches(',')
            == "true";
        let krate = name_ref.strip_suffix("::NAME").unwrap_or_else(|| panic!("module name {name_ref} is not a NAME"));
        let package = krate.replace('_', "-");
        let crate_dir = workspace
            .lines()
            .find(|line| line.starts_with(&format!("{package} =")))
            .and_then(|line| line.split('"').nth(1))
            .unwrap_or_else(|| panic!("no path for {package} in the workspace Cargo.toml"));
        let lib = read(&repo().join(crate_dir).join("src/lib.rs"));
        let name = lib
            .lines()
            .find_map(|line| line.strip_prefix("pub const NAME: &str = "))
            .and_then(|rest| rest.split('"').nth(1))
            .unwrap_or_else(|| panic!("{crate_dir}/src/lib.rs has no `pub const NAME: &str`"));
        modules.push((name.to_owned(), grpc));
    }
    modules
}

/// The variants of `enum Command` in services/launcher/src/main.rs, as clap names them.
fn commands_in_code() -> Vec<String> {
    let source = read(&repo().join("services/launcher/src/main.rs"));
    let body = &source[source.find("enum Command {").expect("main.rs declares enum Command")..];
    let body = &body[..body.find("\n}").unwrap()];
    body.lines()
        .filter(|line| line.starts_with("    ") && !line.starts_with("     "))
        .filter_map(|line| {
            let word: String = line.trim().chars().take_while(char::is_ascii_alphanumeric).collect();
            word.chars().next().filter(char::is_ascii_uppercase).map(|_| word.to_lowercase())
        })
        .collect()
}

/// Metric names, kinds and literal label names (`"feed" => …`) in `metrics::counter!("…")`-style
/// calls under services/ and gateway/. Labels passed as an array are not seen.
fn metrics_in_code() -> BTreeMap<String, (Kind, BTreeSet<String>)> {
    let mut found = BTreeMap::new();
    for dir in ["services", "gateway"] {
        for path in files_under(&repo().join(dir)).into_iter().filter(|p| extension(p) == "rs") {
            let source = read(&path);
            for (macro_name, kind) in
                [("counter!(\"", Kind::Counter), ("gauge!(\"", Kind::Gauge), ("histogram!(\"", Kind::Histogram)]
            {
                for (index, _) in source.match_indices(macro_name) {
                    let rest = &source[index + macro_name.len()..];
                    let name = &rest[..rest.find('"').unwrap()];
                    // The call ends where the macro's `)` meets `.set(`, `.increment(`, `.record(`.
                    let call = &rest[..rest.find(").").unwrap_or(rest.len())];
                    let labels = call
                        .match_indices("\" =>")
                        .filter_map(|(end, _)| call[..end].rsplit('"').next())
                        .map(str::to_owned);
                    let entry = found.entry(name.to_owned()).or_insert((kind, BTreeSet::new()));
                    entry.1.extend(labels);
                }
            }
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Modules and invocations
// ---------------------------------------------------------------------------------------------

fn all_modules() -> Vec<&'static str> {
    GRPC_MODULES.iter().copied().chain([GATEWAY]).collect()
}

/// `sales` → `ATQ_SALES`, `import-planning` → `ATQ_IMPORT_PLANNING`.
fn env_prefix(module: &str) -> String {
    format!("ATQ_{}", module.to_uppercase().replace('-', "_"))
}

fn database_env(module: &str) -> String {
    format!("{}_DATABASE_URL", env_prefix(module))
}

fn address_env(module: &str) -> String {
    format!("{}_ADDR", env_prefix(module))
}

/// The PostgreSQL database a module is given: `atq_` + its name in snake case.
fn database_name(module: &str) -> String {
    format!("atq_{}", module.replace('-', "_"))
}

fn calls(module: &str) -> &'static [&'static str] {
    CALLS.iter().find(|(name, _)| *name == module).map(|(_, peers)| *peers).unwrap()
}

/// Variables that hold secrets: they must come from a Secret in Kubernetes.
fn is_secret_env(name: &str) -> bool {
    name.ends_with("_DATABASE_URL") || ["ATQ_INTERNAL_KEY", "ATQ_TOKEN_KEY", "ATQ_ADMIN_PASSWORD"].contains(&name)
}

#[derive(Debug, PartialEq, Eq)]
struct Invocation {
    command: String,
    modules: Vec<String>,
    options: BTreeMap<String, Option<String>>,
}

/// Parses `atq` arguments (after the binary) as the launcher's clap definition would.
fn parse_invocation(args: &[String]) -> Result<Invocation, String> {
    let mut command = None;
    let mut positionals = Vec::new();
    let mut options = BTreeMap::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if let Some(option) = arg.strip_prefix("--") {
            let (flag, inline) = match option.split_once('=') {
                Some((flag, value)) => (format!("--{flag}"), Some(value.to_owned())),
                None => (arg.clone(), None),
            };
            let scope = command.clone().unwrap_or_default();
            let &(_, _, takes_value) = OPTIONS
                .iter()
                .find(|(owner, name, _)| *name == flag && (*owner == "*" || *owner == scope))
                .ok_or_else(|| format!("unknown option {flag} for `{scope}` in {args:?}"))?;
            let value = match (takes_value, inline) {
                (true, Some(value)) => Some(value),
                (true, None) => Some(rest.next().ok_or_else(|| format!("{flag} needs a value in {args:?}"))?.clone()),
                (false, None) => None,
                (false, Some(_)) => return Err(format!("{flag} takes no value in {args:?}")),
            };
            options.insert(flag, value);
        } else if command.is_none() {
            if !COMMANDS.contains(&arg.as_str()) {
                return Err(format!("unknown command {arg:?} in {args:?}; the binary knows {COMMANDS:?}"));
            }
            command = Some(arg.clone());
        } else {
            positionals.push(arg.clone());
        }
    }
    let command = command.ok_or_else(|| format!("no command in {args:?}"))?;
    for module in &positionals {
        if !all_modules().contains(&module.as_str()) {
            return Err(format!("unknown module {module:?} in {args:?}; the binary knows {:?}", all_modules()));
        }
    }
    match command.as_str() {
        "serve" if positionals.len() != 1 => return Err(format!("`serve` takes exactly one module: {args:?}")),
        "up" if !positionals.is_empty() => return Err(format!("`up` takes no module: {args:?}")),
        _ => {}
    }
    if let Some(Some(format)) = options.get("--log-format")
        && !["text", "json"].contains(&format.as_str())
    {
        return Err(format!("--log-format is text or json, not {format}"));
    }
    Ok(Invocation { command, modules: positionals, options })
}

/// The port of `host:port`, `http://host:port` or `0.0.0.0:8080`.
fn port_of(address: &str) -> Option<u64> {
    address.rsplit_once(':')?.1.trim_end_matches('/').parse().ok()
}

/// The host of `http://host:port`.
fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    let authority = authority.rsplit_once('@').map(|(_, host)| host).unwrap_or(authority);
    Some(authority.split(':').next().unwrap_or(authority))
}

/// The database of `postgres://user:pass@host:5432/name?options`.
fn database_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let path = rest.split_once('/')?.1;
    Some(path.split('?').next().unwrap_or(path))
}

// ---------------------------------------------------------------------------------------------
// Kubernetes
// ---------------------------------------------------------------------------------------------

fn k8s_base() -> PathBuf {
    deploy().join("k8s/base")
}

fn k8s_production() -> PathBuf {
    deploy().join("k8s/overlays/production")
}

/// The objects of a kustomization's own resource files (not of the bases it includes).
fn kustomization_objects(dir: &Path) -> Vec<Yaml> {
    let kustomization = yaml_one(&dir.join("kustomization.yaml"));
    strings(at(&kustomization, "resources"))
        .iter()
        .map(|resource| dir.join(resource))
        .filter(|path| path.is_file())
        .flat_map(|path| yaml(&path))
        .collect()
}

fn of_kind<'a>(objects: &'a [Yaml], kind: &str) -> Vec<&'a Yaml> {
    objects.iter().filter(|object| text(object, "kind") == Some(kind)).collect()
}

fn named<'a>(objects: &'a [Yaml], kind: &str, name: &str) -> Option<&'a Yaml> {
    of_kind(objects, kind).into_iter().find(|object| text(object, "metadata.name") == Some(name))
}

fn name(object: &Yaml) -> &str {
    text(object, "metadata.name").unwrap_or("<unnamed>")
}

/// The Deployment of a module: the one named after it.
fn deployment<'a>(objects: &'a [Yaml], module: &str) -> &'a Yaml {
    named(objects, "Deployment", module).unwrap_or_else(|| panic!("no Deployment named {module} in the base"))
}

fn containers(deployment: &Yaml) -> Vec<&Yaml> {
    list(deployment, "spec.template.spec.initContainers")
        .iter()
        .chain(list(deployment, "spec.template.spec.containers"))
        .collect()
}

fn main_container(deployment: &Yaml) -> &Yaml {
    let containers = list(deployment, "spec.template.spec.containers");
    assert_eq!(containers.len(), 1, "{}: one container per pod", name(deployment));
    &containers[0]
}

/// The `atq` arguments of a container whose image is the atq image (ENTRYPOINT is the binary).
fn container_invocation(container: &Yaml) -> Result<Invocation, String> {
    let mut args = strings(at(container, "command"));
    if let Some(program) = args.first() {
        if Path::new(program).file_name().and_then(|f| f.to_str()) != Some(BINARY) {
            return Err(format!("container {:?} runs {program}, not {BINARY}", text(container, "name")));
        }
        args.remove(0);
    }
    args.extend(strings(at(container, "args")));
    parse_invocation(&args)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Value(String),
    Secret { name: String, key: String },
    ConfigMap { name: String, key: String },
}

/// Every variable a container gets, with where it comes from (`envFrom` expanded).
fn container_env(container: &Yaml, objects: &[Yaml]) -> BTreeMap<String, Source> {
    let mut env = BTreeMap::new();
    for from in list(container, "envFrom") {
        for (kind, reference) in [("ConfigMap", "configMapRef"), ("Secret", "secretRef")] {
            let Some(source_name) = text(from, &format!("{reference}.name")) else { continue };
            let object = named(objects, kind, source_name)
                .unwrap_or_else(|| panic!("envFrom refers to a missing {kind} {source_name}"));
            let data_keys: Vec<String> =
                ["data", "stringData"].iter().flat_map(|field| keys(at(object, field))).collect();
            for key in data_keys {
                let source = if kind == "Secret" {
                    Source::Secret { name: source_name.to_owned(), key: key.clone() }
                } else {
                    Source::ConfigMap { name: source_name.to_owned(), key: key.clone() }
                };
                env.insert(key, source);
            }
        }
    }
    for entry in list(container, "env") {
        let variable = text(entry, "name").expect("an env entry without a name").to_owned();
        let source = if let Some(value) = at(entry, "value") {
            Source::Value(scalar(value).unwrap_or_default())
        } else if let Some(reference) = at(entry, "valueFrom.secretKeyRef") {
            Source::Secret {
                name: text(reference, "name").unwrap().to_owned(),
                key: text(reference, "key").unwrap().to_owned(),
            }
        } else if let Some(reference) = at(entry, "valueFrom.configMapKeyRef") {
            Source::ConfigMap {
                name: text(reference, "name").unwrap().to_owned(),
                key: text(reference, "key").unwrap().to_owned(),
            }
        } else {
            panic!("{variable}: only value, secretKeyRef and configMapKeyRef are expected");
        };
        env.insert(variable, source);
    }
    env
}

/// The value a variable resolves to, looked up in the ConfigMaps and Secrets of `objects`.
fn resolve(source: &Source, objects: &[Yaml]) -> Option<String> {
    let (kind, object_name, key) = match source {
        Source::Value(value) => return Some(value.clone()),
        Source::Secret { name, key } => ("Secret", name, key),
        Source::ConfigMap { name, key } => ("ConfigMap", name, key),
    };
    let object = named(objects, kind, object_name)?;
    ["data", "stringData"].iter().find_map(|field| at(object, &format!("{field}.{key}"))).and_then(scalar)
}

/// A named container port, or a port number.
fn container_port(container: &Yaml, port: &Yaml) -> Option<u64> {
    match port {
        Yaml::Number(number) => number.as_u64(),
        Yaml::String(port_name) => list(container, "ports")
            .iter()
            .find(|p| text(p, "name") == Some(port_name))
            .and_then(|p| at(p, "containerPort"))
            .and_then(Yaml::as_u64),
        _ => None,
    }
}

fn kustomize_tool() -> Option<Vec<&'static str>> {
    if tool_runs("kustomize", &["version"]) {
        Some(vec!["kustomize", "build"])
    } else if tool_runs("kubectl", &["version", "--client"]) {
        Some(vec!["kubectl", "kustomize"])
    } else {
        None
    }
}

fn tool_runs(program: &str, args: &[&str]) -> bool {
    Command::new(program).args(args).output().map(|output| output.status.success()).unwrap_or(false)
}

fn run_tool(program: &[&str], args: &[&str]) -> String {
    let output = Command::new(program[0])
        .args(&program[1..])
        .args(args)
        .current_dir(repo())
        .output()
        .unwrap_or_else(|error| panic!("cannot run {program:?}: {error}"));
    assert!(
        output.status.success(),
        "{} {} failed:\n{}{}",
        program.join(" "),
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

// ---------------------------------------------------------------------------------------------
// Compose
// ---------------------------------------------------------------------------------------------

fn compose_path() -> PathBuf {
    deploy().join("compose/compose.yaml")
}

fn compose() -> Yaml {
    yaml_one(&compose_path())
}

/// Compose `environment:` as a map or as a `KEY=VALUE` list.
fn compose_env(service: &Yaml) -> BTreeMap<String, String> {
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
fn compose_atq_services(compose: &Yaml) -> Vec<(String, &Yaml)> {
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
fn compose_binds(service: &Yaml) -> Vec<(PathBuf, String)> {
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

// ---------------------------------------------------------------------------------------------
// PromQL
// ---------------------------------------------------------------------------------------------

/// What an expression refers to: metric names, label names (in matchers and in `by`/`without`/
/// `on`/`ignoring`/`group_*` lists), the matchers themselves, and the labels it groups by.
#[derive(Debug, Default)]
struct Query {
    metrics: BTreeSet<String>,
    labels: BTreeSet<String>,
    matchers: Vec<(String, String, String)>,
    grouping: BTreeSet<String>,
    /// An aggregation (`sum`, `max`, …) that keeps only its `by` labels, or drops its `without` ones.
    aggregated: bool,
    without: BTreeSet<String>,
}

/// Words that are not metric names even when no `(` follows them (`a and b`, `x > bool 1`).
const PROMQL_KEYWORDS: &str = "and or unless bool offset inf nan atan2 topk bottomk limitk limit_ratio";
const PROMQL_LABEL_LISTS: &[&str] = &["by", "without", "on", "ignoring", "group_left", "group_right"];
/// Aggregations whose result loses the labels they do not group by (`topk` and kin keep them).
const PROMQL_AGGREGATIONS: &[&str] =
    &["sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "quantile"];

/// A small PromQL scanner: enough to find metric and label names in the expressions here.
fn scan_promql(expr: &str) -> Query {
    let chars: Vec<char> = expr.chars().collect();
    let mut query = Query::default();
    let mut i = 0;
    let word = |i: &mut usize| {
        let start = *i;
        while *i < chars.len() && (chars[*i].is_ascii_alphanumeric() || chars[*i] == '_' || chars[*i] == ':') {
            *i += 1;
        }
        chars[start..*i].iter().collect::<String>()
    };
    let skip_spaces = |i: &mut usize| {
        while *i < chars.len() && chars[*i].is_whitespace() {
            *i += 1;
        }
    };
    let quoted = |i: &mut usize| {
        let quote = chars[*i];
        *i += 1;
        let mut value = String::new();
        while *i < chars.len() && chars[*i] != quote {
            if chars[*i] == '\\' && quote != '`' {
                *i += 1;
            }
            if *i < chars.len() {
                value.push(chars[*i]);
            }
            *i += 1;
        }
        *i += 1;
        value
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '"' || c == '\'' || c == '`' {
            quoted(&mut i);
        } else if c == '[' {
            while i < chars.len() && chars[i] != ']' {
                i += 1;
            }
            i += 1;
        } else if c == '{' {
            i += 1;
            loop {
                skip_spaces(&mut i);
                if i >= chars.len() || chars[i] == '}' {
                    i += 1;
                    break;
                }
                if chars[i] == ',' {
                    i += 1;
                    continue;
                }
                let label = word(&mut i);
                skip_spaces(&mut i);
                let start = i;
                while i < chars.len() && "=!~".contains(chars[i]) {
                    i += 1;
                }
                let op: String = chars[start..i].iter().collect();
                skip_spaces(&mut i);
                let value = if i < chars.len() && "\"'`".contains(chars[i]) { quoted(&mut i) } else { String::new() };
                assert!(!label.is_empty() && !op.is_empty(), "cannot read the matchers of {expr}");
                query.labels.insert(label.clone());
                query.matchers.push((label, op, value));
            }
        } else if c == '$' {
            i += 1;
            word(&mut i);
        } else if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            // Numbers and durations (5m, 1e3, 0.99).
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
        } else if c.is_ascii_alphabetic() || c == '_' || c == ':' {
            let ident = word(&mut i);
            let mut after = i;
            skip_spaces(&mut after);
            let called = chars.get(after) == Some(&'(');
            if PROMQL_LABEL_LISTS.contains(&ident.as_str()) && called {
                let close = after + chars[after..].iter().position(|&c| c == ')').expect("an unclosed label list");
                let inside: String = chars[after + 1..close].iter().collect();
                for label in inside.split(',').map(str::trim).filter(|label| !label.is_empty()) {
                    query.labels.insert(label.to_owned());
                    if ident == "by" {
                        query.grouping.insert(label.to_owned());
                    }
                    if ident == "without" {
                        query.without.insert(label.to_owned());
                    }
                }
                i = close + 1;
            } else if PROMQL_AGGREGATIONS.contains(&ident.as_str()) {
                query.aggregated = true;
            } else if !called && !PROMQL_KEYWORDS.split_whitespace().any(|k| k == ident.to_lowercase()) {
                query.metrics.insert(ident);
            }
        } else {
            i += 1;
        }
    }
    query
}

/// Checks one expression against METRICS; returns the problems found.
fn check_promql(expr: &str, legend_labels: &BTreeSet<String>) -> Vec<String> {
    let query = scan_promql(expr);
    let mut problems = Vec::new();
    if query.metrics.is_empty() {
        problems.push(format!("no metric in {expr}"));
    }
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
    for label in query.labels.difference(&allowed) {
        problems.push(format!("label {label} is not a label of {:?} (in {expr})", query.metrics));
    }
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
fn template_labels(template: &str) -> BTreeSet<String> {
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
fn check_variable_query(query: &str) -> Vec<String> {
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

// ---------------------------------------------------------------------------------------------
// Grafana
// ---------------------------------------------------------------------------------------------

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

fn alert_rules() -> Vec<Yaml> {
    let alerts = yaml_one(&deploy().join("prometheus/alerts.yml"));
    list(&alerts, "groups").iter().flat_map(|group| list(group, "rules").to_vec()).collect()
}

// =============================================================================================
// Tests
// =============================================================================================

#[test]
fn every_yaml_and_json_file_under_deploy_parses() {
    let mut problems = Vec::new();
    let (mut yaml_files, mut json_files) = (0, 0);
    for path in files_under(&deploy()) {
        if is_yaml(&path) {
            yaml_files += 1;
            match yaml_documents(&path) {
                Ok(documents) if documents.is_empty() => problems.push(format!("{}: empty", relative(&path))),
                Ok(_) => {}
                Err(error) => problems.push(error),
            }
        } else if extension(&path) == "json" {
            json_files += 1;
            if let Err(error) = serde_json::from_str::<Json>(&read(&path)) {
                problems.push(format!("{}: {error}", relative(&path)));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(yaml_files >= 15, "expected the compose, Kubernetes, Prometheus and Grafana YAML, found {yaml_files}");
    assert!(json_files >= 4, "expected the four dashboards, found {json_files}");
}

#[test]
fn the_code_facts_at_the_top_of_this_file_still_mirror_the_launcher() {
    let expected: Vec<(String, bool)> = all_modules().iter().map(|m| (m.to_string(), *m != GATEWAY)).collect();
    assert_eq!(modules_in_code(), expected, "modules.rs changed: update GRPC_MODULES / GATEWAY and the manifests");
    assert_eq!(commands_in_code(), COMMANDS, "main.rs changed its commands: update COMMANDS and the manifests");

    let launcher = read(&repo().join("services/launcher/Cargo.toml"));
    let bin = &launcher[launcher.find("[[bin]]").expect("the launcher declares its binary")..];
    let bin_name = bin.lines().find_map(|line| line.strip_prefix("name = ")).map(|n| n.trim_matches('"'));
    assert_eq!(bin_name, Some(BINARY));

    assert_eq!(default_port("grpc_addr"), Some(GRPC_PORT), "the default grpc_addr port");
    assert_eq!(default_port("http_addr"), Some(HTTP_PORT), "the default http_addr port");
    match default_port("metrics_addr") {
        Some(port) => assert_eq!(port, METRICS_PORT, "the default metrics_addr port"),
        None => {
            println!("note: config.rs has no metrics_addr default yet; METRICS_PORT {METRICS_PORT} is taken on trust")
        }
    }

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

#[test]
fn every_atq_variable_named_under_deploy_is_a_config_field() {
    let known = config_env();
    let mut unknown = BTreeSet::new();
    for path in files_under(&deploy()) {
        let Ok(content) = std::fs::read_to_string(&path) else { continue };
        for (index, _) in content.match_indices("ATQ_") {
            let preceded_by_word =
                content[..index].chars().last().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            let name: String = content[index..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if preceded_by_word || name == "ATQ_" || name.ends_with('_') {
                continue; // `ATQ_<KEY>`, `ATQ_*`: a pattern, not a name
            }
            if !known.contains(&name) {
                unknown.insert(format!("{name} in {}", relative(&path)));
            }
        }
    }
    assert!(unknown.is_empty(), "not a field of struct Config (services/launcher/src/config.rs): {unknown:#?}");
}

#[test]
fn every_variable_given_to_an_atq_container_is_one_it_reads() {
    let known = config_env();
    let read_by_atq = |name: &str| known.contains(name) || STANDARD_ENV.contains(&name);
    let mut problems = Vec::new();
    let objects = kustomization_objects(&k8s_base());
    for deployment in of_kind(&objects, "Deployment") {
        for container in containers(deployment) {
            for variable in container_env(container, &objects).keys().filter(|v| !read_by_atq(v)) {
                problems.push(format!(
                    "Deployment {} container {:?}: {variable}",
                    name(deployment),
                    text(container, "name")
                ));
            }
        }
    }
    let compose = compose();
    for (service, definition) in compose_atq_services(&compose) {
        for variable in compose_env(definition).keys().filter(|v| !read_by_atq(v)) {
            problems.push(format!("compose service {service}: {variable}"));
        }
    }
    assert!(problems.is_empty(), "variables atq does not read: {problems:#?}");
}

#[test]
fn the_example_configuration_names_every_config_field_and_no_other() {
    let example = read(&deploy().join("atq.example.toml"));
    let keys: BTreeSet<String> = example
        .lines()
        .map(|line| line.trim_start_matches('#').trim())
        .filter_map(|line| line.split_once(" = ").map(|(key, _)| key.trim()))
        .filter(|key| !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .map(str::to_owned)
        .collect();
    let fields: BTreeSet<String> = config_fields().into_iter().collect();
    assert_eq!(
        keys.difference(&fields).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "keys in atq.example.toml that struct Config does not have"
    );
    assert_eq!(
        fields.difference(&keys).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "fields of struct Config that atq.example.toml does not describe"
    );
}

#[test]
fn every_kubernetes_deployment_runs_a_module_the_binary_knows() {
    let objects = kustomization_objects(&k8s_base());
    let deployments = of_kind(&objects, "Deployment");
    let mut names: Vec<&str> = deployments.iter().map(|d| name(d)).collect();
    names.sort();
    let mut expected = all_modules();
    expected.sort();
    assert_eq!(names, expected, "one Deployment per module, named after it");
    for module in all_modules() {
        let deployment = deployment(&objects, module);
        let serve =
            container_invocation(main_container(deployment)).unwrap_or_else(|error| panic!("{module}: {error}"));
        assert_eq!(serve.command, "serve", "{module} runs `atq serve {module}`");
        assert_eq!(serve.modules, [module], "{module} serves itself");
        let init = list(deployment, "spec.template.spec.initContainers");
        assert_eq!(init.len(), 1, "{module}: one initContainer, the migration");
        let migrate = container_invocation(&init[0]).unwrap_or_else(|error| panic!("{module}: {error}"));
        assert_eq!(migrate.command, "migrate", "{module}: the initContainer runs `atq migrate {module}`");
        assert_eq!(migrate.modules, [module], "{module}: the initContainer migrates its own module only");
        for container in containers(deployment) {
            let image = text(container, "image").unwrap_or("");
            assert!(
                image == "atq" || image.starts_with("atq:"),
                "{module}: image {image:?} (the overlay sets the registry)"
            );
        }
    }
}

#[test]
fn every_service_listens_where_the_code_does_and_is_probed_over_grpc_health() {
    let objects = kustomization_objects(&k8s_base());
    for module in GRPC_MODULES {
        let deployment = deployment(&objects, module);
        let container = main_container(deployment);
        let ports: BTreeMap<String, u64> = list(container, "ports")
            .iter()
            .map(|p| (text(p, "name").unwrap_or("").to_owned(), at(p, "containerPort").and_then(Yaml::as_u64).unwrap()))
            .collect();
        let expected: BTreeMap<String, u64> =
            [("grpc".to_owned(), GRPC_PORT), ("metrics".to_owned(), METRICS_PORT)].into();
        assert_eq!(ports, expected, "{module}: container ports");
        for probe in ["readinessProbe", "livenessProbe"] {
            let grpc = at(container, &format!("{probe}.grpc"))
                .unwrap_or_else(|| panic!("{module}: {probe} is a native gRPC probe (grpc.health.v1)"));
            assert_eq!(at(grpc, "port").and_then(Yaml::as_u64), Some(GRPC_PORT), "{module}: {probe} port");
            assert!(
                text(grpc, "service").unwrap_or("").is_empty(),
                "{module}: {probe} checks service \"\", the one every atq service reports"
            );
        }
        let env = container_env(container, &objects);
        if let Some(source) = env.get("ATQ_GRPC_ADDR") {
            let address = resolve(source, &objects).unwrap();
            assert_eq!(port_of(&address), Some(GRPC_PORT), "{module}: ATQ_GRPC_ADDR {address}");
            assert!(
                address.starts_with("0.0.0.0:") || address.starts_with("[::]:"),
                "{module} listens on every interface"
            );
        }
        let annotations = at(deployment, "spec.template.metadata.annotations").expect("scrape annotations");
        assert_eq!(
            annotations.get("prometheus.io/port").and_then(scalar),
            Some(METRICS_PORT.to_string()),
            "{module}: Prometheus scrapes the metrics port"
        );

        let service = named(&objects, "Service", module).unwrap_or_else(|| panic!("a Service named {module}"));
        let service_ports: BTreeMap<String, (u64, Option<u64>)> = list(service, "spec.ports")
            .iter()
            .map(|p| {
                let target = at(p, "targetPort").and_then(|t| container_port(container, t));
                (text(p, "name").unwrap_or("").to_owned(), (at(p, "port").and_then(Yaml::as_u64).unwrap(), target))
            })
            .collect();
        let expected: BTreeMap<String, (u64, Option<u64>)> = [
            ("grpc".to_owned(), (GRPC_PORT, Some(GRPC_PORT))),
            ("metrics".to_owned(), (METRICS_PORT, Some(METRICS_PORT))),
        ]
        .into();
        assert_eq!(service_ports, expected, "Service {module}: ports and the container ports they reach");
        let selector = at(service, "spec.selector").unwrap();
        assert_eq!(Some(selector), at(deployment, "spec.selector.matchLabels"), "Service {module} selects its pods");
    }
}

#[test]
fn the_gateway_serves_http_on_8080_with_healthz_and_readyz_probes() {
    let objects = kustomization_objects(&k8s_base());
    let deployment = deployment(&objects, GATEWAY);
    let container = main_container(deployment);
    let ports: Vec<(String, u64)> = list(container, "ports")
        .iter()
        .map(|p| (text(p, "name").unwrap_or("").to_owned(), at(p, "containerPort").and_then(Yaml::as_u64).unwrap()))
        .collect();
    assert_eq!(ports, [("http".to_owned(), HTTP_PORT)]);
    let env = container_env(container, &objects);
    let address = resolve(env.get("ATQ_HTTP_ADDR").expect("the gateway sets ATQ_HTTP_ADDR"), &objects).unwrap();
    assert_eq!(port_of(&address), Some(HTTP_PORT), "ATQ_HTTP_ADDR {address}");
    assert!(address.starts_with("0.0.0.0:"), "the default 127.0.0.1 is unreachable from outside the pod: {address}");
    for (probe, path) in [("livenessProbe", GATEWAY_LIVENESS), ("readinessProbe", GATEWAY_READINESS)] {
        let get = at(container, &format!("{probe}.httpGet")).unwrap_or_else(|| panic!("gateway {probe} is httpGet"));
        assert_eq!(text(get, "path"), Some(path), "gateway {probe}");
        assert_eq!(container_port(container, at(get, "port").unwrap()), Some(HTTP_PORT), "gateway {probe} port");
    }
    let annotations = at(deployment, "spec.template.metadata.annotations").unwrap();
    assert_eq!(annotations.get("prometheus.io/port").and_then(scalar), Some(HTTP_PORT.to_string()));
    let service = named(&objects, "Service", GATEWAY).expect("a Service named gateway");
    let service_ports = list(service, "spec.ports");
    assert_eq!(service_ports.len(), 1);
    assert_eq!(at(&service_ports[0], "port").and_then(Yaml::as_u64), Some(HTTP_PORT));
    assert_eq!(at(&service_ports[0], "targetPort").and_then(|t| container_port(container, t)), Some(HTTP_PORT));
}

#[test]
fn each_pod_gets_its_own_database_and_the_addresses_of_the_services_it_calls_only() {
    let objects = kustomization_objects(&k8s_base());
    let grpc_service_names: BTreeSet<&str> = GRPC_MODULES.iter().copied().collect();
    for module in all_modules() {
        let deployment = deployment(&objects, module);
        for container in containers(deployment) {
            let container_name = text(container, "name").unwrap_or("");
            let env = container_env(container, &objects);
            let is_init = container_name == "migrate";
            let databases: Vec<&String> = env.keys().filter(|v| v.ends_with("_DATABASE_URL")).collect();
            assert_eq!(databases, [&database_env(module)], "{module}/{container_name}: its own database only");
            let addresses: BTreeSet<String> = env.keys().filter(|v| v.ends_with("_ADDR")).cloned().collect();
            let peers: BTreeSet<String> = calls(module).iter().map(|peer| address_env(peer)).collect();
            let listen: BTreeSet<String> =
                ["ATQ_GRPC_ADDR", "ATQ_HTTP_ADDR", "ATQ_METRICS_ADDR"].map(String::from).into();
            let peer_addresses: BTreeSet<String> = addresses.difference(&listen).cloned().collect();
            if is_init {
                assert!(peer_addresses.is_empty(), "{module}/migrate calls no service: {peer_addresses:?}");
                continue;
            }
            assert_eq!(peer_addresses, peers, "{module}: the addresses of the services it calls, and no other");
            for peer in calls(module) {
                let url = resolve(&env[&address_env(peer)], &objects).unwrap();
                assert_eq!(host_of(&url), Some(*peer), "{module} reaches {peer} through the Service named {peer}");
                assert_eq!(port_of(&url), Some(GRPC_PORT), "{module} reaches {peer} on its gRPC port");
                assert!(grpc_service_names.contains(peer) && named(&objects, "Service", peer).is_some());
            }
            assert!(env.contains_key("ATQ_INTERNAL_KEY"), "{module}: serve mode needs ATQ_INTERNAL_KEY");
            assert_eq!(
                env.contains_key("ATQ_TOKEN_KEY"),
                module == GATEWAY,
                "{module}: ATQ_TOKEN_KEY is the gateway's"
            );
            assert_eq!(
                env.get("OTEL_SERVICE_NAME").and_then(|s| resolve(s, &objects)).as_deref(),
                Some(module),
                "{module}: OTEL_SERVICE_NAME"
            );
        }
    }
}

#[test]
fn secrets_come_from_the_secret_and_every_reference_resolves() {
    let objects = kustomization_objects(&k8s_base());
    for config_map in of_kind(&objects, "ConfigMap") {
        for key in keys(at(config_map, "data")) {
            assert!(!is_secret_env(&key), "ConfigMap {} holds {key}, a secret", name(config_map));
        }
    }
    for deployment in of_kind(&objects, "Deployment") {
        for container in containers(deployment) {
            for (variable, source) in container_env(container, &objects) {
                if is_secret_env(&variable) {
                    assert!(
                        matches!(source, Source::Secret { .. }),
                        "{}: {variable} must come from a Secret, not {source:?}",
                        name(deployment)
                    );
                }
                if !matches!(source, Source::Value(_)) {
                    assert!(
                        resolve(&source, &objects).is_some(),
                        "{}: {variable} refers to {source:?}",
                        name(deployment)
                    );
                }
            }
        }
    }
}

#[test]
fn every_container_runs_as_non_root_with_a_read_only_root_filesystem_and_resource_limits() {
    let objects = kustomization_objects(&k8s_base());
    for deployment in of_kind(&objects, "Deployment") {
        let pod = at(deployment, "spec.template.spec").unwrap();
        let module = name(deployment);
        assert_eq!(at(pod, "securityContext.runAsNonRoot").and_then(Yaml::as_bool), Some(true), "{module}");
        assert_eq!(
            at(pod, "securityContext.runAsUser").and_then(Yaml::as_u64),
            Some(UID),
            "{module}: the image's user"
        );
        assert_eq!(text(pod, "securityContext.seccompProfile.type"), Some("RuntimeDefault"), "{module}");
        for container in containers(deployment) {
            let container_name = text(container, "name").unwrap_or("");
            let security = at(container, "securityContext").unwrap_or_else(|| panic!("{module}/{container_name}"));
            assert_eq!(
                at(security, "readOnlyRootFilesystem").and_then(Yaml::as_bool),
                Some(true),
                "{module}/{container_name}"
            );
            assert_eq!(
                at(security, "allowPrivilegeEscalation").and_then(Yaml::as_bool),
                Some(false),
                "{module}/{container_name}"
            );
            assert_eq!(strings(at(security, "capabilities.drop")), ["ALL"], "{module}/{container_name}");
            for bound in ["requests", "limits"] {
                for resource in ["cpu", "memory"] {
                    assert!(
                        at(container, &format!("resources.{bound}.{resource}")).is_some(),
                        "{module}/{container_name}: resources.{bound}.{resource}"
                    );
                }
            }
        }
    }
}

#[test]
fn every_module_has_a_pod_disruption_budget_and_an_autoscaler() {
    let objects = kustomization_objects(&k8s_base());
    for module in all_modules() {
        let deployment = deployment(&objects, module);
        let pod_labels = at(deployment, "spec.template.metadata.labels").and_then(Yaml::as_mapping).unwrap();
        let selector = at(deployment, "spec.selector.matchLabels").and_then(Yaml::as_mapping).unwrap();
        for (key, value) in selector {
            assert_eq!(pod_labels.get(key), Some(value), "{module}: the pods carry the selector's labels");
        }
        let budget = of_kind(&objects, "PodDisruptionBudget")
            .into_iter()
            .find(|pdb| at(pdb, "spec.selector.matchLabels").and_then(Yaml::as_mapping) == Some(selector))
            .unwrap_or_else(|| panic!("{module}: a PodDisruptionBudget selecting its pods"));
        assert!(at(budget, "spec.maxUnavailable").is_some() || at(budget, "spec.minAvailable").is_some());
        let autoscaler = of_kind(&objects, "HorizontalPodAutoscaler")
            .into_iter()
            .find(|hpa| text(hpa, "spec.scaleTargetRef.name") == Some(module))
            .unwrap_or_else(|| panic!("{module}: a HorizontalPodAutoscaler"));
        assert_eq!(text(autoscaler, "spec.scaleTargetRef.kind"), Some("Deployment"));
        let min = at(autoscaler, "spec.minReplicas").and_then(Yaml::as_u64).unwrap_or(1);
        let max = at(autoscaler, "spec.maxReplicas").and_then(Yaml::as_u64).unwrap();
        assert!(min >= 1 && max >= min, "{module}: {min}..{max} replicas");
    }
}

#[test]
fn every_kustomization_resource_and_patch_exists() {
    let kustomizations: Vec<PathBuf> =
        files_under(&deploy().join("k8s")).into_iter().filter(|p| p.ends_with("kustomization.yaml")).collect();
    assert!(kustomizations.len() >= 2, "the base and the production overlay");
    for path in kustomizations {
        let dir = path.parent().unwrap();
        let kustomization = yaml_one(&path);
        assert_eq!(text(&kustomization, "kind"), Some("Kustomization"), "{}", relative(&path));
        let resources = strings(at(&kustomization, "resources"));
        assert!(!resources.is_empty(), "{}: resources", relative(&path));
        for resource in resources {
            let target = dir.join(&resource);
            assert!(
                target.is_file() || target.join("kustomization.yaml").is_file(),
                "{}: resource {resource} is neither a file nor a kustomization",
                relative(&path)
            );
        }
        let patches = list(&kustomization, "patches").iter().filter_map(|p| text(p, "path").map(str::to_owned));
        let merges = strings(at(&kustomization, "patchesStrategicMerge")).into_iter();
        for patch in patches.chain(merges) {
            assert!(dir.join(&patch).is_file(), "{}: patch {patch} is missing", relative(&path));
        }
    }
}

#[test]
fn the_production_overlay_runs_at_least_two_replicas_of_every_module() {
    let dir = k8s_production();
    let kustomization = yaml_one(&dir.join("kustomization.yaml"));
    for module in all_modules() {
        let count = list(&kustomization, "replicas")
            .iter()
            .find(|r| text(r, "name") == Some(module))
            .and_then(|r| at(r, "count"))
            .and_then(Yaml::as_u64);
        assert!(count.is_some_and(|c| c >= 2), "production: {module} runs {count:?} replicas, at least 2 wanted");
    }
    // The autoscalers' floor, through the patches aimed at them.
    let mut floors: BTreeMap<String, u64> = BTreeMap::new();
    for patch in list(&kustomization, "patches") {
        let Some(path) = text(patch, "path") else { continue };
        for document in yaml(&dir.join(path)) {
            if text(&document, "kind") != Some("HorizontalPodAutoscaler") {
                continue;
            }
            let Some(min) = at(&document, "spec.minReplicas").and_then(Yaml::as_u64) else { continue };
            let targets = text(patch, "target.name").or_else(|| text(&document, "metadata.name")).unwrap();
            for target in targets.trim_start_matches('^').trim_end_matches('$').split('|') {
                floors.insert(target.trim_matches(|c| c == '(' || c == ')').to_owned(), min);
            }
        }
    }
    for module in all_modules() {
        let floor = floors.get(module).copied();
        assert!(floor.is_some_and(|f| f >= 2), "production: the {module} autoscaler keeps {floor:?} replicas at least");
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
        assert_eq!(env.contains_key("ATQ_TOKEN_KEY"), service == GATEWAY, "{service}: ATQ_TOKEN_KEY is the gateway's");
        for peer in calls(service) {
            let url = env.get(&address_env(peer)).unwrap_or_else(|| panic!("{service} calls {peer}"));
            assert_eq!(host_of(url), Some(*peer), "{service} reaches {peer} by its compose name");
            assert_eq!(port_of(url), Some(GRPC_PORT));
        }
        let endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT").expect("traces go to the collector");
        assert_eq!(host_of(endpoint), Some("otel-collector"));
        assert_eq!(port_of(endpoint), Some(4317), "OTLP over gRPC");
    }
    let gateway = &services.iter().find(|(name, _)| name == GATEWAY).unwrap().1;
    let env = compose_env(gateway);
    assert_eq!(port_of(&env["ATQ_HTTP_ADDR"]), Some(HTTP_PORT));
    let published = strings(at(gateway, "ports"));
    assert!(
        published.iter().any(|p| p.ends_with(&format!(":{HTTP_PORT}"))),
        "the gateway publishes {HTTP_PORT}: {published:?}"
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
    assert_eq!(http, format!("0.0.0.0:{HTTP_PORT}"), "the gateway listens on every interface");
    assert_eq!(invocation.options.get("--data-dir").cloned().flatten().as_deref(), Some("/data"));

    let ignored = read(&repo().join(".dockerignore"));
    let ignored: BTreeSet<&str> = ignored.lines().map(|l| l.trim().trim_end_matches('/')).collect();
    for entry in ["target", "data", ".git"] {
        assert!(ignored.contains(entry), ".dockerignore leaves out {entry}");
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
    for module in GRPC_MODULES {
        assert!(targets.contains(&format!("{module}:{METRICS_PORT}")), "scrapes {module}:{METRICS_PORT}: {targets:?}");
    }
    assert!(targets.contains(&format!("{GATEWAY}:{HTTP_PORT}")), "scrapes the gateway on its HTTP port");
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

// ---------------------------------------------------------------------------------------------
// External validators, when installed
// ---------------------------------------------------------------------------------------------

#[test]
fn kustomize_builds_the_base_and_the_production_overlay_when_it_is_installed() {
    let Some(tool) = kustomize_tool() else {
        println!("note: neither kustomize nor kubectl is installed; the kustomize build check is skipped");
        return;
    };
    run_tool(&tool, &["deploy/k8s/base"]);
    let rendered = run_tool(&tool, &["deploy/k8s/overlays/production"]);
    let mut objects = Vec::new();
    for document in serde_yaml::Deserializer::from_str(&rendered) {
        use serde::Deserialize;
        objects.push(Yaml::deserialize(document).unwrap());
    }
    for deployment in of_kind(&objects, "Deployment") {
        let replicas = at(deployment, "spec.replicas").and_then(Yaml::as_u64).unwrap_or(1);
        assert!(replicas >= 2, "production {}: {replicas} replicas", name(deployment));
        for container in containers(deployment) {
            let image = text(container, "image").unwrap();
            assert!(
                image.contains('/') && image.contains(':'),
                "production images come from a registry, pinned: {image}"
            );
        }
    }
    for autoscaler in of_kind(&objects, "HorizontalPodAutoscaler") {
        let min = at(autoscaler, "spec.minReplicas").and_then(Yaml::as_u64).unwrap_or(1);
        assert!(min >= 2, "production {}: autoscaler floor {min}", name(autoscaler));
    }
    for object in &objects {
        if text(object, "kind") != Some("Namespace") {
            assert_eq!(text(object, "metadata.namespace"), Some("atq"), "{}", name(object));
        }
    }
    assert_eq!(of_kind(&objects, "Deployment").len(), all_modules().len());
}

#[test]
fn docker_compose_accepts_the_compose_file_when_it_is_installed() {
    let Some(tool) = compose_tool() else {
        println!("note: neither `docker compose` nor docker-compose is installed; the compose check is skipped");
        return;
    };
    run_tool(&tool, &["-f", "deploy/compose/compose.yaml", "config", "-q"]);
}

#[test]
fn promtool_accepts_the_prometheus_config_and_passes_the_rule_tests_when_it_is_installed() {
    if !tool_runs("promtool", &["--version"]) {
        println!("note: promtool is not installed; the Prometheus config and rules check is skipped");
        return;
    }
    run_tool(&["promtool"], &["check", "config", "deploy/prometheus/prometheus.yml"]);
    run_tool(&["promtool"], &["check", "rules", "deploy/prometheus/alerts.yml"]);
    // The rules' own unit tests: each alert fires on the series it is meant for, and only then.
    run_tool(&["promtool"], &["test", "rules", "deploy/prometheus/alerts.test.yml"]);
}
