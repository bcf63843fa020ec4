//! Every file parses, and the configuration the files name is the configuration the launcher
//! reads: `ATQ_*` variables are fields of `struct Config`, and the example file describes them all.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use crate::compose::{compose, compose_atq_services, compose_env};
use crate::facts::{STANDARD_ENV, address_env, all_modules, calls, config_env, config_fields, database_env};
use crate::kube::{container_env, containers, k8s_base, kustomization_objects, name, of_kind};
use crate::support::{deploy, extension, files_under, is_yaml, read, relative, text, yaml_documents};

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
fn the_launcher_reads_a_database_and_an_address_variable_for_every_module_it_calls() {
    let known = config_env();
    for module in all_modules() {
        assert!(known.contains(&database_env(module)), "struct Config has no field for {}", database_env(module));
        for peer in calls(module) {
            assert!(known.contains(&address_env(peer)), "struct Config has no field for {}", address_env(peer));
        }
    }
}
