//! Receivables at a period's end and days sales outstanding, for the accounting and warehouse
//! summary.
//!
//! An invoice is open at the end of a day by its gross amount less what payments received on or
//! before that day paid of it; it ages by the days past its due date then, in the accounting
//! department's buckets. Days sales outstanding = closing receivables ÷ credit sales of the period
//! (invoiced gross: every sale is invoiced on credit terms) × days in the period, in tenths of a
//! day rounded half up; none without credit sales (the summary then shows 0).

#[cfg(test)]
use atq_platform::Error;
#[cfg(test)]
use atq_platform::error::Result;
use chrono::NaiveDate;

/// The accounting department's aging buckets (days past due), as its aging report names them.
pub const BUCKETS: [&str; 5] = ["current", "1-30", "31-60", "61-90", ">90"];

/// The bucket of an amount due on `due_on`, seen at the end of `as_of`.
pub fn bucket(due_on: NaiveDate, as_of: NaiveDate) -> usize {
    match (as_of - due_on).num_days() {
        days if days <= 0 => 0,
        1..=30 => 1,
        31..=60 => 2,
        61..=90 => 3,
        _ => 4,
    }
}

/// Closing receivables × days ÷ credit sales, in tenths of a day, rounded half up.
pub fn dso_tenths(closing: i64, credit_sales: i64, days: i64) -> Option<i64> {
    if credit_sales <= 0 {
        return None;
    }
    let (closing, sales, days) = (i128::from(closing), i128::from(credit_sales), i128::from(days));
    let tenths = (2 * closing * days * 10 + sales).div_euclid(2 * sales);
    i64::try_from(tenths).ok()
}

/// One invoice with what each payment paid of it, on the payment's day (the raw scan the daily
/// rollup is checked against).
#[cfg(test)]
#[derive(Clone, Debug, Default)]
pub struct OpenItem {
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub gross: i64,
    pub paid: Vec<(NaiveDate, i64)>,
}

#[cfg(test)]
impl OpenItem {
    /// What is still owed at the end of `day` (zero before it was issued).
    pub fn open_at(&self, day: NaiveDate) -> Result<i64> {
        if self.issued_on > day {
            return Ok(0);
        }
        let overflow = || Error::internal(anyhow::anyhow!("receivable past the bound"));
        let mut open = self.gross;
        for (_, amount) in self.paid.iter().filter(|(on, _)| *on <= day) {
            open = open.checked_sub(*amount).ok_or_else(overflow)?;
        }
        Ok(open)
    }
}

/// Receivables at the end of `day`: per bucket (invoices, open amount), over the invoices kept.
#[cfg(test)]
pub fn aging_at(items: &[OpenItem], day: NaiveDate) -> Result<[(i64, i64); 5]> {
    let mut aged = [(0i64, 0i64); 5];
    for item in items {
        let open = item.open_at(day)?;
        if open == 0 {
            continue;
        }
        let slot = &mut aged[bucket(item.due_on, day)];
        slot.0 += 1;
        slot.1 = slot.1.checked_add(open).ok_or_else(|| Error::internal(anyhow::anyhow!("aging total")))?;
    }
    Ok(aged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap()
    }

    #[test]
    fn amounts_age_by_days_past_due_as_accounting_ages_them() {
        let due = day("2026-01-31");
        assert_eq!(bucket(due, day("2026-01-31")), 0);
        assert_eq!(bucket(due, day("2026-01-01")), 0);
        assert_eq!(bucket(due, day("2026-02-01")), 1);
        assert_eq!(bucket(due, day("2026-03-02")), 1);
        assert_eq!(bucket(due, day("2026-03-03")), 2);
        assert_eq!(bucket(due, day("2026-05-01")), 3);
        assert_eq!(bucket(due, day("2026-05-02")), 4);
    }

    #[test]
    fn days_sales_outstanding_round_half_up_in_tenths() {
        // 1,000 owed on 3,000 sold in 30 days: 10.0 days.
        assert_eq!(dso_tenths(1_000, 3_000, 30), Some(100));
        // 1,000 × 31 / 3,000 = 10.333…: 10.3.
        assert_eq!(dso_tenths(1_000, 3_000, 31), Some(103));
        // 1 × 1 / 4 = 0.25 days = 2.5 tenths: up to 3.
        assert_eq!(dso_tenths(1, 4, 1), Some(3));
        assert_eq!(dso_tenths(0, 4, 30), Some(0));
        assert_eq!(dso_tenths(1_000, 0, 30), None, "no credit sales, no DSO");
        assert_eq!(dso_tenths(i64::MAX, 1, 366), None, "past the bound");
    }

    #[test]
    fn an_invoice_is_open_by_what_was_not_paid_by_the_day() {
        let item = OpenItem {
            issued_on: day("2026-01-10"),
            due_on: day("2026-02-09"),
            gross: 1_100,
            paid: vec![(day("2026-02-01"), 300), (day("2026-03-20"), 800)],
        };
        assert_eq!(item.open_at(day("2026-01-09")).unwrap(), 0, "not issued yet");
        assert_eq!(item.open_at(day("2026-01-31")).unwrap(), 1_100);
        assert_eq!(item.open_at(day("2026-02-28")).unwrap(), 800);
        assert_eq!(item.open_at(day("2026-03-31")).unwrap(), 0);
        let other = OpenItem { due_on: day("2026-01-01"), issued_on: day("2025-12-01"), gross: 50, paid: vec![] };
        let aged = aging_at(&[item, other], day("2026-02-28")).unwrap();
        // 19 days past due; the other 58 days past due.
        assert_eq!(aged, [(0, 0), (1, 800), (1, 50), (0, 0), (0, 0)]);
    }
}
