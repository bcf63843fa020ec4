//! A gate in front of the SQLite write transactions of this process, one per database file.
//!
//! A backup taken inside the running system (on its schedule, or asked for by an administrator)
//! must hold the write lock of all five files at once. SQLite's busy handler is not fair: under a
//! steady stream of writers the backup's `BEGIN IMMEDIATE` polls, finds the lock taken each time,
//! and can wait forever. Closing the gate first (a write-preferring lock, so closing it is served in
//! turn) stops new write transactions from starting in this process; the backup then waits only
//! for the transactions already open. Writers wait at the gate, without touching the database,
//! and start the moment the backup opens it again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use tokio::sync::RwLock;

pub type Gate = Arc<RwLock<()>>;

static GATES: LazyLock<Mutex<HashMap<PathBuf, Gate>>> = LazyLock::new(Mutex::default);

/// The gate of the database file at `path` (the same gate for every name of the same file).
pub fn for_file(path: &Path) -> Gate {
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut gates = GATES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    gates.entry(key).or_default().clone()
}

/// The file a `sqlite:` url names, when it names one (not an in-memory database).
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_name_their_file_and_memory_has_none() {
        assert_eq!(sqlite_file("sqlite:///data/sales.db?mode=rwc"), Some(PathBuf::from("/data/sales.db")));
        assert_eq!(sqlite_file("sqlite:sales.db"), Some(PathBuf::from("sales.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/atq"), None);
    }

    #[tokio::test]
    async fn a_closed_gate_holds_writers_until_it_opens() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sales.db");
        std::fs::write(&file, b"").unwrap();
        let gate = for_file(&file);
        let closed = gate.clone().write_owned().await;
        let same_file = for_file(&dir.path().join(".").join("sales.db"));
        assert!(same_file.try_read().is_err(), "a second name of the file finds the gate closed");
        drop(closed);
        assert!(same_file.try_read().is_ok());
    }
}
