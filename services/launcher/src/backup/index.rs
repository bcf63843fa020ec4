//! `<data_dir>/backups/index.json`: the scheduled backups as the admin sees them (newest first,
//! with size, time taken and the check of each), the schedule, and the last failure. Rewritten
//! after every turn of the schedule, so a reader (the gateway's `GET /api/v1/admin/backups`)
//! needs neither the archives' format nor the data directory's layout beyond this file.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::schedule::{self, ListedBackup, Schedule};

pub const INDEX_FILE: &str = "index.json";

#[derive(Debug, Serialize, Deserialize)]
pub struct Index {
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub every_seconds: u64,
    pub keep: usize,
    /// The last turn of the schedule, when it failed.
    pub last_failure: Option<Failure>,
    pub backups: Vec<ListedBackup>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Failure {
    pub at: chrono::DateTime<chrono::Utc>,
    pub error: String,
}

/// Rewrites the index; a failure to write it is logged, never fatal to the schedule.
pub fn write(data_dir: &Path, schedule: Schedule, last_failure: Option<Failure>) {
    if let Err(error) = try_write(data_dir, schedule, last_failure) {
        tracing::warn!(error = format!("{error:#}"), "cannot write the backups index");
    }
}

fn try_write(data_dir: &Path, schedule: Schedule, last_failure: Option<Failure>) -> anyhow::Result<()> {
    let dir = data_dir.join(schedule::BACKUPS_DIR);
    std::fs::create_dir_all(&dir)?;
    let index = Index {
        updated_at: chrono::Utc::now(),
        every_seconds: schedule.every.as_secs(),
        keep: schedule.keep,
        last_failure,
        backups: schedule::list(data_dir)?,
    };
    // Written aside and renamed, so a reader never sees half a file.
    let partial = dir.join(format!("{INDEX_FILE}.partial"));
    std::fs::write(&partial, serde_json::to_vec_pretty(&index)?)?;
    std::fs::rename(&partial, dir.join(INDEX_FILE))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_index_lists_the_archives_newest_first_and_names_one_it_cannot_read() {
        let data_dir = tempfile::tempdir().unwrap();
        let dir = data_dir.path().join(schedule::BACKUPS_DIR);
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["atq-20260101T000000.000Z.tar.gz", "atq-20260102T000000.000Z.tar.gz"] {
            std::fs::write(dir.join(name), b"not an archive").unwrap();
        }
        let schedule = Schedule { every: Duration::from_secs(6 * 3600), keep: 28 };
        write(data_dir.path(), schedule, None);
        let text = std::fs::read_to_string(dir.join(INDEX_FILE)).unwrap();
        let index: Index = serde_json::from_str(&text).unwrap();
        assert_eq!((index.every_seconds, index.keep), (21_600, 28));
        let files: Vec<&str> = index.backups.iter().map(|b| b.file.as_str()).collect();
        assert_eq!(files, ["atq-20260102T000000.000Z.tar.gz", "atq-20260101T000000.000Z.tar.gz"]);
        assert!(index.backups[0].manifest.is_none());
        assert!(index.backups[0].error.as_deref().unwrap_or_default().contains("damaged"), "{text}");
    }
}
