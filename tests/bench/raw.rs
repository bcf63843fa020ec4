//! The raw database rate: the rows the services write for one order, written with sqlx directly
//! into one scratch database whose schema mirrors their tables (same columns, keys, indexes,
//! checks and foreign keys; `s_` for sales' tables, `w_` for accounting-warehouse's, `a_` for
//! analytics'), in the transactions the services commit them in (confirming and shipping take
//! three each: mark, warehouse document, finish), at the same concurrency, retrying deadlocks and
//! a busy database as the services do. No gRPC, no HTTP, no reads beyond what the writes return,
//! no PostgreSQL outbox lock, stock rows locked in product order (no deadlocks, see
//! [`in_product_order`]): what the database alone costs for the same work. The feed
//! consumers' writes (sales' reservation feed, analytics' sales facts, the invoice's cursor) go
//! into the transaction of the step that causes them, as if batched.
//!
//! Per order, as the services write it (updates in brackets):
//! - create order (sales): number series, orders, 2 order_lines, idempotency_keys
//! - confirm: [orders] (sales); reservations, [stock_levels x2], 2 reservation_lines, outbox
//!   (warehouse); [order_lines x2], [orders], [customers], outbox (sales), then [order_lines x2],
//!   [feed cursor] (sales' reservation feed) and sales_orders, 2 sales_order_lines, [feed cursor]
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

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use atq_platform::business_time::now_micros;
use atq_platform::{Backend, Db, Tx};

use crate::plan::{self, Latencies};

/// Widths of the stored protobuf bodies, as the services' rows measure on average for these
/// two-line orders (bytes).
const ORDER_BODY: usize = 270;
const DISPATCH_BODY: usize = 150;
const RESERVATION_EVENT: usize = 46;
const ORDER_CONFIRMED_EVENT: usize = 296;
const DISPATCH_SHIPPED_EVENT: usize = 339;
const STOCK_MOVED_EVENT: usize = 70;
const GOODS_ISSUE_BODY: usize = 100;
const INVOICE_BODY: usize = 241;
const INVOICE_EVENT: usize = 246;
const PAYMENT_BODY: usize = 110;
const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

