//! The order-to-cash benchmark: the whole system started in this process (every service and the
//! gateway, real gRPC and HTTP on loopback, fresh databases), driven over HTTP through the
//! gateway at a fixed concurrency, each order from creation to payment: create (2 lines),
//! confirm, request a dispatch order, approve it (director), ship it (warehouse keeper), wait for
//! the invoice that the shipment produces through the sales feed, and pay it (accountant).
//!
//! It prints throughput, p50 and p99 per step, peak memory and errors; the same rows written
//! with sqlx straight into scratch databases of the same kind (sales, accounting-warehouse and
//! analytics, each made by that service's own migrations), in the same transactions (see
//! `raw/`), for the rate the databases alone allow; how many rows each order adds to each table,
//! system and raw side by side; and whether the books agree afterwards.
//!
//! `cargo run --release -p atq-tests --bin bench-order-to-cash [-- --postgres URL]`

mod plan;
mod raw;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use atq_platform::{Backend, Db};
use atq_tests::{Reply, Session, TestSystem, customer, peak_memory_kib, seed_products};
use clap::Parser;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::plan::{APPROVE, CONFIRM, CREATE, DISPATCH, INVOICE, Latencies, PAY, SHIP, STEPS, ms, percentile_ms};

/// No single call may take longer; past it the call counts as an error.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a shipment may take to show up as an invoice.
const INVOICE_TIMEOUT: Duration = Duration::from_secs(60);
const INVOICE_POLL: Duration = Duration::from_millis(20);
/// Large enough that no order of the run is refused for credit (VND).
const CREDIT_LIMIT: i64 = 1_000_000_000_000_000;
const MODULES: [&str; 5] = ["sales", "import-planning", "accounting-warehouse", "analytics", "gateway"];

#[derive(Parser, Clone, Debug)]
#[command(
    name = "bench-order-to-cash",
    about = "Order-to-cash throughput and latency of the whole system, against the raw database rate"
)]
struct Args {
    /// Run on this PostgreSQL server (fresh atq_test_* databases, dropped at the end) instead of
    /// SQLite files, e.g. postgres://postgres@127.0.0.1:5432/postgres
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
    /// Orders in flight at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Orders taken from creation to payment.
    #[arg(long, default_value_t = 400)]
    orders: usize,
    /// Customers the orders are spread over, a third of each group (individual, dealer, project).
    #[arg(long, default_value_t = 12)]
    customers: usize,
    /// Skip the raw database run.
    #[arg(long)]
    no_raw: bool,
}

/// The benchmark's products: model, Vietnamese name, list price (VND), VAT rate (basis points).
/// The first is the harness's filter press (`seed_products`), the others are added here; none is
/// serial-tracked.
const EXTRA_PRODUCTS: [(&str, &str, i64, i64); 5] = [
    ("UN55", "Tủ sấy đối lưu tự nhiên 53 lít", 45_000_000, 1000),
    ("Z 326", "Máy ly tâm đa năng", 120_000_000, 800),
    ("XPR205", "Cân phân tích 5 số lẻ", 185_000_000, 1000),
    ("WNB 22", "Bể điều nhiệt 22 lít", 62_000_000, 500),
    ("RCT basic", "Máy khuấy từ gia nhiệt", 9_900_000, 800),
];
const FILTER_PRESS: (i64, i64) = (285_000_000, 1000);

struct Roles {
    sales: Session,
    director: Session,
    keeper: Session,
    accountant: Session,
}

struct Seeded {
    /// Customer ids; groups rotate individual, dealer, project.
    customers: Vec<i64>,
    products: Vec<i64>,
    units_received: i64,
    took: Duration,
}

/// What the system run measured.
struct SystemRun {
    wall: Duration,
    completed: usize,
    errors: [usize; STEPS.len()],
    error_samples: Vec<String>,
    latencies: Latencies,
    peak_memory_kib: Option<u64>,
    /// gRPC calls answered UNAVAILABLE during the run (a deadlock or a busy database, retried by
    /// the caller), per method.
    retried: BTreeMap<String, u64>,
    /// Rows each table gained during the run, per module.
    rows_added: BTreeMap<(String, String), i64>,
    books: Result<Value, String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(args.concurrency >= 1, "--concurrency must be at least 1");
    anyhow::ensure!(args.orders >= 1, "--orders must be at least 1");
    anyhow::ensure!(args.customers >= 3, "--customers must be at least 3 (one of each group)");
    let database = if args.postgres.is_some() { "PostgreSQL" } else { "SQLite" };
    println!(
        "order-to-cash benchmark on {database}: {} orders, concurrency {}, {} customers",
        args.orders, args.concurrency, args.customers
    );

