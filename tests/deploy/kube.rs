//! Reading the Kubernetes manifests: a kustomization's objects, Deployments and their
//! containers, the variables a container gets and where they come from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml::Value as Yaml;

use crate::facts::{BINARY, Invocation, parse_invocation};
use crate::support::{at, deploy, keys, list, scalar, strings, text, tool_runs, yaml, yaml_one};

pub fn k8s_base() -> PathBuf {
    deploy().join("k8s/base")
}

pub fn k8s_production() -> PathBuf {
    deploy().join("k8s/overlays/production")
}

/// The objects of a kustomization's own resource files (not of the bases it includes).
pub fn kustomization_objects(dir: &Path) -> Vec<Yaml> {
    let kustomization = yaml_one(&dir.join("kustomization.yaml"));
    strings(at(&kustomization, "resources"))
        .iter()
        .map(|resource| dir.join(resource))
        .filter(|path| path.is_file())
        .flat_map(|path| yaml(&path))
        .collect()
}

pub fn of_kind<'a>(objects: &'a [Yaml], kind: &str) -> Vec<&'a Yaml> {
    objects.iter().filter(|object| text(object, "kind") == Some(kind)).collect()
}

pub fn named<'a>(objects: &'a [Yaml], kind: &str, name: &str) -> Option<&'a Yaml> {
    of_kind(objects, kind).into_iter().find(|object| text(object, "metadata.name") == Some(name))
}

pub fn name(object: &Yaml) -> &str {
    text(object, "metadata.name").unwrap_or("<unnamed>")
}

/// The Deployment of a module: the one named after it.
pub fn deployment<'a>(objects: &'a [Yaml], module: &str) -> &'a Yaml {
    named(objects, "Deployment", module).unwrap_or_else(|| panic!("no Deployment named {module} in the base"))
}

pub fn containers(deployment: &Yaml) -> Vec<&Yaml> {
    list(deployment, "spec.template.spec.initContainers")
        .iter()
        .chain(list(deployment, "spec.template.spec.containers"))
        .collect()
}

pub fn main_container(deployment: &Yaml) -> &Yaml {
    let containers = list(deployment, "spec.template.spec.containers");
    assert_eq!(containers.len(), 1, "{}: one container per pod", name(deployment));
    &containers[0]
}

/// The `atq` arguments of a container whose image is the atq image (ENTRYPOINT is the binary).
pub fn container_invocation(container: &Yaml) -> Result<Invocation, String> {
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
pub enum Source {
    Value(String),
    Secret { name: String, key: String },
    ConfigMap { name: String, key: String },
}

/// Every variable a container gets, with where it comes from (`envFrom` expanded).
pub fn container_env(container: &Yaml, objects: &[Yaml]) -> BTreeMap<String, Source> {
    let mut env = env_from(container, objects);
    for entry in list(container, "env") {
        let variable = text(entry, "name").expect("an env entry without a name").to_owned();
        let reference = |path: &str| {
            at(entry, path).map(|reference| {
                (text(reference, "name").unwrap().to_owned(), text(reference, "key").unwrap().to_owned())
            })
        };
        let source = if let Some(value) = at(entry, "value") {
            Source::Value(scalar(value).unwrap_or_default())
        } else if let Some((name, key)) = reference("valueFrom.secretKeyRef") {
            Source::Secret { name, key }
        } else if let Some((name, key)) = reference("valueFrom.configMapKeyRef") {
            Source::ConfigMap { name, key }
        } else {
            panic!("{variable}: only value, secretKeyRef and configMapKeyRef are expected");
        };
        env.insert(variable, source);
    }
    env
}

/// The variables of a container's `envFrom`: every key of the ConfigMaps and Secrets it names.
fn env_from(container: &Yaml, objects: &[Yaml]) -> BTreeMap<String, Source> {
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
    env
}

/// The value a variable resolves to, looked up in the ConfigMaps and Secrets of `objects`.
pub fn resolve(source: &Source, objects: &[Yaml]) -> Option<String> {
    let (kind, object_name, key) = match source {
        Source::Value(value) => return Some(value.clone()),
        Source::Secret { name, key } => ("Secret", name, key),
        Source::ConfigMap { name, key } => ("ConfigMap", name, key),
    };
    let object = named(objects, kind, object_name)?;
    ["data", "stringData"].iter().find_map(|field| at(object, &format!("{field}.{key}"))).and_then(scalar)
}

/// A named container port, or a port number.
pub fn container_port(container: &Yaml, port: &Yaml) -> Option<u64> {
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

pub fn kustomize_tool() -> Option<Vec<&'static str>> {
    if tool_runs("kustomize", &["version"]) {
        Some(vec!["kustomize", "build"])
    } else if tool_runs("kubectl", &["version", "--client"]) {
        Some(vec!["kubectl", "kustomize"])
    } else {
        None
    }
}
