//! Commissions for sales staff (hoa hồng) on what customers pay. The salesperson of an order (the
//! invoice's `salesperson`) earns on each invoice line the share its payments paid: when a
//! payment is allocated, and in the same transaction, every line of the invoice is brought to its
//! current net (and gross margin: net less the cost of the goods issued for it, less what came
//! back) times the invoice's paid fraction; a return does the same, so the paid share it takes
//! back is recorded, dated the return's day, as a negative share. Retrying or replaying a payment
//! or a return cannot count twice: the shares are written with the allocation they follow.
//!
//! A share is priced when read: a payment's at the rate, for the product's category, of the plan
//! version in force for the person on the payment's day (so a later version never reprices it);
//! a return's takes back the commission held on the line pro rata (`commission_rules`).
//! Invoices without a salesperson (orders older than the field) record their shares under the
//! empty name: they earn nothing and the statement counts them apart.
//!
//! The books: a month's accrual brings what was posted for a person's month (641 against 334,
//! Phải trả người lao động) to what the month's shares earn; a second run posts only the change.

use std::collections::HashMap;

use atq_platform::business_time::{date_from_proto, date_to_proto, local_date, now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::{Caller, Error, Tx};
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::{Datelike, NaiveDate};
use prost::Message;
use sqlx::AnyConnection;

use crate::bonuses::SELLING_EXPENSES;
use crate::commission_rules::{self, NewPlan, Pricing, Terms};
use crate::commission_store::{self, Share};
use crate::journal::{self, Posting};
use crate::{goods_issue_store, invoice_store, money, return_store};

/// Phải trả người lao động: commissions owed to staff until payroll pays them.
pub const STAFF_PAYABLE: &str = "334";

/// Product id -> category word, from the catalog.
pub type Categories = HashMap<i64, String>;

fn version_of(terms: Terms, version: i32, caller: &Caller, now: i64) -> pb::CommissionPlanVersion {
    pb::CommissionPlanVersion {
        version,
        effective_from: Some(date_to_proto(terms.effective_from)),
        basis: terms.basis,
        default_rate_bp: terms.default_rate_bp,
        rates: terms.rates,
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    }
}

pub async fn create_plan(tx: &mut Tx, caller: &Caller, plan: NewPlan) -> Result<pb::CommissionPlan> {
    let now = now_micros();
    let mut stored = pb::CommissionPlan {
        id: 0,
        name: plan.name,
        role: plan.role,
        office: plan.office,
        username: plan.username,
        versions: vec![version_of(plan.terms, 1, caller, now)],
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    };
    stored.id = commission_store::insert_plan(tx, &stored, now).await?;
    Ok(stored)
}

/// Adds a version to a plan; it applies to shares dated on or after its date.
pub async fn add_version(tx: &mut Tx, caller: &Caller, plan_id: i64, terms: Terms) -> Result<pb::CommissionPlan> {
    let mut plan = commission_store::find_plan(tx, plan_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("commission plan {plan_id}")))?;
    let before = plan.versions.len();
    if before >= commission_rules::MAX_VERSIONS {
        return Err(Error::invalid("terms", "the plan has as many versions as it may keep"));
    }
    let number = i32::try_from(before + 1).unwrap_or(i32::MAX);
    plan.versions.push(version_of(terms, number, caller, now_micros()));
    if !commission_store::add_version(tx, &plan, before).await? {
        return Err(Error::Unavailable("the plan changed meanwhile, try again".into()));
    }
    Ok(plan)
}

/// The cost of the goods issued for each invoice line: the goods issue line of the same product
/// and occurrence (the invoice lists the shipment's lines in order); 0 without a goods issue.
async fn issued_costs(tx: &mut Tx, invoice: &pb::Invoice) -> Result<HashMap<i32, i64>> {
    let Some(body) = goods_issue_store::body_for_dispatch(tx, &invoice.dispatch_number).await? else {
        return Ok(HashMap::new());
    };
    let issue = pb::GoodsIssue::decode(body.as_slice())?;
    let mut costs = HashMap::new();
    for (i, line) in invoice.lines.iter().enumerate() {
        let occurrence = invoice.lines[..i].iter().filter(|l| l.product_id == line.product_id).count();
        let issued = issue.lines.iter().filter(|l| l.product_id == line.product_id).nth(occurrence);
        costs.insert(line.line_no, issued.map_or(0, |l| l.cost_amount));
    }
    Ok(costs)
}

