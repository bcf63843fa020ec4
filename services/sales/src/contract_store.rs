//! Contract rows and their files.

use atq_platform::business_time::{date_to_proto, now_micros, stored_date, to_timestamp};
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::paging::Page;
use atq_platform::{Db, Error, Office, Tx};
use atq_proto::sales::v1 as pb;
use chrono::{Datelike, NaiveDate};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::contract::{ContractStatus, NewContract};
use crate::customer::CustomerGroup;
use crate::customer_store::CustomerRow;

const HEAD: &str = "k.id, k.number, k.name, k.customer_id, c.code AS customer_code, c.name AS customer_name, \
                    c.customer_group, k.office, k.responsible, k.made_on, k.ends_on, k.status, k.value, k.note, \
                    k.created_by, k.version, k.created_at, k.updated_at, k.opportunity_id, k.kind";
const FILES: &str = "id, file_name, content_type, size, sha256, uploaded_by, uploaded_at";

#[derive(Clone, Debug)]
pub struct ContractRow {
    pub id: i64,
    pub customer_id: i64,
    pub office: Office,
    pub status: ContractStatus,
    pub proto: pb::Contract,
}

fn head_from_row(row: &AnyRow) -> Result<ContractRow> {
    let office_code: String = row.try_get("office")?;
    let office = Office::parse(&office_code)
        .map_err(|_| Error::internal(anyhow::anyhow!("stored contract has bad office {office_code:?}")))?;
    let group: String = row.try_get("customer_group")?;
    let proto = pb::Contract {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        name: row.try_get("name")?,
        customer_id: row.try_get("customer_id")?,
        customer_code: row.try_get("customer_code")?,
        customer_name: row.try_get("customer_name")?,
        customer_group: CustomerGroup::parse(&group).map(|g| g.to_proto() as i32).unwrap_or_default(),
        office: office.to_proto() as i32,
        responsible: row.try_get("responsible")?,
        made_on: stored_date(&row.try_get::<String, _>("made_on")?, "contract")?.map(date_to_proto),
        ends_on: stored_date(&row.try_get::<String, _>("ends_on")?, "contract")?.map(date_to_proto),
        status: row.try_get("status")?,
        value: row.try_get("value")?,
        note: row.try_get("note")?,
        files: Vec::new(),
        created_by: row.try_get("created_by")?,
        version: row.try_get("version")?,
        created_at: Some(to_timestamp(row.try_get("created_at")?)),
        updated_at: Some(to_timestamp(row.try_get("updated_at")?)),
        opportunity_id: row.try_get::<Option<i64>, _>("opportunity_id")?.unwrap_or_default(),
        kind: row.try_get("kind")?,
    };
    Ok(ContractRow {
        id: proto.id,
        customer_id: proto.customer_id,
        office,
        status: ContractStatus::stored(&proto.status)?,
        proto,
    })
}

fn file_from_row(row: &AnyRow) -> Result<pb::ContractFile> {
    Ok(pb::ContractFile {
        id: row.try_get("id")?,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_at: Some(to_timestamp(row.try_get("uploaded_at")?)),
    })
}

/// The id of the contract with this number, if there is one.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn id_by_number(conn: &mut AnyConnection, number: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM contracts WHERE number = $1").bind(number).fetch_optional(&mut *conn).await?)
}

