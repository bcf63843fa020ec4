//! The raw database rate: the rows the services write for one order, written with sqlx directly
//! into scratch databases made by the services' own `open_database` (so their migrations: the
//! same tables, columns, keys, indexes, checks and foreign keys), one per service as the system
//! has them (sales, accounting-warehouse, analytics), in the transactions the services commit them
//! in (confirming and shipping take three each: mark, warehouse document, finish; analytics
//! records the confirmed order in its own), at the same concurrency, retrying deadlocks and a
//! busy database as the services do. No gRPC, no HTTP, no reads beyond what the writes return, no
//! PostgreSQL outbox lock, stock rows locked in product order (no deadlocks, see
//! [`order::in_product_order`]): what the database alone costs for the same work. The feed
//! consumers' writes within one service (sales' reservation feed, the invoice's cursor) go into
//! the transaction of the step that causes them, as if batched.
//!
//! Per order, as the services write it (updates in brackets):
//! - create order (sales): number series, orders, 2 order_lines, idempotency_keys
//! - confirm: [orders] (sales); reservations, [stock_levels x2], 2 reservation_lines, outbox
//!   (warehouse); [order_lines x2], [orders], [customers], outbox (sales), then [order_lines x2],
//!   [feed cursor] (sales' reservation feed); sales_orders, 2 sales_order_lines, [feed cursor]
//!   (analytics)
//! - request dispatch (sales): number series, dispatch_orders, 2 dispatch_lines, idempotency_keys
//! - approve (sales): [dispatch_orders]
//! - ship: [dispatch_orders] (sales); number series, [reservation_lines, stock_levels,
//!   product_costs] x2, 2 stock_moves, journal entry with 2 lines, goods_issues, stock_documents,
//!   3 outbox rows (warehouse); [dispatch_lines x2], [dispatch_orders], [order_lines x2], outbox
//!   (sales), then [order_lines x2], [feed cursor] (sales' reservation feed)
//! - invoice (warehouse, from the sales feed): number series, invoices, journal entry with 3 lines,
//!   outbox, [feed cursor]
//! - pay (warehouse): number series, payments, [invoices], payment_allocations, [payments], journal
//!   entry with 2 lines, outbox, idempotency_keys

mod feeds;
mod order;
mod rows;
mod sales;
mod warehouse;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use atq_platform::Db;
use atq_tests::ScratchDatabase;

use crate::plan::{self, Latencies};

use order::one_order;
pub use order::transactions_per_order;

/// The products of the raw run: list price and VAT rate (basis points), as the system's.
pub struct RawProduct {
    pub price: i64,
    pub vat_bp: i64,
}

/// The scratch databases of the raw run, one per service whose rows it writes.
pub struct RawDatabases {
    sales: ScratchDatabase,
    warehouse: ScratchDatabase,
    analytics: ScratchDatabase,
}

impl RawDatabases {
    /// Fresh databases on the PostgreSQL server `postgres`, or SQLite files.
    pub async fn create(postgres: Option<&str>) -> anyhow::Result<RawDatabases> {
        Ok(RawDatabases {
            sales: ScratchDatabase::create(postgres, "bench-raw", "raw-sales").await?,
            warehouse: ScratchDatabase::create(postgres, "bench-raw", "raw-accounting-warehouse").await?,
            analytics: ScratchDatabase::create(postgres, "bench-raw", "raw-analytics").await?,
        })
    }

    pub fn urls(&self) -> RawUrls {
        RawUrls {
            sales: self.sales.url.clone(),
            warehouse: self.warehouse.url.clone(),
            analytics: self.analytics.url.clone(),
        }
    }

    /// Drops the server's databases.
    pub async fn finish(self) -> anyhow::Result<()> {
        self.sales.finish().await?;
        self.warehouse.finish().await?;
        self.analytics.finish().await
    }
}

/// Where the raw run writes: sales', accounting-warehouse's and analytics' databases.
#[derive(Clone)]
pub struct RawUrls {
    sales: String,
    warehouse: String,
    analytics: String,
}

/// The open databases, each with its service's migrations applied.
struct Databases {
    sales: Db,
    warehouse: Db,
    analytics: Db,
}

impl Databases {
    /// Applies each service's migrations (its own `open_database`, through the launcher), then
    /// connects.
    async fn open(urls: &RawUrls) -> anyhow::Result<Databases> {
        let open = |module: &'static str, url: &str| {
            let url = url.to_owned();
            async move {
                atq_launcher::modules::migrate(module, &url).await.with_context(|| format!("migrating {module}"))?;
                Db::connect(&url).await
            }
        };
        Ok(Databases {
            sales: open("sales", &urls.sales).await?,
            warehouse: open("accounting-warehouse", &urls.warehouse).await?,
            analytics: open("analytics", &urls.analytics).await?,
        })
    }

    /// Rows in each table, named `s_…` for sales', `w_…` for accounting-warehouse's and `a_…` for
    /// analytics'.
    async fn rows(&self) -> anyhow::Result<BTreeMap<String, i64>> {
        let mut rows = BTreeMap::new();
        for (prefix, db) in [("s", &self.sales), ("w", &self.warehouse), ("a", &self.analytics)] {
            for (table, count) in crate::table_rows(db).await? {
                rows.insert(format!("{prefix}_{table}"), count);
            }
        }
        Ok(rows)
    }

    async fn close(self) {
        self.sales.close().await;
        self.warehouse.close().await;
        self.analytics.close().await;
    }
}

