//! The admin's view of the backups of a single-machine install (`GET /api/v1/admin/backups`): the
//! index that `atq up`'s schedule keeps beside the data (`<data_dir>/backups/index.json`), found
//! next to the gateway's own SQLite file. A deployment on a database server is backed up with the
//! server's tools, and the answer says so.

use std::path::{Path, PathBuf};

use atq_platform::{Error, Role};
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::Forbidden;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct BackupsBody {
    /// `sqlite`: a single machine that `atq up` backs up on a schedule; `server`: databases on a
    /// server, backed up with its tools
    pub storage: String,
    /// The schedule (`every_seconds`, `keep`), the `last_failure` if the last turn failed, and
    /// `backups`: each archive, newest first, with its size and manifest (time, time taken, write
    /// pause, per-module facts and the `verification` of its copies). Null before the first turn.
    #[schema(value_type = Option<Object>)]
    pub index: Option<serde_json::Value>,
}

/// The last backups, their sizes and whether their check passed (admin only).
#[utoipa::path(get, path = "/api/v1/admin/backups", tag = "admin",
    responses((status = 200, body = BackupsBody), Forbidden))]
pub async fn backups(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> Result<axum::Json<BackupsBody>, Problem> {
    if caller.role != Role::Admin {
        return Err(Error::PermissionDenied("only the admin sees the backups".into()).into());
    }
    let Some(index_file) = index_file(state.db.url().expose()) else {
        return Ok(axum::Json(BackupsBody { storage: "server".into(), index: None }));
    };
    // No index yet (before the schedule's first turn) reads as null, like an unreadable one.
    let text = tokio::task::spawn_blocking(move || std::fs::read(index_file).ok()).await.ok().flatten();
    let index = text.and_then(|text| serde_json::from_slice(&text).ok());
    Ok(axum::Json(BackupsBody { storage: "sqlite".into(), index }))
}

/// `sqlite://<data_dir>/gateway.db?…` -> `<data_dir>/backups/index.json`; none for a server.
fn index_file(database_url: &str) -> Option<PathBuf> {
    let path = database_url.strip_prefix("sqlite://").or_else(|| database_url.strip_prefix("sqlite:"))?;
    let file = Path::new(path.split('?').next().unwrap_or(path));
    Some(file.parent()?.join("backups").join("index.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_sits_in_the_backups_folder_of_the_data_directory() {
        assert_eq!(
            index_file("sqlite:///srv/atq/data/gateway.db?mode=rwc"),
            Some(PathBuf::from("/srv/atq/data/backups/index.json"))
        );
        assert_eq!(index_file("postgres://atq@db/atq_gateway"), None);
    }
}