    let started = Instant::now();
    let system = Arc::new(TestSystem::start_on(args.postgres.as_deref()).await?);
    println!("system started in {:.1} s", started.elapsed().as_secs_f64());
    // In a task of its own, so that even a panic leaves the databases to be dropped below.
    let measured = tokio::spawn({
        let (system, args) = (system.clone(), args.clone());
        async move { run_system(&system, &args).await }
    })
    .await;
    let system = Arc::try_unwrap(system).map_err(|_| anyhow!("the system is still in use"))?;
    let stopped = system.try_stop().await;
    let measured = measured.context("the benchmark panicked")??;
    stopped.context("stopping the system")?;
    print_system(&args, &measured);

    let raw = if args.no_raw { None } else { Some(run_raw(&args).await?) };
    if let Some(raw) = &raw {
        print_raw(&args, &measured, raw);
    }
    print_latencies(&measured, raw.as_ref());
    print_rows(&measured, raw.as_ref());
    let agree = print_books(&measured);

    let errors: usize = measured.errors.iter().sum::<usize>() + raw.as_ref().map_or(0, |r| r.errors);
    anyhow::ensure!(errors == 0, "{errors} errors");
    anyhow::ensure!(agree, "the books disagree");
    Ok(())
}

async fn run_system(system: &TestSystem, args: &Args) -> anyhow::Result<SystemRun> {
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let roles = Arc::new(Roles {
        sales: system.try_login("sales.hn").await?,
        director: system.try_login("director").await?,
        keeper: system.try_login("warehouse").await?,
        accountant: system.try_login("accountant").await?,
    });
    let seeded = seed(system, &roles, args, &run).await?;
    println!(
        "seeded {} customers, {} products, {} units received in HN, in {:.1} s",
        seeded.customers.len(),
        seeded.products.len(),
        seeded.units_received,
        seeded.took.as_secs_f64()
    );
    let rows_before = settled_rows(system).await?;
    let unavailable_before = unavailable_answers();

    let next = Arc::new(AtomicUsize::new(0));
    let seeded = Arc::new(seeded);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..args.concurrency {
        let (roles, seeded, next, run, orders) =
            (roles.clone(), seeded.clone(), next.clone(), run.clone(), args.orders);
        workers.push(tokio::spawn(async move {
            let mut latencies = Latencies::default();
            let mut failures = Vec::new();
            let mut completed = 0;
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= orders {
                    break;
                }
                match one_order(&roles, &seeded, n, &run, &mut latencies).await {
                    Ok(()) => completed += 1,
                    Err(failure) => failures
                        .push((failure.step, format!("order {n}, {}: {:#}", STEPS[failure.step], failure.error))),
                }
            }
            (latencies, failures, completed)
        }));
    }
    let mut latencies = Latencies::default();
    let mut errors = [0; STEPS.len()];
    let mut error_samples = Vec::new();
    let mut completed = 0;
    for worker in workers {
        let (worker_latencies, failures, worker_completed) = worker.await.context("a worker panicked")?;
        latencies.merge(worker_latencies);
        completed += worker_completed;
        for (step, message) in failures {
            errors[step] += 1;
            if error_samples.len() < 5 {
                error_samples.push(message);
            }
        }
    }
    let wall = started.elapsed();
    latencies.sort();
    let peak_memory_kib = peak_memory_kib();

    let retried = unavailable_answers()
        .into_iter()
        .map(|(method, after)| (method.clone(), after - unavailable_before.get(&method).copied().unwrap_or(0.0)))
        .filter(|(_, count)| *count > 0.0)
        .map(|(method, count)| (method, count as u64))
        .collect();
    let rows_after = settled_rows(system).await?;
    let rows_added = rows_after
        .iter()
        .map(|(table, after)| (table.clone(), after - rows_before.get(table).copied().unwrap_or(0)))
        .filter(|(_, added)| *added != 0)
        .collect();
    let books = match send(&roles.accountant, Method::GET, "/api/v1/accounting/reconciliation", None, &[]).await {
        Ok(reply) if reply.status == StatusCode::OK => Ok(reply.body),
        Ok(reply) => Err(format!("{} {}", reply.status, reply.body)),
        Err(error) => Err(format!("{error:#}")),
    };
    Ok(SystemRun { retried, wall, completed, errors, error_samples, latencies, peak_memory_kib, rows_added, books })
}

