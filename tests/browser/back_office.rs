//! The director approves the dispatch, the warehouse ships it by serial number, and the accountant
//! prints the invoice that the shipment made.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;

use crate::browser::Browser;
use crate::front_office::act;

/// Opens a dispatch order from the list, as a person would find it.
async fn open_dispatch(browser: &mut Browser, dispatch_id: i64, step: &str) -> anyhow::Result<()> {
    browser.open("/dispatch-orders").await?;
    browser.click_to_load(&format!("a[href='/dispatch-orders/{dispatch_id}']")).await?;
    browser.wait_for_path(&format!("/dispatch-orders/{dispatch_id}")).await?;
    browser.step(step).await
}

pub async fn approve(browser: &mut Browser, dispatch_id: i64) -> anyhow::Result<()> {
    open_dispatch(browser, dispatch_id, "dispatch-to-approve").await?;
    act(browser, "#approve-dispatch", "Đã duyệt", "dispatch-approved").await
}

/// Ticks the first serial offered for each line, then ships.
pub async fn ship(browser: &mut Browser, dispatch_id: i64) -> anyhow::Result<()> {
    open_dispatch(browser, dispatch_id, "dispatch-to-ship").await?;
    browser.find("#ship-form").await?;
    let mut lines = BTreeSet::new();
    for checkbox in browser.find_all("#ship-form input[type=checkbox][name^='serial_']").await? {
        let name = checkbox.attr("name").await?.unwrap_or_default();
        if lines.insert(name) {
            checkbox.click().await.context("ticking a serial")?;
        }
    }
    anyhow::ensure!(!lines.is_empty(), "#ship-form offers no serial checkbox (input[type=checkbox][name=serial_N])");
    browser.step("dispatch-serials-ticked").await?;
    act(browser, "#ship-dispatch", "Đã xuất kho", "dispatch-shipped").await
}

/// Finds the order's invoice in the list (it is made from the shipment through an event feed,
/// so the list is reloaded until it shows), opens it and checks its PDF.
pub async fn print_invoice(browser: &mut Browser, order_number: &str, customer: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let href = loop {
        browser.open("/invoices").await?;
        let script = r#"
            const wanted = [arguments[0], arguments[1]];
            const rows = [...document.querySelectorAll('main tr')];
            const row = rows.find(r => wanted.some(w => r.textContent.includes(w)) && r.querySelector('a[href^="/invoices/"]'));
            return row ? row.querySelector('a[href^="/invoices/"]').getAttribute('href') : null;
        "#;
        let found = browser.run(script, vec![json!(order_number), json!(customer)]).await?;
        if let Some(href) = found.as_str() {
            break href.to_owned();
        }
        anyhow::ensure!(Instant::now() < deadline, "/invoices lists no invoice of {order_number} ({customer})");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    browser.step("invoices").await?;
    browser.click_to_load(&format!("main a[href='{href}']")).await?;
    browser.wait_for_record("/invoices/").await?;
    browser.wait_for_text("main", customer).await?;
    browser.step("invoice").await?;
    let pdf_href = browser.find("#print").await?.attr("href").await?.context("#print has no href")?;
    let (content_type, pdf) = browser.download(&pdf_href).await?;
    anyhow::ensure!(content_type.starts_with("application/pdf"), "{pdf_href} answered {content_type}");
    anyhow::ensure!(
        pdf.starts_with(b"%PDF"),
        "{pdf_href} is not a PDF: {:?}",
        String::from_utf8_lossy(&pdf[..pdf.len().min(64)])
    );
    let file = browser.output_folder().join("invoice.pdf");
    std::fs::write(&file, &pdf).with_context(|| format!("writing {}", file.display()))?;
    let text = pdf_text(&file)?;
    for needle in ["HÓA ĐƠN", "Bằng chữ"] {
        anyhow::ensure!(
            text.contains(needle),
            "the invoice PDF ({}) does not read {needle:?}:\n{text}",
            file.display()
        );
    }
    println!("invoice PDF: {} ({} bytes)", file.display(), pdf.len());
    browser.step("invoice-printed").await
}

fn pdf_text(file: &Path) -> anyhow::Result<String> {
    let output = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(file)
        .arg("-")
        .output()
        .context("running pdftotext (Debian package poppler-utils)")?;
    anyhow::ensure!(output.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&output.stderr));
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