pub struct RawRun {
    pub wall: Duration,
    pub completed: usize,
    pub errors: usize,
    /// Step transactions tried again after a deadlock or a busy database.
    pub retries: usize,
    pub first_error: Option<String>,
    pub latencies: Latencies,
    /// Rows in each table at the end, named `s_…`, `w_…` or `a_…` (see `Databases::rows`).
    pub rows: BTreeMap<String, i64>,
}

struct Shared {
    databases: Databases,
    products: Vec<RawProduct>,
    customers: i64,
}

/// Migrates the empty databases `urls`, seeds them, and runs `orders` orders through them with
/// `concurrency` workers.
pub async fn run(
    urls: &RawUrls,
    orders: usize,
    concurrency: usize,
    customers: usize,
    products: Vec<RawProduct>,
) -> anyhow::Result<RawRun> {
    let databases = Databases::open(urls).await?;
    seed(&databases, orders, concurrency, customers, &products).await?;
    let shared = Arc::new(Shared { databases, products, customers: customers as i64 });
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..concurrency {
        let (shared, next) = (shared.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Latencies::default();
            let (mut completed, mut errors, mut retries, mut first_error) = (0, 0, 0, None);
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= orders {
                    break;
                }
                match one_order(&shared, (worker, n), &mut latencies, &mut retries).await {
                    Ok(()) => completed += 1,
                    Err(error) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| format!("order {n}: {error:#}"));
                    }
                }
            }
            (latencies, completed, errors, retries, first_error)
        }));
    }
    let mut result = RawRun {
        wall: Duration::ZERO,
        completed: 0,
        errors: 0,
        retries: 0,
        first_error: None,
        latencies: Latencies::default(),
        rows: BTreeMap::new(),
    };
    for worker in workers {
        let (latencies, completed, errors, retries, first_error) = worker.await.context("a raw worker failed")?;
        result.latencies.merge(latencies);
        result.completed += completed;
        result.errors += errors;
        result.retries += retries;
        result.first_error = result.first_error.or(first_error);
    }
    result.wall = started.elapsed();
    result.latencies.sort();
    let shared = Arc::into_inner(shared).context("a raw worker still holds the databases")?;
    result.rows = shared.databases.rows().await?;
    shared.databases.close().await;
    Ok(result)
}

/// The customers, the stock and its cost, and one feed cursor per worker in each database: the
/// services' consumers each advance their own, unshared.
async fn seed(
    databases: &Databases,
    orders: usize,
    concurrency: usize,
    customers: usize,
    products: &[RawProduct],
) -> anyhow::Result<()> {
    let mut tx = databases.sales.begin().await?;
    for k in 0..customers {
        sqlx::query(
            "INSERT INTO customers (code, name, customer_group, phone, email, address, office, tax_code, assigned_to, \
             search_text, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, '', '', '', 'HN', '', 'sales.hn', $4, 1, 'sales.hn', $5, $5)",
        )
        .bind(format!("KH-HN-{:05}", k + 1))
        .bind(format!("Khách hàng {k}"))
        .bind(["individual", "dealer", "project"][k % 3])
        .bind(format!("kh-hn-{:05} khach hang {k}", k + 1))
        .bind(atq_platform::business_time::now_micros())
        .execute(&mut *tx)
        .await?;
    }
    feed_cursors(&mut tx, concurrency).await?;
    tx.commit().await?;
    let mut tx = databases.warehouse.begin().await?;
    let needed = plan::units_needed(orders, products.len());
    for (index, product) in products.iter().enumerate() {
        let units = needed[index] + 10;
        sqlx::query(
            "INSERT INTO stock_levels (product_id, warehouse, condition, on_hand, reserved) VALUES ($1, 'HN', 'good', $2, 0)",
        )
        .bind(index as i64 + 1)
        .bind(units)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO product_costs (product_id, quantity, total_value) VALUES ($1, $2, $3)")
            .bind(index as i64 + 1)
            .bind(units)
            .bind(units * product.price * 7 / 10)
            .execute(&mut *tx)
            .await?;
    }
    feed_cursors(&mut tx, concurrency).await?;
    tx.commit().await?;
    let mut tx = databases.analytics.begin().await?;
    feed_cursors(&mut tx, concurrency).await?;
    tx.commit().await?;
    Ok(())
}

async fn feed_cursors(tx: &mut atq_platform::Tx, concurrency: usize) -> anyhow::Result<()> {
    for worker in 0..concurrency {
        sqlx::query("INSERT INTO feed_cursors (feed, position) VALUES ($1, 0)")
            .bind(format!("feed-{worker}"))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
