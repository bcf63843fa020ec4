//! Sales bonuses for customers (thưởng doanh số) on paid revenue. The paid revenue of a period is
//! what the customer's payments received within it pay of invoices, without VAT (pro rata to each
//! invoice's totals) and as it stands after returns (a return takes its share back off the
//! allocations). The step reached gives the rate of the whole of it (`bonus_rules`).
//!
//! The books: an accrual brings the payable (3388, per customer) to what is earned and not yet
//! settled, against selling expenses (641); a settlement pays the payable as a credit note
//! against the receivable (131) or in money (112, 111); a return that leaves a settled period
//! earning less than was settled claws the difference back (131 against 641). Every bonus write
//! first queues on one numbering row, so two runs never accrue the same amount twice.

use atq_platform::business_time::{date_to_proto, local_date, now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::{Caller, Error, Tx};
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::{Datelike, NaiveDate};
use sqlx::AnyConnection;

use crate::bonus_rules::{self, NewScheme, Period, PeriodKind};
use crate::bonus_store;
use crate::journal::{self, Posting};
use crate::money;

/// Bonuses owed to customers: Phải trả, phải nộp khác.
pub const BONUS_PAYABLE: &str = "3388";
/// Chi phí bán hàng.
pub const SELLING_EXPENSES: &str = "641";

/// The customer as sales knows it: group (individual, dealer, project) and dealer tier (or empty).
#[derive(Clone, Debug, Default)]
pub struct CustomerProfile {
    pub group: String,
    pub tier: String,
}

pub async fn create_scheme(tx: &mut Tx, caller: &Caller, scheme: NewScheme) -> Result<pb::BonusScheme> {
    let now = now_micros();
    let mut stored = pb::BonusScheme {
        id: 0,
        name: scheme.name,
        target_kind: scheme.target_kind,
        target: scheme.target,
        period_kind: scheme.period_kind.as_str().into(),
        effective_from: Some(date_to_proto(scheme.effective_from)),
        steps: scheme.steps,
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    };
    stored.id = bonus_store::insert_scheme(tx, &stored, scheme.effective_from, now).await?;
    Ok(stored)
}

/// The scheme for the customer's tier, else for its group, in force at the period's start.
pub async fn scheme_for(
    conn: &mut AnyConnection,
    profile: &CustomerProfile,
    period: &Period,
) -> Result<Option<pb::BonusScheme>> {
    let kind = period.kind.as_str();
    if !profile.tier.is_empty()
        && let Some(scheme) = bonus_store::applicable_scheme(conn, ("tier", &profile.tier), kind, period.start).await?
    {
        return Ok(Some(scheme));
    }
    bonus_store::applicable_scheme(conn, ("group", &profile.group), kind, period.start).await
}

/// What a period's payments earn under a scheme, counted to `until` (at most the period's end).
struct Earned {
    lines: Vec<pb::BonusPaidLine>,
    paid_gross: i64,
    paid_net: i64,
    threshold: i64,
    rate_bp: i32,
    earned: i64,
}

async fn earned(
    conn: &mut AnyConnection,
    customer_id: i64,
    scheme: Option<&pb::BonusScheme>,
    (start, until): (NaiveDate, NaiveDate),
) -> Result<Earned> {
    let mut lines = Vec::new();
    for row in bonus_store::paid_rows(conn, customer_id, (start, until)).await? {
        let net = bonus_rules::net_of_vat(row.line.allocated, row.invoice_net, row.invoice_gross)?;
        lines.push(pb::BonusPaidLine { net, ..row.line });
    }
    let paid_gross = money::sum(lines.iter().map(|l| l.allocated), "the paid revenue")?;
    let paid_net = money::sum(lines.iter().map(|l| l.net), "the paid net revenue")?;
    let (threshold, rate_bp) = scheme.map_or((0, 0), |s| bonus_rules::step_reached(&s.steps, paid_net));
    let earned = bonus_rules::bonus(paid_net, rate_bp)?;
    Ok(Earned { lines, paid_gross, paid_net, threshold, rate_bp, earned })
}

/// Net sums of a period's movements.
#[derive(Default)]
struct Totals {
    accrued: i64,
    settled: i64,
    clawed_back: i64,
}

impl Totals {
    fn of(movements: &[pb::BonusMovement]) -> Result<Totals> {
        let mut t = Totals::default();
        for m in movements {
            let total = match m.kind.as_str() {
                "accrual" => &mut t.accrued,
                "settlement" => &mut t.settled,
                _ => &mut t.clawed_back,
            };
            money::add(total, m.amount, "a bonus total")?;
        }
        Ok(t)
    }
    /// Settled and not clawed back.
    fn settled_net(&self) -> Result<i64> {
        money::difference(self.settled, self.clawed_back, "the settled bonus")
    }
    /// Still owed on 3388.
    fn payable(&self) -> Result<i64> {
        money::difference(self.accrued, self.settled, "the bonus payable")
    }
    /// The accrual that brings the payable to what is earned and not yet settled (never below 0:
    /// a settled period that earns less is clawed back, not accrued negative).
    fn accrual_for(&self, earned: i64) -> Result<i64> {
        let owed = money::difference(earned, self.settled_net()?, "the bonus owed")?.max(0);
        money::difference(owed, self.payable()?, "the bonus accrual")
    }
}

pub async fn statement(
    conn: &mut AnyConnection,
    customer_id: i64,
    profile: &CustomerProfile,
    period: &Period,
) -> Result<pb::BonusStatement> {
    let scheme = scheme_for(conn, profile, period).await?;
    let e = earned(conn, customer_id, scheme.as_ref(), (period.start, period.end)).await?;
    let movements = bonus_store::movements(conn, customer_id, &period.label).await?;
    let t = Totals::of(&movements)?;
    Ok(pb::BonusStatement {
        customer_id,
        period: period.label.clone(),
        period_start: Some(date_to_proto(period.start)),
        period_end: Some(date_to_proto(period.end)),
        customer_group: profile.group.clone(),
        customer_tier: profile.tier.clone(),
        scheme,
        lines: e.lines,
        paid_gross: e.paid_gross,
        paid_net: e.paid_net,
        threshold_reached: e.threshold,
        rate_bp: e.rate_bp,
        earned: e.earned,
        payable: t.payable()?,
        settled: t.settled_net()?,
        accrued: t.accrued,
        clawed_back: t.clawed_back,
        movements,
    })
}

/// Makes every bonus write of the company wait for the one before it to commit.
async fn queue(tx: &mut Tx) -> Result<()> {
    next_in_series(tx, "bonus-writes").await?;
    Ok(())
}

/// A movement to record with its journal entry.
struct Move<'a> {
    customer_id: i64,
    period: &'a str,
    kind: &'a str,
    amount: i64,
    month: &'a str,
    method: &'a str,
    scheme_id: i64,
}

