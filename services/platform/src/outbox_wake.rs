//! How a feed stream learns of a new outbox event at once instead of at its next poll.
//! - In one process (`atq up`), recording an event wakes every stream of the process. The wake
//!   comes before the recording transaction commits, so a stream that then finds nothing reads
//!   again a few times at short, growing intervals (1, 2, 4 … 64 ms) before it waits again.
//! - Across processes on PostgreSQL, the recording transaction also sends `NOTIFY atq_outbox`,
//!   which PostgreSQL delivers when it commits; each event-feed server listens and wakes its
//!   streams.
//!
//! The poll stays as the fallback: a notification lost while the listener reconnects, or an event
//! recorded by another process on SQLite (not a supported deployment, but harmless).

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::Notify;
use tokio::sync::futures::Notified;
use tokio_util::sync::CancellationToken;

use crate::db::{Backend, Db};

/// The PostgreSQL channel the outbox writers notify.
pub(crate) const CHANNEL: &str = "atq_outbox";
/// The first re-read after an in-process wake that found nothing yet.
const FIRST_RETRY: Duration = Duration::from_millis(1);
/// The last re-read of that series; after it the stream waits for a wake or the poll.
const LAST_RETRY: Duration = Duration::from_millis(64);

/// Woken by every event recorded in this process.
static RECORDED_HERE: Notify = Notify::const_new();
/// Whether feeds listen for other processes' events: on for modules that run as their own
/// processes (`atq serve`, replicas), off in `atq up`, where every writer is in the process and a
/// listener would only hold one more connection per service.
static ACROSS_PROCESSES: AtomicBool = AtomicBool::new(false);

/// Makes every event feed of this process started from now on listen for events that other
/// processes commit (PostgreSQL only).
pub fn listen_across_processes() {
    ACROSS_PROCESSES.store(true, Ordering::Relaxed);
}

/// Called by the outbox writer when it records an event.
pub(crate) fn recorded() {
    RECORDED_HERE.notify_waiters();
}

/// The wake-ups one event-feed server's streams wait on.
#[derive(Clone)]
pub struct Wake {
    /// Events committed by any process, from the PostgreSQL listener.
    committed: Arc<Notify>,
    in_process: bool,
}

impl Wake {
    /// Wakes on this process's events, and on other processes' too where the process listens
    /// across processes ([`listen_across_processes`]) and the database is PostgreSQL.
    pub fn start(db: &Db, shutdown: CancellationToken) -> Wake {
        if ACROSS_PROCESSES.load(Ordering::Relaxed) {
            Wake::listening(db, shutdown)
        } else {
            Wake { committed: Arc::new(Notify::new()), in_process: true }
        }
    }

    /// Wakes on this process's events and, on PostgreSQL, on every committed event.
    pub fn listening(db: &Db, shutdown: CancellationToken) -> Wake {
        let committed = Arc::new(Notify::new());
        if db.backend() == Backend::Postgres {
            tokio::spawn(listen(db.url().expose().to_owned(), committed.clone(), shutdown));
        }
        Wake { committed, in_process: true }
    }

    /// Only the PostgreSQL listener wakes the streams, as when producer and feed run in two
    /// processes (for tests of that path).
    pub fn across_processes_only(mut self) -> Wake {
        self.in_process = false;
        self
    }

    /// Registers interest before the stream reads, so a wake between the read and the wait is
    /// not lost.
    pub(crate) fn arm(&self) -> Armed<'_> {
        let mut committed = Box::pin(self.committed.notified());
        committed.as_mut().enable();
        let here = self.in_process.then(|| {
            let mut here = Box::pin(RECORDED_HERE.notified());
            here.as_mut().enable();
            here
        });
        Armed { committed, here }
    }
}

/// Wake-ups registered before a read.
pub(crate) struct Armed<'a> {
    committed: Pin<Box<Notified<'a>>>,
    here: Option<Pin<Box<Notified<'static>>>>,
}

/// What ended a wait.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Woken {
    /// An event was committed (PostgreSQL listener): read now.
    Committed,
    /// An event is being recorded in this process and may not be committed yet.
    RecordedHere,
    /// The timer ran out.
    Timer,
}

