//! For operators and load balancers: liveness, readiness of the whole system, metrics, the API
//! document.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use crate::state::AppState;

/// The process is alive.
pub async fn healthz() -> &'static str {
    "ok\n"
}

#[derive(Serialize)]
struct Readiness {
    ready: bool,
    checks: Vec<Check>,
}

#[derive(Serialize)]
struct Check {
    name: &'static str,
    ok: bool,
    detail: String,
}

/// 200 only when the gateway's database and every service answer their health check.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let database = async {
        match state.db.ping().await {
            Ok(()) => Check { name: "gateway-database", ok: true, detail: "reachable".into() },
            Err(error) => Check { name: "gateway-database", ok: false, detail: error.to_string() },
        }
    };
    let services = futures::future::join_all(state.services.iter().map(|(name, channel)| async move {
        let mut client = HealthClient::new(channel.clone());
        let mut request = tonic::Request::new(HealthCheckRequest { service: String::new() });
        request.set_timeout(Duration::from_secs(2));
        match client.check(request).await {
            Ok(response) if response.get_ref().status == ServingStatus::Serving as i32 => {
                Check { name, ok: true, detail: "serving".into() }
            }
            Ok(_) => Check { name, ok: false, detail: "not serving".into() },
            Err(status) => Check { name, ok: false, detail: status.message().to_owned() },
        }
    }));
    let (database, services) = futures::join!(database, services);
    let checks: Vec<Check> = std::iter::once(database).chain(services).collect();
    let ready = checks.iter().all(|check| check.ok);
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(Readiness { ready, checks })).into_response()
}

/// Prometheus text for the whole process.
pub async fn metrics() -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], atq_platform::metrics::render())
        .into_response()
}

pub async fn openapi(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], state.openapi_json.as_str().to_owned()).into_response()
}
