//! Consumes a sibling's event feed into a local projection. The cursor is stored in the same
//! transaction as the projection's writes, so a restart neither loses nor repeats an event, and
//! the cursor is advanced by compare-and-set, so a second replica consuming the same feed cannot
//! apply a batch twice: the slower one's transaction is rolled back and it resumes from the new
//! cursor.

use std::sync::Arc;
use std::time::Duration;

use atq_proto::events::v1::event_feed_client::EventFeedClient;
use atq_proto::events::v1::{Event, HeadRequest, SubscribeRequest};
use futures::StreamExt;
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::business_time::timestamp_micros;
use crate::caller::{Caller, InternalKey};
use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::grpc_client;

const MAX_BATCH: usize = 256;
const LAG_EVERY: Duration = Duration::from_secs(5);

#[tonic::async_trait]
pub trait Projection: Send + Sync + 'static {
    /// Applies one event inside the consumer's transaction. Events of unknown types are skipped.
    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<()>;

    /// Runs once per batch, after its events and before the cursor moves, in the same
    /// transaction: work that many events of a batch ask for (a re-plan of the products they
    /// moved) is done once, so a consumer catching up holds its write lock for a bounded time.
    async fn finish_batch(&self, _tx: &mut Tx) -> Result<()> {
        Ok(())
    }
}

pub struct FeedConsumer {
    /// The cursor's name in `feed_cursors`, e.g. "sales".
    pub feed: String,
    pub address: String,
    pub db: Db,
    pub key: InternalKey,
    pub consumer: String,
    pub projection: Arc<dyn Projection>,
}

pub async fn cursor(db: &Db, feed: &str) -> Result<i64> {
    let position: Option<i64> = sqlx::query_scalar("SELECT position FROM feed_cursors WHERE feed = $1")
        .bind(feed)
        .fetch_optional(db.pool())
        .await?;
    Ok(position.unwrap_or(0))
}

/// Where the consumer stands: the last applied position and when that event happened.
#[derive(Clone, Copy, Default)]
struct Progress {
    position: i64,
    occurred_at: Option<i64>,
}

