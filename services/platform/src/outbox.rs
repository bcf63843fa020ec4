//! The transactional outbox: a service records its domain events in the same transaction as the
//! change, and serves them as a resumable stream ([`EventFeedService`]).

use std::time::Duration;

use atq_proto::events::v1::event_feed_server::EventFeed;
use atq_proto::events::v1::{Event, HeadRequest, HeadResponse, SubscribeRequest};
use prost::{Message, Name};
use sqlx::Row;
use sqlx::any::AnyRow;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::business_time::{now_micros, to_timestamp};
use crate::db::{Backend, Db, Tx};
use crate::error::Result;
use crate::outbox_wake::{self, Wake};

/// Serialises outbox writers on PostgreSQL so positions become visible in the order they were
/// taken: a reader that has seen position n never later finds a committed n-1.
const OUTBOX_LOCK_KEY: i64 = 0x0A7_0B0C;
const BATCH: i64 = 500;
/// The fallback when no wake arrives (see [`outbox_wake`]).
const POLL_EVERY: Duration = Duration::from_millis(100);

/// Records one domain event named by its message type (`atq.sales.v1.OrderConfirmed`). Call it
/// as the last write of the transaction, just before commit, to keep the PostgreSQL outbox lock
/// short.
pub async fn record<M: Message + Name>(
    tx: &mut Tx,
    backend: Backend,
    aggregate_type: &str,
    aggregate_id: &str,
    payload: &M,
) -> Result<()> {
    append(tx, backend, aggregate_type, aggregate_id, &M::full_name(), payload).await
}

/// Whether a feed event carries message type `M`: consumers match on types, not typed strings.
pub fn is<M: Name>(event: &Event) -> bool {
    event.event_type == M::full_name()
}

