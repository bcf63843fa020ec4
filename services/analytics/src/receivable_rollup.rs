//! The daily rollups of invoices, payments and receivables (`accounting_day_facts`,
//! `receivable_day_facts`), which the accounting and warehouse summary reads instead of every
//! invoice and allocation up to each period's end.
//!
//! An invoice is counted from what it is: its issue day, due date, customer's office, amounts and
//! what each payment paid of it on the payment's day. A change reads the invoices it touches as
//! they stand, works out what they become, and adds the difference of the two counts: a replayed
//! event changes no fact and so nothing here; a payment read before its invoice counts when the
//! invoice arrives; a customer heard of after its documents moves them from office '' to its own.

use std::collections::BTreeMap;

use atq_platform::db::{backend_of, id_list, values_list};
use atq_platform::error::Result;
use atq_platform::{Db, Error, Office, Tx};
use chrono::NaiveDate;

use crate::rollup_batch::Pending;
use crate::summary_facts_store::{self, InvoiceFact, PaymentFact};
use crate::summary_receivables::bucket;

/// An invoice as the rollups count it. Dates are ISO text, so text order is date order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Invoice {
    pub issued_on: String,
    /// The day it falls due: its issue day when none was kept.
    pub due_on: String,
    /// The customer's office, '' while the customer is unknown.
    pub office: String,
    pub net: i64,
    pub vat: i64,
    pub gross: i64,
    /// (day received, amount) of each payment that paid some of it.
    pub paid: Vec<(String, i64)>,
}

fn overflow() -> Error {
    Error::internal(anyhow::anyhow!("receivables rollup out of range"))
}

fn plus(a: i64, b: i64, sign: i64) -> Result<i64> {
    b.checked_mul(sign).and_then(|b| a.checked_add(b)).ok_or_else(overflow)
}

/// What is open of an invoice from each day on where it changes: (day, open or not, open amount).
/// Nothing is open before the issue day, whatever was paid before it.
pub fn open_steps(invoice: &Invoice) -> Result<Vec<(String, bool, i64)>> {
    let mut paid: Vec<&(String, i64)> = invoice.paid.iter().collect();
    paid.sort();
    let mut open = invoice.gross;
    let mut steps: Vec<(String, bool, i64)> = Vec::new();
    let mut later = paid.iter().peekable();
    while let Some((_, amount)) = later.next_if(|(day, _)| *day <= invoice.issued_on) {
        open = open.checked_sub(*amount).ok_or_else(overflow)?;
    }
    steps.push((invoice.issued_on.clone(), open != 0, open));
    for (day, amount) in later {
        open = open.checked_sub(*amount).ok_or_else(overflow)?;
        match steps.last_mut() {
            Some(last) if last.0 == *day => *last = (day.clone(), open != 0, open),
            _ => steps.push((day.clone(), open != 0, open)),
        }
    }
    Ok(steps)
}

/// Changes to add to the rollups, keyed as their rows.
#[derive(Debug, Default)]
pub struct Delta {
    /// (day, office) -> invoices, net, VAT, gross, payments, collected.
    days: BTreeMap<(String, String), [i64; 6]>,
    /// (day, office, due date) -> open invoices, open amount.
    open: BTreeMap<(String, String, String), [i64; 2]>,
}

impl Delta {
    fn day(&mut self, key: (String, String), amounts: [i64; 6], sign: i64) -> Result<()> {
        let row = self.days.entry(key).or_default();
        for (cell, amount) in row.iter_mut().zip(amounts) {
            *cell = plus(*cell, amount, sign)?;
        }
        Ok(())
    }

    /// Counts an invoice in (`sign` 1) or out (-1): on its issue day, and in what is owed.
    pub fn invoice(&mut self, invoice: &Invoice, sign: i64) -> Result<()> {
        let counted = [1, invoice.net, invoice.vat, invoice.gross, 0, 0];
        self.day((invoice.issued_on.clone(), invoice.office.clone()), counted, sign)?;
        let (mut was_open, mut was) = (false, 0i64);
        for (day, is_open, amount) in open_steps(invoice)? {
            let moved = [i64::from(is_open) - i64::from(was_open), amount.checked_sub(was).ok_or_else(overflow)?];
            let row = self.open.entry((day, invoice.office.clone(), invoice.due_on.clone())).or_default();
            row[0] = plus(row[0], moved[0], sign)?;
            row[1] = plus(row[1], moved[1], sign)?;
            (was_open, was) = (is_open, amount);
        }
        Ok(())
    }

    /// Counts a payment in or out on its day.
    pub fn payment(&mut self, day: &str, office: &str, amount: i64, sign: i64) -> Result<()> {
        self.day((day.to_owned(), office.to_owned()), [0, 0, 0, 0, 1, amount], sign)
    }

