//! The Kubernetes manifests (`deploy/k8s`, a kustomize base and a production overlay): one
//! Deployment per module running `atq serve <module>` after `atq migrate <module>`, listening and
//! probed where the code listens, given its own database and the addresses of the services it
//! calls only, secrets from Secrets, unprivileged, with budgets, autoscalers and replicas.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_yaml::Value as Yaml;

use crate::facts::{
    GATEWAY_LIVENESS, GATEWAY_READINESS, UID, address_env, all_modules, calls, database_env, gateway, grpc_modules,
    grpc_port, http_port, is_secret_env, metrics_port,
};
use crate::kube::{
    Source, container_env, container_invocation, container_port, containers, deployment, k8s_base, k8s_production,
    kustomization_objects, kustomize_tool, main_container, name, named, of_kind, resolve,
};
use crate::support::{
    at, deploy, files_under, host_of, keys, list, port_of, relative, run_tool, scalar, strings, text, yaml, yaml_one,
};

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
    for module in grpc_modules() {
        let deployment = deployment(&objects, module);
        let container = main_container(deployment);
        let ports: BTreeMap<String, u64> = list(container, "ports")
            .iter()
            .map(|p| (text(p, "name").unwrap_or("").to_owned(), at(p, "containerPort").and_then(Yaml::as_u64).unwrap()))
            .collect();
        let expected: BTreeMap<String, u64> =
            [("grpc".to_owned(), grpc_port()), ("metrics".to_owned(), metrics_port())].into();
        assert_eq!(ports, expected, "{module}: container ports");
        for probe in ["readinessProbe", "livenessProbe"] {
            let grpc = at(container, &format!("{probe}.grpc"))
                .unwrap_or_else(|| panic!("{module}: {probe} is a native gRPC probe (grpc.health.v1)"));
            assert_eq!(at(grpc, "port").and_then(Yaml::as_u64), Some(grpc_port()), "{module}: {probe} port");
            assert!(
                text(grpc, "service").unwrap_or("").is_empty(),
                "{module}: {probe} checks service \"\", the one every atq service reports"
            );
        }
        let env = container_env(container, &objects);
        if let Some(source) = env.get("ATQ_GRPC_ADDR") {
            let address = resolve(source, &objects).unwrap();
            assert_eq!(port_of(&address), Some(grpc_port()), "{module}: ATQ_GRPC_ADDR {address}");
            assert!(
                address.starts_with("0.0.0.0:") || address.starts_with("[::]:"),
                "{module} listens on every interface"
            );
        }
        let annotations = at(deployment, "spec.template.metadata.annotations").expect("scrape annotations");
        assert_eq!(
            annotations.get("prometheus.io/port").and_then(scalar),
            Some(metrics_port().to_string()),
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
            ("grpc".to_owned(), (grpc_port(), Some(grpc_port()))),
            ("metrics".to_owned(), (metrics_port(), Some(metrics_port()))),
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
    let deployment = deployment(&objects, gateway());
    let container = main_container(deployment);
    let ports: Vec<(String, u64)> = list(container, "ports")
        .iter()
        .map(|p| (text(p, "name").unwrap_or("").to_owned(), at(p, "containerPort").and_then(Yaml::as_u64).unwrap()))
        .collect();
    assert_eq!(ports, [("http".to_owned(), http_port())]);
    let env = container_env(container, &objects);
    let address = resolve(env.get("ATQ_HTTP_ADDR").expect("the gateway sets ATQ_HTTP_ADDR"), &objects).unwrap();
    assert_eq!(port_of(&address), Some(http_port()), "ATQ_HTTP_ADDR {address}");
    assert!(address.starts_with("0.0.0.0:"), "the default 127.0.0.1 is unreachable from outside the pod: {address}");
    for (probe, path) in [("livenessProbe", GATEWAY_LIVENESS), ("readinessProbe", GATEWAY_READINESS)] {
        let get = at(container, &format!("{probe}.httpGet")).unwrap_or_else(|| panic!("gateway {probe} is httpGet"));
        assert_eq!(text(get, "path"), Some(path), "gateway {probe}");
        assert_eq!(container_port(container, at(get, "port").unwrap()), Some(http_port()), "gateway {probe} port");
    }
    let annotations = at(deployment, "spec.template.metadata.annotations").unwrap();
    assert_eq!(annotations.get("prometheus.io/port").and_then(scalar), Some(http_port().to_string()));
    let service = named(&objects, "Service", gateway()).expect("a Service named gateway");
    let service_ports = list(service, "spec.ports");
    assert_eq!(service_ports.len(), 1);
    assert_eq!(at(&service_ports[0], "port").and_then(Yaml::as_u64), Some(http_port()));
    assert_eq!(at(&service_ports[0], "targetPort").and_then(|t| container_port(container, t)), Some(http_port()));
}

#[test]
fn each_pod_gets_its_own_database_and_the_addresses_of_the_services_it_calls_only() {
    let objects = kustomization_objects(&k8s_base());
    let grpc_service_names: BTreeSet<&str> = grpc_modules().into_iter().collect();
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
                assert_eq!(port_of(&url), Some(grpc_port()), "{module} reaches {peer} on its gRPC port");
                assert!(grpc_service_names.contains(peer) && named(&objects, "Service", peer).is_some());
            }
            assert!(env.contains_key("ATQ_INTERNAL_KEY"), "{module}: serve mode needs ATQ_INTERNAL_KEY");
            assert_eq!(
                env.contains_key("ATQ_TOKEN_KEY"),
                module == gateway(),
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
