//! The import planner benchmark: a synthetic importer with a fixed seed (10,000 products over 200
//! suppliers, about 30,000 import plans with 100,000 delivery milestones over the next 18 months,
//! free stock for most products and 5,000 open supplier order lines) planned in full, then
//! re-planned for one plan's products after a schedule change, as the service does.
//!
//! It prints the workload; a baseline measured in the same run, sorting and grouping the
//! milestones by product and date (the floor of any planner); the full plan's time against it,
//! lines per second, late milestones and proposals; the incremental re-plan's time against the
//! full plan, and whether it agrees with a full re-plan; and peak memory.
//!
//! `cargo run --release -p atq-tests --bin bench-planner [-- --products N --demands M --database sqlite|URL|none]`

mod planner_db;

use std::collections::{BTreeSet, HashMap};
use std::hint::black_box;
use std::time::{Duration, Instant};

use atq_import_planning::planner::{self, Demand, Input, Outcome, Source, Supply, Terms, Why};
use atq_tests::peak_memory_kib;
use chrono::{Days, NaiveDate};
use clap::Parser;

const SUPPLIERS: i64 = 200;
const SEED: u64 = 0x2026_1102_a7a7_0001;
const FULL_RUNS: usize = 5;
const REPLAN_RUNS: usize = 101;
/// The schedule change: one plan's milestones move this much later.
const SHIFT_DAYS: u64 = 30;
/// 18 months.
const HORIZON_DAYS: u64 = 548;

#[derive(Parser, Debug)]
#[command(name = "bench-planner", about = "Import planner: full plan and incremental re-plan times")]
struct Args {
    /// Products in the catalog, spread over 200 suppliers.
    #[arg(long, default_value_t = 10_000)]
    products: usize,
    /// Delivery milestones over all import plans.
    #[arg(long, default_value_t = 100_000)]
    demands: usize,
    /// Where the database phase runs: `sqlite`, a PostgreSQL server URL, or `none`.
    #[arg(long, default_value = "sqlite")]
    database: String,
}

/// xorshift64*: reproducible and good enough to spread a workload.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// In `low..=high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// A product id in 1..=products, the low ids about twice as often as the average: some
    /// instruments are in most projects.
    fn product(&mut self, products: u64) -> i64 {
        let a = self.next() % products;
        let b = self.next() % products;
        as_i64(1 + a.min(b))
    }
}

fn as_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn after(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).unwrap_or(NaiveDate::MAX)
}

struct Workload {
    today: NaiveDate,
    terms: HashMap<i64, Terms>,
    demands: Vec<Demand>,
    supplies: Vec<Supply>,
    plans: usize,
    supplier_orders: usize,
}

fn workload(args: &Args) -> Workload {
    let mut rng = Rng(SEED);
    let today = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default();
    let products = args.products as u64;
    let terms = catalog(&mut rng, products);
    let (demands, plans) = milestones(&mut rng, products, args.demands, today);
    let mut supplies = free_stock(&mut rng, products, today);
    let supplier_orders = open_orders(&mut rng, &terms, today, args.products / 2, &mut supplies);
    Workload { today, terms, demands, supplies, plans, supplier_orders }
}

/// Terms per product: a supplier, its lead time and packing; a fifth are stocked to a reorder point.
fn catalog(rng: &mut Rng, products: u64) -> HashMap<i64, Terms> {
    (1..=as_i64(products))
        .map(|product_id| {
            let stocked = rng.chance(20);
            let terms = Terms {
                supplier_id: as_i64(rng.between(1, SUPPLIERS as u64)),
                lead_time_days: as_i64(rng.between(20, 120)),
                buffer_days: as_i64(rng.between(7, 21)),
                min_order_quantity: as_i64(rng.between(1, 10)),
                pack_size: [1, 5, 10, 20][rng.between(0, 3) as usize],
                reorder_point: if stocked { as_i64(rng.between(2, 20)) } else { 0 },
                reorder_quantity: if stocked && rng.chance(50) { as_i64(rng.between(10, 60)) } else { 0 },
            };
            (product_id, terms)
        })
        .collect()
}

