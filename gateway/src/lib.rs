//! The REST/JSON gateway: signs people in, checks their role, and turns each route into calls to
//! the department services. Errors are problem+json; every route is in `/api/openapi.json`.
//!
//! Routes live under the department that serves them (`sales`, `import_planning`,
//! `accounting_warehouse`, `analytics`), one module per resource; what every route shares sits at
//! the top: `auth`, `problem` (errors and their OpenAPI responses), `wire` (dates, rates, offices,
//! enum words, CSV), `rpc`, `state`. A route authorises, translates and calls; rules stay in the
//! services.

mod accounting_warehouse;
mod admin_backups;
mod analytics;
pub mod auth;
mod costs;
mod dashboard;
mod import_planning;
mod imports;
mod json_body;
mod listen;
mod login_guard;
pub mod messages;
mod observe;
mod openapi_answers;
#[cfg(test)]
mod openapi_required;
mod ops;
pub mod policy;
mod printing;
pub mod problem;
mod rpc;
mod sales;
mod sessions;
mod state;
pub mod users;
mod wire;
mod xlsx;

use std::sync::Arc;

use atq_platform::{CancellationToken, Db, InternalKey, Peers};
use axum::Router;
use axum::handler::Handler;
use axum::routing::get;
use include_dir::{Dir, include_dir};
use tokio::net::TcpListener;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use listen::HttpLimits;
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
    /// Proxies (addresses and networks, comma-separated) whose `X-Forwarded-For` names the client.
    pub trusted_proxies: String,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "ATQ integrated enterprise system", version = "1", description = "REST API of the ATQ gateway."),
    components(schemas(problem::ProblemBody)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags((name = "auth"), (name = "customers"), (name = "catalog"), (name = "import costing"), (name = "quotes"), (name = "contracts"), (name = "orders"), (name = "dispatch orders"), (name = "warehouse"), (name = "accounting"), (name = "reports"), (name = "admin"))
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
    let (api, openapi) = api_document();
    // Every API route passes the role x operation table first (`policy`).
    let api = api.route_layer(axum::middleware::from_fn_with_state(state.clone(), policy::enforce));
    state.openapi_json = Arc::new(openapi.to_pretty_json().unwrap_or_default());
    api.route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/api/openapi.json", get(ops::openapi))
        .route_layer(axum::middleware::from_fn(observe::observe))
        // Counted in the metrics as one route, `unmatched`, whatever the path.
        .fallback(no_such_route.layer(axum::middleware::from_fn(observe::observe)))
        .layer(axum::middleware::from_fn(problem::every_error_as_problem))
        .with_state(state)
}

async fn no_such_route() -> problem::Problem {
    problem::Problem::new(atq_platform::ErrorCode::NotFound, "no such route")
}

/// Every API route with its OpenAPI description.
/// The API's routes and their document, with the responses every signed-in operation shares.
fn api_document() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (api, mut openapi) = api_routes().split_for_parts();
    openapi_answers::add_common_responses(&mut openapi);
    (api, openapi)
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(sessions::refresh))
        .routes(routes!(sessions::logout))
        .merge(users::router())
        .routes(routes!(admin_backups::backups))
        .merge(sales::router())
        .merge(imports::router())
        .merge(import_planning::router())
        .merge(accounting_warehouse::router())
        .merge(analytics::router())
        .merge(dashboard::router())
        .merge(printing::router())
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

/// Runs the gateway on `listener` until `shutdown`, then finishes in-flight requests; HTTP limits
/// at their defaults.
pub async fn serve(
    settings: GatewaySettings,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    serve_with_limits(settings, HttpLimits::default(), listener, shutdown).await
}

/// [`serve`] with the given connection limit and read timeouts.
pub async fn serve_with_limits(
    settings: GatewaySettings,
    limits: HttpLimits,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    serve_with(settings, limits, listener, shutdown, |api, _| api).await
}

/// Puts more routes in front of the API's (the web UI's pages); whatever they do not answer goes
/// to the API router, which they are given to call in-process.
pub type AddRoutes = fn(Router, &AppState) -> Router;

/// [`serve_with_limits`] with `add_routes` in front of the API.
pub async fn serve_with(
    settings: GatewaySettings,
    limits: HttpLimits,
    listener: TcpListener,
    shutdown: CancellationToken,
    add_routes: AddRoutes,
) -> anyhow::Result<()> {
    let db = open_database(&settings.database_url).await?;
    add_first_users(&db, &settings).await?;
    tokio::spawn(sample_pool(db.clone(), shutdown.clone()));
    let state =
        AppState::new(db.clone(), settings.internal_key, auth::TokenKeys::new(&settings.token_key), &settings.peers)?;
    let trusted = login_guard::trusted_proxies::TrustedProxies::parse(&settings.trusted_proxies)?;
    let app = login_guard::trusted_proxies::layer(add_routes(router(state.clone()), &state), trusted);
    tracing::info!(address = %listener.local_addr()?, ?limits, "gateway listening");
    listen::serve_http(listener, app, limits, shutdown).await;
    db.close().await;
    tracing::info!("gateway stopped");
    Ok(())
}

