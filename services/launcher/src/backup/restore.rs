//! `atq restore`: an archive into an empty data directory, refused unless every check passes; and
//! `atq restore --check` of databases already in place.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};

use super::check::{self, CheckReport};
use super::manifest::{self, Manifest};
use super::{archive, module_names};
use crate::config::Config;

/// Restores the archive `from` into `data_dir`, which must be empty or absent. Nothing is left in
/// `data_dir` when a check fails.
pub async fn restore(from: &Path, data_dir: &Path) -> anyhow::Result<Manifest> {
    refuse_non_empty(data_dir)?;
    let header = {
        let from = from.to_path_buf();
        tokio::task::spawn_blocking(move || archive::read_manifest(&from)).await??
    };
    let modules = module_names();
    let known = manifest::known_schema_versions(&modules).await?;
    refuse_unknown_modules(&header, &modules)?;
    let claimed: BTreeMap<String, manifest::DatabaseFacts> =
        header.modules.iter().map(|m| (m.module.clone(), m.facts.clone())).collect();
    if let Some(problem) = check::schema_problems(&claimed, &known).into_iter().next() {
        bail!("the archive was made by atq {}: {problem}", header.atq_version);
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
    let staging = tempfile::Builder::new().prefix(".atq-restore-").tempdir_in(data_dir)?;
    let unpacked = {
        let (from, into) = (from.to_path_buf(), staging.path().to_path_buf());
        tokio::task::spawn_blocking(move || archive::unpack(&from, &into)).await??
    };
    let urls: Vec<(&'static str, String)> = modules
        .iter()
        .map(|module| (*module, manifest::read_only_url(&super::snapshot::database_file(staging.path(), module))))
        .collect();
    let report = check::check(&urls, &known).await?;
    refuse_failed_check(&unpacked, &report)?;
    for entry in unpacked.modules.iter().map(|m| &m.file).chain(&unpacked.extra_files) {
        std::fs::rename(staging.path().join(&entry.file), data_dir.join(&entry.file))
            .with_context(|| format!("cannot move {} into {}", entry.file, data_dir.display()))?;
    }
    tracing::info!(archive = %from.display(), data_dir = %data_dir.display(), "restored");
    Ok(unpacked)
}

fn refuse_non_empty(data_dir: &Path) -> anyhow::Result<()> {
    if let Ok(mut entries) = std::fs::read_dir(data_dir)
        && entries.next().is_some()
    {
        bail!(
            "{} is not empty: restore into an empty directory, so nothing of another system mixes in",
            data_dir.display()
        );
    }
    Ok(())
}

fn refuse_unknown_modules(manifest: &Manifest, modules: &[&'static str]) -> anyhow::Result<()> {
    let mut in_archive: Vec<&str> = manifest.modules.iter().map(|m| m.module.as_str()).collect();
    let mut expected = modules.to_vec();
    in_archive.sort_unstable();
    expected.sort_unstable();
    if in_archive != expected {
        bail!("the archive holds the modules {in_archive:?}; this atq runs {expected:?}");
    }
    Ok(())
}

/// The databases unpacked must pass the check and be what the manifest says they are.
fn refuse_failed_check(manifest: &Manifest, report: &CheckReport) -> anyhow::Result<()> {
    if !report.verification.ok {
        bail!("the archive's databases fail the check: {}", report.verification.problems.join("; "));
    }
    for entry in &manifest.modules {
        if report.facts.get(&entry.module) != Some(&entry.facts) {
            bail!("{} does not hold what the manifest says (schema, outbox or cursors): refused", entry.file.file);
        }
    }
    Ok(())
}

/// Checks the databases the configuration names (SQLite files in the data directory, or database
/// URLs): feeds, schema versions, integrity and the books.
pub async fn check_in_place(config: &Config) -> anyhow::Result<CheckReport> {
    let modules = module_names();
    let mut urls = Vec::new();
    for module in &modules {
        let url = config.database_url(module);
        let url = if url.starts_with("sqlite:") {
            // Read-only: a check never creates or changes a file.
            let path = sqlite_file(&url);
            anyhow::ensure!(path.is_file(), "{} is missing", path.display());
            manifest::read_only_url(&path)
        } else {
            url
        };
        urls.push((*module, url));
    }
    let known = manifest::known_schema_versions(&modules).await?;
    check::check(&urls, &known).await
}

/// The file a `sqlite://PATH?options` url names.
fn sqlite_file(url: &str) -> std::path::PathBuf {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    std::path::PathBuf::from(path.split('?').next().unwrap_or(path))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_sqlite_url_names_its_file() {
        assert_eq!(super::sqlite_file("sqlite:///tmp/x/sales.db?mode=rwc"), std::path::Path::new("/tmp/x/sales.db"));
        assert_eq!(super::sqlite_file("sqlite://./data/sales.db"), std::path::Path::new("./data/sales.db"));
    }
}