/// Brings every line of an invoice to the shares its paid fraction gives, recording the change
/// as dated by the payment (kind "payment") or the return (kind "return") that made it.
pub async fn record_shares(tx: &mut Tx, invoice_id: i64, (kind, document, day): (&str, &str, NaiveDate)) -> Result<()> {
    let invoice = invoice_store::find(tx, invoice_id)
        .await?
        .ok_or_else(|| Error::internal(anyhow::anyhow!("invoice {invoice_id} is gone")))?;
    let gross = money::sum([invoice.open_amount, invoice.paid], "the invoice's gross amount")?;
    let costs = issued_costs(tx, &invoice).await?;
    let returned: HashMap<i64, return_store::Returned> =
        return_store::returned_lines(tx, invoice_id).await?.into_iter().collect();
    let held: HashMap<i64, (i64, i64)> =
        commission_store::held_shares(tx, invoice_id).await?.into_iter().map(|(l, n, m)| (l, (n, m))).collect();
    let mut shares = Vec::new();
    for line in &invoice.lines {
        let line_no = i64::from(line.line_no);
        let back = returned.get(&line_no).copied().unwrap_or_default();
        let net = money::difference(line.net_amount, back.net, "a line's net after returns")?;
        let cost = money::difference(costs.get(&line.line_no).copied().unwrap_or(0), back.cost, "a line's cost")?;
        let (net_target, margin_target) = commission_rules::paid_shares((net, cost), (invoice.paid, gross))?;
        let (net_held, margin_held) = held.get(&line_no).copied().unwrap_or((0, 0));
        let net_share = money::difference(net_target, net_held, "a line's net share")?;
        let margin_share = money::difference(margin_target, margin_held, "a line's margin share")?;
        if net_share == 0 && margin_share == 0 {
            continue;
        }
        shares.push(Share {
            salesperson: invoice.salesperson.clone(),
            invoice_id,
            invoice_number: invoice.number.clone(),
            line_no,
            product_id: line.product_id,
            kind: kind.to_owned(),
            document_number: document.to_owned(),
            event_date: day,
            net_share,
            margin_share,
            ..Share::default()
        });
    }
    commission_store::insert_shares(tx, &shares, now_micros()).await
}

/// What the statement and the accrual price shares with.
pub struct Pricer<'a> {
    pub plans: &'a [pb::CommissionPlan],
    pub categories: &'a Categories,
}