/// Customers of all three groups with ample credit, the products, and stock for every order.
async fn seed(system: &TestSystem, roles: &Roles, args: &Args, run: &str) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let key = |what: &str| format!("bench-{run}-seed-{what}");
    let importer = system.try_login("import").await?;
    let harness_products = seed_products(system).await;
    let supplier = write(
        &importer,
        Method::POST,
        "/api/v1/suppliers",
        json!({"name": "Memmert GmbH", "country": "DE", "currency": "EUR", "lead_time_days": 35}),
        &key("supplier"),
        StatusCode::CREATED,
    )
    .await?;
    let supplier_id = id_of(&supplier)?;
    let mut products = vec![harness_products.filter_press];
    let mut prices = vec![FILTER_PRESS.0];
    for (i, (model, name, price, vat)) in EXTRA_PRODUCTS.iter().enumerate() {
        let body = json!({
            "model_code": model, "name_vi": name, "category": "biology", "brand": "Memmert", "brand_class": "big",
            "supplier_id": supplier_id, "unit": "cái", "hs_code": "8419.89.19", "warranty_months": 12,
            "serial_tracked": false, "list_price": price, "vat_rate": format!("0.{:02}", vat / 100),
        });
        let created = write(
            &importer,
            Method::POST,
            "/api/v1/products",
            body,
            &key(&format!("product-{i}")),
            StatusCode::CREATED,
        )
        .await?;
        products.push(id_of(&created)?);
        prices.push(*price);
    }

    let mut customers = Vec::new();
    for k in 0..args.customers {
        let group = ["individual", "dealer", "project"][k % 3];
        let mut body = customer(&format!("Khách hàng {group} {k:03}"), group, "HN");
        body["phone"] = json!(format!("09{:08}", 12_000_000 + k));
        let created = write(
            &roles.sales,
            Method::POST,
            "/api/v1/customers",
            body,
            &key(&format!("customer-{k}")),
            StatusCode::CREATED,
        )
        .await?;
        let id = id_of(&created)?;
        write(
            &roles.accountant,
            Method::PUT,
            &format!("/api/v1/customers/{id}/credit-terms"),
            json!({"credit_limit": CREDIT_LIMIT, "payment_terms_days": 30}),
            &key(&format!("terms-{k}")),
            StatusCode::OK,
        )
        .await?;
        customers.push(id);
    }

    let needed = plan::units_needed(args.orders, products.len());
    let lines: Vec<Value> = products
        .iter()
        .zip(&needed)
        .zip(&prices)
        .map(|((id, units), price)| json!({"product_id": id, "quantity": units + 10, "unit_cost": price * 7 / 10}))
        .collect();
    write(
        &roles.keeper,
        Method::POST,
        "/api/v1/stock/receipts",
        json!({"warehouse": "HN", "kind": "purchase", "reference": format!("BENCH-{run}"), "lines": lines}),
        &key("receipt"),
        StatusCode::CREATED,
    )
    .await?;
    let units_received = needed.iter().map(|units| units + 10).sum();
    Ok(Seeded { customers, products, units_received, took: started.elapsed() })
}

struct Failure {
    step: usize,
    error: anyhow::Error,
}

/// Runs one step, recording its latency when it succeeds.
async fn step<T>(
    latencies: &mut Latencies,
    step: usize,
    work: impl Future<Output = anyhow::Result<T>>,
) -> Result<T, Failure> {
    let started = Instant::now();
    let value = work.await.map_err(|error| Failure { step, error })?;
    latencies.steps[step].push(started.elapsed());
    Ok(value)
}

