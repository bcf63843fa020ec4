#![allow(clippy::unwrap_used)]

//! The deployment files under `deploy/` checked against the code: every YAML and JSON file
//! parses, the manifests run commands and modules the binary knows, listen and probe where the
//! code listens, name only configuration the code reads, and the dashboards and alert rules
//! query only metrics the code records. When `kustomize` (or `kubectl`), `docker compose` (or
//! `docker-compose`) or `promtool` is installed, they validate the files too; without them those
//! checks print a note and pass.
//!
//! The facts about the code come from the launcher's public items (`facts.rs`); only the metrics,
//! which the code records through string literals, are listed by hand (`metrics.rs`).

mod alerts;
mod compose;
mod configuration;
mod facts;
mod grafana;
mod kube;
mod kustomize;
mod metrics;
mod promql;
mod support;