    /// Adds the changes, a statement per table per chunk of rows.
    pub async fn flush(mut self, tx: &mut Tx) -> Result<()> {
        self.days.retain(|_, row| row.iter().any(|n| *n != 0));
        self.open.retain(|_, row| row.iter().any(|n| *n != 0));
        let days: Vec<_> = self.days.into_iter().collect();
        for chunk in days.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO accounting_day_facts (day, office, invoices, invoiced_net, invoiced_vat, invoiced_gross, \
                 payments, collected) VALUES {} ON CONFLICT (day, office) DO UPDATE SET \
                 invoices = accounting_day_facts.invoices + excluded.invoices, \
                 invoiced_net = accounting_day_facts.invoiced_net + excluded.invoiced_net, \
                 invoiced_vat = accounting_day_facts.invoiced_vat + excluded.invoiced_vat, \
                 invoiced_gross = accounting_day_facts.invoiced_gross + excluded.invoiced_gross, \
                 payments = accounting_day_facts.payments + excluded.payments, \
                 collected = accounting_day_facts.collected + excluded.collected",
                values_list(backend_of(tx), chunk.len(), 8)
            );
            let mut query = sqlx::query(&sql);
            for ((day, office), row) in chunk {
                query = query.bind(day).bind(office);
                for amount in row {
                    query = query.bind(*amount);
                }
            }
            query.execute(&mut **tx).await?;
        }
        let open: Vec<_> = self.open.into_iter().collect();
        for chunk in open.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO receivable_day_facts (day, office, due_on, open_invoices, open_amount) VALUES {} \
                 ON CONFLICT (day, office, due_on) DO UPDATE SET \
                 open_invoices = receivable_day_facts.open_invoices + excluded.open_invoices, \
                 open_amount = receivable_day_facts.open_amount + excluded.open_amount",
                values_list(backend_of(tx), chunk.len(), 5)
            );
            let mut query = sqlx::query(&sql);
            for ((day, office, due_on), [invoices, amount]) in chunk {
                query = query.bind(day).bind(office).bind(due_on).bind(*invoices).bind(*amount);
            }
            query.execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// Rows per statement, well under the databases' limits on bound values.
const CHUNK: usize = 100;

/// kind ('i' invoice, 'a' allocation, 'c' customer), invoice id, day, due date, office, net, VAT,
/// gross or amount.
type Row = (String, i64, String, String, String, i64, i64, i64);

const INVOICES: &str = "SELECT 'i', i.invoice_id, i.issued_on, i.due_on, COALESCE(c.office, ''), i.total_net, \
     i.total_vat, i.total_gross FROM invoice_facts i LEFT JOIN customer_facts c ON c.customer_id = i.customer_id \
     WHERE ";
const PAID: &str = "SELECT 'a', a.invoice_id, a.received_on, '', '', 0, 0, a.amount \
     FROM payment_allocation_facts a WHERE ";

/// Invoices as kept, the payments of invoices not kept (yet), and a customer's office.
#[derive(Debug, Default)]
pub struct Kept {
    pub invoices: BTreeMap<i64, Invoice>,
    pub unmatched: BTreeMap<i64, Vec<(String, i64)>>,
    pub office: Option<String>,
}

fn fold(rows: Vec<Row>) -> Kept {
    let mut kept = Kept::default();
    let mut paid: Vec<(i64, String, i64)> = Vec::new();
    for (kind, id, day, due_on, office, net, vat, amount) in rows {
        match kind.as_str() {
            "i" => {
                // Invoices read before due dates were kept fall due when issued.
                let due_on = if due_on.is_empty() { day.clone() } else { due_on };
                let invoice = Invoice { issued_on: day, due_on, office, net, vat, gross: amount, paid: Vec::new() };
                kept.invoices.insert(id, invoice);
            }
            "a" => paid.push((id, day, amount)),
            _ => kept.office = Some(office),
        }
    }
    for (id, day, amount) in paid {
        match kept.invoices.get_mut(&id) {
            Some(invoice) => invoice.paid.push((day, amount)),
            None => kept.unmatched.entry(id).or_default().push((day, amount)),
        }
    }
    kept
}

/// The kept invoices among `ids` with their payments, and the office of `customer_id` when
/// analytics has heard of it, in one statement.
pub async fn invoices(tx: &mut Tx, ids: &[i64], customer_id: i64) -> Result<Kept> {
    let ids = if ids.is_empty() { "NULL".to_owned() } else { id_list(ids) };
    let sql = format!(
        "{INVOICES}i.invoice_id IN ({ids}) UNION ALL {PAID}a.invoice_id IN ({ids}) UNION ALL \
         SELECT 'c', 0, '', '', office, 0, 0, 0 FROM customer_facts WHERE customer_id = $1"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql).bind(customer_id).fetch_all(&mut **tx).await?;
    Ok(fold(rows))
}

