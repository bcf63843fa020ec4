//! The customer import benchmark: a CSV of 10,000 customers (by default) over the three offices,
//! sent to `POST /api/v1/imports/customers` of the whole system started in this process, first as
//! a dry run (every row checked, nothing written), then for real (all rows in one transaction).
//!
//! Baseline, measured in the same run on the same bytes: reading the CSV alone with the `csv`
//! crate (what any import costs before a single rule is checked). Prints rows/s and ms of each
//! step and its ratio to the baseline.
//!
//! `cargo run --release -p atq-tests --bin bench-import [-- --customers 10000 --postgres URL --contacts]`

use std::time::Instant;

use anyhow::ensure;
use atq_tests::TestSystem;
use clap::Parser;
use reqwest::{Method, StatusCode};

#[derive(Parser, Clone, Debug)]
#[command(name = "bench-import", about = "Customer import from a CSV file: dry run and real run")]
struct Args {
    /// Customers in the file.
    #[arg(long, default_value_t = 10_000)]
    customers: usize,
    /// A PostgreSQL server to run on instead of SQLite.
    #[arg(long)]
    postgres: Option<String>,
    /// Give every customer a primary contact (four more columns, one more row written each).
    #[arg(long)]
    contacts: bool,
}

/// The file as a sales department would fill the template: Vietnamese headers and names.
fn customers_csv(count: usize, contacts: bool) -> String {
    let mut text = String::from("Tên khách hàng,Nhóm khách hàng,Điện thoại,Email,Địa chỉ,Văn phòng,Mã số thuế");
    text.push_str(if contacts {
        ",Người liên hệ,Chức vụ,Điện thoại người liên hệ,Email người liên hệ\r\n"
    } else {
        "\r\n"
    });
    let offices = ["HN", "HCM", "DL"];
    for n in 0..count {
        text.push_str(&format!(
            "Công ty TNHH Thiết bị Khoa học Số {n},Đại lý,09{n:08},lienhe{n}@example.vn,\"{n} Nguyễn Trãi, Thanh Xuân\",{},01{n:08}",
            offices[n % 3]
        ));
        if contacts {
            text.push_str(&format!(",Trần Thị Hoa {n},Kế toán trưởng,08{n:08},hoa{n}@example.vn"));
        }
        text.push_str("\r\n");
    }
    text
}

fn report(step: &str, rows: usize, millis: f64, baseline: f64) {
    let rate = rows as f64 / (millis / 1000.0).max(1e-9);
    println!("{step:<28} {millis:>10.1} ms {rate:>12.0} rows/s {:>8.1}× baseline", millis / baseline.max(1e-9));
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    ensure!((1..=20_000).contains(&args.customers), "customers must be 1 to 20000 (the import's bound)");
    let file = customers_csv(args.customers, args.contacts);
    let with = if args.contacts { " with a contact each" } else { "" };
    println!("customer import benchmark: {} rows{with}, {} bytes", args.customers, file.len());

    let started = Instant::now();
    let mut reader = csv::Reader::from_reader(file.as_bytes());
    let parsed = reader.records().filter_map(Result::ok).count();
    let baseline = started.elapsed().as_secs_f64() * 1000.0;
    ensure!(parsed == args.customers, "parsed {parsed} rows");

    let system = TestSystem::start_on(args.postgres.as_deref()).await?;
    let director = system.login("director").await;
    let mut timings = Vec::new();
    for dry_run in [true, false] {
        let path = format!("/api/v1/imports/customers?dry_run={dry_run}");
        let started = Instant::now();
        let reply = director.send_raw(Method::POST, &path, "text/csv", file.clone()).await;
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        ensure!(reply.status == StatusCode::OK, "{}: {}", reply.status, reply.body);
        ensure!(reply.body["rows_valid"].as_u64() == Some(args.customers as u64), "{}", reply.body["errors"]);
        let contacts = if dry_run || !args.contacts { 0 } else { args.customers as u64 };
        ensure!(reply.body["contacts_created"].as_u64() == Some(contacts), "{}", reply.body["contacts_created"]);
        timings.push((if dry_run { "dry run (check all rows)" } else { "real run (one transaction)" }, millis));
    }
    report("baseline: CSV parse alone", args.customers, baseline, baseline);
    for (step, millis) in timings {
        report(step, args.customers, millis, baseline);
    }
    system.try_stop().await?;
    Ok(())
}