/// Plans of 1–4 lines, each delivered in 1–2 milestones 1–3 months apart, until `count` milestones.
fn milestones(rng: &mut Rng, products: u64, count: usize, today: NaiveDate) -> (Vec<Demand>, usize) {
    let mut demands = Vec::with_capacity(count);
    let mut plans = 0;
    while demands.len() < count {
        plans += 1;
        for line_no in 1..=rng.between(1, 4) as i32 {
            let product_id = rng.product(products);
            let mut needed_by = after(today, rng.between(14, HORIZON_DAYS - 90));
            let deliveries = if rng.chance(33) { 2 } else { 1 };
            for milestone_no in 1..=deliveries {
                if demands.len() == count {
                    break;
                }
                let quantity = as_i64(rng.between(1, 50));
                let reserved = if rng.chance(10) { as_i64(rng.between(1, quantity as u64)) } else { 0 };
                demands.push(Demand {
                    plan_id: plans,
                    line_no,
                    milestone_no,
                    product_id,
                    needed_by,
                    quantity,
                    reserved,
                });
                needed_by = after(needed_by, rng.between(30, 90));
            }
        }
    }
    (demands, plans as usize)
}

/// Units on hand today for about 60% of the products.
fn free_stock(rng: &mut Rng, products: u64, today: NaiveDate) -> Vec<Supply> {
    let mut stock = Vec::new();
    for product_id in 1..=as_i64(products) {
        if rng.chance(60) {
            let quantity = as_i64(rng.between(1, 100));
            stock.push(Supply { product_id, available_on: today, quantity, source: Source::Stock });
        }
    }
    stock
}

/// Open supplier orders of 1–4 lines of one supplier's products, until `lines` lines; returns
/// how many orders.
fn open_orders(
    rng: &mut Rng,
    terms: &HashMap<i64, Terms>,
    today: NaiveDate,
    lines: usize,
    supplies: &mut Vec<Supply>,
) -> usize {
    let mut by_supplier: Vec<Vec<i64>> = vec![Vec::new(); SUPPLIERS as usize + 1];
    let mut ids: Vec<_> = terms.iter().map(|(&product_id, t)| (product_id, t.supplier_id)).collect();
    ids.sort_unstable();
    for (product_id, supplier_id) in ids {
        by_supplier[supplier_id as usize].push(product_id);
    }
    let (mut orders, mut added) = (0, 0);
    while added < lines {
        let offered = &by_supplier[rng.between(1, SUPPLIERS as u64) as usize];
        if offered.is_empty() {
            continue;
        }
        orders += 1;
        let number = format!("DMH-2026-{orders:04}");
        let available_on = after(today, rng.between(10, 240));
        for _ in 0..rng.between(1, 4).min((lines - added) as u64) {
            let product_id = offered[rng.between(0, offered.len() as u64 - 1) as usize];
            let quantity = as_i64(rng.between(5, 200));
            supplies.push(Supply { product_id, available_on, quantity, source: Source::PurchaseOrder(number.clone()) });
            added += 1;
        }
    }
    orders
}

/// The floor of any planner: the milestones sorted by product and date, grouped by product.
fn sort_and_group(demands: &[Demand]) -> usize {
    let mut keyed: Vec<(i64, NaiveDate, usize)> =
        demands.iter().enumerate().map(|(i, d)| (d.product_id, d.needed_by, i)).collect();
    keyed.sort_unstable();
    keyed.chunk_by(|a, b| a.0 == b.0).count()
}

fn plan_all(work: &Workload) -> Outcome {
    planner::plan(&Input { today: work.today, terms: &work.terms, demands: &work.demands, supplies: &work.supplies })
}

