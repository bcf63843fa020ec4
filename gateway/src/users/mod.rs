//! People who sign in: stored in the gateway's own database with argon2id password hashes.
//! Administrators add them, change their role and office, reset their password and deactivate
//! them (`admin`); each person changes their own password and language (`me`). Every change is
//! recorded with who made it and when.

mod admin;
mod me;
pub mod passwords;
mod store;

use atq_platform::{Caller, Db, Office, Role};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use passwords::{hash_password, password_matches};
pub use store::{UserRecord, count, find_active, get as store_get};

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(admin::create_user, admin::list_users))
        .routes(routes!(admin::get_user, admin::update_user))
        .routes(routes!(admin::reset_password))
        .routes(routes!(admin::user_history))
        .routes(routes!(me::me, me::update_me))
        .routes(routes!(me::change_password))
}

/// A signed-in person as the tokens name them.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub office: Option<Office>,
    /// Set by an administrator's reset (or a new account): nothing but the password change until
    /// it is done.
    pub must_change_password: bool,
}

impl User {
    pub fn caller(&self) -> Caller {
        Caller { username: self.username.clone(), role: self.role, office: self.office }
    }
}

/// The active colleague a record's `field` names (a responsible employee, an owner); a field error
/// when nobody active has that username. An empty name names no one.
pub async fn named_colleague(db: &Db, field: &str, username: &str) -> Result<Option<User>, crate::problem::Problem> {
    if username.trim().is_empty() {
        return Ok(None);
    }
    // No username holds a control character, and PostgreSQL refuses a NUL in a query's text.
    if username.chars().any(char::is_control) {
        return Err(crate::problem::Problem::field(field, "no active user has this username"));
    }
    match find_active(db, username.trim()).await {
        Ok(Some((user, _))) => Ok(Some(user)),
        Ok(None) => Err(crate::problem::Problem::field(field, "no active user has this username")),
        Err(error) => Err(crate::problem::Problem::from(atq_platform::Error::from(error))),
    }
}

/// Adds a user unless one with that username exists; returns whether it was added. For the first
/// administrator and the demo staff, whose passwords need no change at sign-in. The password is
/// hashed only for a user that is missing: a restart of the demo hashes nothing.
pub async fn add(
    db: &Db,
    username: &str,
    display_name: &str,
    password: &str,
    role: Role,
    office: Option<Office>,
) -> anyhow::Result<bool> {
    if store::username_taken(db, username).await? {
        return Ok(false);
    }
    let hash = passwords::hash_password_off_thread(password.to_owned()).await?;
    let new = store::NewUser {
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        role,
        office,
        email: String::new(),
        phone: String::new(),
        password_hash: hash,
        must_change_password: false,
    };
    Ok(store::insert_if_absent(db, &new, "system").await?)
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

/// Adds a user from the command line (the first administrator of a fresh install) and returns
/// their temporary password, which they must change at the first sign-in.
pub async fn add_from_command_line(
    db: &Db,
    username: &str,
    display_name: &str,
    role: &str,
    office: &str,
) -> anyhow::Result<String> {
    let temporary = passwords::temporary();
    let hash = passwords::hash_password_off_thread(temporary.clone()).await?;
    let body = admin::CreateUserBody {
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        role: role.to_owned(),
        office: office.to_owned(),
        ..Default::default()
    };
    let new = admin::checked_new(&body, hash).map_err(|error| anyhow::anyhow!("{}", describe(&error)))?;
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &new).await.map_err(|error| anyhow::anyhow!("{}", describe(&error)))?;
    store::record_change(&mut tx, id, "command line", "created", &format!("role: {}", new.role.as_str())).await?;
    tx.commit().await?;
    Ok(temporary)
}

/// An error as one line for the terminal, with each field's problem.
fn describe(error: &atq_platform::Error) -> String {
    match error {
        atq_platform::Error::Invalid(fields) => {
            fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    }
}
