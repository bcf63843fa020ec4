//! The backup benchmark: a company's data set of confirmed orders (100,000 by default) over
//! customers of the three offices, made through the REST API of the whole system started in this
//! process on SQLite files in a scratch data directory (as `atq up` keeps them); then `atq backup`
//! of it while idle and while a workload writes, and `atq restore` into a fresh directory.
//!
//! Baseline, measured in the same run on the same files: a plain copy of the database files (what
//! copying the directory would cost; it is not a consistent backup of a live system). Prints the
//! data set's size, the archive's size, the times, the write pause, the workload's slowest write
//! during the backup, and the ratios to the baseline.
//!
//! `cargo run --release -p atq-tests --bin bench-backup [-- --orders 100000 --customers 2000]`

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, ensure};
use atq_launcher::backup::{self, manifest, restore};
use atq_tests::{Session, TestSystem, customer, seed_products};
use clap::Parser;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const OFFICES: [(&str, &str); 3] = [("HN", "sales.hn"), ("HCM", "sales.hcm"), ("DL", "sales.dl")];
/// Large enough that no order of the run is refused for credit (VND).
const CREDIT_LIMIT: i64 = 1_000_000_000_000_000;

#[derive(Parser, Clone, Debug)]
#[command(name = "bench-backup", about = "Backup and restore of a data set of confirmed orders")]
struct Args {
    /// Confirmed orders in the data set (one line each).
    #[arg(long, default_value_t = 100_000)]
    orders: usize,
    /// Customers the orders are spread over, a third in each office.
    #[arg(long, default_value_t = 2_000)]
    customers: usize,
    /// Orders being made at once while the data set is built.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
}

struct Staff {
    /// The sales rep of each office, in the order of `OFFICES`.
    reps: Vec<Session>,
    accountant: Session,
    keeper: Session,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    ensure!(
        args.orders >= 1 && args.customers >= 3 && args.concurrency >= 1,
        "orders, customers, concurrency ≥ 1, 3, 1"
    );
    let scratch = tempfile::tempdir()?;
    let data_dir = scratch.path().join("data");
    println!("backup benchmark on SQLite: {} orders over {} customers", args.orders, args.customers);
    let system = TestSystem::start_in_data_dir(&data_dir).await?;
    let staff = sign_in(&system).await?;
    let product = seed_products(&system).await.filter_press;
    let started = Instant::now();
    let customers = Arc::new(seed_customers(&staff, args.customers).await?);
    receive_stock(&staff, product, args.orders).await?;
    let made = make_orders(&system, &customers, product, &args).await?;
    println!(
        "data set: {} customers and {made} confirmed orders made in {:.0} s ({:.0} orders/s)",
        customers.len(),
        started.elapsed().as_secs_f64(),
        made as f64 / started.elapsed().as_secs_f64()
    );
    settle(&system, &data_dir, made).await?;
    let data_bytes = database_bytes(&data_dir)?;
    let copy = plain_copy(&data_dir, &scratch.path().join("copy"))?;
    let idle = backup_once(&data_dir, &scratch.path().join("idle.tar.gz"), None).await?;
    // Access tokens last 15 minutes: the writer signs in afresh.
    let writer = system.try_login("sales.hn").await?;
    let loaded = backup_once(&data_dir, &scratch.path().join("loaded.tar.gz"), Some(&writer)).await?;
    system.stop().await;
    let restore_began = Instant::now();
    restore::restore(&scratch.path().join("idle.tar.gz"), &scratch.path().join("restored"))
        .await
        .context("restoring")?;
    let restored = restore_began.elapsed();

    println!();
    println!("databases (SQLite files):      {:>10.1} MB", mb(data_bytes));
    println!("baseline, plain file copy:     {:>10.0} ms", ms(copy));
    for (name, run) in [("idle", &idle), ("under writes", &loaded)] {
        println!(
            "backup {name:<13}        {:>10} ms ({:.1}x the copy), archive {:.1} MB ({:.2}x the databases), writes paused {} ms{}",
            run.total_ms,
            run.total_ms as f64 / ms(copy).max(1.0),
            mb(run.archive_bytes),
            run.archive_bytes as f64 / data_bytes as f64,
            run.pause_ms,
            run.slowest_write.map(|w| format!(", slowest write during it {:.0} ms", ms(w))).unwrap_or_default()
        );
    }
    println!(
        "restore (checked):             {:>10.0} ms ({:.1}x the copy)",
        ms(restored),
        ms(restored) / ms(copy).max(1.0)
    );
    Ok(())
}

