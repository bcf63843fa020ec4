//! A consistent snapshot of every module's SQLite file while the system runs.
//!
//! Taking the files one after another cannot be consistent: sales calls accounting-warehouse
//! synchronously while accounting-warehouse consumes the sales feed, so whichever order is chosen,
//! a write can land between two copies. Instead writes pause on all five files at once: one
//! connection per file takes the write lock (`BEGIN IMMEDIATE`), and while all five are held each
//! file is copied with `VACUUM INTO` from another connection. In WAL mode readers are not blocked,
//! and the five copies show the same committed moment; the services' writers wait on their busy
//! timeout (30 s) and go on when the locks are released. A service may hold a write lock while it
//! calls a sibling that waits for a lock already taken here, so the locks are taken with a short
//! timeout and, when one cannot be had, every lock is released and the round tried again later.
//! When the backup runs inside the system (`atq up`'s schedule, the administrator's request), it
//! first closes each file's write gate ([`atq_platform::write_gate`]): new writers then wait in
//! turn instead of racing the backup for the lock, so a busy system cannot starve it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use atq_platform::write_gate;
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use tokio::sync::OwnedRwLockWriteGuard;

/// Rounds of taking the five locks; the wait for each lock doubles from 200 ms to 12.8 s.
const LOCK_ROUNDS: u32 = 7;
const FIRST_LOCK_WAIT: Duration = Duration::from_millis(200);

/// The copies made and how long writes waited for them.
pub struct Snapshot {
    /// `(module, copy)` in the order of the modules given.
    pub files: Vec<(&'static str, PathBuf)>,
    pub write_pause: Duration,
}

/// The SQLite file of `module` in a data directory (as `Db::sqlite_url` names it).
pub fn database_file(data_dir: &Path, module: &str) -> PathBuf {
    data_dir.join(format!("{module}.db"))
}

/// Copies `<module>.db` of each module in `data_dir` into `into` at one committed moment.
pub async fn take(data_dir: &Path, modules: &[&'static str], into: &Path) -> anyhow::Result<Snapshot> {
    let mut sources = Vec::new();
    for module in modules {
        let path = database_file(data_dir, module);
        anyhow::ensure!(
            path.is_file(),
            "{} is missing: is {} an atq data directory?",
            path.display(),
            data_dir.display()
        );
        sources.push((*module, path));
    }
    let mut locks = Vec::new();
    let mut copiers = Vec::new();
    for (module, path) in &sources {
        let (connection, gate) = (connect(path).await?, write_gate::for_file(path));
        locks.push(Lock { module, connection, gate, closed: None });
        copiers.push(connect(path).await?);
    }
    let paused = pause_writes(&mut locks).await?;
    let copies = copy_all(&mut copiers, &sources, into).await;
    let write_pause = paused.elapsed();
    release(&mut locks).await;
    let files = copies?;
    tracing::info!(write_pause_ms = write_pause.as_millis() as u64, "databases copied");
    Ok(Snapshot { files, write_pause })
}

async fn connect(path: &Path) -> anyhow::Result<SqliteConnection> {
    let options = SqliteConnectOptions::new().filename(path).create_if_missing(false);
    SqliteConnection::connect_with(&options).await.with_context(|| format!("cannot open {}", path.display()))
}

/// What holds one file's writes: its write gate in this process and its SQLite write lock.
struct Lock {
    module: &'static str,
    connection: SqliteConnection,
    gate: write_gate::Gate,
    closed: Option<OwnedRwLockWriteGuard<()>>,
}

/// Takes the write lock of every file, or none: a round that cannot have one lock in time gives
/// back those it has, so a service waiting on one of them finishes, and tries again.
async fn pause_writes(locks: &mut [Lock]) -> anyhow::Result<Instant> {
    let mut wait = FIRST_LOCK_WAIT;
    for round in 1..=LOCK_ROUNDS {
        match lock_all(locks, wait).await {
            Ok(()) => return Ok(Instant::now()),
            Err(error) if round < LOCK_ROUNDS => {
                tracing::info!(round, error = %error, "a database is busy; trying the locks again");
                release(locks).await;
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            Err(error) => {
                release(locks).await;
                return Err(error.context(format!(
                    "writes could not be paused in {LOCK_ROUNDS} tries; try again when the system is quieter"
                )));
            }
        }
    }
    unreachable!("the last round returns")
}

async fn lock_all(locks: &mut [Lock], wait: Duration) -> anyhow::Result<()> {
    for lock in locks.iter_mut() {
        // Closing the gate waits only for writers already opening a transaction.
        let closing = lock.gate.clone().write_owned();
        let module = lock.module;
        let closed = tokio::time::timeout(wait, closing)
            .await
            .with_context(|| format!("{module}: a writer stayed at the gate for {} ms", wait.as_millis()))?;
        lock.closed = Some(closed);
        let connection = &mut lock.connection;
        sqlx::query(&format!("PRAGMA busy_timeout = {}", wait.as_millis())).execute(&mut *connection).await?;
        // The module is named: an operator can tell which service held its write lock so long.
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *connection).await.with_context(|| {
            format!("{module} held its write lock (one transaction) for more than {} ms", wait.as_millis())
        })?;
    }
    Ok(())
}

/// Ends whatever lock transactions are open (they wrote nothing), then opens the gates.
async fn release(locks: &mut [Lock]) {
    for lock in locks.iter_mut() {
        if let Err(error) = sqlx::query("ROLLBACK").execute(&mut lock.connection).await {
            // "no transaction is active" for the files a failed round did not lock.
            tracing::trace!(error = %error, "nothing to release");
        }
        lock.closed = None;
    }
}

async fn copy_all(
    copiers: &mut [SqliteConnection],
    sources: &[(&'static str, PathBuf)],
    into: &Path,
) -> anyhow::Result<Vec<(&'static str, PathBuf)>> {
    let copies = copiers.iter_mut().zip(sources).map(|(copier, (module, source))| {
        let target = database_file(into, module);
        async move {
            // VACUUM INTO takes a file name as a string literal: quotes are doubled.
            let literal = target.to_string_lossy().replace('\'', "''");
            sqlx::query(&format!("VACUUM INTO '{literal}'"))
                .execute(&mut *copier)
                .await
                .with_context(|| format!("cannot copy {}", source.display()))?;
            anyhow::Ok((*module, target))
        }
    });
    futures::future::try_join_all(copies).await
}