#[tracing::instrument(level = "debug", skip(conn))]
pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<ContractRow>> {
    let head = sqlx::query(&format!(
        "SELECT {HEAD} FROM contracts k JOIN customers c ON c.id = k.customer_id WHERE k.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(head) = head else { return Ok(None) };
    let mut contract = head_from_row(&head)?;
    let files = sqlx::query(&format!("SELECT {FILES} FROM contract_files WHERE contract_id = $1 ORDER BY id"))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    contract.proto.files = files.iter().map(file_from_row).collect::<Result<_>>()?;
    Ok(Some(contract))
}

#[tracing::instrument(level = "debug", skip_all, fields(customer_id = customer.id))]
pub async fn insert(tx: &mut Tx, contract: &NewContract, customer: &CustomerRow, by: &str) -> Result<i64> {
    let year = contract.made_on.year();
    let number = format!("HD-{year}-{:04}", next_in_series(tx, &format!("contract-{year}")).await?);
    let now = now_micros();
    let id = sqlx::query_scalar(
        "INSERT INTO contracts (number, name, customer_id, office, responsible, made_on, ends_on, status, value, note, \
         created_by, version, created_at, updated_at, opportunity_id, kind) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12, $13, $14) RETURNING id",
    )
    .bind(&number)
    .bind(&contract.name)
    .bind(customer.id)
    .bind(customer.fields.office.code())
    .bind(&contract.responsible)
    .bind(contract.made_on.to_string())
    .bind(contract.ends_on.map(|d| d.to_string()).unwrap_or_default())
    .bind(ContractStatus::Draft.as_str())
    .bind(contract.value)
    .bind(&contract.note)
    .bind(by)
    .bind(now)
    .bind(contract.opportunity_id)
    .bind(contract.kind.as_str())
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// The contract's fields after an update, written only if nobody changed it since it was read.
pub struct ContractChange {
    pub name: String,
    pub responsible: String,
    pub ends_on: Option<NaiveDate>,
    pub value: i64,
    pub note: String,
    pub status: ContractStatus,
}

#[tracing::instrument(level = "debug", skip_all, fields(contract_id = contract.id, status = %change.status))]
pub async fn update(tx: &mut Tx, contract: &ContractRow, change: &ContractChange) -> Result<()> {
    let updated = sqlx::query(
        "UPDATE contracts SET name = $1, responsible = $2, ends_on = $3, value = $4, note = $5, status = $6, \
         version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9",
    )
    .bind(&change.name)
    .bind(&change.responsible)
    .bind(change.ends_on.map(|d| d.to_string()).unwrap_or_default())
    .bind(change.value)
    .bind(&change.note)
    .bind(change.status.as_str())
    .bind(now_micros())
    .bind(contract.id)
    .bind(contract.proto.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if updated == 1 {
        return Ok(());
    }
    let actual: i64 = sqlx::query_scalar("SELECT version FROM contracts WHERE id = $1")
        .bind(contract.id)
        .fetch_one(&mut **tx)
        .await?;
    Err(Error::StaleVersion { expected: contract.proto.version, actual })
}

/// Keeps a file with the contract; the same content attached again returns the file already kept.
#[tracing::instrument(level = "debug", skip(tx, content), fields(size = content.len()))]
pub async fn attach(
    tx: &mut Tx,
    contract_id: i64,
    file_name: &str,
    content_type: &str,
    content: &[u8],
    by: &str,
) -> Result<pb::ContractFile> {
    let digest = atq_platform::idempotency::hex_sha256(content);
    let existing = sqlx::query(&format!("SELECT {FILES} FROM contract_files WHERE contract_id = $1 AND sha256 = $2"))
        .bind(contract_id)
        .bind(&digest)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(row) = existing {
        return file_from_row(&row);
    }
    let row = sqlx::query(&format!(
        "INSERT INTO contract_files (contract_id, file_name, content_type, size, sha256, content, uploaded_by, \
         uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {FILES}"
    ))
    .bind(contract_id)
    .bind(file_name)
    .bind(content_type)
    .bind(content.len() as i64)
    .bind(&digest)
    .bind(content.to_vec())
    .bind(by)
    .bind(now_micros())
    .fetch_one(&mut **tx)
    .await?;
    // The contract's version moves so a reader's ETag shows the change.
    sqlx::query("UPDATE contracts SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now_micros())
        .bind(contract_id)
        .execute(&mut **tx)
        .await?;
    file_from_row(&row)
}

#[tracing::instrument(level = "debug", skip(conn))]
pub async fn file(conn: &mut AnyConnection, contract_id: i64, file_id: i64) -> Result<Option<pb::FileContent>> {
    let row = sqlx::query(&format!("SELECT {FILES}, content FROM contract_files WHERE contract_id = $1 AND id = $2"))
        .bind(contract_id)
        .bind(file_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(pb::FileContent { file: Some(file_from_row(&row)?), content: row.try_get("content")? }))
}

pub struct ContractFilter {
    pub customer_id: i64,
    pub status: String,
    pub office: Option<Office>,
    pub page: Page,
}

/// Contract heads (without files) for a list.
#[tracing::instrument(level = "debug", skip_all, fields(customer_id = filter.customer_id, status = %filter.status))]
pub async fn list(db: &Db, filter: &ContractFilter) -> Result<Vec<ContractRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {HEAD} FROM contracts k JOIN customers c ON c.id = k.customer_id WHERE k.id > $1 \
         AND ($2 = 0 OR k.customer_id = $2) AND ($3 = '' OR k.status = $3) AND ($4 = '' OR k.office = $4) \
         ORDER BY k.id LIMIT $5"
    ))
    .bind(filter.page.after_id)
    .bind(filter.customer_id)
    .bind(&filter.status)
    .bind(filter.office.map(Office::code).unwrap_or(""))
    .bind(filter.page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(head_from_row).collect()
}
