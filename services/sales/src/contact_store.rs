//! Contact and project-party rows: one set of queries for SQLite and PostgreSQL.

use atq_platform::business_time::{now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::paging::Page;
use atq_platform::{Caller, Db, Error, Office, Tx, search_text};
use atq_proto::sales::v1 as pb;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::contact::{ContactFields, NewParty};
use crate::customer_store::CustomerRow;

const COLUMNS: &str = "k.id, k.customer_id, k.name, k.position, k.phone, k.email, k.birthday, k.notes, \
                       k.is_primary, k.active, k.version, k.created_at, k.updated_at, \
                       c.name AS customer_name, c.office";
const FROM: &str = "contacts k JOIN customers c ON c.id = k.customer_id";

#[derive(Clone, Debug)]
pub struct ContactRow {
    pub id: i64,
    pub customer_id: i64,
    pub fields: ContactFields,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub customer_name: String,
    /// The customer's office: the contact's territory.
    pub office: Office,
}

impl ContactRow {
    pub fn to_proto(&self) -> pb::Contact {
        let f = &self.fields;
        pb::Contact {
            id: self.id,
            customer_id: self.customer_id,
            name: f.name.clone(),
            position: f.position.clone(),
            phone: f.phone.clone(),
            email: f.email.clone(),
            birthday: f.birthday.clone(),
            notes: f.notes.clone(),
            is_primary: f.is_primary,
            active: f.active,
            version: self.version,
            created_at: Some(to_timestamp(self.created_at)),
            updated_at: Some(to_timestamp(self.updated_at)),
            customer_name: self.customer_name.clone(),
            office: self.office.to_proto() as i32,
        }
    }
}

fn from_row(row: &AnyRow) -> Result<ContactRow> {
    let office: String = row.try_get("office")?;
    let office = Office::parse(&office)
        .map_err(|_| Error::internal(anyhow::anyhow!("stored customer has bad office {office:?}")))?;
    Ok(ContactRow {
        id: row.try_get("id")?,
        customer_id: row.try_get("customer_id")?,
        fields: ContactFields {
            name: row.try_get("name")?,
            position: row.try_get("position")?,
            phone: row.try_get("phone")?,
            email: row.try_get("email")?,
            birthday: row.try_get("birthday")?,
            notes: row.try_get("notes")?,
            is_primary: row.try_get::<i64, _>("is_primary")? != 0,
            active: row.try_get::<i64, _>("active")? != 0,
        },
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        customer_name: row.try_get("customer_name")?,
        office,
    })
}

pub(crate) fn search_text_of(f: &ContactFields) -> String {
    search_text::fold(&format!("{} {} {} {}", f.name, f.position, f.phone, f.email))
}

#[tracing::instrument(level = "debug", skip(executor))]
pub async fn find<'e, E: sqlx::Executor<'e, Database = Any>>(executor: E, id: i64) -> Result<Option<ContactRow>> {
    let row =
        sqlx::query(&format!("SELECT {COLUMNS} FROM {FROM} WHERE k.id = $1")).bind(id).fetch_optional(executor).await?;
    row.as_ref().map(from_row).transpose()
}

/// The customer's contacts, the primary one first, then in the order they were added.
pub async fn of_customer(db: &Db, customer_id: i64) -> Result<Vec<ContactRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE k.customer_id = $1 ORDER BY k.active DESC, k.is_primary DESC, k.id"
    ))
    .bind(customer_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Contacts matching `query` (folded), in `office` when given, by id for keyset paging.
pub async fn search(db: &Db, query: &str, office: Option<Office>, page: Page) -> Result<Vec<ContactRow>> {
    let pattern = if query.trim().is_empty() { String::new() } else { search_text::like_pattern(query) };
    if pattern == "%%" {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE k.id > $1 AND ($2 = '' OR c.office = $2) \
         AND ($3 = '' OR k.search_text LIKE $3 ESCAPE '\\') ORDER BY k.id LIMIT $4"
    ))
    .bind(page.after_id)
    .bind(office.map(Office::code).unwrap_or(""))
    .bind(pattern)
    .bind(page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Makes none of the customer's contacts primary (before another becomes it, in the same `tx`).
pub async fn clear_primary(tx: &mut Tx, customer_id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE contacts SET is_primary = 0, version = version + 1, updated_at = $1 \
         WHERE customer_id = $2 AND is_primary = 1",
    )
    .bind(now_micros())
    .bind(customer_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, fields(customer_id = customer.id))]
pub async fn insert(tx: &mut Tx, customer: &CustomerRow, f: &ContactFields, caller: &Caller) -> Result<ContactRow> {
    let now = now_micros();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO contacts (customer_id, name, position, phone, email, birthday, notes, is_primary, active, \
         search_text, version, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12, $12) RETURNING id",
    )
    .bind(customer.id)
    .bind(&f.name)
    .bind(&f.position)
    .bind(&f.phone)
    .bind(&f.email)
    .bind(&f.birthday)
    .bind(&f.notes)
    .bind(i64::from(f.is_primary))
    .bind(i64::from(f.active))
    .bind(search_text_of(f))
    .bind(&caller.username)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(ContactRow {
        id,
        customer_id: customer.id,
        fields: f.clone(),
        version: 1,
        created_at: now,
        updated_at: now,
        customer_name: customer.fields.name.clone(),
        office: customer.fields.office,
    })
}

