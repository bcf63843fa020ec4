//! The directors' reports over a large history: 1,000,000 order lines (by default) over three
//! years, three offices, 2,000 customers and 2,000 products, loaded into analytics' own database
//! through the same feed projections the service runs (a transaction per batch of events, as its
//! feed consumers do), then every report asked through the analytics gRPC service at each period.
//!
//! Baseline, measured in the same run on the same database: one pass over every stored order line
//! (`SELECT COUNT(*), SUM(net_amount) FROM sales_order_lines`), what any report would cost that
//! read the raw lines once. Prints the load rate, each report's p50/p99 and its p50 as a ratio of
//! the baseline, and the process's peak memory.
//!
//! `cargo run --release -p atq-tests --bin bench-analytics [-- --lines 1000000 --postgres URL]`

mod analytics_history;
mod analytics_reports;

use std::time::{Duration, Instant};

use analytics_history::{History, Shape};
use anyhow::Context;
use atq_platform::feed_consumer::Projection;
use atq_platform::{CancellationToken, Db, InternalKey};
use atq_proto::events::v1::Event;
use atq_tests::ScratchDatabase;
use chrono::NaiveDate;
use clap::Parser;

/// Events per transaction, as a feed consumer catching up applies them.
const BATCH: usize = 500;

#[derive(Parser, Clone, Debug)]
#[command(name = "bench-analytics", about = "Every directors' report over a large history")]
struct Args {
    /// Order lines in the history.
    #[arg(long, default_value_t = 1_000_000)]
    lines: usize,
    #[arg(long, default_value_t = 2_000)]
    customers: usize,
    #[arg(long, default_value_t = 2_000)]
    products: usize,
    /// Times each report is asked.
    #[arg(long, default_value_t = 20)]
    runs: usize,
    /// A PostgreSQL server to run on instead of SQLite.
    #[arg(long)]
    postgres: Option<String>,
}

pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

/// The p-th percentile (nearest rank) of sorted durations.
pub fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * p).div_ceil(100).clamp(1, sorted.len());
    sorted[rank - 1]
}

async fn apply_feed(db: &Db, projection: &dyn Projection, events: &[Event]) -> anyhow::Result<()> {
    for batch in events.chunks(BATCH) {
        let mut tx = db.begin().await?;
        for event in batch {
            projection.apply(&mut tx, event).await.with_context(|| format!("applying {}", event.event_type))?;
        }
        projection.finish_batch(&mut tx).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Loads the history feed by feed (the catalog first, as a fresh system would have it).
async fn load(db: &Db, history: &History) -> anyhow::Result<Duration> {
    let started = Instant::now();
    for (feed, projection) in atq_analytics::projections() {
        let events = match feed {
            atq_analytics::CATALOG_FEED => &history.catalog.events,
            atq_analytics::SALES_FEED => &history.sales.events,
            _ => &history.accounting.events,
        };
        apply_feed(db, projection.as_ref(), events).await?;
    }
    Ok(started.elapsed())
}

async fn baseline(db: &Db, runs: usize) -> anyhow::Result<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let _: (i64, Option<i64>) =
            sqlx::query_as("SELECT COUNT(*), SUM(net_amount) FROM sales_order_lines").fetch_one(db.pool()).await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(percentile(&times, 50))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let shape = Shape {
        lines: args.lines,
        customers: args.customers,
        products: args.products,
        first_day: NaiveDate::from_ymd_opt(2023, 12, 1).context("first day")?,
        days: 1_096,
    };
    let scratch = ScratchDatabase::create(args.postgres.as_deref(), "bench-analytics", "analytics").await?;
    let db = atq_analytics::open_database(&scratch.url).await?;
    println!("bench-analytics on {}: {shape:?}", scratch.kind());

    let history = analytics_history::build(&shape);
    let events = history.catalog.events.len() + history.sales.events.len() + history.accounting.events.len();
    let took = load(&db, &history).await?;
    println!(
        "load: {} orders, {} lines, {events} events in {:.1} s: {:.0} lines/s, {:.0} events/s",
        history.orders,
        shape.lines,
        took.as_secs_f64(),
        shape.lines as f64 / took.as_secs_f64(),
        events as f64 / took.as_secs_f64()
    );
    drop(history);

    let key = InternalKey::random();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = format!("http://{}", listener.local_addr()?);
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(atq_platform::grpc_server::serve(
        atq_analytics::NAME,
        listener,
        db.clone(),
        key.clone(),
        atq_analytics::routes(&db, &key),
        shutdown.clone(),
    ));

    let scan = baseline(&db, args.runs).await?;
    println!("baseline: one pass over every order line, p50 {:.2} ms", ms(scan));
    let slowest = analytics_reports::run_all(&address, &key, args.runs, scan).await?;
    println!("slowest p99: {:.1} ms (target: under 200 ms)", ms(slowest));
    if let Some(peak) = atq_tests::peak_memory_kib() {
        println!("peak memory: {:.0} MiB", peak as f64 / 1024.0);
    }
    shutdown.cancel();
    server.await??;
    db.close().await;
    scratch.finish().await
}
