//! The read benchmark: how fast the gateway answers `GET /api/v1/customers/{id}` (token check,
//! the gRPC hop to sales, the row read, JSON) against the same process's `GET /healthz` (the
//! network stack and the HTTP server alone), the baseline measured in the same run.
//!
//! 1. Closed loop: `--concurrency` clients asking as fast as answers come, `--seconds` each, for
//!    `/healthz` and then for the customer: requests per second and the ratio.
//! 2. Open loop: the customer asked at a fixed `--rate` per second for `--seconds`, each request
//!    sent on time whether or not earlier ones have answered: p50 / p99 / max latency.
//!
//! `cargo run --release -p atq-tests --bin bench-reads [-- --concurrency 16 --rate 2000 --postgres URL]`

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::ensure;
use atq_tests::TestSystem;
use clap::Parser;

#[derive(Parser, Clone, Debug)]
#[command(name = "bench-reads", about = "GET by id through the gateway against the process's own /healthz")]
struct Args {
    /// Clients in flight in the closed-loop runs.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Length of each run.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Requests per second in the open-loop run.
    #[arg(long, default_value_t = 2_000)]
    rate: u64,
    /// A PostgreSQL server to run on instead of SQLite.
    #[arg(long)]
    postgres: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    ensure!((1..=1_000).contains(&args.concurrency), "--concurrency must be 1 to 1000");
    ensure!((1..=100_000).contains(&args.rate), "--rate must be 1 to 100000");
    let system = TestSystem::start_on(args.postgres.as_deref()).await?;
    let rep = system.login("sales.hn").await;
    let customer = rep.create_customer(atq_tests::customer("Công ty TNHH Đo lường Sao Mai", "dealer", "HN")).await;
    let signed_in = system
        .anonymous()
        .post("/api/v1/auth/login", serde_json::json!({"username": "sales.hn", "password": "demo"}))
        .await;
    let token = signed_in.body["access_token"].as_str().unwrap_or_default().to_owned();
    let backend = if args.postgres.is_some() { "PostgreSQL" } else { "SQLite" };
    println!("read benchmark on {backend}: {} clients, {} s per run", args.concurrency, args.seconds);

    let client = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency * 2).build()?;
    let health = Target { client: client.clone(), url: format!("{}/healthz", system.base), token: None };
    let by_id =
        Target { client, url: format!("{}/api/v1/customers/{}", system.base, customer["id"]), token: Some(token) };
    ensure!(by_id.once().await, "GET {} does not answer 200", by_id.url);

    let health_rate = closed_loop(&health, &args).await?;
    let read_rate = closed_loop(&by_id, &args).await?;
    println!("closed loop, requests per second (all answered 200)");
    println!("  GET /healthz               {health_rate:>10.0}");
    println!("  GET /api/v1/customers/{{id}} {read_rate:>10.0} ({:.2}x /healthz)", read_rate / health_rate);

    let latencies = open_loop(&by_id, &args).await?;
    println!("open loop, GET /api/v1/customers/{{id}} at {} per second", args.rate);
    println!(
        "  p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} requests",
        percentile_ms(&latencies, 50.0),
        percentile_ms(&latencies, 99.0),
        percentile_ms(&latencies, 100.0),
        latencies.len()
    );
    match atq_tests::peak_memory_kib() {
        Some(kib) => println!("  peak memory        {:.1} MiB (VmHWM, the whole process)", kib as f64 / 1024.0),
        None => println!("  peak memory        (not available here)"),
    }
    system.stop().await;
    Ok(())
}

#[derive(Clone)]
struct Target {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl Target {
    /// One request; whether it answered 200.
    async fn once(&self) -> bool {
        let mut request = self.client.get(&self.url);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        match request.send().await {
            Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
            Err(_) => false,
        }
    }
}

/// Requests per second with `args.concurrency` clients asking back to back for `args.seconds`.
async fn closed_loop(target: &Target, args: &Args) -> anyhow::Result<f64> {
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let clients: Vec<_> = (0..args.concurrency)
        .map(|_| {
            let (target, stop, answered, failed) = (target.clone(), stop.clone(), answered.clone(), failed.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let counter = if target.once().await { &answered } else { &failed };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let failed = failed.load(Ordering::Relaxed);
    ensure!(failed == 0, "{failed} requests to {} did not answer 200", target.url);
    Ok(answered.load(Ordering::Relaxed) as f64 / elapsed)
}

/// The latency of each request sent on a fixed schedule of `args.rate` per second, sorted.
async fn open_loop(target: &Target, args: &Args) -> anyhow::Result<Vec<Duration>> {
    let total = args.rate * args.seconds;
    let every = Duration::from_secs_f64(1.0 / args.rate as f64);
    let started = tokio::time::Instant::now();
    let mut requests = Vec::with_capacity(total as usize);
    for n in 0..total {
        let due = started + every.mul_f64(n as f64);
        tokio::time::sleep_until(due).await;
        let target = target.clone();
        // Latency counts from when the request was due, so a stalled sender is not hidden.
        requests.push(tokio::spawn(async move { (target.once().await, due.elapsed()) }));
    }
    let mut latencies = Vec::with_capacity(requests.len());
    for request in requests {
        let (ok, latency) = request.await?;
        ensure!(ok, "a request to {} did not answer 200", target.url);
        latencies.push(latency);
    }
    latencies.sort();
    Ok(latencies)
}

/// The nearest-rank percentile of sorted, non-empty samples, in milliseconds.
fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len().max(1)) - 1).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}
