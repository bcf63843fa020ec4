//! People who sign in: stored in the gateway's own database with argon2id password hashes.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use atq_platform::business_time::now_micros;
use atq_platform::{Caller, Db, Office, Role};

#[derive(Debug)]
pub struct User {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub office: Option<Office>,
}

impl User {
    pub fn caller(&self) -> Caller {
        Caller { username: self.username.clone(), role: self.role, office: self.office }
    }
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| anyhow::anyhow!("cannot hash password: {error}"))
}

/// Verifies on a blocking thread: argon2id is deliberately slow.
pub async fn password_matches(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// An active user and their password hash; a hash of a random password stands in for an unknown
/// user, so both cases cost the same time.
pub async fn find_active(db: &Db, username: &str) -> Result<Option<(User, String)>, sqlx::Error> {
    let row: Option<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT username, display_name, password_hash, role, office FROM users WHERE username = $1 AND active = 1",
    )
    .bind(username)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.and_then(|(username, display_name, password_hash, role, office)| {
        let role = Role::parse(&role)?;
        let office = Office::parse(&office).ok();
        Some((User { username, display_name, role, office }, password_hash))
    }))
}

/// Adds a user unless one with that username exists; returns whether it was added.
pub async fn add(
    db: &Db,
    username: &str,
    display_name: &str,
    password: &str,
    role: Role,
    office: Option<Office>,
) -> anyhow::Result<bool> {
    let hash = hash_password(password)?;
    let added = sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, role, office, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6) ON CONFLICT (username) DO NOTHING",
    )
    .bind(username)
    .bind(display_name)
    .bind(hash)
    .bind(role.as_str())
    .bind(office.map(Office::code).unwrap_or(""))
    .bind(now_micros())
    .execute(db.pool())
    .await?
    .rows_affected();
    Ok(added == 1)
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(db.pool()).await
}

/// The demo staff: one per role, sales staff in each office. Every password is `demo`.
pub const DEMO_USERS: &[(&str, &str, Role, Office)] = &[
    ("director", "Trần Quốc Anh", Role::Director, Office::HaNoi),
    ("admin", "Quản trị hệ thống", Role::Admin, Office::HaNoi),
    ("sales.hn", "Nguyễn Thu Hà", Role::SalesRep, Office::HaNoi),
    ("sales.hcm", "Lê Minh Tuấn", Role::SalesRep, Office::HoChiMinh),
    ("sales.dl", "Phạm Ngọc Lan", Role::SalesRep, Office::DaLat),
    ("manager.hn", "Đỗ Văn Hùng", Role::SalesManager, Office::HaNoi),
    ("import", "Vũ Thị Mai", Role::ImportOfficer, Office::HaNoi),
    ("accountant", "Hoàng Thị Thu", Role::Accountant, Office::HaNoi),
    ("warehouse", "Bùi Văn Nam", Role::WarehouseKeeper, Office::HaNoi),
];

pub async fn seed_demo(db: &Db) -> anyhow::Result<()> {
    for (username, name, role, office) in DEMO_USERS {
        add(db, username, name, "demo", *role, Some(*office)).await?;
    }
    Ok(())
}
