//! The SQL of users, their change records and nothing else.

use atq_platform::business_time::now_micros;
use atq_platform::{Db, Error, Office, Role, Tx};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::User;

const COLUMNS: &str = "id, username, display_name, role, office, email, phone, active, must_change_password, \
                       language, version, created_at, updated_at";

/// A user as administrators see them.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub office: Option<Office>,
    pub email: String,
    pub phone: String,
    pub active: bool,
    pub must_change_password: bool,
    /// vi, en, or empty for the browser's choice.
    pub language: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl UserRecord {
    pub fn user(&self) -> User {
        User {
            id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            office: self.office,
            must_change_password: self.must_change_password,
        }
    }
}

fn record(row: &AnyRow) -> Result<UserRecord, sqlx::Error> {
    let role: String = row.try_get("role")?;
    let office: String = row.try_get("office")?;
    Ok(UserRecord {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        // A role this build does not know reads as the least privileged one.
        role: Role::parse(&role).unwrap_or(Role::SalesRep),
        office: Office::parse(&office).ok(),
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
        active: row.try_get::<i64, _>("active")? == 1,
        must_change_password: row.try_get::<i64, _>("must_change_password")? == 1,
        language: row.try_get("language")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub office: Option<Office>,
    pub email: String,
    pub phone: String,
    pub password_hash: String,
    pub must_change_password: bool,
}

/// Adds `new` in `tx`; a taken username is a conflict.
pub async fn insert(tx: &mut Tx, new: &NewUser) -> Result<i64, Error> {
    let now = now_micros();
    let inserted = sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, role, office, email, phone, active, \
         must_change_password, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $9) \
         ON CONFLICT (username) DO NOTHING RETURNING id",
    )
    .bind(&new.username)
    .bind(&new.display_name)
    .bind(&new.password_hash)
    .bind(new.role.as_str())
    .bind(new.office.map(Office::code).unwrap_or(""))
    .bind(&new.email)
    .bind(&new.phone)
    .bind(i64::from(new.must_change_password))
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    match inserted {
        Some(row) => Ok(row.try_get("id")?),
        None => Err(Error::invalid("username", "is taken by another user")),
    }
}

/// Adds `new` unless its username exists; returns whether it was added.
pub async fn insert_if_absent(db: &Db, new: &NewUser, by: &str) -> Result<bool, Error> {
    let mut tx = db.begin().await?;
    match insert(&mut tx, new).await {
        Ok(id) => {
            record_change(&mut tx, id, by, "created", &format!("role: {}", new.role.as_str())).await?;
            tx.commit().await?;
            Ok(true)
        }
        Err(Error::Invalid(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

/// An active user and their password hash.
pub async fn find_active(db: &Db, username: &str) -> Result<Option<(User, String)>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {COLUMNS}, password_hash FROM users WHERE username = $1 AND active = 1"))
        .bind(username)
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some((record(&row)?.user(), row.try_get("password_hash")?)))
}

pub async fn get(db: &Db, id: i64) -> Result<Option<UserRecord>, sqlx::Error> {
    let row =
        sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(record).transpose()
}

pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<UserRecord>, sqlx::Error> {
    let row =
        sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE id = $1")).bind(id).fetch_optional(&mut **tx).await?;
    row.as_ref().map(record).transpose()
}

pub async fn password_hash(db: &Db, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 AND active = 1")
        .bind(id)
        .fetch_optional(db.pool())
        .await
}

pub struct ListFilter {
    /// Matched against username and name, ignoring case.
    pub q: String,
    pub role: Option<Role>,
    pub office: Option<Office>,
    pub active: Option<bool>,
    pub after_id: i64,
    pub limit: u32,
}

pub async fn list(db: &Db, filter: &ListFilter) -> Result<Vec<UserRecord>, sqlx::Error> {
    let pattern =
        format!("%{}%", filter.q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM users WHERE id > $1 \
         AND (LOWER(username) LIKE $2 ESCAPE '\\' OR LOWER(display_name) LIKE $2 ESCAPE '\\') \
         AND ($3 = '' OR role = $3) AND ($4 = '' OR office = $4) AND ($5 < 0 OR active = $5) \
         ORDER BY id LIMIT $6"
    ))
    .bind(filter.after_id)
    .bind(pattern)
    .bind(filter.role.map(Role::as_str).unwrap_or(""))
    .bind(filter.office.map(Office::code).unwrap_or(""))
    .bind(filter.active.map(i64::from).unwrap_or(-1))
    .bind(i64::from(filter.limit))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(record).collect()
}

/// Writes `next` over the user at `expected_version`; a stale version is refused.
pub async fn update(tx: &mut Tx, next: &UserRecord, expected_version: i64) -> Result<(), Error> {
    let changed = sqlx::query(
        "UPDATE users SET display_name = $1, role = $2, office = $3, email = $4, phone = $5, active = $6, \
         language = $7, version = version + 1, updated_at = $8 WHERE id = $9 AND version = $10",
    )
    .bind(&next.display_name)
    .bind(next.role.as_str())
    .bind(next.office.map(Office::code).unwrap_or(""))
    .bind(&next.email)
    .bind(&next.phone)
    .bind(i64::from(next.active))
    .bind(&next.language)
    .bind(now_micros())
    .bind(next.id)
    .bind(expected_version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed == 1 {
        return Ok(());
    }
    Err(Error::StaleVersion { expected: expected_version, actual: next.version })
}

pub async fn set_password(tx: &mut Tx, id: i64, hash: &str, must_change: bool) -> Result<(), Error> {
    sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = $2, version = version + 1, updated_at = $3 \
         WHERE id = $4",
    )
    .bind(hash)
    .bind(i64::from(must_change))
    .bind(now_micros())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn record_change(tx: &mut Tx, user_id: i64, by: &str, action: &str, detail: &str) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO user_changes (user_id, changed_by, changed_at, action, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user_id)
    .bind(by)
    .bind(now_micros())
    .bind(action)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub struct ChangeRecord {
    pub changed_by: String,
    pub changed_at: i64,
    pub action: String,
    pub detail: String,
}

pub async fn history(db: &Db, user_id: i64) -> Result<Vec<ChangeRecord>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT changed_by, changed_at, action, detail FROM user_changes WHERE user_id = $1 ORDER BY id")
            .bind(user_id)
            .fetch_all(db.pool())
            .await?;
    rows.iter()
        .map(|row| {
            Ok(ChangeRecord {
                changed_by: row.try_get("changed_by")?,
                changed_at: row.try_get("changed_at")?,
                action: row.try_get("action")?,
                detail: row.try_get("detail")?,
            })
        })
        .collect()
}

/// Whether a user (active or not) has this username.
pub async fn username_taken(db: &Db, username: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE username = $1").bind(username).fetch_optional(db.pool()).await?;
    Ok(found.is_some())
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(db.pool()).await
}
