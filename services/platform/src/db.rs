//! One pool type for both backends: sqlx `Any` over SQLite (embedded default) or PostgreSQL.
//! Queries are written once in portable SQL (`$n` placeholders, integers for money and instants).

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use include_dir::{Dir, include_dir};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor};

/// The platform's own tables (versions below 100): outbox, idempotency, feed cursors, numbering.
pub(crate) static PLATFORM_MIGRATIONS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/migrations");

pub type Tx = sqlx::Transaction<'static, Any>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    url: DatabaseUrl,
    /// SQLite files only: closed by a backup in this process while it takes the write locks.
    write_gate: Option<crate::write_gate::Gate>,
}

/// The url the pool was opened with, for connections outside the pool (a PostgreSQL listener).
/// Its `Debug` hides the password.
#[derive(Clone)]
pub struct DatabaseUrl(std::sync::Arc<str>);

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&redact(&self.0))
    }
}

impl Db {
    /// Connects to `sqlite://…` or `postgres://…`. SQLite files are created when missing.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            anyhow::bail!("unsupported database url {url:?}: expected sqlite:// or postgres://");
        };
        let options: AnyConnectOptions = url.parse().with_context(|| format!("bad database url {url:?}"))?;
        let pool_options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let pool = match backend {
            Backend::Sqlite => {
                // A file cannot drop a connection the way a server can, so the ping before each
                // acquire (a round trip to the connection's worker thread) buys nothing here.
                pool_options
                    .max_connections(8)
                    .test_before_acquire(false)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL lets readers run beside the one writer; the busy timeout makes a
                            // second writer wait for the first instead of failing.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            conn.execute("PRAGMA busy_timeout = 30000").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await
            }
            Backend::Postgres => pool_options.max_connections(16).connect_with(options).await,
        }
        .with_context(|| format!("cannot connect to {}", redact(url)))?;
        let write_gate = crate::write_gate::sqlite_file(url).map(|file| crate::write_gate::for_file(&file));
        Ok(Db { pool, backend, url: DatabaseUrl(url.into()), write_gate })
    }

    /// The SQLite url of a service's file under the data directory.
    pub fn sqlite_url(data_dir: &Path, service: &str) -> String {
        format!("sqlite://{}?mode=rwc", data_dir.join(format!("{service}.db")).display())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// Starts a write transaction. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`)
    /// so two writers queue instead of failing when a read lock cannot be upgraded, and it waits
    /// first at the file's write gate (see [`crate::write_gate`]) while a backup closes it.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let _gate_open = match &self.write_gate {
            Some(gate) => Some(gate.read().await),
            None => None,
        };
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Applies the platform's tables (versions below 100) and then the service's own migrations
    /// (versions from 100), rendered for this backend (see [`crate::migrations`]). On PostgreSQL
    /// the migrator holds an advisory lock, so several replicas starting at once apply each
    /// migration once.
    pub async fn migrate(&self, service_migrations: &Dir<'_>) -> anyhow::Result<()> {
        let migrator = crate::migrations::migrator(self.backend, &[&PLATFORM_MIGRATIONS, service_migrations])?;
        migrator.run(&self.pool).await.context("migrations failed")?;
        Ok(())
    }

    /// Connects, brings the schema up to date and claims the database for `service`.
    pub async fn open(url: &str, service: &str, service_migrations: &Dir<'_>) -> anyhow::Result<Db> {
        let db = Db::connect(url).await?;
        db.migrate(service_migrations).await.with_context(|| format!("{service}: {}", redact(url)))?;
        db.claim_owner(service).await?;
        Ok(db)
    }

    /// Refuses a database that another service claimed: each service owns its own.
    async fn claim_owner(&self, service: &str) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO service_identity (service) SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM service_identity)",
        )
        .bind(service)
        .execute(&self.pool)
        .await?;
        let owners: Vec<String> =
            sqlx::query_scalar("SELECT service FROM service_identity").fetch_all(&self.pool).await?;
        if owners.iter().any(|owner| owner != service) {
            anyhow::bail!(
                "this database belongs to {}, not {service}: give each service its own database",
                owners.join(", ")
            );
        }
        Ok(())
    }

    /// A cheap round trip, for readiness.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Ids as a SQL `IN (...)` list. Integers only, so nothing a caller passes can inject; one
