//! Reading the deployment files: paths, YAML and JSON, addresses, and the external validators.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;
use serde_yaml::Value as Yaml;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

pub fn deploy() -> PathBuf {
    repo().join("deploy")
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

pub fn files_under(dir: &Path) -> Vec<PathBuf> {
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

pub fn extension(path: &Path) -> &str {
    path.extension().and_then(|e| e.to_str()).unwrap_or("")
}

pub fn is_yaml(path: &Path) -> bool {
    matches!(extension(path), "yaml" | "yml")
}

pub fn relative(path: &Path) -> String {
    path.strip_prefix(repo()).unwrap_or(path).display().to_string()
}

/// Every document of a YAML file (`---` separated), with `<<` merge keys applied as Compose
/// applies them. Empty documents are left out.
pub fn yaml_documents(path: &Path) -> Result<Vec<Yaml>, String> {
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

pub fn yaml(path: &Path) -> Vec<Yaml> {
    yaml_documents(path).unwrap_or_else(|error| panic!("{error}"))
}

pub fn yaml_one(path: &Path) -> Yaml {
    let mut documents = yaml(path);
    assert_eq!(documents.len(), 1, "{} should hold one YAML document", relative(path));
    documents.remove(0)
}

pub fn json(path: &Path) -> Json {
    serde_json::from_str(&read(path)).unwrap_or_else(|error| panic!("{}: {error}", relative(path)))
}

// ---------------------------------------------------------------------------------------------
// YAML access
// ---------------------------------------------------------------------------------------------

/// `value.a.b.c`, or None when a step is missing.
pub fn at<'a>(value: &'a Yaml, path: &str) -> Option<&'a Yaml> {
    path.split('.').try_fold(value, |value, key| value.get(key))
}

pub fn text<'a>(value: &'a Yaml, path: &str) -> Option<&'a str> {
    at(value, path).and_then(Yaml::as_str)
}

pub fn list<'a>(value: &'a Yaml, path: &str) -> &'a [Yaml] {
    at(value, path).and_then(Yaml::as_sequence).map(Vec::as_slice).unwrap_or(&[])
}

pub fn keys(value: Option<&Yaml>) -> Vec<String> {
    value
        .and_then(Yaml::as_mapping)
        .map(|mapping| mapping.keys().filter_map(|key| key.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// A scalar as text: Compose and Kubernetes accept numbers where a string is meant.
pub fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(text) => Some(text.clone()),
        Yaml::Number(number) => Some(number.to_string()),
        Yaml::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

pub fn strings(value: Option<&Yaml>) -> Vec<String> {
    match value {
        Some(Yaml::Sequence(items)) => items.iter().filter_map(scalar).collect(),
        Some(Yaml::String(line)) => line.split_whitespace().map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------

/// The port of `host:port`, `http://host:port` or `0.0.0.0:8080`.
pub fn port_of(address: &str) -> Option<u64> {
    address.rsplit_once(':')?.1.trim_end_matches('/').parse().ok()
}

/// The host of `http://host:port`.
pub fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    let authority = authority.rsplit_once('@').map(|(_, host)| host).unwrap_or(authority);
    Some(authority.split(':').next().unwrap_or(authority))
}

/// The database of `postgres://user:pass@host:5432/name?options`.
pub fn database_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let path = rest.split_once('/')?.1;
    Some(path.split('?').next().unwrap_or(path))
}

// ---------------------------------------------------------------------------------------------
// External validators
// ---------------------------------------------------------------------------------------------

pub fn tool_runs(program: &str, args: &[&str]) -> bool {
    Command::new(program).args(args).output().map(|output| output.status.success()).unwrap_or(false)
}

pub fn run_tool(program: &[&str], args: &[&str]) -> String {
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