impl Armed<'_> {
    pub(crate) async fn wait(self, timeout: Duration) -> Woken {
        let Armed { committed, here } = self;
        let here = async move {
            match here {
                Some(here) => here.await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = committed => Woken::Committed,
            _ = here => Woken::RecordedHere,
            _ = tokio::time::sleep(timeout) => Woken::Timer,
        }
    }
}

/// The wait after a read that found nothing: the short re-reads after an in-process wake, else
/// the fallback poll.
pub(crate) fn next_wait(woken: &Woken, retry: Option<Duration>) -> Option<Duration> {
    match woken {
        Woken::RecordedHere => Some(FIRST_RETRY),
        Woken::Committed => None,
        Woken::Timer => retry.map(|retry| retry * 2).filter(|retry| *retry <= LAST_RETRY),
    }
}

/// Forwards PostgreSQL notifications to the streams until shutdown; reconnects with backoff.
async fn listen(url: String, committed: Arc<Notify>, shutdown: CancellationToken) {
    let mut backoff = Duration::from_millis(100);
    loop {
        let outcome = tokio::select! {
            _ = shutdown.cancelled() => return,
            outcome = forward(&url, &committed) => outcome,
        };
        if let Err(error) = outcome {
            tracing::warn!(error = %error, "outbox listener interrupted; the feed polls until it is back");
        }
        // Whatever was committed while the listener was away is found by this wake's read.
        committed.notify_waiters();
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

async fn forward(url: &str, committed: &Notify) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    // Events committed before the listener was in place are found by the read this wake causes.
    committed.notify_waiters();
    loop {
        // `None` means the connection dropped (the next call reconnects): events may have been
        // committed unheard, so wake the streams to read either way.
        listener.try_recv().await?;
        committed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use atq_proto::events::v1::SubscribeRequest;
    use atq_proto::events::v1::event_feed_server::EventFeed;
    use futures::StreamExt;
    use include_dir::Dir;

    use super::*;
    use crate::outbox::{EventFeedService, record};
    use crate::testing::{fresh_database, uses_postgres};

    /// Subscribes to a fresh outbox whose fallback poll is an hour away, records one event and
    /// waits for it: only a wake can deliver it in time.
    async fn event_arrives_without_the_poll(across_processes_only: bool) {
        let database = fresh_database("wake").await.unwrap();
        let db = Db::open(&database.url, "producer", &Dir::new("", &[])).await.unwrap();
        let shutdown = CancellationToken::new();
        let mut wake = Wake::listening(&db, shutdown.clone());
        if across_processes_only {
            wake = wake.across_processes_only();
        }
        let feed = EventFeedService::new(db.clone(), shutdown.clone()).with_wake(wake, Duration::from_secs(3600));
        let request = tonic::Request::new(SubscribeRequest { after_position: 0 });
        let mut stream = feed.subscribe(request).await.unwrap().into_inner();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut tx = db.begin().await.unwrap();
        let payload = prost_types::Duration { seconds: 7, nanos: 0 };
        record(&mut tx, db.backend(), "thing", "7", &payload).await.unwrap();
        tx.commit().await.unwrap();
        let event = tokio::time::timeout(Duration::from_secs(60), stream.next()).await;
        let event = event.expect("the event came only with the hourly poll").unwrap().unwrap();
        assert_eq!((event.position, event.event_type.as_str()), (1, "google.protobuf.Duration"));
        shutdown.cancel();
        db.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_event_recorded_in_this_process_wakes_the_stream() {
        event_arrives_without_the_poll(false).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_postgresql_a_committed_event_wakes_the_streams_of_other_processes() {
        if !uses_postgres() {
            eprintln!("PostgreSQL only: set ATQ_TEST_POSTGRES_URL");
            return;
        }
        event_arrives_without_the_poll(true).await;
    }

    #[test]
    fn an_in_process_wake_rereads_at_growing_intervals_then_waits_for_the_poll() {
        let mut waits = vec![next_wait(&Woken::RecordedHere, None)];
        while let Some(wait) = waits.last().copied().flatten() {
            waits.push(next_wait(&Woken::Timer, Some(wait)));
        }
        let millis: Vec<_> = waits.iter().flatten().map(|wait| wait.as_millis()).collect();
        assert_eq!(millis, [1, 2, 4, 8, 16, 32, 64]);
        assert_eq!(next_wait(&Woken::Committed, Some(FIRST_RETRY)), None);
    }
}
