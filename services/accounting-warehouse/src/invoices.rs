//! VAT invoices: one per shipment, numbered without gaps within the year's series, with VAT per
//! line rounded half up and summed per rate, and the receivable posted in the same transaction.

use std::collections::BTreeMap;

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

/// The invoice lines of a shipment at the ordered prices, and the VAT summed per rate.
fn price(shipped: &DispatchShipped, dispatch: &DispatchOrder) -> Result<(Vec<pb::InvoiceLine>, Vec<pb::VatSummary>)> {
    let mut lines = Vec::new();
    let mut by_rate: BTreeMap<i32, (i64, i64)> = BTreeMap::new();
    for (i, line) in dispatch.lines.iter().enumerate() {
        let ordered = shipped
            .order_lines
            .iter()
            .find(|l| l.line_no == line.line_no)
            .ok_or_else(|| Error::internal(anyhow::anyhow!("shipment line {} has no order line", line.line_no)))?;
        // Sales holds its lines within the amount bound; a product past 64 bits is refused, not wrapped.
        let net_amount = line.quantity.checked_mul(ordered.unit_price).ok_or_else(|| {
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
        });
    }
    let vat = by_rate
        .into_iter()
        .map(|(vat_rate_bp, (net_amount, vat_amount))| pb::VatSummary { vat_rate_bp, net_amount, vat_amount })
        .collect();
    Ok((lines, vat))
}

/// The customer owes the gross amount: revenue and the VAT due to the state.
async fn post(tx: &mut Tx, invoice: &pb::Invoice) -> Result<()> {
    let postings = [
        Posting::debit(journal::RECEIVABLE, invoice.total_gross).for_customer(invoice.customer_id),
        Posting::credit("511", invoice.total_net),
        Posting::credit("3331", invoice.total_vat),
    ];
    journal::post(tx, ("invoice", &invoice.number), &invoice.order_number, "accounting", &postings).await
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<pb::Invoice>> {
    invoice_store::find(conn, id).await
}

pub async fn list(db: &Db, query: &InvoiceQuery) -> Result<Vec<pb::Invoice>> {
    invoice_store::list(db, query).await
}
