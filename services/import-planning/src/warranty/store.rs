//! Warranty cases as stored: the case whole in `body`, and the columns lists filter on.

use atq_platform::error::Result;
use atq_platform::{Db, Error, Office, Tx};
use atq_proto::importplanning::v1 as pb;
use prost::Message;
use sqlx::AnyConnection;

fn office_code(case: &pb::WarrantyCase) -> &'static str {
    Office::from_proto(case.office).map(Office::code).unwrap_or("")
}

fn decode(rows: Vec<Vec<u8>>) -> Result<Vec<pb::WarrantyCase>> {
    rows.iter().map(|body| Ok(pb::WarrantyCase::decode(body.as_slice())?)).collect()
}

/// Stores a new case; returns its id.
#[tracing::instrument(level = "debug", skip_all, fields(number = case.number))]
pub async fn insert(tx: &mut Tx, case: &pb::WarrantyCase, at: i64) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO warranty_cases (number, product_id, serial, replacement_serial, customer_id, office, status, \
         body, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id",
    )
    .bind(&case.number)
    .bind(case.product_id)
    .bind(&case.serial)
    .bind(&case.replacement_serial)
    .bind(case.customer_id)
    .bind(office_code(case))
    .bind(&case.status)
    .bind(Vec::<u8>::new())
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    // The body carries its own id, known only now.
    let stored = pb::WarrantyCase { id, ..case.clone() };
    sqlx::query("UPDATE warranty_cases SET body = $1 WHERE id = $2")
        .bind(stored.encode_to_vec())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

/// Writes the case's new state if it is still at `case.version - 1`; a conflict otherwise.
#[tracing::instrument(level = "debug", skip_all, fields(id = case.id, version = case.version))]
pub async fn update(tx: &mut Tx, case: &pb::WarrantyCase, at: i64) -> Result<()> {
    let changed = sqlx::query(
        "UPDATE warranty_cases SET replacement_serial = $1, status = $2, body = $3, version = $4, updated_at = $5 \
         WHERE id = $6 AND version = $7",
    )
    .bind(&case.replacement_serial)
    .bind(&case.status)
    .bind(case.encode_to_vec())
    .bind(case.version)
    .bind(at)
    .bind(case.id)
    .bind(case.version - 1)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(Error::Conflict("the warranty case changed meanwhile; try again".into()));
    }
    Ok(())
}

#[tracing::instrument(level = "debug", skip(conn))]
pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<pb::WarrantyCase>> {
    let body: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT body FROM warranty_cases WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    Ok(body.map(|body| pb::WarrantyCase::decode(body.as_slice())).transpose()?)
}

/// The cases of a unit: opened on it, or that gave it to a customer as a replacement.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn of_unit(conn: &mut AnyConnection, product_id: i64, serial: &str) -> Result<Vec<pb::WarrantyCase>> {
    let rows = sqlx::query_scalar(
        "SELECT body FROM warranty_cases WHERE product_id = $1 AND (serial = $2 OR replacement_serial = $2) ORDER BY id",
    )
    .bind(product_id)
    .bind(serial)
    .fetch_all(&mut *conn)
    .await?;
    decode(rows)
}

/// Which cases a list asks for.
#[derive(Debug)]
pub struct CaseQuery {
    pub status: String,
    pub serial: String,
    pub customer_id: i64,
    /// Office-scoped callers see their office's cases only.
    pub office: Option<Office>,
    pub after_id: i64,
    pub limit: i64,
}

#[tracing::instrument(level = "debug", skip(db))]
pub async fn list(db: &Db, query: &CaseQuery) -> Result<Vec<pb::WarrantyCase>> {
    let rows = sqlx::query_scalar(
        "SELECT body FROM warranty_cases WHERE id > $1 AND ($2 = '' OR status = $2) AND ($3 = '' OR serial = $3) \
         AND ($4 = 0 OR customer_id = $4) AND ($5 = '' OR office = $5) ORDER BY id LIMIT $6",
    )
    .bind(query.after_id)
    .bind(&query.status)
    .bind(&query.serial)
    .bind(query.customer_id)
    .bind(query.office.map(Office::code).unwrap_or(""))
    .bind(query.limit)
    .fetch_all(db.pool())
    .await?;
    decode(rows)
}
