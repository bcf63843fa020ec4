//! VAT invoices: one per shipment, numbered without gaps within the year's series, with VAT per
//! line rounded half up and summed per rate, and the receivable posted in the same transaction.

use std::collections::{BTreeMap, HashMap};

use atq_platform::business_time::{date_to_proto, local_date, now_micros, to_timestamp};
use atq_platform::currency::with_vat;
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::{Db, Error, Tx, outbox};
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::sales::v1::{DispatchOrder, DispatchShipped};
use chrono::{Datelike, Days, NaiveDate};
use sqlx::AnyConnection;

use crate::invoice_store;
pub use crate::invoice_store::InvoiceQuery;
use crate::journal::{self, Posting};
use crate::{credit_terms_store, money};

pub use crate::invoice_store::InvoiceStatus;

pub const DEFAULT_PAYMENT_TERMS_DAYS: i64 = 30;

/// The year's invoice series: C (coded by the tax authority), two-digit year, T (e-invoice), AQ.
fn series_of(date: NaiveDate) -> String {
    format!("C{:02}TAQ", date.year() % 100)
}

/// (credit limit, payment terms in days) of a customer; no limit and the default terms unless set.
pub async fn payment_terms(conn: &mut AnyConnection, customer_id: i64) -> Result<(i64, i64)> {
    Ok(credit_terms_store::find(conn, customer_id).await?.unwrap_or((0, DEFAULT_PAYMENT_TERMS_DAYS)))
}

/// Issues the invoice of a shipment, once: a shipment seen again changes nothing.
pub async fn issue_for_shipment(tx: &mut Tx, db: &Db, shipped: &DispatchShipped) -> Result<()> {
    let dispatch =
        shipped.dispatch.as_ref().ok_or_else(|| Error::internal(anyhow::anyhow!("shipment without dispatch order")))?;
    if invoice_store::exists_for_dispatch(tx, &dispatch.number).await? {
        return Ok(());
    }
    let (lines, vat) = price(shipped, dispatch)?;
    let issued_on = local_date(now_micros());
    let (_, terms) = payment_terms(&mut *tx, dispatch.customer_id).await?;
    let due_on = issued_on.checked_add_days(Days::new(terms.max(0) as u64)).unwrap_or(issued_on);
    let series = series_of(issued_on);
    let sequence = next_in_series(tx, &format!("invoice-{series}")).await?;
    let total_net = money::sum(lines.iter().map(|l| l.net_amount), "the invoice's net amount")?;
    let total_vat = money::sum(lines.iter().map(|l| l.vat_amount), "the invoice's VAT")?;
    let total_gross = money::sum([total_net, total_vat], "the invoice's gross amount")?;
    let total_discount = money::sum(lines.iter().map(|l| l.discount_amount), "the invoice's discount")?;
    let invoice = pb::Invoice {
        id: 0,
        number: format!("{series}-{sequence:07}"),
        series,
        sequence,
        customer_id: dispatch.customer_id,
        customer_name: dispatch.customer_name.clone(),
        order_number: dispatch.order_number.clone(),
        dispatch_number: dispatch.number.clone(),
        issue_date: Some(date_to_proto(issued_on)),
        due_date: Some(date_to_proto(due_on)),
        lines,
        vat,
        total_net,
        total_vat,
        total_gross,
        paid: 0,
        open_amount: total_gross,
        status: InvoiceStatus::Open.as_str().into(),
        created_at: Some(to_timestamp(now_micros())),
        total_discount,
        salesperson: shipped.salesperson.clone(),
    };
    let id = invoice_store::insert(tx, &invoice, (issued_on, due_on), now_micros()).await?;
    post(tx, &invoice).await?;
    let (number, dispatch_number) = (invoice.number.clone(), invoice.dispatch_number.clone());
    let event = pb::InvoiceIssued { invoice: Some(pb::Invoice { id, ..invoice }) };
    outbox::record(tx, db.backend(), "invoice", &id.to_string(), &event).await?;
    metrics::counter!("atq_invoices_issued_total").increment(1);
    tracing::info!(invoice = %number, dispatch = %dispatch_number, "invoice issued");
    Ok(())
}

/// The part of a line's `discount` that `units` more of its `quantity` carry when `before` units
/// were already counted: floor(D x after / q) - floor(D x before / q), so the parts of a line
/// shipped (or returned) in pieces add up to exactly its discount.
pub fn discount_share(discount: i64, quantity: i64, before: i64, units: i64) -> i64 {
    if discount <= 0 || quantity <= 0 {
        return 0;
    }
    let at = |units: i64| {
        let units = i128::from(units.clamp(0, quantity));
        i128::from(discount) * units / i128::from(quantity)
    };
    let after = before.saturating_add(units);
    i64::try_from(at(after) - at(before)).unwrap_or(0)
}

/// Units of each order line shipped before this shipment: the event's order lines count it already
/// (sales adds the shipment to them before it announces it).
fn shipped_before(shipped: &DispatchShipped, dispatch: &DispatchOrder) -> HashMap<i32, i64> {
    let mut before: HashMap<i32, i64> = shipped.order_lines.iter().map(|l| (l.line_no, l.shipped)).collect();
    for line in &dispatch.lines {
        if let Some(units) = before.get_mut(&line.line_no) {
            *units = units.saturating_sub(line.quantity).max(0);
        }
    }
    before
}

