//! Supplier rows.

use atq_platform::business_time::{now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::paging::Page;
use atq_platform::{Db, Error, Tx, search_text};
use atq_proto::importplanning::v1 as pb;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::catalog::SupplierFields;

const COLUMNS: &str = "id, code, name, country, currency, lead_time_days, contact_name, contact_email, contact_phone, \
                       version, created_at, updated_at";

#[derive(Clone, Debug)]
pub struct SupplierRow {
    pub id: i64,
    pub code: String,
    pub fields: SupplierFields,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl SupplierRow {
    pub fn to_proto(&self) -> pb::Supplier {
        let f = &self.fields;
        pb::Supplier {
            id: self.id,
            code: self.code.clone(),
            name: f.name.clone(),
            country: f.country.clone(),
            currency: f.currency.clone(),
            lead_time_days: f.lead_time_days as i32,
            contact_name: f.contact_name.clone(),
            contact_email: f.contact_email.clone(),
            contact_phone: f.contact_phone.clone(),
            version: self.version,
            created_at: Some(to_timestamp(self.created_at)),
            updated_at: Some(to_timestamp(self.updated_at)),
        }
    }
}

fn from_row(row: &AnyRow) -> Result<SupplierRow> {
    Ok(SupplierRow {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        fields: SupplierFields {
            name: row.try_get("name")?,
            country: row.try_get("country")?,
            currency: row.try_get("currency")?,
            lead_time_days: row.try_get("lead_time_days")?,
            contact_name: row.try_get("contact_name")?,
            contact_email: row.try_get("contact_email")?,
            contact_phone: row.try_get("contact_phone")?,
        },
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

#[tracing::instrument(level = "debug", skip(executor))]
pub async fn find<'e, E: sqlx::Executor<'e, Database = Any>>(executor: E, id: i64) -> Result<Option<SupplierRow>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM suppliers WHERE id = $1"))
        .bind(id)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Two suppliers with one name would be two records of one company.
async fn refuse_duplicate_name(tx: &mut Tx, fields: &SupplierFields, own_id: i64) -> Result<()> {
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM suppliers WHERE name_key = $1 AND id <> $2")
        .bind(search_text::fold(&fields.name))
        .bind(own_id)
        .fetch_optional(&mut **tx)
        .await?;
    match taken {
        Some(_) => Err(Error::invalid("name", "another supplier has this name")),
        None => Ok(()),
    }
}

/// The next code of the series that no supplier has: an imported supplier keeps the code the old
/// system gave it, which may be one the series reaches later.
async fn next_free_code(tx: &mut Tx) -> Result<String> {
    loop {
        let code = format!("NCC{:03}", next_in_series(tx, "supplier").await?);
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM suppliers WHERE code = $1")
            .bind(&code)
            .fetch_optional(&mut **tx)
            .await?;
        if taken.is_none() {
            return Ok(code);
        }
    }
}

/// Stores a new supplier under `code`, or the series' next free code when none is given.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert(tx: &mut Tx, fields: &SupplierFields, code: Option<&str>) -> Result<SupplierRow> {
    refuse_duplicate_name(tx, fields, 0).await?;
    let code = match code {
        Some(code) => code.to_owned(),
        None => next_free_code(tx).await?,
    };
    let now = now_micros();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO suppliers (code, name, name_key, country, currency, lead_time_days, contact_name, contact_email, \
         contact_phone, search_text, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11) RETURNING id",
    )
    .bind(&code)
    .bind(&fields.name)
    .bind(search_text::fold(&fields.name))
    .bind(&fields.country)
    .bind(&fields.currency)
    .bind(fields.lead_time_days)
    .bind(&fields.contact_name)
    .bind(&fields.contact_email)
    .bind(&fields.contact_phone)
    .bind(search_text::fold(&format!("{} {code} {}", fields.name, fields.contact_name)))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let row = SupplierRow { id, code, fields: fields.clone(), version: 1, created_at: now, updated_at: now };
    Ok(row)
}

/// Writes the changed fields at the version read; a concurrent change makes it a stale version.
#[tracing::instrument(level = "debug", skip_all, fields(id = current.id))]
pub async fn update(tx: &mut Tx, current: &SupplierRow, next: SupplierFields) -> Result<SupplierRow> {
    refuse_duplicate_name(tx, &next, current.id).await?;
    let now = now_micros();
    let updated = sqlx::query(
        "UPDATE suppliers SET name = $1, name_key = $2, country = $3, currency = $4, lead_time_days = $5, \
         contact_name = $6, contact_email = $7, contact_phone = $8, search_text = $9, version = version + 1, \
         updated_at = $10 WHERE id = $11 AND version = $12",
    )
    .bind(&next.name)
    .bind(search_text::fold(&next.name))
    .bind(&next.country)
    .bind(&next.currency)
    .bind(next.lead_time_days)
    .bind(&next.contact_name)
    .bind(&next.contact_email)
    .bind(&next.contact_phone)
    .bind(search_text::fold(&format!("{} {} {}", next.name, current.code, next.contact_name)))
    .bind(now)
    .bind(current.id)
    .bind(current.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if updated != 1 {
        return Err(Error::StaleVersion { expected: current.version, actual: current.version + 1 });
    }
    let row = SupplierRow { fields: next, version: current.version + 1, updated_at: now, ..current.clone() };
    Ok(row)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(db: &Db, query: &str, country: &str, page: Page) -> Result<Vec<SupplierRow>> {
    let pattern = if query.trim().is_empty() { String::new() } else { search_text::like_pattern(query) };
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM suppliers WHERE id > $1 AND ($2 = '' OR country = $2) \
         AND ($3 = '' OR search_text LIKE $3 ESCAPE '\\') ORDER BY id LIMIT $4"
    ))
    .bind(page.after_id)
    .bind(country.trim().to_ascii_uppercase())
    .bind(pattern)
    .bind(page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}