/// One order from creation to payment.
async fn one_order(
    roles: &Roles,
    seeded: &Seeded,
    n: usize,
    run: &str,
    latencies: &mut Latencies,
) -> Result<(), Failure> {
    let started = Instant::now();
    let customer_id = seeded.customers[n % seeded.customers.len()];
    let key = |what: &str| format!("bench-{run}-{n}-{what}");
    let lines: Vec<Value> = plan::order_lines(n, seeded.products.len())
        .iter()
        .map(|line| json!({"product_id": seeded.products[line.product], "quantity": line.quantity}))
        .collect();

    let order = step(latencies, CREATE, async {
        let body = json!({"customer_id": customer_id, "note": "benchmark", "lines": lines});
        write(&roles.sales, Method::POST, "/api/v1/orders", body, &key("create"), StatusCode::CREATED).await
    })
    .await?;
    let (order_id, total) = (id_of(&order).map_err(at(CREATE))?, order["total_gross"].as_i64());

    step(latencies, CONFIRM, async {
        let path = format!("/api/v1/orders/{order_id}/confirm");
        let confirmed = write(&roles.sales, Method::POST, &path, json!({}), &key("confirm"), StatusCode::OK).await?;
        let lines = confirmed["lines"].as_array().context("confirmed order without lines")?;
        anyhow::ensure!(
            confirmed["status"] == "confirmed" && lines.iter().all(|l| l["reserved"] == l["quantity"]),
            "not confirmed with everything reserved: {confirmed}"
        );
        Ok(())
    })
    .await?;

    let dispatch = step(latencies, DISPATCH, async {
        let path = format!("/api/v1/orders/{order_id}/dispatch-orders");
        write(&roles.sales, Method::POST, &path, json!({}), &key("dispatch"), StatusCode::CREATED).await
    })
    .await?;
    let dispatch_id = id_of(&dispatch).map_err(at(DISPATCH))?;
    let dispatch_number = dispatch["number"].as_str().unwrap_or_default().to_owned();

    step(latencies, APPROVE, async {
        let path = format!("/api/v1/dispatch-orders/{dispatch_id}/approve");
        let approved = write(&roles.director, Method::POST, &path, json!({}), &key("approve"), StatusCode::OK).await?;
        anyhow::ensure!(approved["status"] == "approved", "not approved: {approved}");
        Ok(())
    })
    .await?;

    step(latencies, SHIP, async {
        let path = format!("/api/v1/dispatch-orders/{dispatch_id}/ship");
        let shipped = write(&roles.keeper, Method::POST, &path, json!({}), &key("ship"), StatusCode::OK).await?;
        anyhow::ensure!(shipped["status"] == "shipped", "not shipped: {shipped}");
        Ok(())
    })
    .await?;

    let invoice = step(latencies, INVOICE, wait_for_invoice(&roles.accountant, customer_id, &dispatch_number)).await?;
    let invoice_id = id_of(&invoice).map_err(at(INVOICE))?;
    let amount = invoice["total_gross"].as_i64();
    if amount.is_none() || amount != total {
        return Err(Failure {
            step: INVOICE,
            error: anyhow!("invoice of {amount:?} for an order of {total:?}: {invoice}"),
        });
    }

    step(latencies, PAY, async {
        let body = json!({"customer_id": customer_id, "amount": amount, "invoice_id": invoice_id,
                          "reference": format!("UNC {dispatch_number}")});
        let payment =
            write(&roles.accountant, Method::POST, "/api/v1/payments", body, &key("pay"), StatusCode::CREATED).await?;
        anyhow::ensure!(
            payment["allocations"][0]["invoice_id"] == invoice_id
                && payment["allocations"][0]["amount"].as_i64() == amount
                && payment["unallocated"] == 0,
            "the payment did not settle the invoice: {payment}"
        );
        Ok(())
    })
    .await?;
    latencies.orders.push(started.elapsed());
    Ok(())
}

fn at(step: usize) -> impl FnOnce(anyhow::Error) -> Failure {
    move |error| Failure { step, error }
}

/// The invoice of a shipment, once the accounting side has read it from the sales feed.
async fn wait_for_invoice(accountant: &Session, customer_id: i64, dispatch_number: &str) -> anyhow::Result<Value> {
    let path = format!("/api/v1/invoices?customer_id={customer_id}&status=open&limit=500");
    let deadline = Instant::now() + INVOICE_TIMEOUT;
    loop {
        let reply = send(accountant, Method::GET, &path, None, &[]).await?;
        anyhow::ensure!(reply.status == StatusCode::OK, "GET {path}: {} {}", reply.status, reply.body);
        let items = reply.body["items"].as_array().context("invoice list without items")?;
        if let Some(invoice) = items.iter().find(|i| i["dispatch_number"] == dispatch_number) {
            return Ok(invoice.clone());
        }
        anyhow::ensure!(Instant::now() < deadline, "no invoice for {dispatch_number} after {INVOICE_TIMEOUT:?}");
        tokio::time::sleep(INVOICE_POLL).await;
    }
}

