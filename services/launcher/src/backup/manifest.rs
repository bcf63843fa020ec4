//! What an archive says about itself (`manifest.json`), and the facts read from a database that
//! it records: schema version, outbox head and feed cursors.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Connection};

/// The manifest's own layout; a reader refuses a layout it does not know.
pub const FORMAT: u32 = 1;
pub const MANIFEST_FILE: &str = "manifest.json";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    /// The version of the `atq` that made the archive.
    pub atq_version: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// From the start of the backup until its copies were checked and summed (packing follows).
    pub duration_ms: u64,
    /// How long the services' writes waited while the databases were copied.
    pub write_pause_ms: u64,
    pub modules: Vec<ModuleEntry>,
    /// What the check of the copies found before they were packed.
    pub verification: Verification,
    /// Other files of the data directory (the token key), with their sums.
    #[serde(default)]
    pub extra_files: Vec<FileEntry>,
}

/// The check of a set of databases: feeds, schema versions, integrity and the books.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Verification {
    pub ok: bool,
    /// The accounting-warehouse reconciliation: journal, documents and stock agree.
    pub books_agree: Option<bool>,
    pub problems: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ModuleEntry {
    pub module: String,
    #[serde(flatten)]
    pub file: FileEntry,
    #[serde(flatten)]
    pub facts: DatabaseFacts,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    /// The name inside the archive and in the data directory.
    pub file: String,
    pub size_bytes: u64,
    pub sha256: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DatabaseFacts {
    /// The highest migration applied (`_sqlx_migrations`).
    pub schema_version: i64,
    /// The last position of the module's outbox: what its feed has produced.
    pub outbox_head: i64,
    /// How far the module has consumed each sibling's feed (`feed_cursors`).
    pub feed_cursors: BTreeMap<String, i64>,
}

impl Manifest {
    pub fn module(&self, name: &str) -> Option<&ModuleEntry> {
        self.modules.iter().find(|entry| entry.module == name)
    }

    pub fn total_size_bytes(&self) -> u64 {
        self.modules.iter().map(|m| m.file.size_bytes).sum::<u64>()
            + self.extra_files.iter().map(|f| f.size_bytes).sum::<u64>()
    }
}

/// The size and SHA-256 of a file.
pub fn file_entry(path: &Path) -> anyhow::Result<FileEntry> {
    use sha2::Digest;
    let mut file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = sha2::Sha256::new();
    let size_bytes = std::io::copy(&mut file, &mut hasher)?;
    let name = path.file_name().context("a file name")?.to_string_lossy().into_owned();
    let sha256 = hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(FileEntry { file: name, size_bytes, sha256 })
}

/// Opens a database for reading its facts: a SQLite file read-only, or any database URL.
pub async fn connect(url: &str) -> anyhow::Result<AnyConnection> {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(url).await.with_context(|| format!("cannot open {}", atq_platform::db::redact(url)))
}

/// The url of a SQLite file opened read-only.
pub fn read_only_url(path: &Path) -> String {
    format!("sqlite://{}?mode=ro", path.display())
}

pub async fn read_facts(conn: &mut AnyConnection) -> anyhow::Result<DatabaseFacts> {
    let schema_version: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await
            .context("no migrations table: not an atq database")?;
    let outbox_head: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) FROM outbox").fetch_one(&mut *conn).await?;
    let cursors: Vec<(String, i64)> =
        sqlx::query_as("SELECT feed, position FROM feed_cursors ORDER BY feed").fetch_all(&mut *conn).await?;
    Ok(DatabaseFacts { schema_version, outbox_head, feed_cursors: cursors.into_iter().collect() })
}

/// The highest schema version this binary's migrations reach, per module: each module's
/// migrations applied to a scratch SQLite file and read back, so the answer is what `atq up`
/// would apply, with no second list to keep.
pub async fn known_schema_versions(modules: &[&'static str]) -> anyhow::Result<BTreeMap<String, i64>> {
    let scratch = tempfile::Builder::new().prefix("atq-schema-").tempdir().context("a scratch directory")?;
    let mut known = BTreeMap::new();
    for module in modules {
        let url = atq_platform::Db::sqlite_url(scratch.path(), module);
        crate::modules::migrate(module, &url).await?;
        let mut conn = connect(&url).await?;
        let facts = read_facts(&mut conn).await?;
        conn.close().await?;
        known.insert((*module).to_owned(), facts.schema_version);
    }
    Ok(known)
}