/// The invoice lines of a shipment at the ordered prices less each line's share of its order
/// line's discount, and the VAT summed per rate.
fn price(shipped: &DispatchShipped, dispatch: &DispatchOrder) -> Result<(Vec<pb::InvoiceLine>, Vec<pb::VatSummary>)> {
    let mut lines = Vec::new();
    let mut by_rate: BTreeMap<i32, (i64, i64)> = BTreeMap::new();
    let mut before = shipped_before(shipped, dispatch);
    for (i, line) in dispatch.lines.iter().enumerate() {
        let ordered = shipped
            .order_lines
            .iter()
            .find(|l| l.line_no == line.line_no)
            .ok_or_else(|| Error::internal(anyhow::anyhow!("shipment line {} has no order line", line.line_no)))?;
        let so_far = before.entry(line.line_no).or_default();
        let discount_amount = discount_share(ordered.discount_amount, ordered.quantity, *so_far, line.quantity);
        *so_far = so_far.saturating_add(line.quantity);
        // Sales holds its lines within the amount bound; a product past 64 bits is refused, not wrapped.
        let net_amount =
            line.quantity.checked_mul(ordered.unit_price).and_then(|gross| gross.checked_sub(discount_amount));
        let net_amount = net_amount.filter(|net| *net >= 0).ok_or_else(|| {
            Error::internal(anyhow::anyhow!("shipment line {}: the net amount overflows", line.line_no))
        })?;
        let gross_amount = with_vat(net_amount, i64::from(ordered.vat_rate_bp)).ok_or_else(|| {
            Error::internal(anyhow::anyhow!("shipment line {}: the amount with VAT overflows", line.line_no))
        })?;
        let vat_amount = money::difference(gross_amount, net_amount, "VAT")?;
        let rate = by_rate.entry(ordered.vat_rate_bp).or_default();
        money::add(&mut rate.0, net_amount, "the invoice's net amount")?;
        money::add(&mut rate.1, vat_amount, "the invoice's VAT")?;
        lines.push(pb::InvoiceLine {
            line_no: i as i32 + 1,
            product_id: line.product_id,
            model_code: line.model_code.clone(),
            quantity: line.quantity,
            unit_price: ordered.unit_price,
            vat_rate_bp: ordered.vat_rate_bp,
            net_amount,
            vat_amount,
            discount_amount,
        });
    }
    let vat = by_rate
        .into_iter()
        .map(|(vat_rate_bp, (net_amount, vat_amount))| pb::VatSummary { vat_rate_bp, net_amount, vat_amount })
        .collect();
    Ok((lines, vat))
}

/// The customer owes the gross amount: revenue before discount, the trade discount (5211) that
/// reduces it, and the VAT due to the state.
async fn post(tx: &mut Tx, invoice: &pb::Invoice) -> Result<()> {
    let revenue = money::sum([invoice.total_net, invoice.total_discount], "the invoice's revenue before discount")?;
    let mut postings = vec![
        Posting::debit(journal::RECEIVABLE, invoice.total_gross).for_customer(invoice.customer_id),
        Posting::credit("511", revenue),
        Posting::credit("3331", invoice.total_vat),
    ];
    if invoice.total_discount > 0 {
        postings.push(Posting::debit(journal::TRADE_DISCOUNTS, invoice.total_discount));
    }
    journal::post(tx, ("invoice", &invoice.number), &invoice.order_number, "accounting", &postings).await
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<pb::Invoice>> {
    invoice_store::find(conn, id).await
}

pub async fn list(db: &Db, query: &InvoiceQuery) -> Result<Vec<pb::Invoice>> {
    invoice_store::list(db, query).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use atq_proto::sales::v1::{DispatchLine, OrderLine};

    #[test]
    fn shares_of_a_discount_add_up_to_it_exactly() {
        let parts: Vec<i64> =
            [(0, 1), (1, 2), (3, 4)].iter().map(|&(before, units)| discount_share(100, 7, before, units)).collect();
        assert_eq!(parts, [14, 28, 58]);
        assert_eq!(parts.iter().sum::<i64>(), 100);
        assert_eq!(discount_share(0, 7, 0, 7), 0);
        assert_eq!(discount_share(i64::MAX, 3, 0, 3), i64::MAX, "no overflow on the way");
        assert_eq!(discount_share(100, 7, 7, 1), 0, "never more than the line's discount");
    }

    #[test]
    fn a_second_shipment_takes_the_rest_of_the_discount() {
        let ordered = |shipped| OrderLine {
            line_no: 1,
            quantity: 3,
            unit_price: 1_000,
            vat_rate_bp: 1000,
            discount_amount: 200,
            shipped,
            ..Default::default()
        };
        let dispatch = |quantity| DispatchOrder {
            lines: vec![DispatchLine { line_no: 1, quantity, ..Default::default() }],
            ..Default::default()
        };
        let first = DispatchShipped { order_lines: vec![ordered(1)], ..Default::default() };
        let (lines, vat) = price(&first, &dispatch(1)).unwrap();
        assert_eq!((lines[0].discount_amount, lines[0].net_amount, lines[0].vat_amount), (66, 934, 93));
        assert_eq!(vat[0].net_amount, 934);
        let second = DispatchShipped { order_lines: vec![ordered(3)], ..Default::default() };
        let (lines, _) = price(&second, &dispatch(2)).unwrap();
        assert_eq!((lines[0].discount_amount, lines[0].net_amount), (134, 1_866));
    }
}
