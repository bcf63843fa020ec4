//! The `atq backup` and `atq restore` commands: options over the configuration, then a summary
//! on standard output (JSON, for scripts and monitoring).

use std::path::{Path, PathBuf};

use anyhow::bail;

use crate::config::Config;

/// `atq backup --data-dir DIR --to FILE`.
pub async fn backup(mut config: Config, data_dir: Option<PathBuf>, to: &Path) -> anyhow::Result<()> {
    if let Some(dir) = data_dir {
        config.data_dir = dir;
    }
    refuse_server_databases(&config, "atq backup")?;
    let outcome = super::backup(&config.data_dir, to).await?;
    let summary = serde_json::json!({
        "archive": outcome.archive,
        "archive_size_bytes": outcome.archive_size_bytes,
        "databases_size_bytes": outcome.manifest.total_size_bytes(),
        "copy_and_check_ms": outcome.manifest.duration_ms,
        "total_ms": outcome.total_ms,
        "write_pause_ms": outcome.manifest.write_pause_ms,
        "verification": outcome.manifest.verification,
    });
    println!("{summary}");
    Ok(())
}

/// `atq restore --from FILE --data-dir DIR`, or `atq restore --check [--data-dir DIR]`.
pub async fn restore(
    mut config: Config,
    from: Option<PathBuf>,
    data_dir: Option<PathBuf>,
    check: bool,
) -> anyhow::Result<()> {
    if let Some(dir) = data_dir {
        config.data_dir = dir;
    }
    if check {
        let report = super::restore::check_in_place(&config).await?;
        println!("{}", serde_json::to_string_pretty(&report)?);
        if !report.verification.ok {
            bail!("the databases do not pass the check: {}", report.verification.problems.join("; "));
        }
        return Ok(());
    }
    let Some(from) = from else { bail!("--from names the archive to restore") };
    refuse_server_databases(&config, "atq restore")?;
    let manifest = super::restore::restore(&from, &config.data_dir).await?;
    let summary = serde_json::json!({
        "restored_into": config.data_dir,
        "made_at": manifest.created_at,
        "atq_version": manifest.atq_version,
        "modules": manifest.modules.iter().map(|m| (m.module.clone(), m.facts.schema_version)).collect::<std::collections::BTreeMap<_, _>>(),
    });
    println!("{summary}");
    Ok(())
}

/// Backups and restores here are of SQLite files; a database on a server is backed up with the
/// server's tools (README, "Backups") and checked with `atq restore --check`.
fn refuse_server_databases(config: &Config, command: &str) -> anyhow::Result<()> {
    let on_server: Vec<&str> = super::module_names()
        .into_iter()
        .filter(|module| !config.database_url(module).starts_with("sqlite:"))
        .collect();
    if !on_server.is_empty() {
        bail!(
            "{command} works on the SQLite files of a data directory, and {} use a database server: \
             back those up with the server's tools and check them with `atq restore --check`",
            on_server.join(", ")
        );
    }
    Ok(())
}
