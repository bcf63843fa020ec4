//! The web UI's page benchmark: the whole system started in this process with the demo company
//! and a thousand more customers, each page of the staff's screens requested again and again by
//! the role that uses it, over HTTP on loopback. It prints p50 and p99 per page, and beside each
//! page the same figures for the REST call that page is built on, measured in the same run: the
//! ratio is what rendering the page adds to reading its data.
//!
//! `cargo run --release -p atq-tests --bin bench-pages [-- --postgres URL --rounds 200]`

use std::time::{Duration, Instant};

use atq_tests::web::WebSession;
use atq_tests::{TestSystem, customer};
use clap::Parser;
use futures::future::join_all;

#[derive(Parser, Debug)]
#[command(name = "bench-pages", about = "Server time per page of the web UI, against the API call behind it")]
struct Args {
    /// Run on this PostgreSQL server instead of SQLite files.
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
    /// Requests per page (after a few to warm up).
    #[arg(long, default_value_t = 100)]
    rounds: usize,
    /// Customers added beyond the demo's, so lists are long.
    #[arg(long, default_value_t = 1000)]
    customers: usize,
}

/// A page, who opens it, and the API call it is built on (the baseline).
const PAGES: &[(&str, &str, &str)] = &[
    ("sales.hn", "/", "/api/v1/quotes?status=sent&limit=5"),
    ("sales.hn", "/customers", "/api/v1/customers?limit=50"),
    ("sales.hn", "/customers?q=nguyen+van", "/api/v1/customers?q=nguyen+van&limit=50"),
    ("sales.hn", "/customers/new", "/api/v1/customers?limit=1"),
    ("sales.hn", "/quotes", "/api/v1/quotes?limit=50"),
    ("sales.hn", "/orders", "/api/v1/orders?limit=50"),
    ("director", "/", "/api/v1/dispatch-orders?status=requested&limit=5"),
    ("director", "/dispatch-orders", "/api/v1/dispatch-orders?limit=50"),
    ("accountant", "/invoices", "/api/v1/invoices?limit=50"),
    ("admin", "/users", "/api/v1/users?limit=100"),
];

const WARM_UP: usize = 5;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

async fn time_page(web: &mut WebSession, path: &str, rounds: usize) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(rounds);
    for round in 0..WARM_UP + rounds {
        let started = Instant::now();
        let page = web.get(path).await;
        let took = started.elapsed();
        anyhow::ensure!(page.status.is_success(), "{path}: {}", page.status);
        if round >= WARM_UP {
            times.push(took);
        }
    }
    times.sort();
    Ok(times)
}

async fn time_api(system: &TestSystem, username: &str, path: &str, rounds: usize) -> anyhow::Result<Vec<Duration>> {
    let session = system.login(username).await;
    let mut times = Vec::with_capacity(rounds);
    for round in 0..WARM_UP + rounds {
        let started = Instant::now();
        let reply = session.get(path).await;
        let took = started.elapsed();
        anyhow::ensure!(reply.status.is_success(), "{path}: {} {}", reply.status, reply.body);
        if round >= WARM_UP {
            times.push(took);
        }
    }
    times.sort();
    Ok(times)
}

async fn add_customers(system: &TestSystem, count: usize) {
    let rep = system.login("sales.hn").await;
    let names = ["Nguyễn Văn", "Trần Thị", "Lê Hoàng", "Phạm Minh", "Vũ Đức", "Đặng Thu"];
    for chunk in (0..count).collect::<Vec<_>>().chunks(16) {
        join_all(chunk.iter().map(|i| {
            let body = customer(&format!("{} Khách {i:04}", names[i % names.len()]), "individual", "HN");
            let rep = rep.clone();
            async move { rep.create_customer(body).await }
        }))
        .await;
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut system = TestSystem::start_on(args.postgres.as_deref()).await?;
    let (peers, key) = (system.system().peers().clone(), system.system().internal_key().clone());
    let started = Instant::now();
    atq_launcher::demo::load(&peers, &key).await?;
    println!("demo loaded in {:.1} s", started.elapsed().as_secs_f64());
    add_customers(&system, args.customers).await;
    println!("{} more customers added; {} requests per page\n", args.customers, args.rounds);
    println!(
        "{:<12} {:<28} {:>9} {:>9} {:>11} {:>11} {:>7}",
        "role", "page", "p50 ms", "p99 ms", "api p50 ms", "api p99 ms", "ratio"
    );
    let mut worst_p99: f64 = 0.0;
    for (username, page, api) in PAGES {
        let mut web = WebSession::sign_in(&system, username, "vi").await;
        let page_times = time_page(&mut web, page, args.rounds).await?;
        let api_times = time_api(&system, username, api, args.rounds).await?;
        let (p50, p99) = (percentile(&page_times, 0.5), percentile(&page_times, 0.99));
        let (api50, api99) = (percentile(&api_times, 0.5), percentile(&api_times, 0.99));
        worst_p99 = worst_p99.max(p99);
        println!(
            "{username:<12} {page:<28} {p50:>9.2} {p99:>9.2} {api50:>11.2} {api99:>11.2} {:>6.2}x",
            p50 / api50.max(0.001)
        );
    }
    println!("\nslowest page p99: {worst_p99:.2} ms (target: under 50 ms)");
    system.stop().await;
    Ok(())
}
