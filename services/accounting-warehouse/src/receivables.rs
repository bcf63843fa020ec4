//! What customers owe: balances and aging, credit terms and the credit check.

use std::collections::BTreeMap;

use atq_platform::business_time::{date_to_proto, local_date, now_micros};
use atq_platform::error::Result;
use atq_platform::limits;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Error, Tx};
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::NaiveDate;
use sqlx::AnyConnection;

use crate::journal;
use crate::{credit_terms_store, invoice_store, invoices, money};

pub const BUCKETS: [&str; 5] = ["current", "1-30", "31-60", "61-90", ">90"];

/// The aging bucket of an amount due on `due_on`, seen on `as_of`.
pub fn bucket(due_on: NaiveDate, as_of: NaiveDate) -> usize {
    match (as_of - due_on).num_days() {
        days if days <= 0 => 0,
        1..=30 => 1,
        31..=60 => 2,
        61..=90 => 3,
        _ => 4,
    }
}

pub fn buckets(amounts: [i64; 5]) -> Vec<pb::AgingBucket> {
    BUCKETS.iter().zip(amounts).map(|(bucket, amount)| pb::AgingBucket { bucket: (*bucket).into(), amount }).collect()
}

pub async fn balance(conn: &mut AnyConnection, customer_id: i64) -> Result<pb::CustomerBalance> {
    let (invoiced, paid) = invoice_store::customer_totals(conn, customer_id).await?;
    let (credit_limit, terms) = invoices::payment_terms(&mut *conn, customer_id).await?;
    let today = local_date(now_micros());
    let mut amounts = [0; 5];
    for item in invoice_store::open_items(&mut *conn, customer_id).await? {
        money::add(&mut amounts[bucket(item.due_on, today)], item.open_amount, "a customer's aging")?;
    }
    Ok(pb::CustomerBalance {
        customer_id,
        invoiced,
        paid,
        balance: journal::receivable(conn, customer_id).await?,
        credit_limit,
        payment_terms_days: terms as i32,
        aging: buckets(amounts),
    })
}

pub async fn aging(conn: &mut AnyConnection, as_of: NaiveDate) -> Result<pb::ReceivablesAgingResponse> {
    let mut by_customer: BTreeMap<i64, (String, [i64; 5])> = BTreeMap::new();
    let mut totals = [0; 5];
    for item in invoice_store::open_items(conn, 0).await? {
        let slot = bucket(item.due_on, as_of);
        let entry = by_customer.entry(item.customer_id).or_insert_with(|| (item.customer_name.clone(), [0; 5]));
        money::add(&mut entry.1[slot], item.open_amount, "a customer's aging")?;
        money::add(&mut totals[slot], item.open_amount, "the aging's totals")?;
    }
    let mut rows = Vec::with_capacity(by_customer.len());
    for (customer_id, (customer_name, amounts)) in by_customer {
        let total = money::sum(amounts, "a customer's aging")?;
        rows.push(pb::CustomerAging { customer_id, customer_name, total, buckets: buckets(amounts) });
    }
    Ok(pb::ReceivablesAgingResponse { as_of: Some(date_to_proto(as_of)), rows, totals: buckets(totals) })
}

/// Checked credit terms for a customer.
pub struct NewCreditTerms {
    pub customer_id: i64,
    /// 0 means no limit.
    pub credit_limit: i64,
    pub payment_terms_days: i32,
}

impl TryFrom<&pb::SetCreditTermsRequest> for NewCreditTerms {
    type Error = Error;

    fn try_from(input: &pb::SetCreditTermsRequest) -> Result<NewCreditTerms> {
        let mut v = Violations::new();
        if input.customer_id <= 0 {
            v.add("customer_id", "is required");
        }
        if input.credit_limit < 0 {
            v.add("credit_limit", "must not be negative (0 means no limit)");
        } else {
            v.check("credit_limit", limits::amount(input.credit_limit));
        }
        if !(0..=365).contains(&input.payment_terms_days) {
            v.add("payment_terms_days", "must be 0 to 365 days");
        }
        v.finish()?;
        let (customer_id, credit_limit, payment_terms_days) =
            (input.customer_id, input.credit_limit, input.payment_terms_days);
        Ok(NewCreditTerms { customer_id, credit_limit, payment_terms_days })
    }
}

pub async fn set_credit_terms(tx: &mut Tx, caller: &Caller, terms: NewCreditTerms) -> Result<pb::CreditTerms> {
    let NewCreditTerms { customer_id, credit_limit, payment_terms_days } = terms;
    let days = i64::from(payment_terms_days);
    credit_terms_store::upsert(tx, customer_id, credit_limit, days, &caller.username, now_micros()).await?;
    Ok(pb::CreditTerms { customer_id, credit_limit, payment_terms_days })
}

/// Whether `amount` more keeps the customer within its limit (always, when no limit is set).
pub async fn check_credit(conn: &mut AnyConnection, customer_id: i64, amount: i64) -> Result<pb::CreditCheck> {
    let amount = limits::amount(amount).map_err(|message| Error::invalid("amount", message))?;
    let (credit_limit, _) = invoices::payment_terms(&mut *conn, customer_id).await?;
    let balance = journal::receivable(conn, customer_id).await?;
    let mut owed = balance;
    money::add(&mut owed, amount, "the balance with the order")?;
    let allowed = credit_limit == 0 || owed <= credit_limit;
    let available = if credit_limit == 0 { 0 } else { money::difference(credit_limit, balance, "the credit left")? };
    Ok(pb::CreditCheck { allowed, credit_limit, balance, amount, available })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_age_by_days_past_due() {
        let due = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        let on = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert_eq!(bucket(due, on(1, 31)), 0);
        assert_eq!(bucket(due, on(2, 1)), 1);
        assert_eq!(bucket(due, on(3, 2)), 1);
        assert_eq!(bucket(due, on(3, 3)), 2);
        assert_eq!(bucket(due, on(5, 1)), 3);
        assert_eq!(bucket(due, on(5, 2)), 4);
    }
}