/// statement serves a list of any length on both databases, where binds are limited in number.
pub fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

/// `($1, $2), ($3, $4), ...`: the VALUES of a multi-row statement, `rows` rows of `columns`
/// binds each, numbered in the order they are bound.
pub fn values_placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let marks: Vec<String> = (1..=columns).map(|column| format!("${}", row * columns + column)).collect();
            format!("({})", marks.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The VALUES of a multi-row statement whose only binds they are, bound in order: numbered on
/// PostgreSQL ([`values_placeholders`]), anonymous `?` on SQLite. SQLite finds each numbered bind's
/// name by a linear search when it parses and again when it binds, so `$N` binds cost the square
/// of their count: a 3,500-bind insert spent far longer there than writing its rows.
pub fn values_list(backend: Backend, rows: usize, columns: usize) -> String {
    match backend {
        Backend::Postgres => values_placeholders(rows, columns),
        Backend::Sqlite => {
            let row = format!("({})", vec!["?"; columns].join(", "));
            vec![row; rows].join(", ")
        }
    }
}

/// The backend of a connection (of a pool or a transaction).
pub fn backend_of(connection: &sqlx::AnyConnection) -> Backend {
    if connection.backend_name().eq_ignore_ascii_case("postgresql") { Backend::Postgres } else { Backend::Sqlite }
}

/// Hides a password in a database url before it reaches a log line.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme_end + 3], &credentials[..colon], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_numbered_row_by_row() {
        assert_eq!(values_placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(values_placeholders(0, 3), "");
    }

    #[test]
    fn sqlite_values_are_anonymous_and_postgres_values_numbered() {
        assert_eq!(values_list(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(values_list(Backend::Postgres, 2, 2), "($1, $2), ($3, $4)");
        assert_eq!(values_list(Backend::Sqlite, 0, 2), "");
    }

    #[tokio::test]
    async fn values_of_a_multi_row_insert_land_in_their_columns_on_either_backend() {
        let database = crate::testing::fresh_database("values").await.unwrap();
        let none = Dir::new("", &[]);
        let db = Db::open(&database.url, "values", &none).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        assert_eq!(backend_of(&tx), db.backend());
        sqlx::query("CREATE TABLE pairs (a BIGINT NOT NULL, b TEXT NOT NULL)").execute(&mut *tx).await.unwrap();
        let rows: Vec<(i64, String)> = (0..700).map(|n| (n, format!("row {n}"))).collect();
        let sql = format!("INSERT INTO pairs (a, b) VALUES {}", values_list(backend_of(&tx), rows.len(), 2));
        let mut query = sqlx::query(&sql);
        for (a, b) in &rows {
            query = query.bind(*a).bind(b.clone());
        }
        query.execute(&mut *tx).await.unwrap();
        let stored: Vec<(i64, String)> =
            sqlx::query_as("SELECT a, b FROM pairs ORDER BY a").fetch_all(&mut *tx).await.unwrap();
        assert_eq!(stored, rows);
        tx.rollback().await.unwrap();
        db.close().await;
    }

    #[tokio::test]
    async fn a_database_claimed_by_one_service_is_refused_to_another() {
        let database = crate::testing::fresh_database("claim").await.unwrap();
        let none = Dir::new("", &[]);
        Db::open(&database.url, "sales", &none).await.unwrap().close().await;
        Db::open(&database.url, "sales", &none).await.unwrap().close().await;
        let error = Db::open(&database.url, "analytics", &none).await.unwrap_err();
        assert!(error.to_string().contains("belongs to sales"), "{error}");
    }

    #[test]
    fn redact_hides_the_password_only() {
        assert_eq!(redact("postgres://atq:secret@db:5432/sales"), "postgres://atq:***@db:5432/sales");
        assert_eq!(redact("postgres://postgres@127.0.0.1/x"), "postgres://postgres@127.0.0.1/x");
        assert_eq!(redact("sqlite://data/sales.db?mode=rwc"), "sqlite://data/sales.db?mode=rwc");
    }
}