async fn send(
    session: &Session,
    method: Method,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> anyhow::Result<Reply> {
    tokio::time::timeout(CALL_TIMEOUT, session.try_send(method.clone(), path, body, headers))
        .await
        .map_err(|_| anyhow!("{method} {path}: no answer in {CALL_TIMEOUT:?}"))?
}

/// A mutating call with its idempotency key; any answer but `expected` is an error.
async fn write(
    session: &Session,
    method: Method,
    path: &str,
    body: Value,
    key: &str,
    expected: StatusCode,
) -> anyhow::Result<Value> {
    let reply = send(session, method.clone(), path, Some(body), &[("Idempotency-Key", key)]).await?;
    anyhow::ensure!(reply.status == expected, "{method} {path}: {} {}", reply.status, reply.body);
    Ok(reply.body)
}

fn id_of(body: &Value) -> anyhow::Result<i64> {
    body["id"].as_i64().with_context(|| format!("no id in {body}"))
}

/// Rows in every table once the event feeds have caught up: two counts 300 ms apart agree (the
/// feeds poll every 100 ms), or 10 s have passed.
async fn settled_rows(system: &TestSystem) -> anyhow::Result<BTreeMap<(String, String), i64>> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut rows = system_rows(system).await?;
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let again = system_rows(system).await?;
        if again == rows || Instant::now() > deadline {
            return Ok(again);
        }
        rows = again;
    }
}

/// Rows in every table of every module's database.
async fn system_rows(system: &TestSystem) -> anyhow::Result<BTreeMap<(String, String), i64>> {
    let mut rows = BTreeMap::new();
    for module in MODULES {
        let db = Db::connect(system.database_url(module)).await?;
        for (table, count) in table_rows(&db).await? {
            rows.insert((module.to_owned(), table), count);
        }
        db.close().await;
    }
    Ok(rows)
}

/// Rows in every table of one database (migration bookkeeping aside).
pub async fn table_rows(db: &Db) -> anyhow::Result<BTreeMap<String, i64>> {
    let list = match db.backend() {
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        Backend::Postgres => "SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = 'public'",
    };
    let tables: Vec<String> = sqlx::query_scalar(list).fetch_all(db.pool()).await.context("listing tables")?;
    let mut rows = BTreeMap::new();
    for table in tables.into_iter().filter(|t| !t.starts_with("_sqlx")) {
        let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(db.pool())
            .await
            .with_context(|| format!("counting {table}"))?;
        rows.insert(table, count);
    }
    Ok(rows)
}

/// gRPC answers UNAVAILABLE so far in this process, per method, from the services' own metrics
/// (`atq_grpc_server_requests_total{code="Unavailable"}`).
fn unavailable_answers() -> BTreeMap<String, f64> {
    let mut answers = BTreeMap::new();
    for line in atq_platform::metrics::render().lines() {
        let Some(labels) = line.strip_prefix("atq_grpc_server_requests_total{") else { continue };
        if !labels.contains("code=\"Unavailable\"") {
            continue;
        }
        let label = |name: &str| {
            labels.split(&format!("{name}=\"")).nth(1).and_then(|rest| rest.split('"').next()).unwrap_or("?").to_owned()
        };
        let value = line.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        *answers.entry(format!("{} {}", label("service"), label("method"))).or_default() += value;
    }
    answers
}

async fn run_raw(args: &Args) -> anyhow::Result<raw::RawRun> {
    let products = std::iter::once(FILTER_PRESS)
        .chain(EXTRA_PRODUCTS.iter().map(|(_, _, price, vat_bp)| (*price, *vat_bp)))
        .map(|(price, vat_bp)| raw::RawProduct { price, vat_bp })
        .collect();
    let scratch = raw::RawDatabases::create(args.postgres.as_deref()).await?;
    let measured = tokio::spawn({
        let (orders, concurrency, customers) = (args.orders, args.concurrency, args.customers);
        let urls = scratch.urls();
        async move { raw::run(&urls, orders, concurrency, customers, products).await }
    })
    .await;
    scratch.finish().await?;
    measured.context("the raw run panicked")?
}