/// [`invoices`], read again under the rollup lock when a customer is not known (the payer's or an
/// invoice's): a customer kept by the sales feed's consumer at the same time moves this feed's
/// documents once it has the lock (`customer_known`), so either it sees them committed or they see
/// it. Known customers' offices are settled: no lock is needed.
async fn read_locked(tx: &mut Tx, ids: &[i64], customer_id: i64, pending: &mut Pending) -> Result<Kept> {
    let kept = invoices(tx, ids, customer_id).await?;
    if kept.office.is_some() && kept.invoices.values().all(|invoice| !invoice.office.is_empty()) {
        return Ok(kept);
    }
    pending.lock(tx).await?;
    invoices(tx, ids, customer_id).await
}

/// A customer's invoices with their payments, and its payments as (day, amount).
pub async fn of_customer(tx: &mut Tx, customer_id: i64) -> Result<(BTreeMap<i64, Invoice>, Vec<(String, i64)>)> {
    let sql = format!(
        "{INVOICES}i.customer_id = $1 UNION ALL {PAID}a.invoice_id IN \
         (SELECT invoice_id FROM invoice_facts WHERE customer_id = $1) UNION ALL \
         SELECT 'p', p.payment_id, p.received_on, '', '', 0, 0, p.amount FROM payment_facts p WHERE p.customer_id = $1"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql).bind(customer_id).fetch_all(&mut **tx).await?;
    let payments = rows.iter().filter(|row| row.0 == "p").map(|row| (row.2.clone(), row.7)).collect();
    Ok((fold(rows.into_iter().filter(|row| row.0 != "p").collect()).invoices, payments))
}

/// A customer analytics has just heard of: its invoices and payments move from office '' to its.
pub async fn customer_known(tx: &mut Tx, customer_id: i64, office: &str, pending: &mut Pending) -> Result<()> {
    pending.lock(tx).await?;
    let (invoices, payments) = of_customer(tx, customer_id).await?;
    if invoices.is_empty() && payments.is_empty() {
        return Ok(());
    }
    let delta = &mut pending.receivables;
    for invoice in invoices.into_values() {
        // Read with the office just kept: count it out as it was, under ''.
        delta.invoice(&Invoice { office: String::new(), ..invoice.clone() }, -1)?;
        delta.invoice(&Invoice { office: office.to_owned(), ..invoice }, 1)?;
    }
    for (day, amount) in payments {
        delta.payment(&day, "", amount, -1)?;
        delta.payment(&day, office, amount, 1)?;
    }
    Ok(())
}

/// Keeps an issued invoice and counts what it changed: all of it when new, its due date when read
/// again (the only field a later event of it rewrites).
pub async fn invoice_issued(tx: &mut Tx, fact: &InvoiceFact, pending: &mut Pending) -> Result<()> {
    let mut kept = read_locked(tx, &[fact.invoice_id], fact.customer_id, pending).await?;
    summary_facts_store::record_invoice(tx, fact).await?;
    let delta = &mut pending.receivables;
    let due_on = fact.due_on.to_string();
    let after = match kept.invoices.remove(&fact.invoice_id) {
        Some(before) => {
            delta.invoice(&before, -1)?;
            Invoice { due_on, ..before }
        }
        None => Invoice {
            issued_on: fact.issued_on.to_string(),
            due_on,
            office: kept.office.unwrap_or_default(),
            net: fact.total_net,
            vat: fact.total_vat,
            gross: fact.total_gross,
            paid: kept.unmatched.remove(&fact.invoice_id).unwrap_or_default(),
        },
    };
    delta.invoice(&after, 1)?;
    Ok(())
}

/// Keeps a payment and what it paid of each invoice, (invoice id, amount), and counts what was
/// new: the payment on its day, and what the invoices kept then owe from it on.
pub async fn payment_recorded(
    tx: &mut Tx,
    fact: &PaymentFact,
    allocations: &[(i64, i64)],
    pending: &mut Pending,
) -> Result<()> {
    let ids: Vec<i64> = allocations.iter().map(|(id, _)| *id).collect();
    let kept = read_locked(tx, &ids, fact.customer_id, pending).await?;
    let delta = &mut pending.receivables;
    let day = fact.received_on.to_string();
    if summary_facts_store::record_payment(tx, fact).await? {
        delta.payment(&day, kept.office.as_deref().unwrap_or_default(), fact.amount, 1)?;
    }
    let mut after = kept.invoices.clone();
    for &(invoice_id, amount) in allocations {
        if summary_facts_store::record_allocation(tx, fact, invoice_id, amount).await?
            && let Some(invoice) = after.get_mut(&invoice_id)
        {
            invoice.paid.push((day.clone(), amount));
        }
    }
    for (id, before) in &kept.invoices {
        if let Some(now) = after.get(id).filter(|now| *now != before) {
            delta.invoice(before, -1)?;
            delta.invoice(now, 1)?;
        }
    }
    Ok(())
}