/// Numbers, posts and stores one movement.
async fn record(tx: &mut Tx, caller: &Caller, m: Move<'_>, postings: &[Posting]) -> Result<pb::BonusMovement> {
    let now = now_micros();
    let today = local_date(now);
    let year = today.year();
    let number = format!("TDS-{year}-{:04}", next_in_series(tx, &format!("TDS-{year}")).await?);
    let memo = format!("{} {} {}", m.kind, m.period, m.month);
    journal::post(tx, (&format!("bonus_{}", m.kind), &number), memo.trim(), &caller.username, postings).await?;
    let mut movement = pb::BonusMovement {
        id: 0,
        customer_id: m.customer_id,
        period: m.period.to_owned(),
        kind: m.kind.to_owned(),
        amount: m.amount,
        month: m.month.to_owned(),
        method: m.method.to_owned(),
        scheme_id: m.scheme_id,
        document_number: number,
        entry_date: Some(date_to_proto(today)),
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    };
    movement.id = bonus_store::insert_movement(tx, &movement, today, now).await?;
    Ok(movement)
}

/// The postings of an accrual: 641 against 3388, the other way round when it is negative.
fn accrual_postings(customer_id: i64, amount: i64) -> [Posting; 2] {
    if amount >= 0 {
        [Posting::debit(SELLING_EXPENSES, amount), Posting::credit(BONUS_PAYABLE, amount).for_customer(customer_id)]
    } else {
        [Posting::debit(BONUS_PAYABLE, -amount).for_customer(customer_id), Posting::credit(SELLING_EXPENSES, -amount)]
    }
}