/// Milestones and supplies by product, built once: what `WHERE product_id IN (...)` finds.
#[derive(Default)]
struct ProductIndex {
    demands: HashMap<i64, Vec<usize>>,
    supplies: HashMap<i64, Vec<usize>>,
}

impl ProductIndex {
    fn new(work: &Workload) -> Self {
        let mut index = ProductIndex::default();
        for (i, demand) in work.demands.iter().enumerate() {
            index.demands.entry(demand.product_id).or_default().push(i);
        }
        for (i, supply) in work.supplies.iter().enumerate() {
            index.supplies.entry(supply.product_id).or_default().push(i);
        }
        index
    }
}

/// Loads these products' terms, milestones and supplies, and plans them.
fn replan(work: &Workload, index: &ProductIndex, products: &[i64]) -> Outcome {
    let rows = |by: &HashMap<i64, Vec<usize>>| -> Vec<usize> {
        products.iter().filter_map(|p| by.get(p)).flatten().copied().collect()
    };
    let demands: Vec<Demand> = rows(&index.demands).into_iter().map(|i| work.demands[i].clone()).collect();
    let supplies: Vec<Supply> = rows(&index.supplies).into_iter().map(|i| work.supplies[i].clone()).collect();
    let terms: HashMap<i64, Terms> =
        products.iter().filter_map(|p| work.terms.get(p).map(|t| (*p, t.clone()))).collect();
    planner::plan(&Input { today: work.today, terms: &terms, demands: &demands, supplies: &supplies })
}

/// Runs `work` `runs` times (at least once); the durations sorted, and the last result.
fn timed<T>(runs: usize, mut work: impl FnMut() -> T) -> (Vec<Duration>, T) {
    let mut durations = Vec::with_capacity(runs);
    loop {
        let started = Instant::now();
        let result = black_box(work());
        durations.push(started.elapsed());
        if durations.len() >= runs {
            durations.sort_unstable();
            return (durations, result);
        }
    }
}

fn median(sorted: &[Duration]) -> Duration {
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(args.products >= 1, "--products must be at least 1");
    anyhow::ensure!(args.demands >= 1, "--demands must be at least 1");
    let started = Instant::now();
    let mut work = workload(&args);
    print_workload(&work, started.elapsed());

    let (baseline, groups) = timed(FULL_RUNS, || sort_and_group(&work.demands));
    let (full, outcome) = timed(FULL_RUNS, || plan_all(&work));
    let peak = peak_memory_kib();
    print_full(&work, &baseline, groups, &full, &outcome, peak);

    let (plan_id, products) = move_one_plan(&mut work);
    let index = ProductIndex::new(&work);
    let (incremental, replanned) = timed(REPLAN_RUNS, || replan(&work, &index, &products));
    let agrees = agrees_with_full_plan(&work, &products, &replanned);
    print_incremental(plan_id, &products, &incremental, &full, &replanned, agrees);
    anyhow::ensure!(agrees, "the incremental re-plan disagrees with a full re-plan");

    let postgres = match args.database.as_str() {
        "none" => return Ok(()),
        "sqlite" => None,
        url => Some(url),
    };
    let stock: Vec<(i64, i64, &Source)> = work.supplies.iter().map(|s| (s.product_id, s.quantity, &s.source)).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(planner_db::run(postgres, &work.terms, &work.demands, &stock, median(&full)))
}

/// The schedule change: the plan in the middle of the list slips a month. Returns it and its products.
fn move_one_plan(work: &mut Workload) -> (i64, Vec<i64>) {
    let plan_id = work.demands[work.demands.len() / 2].plan_id;
    let mut products = BTreeSet::new();
    for demand in work.demands.iter_mut().filter(|d| d.plan_id == plan_id) {
        demand.needed_by = after(demand.needed_by, SHIFT_DAYS);
        products.insert(demand.product_id);
    }
    (plan_id, products.into_iter().collect())
}