const SCHEMA: &str = r#"
CREATE TABLE s_customers (
    id {ID},
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    office TEXT NOT NULL,
    customer_group TEXT NOT NULL,
    purchase_count BIGINT NOT NULL,
    last_purchase_on TEXT NOT NULL
);
CREATE TABLE s_orders (
    id {ID},
    number TEXT NOT NULL CONSTRAINT s_orders_number_key UNIQUE,
    customer_id BIGINT NOT NULL CONSTRAINT s_orders_customer_fkey REFERENCES s_customers (id),
    office TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    total_net BIGINT NOT NULL,
    total_vat BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    confirmed_at BIGINT NOT NULL,
    quote_id BIGINT NOT NULL,
    contract_id BIGINT NOT NULL
);
CREATE INDEX s_orders_customer_idx ON s_orders (customer_id, id);
CREATE INDEX s_orders_office_status_idx ON s_orders (office, status, id);
CREATE TABLE s_order_lines (
    order_id BIGINT NOT NULL CONSTRAINT s_order_lines_order_fkey REFERENCES s_orders (id),
    line_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    model_code TEXT NOT NULL,
    product_name TEXT NOT NULL,
    supplier_id BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_price BIGINT NOT NULL,
    vat_rate_bp BIGINT NOT NULL,
    delivery_date TEXT NOT NULL,
    net_amount BIGINT NOT NULL,
    vat_amount BIGINT NOT NULL,
    reserved BIGINT NOT NULL,
    delivered BIGINT NOT NULL,
    shipped BIGINT NOT NULL,
    CONSTRAINT s_order_lines_pkey PRIMARY KEY (order_id, line_no)
);
CREATE TABLE s_dispatch_orders (
    id {ID},
    number TEXT NOT NULL CONSTRAINT s_dispatch_orders_number_key UNIQUE,
    order_id BIGINT NOT NULL CONSTRAINT s_dispatch_orders_order_fkey REFERENCES s_orders (id),
    office TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decision_note TEXT NOT NULL,
    goods_issue_number TEXT NOT NULL,
    cost_amount BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    shipped_at BIGINT NOT NULL,
    delivered_at BIGINT NOT NULL
);
CREATE INDEX s_dispatch_orders_order_idx ON s_dispatch_orders (order_id, id);
CREATE TABLE s_dispatch_lines (
    dispatch_id BIGINT NOT NULL CONSTRAINT s_dispatch_lines_dispatch_fkey REFERENCES s_dispatch_orders (id),
    line_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    model_code TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    serials TEXT NOT NULL,
    CONSTRAINT s_dispatch_lines_pkey PRIMARY KEY (dispatch_id, line_no)
);
CREATE TABLE w_stock_levels (
    product_id BIGINT NOT NULL,
    warehouse TEXT NOT NULL,
    condition TEXT NOT NULL,
    on_hand BIGINT NOT NULL,
    reserved BIGINT NOT NULL,
    CONSTRAINT w_stock_levels_pkey PRIMARY KEY (product_id, warehouse, condition),
    CONSTRAINT w_stock_levels_never_negative CHECK (on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand)
);
CREATE TABLE w_stock_moves (
    id {ID},
    document_type TEXT NOT NULL,
    document_number TEXT NOT NULL,
    product_id BIGINT NOT NULL,
    warehouse TEXT NOT NULL,
    condition TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_cost BIGINT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX w_stock_moves_product_idx ON w_stock_moves (product_id, warehouse, id);
CREATE TABLE w_product_costs (
    product_id BIGINT NOT NULL CONSTRAINT w_product_costs_pkey PRIMARY KEY,
    quantity BIGINT NOT NULL,
    total_value BIGINT NOT NULL,
    CONSTRAINT w_product_costs_never_negative CHECK (quantity >= 0 AND total_value >= 0)
);
CREATE TABLE w_stock_documents (
    id {ID},
    number TEXT NOT NULL CONSTRAINT w_stock_documents_number_key UNIQUE,
    document_type TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    body {BLOB} NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE w_reservations (
    order_ref TEXT NOT NULL CONSTRAINT w_reservations_pkey PRIMARY KEY,
    warehouse TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE w_reservation_lines (
    id {ID},
    order_ref TEXT NOT NULL CONSTRAINT w_reservation_lines_order_fkey REFERENCES w_reservations (order_ref),
    line_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    warehouse TEXT NOT NULL,
    requested BIGINT NOT NULL,
    reserved BIGINT NOT NULL,
    waiting BIGINT NOT NULL,
    issued BIGINT NOT NULL,
    CONSTRAINT w_reservation_lines_order_line_key UNIQUE (order_ref, line_no),
    CONSTRAINT w_reservation_lines_within_request CHECK (reserved >= 0 AND reserved <= requested)
);
CREATE INDEX w_reservation_lines_waiting_idx ON w_reservation_lines (product_id, warehouse, waiting, id);
CREATE TABLE w_goods_issues (
    dispatch_ref TEXT NOT NULL CONSTRAINT w_goods_issues_pkey PRIMARY KEY,
    number TEXT NOT NULL CONSTRAINT w_goods_issues_number_key UNIQUE,
    order_ref TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    body {BLOB} NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE w_journal_entries (
    id {ID},
    entry_date TEXT NOT NULL,
    document_type TEXT NOT NULL,
    document_number TEXT NOT NULL,
    memo TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE w_journal_lines (
    entry_id BIGINT NOT NULL CONSTRAINT w_journal_lines_entry_fkey REFERENCES w_journal_entries (id),
    line_no BIGINT NOT NULL,
    account TEXT NOT NULL,
    debit BIGINT NOT NULL,
    credit BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    CONSTRAINT w_journal_lines_pkey PRIMARY KEY (entry_id, line_no),
    CONSTRAINT w_journal_lines_one_side CHECK (debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0))
);
CREATE INDEX w_journal_lines_account_idx ON w_journal_lines (account, customer_id);
CREATE TABLE w_invoices (
    id {ID},
    number TEXT NOT NULL CONSTRAINT w_invoices_number_key UNIQUE,
    series TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    customer_name TEXT NOT NULL,
    order_number TEXT NOT NULL,
    dispatch_number TEXT NOT NULL CONSTRAINT w_invoices_dispatch_key UNIQUE,
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    total_net BIGINT NOT NULL,
    total_vat BIGINT NOT NULL,
    paid BIGINT NOT NULL,
    body {BLOB} NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT w_invoices_paid_within_total CHECK (paid >= 0 AND paid <= total_net + total_vat)
);
CREATE INDEX w_invoices_customer_idx ON w_invoices (customer_id, due_date, id);
CREATE TABLE w_payments (
    id {ID},
    number TEXT NOT NULL CONSTRAINT w_payments_number_key UNIQUE,
    customer_id BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    received_on TEXT NOT NULL,
    reference TEXT NOT NULL,
    method TEXT NOT NULL,
    unallocated BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE a_sales_orders (
    order_id BIGINT NOT NULL CONSTRAINT a_sales_orders_pkey PRIMARY KEY,
    number TEXT NOT NULL,
    office TEXT NOT NULL,
    customer_group TEXT NOT NULL,
    salesperson TEXT NOT NULL,
    confirmed_at BIGINT NOT NULL,
    confirmed_on TEXT NOT NULL,
    month TEXT NOT NULL,
    cancelled_at BIGINT NOT NULL,
    total_net BIGINT NOT NULL,
    total_vat BIGINT NOT NULL,
    total_gross BIGINT NOT NULL,
    position BIGINT NOT NULL
);
CREATE INDEX a_sales_orders_confirmed_on_idx ON a_sales_orders (confirmed_on);
CREATE TABLE a_sales_order_lines (
    order_id BIGINT NOT NULL,
    line_no INTEGER NOT NULL,
    product_id BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    net_amount BIGINT NOT NULL,
    vat_amount BIGINT NOT NULL,
    CONSTRAINT a_sales_order_lines_pkey PRIMARY KEY (order_id, line_no)
);
CREATE TABLE a_feed_cursors (
    feed TEXT NOT NULL CONSTRAINT a_feed_cursors_pkey PRIMARY KEY,
    position BIGINT NOT NULL
);
CREATE TABLE w_payment_allocations (
    payment_id BIGINT NOT NULL CONSTRAINT w_payment_allocations_payment_fkey REFERENCES w_payments (id),
    invoice_id BIGINT NOT NULL CONSTRAINT w_payment_allocations_invoice_fkey REFERENCES w_invoices (id),
    amount BIGINT NOT NULL,
    CONSTRAINT w_payment_allocations_pkey PRIMARY KEY (payment_id, invoice_id)
);
"#;

/// The platform's tables, once per service.
const PLATFORM: &str = r#"
CREATE TABLE {P}_outbox (
    position {ID},
    event_id TEXT NOT NULL CONSTRAINT {P}_outbox_event_id_key UNIQUE,
    event_type TEXT NOT NULL,
    aggregate_type TEXT NOT NULL,
    aggregate_id TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    payload {BLOB} NOT NULL,
    traceparent TEXT NOT NULL
);
CREATE TABLE {P}_idempotency_keys (
    scope TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response {BLOB} NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT {P}_idempotency_keys_pkey PRIMARY KEY (scope, idem_key)
);
CREATE TABLE {P}_number_series (
    series TEXT NOT NULL CONSTRAINT {P}_number_series_pkey PRIMARY KEY,
    last_value BIGINT NOT NULL
);
CREATE TABLE {P}_feed_cursors (
    feed TEXT NOT NULL CONSTRAINT {P}_feed_cursors_pkey PRIMARY KEY,
    position BIGINT NOT NULL
);
"#;

fn schema(backend: Backend) -> String {
    let (id, blob) = match backend {
        Backend::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB"),
        Backend::Postgres => ("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BYTEA"),
    };
    let mut ddl = SCHEMA.to_owned();
    for prefix in ["s", "w"] {
        ddl.push_str(&PLATFORM.replace("{P}", prefix));
    }
    ddl.replace("{ID}", id).replace("{BLOB}", blob)
}

/// The products of the raw run: list price and VAT rate (basis points), as the system's.
pub struct RawProduct {
    pub price: i64,
    pub vat_bp: i64,
}

pub struct RawRun {
    pub wall: Duration,
    pub completed: usize,
    pub errors: usize,
    /// Step transactions tried again after a deadlock or a busy database.
    pub retries: usize,
    pub first_error: Option<String>,
    pub latencies: Latencies,
    /// Rows in each table at the end, named `s_…` or `w_…`.
    pub rows: BTreeMap<String, i64>,
}

struct Shared {
    db: Db,
    products: Vec<RawProduct>,
    customers: i64,
}

/// Creates the scratch schema in the empty database at `url`, seeds it, and runs `orders` orders
/// through it with `concurrency` workers.
pub async fn run(
    url: &str,
    orders: usize,
    concurrency: usize,
    customers: usize,
    products: Vec<RawProduct>,
) -> anyhow::Result<RawRun> {
    let db = Db::connect(url).await?;
    sqlx::raw_sql(&schema(db.backend())).execute(db.pool()).await.context("creating the raw schema")?;
    seed(&db, orders, concurrency, customers, &products).await?;
    let shared = Arc::new(Shared { db: db.clone(), products, customers: customers as i64 });
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
    result.rows = crate::table_rows(&db).await?;
    db.close().await;
    Ok(result)
}

async fn seed(
    db: &Db,
    orders: usize,
    concurrency: usize,
    customers: usize,
    products: &[RawProduct],
) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    for k in 0..customers {
        sqlx::query(
            "INSERT INTO s_customers (code, name, office, customer_group, purchase_count, last_purchase_on) \
             VALUES ($1, $2, 'HN', $3, 0, '')",
        )
        .bind(format!("KH-HN-{:05}", k + 1))
        .bind(format!("Khách hàng {k}"))
        .bind(["individual", "dealer", "project"][k % 3])
        .execute(&mut *tx)
        .await?;
    }
    let needed = plan::units_needed(orders, products.len());
    for (index, product) in products.iter().enumerate() {
        let units = needed[index] + 10;
        sqlx::query(
            "INSERT INTO w_stock_levels (product_id, warehouse, condition, on_hand, reserved) VALUES ($1, 'HN', 'good', $2, 0)",
        )
        .bind(index as i64 + 1)
        .bind(units)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO w_product_costs (product_id, quantity, total_value) VALUES ($1, $2, $3)")
            .bind(index as i64 + 1)
            .bind(units)
            .bind(units * product.price * 7 / 10)
            .execute(&mut *tx)
            .await?;
    }
    // One cursor per worker: the services' consumers each advance their own, unshared.
    for worker in 0..concurrency {
        for prefix in ["s", "w", "a"] {
            sqlx::query(&format!("INSERT INTO {prefix}_feed_cursors (feed, position) VALUES ($1, 0)"))
                .bind(format!("feed-{worker}"))
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

fn blob(len: usize, salt: usize) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(31).wrapping_add(salt) % 251) as u8).collect()
}

async fn next_number(tx: &mut Tx, prefix: &str, series: &str) -> anyhow::Result<i64> {
    let value = sqlx::query_scalar::<_, i64>(&format!(
        "INSERT INTO {prefix}_number_series (series, last_value) VALUES ($1, 1) \
         ON CONFLICT (series) DO UPDATE SET last_value = {prefix}_number_series.last_value + 1 RETURNING last_value"
    ))
    .bind(series)
    .fetch_one(&mut **tx)
    .await?;
    Ok(value)
}

async fn outbox(
    tx: &mut Tx,
    prefix: &str,
    (aggregate_type, aggregate_id): (&str, &str),
    event_type: &str,
    payload_len: usize,
) -> anyhow::Result<()> {
    sqlx::query(&format!(
        "INSERT INTO {prefix}_outbox (event_id, event_type, aggregate_type, aggregate_id, occurred_at, payload, traceparent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ))
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(event_type)
    .bind(aggregate_type)
    .bind(aggregate_id)
    .bind(now_micros())
    .bind(blob(payload_len, aggregate_id.len()))
    .bind(TRACEPARENT)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn remember(tx: &mut Tx, prefix: &str, scope: &str, key: &str, response_len: usize) -> anyhow::Result<()> {
    sqlx::query(&format!(
        "INSERT INTO {prefix}_idempotency_keys (scope, idem_key, request_hash, response, created_at) VALUES ($1, $2, $3, $4, $5)"
    ))
    .bind(scope)
    .bind(key)
    .bind(format!("{:064x}", key.len() * 7919))
    .bind(blob(response_len, key.len()))
    .bind(now_micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn journal(
    tx: &mut Tx,
    document: (&str, &str),
    memo: &str,
    by: &str,
    lines: &[(&str, i64, i64, i64)],
) -> anyhow::Result<()> {
    let today = atq_platform::business_time::local_date(now_micros()).to_string();
    let entry_id: i64 = sqlx::query_scalar(
        "INSERT INTO w_journal_entries (entry_date, document_type, document_number, memo, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(today)
    .bind(document.0)
    .bind(document.1)
    .bind(memo)
    .bind(by)
    .bind(now_micros())
    .fetch_one(&mut **tx)
    .await?;
    for (line_no, (account, debit, credit, customer_id)) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO w_journal_lines (entry_id, line_no, account, debit, credit, customer_id) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(entry_id)
        .bind(line_no as i64 + 1)
        .bind(*account)
        .bind(*debit)
        .bind(*credit)
        .bind(*customer_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// What the reservation feed does on sales' side for each ReservationChanged: the order lines
/// take the warehouse's figures, and the consumer's cursor moves.
async fn reservation_feed(tx: &mut Tx, worker: usize, order: &Order) -> anyhow::Result<()> {
    for (line_no, line) in order.lines.iter().enumerate() {
        sqlx::query(
            "UPDATE s_order_lines SET reserved = CASE WHEN reserved < $1 THEN $1 ELSE reserved END \
             WHERE line_no = $2 AND order_id IN (SELECT id FROM s_orders WHERE number = $3 AND status IN ('confirming', 'confirmed'))",
        )
        .bind(line.quantity)
        .bind(line_no as i64 + 1)
        .bind(&order.number)
        .execute(&mut **tx)
        .await?;
    }
    cursor(tx, "s", worker).await
}

/// What analytics does with an OrderConfirmed from the sales feed: the order and its lines as
/// sales facts, and the consumer's cursor.
async fn analytics_feed(tx: &mut Tx, worker: usize, order: &Order, confirmed_at: i64) -> anyhow::Result<()> {
    let confirmed_on = atq_platform::business_time::local_date(confirmed_at);
    sqlx::query(
        "INSERT INTO a_sales_orders (order_id, number, office, customer_group, salesperson, confirmed_at, confirmed_on, \
         month, cancelled_at, total_net, total_vat, total_gross, position) \
         VALUES ($1, $2, 'HN', 'dealer', 'sales.hn', $3, $4, $5, 0, $6, $7, $8, $9) \
         ON CONFLICT (order_id) DO UPDATE SET confirmed_at = excluded.confirmed_at, position = excluded.position",
    )
    .bind(order.id)
    .bind(&order.number)
    .bind(confirmed_at)
    .bind(confirmed_on.to_string())
    .bind(confirmed_on.format("%Y-%m").to_string())
    .bind(order.net())
    .bind(order.vat())
    .bind(order.net() + order.vat())
    .bind(order.id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM a_sales_order_lines WHERE order_id = $1").bind(order.id).execute(&mut **tx).await?;
    for (line_no, line) in order.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO a_sales_order_lines (order_id, line_no, product_id, quantity, net_amount, vat_amount) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(order.id)
        .bind(line_no as i64 + 1)
        .bind(line.product_id)
        .bind(line.quantity)
        .bind(line.net)
        .bind(line.vat)
        .execute(&mut **tx)
        .await?;
    }
    cursor(tx, "a", worker).await
}

async fn cursor(tx: &mut Tx, prefix: &str, worker: usize) -> anyhow::Result<()> {
    sqlx::query(&format!("UPDATE {prefix}_feed_cursors SET position = position + 1 WHERE feed = $1"))
        .bind(format!("feed-{worker}"))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

struct OrderLine {
    product_id: i64,
    quantity: i64,
    unit_price: i64,
    vat_bp: i64,
    net: i64,
    vat: i64,
}

/// The order's lines with their index, by product: the raw run takes the stock rows' locks in one
/// order, so two orders of the same two products never deadlock. (The services take them in line
/// order; on PostgreSQL such pairs deadlock, and each deadlock costs `deadlock_timeout`, 1 s by
/// default, to the transactions waiting on those rows. The ceiling measured here is without it.)
fn in_product_order(order: &Order) -> Vec<(usize, &OrderLine)> {
    let mut lines: Vec<(usize, &OrderLine)> = order.lines.iter().enumerate().collect();
    lines.sort_by_key(|(_, line)| line.product_id);
    lines
}

/// One order of the raw run, and what its steps hand on to the next.
struct Order {
    n: usize,
    worker: usize,
    year: i32,
    id: i64,
    number: String,
    customer_id: i64,
    lines: Vec<OrderLine>,
    dispatch_id: i64,
    dispatch_number: String,
    issue_number: String,
    total_cost: i64,
    invoice_id: i64,
    invoice_number: String,
}

impl Order {
    fn net(&self) -> i64 {
        self.lines.iter().map(|l| l.net).sum()
    }
    fn vat(&self) -> i64 {
        self.lines.iter().map(|l| l.vat).sum()
    }
}

/// One order through its steps, each timed.
async fn one_order(
    shared: &Shared,
    (worker, n): (usize, usize),
    latencies: &mut Latencies,
    retries: &mut usize,
) -> anyhow::Result<()> {
    let order_started = Instant::now();
    let lines = plan::order_lines(n, shared.products.len())
        .iter()
        .map(|line| {
            let product = &shared.products[line.product];
            let net = line.quantity * product.price;
            OrderLine {
                product_id: line.product as i64 + 1,
                quantity: line.quantity,
                unit_price: product.price,
                vat_bp: product.vat_bp,
                net,
                vat: (net * product.vat_bp + 5_000) / 10_000,
            }
        })
        .collect();
    let mut order = Order {
        n,
        worker,
        year: chrono::Datelike::year(&atq_platform::business_time::local_date(now_micros())),
        id: 0,
        number: String::new(),
        customer_id: (n as i64 % shared.customers) + 1,
        lines,
        dispatch_id: 0,
        dispatch_number: String::new(),
        issue_number: String::new(),
        total_cost: 0,
        invoice_id: 0,
        invoice_number: String::new(),
    };
    for (step, phases) in PHASES.iter().enumerate() {
        let started = Instant::now();
        for &phase in *phases {
            // As the services do: a deadlock or a busy database is retried, 3 attempts in all.
            let mut pause = Duration::from_millis(50);
            for attempt in 1.. {
                match run_phase(&shared.db, phase, &mut order).await {
                    Ok(()) => break,
                    Err(error) if attempt < 3 && retryable(&error) => {
                        *retries += 1;
                        tokio::time::sleep(pause).await;
                        pause *= 4;
                    }
                    Err(error) => {
                        return Err(error.context(format!("{} of order {}", plan::STEPS[step], order.number)));
                    }
                }
            }
        }
        latencies.steps[step].push(started.elapsed());
    }
    latencies.orders.push(order_started.elapsed());
    Ok(())
}

/// The transactions of each step, as the services commit them: confirming and shipping are done
/// in three (the order or dispatch order marked, the warehouse's document, the result recorded).
#[derive(Clone, Copy)]
enum Phase {
    Create,
    ConfirmMark,
    Reserve,
    ConfirmFinish,
    RequestDispatch,
    Approve,
    ShipMark,
    Issue,
    ShipFinish,
    Invoice,
    Pay,
}

const PHASES: [&[Phase]; plan::STEPS.len()] = [
    &[Phase::Create],
    &[Phase::ConfirmMark, Phase::Reserve, Phase::ConfirmFinish],
    &[Phase::RequestDispatch],
    &[Phase::Approve],
    &[Phase::ShipMark, Phase::Issue, Phase::ShipFinish],
    &[Phase::Invoice],
    &[Phase::Pay],
];

/// Transactions per order.
pub fn transactions_per_order() -> usize {
    PHASES.iter().map(|phases| phases.len()).sum()
}

/// One transaction.
async fn run_phase(db: &Db, phase: Phase, order: &mut Order) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    match phase {
        Phase::Create => create(&mut tx, order).await?,
        Phase::ConfirmMark => confirm_mark(&mut tx, order).await?,
        Phase::Reserve => reserve(&mut tx, order).await?,
        Phase::ConfirmFinish => confirm_finish(&mut tx, order).await?,
        Phase::RequestDispatch => request_dispatch(&mut tx, order).await?,
        Phase::Approve => approve(&mut tx, order).await?,
        Phase::ShipMark => ship_mark(&mut tx, order).await?,
        Phase::Issue => issue(&mut tx, order).await?,
        Phase::ShipFinish => ship_finish(&mut tx, order).await?,
        Phase::Invoice => invoice(&mut tx, order).await?,
        Phase::Pay => pay(&mut tx, order).await?,
    }
    tx.commit().await?;
    Ok(())
}

/// What the services answer UNAVAILABLE to, and so retry: a PostgreSQL serialization failure or
/// deadlock, a busy or locked SQLite database.
fn retryable(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| match cause.downcast_ref::<sqlx::Error>() {
        Some(sqlx::Error::Database(db_error)) => {
            matches!(db_error.code().as_deref(), Some("40001" | "40P01" | "5" | "6"))
        }
        Some(sqlx::Error::PoolTimedOut) => true,
        _ => false,
    })
}

/// Create the order.
async fn create(tx: &mut Tx, order: &mut Order) -> anyhow::Result<()> {
    let (year, n) = (order.year, order.n);
    order.number = format!("DH-{year}-{:04}", next_number(tx, "s", &format!("order-{year}")).await?);
    let now = now_micros();
    order.id = sqlx::query_scalar(
        "INSERT INTO s_orders (number, customer_id, office, warehouse, status, note, total_net, total_vat, created_by, \
         version, created_at, updated_at, confirmed_at, quote_id, contract_id) \
         VALUES ($1, $2, 'HN', 'HN', 'draft', '', $3, $4, 'sales.hn', 1, $5, $5, 0, 0, 0) RETURNING id",
    )
    .bind(&order.number)
    .bind(order.customer_id)
    .bind(order.net())
    .bind(order.vat())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    for (line_no, line) in order.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO s_order_lines (order_id, line_no, product_id, model_code, product_name, supplier_id, quantity, \
             unit_price, vat_rate_bp, delivery_date, net_amount, vat_amount, reserved, shipped, delivered) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, '', $9, $10, 0, 0, 0)",
        )
        .bind(order.id)
        .bind(line_no as i64 + 1)
        .bind(line.product_id)
        .bind(format!("ATQ-B{}", line.product_id))
        .bind("Máy ly tâm phòng thí nghiệm")
        .bind(line.quantity)
        .bind(line.unit_price)
        .bind(line.vat_bp)
        .bind(line.net)
        .bind(line.vat)
        .execute(&mut **tx)
        .await?;
    }
    remember(tx, "s", "sales.CreateOrder:sales.hn", &format!("raw-{n}-create"), ORDER_BODY).await?;
    Ok(())
}

/// Confirm, first transaction (sales): the order is marked confirming.
async fn confirm_mark(tx: &mut Tx, order: &Order) -> anyhow::Result<()> {
    let now = now_micros();
    sqlx::query("UPDATE s_orders SET status = 'confirming', version = version + 1, updated_at = $1 WHERE id = $2 AND status = 'draft'")
        .bind(now)
        .bind(order.id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Confirm, second transaction (warehouse): the reservation, from stock.
async fn reserve(tx: &mut Tx, order: &Order) -> anyhow::Result<()> {
    let now = now_micros();
    sqlx::query(
        "INSERT INTO w_reservations (order_ref, warehouse, status, created_by, created_at, updated_at) \
         VALUES ($1, 'HN', 'active', 'sales.hn', $2, $2)",
    )
    .bind(&order.number)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for (line_no, line) in in_product_order(order) {
        let reserved = sqlx::query(
            "UPDATE w_stock_levels SET reserved = reserved + $1 \
             WHERE product_id = $2 AND warehouse = 'HN' AND condition = 'good' AND on_hand - reserved >= $1",
        )
        .bind(line.quantity)
        .bind(line.product_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        anyhow::ensure!(reserved == 1, "no stock left for product {}", line.product_id);
        sqlx::query(
            "INSERT INTO w_reservation_lines (order_ref, line_no, product_id, warehouse, requested, reserved, waiting, issued) \
             VALUES ($1, $2, $3, 'HN', $4, $4, 0, 0)",
        )
        .bind(&order.number)
        .bind(line_no as i64 + 1)
        .bind(line.product_id)
        .bind(line.quantity)
        .execute(&mut **tx)
        .await?;
    }
    outbox(tx, "w", ("reservation", &order.number), "atq.accountingwarehouse.v1.ReservationChanged", RESERVATION_EVENT)
        .await?;
    Ok(())
}

/// Confirm, last transaction (sales): the order takes the reservation and is confirmed; with it
/// the writes of the feed consumers that follow (sales' reservation feed, analytics' sales facts).
async fn confirm_finish(tx: &mut Tx, order: &Order) -> anyhow::Result<()> {
    let worker = order.worker;
    let now = now_micros();
    for (line_no, line) in order.lines.iter().enumerate() {
        sqlx::query(
            "UPDATE s_order_lines SET reserved = CASE WHEN reserved < $1 THEN $1 ELSE reserved END \
             WHERE line_no = $2 AND order_id IN (SELECT id FROM s_orders WHERE number = $3 AND status IN ('confirming', 'confirmed'))",
        )
        .bind(line.quantity)
        .bind(line_no as i64 + 1)
        .bind(&order.number)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "UPDATE s_orders SET status = 'confirmed', version = version + 1, updated_at = $1, confirmed_at = $1 \
         WHERE id = $2 AND status = 'confirming'",
    )
    .bind(now_micros())
    .bind(order.id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE s_customers SET purchase_count = purchase_count + 1, last_purchase_on = $1 WHERE id = $2")
        .bind(atq_platform::business_time::local_date(now).to_string())
        .bind(order.customer_id)
        .execute(&mut **tx)
        .await?;
    outbox(tx, "s", ("order", &order.id.to_string()), "atq.sales.v1.OrderConfirmed", ORDER_CONFIRMED_EVENT).await?;
    reservation_feed(tx, worker, order).await?;
    analytics_feed(tx, worker, order, now).await?;
    Ok(())
}

/// Request the dispatch order.
async fn request_dispatch(tx: &mut Tx, order: &mut Order) -> anyhow::Result<()> {
    let (year, n) = (order.year, order.n);
    let dispatch_number = format!("LX-{year}-{:04}", next_number(tx, "s", &format!("dispatch-{year}")).await?);
    let now = now_micros();
    let dispatch_id: i64 = sqlx::query_scalar(
        "INSERT INTO s_dispatch_orders (number, order_id, office, warehouse, status, requested_by, decided_by, decision_note, \
         goods_issue_number, cost_amount, version, created_at, updated_at, shipped_at, delivered_at) \
         VALUES ($1, $2, 'HN', 'HN', 'requested', 'sales.hn', '', '', '', 0, 1, $3, $3, 0, 0) RETURNING id",
    )
    .bind(&dispatch_number)
    .bind(order.id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    for (line_no, line) in order.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO s_dispatch_lines (dispatch_id, line_no, product_id, model_code, quantity, serials) \
             VALUES ($1, $2, $3, $4, $5, '[]')",
        )
        .bind(dispatch_id)
        .bind(line_no as i64 + 1)
        .bind(line.product_id)
        .bind(format!("ATQ-B{}", line.product_id))
        .bind(line.quantity)
        .execute(&mut **tx)
        .await?;
    }
    remember(tx, "s", "sales.RequestDispatch:sales.hn", &format!("raw-{n}-dispatch"), DISPATCH_BODY).await?;
    order.dispatch_id = dispatch_id;
    order.dispatch_number = dispatch_number;
    Ok(())
}

/// A director approves.
async fn approve(tx: &mut Tx, order: &Order) -> anyhow::Result<()> {
    let dispatch_id = order.dispatch_id;
    sqlx::query(
        "UPDATE s_dispatch_orders SET status = 'approved', version = version + 1, updated_at = $1, decided_by = 'director', \
         decision_note = '' WHERE id = $2 AND status = 'requested'",
    )
    .bind(now_micros())
    .bind(dispatch_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Ship, first transaction (sales): the dispatch order is marked shipping.
async fn ship_mark(tx: &mut Tx, order: &Order) -> anyhow::Result<()> {
    let dispatch_id = order.dispatch_id;
    let now = now_micros();
    sqlx::query("UPDATE s_dispatch_orders SET status = 'shipping', version = version + 1, updated_at = $1 WHERE id = $2 AND status = 'approved'")
        .bind(now)
        .bind(dispatch_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Ship, second transaction (warehouse): the goods issue, out of the reservation and stock, at
/// cost, with its journal entry.
async fn issue(tx: &mut Tx, order: &mut Order) -> anyhow::Result<()> {
    let (year, n) = (order.year, order.n);
    let dispatch_number = order.dispatch_number.clone();
    let dispatch_number = &dispatch_number;
    let now = now_micros();
    let issue_number = format!("PX-{year}-{:04}", next_number(tx, "w", &format!("PX-{year}")).await?);
    let mut total_cost = 0;
    for (line_no, line) in in_product_order(order) {
        let consumed = sqlx::query(
            "UPDATE w_reservation_lines SET reserved = reserved - $1, issued = issued + $1 \
             WHERE order_ref = $2 AND line_no = $3 AND reserved >= $1 \
             AND order_ref IN (SELECT order_ref FROM w_reservations WHERE status = 'active')",
        )
        .bind(line.quantity)
        .bind(&order.number)
        .bind(line_no as i64 + 1)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        anyhow::ensure!(consumed == 1, "order {} line {} holds too little", order.number, line_no + 1);
        sqlx::query(
            "UPDATE w_stock_levels SET on_hand = on_hand - $1, reserved = reserved - $1 \
             WHERE product_id = $2 AND warehouse = 'HN' AND condition = 'good' AND reserved >= $1 AND on_hand >= $1",
        )
        .bind(line.quantity)
        .bind(line.product_id)
        .execute(&mut **tx)
        .await?;
        let cost = line.quantity * line.unit_price * 7 / 10;
        total_cost += cost;
        sqlx::query(
            "UPDATE w_product_costs SET quantity = quantity - $1, total_value = total_value - $2 WHERE product_id = $3",
        )
        .bind(line.quantity)
        .bind(cost)
        .bind(line.product_id)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO w_stock_moves (document_type, document_number, product_id, warehouse, condition, quantity, \
             unit_cost, reason, created_by, created_at) VALUES ('issue', $1, $2, 'HN', 'good', $3, $4, $5, 'warehouse', $6)",
        )
        .bind(&issue_number)
        .bind(line.product_id)
        .bind(-line.quantity)
        .bind(cost / line.quantity)
        .bind(dispatch_number)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    let memo = format!("{} {dispatch_number}", order.number);
    journal(tx, ("issue", &issue_number), &memo, "warehouse", &[("632", total_cost, 0, 0), ("156", 0, total_cost, 0)])
        .await?;
    sqlx::query(
        "INSERT INTO w_goods_issues (dispatch_ref, number, order_ref, warehouse, body, created_by, created_at) \
         VALUES ($1, $2, $3, 'HN', $4, 'warehouse', $5)",
    )
    .bind(dispatch_number)
    .bind(&issue_number)
    .bind(&order.number)
    .bind(blob(GOODS_ISSUE_BODY, n))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO w_stock_documents (number, document_type, warehouse, body, created_by, created_at) \
         VALUES ($1, 'issue', 'HN', $2, 'warehouse', $3)",
    )
    .bind(&issue_number)
    .bind(blob(GOODS_ISSUE_BODY, n))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    outbox(tx, "w", ("stock", &issue_number), "atq.accountingwarehouse.v1.StockMoved", STOCK_MOVED_EVENT).await?;
    outbox(tx, "w", ("reservation", &order.number), "atq.accountingwarehouse.v1.ReservationChanged", RESERVATION_EVENT)
        .await?;
    outbox(tx, "w", ("goods_issue", &issue_number), "atq.accountingwarehouse.v1.GoodsIssued", GOODS_ISSUE_BODY).await?;
    order.issue_number = issue_number;
    order.total_cost = total_cost;
    Ok(())
}

/// Ship, last transaction (sales): the dispatch order and the order lines take the goods issue;
/// with it the reservation feed's writes that follow.
async fn ship_finish(tx: &mut Tx, order: &Order) -> anyhow::Result<()> {
    let worker = order.worker;
    let (dispatch_id, issue_number, total_cost) = (order.dispatch_id, &order.issue_number, order.total_cost);
    for line_no in 1..=order.lines.len() as i64 {
        sqlx::query("UPDATE s_dispatch_lines SET serials = '[]' WHERE dispatch_id = $1 AND line_no = $2")
            .bind(dispatch_id)
            .bind(line_no)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(
        "UPDATE s_dispatch_orders SET status = 'shipped', version = version + 1, updated_at = $1, goods_issue_number = $2, \
         cost_amount = $3, shipped_at = $1 WHERE id = $4 AND status = 'shipping'",
    )
    .bind(now_micros())
    .bind(issue_number)
    .bind(total_cost)
    .bind(dispatch_id)
    .execute(&mut **tx)
    .await?;
    for (line_no, line) in order.lines.iter().enumerate() {
        sqlx::query("UPDATE s_order_lines SET shipped = shipped + $1 WHERE order_id = $2 AND line_no = $3")
            .bind(line.quantity)
            .bind(order.id)
            .bind(line_no as i64 + 1)
            .execute(&mut **tx)
            .await?;
    }
    outbox(
        tx,
        "s",
        ("dispatch_order", &dispatch_id.to_string()),
        "atq.sales.v1.DispatchShipped",
        DISPATCH_SHIPPED_EVENT,
    )
    .await?;
    reservation_feed(tx, worker, order).await?;
    Ok(())
}

/// The invoice, from the shipment on the sales feed.
async fn invoice(tx: &mut Tx, order: &mut Order) -> anyhow::Result<()> {
    let (year, n, worker) = (order.year, order.n, order.worker);
    let dispatch_number = order.dispatch_number.clone();
    let issued_on = atq_platform::business_time::local_date(now_micros());
    let series = format!("C{:02}TAQ", year % 100);
    let sequence = next_number(tx, "w", &format!("invoice-{series}")).await?;
    let invoice_number = format!("{series}-{sequence:07}");
    let (net, vat) = (order.net(), order.vat());
    let invoice_id: i64 = sqlx::query_scalar(
        "INSERT INTO w_invoices (number, series, sequence, customer_id, customer_name, order_number, dispatch_number, \
         issue_date, due_date, total_net, total_vat, paid, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13) RETURNING id",
    )
    .bind(&invoice_number)
    .bind(&series)
    .bind(sequence)
    .bind(order.customer_id)
    .bind(format!("Khách hàng {}", order.customer_id - 1))
    .bind(&order.number)
    .bind(&dispatch_number)
    .bind(issued_on.to_string())
    .bind((issued_on + chrono::Days::new(30)).to_string())
    .bind(net)
    .bind(vat)
    .bind(blob(INVOICE_BODY, n))
    .bind(now_micros())
    .fetch_one(&mut **tx)
    .await?;
    journal(
        tx,
        ("invoice", &invoice_number),
        &order.number,
        "accounting",
        &[("131", net + vat, 0, order.customer_id), ("511", 0, net, 0), ("3331", 0, vat, 0)],
    )
    .await?;
    outbox(tx, "w", ("invoice", &invoice_id.to_string()), "atq.accountingwarehouse.v1.InvoiceIssued", INVOICE_EVENT)
        .await?;
    cursor(tx, "w", worker).await?;
    order.invoice_id = invoice_id;
    order.invoice_number = invoice_number;
    Ok(())
}

/// The accountant records the payment.
async fn pay(tx: &mut Tx, order: &Order) -> anyhow::Result<()> {
    let (year, n) = (order.year, order.n);
    let dispatch_number = &order.dispatch_number;
    let (invoice_id, invoice_number) = (order.invoice_id, &order.invoice_number);
    let (net, vat) = (order.net(), order.vat());
    let issued_on = atq_platform::business_time::local_date(now_micros());
    let amount = net + vat;
    let payment_number = format!("PT-{year}-{:04}", next_number(tx, "w", &format!("payment-{year}")).await?);
    let payment_id: i64 = sqlx::query_scalar(
        "INSERT INTO w_payments (number, customer_id, amount, received_on, reference, method, unallocated, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'bank', 0, 'accountant', $6) RETURNING id",
    )
    .bind(&payment_number)
    .bind(order.customer_id)
    .bind(amount)
    .bind(issued_on.to_string())
    .bind(format!("UNC {dispatch_number}"))
    .bind(now_micros())
    .fetch_one(&mut **tx)
    .await?;
    let paid =
        sqlx::query("UPDATE w_invoices SET paid = paid + $1 WHERE id = $2 AND paid + $1 <= total_net + total_vat")
            .bind(amount)
            .bind(invoice_id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    anyhow::ensure!(paid == 1, "invoice {invoice_number} could not take the payment");
    sqlx::query("INSERT INTO w_payment_allocations (payment_id, invoice_id, amount) VALUES ($1, $2, $3)")
        .bind(payment_id)
        .bind(invoice_id)
        .bind(amount)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE w_payments SET unallocated = 0 WHERE id = $1").bind(payment_id).execute(&mut **tx).await?;
    journal(
        tx,
        ("payment", &payment_number),
        &format!("UNC {dispatch_number}"),
        "accountant",
        &[("112", amount, 0, 0), ("131", 0, amount, order.customer_id)],
    )
    .await?;
    outbox(tx, "w", ("payment", &payment_id.to_string()), "atq.accountingwarehouse.v1.PaymentRecorded", PAYMENT_BODY)
        .await?;
    remember(tx, "w", "accounting.RecordPayment:accountant", &format!("raw-{n}-pay"), PAYMENT_BODY).await?;
    Ok(())
}