/// Accrues one customer's period to `until`; None when nothing changes.
async fn accrue(
    tx: &mut Tx,
    caller: &Caller,
    (customer_id, profile): (i64, &CustomerProfile),
    (period, until, month): (&Period, NaiveDate, &str),
) -> Result<Option<pb::BonusMovement>> {
    let scheme = scheme_for(tx, profile, period).await?;
    let e = earned(tx, customer_id, scheme.as_ref(), (period.start, until.min(period.end))).await?;
    let t = Totals::of(&bonus_store::movements(tx, customer_id, &period.label).await?)?;
    let amount = t.accrual_for(e.earned)?;
    if amount == 0 {
        return Ok(None);
    }
    let scheme_id = scheme.map_or(0, |s| s.id);
    let kind = "accrual";
    let m = Move { customer_id, period: &period.label, kind, amount, month, method: "", scheme_id };
    Ok(Some(record(tx, caller, m, &accrual_postings(customer_id, amount)).await?))
}

/// The periods a month belongs to, and the customers to accrue in them (with their profiles).
pub async fn customers_of_month(conn: &mut AnyConnection, month: &str) -> Result<Vec<i64>> {
    let (first, last) = bonus_rules::parse_month(month).map_err(|message| Error::invalid("month", message))?;
    let mut ids = Vec::new();
    for kind in [PeriodKind::Quarter, PeriodKind::Year] {
        let period = Period::containing(kind, first);
        ids.extend(bonus_store::customers_in(conn, (period.start, last), &period.label).await?);
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The month's accrual for every customer given: the quarter's and the year's paid revenue up to
/// the month's end, each period brought to what it has earned so far.
pub async fn run_accrual(
    tx: &mut Tx,
    caller: &Caller,
    month: &str,
    customers: &[(i64, CustomerProfile)],
) -> Result<pb::BonusAccrualRun> {
    let (first, last) = bonus_rules::parse_month(month).map_err(|message| Error::invalid("month", message))?;
    if first > local_date(now_micros()) {
        return Err(Error::invalid("month", "must not be a month to come"));
    }
    queue(tx).await?;
    let mut accruals = Vec::new();
    for (customer_id, profile) in customers {
        for kind in [PeriodKind::Quarter, PeriodKind::Year] {
            let period = Period::containing(kind, first);
            let month = month.trim();
            if let Some(movement) = accrue(tx, caller, (*customer_id, profile), (&period, last, month)).await? {
                accruals.push(movement);
            }
        }
    }
    let total = money::sum(accruals.iter().map(|m| m.amount), "the month's accruals")?;
    Ok(pb::BonusAccrualRun { month: month.trim().to_owned(), accruals, total })
}

/// How a settlement is paid.
pub fn settlement_account(method: &str) -> Result<(&'static str, &'static str), String> {
    match method.trim() {
        "" | "credit_note" => Ok(("credit_note", journal::RECEIVABLE)),
        "bank" => Ok(("bank", "112")),
        "cash" => Ok(("cash", "111")),
        _ => Err("must be credit_note, bank or cash".into()),
    }
}

/// Accrues what the period has earned so far, then settles all that is owed.
pub async fn settle(
    tx: &mut Tx,
    caller: &Caller,
    (customer_id, profile): (i64, &CustomerProfile),
    period: &Period,
    method: &str,
) -> Result<pb::BonusStatement> {
    let (method, account) = settlement_account(method).map_err(|message| Error::invalid("method", message))?;
    queue(tx).await?;
    let scheme = scheme_for(tx, profile, period).await?;
    accrue(tx, caller, (customer_id, profile), (period, period.end, "")).await?;
    let t = Totals::of(&bonus_store::movements(tx, customer_id, &period.label).await?)?;
    let amount = t.payable()?;
    if amount <= 0 {
        return Err(Error::invalid("period", "no bonus is owed to this customer for this period"));
    }
    let credit = Posting::credit(account, amount);
    let credit = if account == journal::RECEIVABLE { credit.for_customer(customer_id) } else { credit };
    let postings = [Posting::debit(BONUS_PAYABLE, amount).for_customer(customer_id), credit];
    let scheme_id = scheme.map_or(0, |s| s.id);
    let m = Move { customer_id, period: &period.label, kind: "settlement", amount, month: "", method, scheme_id };
    record(tx, caller, m, &postings).await?;
    statement(tx, customer_id, profile, period).await
}

/// After a return: every settled period of the customer that now earns less than was settled
/// gives the difference back (131 against 641), under the scheme it was settled with.
pub async fn claw_back(tx: &mut Tx, caller: &Caller, customer_id: i64) -> Result<Vec<pb::BonusMovement>> {
    queue(tx).await?;
    let mut clawed = Vec::new();
    for (label, scheme_id) in bonus_store::settled_periods(tx, customer_id).await? {
        let period = Period::parse(&label).map_err(|message| Error::internal(anyhow::anyhow!(message)))?;
        let scheme = bonus_store::find_scheme(tx, scheme_id).await?;
        let e = earned(tx, customer_id, scheme.as_ref(), (period.start, period.end)).await?;
        let t = Totals::of(&bonus_store::movements(tx, customer_id, &label).await?)?;
        let amount = money::difference(t.settled_net()?, e.earned, "the bonus clawed back")?;
        if amount <= 0 {
            continue;
        }
        let postings = [
            Posting::debit(journal::RECEIVABLE, amount).for_customer(customer_id),
            Posting::credit(SELLING_EXPENSES, amount),
        ];
        let m = Move { customer_id, period: &label, kind: "clawback", amount, month: "", method: "", scheme_id };
        clawed.push(record(tx, caller, m, &postings).await?);
    }
    Ok(clawed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn movement(kind: &str, amount: i64) -> pb::BonusMovement {
        pb::BonusMovement { kind: kind.into(), amount, ..Default::default() }
    }

    #[test]
    fn an_accrual_brings_the_payable_to_what_is_owed_and_never_below_zero() {
        let none = Totals::of(&[]).unwrap();
        assert_eq!(none.accrual_for(1_000).unwrap(), 1_000);
        let accrued = Totals::of(&[movement("accrual", 1_000)]).unwrap();
        assert_eq!(accrued.accrual_for(1_500).unwrap(), 500);
        assert_eq!(accrued.accrual_for(400).unwrap(), -600, "an unsettled payable falls with the revenue");
        let settled = Totals::of(&[movement("accrual", 1_000), movement("settlement", 1_000)]).unwrap();
        assert_eq!(settled.accrual_for(1_000).unwrap(), 0);
        assert_eq!(settled.accrual_for(700).unwrap(), 0, "a settled period is clawed back, not accrued negative");
        assert_eq!(settled.accrual_for(1_200).unwrap(), 200);
        let clawed =
            Totals::of(&[movement("accrual", 1_000), movement("settlement", 1_000), movement("clawback", 300)])
                .unwrap();
        assert_eq!((clawed.settled_net().unwrap(), clawed.payable().unwrap()), (700, 0));
        assert_eq!(clawed.accrual_for(700).unwrap(), 0);
        assert_eq!(clawed.accrual_for(900).unwrap(), 200);
    }

    #[test]
    fn settlements_go_to_the_receivable_or_to_money() {
        assert_eq!(settlement_account("").unwrap(), ("credit_note", "131"));
        assert_eq!(settlement_account("bank").unwrap().1, "112");
        assert_eq!(settlement_account("cash").unwrap().1, "111");
        assert!(settlement_account("cheque").is_err());
    }
}
