//! The REST/JSON gateway: signs people in, checks their role, and turns each route into calls to
//! the department services. Errors are problem+json; every route is in `/api/openapi.json`.
//!
//! Routes live under the department that serves them (`sales`, `import_planning`,
//! `accounting_warehouse`, `analytics`), one module per resource; what every route shares sits at
//! the top: `auth`, `problem` (errors and their OpenAPI responses), `wire` (dates, rates, offices,
//! enum words, CSV), `rpc`, `state`. A route authorises, translates and calls; rules stay in the
//! services.

mod accounting_warehouse;
mod analytics;
mod auth;
mod import_planning;
mod json_body;
mod observe;
mod ops;
mod problem;
mod rpc;
mod sales;
mod state;
pub mod users;
mod wire;
mod xlsx;

use std::sync::Arc;

use atq_platform::{CancellationToken, Db, InternalKey, Peers};
use axum::Router;
use axum::routing::get;
use include_dir::{Dir, include_dir};
use tokio::net::TcpListener;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use state::AppState;

pub const NAME: &str = "gateway";

/// The one migration source of both backends (see `atq_platform::migrations`).
static MIGRATIONS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/migrations");

#[derive(Clone, Debug)]
pub struct GatewaySettings {
    pub database_url: String,
    pub peers: Peers,
    pub internal_key: InternalKey,
    /// Signs the access tokens handed to people.
    pub token_key: Vec<u8>,
    /// Adds the demo staff (password `demo`) when missing.
    pub demo_users: bool,
    /// Creates `admin` with this password when there is no user at all.
    pub admin_password: Option<String>,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "ATQ integrated enterprise system", version = "1", description = "REST API of the ATQ gateway."),
    components(schemas(problem::ProblemBody)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags((name = "auth"), (name = "customers"), (name = "catalog"), (name = "import costing"), (name = "quotes"), (name = "contracts"), (name = "orders"), (name = "dispatch orders"), (name = "warehouse"), (name = "accounting"), (name = "reports"))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// Connects, migrates and claims this service's database.
pub async fn open_database(url: &str) -> anyhow::Result<Db> {
    Db::open(url, NAME, &MIGRATIONS).await
}

/// The whole HTTP application: API routes, operations routes, observability.
pub fn router(mut state: AppState) -> Router {
    let (api, openapi) = api_routes().split_for_parts();
    state.openapi_json = Arc::new(openapi.to_pretty_json().unwrap_or_default());
    api.route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/api/openapi.json", get(ops::openapi))
        .route_layer(axum::middleware::from_fn(observe::observe))
        .fallback(|| async { problem::Problem::new(atq_platform::ErrorCode::NotFound, "no such route") })
        .with_state(state)
}

/// Every API route with its OpenAPI description.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .merge(sales::router())
        .merge(import_planning::router())
        .merge(accounting_warehouse::router())
        .merge(analytics::router())
}

async fn sample_pool(db: Db, shutdown: CancellationToken) {
    loop {
        atq_platform::metrics::sample_pool(&db, NAME);
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
        }
    }
}

/// Runs the gateway on `listener` until `shutdown`, then finishes in-flight requests.
pub async fn serve(
    settings: GatewaySettings,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let db = open_database(&settings.database_url).await?;
    if settings.demo_users {
        users::seed_demo(&db).await?;
    }
    if let Some(password) = settings.admin_password.as_deref().filter(|p| !p.is_empty())
        && users::count(&db).await? == 0
    {
        users::add(&db, "admin", "Administrator", password, atq_platform::Role::Admin, None).await?;
        tracing::info!("created the admin user");
    }
    if users::count(&db).await? == 0 {
        tracing::warn!("no users yet: set ATQ_ADMIN_PASSWORD or start with --demo");
    }
    tokio::spawn(sample_pool(db.clone(), shutdown.clone()));
    let state =
        AppState::new(db.clone(), settings.internal_key, auth::TokenKeys::new(&settings.token_key), &settings.peers)?;
    let app = router(state);
    tracing::info!(address = %listener.local_addr()?, "gateway listening");
    // Nagle off, as on the services: a JSON reply should not wait for the client's delayed ACK.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "could not turn off Nagle on a connection");
        }
    });
    let outcome = axum::serve(listener, app).with_graceful_shutdown(shutdown.cancelled_owned()).await;
    db.close().await;
    tracing::info!("gateway stopped");
    Ok(outcome?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_a_route_documents_is_the_problem_schema() {
        let (_, document) = api_routes().split_for_parts();
        let document = serde_json::to_value(&document).unwrap();
        assert!(document["components"]["schemas"]["ProblemBody"].is_object());
        let mut problems = 0;
        for (path, operations) in document["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                for (status, response) in operation["responses"].as_object().unwrap() {
                    if status.starts_with('4') {
                        let schema = &response["content"]["application/problem+json"]["schema"]["$ref"];
                        assert_eq!(schema, "#/components/schemas/ProblemBody", "{method} {path} {status}");
                        problems += 1;
                    }
                }
            }
        }
        assert!(problems > 100, "{problems}");
    }
}
