//! One tonic server per service: its own services behind the caller check, plus health,
//! reflection and the event feed, all behind one observability layer.

use std::time::Duration;

use atq_proto::events::v1::event_feed_server::EventFeedServer;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;

use crate::caller::{InternalKey, authenticate};
use crate::db::Db;
use crate::metrics::GrpcObservabilityLayer;
use crate::outbox::EventFeedService;

/// Serves `routes` (the service's own, already wrapped with [`authenticate`]) until `shutdown`,
/// then finishes in-flight calls.
pub async fn serve(
    name: &'static str,
    listener: TcpListener,
    db: Db,
    key: InternalKey,
    routes: Routes,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let (health, health_service) = tonic_health::server::health_reporter();
    tokio::spawn(report_readiness(name, health, db.clone(), shutdown.clone()));
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(atq_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    let feed = EventFeedServer::with_interceptor(EventFeedService::new(db, shutdown.clone()), authenticate(key));
    let routes = routes.add_service(health_service).add_service(reflection).add_service(feed);
    let address = listener.local_addr()?;
    tracing::info!(service = name, %address, "grpc server listening");
    tonic::transport::Server::builder()
        .layer(GrpcObservabilityLayer::new(name))
        .add_routes(routes)
        .serve_with_incoming_shutdown(incoming(listener), shutdown.cancelled_owned())
        .await?;
    tracing::info!(service = name, "grpc server stopped");
    Ok(())
}

/// The overall health ("") follows the database: a replica that cannot reach it says so and is
/// taken out of rotation. The same beat samples the pool and the outbox for the dashboards.
async fn report_readiness(
    name: &'static str,
    health: tonic_health::server::HealthReporter,
    db: Db,
    shutdown: CancellationToken,
) {
    let mut last = None;
    loop {
        crate::metrics::sample_pool(&db, name);
        if let Ok(position) = crate::outbox::last_position(&db).await {
            metrics::gauge!("atq_outbox_last_position", "service" => name).set(position as f64);
        }
        let status = match db.ping().await {
            Ok(()) => ServingStatus::Serving,
            Err(error) => {
                tracing::warn!(error = %error, "database unreachable");
                ServingStatus::NotServing
            }
        };
        if last != Some(status) {
            health.set_service_status("", status).await;
            last = Some(status);
        }
        tokio::select! {
            _ = shutdown.cancelled() => {
                health.set_service_status("", ServingStatus::NotServing).await;
                return;
            }
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    }
}

/// Accepted connections with Nagle off: small gRPC frames would otherwise wait for the peer's
/// delayed ACK (about 40 ms a call, measured by the order-to-cash benchmark).
fn incoming(listener: TcpListener) -> TcpIncoming {
    TcpIncoming::from(listener).with_nodelay(Some(true))
}
