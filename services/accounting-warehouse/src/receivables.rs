//! What customers owe: payments allocated to invoices, balances and aging, credit terms.

use std::collections::BTreeMap;

use atq_platform::business_time::{date_from_proto, date_to_proto, local_date, now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::validation::{Violations, optional_text};
use atq_platform::{Caller, Db, Error, Tx, outbox};
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::{Datelike, NaiveDate};
use sqlx::AnyConnection;

use crate::invoices::{self, OpenItem};
use crate::journal::{self, Posting};

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

pub async fn record_payment(
    tx: &mut Tx,
    db: &Db,
    caller: &Caller,
    input: &pb::RecordPaymentRequest,
) -> Result<pb::Payment> {
    let mut v = Violations::new();
    if input.customer_id <= 0 {
        v.add("customer_id", "is required");
    }
    if input.amount <= 0 {
        v.add("amount", "must be a positive amount of đồng");
    }
    let received_on = match &input.received_on {
        None => Some(local_date(now_micros())),
        Some(date) => v.check("received_on", date_from_proto(date)),
    };
    let method = match input.method.trim() {
        "" | "bank" => "bank",
        "cash" => "cash",
        _ => {
            v.add("method", "must be bank or cash");
            "bank"
        }
    };
    let reference = v.check("reference", optional_text(&input.reference, 200)).unwrap_or_default();
    v.finish()?;
    let received_on = received_on.unwrap_or_default();

    let mut open = invoices::open_items(&mut *tx, input.customer_id).await?;
    if input.invoice_id > 0 {
        let Some(position) = open.iter().position(|item| item.id == input.invoice_id) else {
            return Err(Error::invalid("invoice_id", "no open invoice of this customer has this id"));
        };
        let first = open.remove(position);
        open.insert(0, first);
    }
    let year = received_on.year();
    let number = format!("PT-{year}-{:04}", next_in_series(tx, &format!("payment-{year}")).await?);
    let now = now_micros();
    let payment_id: i64 = sqlx::query_scalar(
        "INSERT INTO payments (number, customer_id, amount, received_on, reference, method, unallocated, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8) RETURNING id",
    )
    .bind(&number)
    .bind(input.customer_id)
    .bind(input.amount)
    .bind(received_on.to_string())
    .bind(&reference)
    .bind(method)
    .bind(&caller.username)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let mut left = input.amount;
    let mut allocations = Vec::new();
    for OpenItem { id, number: invoice_number, open_amount, .. } in open {
        if left == 0 {
            break;
        }
        let amount = left.min(open_amount);
        // Conditional, so two payments at once can never pay an invoice beyond its total.
        let applied =
            sqlx::query("UPDATE invoices SET paid = paid + $1 WHERE id = $2 AND paid + $1 <= total_net + total_vat")
                .bind(amount)
                .bind(id)
                .execute(&mut **tx)
                .await?
                .rows_affected();
        if applied != 1 {
            return Err(Error::Unavailable("the invoice changed meanwhile, try again".into()));
        }
        sqlx::query("INSERT INTO payment_allocations (payment_id, invoice_id, amount) VALUES ($1, $2, $3)")
            .bind(payment_id)
            .bind(id)
            .bind(amount)
            .execute(&mut **tx)
            .await?;
        allocations.push(pb::PaymentAllocation { invoice_id: id, invoice_number, amount });
        left -= amount;
    }
    sqlx::query("UPDATE payments SET unallocated = $1 WHERE id = $2")
        .bind(left)
        .bind(payment_id)
        .execute(&mut **tx)
        .await?;
    let cash_account = if method == "cash" { "111" } else { "112" };
    journal::post(
        tx,
        ("payment", &number),
        &reference,
        &caller.username,
        &[
            Posting::debit(cash_account, input.amount),
            Posting::credit(journal::RECEIVABLE, input.amount).for_customer(input.customer_id),
        ],
    )
    .await?;
    let payment = pb::Payment {
        id: payment_id,
        number,
        customer_id: input.customer_id,
        amount: input.amount,
        received_on: Some(date_to_proto(received_on)),
        reference,
        method: method.into(),
        allocations,
        unallocated: left,
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    };
    let event = pb::PaymentRecorded { payment: Some(payment.clone()) };
    outbox::append(
        tx,
        db.backend(),
        "payment",
        &payment_id.to_string(),
        "atq.accountingwarehouse.v1.PaymentRecorded",
        &event,
    )
    .await?;
    if !payment.allocations.is_empty() {
        metrics::counter!("atq_payments_matched_total").increment(1);
    }
    Ok(payment)
}

pub async fn balance(conn: &mut AnyConnection, customer_id: i64) -> Result<pb::CustomerBalance> {
    let (invoiced, paid): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(total_net + total_vat), 0) AS BIGINT), \
         CAST(COALESCE((SELECT SUM(amount) FROM payments WHERE customer_id = $1), 0) AS BIGINT) \
         FROM invoices WHERE customer_id = $1",
    )
    .bind(customer_id)
    .fetch_one(&mut *conn)
    .await?;
    let (credit_limit, terms) = invoices::payment_terms(&mut *conn, customer_id).await?;
    let today = local_date(now_micros());
    let mut amounts = [0; 5];
    for item in invoices::open_items(&mut *conn, customer_id).await? {
        amounts[bucket(item.due_on, today)] += item.open_amount;
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
    for item in invoices::open_items(conn, 0).await? {
        let slot = bucket(item.due_on, as_of);
        let entry = by_customer.entry(item.customer_id).or_insert_with(|| (item.customer_name.clone(), [0; 5]));
        entry.1[slot] += item.open_amount;
        totals[slot] += item.open_amount;
    }
    Ok(pb::ReceivablesAgingResponse {
        as_of: Some(date_to_proto(as_of)),
        rows: by_customer
            .into_iter()
            .map(|(customer_id, (customer_name, amounts))| pb::CustomerAging {
                customer_id,
                customer_name,
                total: amounts.iter().sum(),
                buckets: buckets(amounts),
            })
            .collect(),
        totals: buckets(totals),
    })
}