/// Writes `next` over `current` if nobody changed the contact since `current` was read.
pub async fn update(tx: &mut Tx, current: &ContactRow, next: &ContactFields) -> Result<ContactRow> {
    let now = now_micros();
    let updated = sqlx::query(
        "UPDATE contacts SET name = $1, position = $2, phone = $3, email = $4, birthday = $5, notes = $6, \
         is_primary = $7, active = $8, search_text = $9, version = version + 1, updated_at = $10 \
         WHERE id = $11 AND version = $12",
    )
    .bind(&next.name)
    .bind(&next.position)
    .bind(&next.phone)
    .bind(&next.email)
    .bind(&next.birthday)
    .bind(&next.notes)
    .bind(i64::from(next.is_primary))
    .bind(i64::from(next.active))
    .bind(search_text_of(next))
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
    Ok(ContactRow { fields: next.clone(), version: current.version + 1, updated_at: now, ..current.clone() })
}

const PARTY_COLUMNS: &str = "p.id, p.project_customer_id, p.role, p.party_customer_id, p.contact_id, p.influence, \
                             p.stance, p.note, p.created_at, COALESCE(c.name, k.name, '') AS party_name";
const PARTY_FROM: &str = "project_parties p LEFT JOIN customers c ON c.id = p.party_customer_id \
                          LEFT JOIN contacts k ON k.id = p.contact_id";

fn party_from_row(row: &AnyRow) -> Result<pb::ProjectParty> {
    Ok(pb::ProjectParty {
        id: row.try_get("id")?,
        project_customer_id: row.try_get("project_customer_id")?,
        role: row.try_get("role")?,
        party_customer_id: row.try_get::<Option<i64>, _>("party_customer_id")?.unwrap_or_default(),
        contact_id: row.try_get::<Option<i64>, _>("contact_id")?.unwrap_or_default(),
        influence: row.try_get("influence")?,
        stance: row.try_get("stance")?,
        note: row.try_get("note")?,
        party_name: row.try_get("party_name")?,
        created_at: Some(to_timestamp(row.try_get("created_at")?)),
    })
}

pub async fn insert_party(
    tx: &mut Tx,
    project_id: i64,
    party: &NewParty,
    party_name: &str,
    caller: &Caller,
) -> Result<pb::ProjectParty> {
    let now = now_micros();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO project_parties (project_customer_id, role, party_customer_id, contact_id, influence, stance, \
         note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(project_id)
    .bind(&party.role)
    .bind(party.party_customer_id)
    .bind(party.contact_id)
    .bind(&party.influence)
    .bind(&party.stance)
    .bind(&party.note)
    .bind(&caller.username)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(pb::ProjectParty {
        id,
        project_customer_id: project_id,
        role: party.role.clone(),
        party_customer_id: party.party_customer_id.unwrap_or_default(),
        contact_id: party.contact_id.unwrap_or_default(),
        influence: party.influence.clone(),
        stance: party.stance.clone(),
        note: party.note.clone(),
        party_name: party_name.to_owned(),
        created_at: Some(to_timestamp(now)),
    })
}

/// Whether the party existed (and is now gone).
pub async fn delete_party(tx: &mut Tx, project_id: i64, party_id: i64) -> Result<bool> {
    let deleted = sqlx::query("DELETE FROM project_parties WHERE id = $1 AND project_customer_id = $2")
        .bind(party_id)
        .bind(project_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(deleted == 1)
}

pub async fn parties(db: &Db, project_id: i64) -> Result<Vec<pb::ProjectParty>> {
    let rows = sqlx::query(&format!(
        "SELECT {PARTY_COLUMNS} FROM {PARTY_FROM} WHERE p.project_customer_id = $1 ORDER BY p.id"
    ))
    .bind(project_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(party_from_row).collect()
}