async fn add_first_users(db: &Db, settings: &GatewaySettings) -> anyhow::Result<()> {
    if settings.demo_users {
        users::seed_demo(db).await?;
    }
    if let Some(password) = settings.admin_password.as_deref().filter(|p| !p.is_empty())
        && users::count(db).await? == 0
    {
        users::add(db, "admin", "Administrator", password, atq_platform::Role::Admin, None).await?;
        tracing::info!("created the admin user");
    }
    if users::count(db).await? == 0 {
        tracing::warn!("no users yet: set ATQ_ADMIN_PASSWORD or start with --demo");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_a_route_documents_is_the_problem_schema() {
        let (_, document) = api_document();
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

    #[test]
    fn every_operation_but_sign_in_documents_401_and_403() {
        let document = serde_json::to_value(api_document().1).unwrap();
        let (mut secured, mut public) = (0, Vec::new());
        for (path, operations) in document["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                let responses = &operation["responses"];
                // Open to everyone (`security(())`): signing in and out, and the calendar
                // subscription whose address holds its own credential.
                if operation["security"] == serde_json::json!([{}]) {
                    assert!(responses.get("403").is_none(), "{method} {path} has no role to refuse");
                    public.push(format!("{method} {path}"));
                    continue;
                }
                assert!(responses.get("401").is_some() && responses.get("403").is_some(), "{method} {path}");
                secured += 1;
            }
        }
        assert!(secured > 70, "{secured}");
        public.sort();
        let expected = [
            "get /api/v1/calendar/feeds/{file}",
            "post /api/v1/auth/login",
            "post /api/v1/auth/logout",
            "post /api/v1/auth/refresh",
        ];
        assert_eq!(public, expected, "the operations open without a token");
    }

    #[test]
    fn operations_document_what_they_answer_before_their_handler() {
        let document = serde_json::to_value(api_document().1).unwrap();
        for (path, operations) in document["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                let responses = &operation["responses"];
                let parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
                let takes = |place: &str| parameters.iter().any(|p| p["in"] == place);
                if takes("path") {
                    assert!(responses.get("400").is_some() && responses.get("404").is_some(), "{method} {path}");
                }
                if takes("query") {
                    assert!(responses.get("400").is_some(), "{method} {path}");
                }
                if parameters
                    .iter()
                    .any(|p| p["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case("idempotency-key")))
                {
                    assert!(responses.get("422").is_some(), "{method} {path}");
                }
                if operation.get("requestBody").is_some() {
                    assert!(responses.get("413").is_some(), "{method} {path}");
                }
            }
        }
    }

    /// Every schema a request body refers to, directly or through another schema.
    fn request_schemas(document: &serde_json::Value) -> Vec<(String, serde_json::Value)> {
        fn refs(value: &serde_json::Value, found: &mut Vec<String>) {
            match value {
                serde_json::Value::Object(map) => {
                    if let Some(name) = map.get("$ref").and_then(|r| r.as_str()) {
                        found.push(name.trim_start_matches("#/components/schemas/").to_owned());
                    }
                    map.values().for_each(|v| refs(v, found));
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
                _ => {}
            }
        }
        let mut pending = Vec::new();
        for operations in document["paths"].as_object().unwrap().values() {
            for operation in operations.as_object().unwrap().values() {
                refs(&operation["requestBody"], &mut pending);
            }
        }
        let mut seen = std::collections::BTreeMap::new();
        while let Some(name) = pending.pop() {
            if seen.contains_key(&name) {
                continue;
            }
            let schema = document["components"]["schemas"][&name].clone();
            refs(&schema, &mut pending);
            seen.insert(name, schema);
        }
        seen.into_iter().collect()
    }

    #[test]
    fn every_amount_and_quantity_a_request_takes_states_its_bounds() {
        use atq_platform::limits::{MAX_AMOUNT, MAX_QUANTITY};
        let (_, document) = api_document();
        let document = serde_json::to_value(&document).unwrap();
        let mut unbounded = Vec::new();
        let mut checked = 0;
        for (name, schema) in request_schemas(&document) {
            let Some(properties) = schema["properties"].as_object() else { continue };
            for (field, property) in properties {
                let integer = property["type"] == "integer"
                    || property["type"].as_array().is_some_and(|types| types.contains(&"integer".into()));
                if !integer {
                    continue;
                }
                let bounds = (property["minimum"].as_i64(), property["maximum"].as_i64());
                let expected = match field.as_str() {
                    "quantity" => Some((Some(1), Some(MAX_QUANTITY))),
                    // A service may take less than the company-wide bound; the document says what it takes.
                    f if is_amount(f) => {
                        Some((bounds.0.filter(|min| *min >= 0), bounds.1.filter(|max| (1..=MAX_AMOUNT).contains(max))))
                    }
                    f if is_count(f) => Some((bounds.0.filter(|min| *min >= 0), Some(MAX_QUANTITY))),
                    _ => None,
                };
                let Some(expected) = expected else { continue };
                checked += 1;
                if bounds != expected || bounds.0.is_none() || bounds.1.is_none() {
                    unbounded.push(format!("{name}.{field}: {bounds:?}"));
                }
            }
        }
        assert!(unbounded.is_empty(), "{unbounded:#?}");
        assert!(checked >= 10, "{checked}");
    }

    /// Money in minor units: prices, costs, amounts, values, limits.
    fn is_amount(field: &str) -> bool {
        ["amount", "price", "cost", "value", "credit_limit", "freight", "insurance", "fee", "charge"]
            .iter()
            .any(|word| field.contains(word))
    }

    /// Counts of goods other than a line's quantity (counted, reorder points, pack sizes).
    fn is_count(field: &str) -> bool {
        field.contains("quantity") || ["counted", "reorder_point", "pack_size", "moq", "on_hand"].contains(&field)
    }
}
