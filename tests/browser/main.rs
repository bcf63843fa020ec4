//! The web UI end to end in a real headless Chromium, driven through chromedriver, against the
//! whole system started in this process (SQLite, or PostgreSQL when `ATQ_TEST_POSTGRES_URL` is
//! set). One sale, in Vietnamese, from the customer search to the printed invoice, by the four
//! people who take part in it. Every step leaves a screenshot in `target/browser-screenshots/`
//! and fails on any error in the browser console.
//!
//! Needs the Debian packages chromium and chromium-driver (CI installs them); without them the
//! test fails rather than skips.

mod back_office;
mod browser;
mod chrome;
mod front_office;
mod setup;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use atq_tests::TestSystem;

use browser::Browser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_goes_from_the_customer_search_to_a_printed_invoice() -> anyhow::Result<()> {
    chrome::require_installed()?;
    let started = Instant::now();
    let shots = output_folder()?;
    println!("screenshots: {}", shots.display());
    let mut system = TestSystem::start().await;
    let outcome = run(&mut system, &shots).await;
    let stopped = system.try_stop().await;
    println!("the browser scenario took {:.1} s; screenshots in {}", started.elapsed().as_secs_f64(), shots.display());
    outcome?;
    stopped
}

async fn run(system: &mut TestSystem, shots: &Path) -> anyhow::Result<()> {
    let facts = setup::prepare(system).await?;
    let mut browser = Browser::start(&system.base, shots).await?;
    let outcome = scenario(&mut browser, system, &facts).await;
    if outcome.is_err() {
        match browser.screenshot("failure").await {
            Ok(file) => println!("the page at the failure: {}", file.display()),
            Err(error) => println!("no screenshot of the failure: {error:#}"),
        }
    }
    let closed = browser.close().await;
    outcome?;
    closed
}

async fn scenario(browser: &mut Browser, system: &TestSystem, facts: &setup::Facts) -> anyhow::Result<()> {
    front_office::sign_in(browser, "sales.hn").await?;
    front_office::search_customers(browser).await?;
    let customer_id = front_office::add_customer(browser).await?;
    front_office::on_a_phone(browser, customer_id).await?;
    let sale = front_office::sell(browser, customer_id, facts).await?;
    front_office::sign_out(browser, "sales.hn").await?;

    front_office::sign_in(browser, "director").await?;
    back_office::approve(browser, sale.dispatch_id).await?;
    front_office::sign_out(browser, "director").await?;

    front_office::sign_in(browser, "warehouse").await?;
    back_office::ship(browser, sale.dispatch_id).await?;
    front_office::sign_out(browser, "warehouse").await?;

    front_office::sign_in(browser, "accountant").await?;
    let order_number = setup::order_number(system, sale.order_id).await?;
    back_office::print_invoice(browser, &order_number, front_office::NEW_CUSTOMER).await
}

/// `<target>/browser-screenshots`, emptied of an earlier run's files.
fn output_folder() -> anyhow::Result<PathBuf> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    };
    let folder = target.join("browser-screenshots");
    std::fs::create_dir_all(&folder).with_context(|| format!("creating {}", folder.display()))?;
    for entry in std::fs::read_dir(&folder)?.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "png" || ext == "pdf" || ext == "log") {
            std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    Ok(folder.canonicalize().unwrap_or(folder))
}
