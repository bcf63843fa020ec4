//! What the deployment files must agree with, read from the launcher's public items: the module
//! table (`atq_launcher::modules::MODULES`), the command line (the clap definition, through
//! `clap::CommandFactory`), and the configuration (`Config::default()` and the keys figment
//! serialises from it). Only the facts the code does not export are written here.

use std::collections::{BTreeMap, BTreeSet};

use atq_launcher::Config;
use atq_launcher::cli::Cli;
use atq_launcher::modules::MODULES;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory};

use crate::support::port_of;

/// The binary that `cargo build -p atq-launcher` produces.
pub const BINARY: &str = atq_launcher::cli::BINARY;
/// The gateway's liveness and readiness paths.
pub const GATEWAY_LIVENESS: &str = "/healthz";
pub const GATEWAY_READINESS: &str = "/readyz";
/// Variables outside `ATQ_*` that the processes read.
pub const STANDARD_ENV: &[&str] = &["RUST_LOG", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME"];
/// The uid the image runs as.
pub const UID: u64 = 10001;

/// The modules that serve gRPC, each in its own container or pod.
pub fn grpc_modules() -> Vec<&'static str> {
    MODULES.iter().filter(|module| module.grpc).map(|module| module.name).collect()
}

/// The HTTP module: the one module that does not speak gRPC.
pub fn gateway() -> &'static str {
    let http: Vec<&str> = MODULES.iter().filter(|module| !module.grpc).map(|module| module.name).collect();
    assert_eq!(http.len(), 1, "one HTTP module, the gateway: {http:?}");
    http[0]
}

pub fn all_modules() -> Vec<&'static str> {
    grpc_modules().into_iter().chain([gateway()]).collect()
}

/// The services a module calls, and so the `ATQ_<PEER>_ADDR` it needs.
pub fn calls(module: &str) -> &'static [&'static str] {
    MODULES.iter().find(|m| m.name == module).map(|m| m.calls).unwrap()
}

fn default_port(address: &str) -> u64 {
    port_of(address).unwrap_or_else(|| panic!("Config::default() has an address without a port: {address}"))
}

/// The gRPC port of a service in serve mode (default of `grpc_addr`).
pub fn grpc_port() -> u64 {
    default_port(&Config::default().grpc_addr)
}

/// The metrics and health HTTP port of a service in serve mode (`/metrics`, `/healthz`).
pub fn metrics_port() -> u64 {
    default_port(&Config::default().metrics_addr)
}

/// The gateway's HTTP port (default of `http_addr`); it serves `/metrics` there too.
pub fn http_port() -> u64 {
    default_port(&Config::default().http_addr)
}

/// The keys of the configuration: the fields of `struct Config`.
pub fn config_fields() -> Vec<String> {
    let fields = Config::keys();
    assert!(fields.len() >= 10, "found too few fields in struct Config: {fields:?}");
    fields
}

/// `ATQ_` + the upper-case field name: what figment's `Env::prefixed("ATQ_")` reads.
pub fn config_env() -> BTreeSet<String> {
    Config::env_variables().into_iter().collect()
}

/// `sales` → `ATQ_SALES`, `import-planning` → `ATQ_IMPORT_PLANNING`.
fn env_prefix(module: &str) -> String {
    format!("{}{}", atq_launcher::config::ENV_PREFIX, module.to_uppercase().replace('-', "_"))
}

pub fn database_env(module: &str) -> String {
    format!("{}_DATABASE_URL", env_prefix(module))
}

pub fn address_env(module: &str) -> String {
    format!("{}_ADDR", env_prefix(module))
}

/// The PostgreSQL database a module is given: `atq_` + its name in snake case.
pub fn database_name(module: &str) -> String {
    format!("atq_{}", module.replace('-', "_"))
}

/// Variables that hold secrets: they must come from a Secret in Kubernetes.
pub fn is_secret_env(name: &str) -> bool {
    name.ends_with("_DATABASE_URL") || ["ATQ_INTERNAL_KEY", "ATQ_TOKEN_KEY", "ATQ_ADMIN_PASSWORD"].contains(&name)
}

/// An `atq` command line: the command, the modules it names and the options given (a flag's
/// value is None).
#[derive(Debug, PartialEq, Eq)]
pub struct Invocation {
    pub command: String,
    pub modules: Vec<String>,
    pub options: BTreeMap<String, Option<String>>,
}

/// Parses `atq` arguments (after the binary) with the launcher's own clap definition, then checks
/// that the modules named are modules the binary knows.
pub fn parse_invocation(args: &[String]) -> Result<Invocation, String> {
    let line = std::iter::once(BINARY.to_owned()).chain(args.iter().cloned());
    let matches = Cli::command().try_get_matches_from(line).map_err(|error| format!("{args:?}: {error}"))?;
    let (command, command_matches) = matches.subcommand().ok_or_else(|| format!("no command in {args:?}"))?;
    let definition = Cli::command();
    let command_definition = definition.find_subcommand(command).unwrap();
    let mut options = given_options(&definition, &matches);
    options.extend(given_options(command_definition, command_matches));
    let modules: Vec<String> = command_definition
        .get_positionals()
        .flat_map(|arg| raw_values(command_matches, arg.get_id().as_str()))
        .collect();
    for module in &modules {
        if !all_modules().contains(&module.as_str()) {
            return Err(format!("unknown module {module:?} in {args:?}; the binary knows {:?}", all_modules()));
        }
    }
    Ok(Invocation { command: command.to_owned(), modules, options })
}

/// The `--long` options of `definition` that the command line gave, with their values.
fn given_options(definition: &clap::Command, matches: &ArgMatches) -> BTreeMap<String, Option<String>> {
    definition
        .get_arguments()
        .filter_map(|arg| Some((arg, arg.get_long()?)))
        .filter(|(arg, _)| matches.value_source(arg.get_id().as_str()) == Some(ValueSource::CommandLine))
        .map(|(arg, long)| {
            let takes_value = arg.get_action().takes_values();
            let value = takes_value.then(|| raw_values(matches, arg.get_id().as_str()).join(" "));
            (format!("--{long}"), value)
        })
        .collect()
}

fn raw_values(matches: &ArgMatches, id: &str) -> Vec<String> {
    let values = matches.try_get_raw(id).ok().flatten().into_iter().flatten();
    values.map(|value| value.to_string_lossy().into_owned()).collect()
}

#[test]
fn the_command_line_parser_is_the_launchers() {
    let args = |line: &str| line.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    let up = parse_invocation(&args("up --http 0.0.0.0:8080 --data-dir=/data --demo")).unwrap();
    assert_eq!(up.command, "up");
    assert_eq!(up.options.get("--http"), Some(&Some("0.0.0.0:8080".to_owned())));
    assert_eq!(up.options.get("--data-dir"), Some(&Some("/data".to_owned())));
    assert_eq!(up.options.get("--demo"), Some(&None));
    let serve = parse_invocation(&args("--log-format json serve sales")).unwrap();
    assert_eq!((serve.command.as_str(), serve.modules.as_slice()), ("serve", ["sales".to_owned()].as_slice()));
    assert_eq!(serve.options.get("--log-format"), Some(&Some("json".to_owned())));
    let migrate = parse_invocation(&args("migrate sales analytics --config /etc/atq.toml")).unwrap();
    assert_eq!(migrate.modules, ["sales", "analytics"]);
    assert!(migrate.options.contains_key("--config"));
    for wrong in ["serve", "serve nowhere", "up sales", "upp", "up --listen x", "serve sales --log-format xml"] {
        assert!(parse_invocation(&args(wrong)).is_err(), "{wrong} is not a valid command line");
    }
}
