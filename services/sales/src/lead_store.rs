//! Lead rows: one set of queries for SQLite and PostgreSQL.

use atq_platform::business_time::{now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::paging::Page;
use atq_platform::{Caller, Db, Error, Office, Tx, search_text};
use atq_proto::sales::v1 as pb;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::customer::CustomerGroup;
use crate::lead::LeadFields;

const COLUMNS: &str = "id, name, company, contact_name, position, lead_group, source, office, phone, email, address, \
                       tax_code, notes, status, disqualify_reason, owner, converted_customer_id, \
                       converted_contact_id, version, created_at, updated_at";

#[derive(Clone, Debug)]
pub struct LeadRow {
    pub id: i64,
    pub fields: LeadFields,
    pub status: String,
    pub disqualify_reason: String,
    /// 0 until converted.
    pub converted_customer_id: i64,
    pub converted_contact_id: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl LeadRow {
    pub fn to_proto(&self) -> pb::Lead {
        let f = &self.fields;
        pb::Lead {
            id: self.id,
            name: f.name.clone(),
            company: f.company.clone(),
            contact_name: f.contact_name.clone(),
            position: f.position.clone(),
            group: f.group.to_proto() as i32,
            source: f.source.clone(),
            office: f.office.to_proto() as i32,
            phone: f.phone.clone(),
            email: f.email.clone(),
            address: f.address.clone(),
            tax_code: f.tax_code.clone(),
            notes: f.notes.clone(),
            status: self.status.clone(),
            disqualify_reason: self.disqualify_reason.clone(),
            owner: f.owner.clone(),
            converted_customer_id: self.converted_customer_id,
            converted_contact_id: self.converted_contact_id,
            version: self.version,
            created_at: Some(to_timestamp(self.created_at)),
            updated_at: Some(to_timestamp(self.updated_at)),
        }
    }
}

fn from_row(row: &AnyRow) -> Result<LeadRow> {
    let group: String = row.try_get("lead_group")?;
    let office: String = row.try_get("office")?;
    let corrupt = |what: &str, value: &str| Error::internal(anyhow::anyhow!("stored lead has bad {what} {value:?}"));
    Ok(LeadRow {
        id: row.try_get("id")?,
        fields: LeadFields {
            name: row.try_get("name")?,
            company: row.try_get("company")?,
            contact_name: row.try_get("contact_name")?,
            position: row.try_get("position")?,
            group: CustomerGroup::parse(&group).map_err(|_| corrupt("group", &group))?,
            source: row.try_get("source")?,
            office: Office::parse(&office).map_err(|_| corrupt("office", &office))?,
            phone: row.try_get("phone")?,
            email: row.try_get("email")?,
            address: row.try_get("address")?,
            tax_code: row.try_get("tax_code")?,
            notes: row.try_get("notes")?,
            owner: row.try_get("owner")?,
        },
        status: row.try_get("status")?,
        disqualify_reason: row.try_get("disqualify_reason")?,
        converted_customer_id: row.try_get::<Option<i64>, _>("converted_customer_id")?.unwrap_or_default(),
        converted_contact_id: row.try_get::<Option<i64>, _>("converted_contact_id")?.unwrap_or_default(),
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn search_text_of(f: &LeadFields) -> String {
    search_text::fold(&format!("{} {} {} {} {}", f.name, f.company, f.contact_name, f.phone, f.email))
}

#[tracing::instrument(level = "debug", skip(executor))]
pub async fn find<'e, E: sqlx::Executor<'e, Database = Any>>(executor: E, id: i64) -> Result<Option<LeadRow>> {
    let row =
        sqlx::query(&format!("SELECT {COLUMNS} FROM leads WHERE id = $1")).bind(id).fetch_optional(executor).await?;
    row.as_ref().map(from_row).transpose()
}

#[tracing::instrument(level = "debug", skip_all, fields(by = %caller.username))]
pub async fn insert(tx: &mut Tx, f: &LeadFields, caller: &Caller) -> Result<LeadRow> {
    let now = now_micros();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO leads (name, company, contact_name, position, lead_group, source, office, phone, email, address, \
         tax_code, notes, status, disqualify_reason, owner, search_text, version, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'new', '', $13, $14, 1, $15, $16, $16) \
         RETURNING id",
    )
    .bind(&f.name)
    .bind(&f.company)
    .bind(&f.contact_name)
    .bind(&f.position)
    .bind(f.group.as_str())
    .bind(&f.source)
    .bind(f.office.code())
    .bind(&f.phone)
    .bind(&f.email)
    .bind(&f.address)
    .bind(&f.tax_code)
    .bind(&f.notes)
    .bind(&f.owner)
    .bind(search_text_of(f))
    .bind(&caller.username)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(LeadRow {
        id,
        fields: f.clone(),
        status: "new".into(),
        disqualify_reason: String::new(),
        converted_customer_id: 0,
        converted_contact_id: 0,
        version: 1,
        created_at: now,
        updated_at: now,
    })
}

/// Writes `next`, `status` and `reason` over `current` if nobody changed the lead since it was read.
pub async fn update(tx: &mut Tx, current: &LeadRow, next: &LeadFields, status: &str, reason: &str) -> Result<LeadRow> {
    let now = now_micros();
    let updated = sqlx::query(
        "UPDATE leads SET name = $1, company = $2, contact_name = $3, position = $4, lead_group = $5, source = $6, \
         office = $7, phone = $8, email = $9, address = $10, tax_code = $11, notes = $12, owner = $13, \
         search_text = $14, status = $15, disqualify_reason = $16, version = version + 1, updated_at = $17 \
         WHERE id = $18 AND version = $19",
    )
    .bind(&next.name)
    .bind(&next.company)
    .bind(&next.contact_name)
    .bind(&next.position)
    .bind(next.group.as_str())
    .bind(&next.source)
    .bind(next.office.code())
    .bind(&next.phone)
    .bind(&next.email)
    .bind(&next.address)
    .bind(&next.tax_code)
    .bind(&next.notes)
    .bind(&next.owner)
    .bind(search_text_of(next))
    .bind(status)
    .bind(reason)
    .bind(now)
    .bind(current.id)
    .bind(current.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    stale_unless_one(tx, current, updated).await?;
    Ok(LeadRow {
        fields: next.clone(),
        status: status.to_owned(),
        disqualify_reason: reason.to_owned(),
        version: current.version + 1,
        updated_at: now,
        ..current.clone()
    })
}

async fn stale_unless_one(tx: &mut Tx, current: &LeadRow, updated: u64) -> Result<()> {
    if updated == 1 {
        return Ok(());
    }
    let actual = find(&mut **tx, current.id).await?.map(|row| row.version).unwrap_or_default();
    Err(Error::StaleVersion { expected: current.version, actual })
}

/// Records the conversion; the version check makes a concurrent second conversion fail.
pub async fn mark_converted(tx: &mut Tx, current: &LeadRow, customer_id: i64, contact_id: i64) -> Result<LeadRow> {
    let now = now_micros();
    let updated = sqlx::query(
        "UPDATE leads SET status = 'converted', converted_customer_id = $1, converted_contact_id = $2, \
         version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5 AND status <> 'converted'",
    )
    .bind(customer_id)
    .bind(contact_id)
    .bind(now)
    .bind(current.id)
    .bind(current.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    stale_unless_one(tx, current, updated).await?;
    Ok(LeadRow {
        status: "converted".into(),
        converted_customer_id: customer_id,
        converted_contact_id: contact_id,
        version: current.version + 1,
        updated_at: now,
        ..current.clone()
    })
}

pub struct LeadFilter {
    pub query: String,
    /// Empty for every status.
    pub status: String,
    pub office: Option<Office>,
    /// Empty for everyone's.
    pub owner: String,
    pub page: Page,
}

#[tracing::instrument(level = "debug", skip_all, fields(office = ?filter.office))]
pub async fn list(db: &Db, filter: &LeadFilter) -> Result<Vec<LeadRow>> {
    let pattern = if filter.query.trim().is_empty() { String::new() } else { search_text::like_pattern(&filter.query) };
    if pattern == "%%" {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM leads WHERE id > $1 AND ($2 = '' OR office = $2) AND ($3 = '' OR status = $3) \
         AND ($4 = '' OR owner = $4) AND ($5 = '' OR search_text LIKE $5 ESCAPE '\\') ORDER BY id LIMIT $6"
    ))
    .bind(filter.page.after_id)
    .bind(filter.office.map(Office::code).unwrap_or(""))
    .bind(&filter.status)
    .bind(&filter.owner)
    .bind(pattern)
    .bind(filter.page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}
