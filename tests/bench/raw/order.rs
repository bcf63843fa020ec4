//! One order of the raw run: its lines, its steps as the services' transactions, and the
//! retries of a deadlock or a busy database.

use std::time::{Duration, Instant};

use atq_platform::Db;
use atq_platform::business_time::now_micros;

use super::feeds::analytics_feed;
use super::sales::{approve, confirm_finish, confirm_mark, create, request_dispatch, ship_finish, ship_mark};
use super::warehouse::{invoice, issue, pay, reserve};
use super::{Databases, Shared};
use crate::plan::{self, Latencies};

pub struct OrderLine {
    pub product_id: i64,
    pub quantity: i64,
    pub unit_price: i64,
    pub vat_bp: i64,
    pub net: i64,
    pub vat: i64,
}

/// The order's lines with their index, by product: the raw run takes the stock rows' locks in one
/// order, so two orders of the same two products never deadlock. (The services take them in line
/// order; on PostgreSQL such pairs deadlock, and each deadlock costs `deadlock_timeout`, 1 s by
/// default, to the transactions waiting on those rows. The ceiling measured here is without it.)
pub fn in_product_order(order: &Order) -> Vec<(usize, &OrderLine)> {
    let mut lines: Vec<(usize, &OrderLine)> = order.lines.iter().enumerate().collect();
    lines.sort_by_key(|(_, line)| line.product_id);
    lines
}

/// One order of the raw run, and what its steps hand on to the next.
pub struct Order {
    pub n: usize,
    pub worker: usize,
    pub year: i32,
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub lines: Vec<OrderLine>,
    pub dispatch_id: i64,
    pub dispatch_number: String,
    pub issue_number: String,
    pub total_cost: i64,
    pub invoice_id: i64,
    pub invoice_number: String,
    /// When sales confirmed it, as analytics records it.
    pub confirmed_at: i64,
}

impl Order {
    pub fn net(&self) -> i64 {
        self.lines.iter().map(|l| l.net).sum()
    }
    pub fn vat(&self) -> i64 {
        self.lines.iter().map(|l| l.vat).sum()
    }
}

/// Order `n` of the run, with its lines priced as the system prices them.
fn new_order(shared: &Shared, worker: usize, n: usize) -> Order {
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
    Order {
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
        confirmed_at: 0,
    }
}

/// One order through its steps, each timed.
pub async fn one_order(
    shared: &Shared,
    (worker, n): (usize, usize),
    latencies: &mut Latencies,
    retries: &mut usize,
) -> anyhow::Result<()> {
    let order_started = Instant::now();
    let mut order = new_order(shared, worker, n);
    for (step, phases) in PHASES.iter().enumerate() {
        let started = Instant::now();
        for &phase in *phases {
            // As the services do: a deadlock or a busy database is retried, 3 attempts in all.
            let mut pause = Duration::from_millis(50);
            for attempt in 1.. {
                match run_phase(&shared.databases, phase, &mut order).await {
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
/// in three (the order or dispatch order marked, the warehouse's document, the result recorded);
/// analytics records the confirmed order in a fourth, in its own database.
#[derive(Clone, Copy)]
enum Phase {
    Create,
    ConfirmMark,
    Reserve,
    ConfirmFinish,
    SalesFacts,
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
    &[Phase::ConfirmMark, Phase::Reserve, Phase::ConfirmFinish, Phase::SalesFacts],
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

impl Phase {
    /// The database of the service that commits it.
    fn database(self, databases: &Databases) -> &Db {
        match self {
            Phase::Reserve | Phase::Issue | Phase::Invoice | Phase::Pay => &databases.warehouse,
            Phase::SalesFacts => &databases.analytics,
            _ => &databases.sales,
        }
    }
}

/// One transaction.
async fn run_phase(databases: &Databases, phase: Phase, order: &mut Order) -> anyhow::Result<()> {
    let mut tx = phase.database(databases).begin().await?;
    match phase {
        Phase::Create => create(&mut tx, order).await?,
        Phase::ConfirmMark => confirm_mark(&mut tx, order).await?,
        Phase::Reserve => reserve(&mut tx, order).await?,
        Phase::ConfirmFinish => confirm_finish(&mut tx, order).await?,
        Phase::SalesFacts => analytics_feed(&mut tx, order.worker, order, order.confirmed_at).await?,
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