fn print_system(args: &Args, run: &SystemRun) {
    let seconds = run.wall.as_secs_f64();
    let errors: usize = run.errors.iter().sum();
    println!();
    println!("system: HTTP through the gateway, {} workers", args.concurrency);
    println!("  orders completed   {} of {}", run.completed, args.orders);
    println!("  wall time          {seconds:.2} s");
    println!("  orders per second  {:.1}", run.completed as f64 / seconds);
    println!("  errors             {errors}");
    for (step, count) in run.errors.iter().enumerate().filter(|(_, count)| **count > 0) {
        println!("    {:<18} {count}", STEPS[step]);
    }
    for sample in &run.error_samples {
        println!("    e.g. {sample}");
    }
    let retried: u64 = run.retried.values().sum();
    println!("  retried            {retried} gRPC calls answered UNAVAILABLE (deadlock or busy database)");
    for (method, count) in &run.retried {
        println!("    {method:<64} {count}");
    }
    match run.peak_memory_kib {
        Some(kib) => println!("  peak memory        {:.1} MiB (VmHWM, the whole process)", kib as f64 / 1024.0),
        None => println!("  peak memory        unknown (no /proc/self/status)"),
    }
}

fn print_raw(args: &Args, system: &SystemRun, raw: &raw::RawRun) {
    let ours = system.completed as f64 / system.wall.as_secs_f64();
    let raw_rate = raw.completed as f64 / raw.wall.as_secs_f64();
    println!();
    println!(
        "raw database: the same rows with sqlx, in the services' {} transactions per order, {} workers",
        raw::transactions_per_order(),
        args.concurrency
    );
    println!("  orders completed   {} of {}", raw.completed, args.orders);
    println!("  wall time          {:.2} s", raw.wall.as_secs_f64());
    println!("  orders per second  {raw_rate:.1}");
    println!("  errors             {}", raw.errors);
    println!("  retried            {} transactions (deadlock or busy database)", raw.retries);
    if let Some(error) = &raw.first_error {
        println!("    e.g. {error}");
    }
    println!("  ours vs raw        {:.2}x raw", ours / raw_rate);
}

fn print_latencies(system: &SystemRun, raw: Option<&raw::RawRun>) {
    println!();
    let ms_at = |samples: &[Duration], p| ms(percentile_ms(samples, p));
    match raw {
        Some(_) => println!("latency (ms)            system p50     p99    raw p50     p99"),
        None => println!("latency (ms)            system p50     p99"),
    }
    let row = |name: &str, ours: &[Duration], raw: Option<&[Duration]>| {
        let raw = raw.map(|raw| format!("   {:>8} {:>7}", ms_at(raw, 50.0), ms_at(raw, 99.0))).unwrap_or_default();
        println!("  {name:<20} {:>10} {:>7}{raw}", ms_at(ours, 50.0), ms_at(ours, 99.0));
    };
    for (index, name) in STEPS.iter().enumerate() {
        let label = if index == INVOICE { "invoice (async)" } else { name };
        row(label, &system.latencies.steps[index], raw.map(|r| r.latencies.steps[index].as_slice()));
    }
    row("whole order", &system.latencies.orders, raw.map(|r| r.latencies.orders.as_slice()));
}

fn print_rows(system: &SystemRun, raw: Option<&raw::RawRun>) {
    let per_order = |rows: i64, orders: usize| if orders == 0 { 0.0 } else { rows as f64 / orders as f64 };
    println!();
    println!("rows added per order                       system    raw");
    for ((module, table), added) in &system.rows_added {
        let raw_table = match module.as_str() {
            "sales" => Some(format!("s_{table}")),
            "accounting-warehouse" => Some(format!("w_{table}")),
            "analytics" => Some(format!("a_{table}")),
            _ => None,
        };
        let raw_rows = raw
            .zip(raw_table)
            .and_then(|(raw, name)| raw.rows.get(&name).map(|rows| format!("{:.2}", per_order(*rows, raw.completed))));
        println!(
            "  {:<40} {:>6.2} {:>6}",
            format!("{module}.{table}"),
            per_order(*added, system.completed),
            raw_rows.unwrap_or_else(|| "-".into())
        );
    }
}

fn print_books(system: &SystemRun) -> bool {
    println!();
    match &system.books {
        Ok(books) => {
            let agree = books["agree"] == true;
            println!("books: {} (GET /api/v1/accounting/reconciliation)", if agree { "agree" } else { "DISAGREE" });
            println!(
                "  debit {} = credit {}; receivable ledger {} = documents {}; inventory ledger {} = valuation {}; \
                 units {} = costed {}",
                books["total_debit"],
                books["total_credit"],
                books["receivable_ledger"],
                books["receivable_documents"],
                books["inventory_ledger"],
                books["inventory_valuation"],
                books["stock_units"],
                books["costed_units"]
            );
            agree
        }
        Err(error) => {
            println!("books: could not be read: {error}");
            false
        }
    }
}