impl Pricer<'_> {
    /// How a payment's share is priced, and the line the statement shows for it (commission 0).
    fn line_of(&self, staff: &pb::StaffMember, share: &Share) -> (Pricing, pb::CommissionLine) {
        let category = self.categories.get(&share.product_id).cloned().unwrap_or_default();
        let mut line = pb::CommissionLine {
            kind: share.kind.clone(),
            document_number: share.document_number.clone(),
            event_date: Some(date_to_proto(share.event_date)),
            invoice_id: share.invoice_id,
            invoice_number: share.invoice_number.clone(),
            line_no: i32::try_from(share.line_no).unwrap_or_default(),
            product_id: share.product_id,
            net_share: share.net_share,
            margin_share: share.margin_share,
            ..Default::default()
        };
        let found = (!share.salesperson.is_empty())
            .then(|| commission_rules::plan_on(self.plans, staff, share.event_date))
            .flatten();
        let pricing = match found {
            Some((plan, version)) => {
                line.basis = version.basis.clone();
                line.rate_bp = commission_rules::rate_for(version, &category);
                (line.plan_id, line.plan_version) = (plan.id, version.version);
                Pricing::Rate { basis_margin: version.basis == "gross_margin", rate_bp: line.rate_bp }
            }
            None => Pricing::Nothing,
        };
        line.category = category;
        (pricing, line)
    }

    /// Every share of an invoice priced, in the order recorded, with its month.
    async fn invoice(
        &self,
        conn: &mut AnyConnection,
        staff: &pb::StaffMember,
        invoice_id: i64,
    ) -> Result<Vec<(String, pb::CommissionLine)>> {
        let shares = commission_store::shares_of_invoice(conn, invoice_id).await?;
        let mut by_line: HashMap<i64, Vec<usize>> = HashMap::new();
        for (i, share) in shares.iter().enumerate() {
            by_line.entry(share.line_no).or_default().push(i);
        }
        let mut lines: Vec<pb::CommissionLine> = Vec::with_capacity(shares.len());
        let mut pricing = Vec::with_capacity(shares.len());
        for share in &shares {
            let (how, line) = self.line_of(staff, share);
            pricing.push(how);
            lines.push(line);
        }
        for indices in by_line.values() {
            let figures: Vec<(i64, i64, bool)> = indices
                .iter()
                .map(|&i| (shares[i].net_share, shares[i].margin_share, shares[i].kind == "return"))
                .collect();
            let how: Vec<Pricing> = indices.iter().map(|&i| pricing[i].clone()).collect();
            let mut earned_with: Option<pb::CommissionLine> = None;
            for (&i, amount) in indices.iter().zip(commission_rules::price_line(&figures, &how)?) {
                lines[i].commission = amount;
                // A reversal shows the terms the commission it takes back was earned under.
                if shares[i].kind == "return" {
                    if let Some(earned) = &earned_with {
                        (lines[i].basis, lines[i].rate_bp) = (earned.basis.clone(), earned.rate_bp);
                        (lines[i].plan_id, lines[i].plan_version) = (earned.plan_id, earned.plan_version);
                    }
                } else {
                    earned_with = Some(lines[i].clone());
                }
            }
        }
        let months = shares.iter().map(|s| s.event_date.format("%Y-%m").to_string());
        Ok(months.zip(lines).collect())
    }

    /// A person's priced lines of a month.
    async fn month_lines(
        &self,
        conn: &mut AnyConnection,
        staff: &pb::StaffMember,
        month: &str,
    ) -> Result<Vec<pb::CommissionLine>> {
        let mut lines = Vec::new();
        for invoice_id in commission_store::invoices_of_month(conn, &staff.username, month).await? {
            let priced = self.invoice(conn, staff, invoice_id).await?;
            lines.extend(priced.into_iter().filter(|(m, _)| m == month).map(|(_, line)| line));
        }
        Ok(lines)
    }
}

/// "YYYY-MM", checked.
pub fn month_of(text: &str) -> Result<(String, NaiveDate)> {
    let (first, _) = crate::bonus_rules::parse_month(text).map_err(|message| Error::invalid("month", message))?;
    Ok((first.format("%Y-%m").to_string(), first))
}

pub async fn statement(
    conn: &mut AnyConnection,
    pricer: &Pricer<'_>,
    staff: &pb::StaffMember,
    month: &str,
) -> Result<pb::CommissionStatement> {
    let (month, _) = month_of(month)?;
    let lines = pricer.month_lines(conn, staff, &month).await?;
    let earned = money::sum(lines.iter().map(|l| l.commission.max(0)), "the commission earned")?;
    let reversed = money::sum(lines.iter().map(|l| l.commission.min(0)), "the commission reversed")?;
    let total = money::sum([earned, reversed], "the month's commission")?;
    let accruals = commission_store::accruals(conn, &staff.username, &month).await?;
    let accrued = money::sum(accruals.iter().map(|a| a.amount), "the commission accrued")?;
    let (invoices, net) = commission_store::unattributed(conn, &month).await?;
    Ok(pb::CommissionStatement {
        salesperson: staff.username.clone(),
        role: staff.role.clone(),
        office: staff.office.clone(),
        month,
        lines,
        earned,
        reversed,
        total,
        accrued,
        to_accrue: money::difference(total, accrued, "the commission to accrue")?,
        accruals,
        unattributed_invoices: i32::try_from(invoices).unwrap_or(i32::MAX),
        unattributed_net: net,
    })
}