/// Waits until analytics has taken in every order and every consumer has read its feeds to the
/// end, so "idle" means nothing is left to catch up: a backup taken while a feed still catches up
/// competes with its writes (measured apart, under writes).
async fn settle(system: &TestSystem, data_dir: &Path, orders: usize) -> anyhow::Result<()> {
    let director = system.try_login("director").await?;
    let began = Instant::now();
    let mut reported = Instant::now();
    loop {
        let report = director.get("/api/v1/reports/sales?period=month").await.body;
        let counted = report["total"]["orders"].as_u64() == Some(orders as u64);
        let behind = feeds_behind(data_dir).await?;
        if counted && behind.is_empty() {
            println!("feeds caught up {:.0} s after the last order", began.elapsed().as_secs_f64());
            return Ok(());
        }
        ensure!(began.elapsed() < Duration::from_secs(1800), "the feeds did not catch up: {behind:?}");
        if reported.elapsed() >= Duration::from_secs(30) {
            println!("  {:.0} s: still behind {behind:?}", began.elapsed().as_secs_f64());
            reported = Instant::now();
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// Per consumer and feed it has not read to the end: how many positions it is behind.
async fn feeds_behind(data_dir: &Path) -> anyhow::Result<Vec<(String, String, i64)>> {
    let mut facts = std::collections::BTreeMap::new();
    for module in backup::module_names() {
        let url = manifest::read_only_url(&backup::snapshot::database_file(data_dir, module));
        let mut conn = manifest::connect(&url).await?;
        facts.insert(module.to_owned(), manifest::read_facts(&mut conn).await?);
    }
    let mut behind = Vec::new();
    for (consumer, consumer_facts) in &facts {
        for (feed, cursor) in &consumer_facts.feed_cursors {
            let head = facts.get(feed).map_or(0, |producer| producer.outbox_head);
            if head > *cursor {
                behind.push((consumer.clone(), feed.clone(), head - cursor));
            }
        }
    }
    Ok(behind)
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

/// A write that must succeed: `method` `path` with `body` under idempotency `key`.
async fn write(session: &Session, method: Method, path: &str, body: Value, key: &str) -> anyhow::Result<Value> {
    let reply = session.send(method, path, Some(body), &[("Idempotency-Key", key)]).await;
    ensure!(reply.status.is_success(), "{path}: {} {}", reply.status, reply.body);
    Ok(reply.body)
}

/// Customers spread over the three offices, each with ample credit: (id, index of its office).
async fn seed_customers(staff: &Staff, count: usize) -> anyhow::Result<Vec<(i64, usize)>> {
    let mut customers = Vec::with_capacity(count);
    for k in 0..count {
        let (office, group) = (k % OFFICES.len(), ["individual", "dealer", "project"][k / OFFICES.len() % 3]);
        let mut body = customer(&format!("Khách hàng số {k:05}"), group, OFFICES[office].0);
        body["phone"] = json!(format!("09{:08}", 30_000_000 + k));
        let created =
            write(&staff.reps[office], Method::POST, "/api/v1/customers", body, &format!("customer-{k}")).await?;
        let id = created["id"].as_i64().ok_or_else(|| anyhow!("no customer id: {created}"))?;
        let terms = json!({"credit_limit": CREDIT_LIMIT, "payment_terms_days": 30});
        let path = format!("/api/v1/customers/{id}/credit-terms");
        write(&staff.accountant, Method::PUT, &path, terms, &format!("terms-{k}")).await?;
        customers.push((id, office));
    }
    Ok(customers)
}

/// Enough units of `product` in each office's warehouse for its share of the orders.
async fn receive_stock(staff: &Staff, product: i64, orders: usize) -> anyhow::Result<()> {
    let units = i64::try_from(orders / OFFICES.len() + 10)?;
    for (office, _) in OFFICES {
        let body = json!({"warehouse": office, "kind": "purchase", "reference": format!("BENCH-{office}"),
            "lines": [{"product_id": product, "quantity": units, "unit_cost": 200_000_000}]});
        write(&staff.keeper, Method::POST, "/api/v1/stock/receipts", body, &format!("receipt-{office}")).await?;
    }
    Ok(())
}

/// The staff who build the data set, freshly signed in.
async fn sign_in(system: &TestSystem) -> anyhow::Result<Staff> {
    Ok(Staff {
        reps: vec![
            system.try_login("sales.hn").await?,
            system.try_login("sales.hcm").await?,
            system.try_login("sales.dl").await?,
        ],
        accountant: system.try_login("accountant").await?,
        keeper: system.try_login("warehouse").await?,
    })
}

/// Orders made between two sign-ins: well inside the 15-minute life of an access token.
const ORDERS_PER_SIGN_IN: usize = 10_000;

/// `args.orders` orders of one unit, created and confirmed by the customer's office's rep,
/// `args.concurrency` at a time; the number made.
async fn make_orders(
    system: &TestSystem,
    customers: &Arc<Vec<(i64, usize)>>,
    product: i64,
    args: &Args,
) -> anyhow::Result<usize> {
    for first in (0..args.orders).step_by(ORDERS_PER_SIGN_IN) {
        let staff = Arc::new(sign_in(system).await?);
        let last = (first + ORDERS_PER_SIGN_IN).min(args.orders);
        make_order_range(&staff, customers, product, first..last, args.concurrency).await?;
    }
    Ok(args.orders)
}

async fn make_order_range(
    staff: &Arc<Staff>,
    customers: &Arc<Vec<(i64, usize)>>,
    product: i64,
    range: std::ops::Range<usize>,
    concurrency: usize,
) -> anyhow::Result<()> {
    let next = Arc::new(AtomicUsize::new(range.start));
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (staff, customers, next, end) = (staff.clone(), customers.clone(), next.clone(), range.end);
        workers.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= end {
                    return anyhow::Ok(());
                }
                let (customer_id, office) = customers[n % customers.len()];
                let rep = &staff.reps[office];
                let body = json!({"customer_id": customer_id, "lines": [{"product_id": product, "quantity": 1}]});
                let order = write(rep, Method::POST, "/api/v1/orders", body, &format!("order-{n}")).await?;
                let confirm = format!("/api/v1/orders/{}/confirm", order["id"]);
                write(rep, Method::POST, &confirm, json!({}), &format!("confirm-{n}")).await?;
                if (n + 1) % 10_000 == 0 {
                    println!("  {} orders", n + 1);
                }
            }
        }));
    }
    for worker in workers {
        worker.await.context("an order worker panicked")??;
    }
    Ok(())
}