pub async fn set_credit_terms(
    tx: &mut Tx,
    caller: &Caller,
    input: &pb::SetCreditTermsRequest,
) -> Result<pb::CreditTerms> {
    let mut v = Violations::new();
    if input.customer_id <= 0 {
        v.add("customer_id", "is required");
    }
    if input.credit_limit < 0 {
        v.add("credit_limit", "must not be negative (0 means no limit)");
    }
    if !(0..=365).contains(&input.payment_terms_days) {
        v.add("payment_terms_days", "must be 0 to 365 days");
    }
    v.finish()?;
    sqlx::query(
        "INSERT INTO credit_terms (customer_id, credit_limit, payment_terms_days, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (customer_id) DO UPDATE SET credit_limit = $2, payment_terms_days = $3, updated_by = $4, updated_at = $5",
    )
    .bind(input.customer_id)
    .bind(input.credit_limit)
    .bind(i64::from(input.payment_terms_days))
    .bind(&caller.username)
    .bind(now_micros())
    .execute(&mut **tx)
    .await?;
    Ok(pb::CreditTerms {
        customer_id: input.customer_id,
        credit_limit: input.credit_limit,
        payment_terms_days: input.payment_terms_days,
    })
}

/// Whether `amount` more keeps the customer within its limit (always, when no limit is set).
pub async fn check_credit(conn: &mut AnyConnection, customer_id: i64, amount: i64) -> Result<pb::CreditCheck> {
    let (credit_limit, _) = invoices::payment_terms(&mut *conn, customer_id).await?;
    let balance = journal::receivable(conn, customer_id).await?;
    let allowed = credit_limit == 0 || balance + amount <= credit_limit;
    Ok(pb::CreditCheck {
        allowed,
        credit_limit,
        balance,
        amount,
        available: if credit_limit == 0 { 0 } else { credit_limit - balance },
    })
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