/// Whether re-planning these products alone gives what a full re-plan gives them.
fn agrees_with_full_plan(work: &Workload, products: &[i64], replanned: &Outcome) -> bool {
    let full = plan_all(work);
    let planned: Vec<_> = full.planned.into_iter().filter(|p| products.contains(&p.product_id)).collect();
    let proposals: Vec<_> = full.proposals.into_iter().filter(|p| products.contains(&p.product_id)).collect();
    planned == replanned.planned && proposals == replanned.proposals
}

fn print_workload(work: &Workload, took: Duration) {
    let reorder = work.terms.values().filter(|t| t.reorder_point > 0).count();
    let stock: Vec<_> = work.supplies.iter().filter(|s| s.source == Source::Stock).collect();
    let reserved = work.demands.iter().filter(|d| d.reserved > 0).count();
    println!(
        "import planner benchmark: {} products over {SUPPLIERS} suppliers, {} plans, {} milestones (built in {:.0} ms)",
        work.terms.len(),
        work.plans,
        work.demands.len(),
        ms(took)
    );
    println!("  with a reorder point   {reorder} products");
    println!("  partly reserved        {reserved} milestones");
    println!(
        "  free stock             {} products, {} units",
        stock.len(),
        stock.iter().map(|s| s.quantity).sum::<i64>()
    );
    println!("  open supplier orders   {} orders, {} lines", work.supplier_orders, work.supplies.len() - stock.len());
}

fn print_full(
    work: &Workload,
    baseline: &[Duration],
    groups: usize,
    full: &[Duration],
    outcome: &Outcome,
    peak: Option<u64>,
) {
    let (base_best, base_median) = (baseline[0], median(baseline));
    println!();
    println!("baseline: the milestones sorted by product and date and grouped ({groups} products), {FULL_RUNS} runs");
    println!("  best / median          {:.2} / {:.2} ms", ms(base_best), ms(base_median));
    println!();
    println!("full plan, {FULL_RUNS} runs");
    let ratio = |ours: Duration, base: Duration| ours.as_secs_f64() / base.as_secs_f64();
    println!("  best                   {:.2} ms ({:.1}x baseline)", ms(full[0]), ratio(full[0], base_best));
    println!("  median                 {:.2} ms ({:.1}x baseline)", ms(median(full)), ratio(median(full), base_median));
    println!("  milestones per second  {:.0}", work.demands.len() as f64 / median(full).as_secs_f64());
    let late = outcome.planned.iter().filter(|p| p.late).count();
    let reorders = outcome.proposals.iter().filter(|p| p.why == Why::Reorder).count();
    println!("  late milestones        {late} of {}", outcome.planned.len());
    println!(
        "  proposals              {} ({} for projects, {reorders} reorders)",
        outcome.proposals.len(),
        outcome.proposals.len() - reorders
    );
    match peak {
        Some(kib) => println!("  peak memory            {:.1} MiB (VmHWM, the whole process)", kib as f64 / 1024.0),
        None => println!("  peak memory            unknown (no /proc/self/status)"),
    }
}

fn print_incremental(
    plan_id: i64,
    products: &[i64],
    incremental: &[Duration],
    full: &[Duration],
    replanned: &Outcome,
    agrees: bool,
) {
    let (ours, whole) = (median(incremental), median(full));
    println!();
    println!(
        "incremental re-plan: plan {plan_id} moved {SHIFT_DAYS} days later, its {} products re-planned",
        products.len()
    );
    println!(
        "  planned                {} milestones, {} proposals",
        replanned.planned.len(),
        replanned.proposals.len()
    );
    println!(
        "  median of {REPLAN_RUNS}          {:.1} µs ({:.5}x the full plan, {:.0} times faster)",
        ours.as_secs_f64() * 1e6,
        ours.as_secs_f64() / whole.as_secs_f64(),
        whole.as_secs_f64() / ours.as_secs_f64()
    );
    println!("  agrees with full plan  {}", if agrees { "yes" } else { "NO" });
}
