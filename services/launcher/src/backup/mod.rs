//! Backups of a single-machine install (every module's SQLite file in one data directory):
//! `atq backup` while the system runs, `atq restore` into an empty directory, backups on a
//! schedule in `atq up`, and `atq restore --check` of a set of databases (SQLite or PostgreSQL).
//!
//! A backup is one archive (`tar` + gzip) of a snapshot of all five databases taken at one
//! committed moment (see [`snapshot`]) and a manifest: the `atq` version, per module its schema
//! version, outbox head, feed cursors, size and SHA-256, and what the check of the copies found.

pub mod archive;
pub mod check;
pub mod commands;
pub mod index;
pub mod manifest;
pub mod restore;
pub mod schedule;
pub mod snapshot;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use manifest::{Manifest, ModuleEntry};

/// A file of the data directory kept beside the databases: the key that signs access tokens, so
/// people stay signed in across a restore.
pub const TOKEN_KEY_FILE: &str = "token.key";

/// Every module's name, in the order of the module table.
pub fn module_names() -> Vec<&'static str> {
    crate::modules::MODULES.iter().map(|module| module.name).collect()
}

/// What a backup made.
#[derive(Debug, serde::Serialize)]
pub struct BackupOutcome {
    pub archive: PathBuf,
    pub archive_size_bytes: u64,
    /// The whole backup, packing included (the manifest, written first, cannot hold it).
    pub total_ms: u64,
    pub manifest: Manifest,
}

/// Backs up the data directory of a running (or stopped) system into the archive `to`.
pub async fn backup(data_dir: &Path, to: &Path) -> anyhow::Result<BackupOutcome> {
    let started = Instant::now();
    let parent = match to.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
    // The copies are made beside the archive, on the disk that must hold it anyway.
    let staging = tempfile::Builder::new()
        .prefix(".atq-backup-")
        .tempdir_in(&parent)
        .with_context(|| format!("cannot write in {}", parent.display()))?;
    let modules = module_names();
    let snapshot = snapshot::take(data_dir, &modules, staging.path()).await?;
    let urls: Vec<(&'static str, String)> =
        snapshot.files.iter().map(|(module, path)| (*module, manifest::read_only_url(path))).collect();
    let known = manifest::known_schema_versions(&modules).await?;
    let report = check::check(&urls, &known).await?;
    if !report.verification.ok {
        tracing::warn!(problems = %report.verification.problems.join("; "), "the backup's check found problems");
    }
    let mut entries = Vec::new();
    for (module, path) in &snapshot.files {
        let facts = report.facts.get(*module).cloned().unwrap_or_default();
        entries.push(ModuleEntry { module: (*module).to_owned(), file: manifest::file_entry(path)?, facts });
    }
    let mut extra_files = Vec::new();
    let token_key = data_dir.join(TOKEN_KEY_FILE);
    if token_key.is_file() {
        std::fs::copy(&token_key, staging.path().join(TOKEN_KEY_FILE))?;
        extra_files.push(manifest::file_entry(&staging.path().join(TOKEN_KEY_FILE))?);
    }
    let manifest = Manifest {
        format: manifest::FORMAT,
        atq_version: env!("CARGO_PKG_VERSION").to_owned(),
        created_at: chrono::Utc::now(),
        duration_ms: started.elapsed().as_millis() as u64,
        write_pause_ms: snapshot.write_pause.as_millis() as u64,
        modules: entries,
        verification: report.verification,
        extra_files,
    };
    let (packed, dir, target) = (manifest.clone(), staging.path().to_path_buf(), to.to_path_buf());
    let archive_size_bytes = tokio::task::spawn_blocking(move || archive::pack(&packed, &dir, &target)).await??;
    tracing::info!(archive = %to.display(), size_bytes = archive_size_bytes, total_ms = started.elapsed().as_millis() as u64, "backup written");
    let total_ms = started.elapsed().as_millis() as u64;
    Ok(BackupOutcome { archive: to.to_path_buf(), archive_size_bytes, total_ms, manifest })
}