impl FeedConsumer {
    /// Runs until shutdown, reconnecting with backoff when the producer is away.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut backoff = Duration::from_millis(100);
        loop {
            match self.consume(&shutdown).await {
                Ok(()) => return,
                Err(error) => {
                    tracing::warn!(feed = %self.feed, error = %error, "feed consumer interrupted, resuming");
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    }

    async fn consume(&self, shutdown: &CancellationToken) -> Result<()> {
        sqlx::query("INSERT INTO feed_cursors (feed, position) VALUES ($1, 0) ON CONFLICT (feed) DO NOTHING")
            .bind(&self.feed)
            .execute(self.db.pool())
            .await?;
        let mut progress = Progress { position: cursor(&self.db, &self.feed).await?, occurred_at: None };
        let channel = grpc_client::channel(&self.address).map_err(Error::internal)?;
        let mut client = EventFeedClient::new(channel);
        let caller = Caller::service(&self.consumer);
        let mut request = tonic::Request::new(SubscribeRequest { after_position: progress.position });
        grpc_client::attach_caller(&mut request, &self.key, &caller);
        let stream = tokio::select! {
            _ = shutdown.cancelled() => return Ok(()),
            response = client.subscribe(request) => response?.into_inner(),
        };
        let mut batches = stream.ready_chunks(MAX_BATCH);
        let mut lag_timer = tokio::time::interval(LAG_EVERY);
        loop {
            let batch = tokio::select! {
                _ = shutdown.cancelled() => return Ok(()),
                _ = lag_timer.tick() => {
                    self.report_lag(&mut client, &caller, progress).await;
                    continue;
                }
                batch = batches.next() => batch,
            };
            let Some(batch) = batch else {
                return Err(Error::Unavailable("the feed closed".into()));
            };
            let events = batch.into_iter().collect::<Result<Vec<_>, _>>()?;
            progress = self.apply_batch(progress, &events).await?;
        }
    }

    async fn apply_batch(&self, from: Progress, events: &[Event]) -> Result<Progress> {
        let fresh: Vec<&Event> = events.iter().filter(|event| event.position > from.position).collect();
        let Some(newest) = fresh.last() else {
            return Ok(from);
        };
        let reached =
            Progress { position: newest.position, occurred_at: newest.occurred_at.as_ref().map(timestamp_micros) };
        let mut tx = self.db.begin().await?;
        for event in &fresh {
            let span = tracing::info_span!(
                "feed.apply",
                otel.kind = "consumer",
                feed = %self.feed,
                event_type = %event.event_type,
                position = event.position,
            );
            // The producer's request and this work are two traces, linked.
            if let Some(producer) = crate::telemetry::span_context_of(&event.traceparent) {
                span.add_link(producer);
            }
            self.projection.apply(&mut tx, event).instrument(span).await?;
        }
        self.projection.finish_batch(&mut tx).await?;
        let moved = sqlx::query("UPDATE feed_cursors SET position = $1 WHERE feed = $2 AND position = $3")
            .bind(reached.position)
            .bind(&self.feed)
            .bind(from.position)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if moved != 1 {
            tx.rollback().await?;
            return Err(Error::Conflict(format!("cursor of feed {} moved under this consumer", self.feed)));
        }
        tx.commit().await?;
        metrics::gauge!("atq_feed_consumer_position", "feed" => self.feed.clone()).set(reached.position as f64);
        Ok(reached)
    }

    /// Events not yet consumed, and how much older the consumer's newest event is than the feed's.
    async fn report_lag(&self, client: &mut EventFeedClient<Channel>, caller: &Caller, progress: Progress) {
        let mut request = tonic::Request::new(HeadRequest {});
        request.set_timeout(grpc_client::DEFAULT_DEADLINE);
        grpc_client::attach_caller(&mut request, &self.key, caller);
        let Ok(head) = client.head(request).await.map(tonic::Response::into_inner) else { return };
        let behind = (head.last_position - progress.position).max(0);
        let seconds = match (behind, head.last_occurred_at.as_ref().map(timestamp_micros), progress.occurred_at) {
            (0, _, _) => 0.0,
            (_, Some(newest), Some(applied)) => (newest - applied).max(0) as f64 / 1e6,
            (_, Some(newest), None) => (crate::business_time::now_micros() - newest).max(0) as f64 / 1e6,
            _ => 0.0,
        };
        metrics::gauge!("atq_feed_consumer_lag_events", "feed" => self.feed.clone()).set(behind as f64);
        metrics::gauge!("atq_feed_consumer_lag_seconds", "feed" => self.feed.clone()).set(seconds);
    }
}

#[cfg(test)]
mod tests {
    use include_dir::Dir;
    use tonic::service::Routes;

    use super::*;
    use crate::testing::fresh_database;

    /// Not idempotent on purpose: applying an event twice would show in the count.
    struct Counter;

    #[tonic::async_trait]
    impl Projection for Counter {
        async fn apply(&self, tx: &mut Tx, _event: &Event) -> Result<()> {
            sqlx::query("UPDATE applied SET events = events + 1").execute(&mut **tx).await?;
            Ok(())
        }
    }

    async fn append_events(db: &Db, count: i64) {
        for i in 0..count {
            let mut tx = db.begin().await.unwrap();
            let payload = prost_types::Duration { seconds: i, nanos: 0 };
            crate::outbox::record(&mut tx, db.backend(), "thing", &i.to_string(), &payload).await.unwrap();
            tx.commit().await.unwrap();
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_consumers_of_one_feed_apply_each_event_exactly_once() {
        let none = Dir::new("", &[]);
        let (producer_db, consumer_db) =
            (fresh_database("producer").await.unwrap(), fresh_database("consumer").await.unwrap());
        let producer = Db::open(&producer_db.url, "producer", &none).await.unwrap();
        let consumer = Db::open(&consumer_db.url, "consumer", &none).await.unwrap();
        sqlx::query("CREATE TABLE applied (events BIGINT NOT NULL)").execute(consumer.pool()).await.unwrap();
        sqlx::query("INSERT INTO applied (events) VALUES (0)").execute(consumer.pool()).await.unwrap();

        let key = InternalKey::random();
        let shutdown = CancellationToken::new();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(crate::grpc_server::serve(
            "producer",
            listener,
            producer.clone(),
            key.clone(),
            Routes::default(),
            shutdown.clone(),
        ));
        append_events(&producer, 150).await;
        let replicas: Vec<_> = (0..2)
            .map(|_| {
                let replica = FeedConsumer {
                    feed: "producer".into(),
                    address: address.clone(),
                    db: consumer.clone(),
                    key: key.clone(),
                    consumer: "counter".into(),
                    projection: Arc::new(Counter),
                };
                tokio::spawn(replica.run(shutdown.clone()))
            })
            .collect();
        append_events(&producer, 150).await;

        let last = crate::outbox::last_position(&producer).await.unwrap();
        for _ in 0..400 {
            if cursor(&consumer, "producer").await.unwrap() == last {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(cursor(&consumer, "producer").await.unwrap(), last);
        let applied: i64 = sqlx::query_scalar("SELECT events FROM applied").fetch_one(consumer.pool()).await.unwrap();
        assert_eq!(applied, 300);

        shutdown.cancel();
        for replica in replicas {
            replica.await.unwrap();
        }
        server.await.unwrap().unwrap();
    }
}
