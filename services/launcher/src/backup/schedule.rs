//! Backups on a schedule in `atq up` (`--backup-every 6h --backup-keep 28`): archives named by
//! their time in `<data-dir>/backups/`, the oldest beyond `keep` removed, and two gauges for the
//! alert that fires when the last good backup is too old.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use atq_platform::CancellationToken;

use super::manifest::Manifest;

pub const BACKUPS_DIR: &str = "backups";
const PREFIX: &str = "atq-";
const SUFFIX: &str = ".tar.gz";

/// When to back up and how many archives to keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub every: Duration,
    pub keep: usize,
}

/// `90s`, `30m`, `6h` or `1d`.
pub fn parse_interval(text: &str) -> anyhow::Result<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().with_context(|| format!("bad interval {text:?}: expected e.g. 6h"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => bail!("bad interval {text:?}: the unit is s, m, h or d"),
    };
    if number == 0 {
        bail!("bad interval {text:?}: it must be more than zero");
    }
    Ok(Duration::from_secs(number * seconds))
}

/// The scheduled backups of `atq up`, stopped with the system.
pub struct ScheduledBackups {
    shutdown: CancellationToken,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl ScheduledBackups {
    /// Starts the schedule the configuration asks for: none when `backup_every` is `off` or when
    /// the databases are on a server (backed up with its own tools).
    pub fn start(config: &crate::config::Config) -> anyhow::Result<ScheduledBackups> {
        let shutdown = CancellationToken::new();
        let off = ScheduledBackups { shutdown: shutdown.clone(), task: None };
        if config.backup_every.trim() == "off" {
            return Ok(off);
        }
        let schedule = Schedule { every: parse_interval(&config.backup_every)?, keep: config.backup_keep };
        if super::module_names().iter().any(|module| !config.database_url(module).starts_with("sqlite:")) {
            tracing::info!("no scheduled backups: the databases are on a server, back them up with its tools");
            return Ok(off);
        }
        record_newest(&config.data_dir.join(BACKUPS_DIR));
        let task = tokio::spawn(run(config.data_dir.clone(), schedule, shutdown.clone()));
        Ok(ScheduledBackups { shutdown, task: Some(task) })
    }

    /// Stops the schedule, letting a backup under way finish.
    pub async fn stop(self) {
        self.shutdown.cancel();
        if let Some(task) = self.task {
            let _ = task.await;
        }
    }
}

/// Backs up every `schedule.every` until `shutdown`; a failed backup is logged and tried again at
/// the next turn (the age alert tells someone).
pub async fn run(data_dir: PathBuf, schedule: Schedule, shutdown: CancellationToken) {
    tracing::info!(every_s = schedule.every.as_secs(), keep = schedule.keep, "scheduled backups");
    let mut last_failure = None;
    loop {
        super::index::write(&data_dir, schedule, last_failure.clone());
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(schedule.every) => {}
        }
        last_failure = match once(&data_dir, schedule.keep).await {
            Ok(_) => None,
            Err(error) => {
                tracing::error!(error = format!("{error:#}"), "scheduled backup failed");
                Some(super::index::Failure { at: chrono::Utc::now(), error: format!("{error:#}") })
            }
        };
    }
}

/// One scheduled backup: the archive, the gauges, then the rotation.
pub async fn once(data_dir: &Path, keep: usize) -> anyhow::Result<PathBuf> {
    let dir = data_dir.join(BACKUPS_DIR);
    let name = format!("{PREFIX}{}{SUFFIX}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"));
    let outcome = super::backup(data_dir, &dir.join(name)).await?;
    record_success(&outcome.manifest, outcome.archive_size_bytes);
    for old in rotate(&dir, keep)? {
        tracing::info!(archive = %old.display(), "old backup removed");
    }
    Ok(outcome.archive)
}

fn record_success(manifest: &Manifest, archive_size_bytes: u64) {
    metrics::gauge!("atq_backup_last_success_timestamp_seconds").set(manifest.created_at.timestamp() as f64);
    metrics::gauge!("atq_backup_last_size_bytes").set(archive_size_bytes as f64);
}

/// The gauges from the newest archive already there, so the age alert holds across a restart.
fn record_newest(dir: &Path) {
    let newest = archives(dir).ok().and_then(|found| found.last().cloned());
    if let Some(path) = newest
        && let Ok(manifest) = super::archive::read_manifest(&path)
    {
        record_success(&manifest, std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0));
    }
}

/// The scheduled archives in `dir`, oldest first (their names sort by time).
pub fn archives(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(found) };
    for entry in entries {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with(PREFIX) && name.ends_with(SUFFIX) {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// Removes the oldest archives beyond `keep`; returns what it removed.
pub fn rotate(dir: &Path, keep: usize) -> anyhow::Result<Vec<PathBuf>> {
    let found = archives(dir)?;
    let surplus = found.len().saturating_sub(keep.max(1));
    let removed: Vec<PathBuf> = found.into_iter().take(surplus).collect();
    for path in &removed {
        std::fs::remove_file(path).with_context(|| format!("cannot remove {}", path.display()))?;
    }
    Ok(removed)
}

/// An archive in the backups folder as the admin sees it.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct ListedBackup {
    pub file: String,
    pub size_bytes: u64,
    /// The archive's manifest: when it was made, how long it took, the check of its copies.
    pub manifest: Option<Manifest>,
    /// Why the manifest cannot be read.
    pub error: Option<String>,
}

/// The scheduled archives, newest first, with their manifests.
pub fn list(data_dir: &Path) -> anyhow::Result<Vec<ListedBackup>> {
    let mut listed = Vec::new();
    for path in archives(&data_dir.join(BACKUPS_DIR))?.into_iter().rev() {
        let size_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let (manifest, error) = match super::archive::read_manifest(&path) {
            Ok(manifest) => (Some(manifest), None),
            Err(error) => (None, Some(format!("{error:#}"))),
        };
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        listed.push(ListedBackup { file, size_bytes, manifest, error });
    }
    Ok(listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_with_their_unit() {
        assert_eq!(parse_interval("6h").unwrap(), Duration::from_secs(6 * 3600));
        assert_eq!(parse_interval("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_interval("1d").unwrap(), Duration::from_secs(86_400));
        assert!(parse_interval("6").is_err());
        assert!(parse_interval("0h").is_err());
        assert!(parse_interval("h").is_err());
    }

    #[test]
    fn rotation_removes_the_oldest_beyond_keep() {
        let dir = tempfile::tempdir().unwrap();
        for stamp in ["20260101T000000.000Z", "20260102T000000.000Z", "20260103T000000.000Z"] {
            std::fs::write(dir.path().join(format!("{PREFIX}{stamp}{SUFFIX}")), b"x").unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), b"kept").unwrap();
        let removed = rotate(dir.path(), 2).unwrap();
        assert_eq!(removed.len(), 1);
        assert!(removed[0].to_string_lossy().contains("20260101"));
        assert_eq!(archives(dir.path()).unwrap().len(), 2);
        assert!(dir.path().join("notes.txt").exists());
    }
}