/// Builds both rollups from every invoice, allocation and payment kept (the migration's backfill).
pub async fn backfill(tx: &mut Tx) -> Result<()> {
    for table in ["accounting_day_facts", "receivable_day_facts"] {
        sqlx::query(&format!("DELETE FROM {table}")).execute(&mut **tx).await?;
    }
    let sql = format!("{INVOICES}1 = 1 UNION ALL {PAID}1 = 1");
    let rows: Vec<Row> = sqlx::query_as(&sql).fetch_all(&mut **tx).await?;
    let mut delta = Delta::default();
    for invoice in fold(rows).invoices.values() {
        delta.invoice(invoice, 1)?;
    }
    let payments: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT p.received_on, COALESCE(c.office, ''), p.amount FROM payment_facts p \
         LEFT JOIN customer_facts c ON c.customer_id = p.customer_id",
    )
    .fetch_all(&mut **tx)
    .await?;
    for (day, office, amount) in payments {
        delta.payment(&day, &office, amount, 1)?;
    }
    delta.flush(tx).await
}

/// Invoicing and collections per local day and office ('' for customers not heard of) between
/// two local dates (inclusive), of one office when given: invoices, net, VAT, gross, payments,
/// collected.
pub async fn days(
    db: &Db,
    (from, to): (NaiveDate, NaiveDate),
    office: Option<Office>,
) -> Result<Vec<(String, String, [i64; 6])>> {
    let mut sql = "SELECT day, office, invoices, invoiced_net, invoiced_vat, invoiced_gross, payments, collected \
                   FROM accounting_day_facts WHERE day >= $1 AND day <= $2 AND (invoices <> 0 OR payments <> 0)"
        .to_owned();
    if office.is_some() {
        sql.push_str(" AND office = $3");
    }
    sql.push_str(" ORDER BY day, office");
    type Read = (String, String, i64, i64, i64, i64, i64, i64);
    let mut query = sqlx::query_as::<_, Read>(&sql).bind(from.to_string()).bind(to.to_string());
    if let Some(office) = office {
        query = query.bind(office.code());
    }
    let rows = query.fetch_all(db.pool()).await?;
    Ok(rows.into_iter().map(|(day, office, a, b, c, d, e, f)| (day, office, [a, b, c, d, e, f])).collect())
}

/// What was open at the end of each of `ends`, per aging bucket (invoices, open amount), of one
/// office when given: the day rows up to it summed per due date, each due date aged at the end.
pub async fn aging(db: &Db, ends: &[NaiveDate], office: Option<Office>) -> Result<Vec<[(i64, i64); 5]>> {
    let Some(last) = ends.iter().max() else {
        return Ok(Vec::new());
    };
    let mut sql = "SELECT day, due_on, CAST(SUM(open_invoices) AS BIGINT), CAST(SUM(open_amount) AS BIGINT) \
                   FROM receivable_day_facts WHERE day <= $1"
        .to_owned();
    if office.is_some() {
        sql.push_str(" AND office = $2");
    }
    sql.push_str(" GROUP BY day, due_on");
    let mut query = sqlx::query_as::<_, (String, String, i64, i64)>(&sql).bind(last.to_string());
    if let Some(office) = office {
        query = query.bind(office.code());
    }
    let rows = query.fetch_all(db.pool()).await?;
    ends.iter()
        .map(|end| {
            let end_text = end.to_string();
            let mut by_due: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
            for (_, due_on, invoices, amount) in rows.iter().filter(|row| row.0 <= end_text) {
                let sum = by_due.entry(due_on).or_default();
                *sum = (plus(sum.0, *invoices, 1)?, plus(sum.1, *amount, 1)?);
            }
            let mut aged = [(0i64, 0i64); 5];
            for (due_on, (invoices, amount)) in by_due.into_iter().filter(|(_, sum)| sum.0 != 0) {
                let Ok(due_on) = due_on.parse::<NaiveDate>() else { continue };
                let slot = &mut aged[bucket(due_on, *end)];
                *slot = (plus(slot.0, invoices, 1)?, plus(slot.1, amount, 1)?);
            }
            Ok(aged)
        })
        .collect()
}

#[cfg(test)]
#[path = "daily_rollup_tests.rs"]
mod tests;
