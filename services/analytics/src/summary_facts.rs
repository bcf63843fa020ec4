//! Invoices and payments from the accounting-warehouse feed, one row each on its local date, for
//! the accounting department's summary (invoiced and collected per period, and what stayed open
//! at each period's end through the invoices each payment paid); stock moves go to `stock_facts`.
//! The daily rollups the summary reads are kept with them (`receivable_rollup`).

use atq_platform::business_time::{date_from_proto, local_date, timestamp_micros};
use atq_platform::error::Result;
use atq_platform::{Tx, outbox};
use atq_proto::accountingwarehouse::v1 as wh;
use atq_proto::common::v1::LocalDate;
use atq_proto::events::v1::Event;
use chrono::NaiveDate;
use prost::Message;

use crate::rollup_batch::{Batched, Pending};
use crate::summary_facts_store::{InvoiceFact, PaymentFact};

pub struct AccountingFacts;

crate::rollup_batch::per_event!(AccountingFacts);

#[tonic::async_trait]
impl Batched for AccountingFacts {
    async fn apply_into(&self, tx: &mut Tx, event: &Event, pending: &mut Pending) -> Result<()> {
        let occurred_at = event.occurred_at.as_ref().map(timestamp_micros).unwrap_or_default();
        if outbox::is::<wh::InvoiceIssued>(event) {
            if let Some(invoice) = wh::InvoiceIssued::decode(event.payload.as_slice())?.invoice {
                let issued_on = day_or(invoice.issue_date.as_ref(), occurred_at);
                let fact = InvoiceFact {
                    invoice_id: invoice.id,
                    customer_id: invoice.customer_id,
                    issued_on,
                    // Due when issued when the event has no due date.
                    due_on: invoice.due_date.as_ref().and_then(|d| date_from_proto(d).ok()).unwrap_or(issued_on),
                    total_net: invoice.total_net,
                    total_vat: invoice.total_vat,
                    total_gross: invoice.total_gross,
                };
                crate::receivable_rollup::invoice_issued(tx, &fact, pending).await?;
            }
        } else if outbox::is::<wh::PaymentRecorded>(event)
            && let Some(payment) = wh::PaymentRecorded::decode(event.payload.as_slice())?.payment
        {
            let fact = PaymentFact {
                payment_id: payment.id,
                customer_id: payment.customer_id,
                received_on: day_or(payment.received_on.as_ref(), occurred_at),
                amount: payment.amount,
            };
            let allocations: Vec<(i64, i64)> = payment.allocations.iter().map(|a| (a.invoice_id, a.amount)).collect();
            crate::receivable_rollup::payment_recorded(tx, &fact, &allocations, pending).await?;
        } else {
            crate::stock_facts::StockFacts.apply_into(tx, event, pending).await?;
        }
        Ok(())
    }
}

/// The document's own local date; one the feed cannot have written counts on the event's day, not
/// refused: a refusal would stop the whole feed.
fn day_or(date: Option<&LocalDate>, occurred_at: i64) -> NaiveDate {
    date.and_then(|d| date_from_proto(d).ok()).unwrap_or_else(|| local_date(occurred_at))
}
