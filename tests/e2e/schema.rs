//! Each module's one migration source ends in the same schema on SQLite and on PostgreSQL: the
//! same tables, columns (type, nullability, primary key) and indexes (columns, uniqueness).
//! It needs both backends at once, so it runs where `ATQ_TEST_POSTGRES_URL` names a server.

use std::collections::BTreeSet;

use atq_launcher::modules::{MODULES, migrate};
use atq_platform::Db;
use atq_platform::testing::POSTGRES_ENV;
use atq_tests::ServerDatabase;
use sqlx::{AnyPool, Row};

/// One line per column and per index, comparable across backends.
type Schema = BTreeSet<String>;

#[tokio::test]
async fn every_module_has_the_same_schema_on_both_backends() {
    let Some(server) = std::env::var(POSTGRES_ENV).ok().filter(|url| !url.is_empty()) else {
        eprintln!("{POSTGRES_ENV} is not set: the schema comparison runs in the PostgreSQL suite");
        return;
    };
    for module in MODULES {
        let folder = tempfile::tempdir().unwrap();
        let sqlite_url = Db::sqlite_url(folder.path(), module.name);
        migrate(module.name, &sqlite_url).await.unwrap();
        let postgres = ServerDatabase::create(&server, &format!("schema_{}", module.name)).await.unwrap();
        migrate(module.name, &postgres.url).await.unwrap();

        let sqlite_schema = sqlite_schema(&Db::connect(&sqlite_url).await.unwrap()).await;
        let postgres_db = Db::connect(&postgres.url).await.unwrap();
        let postgres_schema = postgres_schema(postgres_db.pool()).await;
        postgres_db.close().await;

        assert!(sqlite_schema.len() > 10, "{}: {sqlite_schema:?}", module.name);
        let only_sqlite: Vec<_> = sqlite_schema.difference(&postgres_schema).collect();
        let only_postgres: Vec<_> = postgres_schema.difference(&sqlite_schema).collect();
        assert!(
            only_sqlite.is_empty() && only_postgres.is_empty(),
            "{}: only on SQLite {only_sqlite:#?}, only on PostgreSQL {only_postgres:#?}",
            module.name
        );
    }
}

async fn sqlite_schema(db: &Db) -> Schema {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let mut schema = Schema::new();
    for table in tables {
        let columns = sqlx::query("SELECT name, type, \"notnull\" AS not_null, pk FROM pragma_table_info($1)")
            .bind(&table)
            .fetch_all(db.pool())
            .await
            .unwrap();
        let key_columns = columns.iter().filter(|column| column.get::<i64, _>("pk") > 0).count();
        for column in columns {
            let primary = column.get::<i64, _>("pk") > 0;
            let declared = column.get::<String, _>("type").to_lowercase();
            // A lone INTEGER primary key is SQLite's 64-bit row id (elsewhere INTEGER is 32-bit on
            // PostgreSQL); BLOB is PostgreSQL's BYTEA.
            let kind = match declared.as_str() {
                "integer" if primary && key_columns == 1 => "bigint".to_owned(),
                "blob" => "bytea".to_owned(),
                _ => declared,
            };
            let not_null = primary || column.get::<i64, _>("not_null") == 1;
            schema.insert(column_line(&table, &column.get::<String, _>("name"), &kind, not_null, primary));
        }
        let indexes =
            sqlx::query("SELECT name, \"unique\" AS is_unique FROM pragma_index_list($1) WHERE origin <> 'pk'")
                .bind(&table)
                .fetch_all(db.pool())
                .await
                .unwrap();
        for index in indexes {
            let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                .bind(index.get::<String, _>("name"))
                .fetch_all(db.pool())
                .await
                .unwrap();
            schema.insert(index_line(&table, &columns.join(","), index.get::<i64, _>("is_unique") == 1));
        }
    }
    db.close().await;
    schema
}

async fn postgres_schema(pool: &AnyPool) -> Schema {
    let mut schema = Schema::new();
    let columns = sqlx::query(
        "SELECT c.table_name::TEXT AS table_name, c.column_name::TEXT AS column_name, c.data_type::TEXT AS kind, \
                CASE WHEN c.is_nullable = 'NO' THEN 1 ELSE 0 END::BIGINT AS not_null, \
                CASE WHEN EXISTS (SELECT 1 FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
                     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(ix.indkey) \
                     WHERE ix.indisprimary AND t.relname = c.table_name AND a.attname = c.column_name) \
                THEN 1 ELSE 0 END::BIGINT AS primary_key \
         FROM information_schema.columns c \
         WHERE c.table_schema = 'public' AND c.table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for column in columns {
        schema.insert(column_line(
            &column.get::<String, _>("table_name"),
            &column.get::<String, _>("column_name"),
            &column.get::<String, _>("kind"),
            column.get::<i64, _>("not_null") == 1,
            column.get::<i64, _>("primary_key") == 1,
        ));
    }
    let indexes = sqlx::query(
        "SELECT t.relname::TEXT AS table_name, \
                string_agg(a.attname::TEXT, ',' ORDER BY k.n) AS columns, \
                CASE WHEN ix.indisunique THEN 1 ELSE 0 END::BIGINT AS is_unique \
         FROM pg_index ix \
         JOIN pg_class i ON i.oid = ix.indexrelid \
         JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace ns ON ns.oid = t.relnamespace \
         CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n) \
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
         WHERE ns.nspname = 'public' AND NOT ix.indisprimary AND t.relname <> '_sqlx_migrations' \
         GROUP BY i.relname, t.relname, ix.indisunique",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for index in indexes {
        schema.insert(index_line(
            &index.get::<String, _>("table_name"),
            &index.get::<String, _>("columns"),
            index.get::<i64, _>("is_unique") == 1,
        ));
    }
    schema
}

fn column_line(table: &str, column: &str, kind: &str, not_null: bool, primary: bool) -> String {
    let null = if not_null { "not null" } else { "null" };
    let key = if primary { " primary key" } else { "" };
    format!("column {table}.{column} {kind} {null}{key}")
}

fn index_line(table: &str, columns: &str, unique: bool) -> String {
    format!("{} {table}({columns})", if unique { "unique index" } else { "index" })
}