/// The postings of an accrual: 641 against 334, the other way round when it is negative.
fn accrual_postings(amount: i64) -> [Posting; 2] {
    if amount >= 0 {
        [Posting::debit(SELLING_EXPENSES, amount), Posting::credit(STAFF_PAYABLE, amount)]
    } else {
        [Posting::debit(STAFF_PAYABLE, -amount), Posting::credit(SELLING_EXPENSES, -amount)]
    }
}

/// Numbers, posts and stores one person's accrual.
async fn record(
    tx: &mut Tx,
    caller: &Caller,
    (salesperson, month, amount): (&str, &str, i64),
) -> Result<pb::CommissionAccrual> {
    let now = now_micros();
    let today = local_date(now);
    let year = today.year();
    let number = format!("HH-{year}-{:04}", next_in_series(tx, &format!("HH-{year}")).await?);
    let memo = format!("{salesperson} {month}");
    journal::post(tx, ("commission_accrual", &number), &memo, &caller.username, &accrual_postings(amount)).await?;
    let mut accrual = pb::CommissionAccrual {
        id: 0,
        salesperson: salesperson.to_owned(),
        month: month.to_owned(),
        amount,
        document_number: number,
        entry_date: Some(date_to_proto(today)),
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    };
    accrual.id = commission_store::insert_accrual(tx, &accrual, today, now).await?;
    Ok(accrual)
}

/// The month's accrual: every person with shares or accruals in it brought to what the month
/// earns. Staff not named are priced by username alone.
pub async fn run_accrual(
    tx: &mut Tx,
    caller: &Caller,
    pricer: &Pricer<'_>,
    month: &str,
    staff: &[pb::StaffMember],
) -> Result<pb::CommissionAccrualRun> {
    let (month, first) = month_of(month)?;
    if first > local_date(now_micros()) {
        return Err(Error::invalid("month", "must not be a month to come"));
    }
    // Every commission accrual waits for the one before it to commit: none accrues twice.
    next_in_series(tx, "commission-writes").await?;
    let mut accruals = Vec::new();
    for person in commission_store::people_of_month(tx, &month).await? {
        let member = staff
            .iter()
            .find(|s| s.username == person)
            .cloned()
            .unwrap_or_else(|| pb::StaffMember { username: person.clone(), ..Default::default() });
        let lines = pricer.month_lines(tx, &member, &month).await?;
        let total = money::sum(lines.iter().map(|l| l.commission), "the month's commission")?;
        let posted = commission_store::accruals(tx, &person, &month).await?;
        let accrued = money::sum(posted.iter().map(|a| a.amount), "the commission accrued")?;
        let amount = money::difference(total, accrued, "the commission accrual")?;
        if amount != 0 {
            accruals.push(record(tx, caller, (&person, &month, amount)).await?);
        }
    }
    let total = money::sum(accruals.iter().map(|a| a.amount), "the month's accruals")?;
    Ok(pb::CommissionAccrualRun { month, accruals, total })
}

/// The day of a payment or a return as recorded.
pub fn day_of(date: Option<&atq_proto::common::v1::LocalDate>) -> Result<NaiveDate> {
    date.map(date_from_proto)
        .transpose()
        .map_err(|message| Error::internal(anyhow::anyhow!(message)))?
        .ok_or_else(|| Error::internal(anyhow::anyhow!("a document without a date")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accrual_debits_selling_expenses_and_a_fall_credits_them() {
        let [debit, credit] = accrual_postings(500);
        assert_eq!((debit.account, debit.debit, credit.account, credit.credit), ("641", 500, "334", 500));
        let [debit, credit] = accrual_postings(-200);
        assert_eq!((debit.account, debit.debit, credit.account, credit.credit), ("334", 200, "641", 200));
    }
}
