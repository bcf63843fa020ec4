//! Payments received from customers: each pays the customer's open invoices, oldest due first
//! (or a named invoice first), and what is left stays as the customer's credit.

use atq_platform::business_time::{
    date_from_proto, date_to_proto, local_date, now_micros, to_timestamp, within_business_range,
};
use atq_platform::error::Result;
use atq_platform::limits;
use atq_platform::numbering::next_in_series;
use atq_platform::validation::{Violations, optional_text};
use atq_platform::{Caller, Db, Error, Tx, outbox};
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::{Datelike, NaiveDate};

use crate::invoice_store::{self, OpenItem};
use crate::journal::{self, Posting};
use crate::payment_store::{self, NewPayment};

/// How the money came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentMethod {
    Bank,
    Cash,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Bank => "bank",
            PaymentMethod::Cash => "cash",
        }
    }

    /// Unsaid means bank: most customers pay by transfer.
    pub fn parse(text: &str) -> Result<PaymentMethod, String> {
        match text.trim() {
            "" | "bank" => Ok(PaymentMethod::Bank),
            "cash" => Ok(PaymentMethod::Cash),
            _ => Err("must be bank or cash".into()),
        }
    }

    /// The account the money is debited to: cash (111) or bank deposits (112).
    fn account(self) -> &'static str {
        match self {
            PaymentMethod::Bank => "112",
            PaymentMethod::Cash => "111",
        }
    }
}

/// A checked payment, ready to record.
#[derive(Clone)]
pub struct ReceivedPayment {
    pub customer_id: i64,
    pub amount: i64,
    pub received_on: NaiveDate,
    pub reference: String,
    pub method: PaymentMethod,
    /// The invoice to pay first; 0 for the oldest due.
    pub invoice_id: i64,
}

impl TryFrom<&pb::RecordPaymentRequest> for ReceivedPayment {
    type Error = Error;

    fn try_from(input: &pb::RecordPaymentRequest) -> Result<ReceivedPayment> {
        let mut v = Violations::new();
        if input.customer_id <= 0 {
            v.add("customer_id", "is required");
        }
        v.check("amount", limits::positive_amount(input.amount));
        let received_on = match &input.received_on {
            None => Some(local_date(now_micros())),
            Some(date) => v.check("received_on", date_from_proto(date).and_then(within_business_range)),
        };
        let method = v.check("method", PaymentMethod::parse(&input.method)).unwrap_or(PaymentMethod::Bank);
        let reference = v.check("reference", optional_text(&input.reference, 200)).unwrap_or_default();
        v.finish()?;
        Ok(ReceivedPayment {
            customer_id: input.customer_id,
            amount: input.amount,
            received_on: received_on.unwrap_or_default(),
            reference,
            method,
            invoice_id: input.invoice_id,
        })
    }
}

pub async fn record_payment(tx: &mut Tx, db: &Db, caller: &Caller, payment: ReceivedPayment) -> Result<pb::Payment> {
    let mut open = invoice_store::open_items(&mut *tx, payment.customer_id).await?;
    if payment.invoice_id > 0 {
        let Some(position) = open.iter().position(|item| item.id == payment.invoice_id) else {
            return Err(Error::invalid("invoice_id", "no open invoice of this customer has this id"));
        };
        let first = open.remove(position);
        open.insert(0, first);
    }
    let year = payment.received_on.year();
    let number = format!("PT-{year}-{:04}", next_in_series(tx, &format!("payment-{year}")).await?);
    let now = now_micros();
    let stored = NewPayment {
        number: &number,
        customer_id: payment.customer_id,
        amount: payment.amount,
        received_on: payment.received_on.to_string(),
        reference: &payment.reference,
        method: payment.method.as_str(),
        created_by: &caller.username,
        created_at: now,
    };
    let payment_id = payment_store::insert(tx, &stored).await?;
    let (allocations, left) = allocate(tx, payment_id, payment.amount, open).await?;
    // The salesperson earns on what the payment paid, in its transaction: a retry cannot count twice.
    for paid in &allocations {
        crate::commissions::record_shares(tx, paid.invoice_id, ("payment", &number, payment.received_on)).await?;
    }
    post(tx, caller, &number, &payment).await?;
    let recorded = pb::Payment {
        id: payment_id,
        number,
        customer_id: payment.customer_id,
        amount: payment.amount,
        received_on: Some(date_to_proto(payment.received_on)),
        reference: payment.reference,
        method: payment.method.as_str().into(),
        allocations,
        unallocated: left,
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    };
    let event = pb::PaymentRecorded { payment: Some(recorded.clone()) };
    outbox::record(tx, db.backend(), "payment", &payment_id.to_string(), &event).await?;
    if !recorded.allocations.is_empty() {
        metrics::counter!("atq_payments_matched_total").increment(1);
    }
    Ok(recorded)
}

/// Pays the open invoices in turn with `amount`; returns the allocations and what is left.
async fn allocate(
    tx: &mut Tx,
    payment_id: i64,
    amount: i64,
    open: Vec<OpenItem>,
) -> Result<(Vec<pb::PaymentAllocation>, i64)> {
    let mut left = amount;
    let mut allocations = Vec::new();
    for OpenItem { id, number: invoice_number, open_amount, .. } in open {
        if left == 0 {
            break;
        }
        let amount = left.min(open_amount);
        // Conditional, so two payments at once can never pay an invoice beyond its total.
        if !invoice_store::add_paid(tx, id, amount).await? {
            return Err(Error::Unavailable("the invoice changed meanwhile, try again".into()));
        }
        payment_store::insert_allocation(tx, payment_id, id, amount).await?;
        allocations.push(pb::PaymentAllocation { invoice_id: id, invoice_number, amount });
        left -= amount;
    }
    payment_store::set_unallocated(tx, payment_id, left).await?;
    Ok((allocations, left))
}

/// The money comes in against the customer's receivable.
async fn post(tx: &mut Tx, caller: &Caller, number: &str, payment: &ReceivedPayment) -> Result<()> {
    let postings = [
        Posting::debit(payment.method.account(), payment.amount),
        Posting::credit(journal::RECEIVABLE, payment.amount).for_customer(payment.customer_id),
    ];
    journal::post(tx, ("payment", number), &payment.reference, &caller.username, &postings).await
}