/// Records one event under `event_type` (see [`record`], which names it by the message type).
async fn append(
    tx: &mut Tx,
    backend: Backend,
    aggregate_type: &str,
    aggregate_id: &str,
    event_type: &str,
    payload: &impl Message,
) -> Result<()> {
    if backend == Backend::Postgres {
        // The notification is delivered when the transaction commits, to every feed listening.
        sqlx::query("SELECT 1 AS locked FROM pg_advisory_xact_lock($1), pg_notify($2, '')")
            .bind(OUTBOX_LOCK_KEY)
            .bind(outbox_wake::CHANNEL)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO outbox (event_id, event_type, aggregate_type, aggregate_id, occurred_at, payload, traceparent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(event_type)
    .bind(aggregate_type)
    .bind(aggregate_id)
    .bind(now_micros())
    .bind(payload.encode_to_vec())
    .bind(crate::telemetry::current_traceparent())
    .execute(&mut **tx)
    .await?;
    outbox_wake::recorded();
    Ok(())
}

/// Events per statement in [`record_many`]: seven binds each, far under the bind limits of both
/// databases.
const RECORD_MANY_CHUNK: usize = 500;

/// Records many events of one message type in the order given, a few statements in all instead
/// of one per event (an import of thousands of records); call it as [`record`] is called, last
/// before commit. Each pair is the aggregate id and the event.
pub async fn record_many<M: Message + Name>(
    tx: &mut Tx,
    backend: Backend,
    aggregate_type: &str,
    events: &[(String, M)],
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    if backend == Backend::Postgres {
        // As in `append`: one lock and one wake-up serve the whole batch.
        sqlx::query("SELECT 1 AS locked FROM pg_advisory_xact_lock($1), pg_notify($2, '')")
            .bind(OUTBOX_LOCK_KEY)
            .bind(outbox_wake::CHANNEL)
            .execute(&mut **tx)
            .await?;
    }
    let (event_type, occurred_at, traceparent) =
        (M::full_name(), now_micros(), crate::telemetry::current_traceparent());
    for chunk in events.chunks(RECORD_MANY_CHUNK) {
        let sql = format!(
            "INSERT INTO outbox (event_id, event_type, aggregate_type, aggregate_id, occurred_at, payload, \
             traceparent) VALUES {}",
            crate::db::values_list(backend, chunk.len(), 7)
        );
        let mut query = sqlx::query(&sql);
        for (aggregate_id, payload) in chunk {
            query = query
                .bind(uuid::Uuid::new_v4().to_string())
                .bind(event_type.clone())
                .bind(aggregate_type.to_owned())
                .bind(aggregate_id.clone())
                .bind(occurred_at)
                .bind(payload.encode_to_vec())
                .bind(traceparent.clone());
        }
        query.execute(&mut **tx).await?;
    }
    outbox_wake::recorded();
    Ok(())
}

pub async fn last_position(db: &Db) -> Result<i64> {
    let position: Option<i64> = sqlx::query_scalar("SELECT MAX(position) FROM outbox").fetch_one(db.pool()).await?;
    Ok(position.unwrap_or(0))
}

pub async fn read_after(db: &Db, after_position: i64, limit: i64) -> Result<Vec<Event>> {
    let rows = sqlx::query(
        "SELECT position, event_id, event_type, aggregate_type, aggregate_id, occurred_at, payload, traceparent \
         FROM outbox WHERE position > $1 ORDER BY position LIMIT $2",
    )
    .bind(after_position)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(event_from_row).collect()
}

fn event_from_row(row: &AnyRow) -> Result<Event> {
    Ok(Event {
        position: row.try_get("position")?,
        event_id: row.try_get("event_id")?,
        event_type: row.try_get("event_type")?,
        aggregate_type: row.try_get("aggregate_type")?,
        aggregate_id: row.try_get("aggregate_id")?,
        occurred_at: Some(to_timestamp(row.try_get("occurred_at")?)),
        payload: row.try_get("payload")?,
        traceparent: row.try_get("traceparent")?,
    })
}

/// Serves a service's outbox as `atq.events.v1.EventFeed`.
pub struct EventFeedService {
    db: Db,
    shutdown: CancellationToken,
    wake: Wake,
    poll_every: Duration,
}

impl EventFeedService {
    pub fn new(db: Db, shutdown: CancellationToken) -> Self {
        let wake = Wake::start(&db, shutdown.clone());
        EventFeedService { db, shutdown, wake, poll_every: POLL_EVERY }
    }

    /// Other wake-ups and another fallback poll (tests of each path).
    pub fn with_wake(mut self, wake: Wake, poll_every: Duration) -> Self {
        self.wake = wake;
        self.poll_every = poll_every;
        self
    }

    pub fn wake(&self) -> &Wake {
        &self.wake
    }
}

#[tonic::async_trait]
impl EventFeed for EventFeedService {
    type SubscribeStream = ReceiverStream<Result<Event, Status>>;

    async fn subscribe(&self, request: Request<SubscribeRequest>) -> Result<Response<Self::SubscribeStream>, Status> {
        let after = request.into_inner().after_position.max(0);
        let (sender, receiver) = mpsc::channel(BATCH as usize);
        let stream = Stream { db: self.db.clone(), wake: self.wake.clone(), poll_every: self.poll_every };
        tokio::spawn(stream.run(after, sender, self.shutdown.clone()));
        Ok(Response::new(ReceiverStream::new(receiver)))
    }

    async fn head(&self, _request: Request<HeadRequest>) -> Result<Response<HeadResponse>, Status> {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT position, occurred_at FROM outbox ORDER BY position DESC LIMIT 1")
                .fetch_optional(self.db.pool())
                .await
                .map_err(crate::Error::from)?;
        Ok(Response::new(HeadResponse {
            last_position: row.map(|r| r.0).unwrap_or(0),
            last_occurred_at: row.map(|r| to_timestamp(r.1)),
        }))
    }
}

/// One subscriber's stream.
struct Stream {
    db: Db,
    wake: Wake,
    poll_every: Duration,
}

impl Stream {
    /// Sends events as they appear until the subscriber leaves or the process shuts down (the
    /// subscriber then resumes from its cursor, here or on another replica).
    async fn run(self, mut after: i64, sender: mpsc::Sender<Result<Event, Status>>, shutdown: CancellationToken) {
        let mut retry = None;
        loop {
            let armed = self.wake.arm();
            let batch = tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = sender.closed() => return,
                batch = read_after(&self.db, after, BATCH) => batch,
            };
            match batch {
                Ok(events) if events.is_empty() => {
                    let woken = tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = sender.closed() => return,
                        woken = armed.wait(retry.unwrap_or(self.poll_every)) => woken,
                    };
                    retry = outbox_wake::next_wait(&woken, retry);
                }
                Ok(events) => {
                    retry = None;
                    for event in events {
                        after = event.position;
                        if sender.send(Ok(event)).await.is_err() {
                            return;
                        }
                    }
                }
                Err(error) => {
                    let _ = sender.send(Err(Status::from(error))).await;
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use include_dir::Dir;

    use super::*;
    use crate::testing::fresh_database;

    fn events(count: usize) -> Vec<(String, prost_types::Duration)> {
        (0..count).map(|n| (format!("thing-{n}"), prost_types::Duration { seconds: n as i64, nanos: 0 })).collect()
    }

    #[tokio::test]
    async fn many_events_are_recorded_in_their_order_across_statements_and_none_is_a_no_op() {
        let database = fresh_database("outbox-many").await.unwrap();
        let db = Db::open(&database.url, "outbox-many", &Dir::new("", &[])).await.unwrap();
        let count = RECORD_MANY_CHUNK * 2 + 3;
        let mut tx = db.begin().await.unwrap();
        record_many(&mut tx, db.backend(), "thing", &events(count)).await.unwrap();
        record_many::<prost_types::Duration>(&mut tx, db.backend(), "thing", &[]).await.unwrap();
        tx.commit().await.unwrap();

        let read = read_after(&db, 0, count as i64 + 10).await.unwrap();
        assert_eq!(read.len(), count);
        for (n, event) in read.iter().enumerate() {
            assert_eq!((event.aggregate_type.as_str(), event.aggregate_id.clone()), ("thing", format!("thing-{n}")));
            assert_eq!(event.event_type, "google.protobuf.Duration");
            let payload = prost_types::Duration::decode(event.payload.as_slice()).unwrap();
            assert_eq!(payload.seconds, n as i64);
        }
        let ids: std::collections::HashSet<&str> = read.iter().map(|e| e.event_id.as_str()).collect();
        assert_eq!(ids.len(), count, "every event has its own id");
        assert!(read.windows(2).all(|pair| pair[0].position < pair[1].position));
    }

    #[tokio::test]
    async fn events_of_a_rolled_back_transaction_are_not_recorded() {
        let database = fresh_database("outbox-rollback").await.unwrap();
        let db = Db::open(&database.url, "outbox-rollback", &Dir::new("", &[])).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        record_many(&mut tx, db.backend(), "thing", &events(3)).await.unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(last_position(&db).await.unwrap(), 0);
    }
}
