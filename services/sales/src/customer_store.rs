//! Customer rows: one set of queries for SQLite and PostgreSQL.

use atq_platform::business_time::{now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::paging::Page;
use atq_platform::{Caller, Db, Error, Office, Tx, outbox, search_text};
use atq_proto::sales::v1 as pb;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::customer::{CustomerFields, CustomerGroup};

const COLUMNS: &str = "id, code, name, customer_group, phone, email, address, office, tax_code, assigned_to, \
                       purchase_count, last_purchase_on, version, created_at, updated_at";

#[derive(Clone, Debug)]
pub struct CustomerRow {
    pub id: i64,
    pub code: String,
    pub fields: CustomerFields,
    pub purchase_count: i64,
    /// Local date, YYYY-MM-DD, or empty.
    pub last_purchase_on: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl CustomerRow {
    pub fn to_proto(&self) -> pb::Customer {
        let f = &self.fields;
        pb::Customer {
            id: self.id,
            code: self.code.clone(),
            name: f.name.clone(),
            group: f.group.to_proto() as i32,
            phone: f.phone.clone(),
            email: f.email.clone(),
            address: f.address.clone(),
            office: f.office.to_proto() as i32,
            tax_code: f.tax_code.clone(),
            assigned_to: f.assigned_to.clone(),
            purchase_count: self.purchase_count,
            last_purchase_on: self.last_purchase_on.parse().ok().map(atq_platform::business_time::date_to_proto),
            version: self.version,
            created_at: Some(to_timestamp(self.created_at)),
            updated_at: Some(to_timestamp(self.updated_at)),
        }
    }
}

fn from_row(row: &AnyRow) -> Result<CustomerRow> {
    let group: String = row.try_get("customer_group")?;
    let office: String = row.try_get("office")?;
    let corrupt =
        |what: &str, value: &str| Error::internal(anyhow::anyhow!("stored customer has bad {what} {value:?}"));
    Ok(CustomerRow {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        fields: CustomerFields {
            name: row.try_get("name")?,
            group: CustomerGroup::parse(&group).map_err(|_| corrupt("group", &group))?,
            phone: row.try_get("phone")?,
            email: row.try_get("email")?,
            address: row.try_get("address")?,
            office: Office::parse(&office).map_err(|_| corrupt("office", &office))?,
            tax_code: row.try_get("tax_code")?,
            assigned_to: row.try_get("assigned_to")?,
        },
        purchase_count: row.try_get("purchase_count")?,
        last_purchase_on: row.try_get("last_purchase_on")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(crate) fn search_text_of(code: &str, f: &CustomerFields) -> String {
    search_text::fold(&format!("{} {} {} {}", f.name, code, f.phone, f.email))
}

#[tracing::instrument(level = "debug", skip(executor))]
pub async fn find<'e, E: sqlx::Executor<'e, Database = Any>>(executor: E, id: i64) -> Result<Option<CustomerRow>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM customers WHERE id = $1"))
        .bind(id)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(from_row).transpose()
}

#[tracing::instrument(level = "debug", skip_all, fields(by = %caller.username))]
pub async fn insert(tx: &mut Tx, db: &Db, fields: &CustomerFields, caller: &Caller) -> Result<CustomerRow> {
    let code = format!("KH{:06}", next_in_series(tx, "customer").await?);
    let now = now_micros();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO customers (code, name, customer_group, phone, email, address, office, tax_code, assigned_to, \
         purchase_count, search_text, version, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, 1, $11, $12, $12) RETURNING id",
    )
    .bind(&code)
    .bind(&fields.name)
    .bind(fields.group.as_str())
    .bind(&fields.phone)
    .bind(&fields.email)
    .bind(&fields.address)
    .bind(fields.office.code())
    .bind(&fields.tax_code)
    .bind(&fields.assigned_to)
    .bind(search_text_of(&code, fields))
    .bind(&caller.username)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let row = CustomerRow {
        id,
        code,
        fields: fields.clone(),
        purchase_count: 0,
        last_purchase_on: String::new(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    record_revision(tx, &row, "created", caller, &fields.changes_from(None)).await?;
    let event = pb::CustomerCreated {
        customer_id: id,
        code: row.code.clone(),
        group: fields.group.to_proto() as i32,
        office: fields.office.to_proto() as i32,
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    };
    outbox::record(tx, db.backend(), "customer", &id.to_string(), &event).await?;
    Ok(row)
}

/// Writes `next` over `current` if nobody changed the record since `current` was read.
#[tracing::instrument(level = "debug", skip_all, fields(customer_id = current.id))]
pub async fn update(
    tx: &mut Tx,
    db: &Db,
    current: &CustomerRow,
    next: CustomerFields,
    caller: &Caller,
) -> Result<CustomerRow> {
    let changes = next.changes_from(Some(&current.fields));
    if changes.is_empty() {
        return Ok(current.clone());
    }
    let now = now_micros();
    let updated = sqlx::query(
        "UPDATE customers SET name = $1, customer_group = $2, phone = $3, email = $4, address = $5, office = $6, \
         tax_code = $7, assigned_to = $8, search_text = $9, version = version + 1, updated_at = $10 \
         WHERE id = $11 AND version = $12",
    )
    .bind(&next.name)
    .bind(next.group.as_str())
    .bind(&next.phone)
    .bind(&next.email)
    .bind(&next.address)
    .bind(next.office.code())
    .bind(&next.tax_code)
    .bind(&next.assigned_to)
    .bind(search_text_of(&current.code, &next))
    .bind(now)
    .bind(current.id)
    .bind(current.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if updated != 1 {
        let actual = find(&mut **tx, current.id).await?.map(|row| row.version).unwrap_or_default();
        return Err(Error::StaleVersion { expected: current.version, actual });
    }
    let row = CustomerRow { fields: next, version: current.version + 1, updated_at: now, ..current.clone() };
    record_revision(tx, &row, "updated", caller, &changes).await?;
    let event = pb::CustomerUpdated {
        customer_id: row.id,
        version: row.version,
        group: row.fields.group.to_proto() as i32,
        office: row.fields.office.to_proto() as i32,
        changes,
        updated_by: caller.username.clone(),
    };
    outbox::record(tx, db.backend(), "customer", &row.id.to_string(), &event).await?;
    Ok(row)
}

async fn record_revision(
    tx: &mut Tx,
    row: &CustomerRow,
    action: &str,
    caller: &Caller,
    changes: &[pb::FieldChange],
) -> Result<()> {
    let stored: Vec<StoredChange> = changes
        .iter()
        .map(|c| StoredChange { field: c.field.clone(), old: c.old_value.clone(), new: c.new_value.clone() })
        .collect();
    let changes = serde_json::to_string(&stored).map_err(Error::internal)?;
    sqlx::query(
        "INSERT INTO customer_revisions (customer_id, version, action, changed_by, changed_at, changes) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(row.id)
    .bind(row.version)
    .bind(action)
    .bind(&caller.username)
    .bind(row.updated_at)
    .bind(changes)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip(db))]
pub async fn revisions(db: &Db, customer_id: i64) -> Result<Vec<pb::CustomerRevision>> {
    let rows: Vec<(i64, String, String, i64, String)> = sqlx::query_as(
        "SELECT version, action, changed_by, changed_at, changes FROM customer_revisions \
         WHERE customer_id = $1 ORDER BY version",
    )
    .bind(customer_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(version, action, changed_by, changed_at, changes)| {
            let stored: Vec<StoredChange> = serde_json::from_str(&changes).map_err(Error::internal)?;
            Ok(pb::CustomerRevision {
                version,
                changed_by,
                changed_at: Some(to_timestamp(changed_at)),
                action,
                changes: stored
                    .into_iter()
                    .map(|c| pb::FieldChange { field: c.field, old_value: c.old, new_value: c.new })
                    .collect(),
            })
        })
        .collect()
}

pub struct ListFilter {
    pub query: String,
    pub group: Option<CustomerGroup>,
    pub office: Option<Office>,
    /// Username of the responsible salesperson; empty for everyone's.
    pub assigned_to: String,
    pub page: Page,
}

#[tracing::instrument(level = "debug", skip_all, fields(office = ?filter.office))]
pub async fn list(db: &Db, filter: &ListFilter) -> Result<Vec<CustomerRow>> {
    let pattern = if filter.query.trim().is_empty() { String::new() } else { search_text::like_pattern(&filter.query) };
    if pattern == "%%" {
        // Only punctuation was typed: nothing folded can contain it.
        return Ok(Vec::new());
    }
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM customers WHERE id > $1 AND ($2 = '' OR office = $2) \
         AND ($3 = '' OR customer_group = $3) AND ($4 = '' OR search_text LIKE $4 ESCAPE '\\') \
         AND ($5 = '' OR assigned_to = $5) ORDER BY id LIMIT $6"
    ))
    .bind(filter.page.after_id)
    .bind(filter.office.map(Office::code).unwrap_or(""))
    .bind(filter.group.map(CustomerGroup::as_str).unwrap_or(""))
    .bind(pattern)
    .bind(&filter.assigned_to)
    .bind(filter.page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// One changed field as kept in `customer_revisions.changes` (JSON, readable from SQL).
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct StoredChange {
    pub(crate) field: String,
    pub(crate) old: String,
    pub(crate) new: String,
}
