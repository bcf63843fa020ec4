//! The accountant's side: credit terms (short payment terms on a few customers, a tight limit on
//! one dealer), the invoices the shipments bring (waited for, as they come through the sales
//! feed), payments in full and in part, and one bank statement with a line that names an invoice
//! (paid by it) and one that names nothing (left for review).

use std::time::Duration;

use anyhow::Context;
use atq_platform::business_time::{local_date, now_micros};
use atq_proto::accountingwarehouse::v1::accounting_client::AccountingClient;
use atq_proto::accountingwarehouse::v1::{
    ImportBankStatementRequest, Invoice, ListBankLinesRequest, ListInvoicesRequest, RecordPaymentRequest,
    SetCreditTermsRequest,
};
use atq_proto::common::v1::PageRequest;
use tonic::transport::Channel;

use super::orders::{Pay, Shipment};
use super::{Customer, Services, accountant};

/// customer (index into the demo customers), credit limit (0: none), payment terms in days
const CREDIT_TERMS: &[(usize, i64, i32)] =
    &[(5, 0, 0), (8, 0, 7), (6, 0, 15), (1, 500_000_000, 45), (4, 300_000_000, 30), (50, 100_000_000, 30)];

/// How long the demo waits for the accounting side to invoice a shipment.
const INVOICE_WAIT: Duration = Duration::from_secs(20);

pub async fn set_credit_terms(services: &Services, customers: &[Customer]) -> anyhow::Result<()> {
    let client = AccountingClient::new(services.accounts.clone());
    for (customer_index, credit_limit, payment_terms_days) in CREDIT_TERMS {
        let customer = customers.get(*customer_index).context("demo customer of credit terms")?;
        let message = SetCreditTermsRequest {
            customer_id: customer.id,
            credit_limit: *credit_limit,
            payment_terms_days: *payment_terms_days,
        };
        services
            .call(&client, &accountant(), None, message, |mut c, r| async move { c.set_credit_terms(r).await })
            .await
            .with_context(|| format!("credit terms of {}", customer.name))?;
    }
    Ok(())
}

/// The invoice of a shipment, once the accounting side has issued it.
async fn invoice_of(
    client: &AccountingClient<Channel>,
    services: &Services,
    shipment: &Shipment,
) -> anyhow::Result<Invoice> {
    let started = std::time::Instant::now();
    loop {
        let message = ListInvoicesRequest {
            customer_id: shipment.customer_id,
            status: String::new(),
            page: Some(PageRequest { limit: 100, cursor: String::new() }),
        };
        let invoices = services
            .call(client, &accountant(), None, message, |mut c, r| async move { c.list_invoices(r).await })
            .await
            .context("demo invoices")?;
        if let Some(invoice) = invoices.items.into_iter().find(|i| i.dispatch_number == shipment.dispatch_number) {
            return Ok(invoice);
        }
        anyhow::ensure!(
            started.elapsed() < INVOICE_WAIT,
            "the invoice of {} did not come within {} seconds",
            shipment.dispatch_number,
            INVOICE_WAIT.as_secs()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Waits for the shipments' invoices, then records what the customers paid.
pub async fn load(services: &Services, shipments: &[Shipment]) -> anyhow::Result<()> {
    let client = AccountingClient::new(services.accounts.clone());
    let mut bank_transfers = Vec::new();
    for (index, shipment) in shipments.iter().enumerate() {
        let invoice = invoice_of(&client, services, shipment).await?;
        let amount = match shipment.pay {
            Pay::Nothing => continue,
            Pay::BankTransfer => {
                bank_transfers.push(invoice);
                continue;
            }
            Pay::Full => invoice.total_gross,
            // Rounded down to the thousand đồng, as people pay.
            Pay::Part(percent) => invoice.total_gross / 100 * percent / 1_000 * 1_000,
        };
        if invoice.paid > 0 {
            continue;
        }
        let message = RecordPaymentRequest {
            customer_id: shipment.customer_id,
            amount,
            received_on: None,
            reference: format!("Thanh toán hóa đơn {}", invoice.number),
            method: if index % 3 == 0 { "cash".into() } else { "bank".into() },
            invoice_id: invoice.id,
        };
        let key = format!("demo-payment-{}", index + 1);
        services
            .call(&client, &accountant(), Some(&key), message, |mut c, r| async move { c.record_payment(r).await })
            .await
            .with_context(|| format!("payment of {}", invoice.number))?;
    }
    bank_statement(services, &client, &bank_transfers).await?;
    Ok(())
}

/// Imports one statement, once: a transfer naming each invoice given, and one naming nothing.
async fn bank_statement(
    services: &Services,
    client: &AccountingClient<Channel>,
    invoices: &[Invoice],
) -> anyhow::Result<()> {
    // The statement's lines carry the day it is imported: an earlier load's are already there.
    for status in ["unmatched", "matched"] {
        let message =
            ListBankLinesRequest { status: status.into(), page: Some(PageRequest { limit: 1, cursor: String::new() }) };
        let lines = services
            .call(client, &accountant(), None, message, |mut c, r| async move { c.list_bank_lines(r).await })
            .await
            .context("demo bank lines")?;
        if !lines.items.is_empty() {
            return Ok(());
        }
    }
    let today = local_date(now_micros()).format("%d/%m/%Y");
    let mut csv = String::from("date,amount,description,reference\n");
    for (i, invoice) in invoices.iter().filter(|i| i.paid == 0).enumerate() {
        csv.push_str(&format!("{today},{},CK THANH TOAN HD {},FT{:08}\n", invoice.total_gross, invoice.number, i + 1));
    }
    csv.push_str(&format!("{today},15000000,NGUYEN THI HOA CHUYEN TIEN,FT{:08}\n", 900));
    let message = ImportBankStatementRequest { csv };
    services
        .call(client, &accountant(), None, message, |mut c, r| async move { c.import_bank_statement(r).await })
        .await
        .context("demo bank statement")?;
    Ok(())
}
