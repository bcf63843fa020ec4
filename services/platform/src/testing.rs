//! Fresh databases for tests: a SQLite file in a temporary folder by default, or a new database on
//! the PostgreSQL server named by `ATQ_TEST_POSTGRES_URL` (e.g. `postgres://postgres@127.0.0.1:5432`).

use anyhow::Context;
use sqlx::Connection;

pub const POSTGRES_ENV: &str = "ATQ_TEST_POSTGRES_URL";

pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub fn uses_postgres() -> bool {
    std::env::var(POSTGRES_ENV).is_ok_and(|url| !url.is_empty())
}

/// A new, empty database for one test (or one service within a test).
pub async fn fresh_database(label: &str) -> anyhow::Result<TestDatabase> {
    sqlx::any::install_default_drivers();
    match std::env::var(POSTGRES_ENV) {
        Ok(server) if !server.is_empty() => {
            let name = format!("atq_test_{}_{}", label.replace('-', "_"), uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::AnyConnection::connect(&server)
                .await
                .with_context(|| format!("cannot reach PostgreSQL at {}", crate::db::redact(&server)))?;
            sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut admin).await?;
            admin.close().await?;
            Ok(TestDatabase { url: with_database(&server, &name), _dir: None })
        }
        _ => {
            let dir = tempfile::Builder::new().prefix("atq-test-").tempdir()?;
            let url = crate::db::Db::sqlite_url(dir.path(), label);
            Ok(TestDatabase { url, _dir: Some(dir) })
        }
    }
}

/// `postgres://u@h:5432/anything?x` -> `postgres://u@h:5432/<database>?x`.
fn with_database(server: &str, database: &str) -> String {
    let (base, query) = server.split_once('?').map(|(b, q)| (b, format!("?{q}"))).unwrap_or((server, String::new()));
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{base}/{database}{query}")
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_replaces_the_path_only() {
        assert_eq!(with_database("postgres://postgres@127.0.0.1:5432", "t1"), "postgres://postgres@127.0.0.1:5432/t1");
        assert_eq!(with_database("postgres://p@h/postgres?sslmode=disable", "t2"), "postgres://p@h/t2?sslmode=disable");
    }
}