/// The bytes of every database file (with its write-ahead log) in `data_dir`.
fn database_bytes(data_dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(data_dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.contains(".db") {
            total += std::fs::metadata(&path)?.len();
        }
    }
    Ok(total)
}

/// The baseline: copying the database files as they are.
fn plain_copy(data_dir: &Path, to: &PathBuf) -> anyhow::Result<Duration> {
    std::fs::create_dir_all(to)?;
    let began = Instant::now();
    for entry in std::fs::read_dir(data_dir)? {
        let path = entry?.path();
        if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.contains(".db")) {
            std::fs::copy(&path, to.join(path.file_name().unwrap_or_default()))?;
        }
    }
    Ok(began.elapsed())
}

struct BackupRun {
    total_ms: u64,
    archive_bytes: u64,
    pause_ms: u64,
    slowest_write: Option<Duration>,
}

/// One `atq backup`; with `writer`, while that rep creates customers one after another.
async fn backup_once(data_dir: &Path, archive: &Path, writer: Option<&Session>) -> anyhow::Result<BackupRun> {
    let stop = Arc::new(AtomicBool::new(false));
    let workload = writer.map(|rep| tokio::spawn(write_until(rep.clone(), stop.clone())));
    if workload.is_some() {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let outcome = backup::backup(data_dir, archive).await.context("backing up")?;
    stop.store(true, Ordering::SeqCst);
    let slowest_write = match workload {
        Some(task) => Some(task.await.context("the workload panicked")??),
        None => None,
    };
    ensure!(outcome.manifest.verification.ok, "the backup did not verify: {:?}", outcome.manifest.verification);
    Ok(BackupRun {
        total_ms: outcome.total_ms,
        archive_bytes: outcome.archive_size_bytes,
        pause_ms: outcome.manifest.write_pause_ms,
        slowest_write,
    })
}

/// Creates customers until `stop`; the slowest acknowledged write.
async fn write_until(rep: Session, stop: Arc<AtomicBool>) -> anyhow::Result<Duration> {
    let mut slowest = Duration::ZERO;
    let mut n = 0;
    while !stop.load(Ordering::SeqCst) {
        n += 1;
        let mut body = customer(&format!("Khách hàng trong lúc sao lưu {n}"), "individual", "HN");
        body["phone"] = json!(format!("08{:08}", n));
        let began = Instant::now();
        let reply = rep.send(Method::POST, "/api/v1/customers", Some(body), &[]).await;
        ensure!(
            reply.status == StatusCode::CREATED,
            "a write during the backup failed: {} {}",
            reply.status,
            reply.body
        );
        slowest = slowest.max(began.elapsed());
    }
    Ok(slowest)
}
