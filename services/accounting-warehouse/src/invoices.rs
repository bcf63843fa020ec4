//! VAT invoices: one per shipment, numbered without gaps within the year's series, with VAT per
//! line rounded half up and summed per rate, and the receivable posted in the same transaction.

use std::collections::BTreeMap;

use atq_platform::business_time::{date_to_proto, local_date, now_micros, to_timestamp};
use atq_platform::currency::with_vat;
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::{Db, Error, Tx, outbox};
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::sales::v1::DispatchShipped;
use chrono::{Datelike, Days, NaiveDate};
use prost::Message;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::journal::{self, Posting};

pub const DEFAULT_PAYMENT_TERMS_DAYS: i64 = 30;

/// The year's invoice series: C (coded by the tax authority), two-digit year, T (e-invoice), AQ.
fn series_of(date: NaiveDate) -> String {
    format!("C{:02}TAQ", date.year() % 100)
}

pub async fn payment_terms(conn: &mut AnyConnection, customer_id: i64) -> Result<(i64, i64)> {
    let terms: Option<(i64, i64)> =
        sqlx::query_as("SELECT credit_limit, payment_terms_days FROM credit_terms WHERE customer_id = $1")
            .bind(customer_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(terms.unwrap_or((0, DEFAULT_PAYMENT_TERMS_DAYS)))
}

/// Issues the invoice of a shipment, once: a shipment seen again changes nothing.
pub async fn issue_for_shipment(tx: &mut Tx, db: &Db, shipped: &DispatchShipped) -> Result<()> {
    let dispatch =
        shipped.dispatch.as_ref().ok_or_else(|| Error::internal(anyhow::anyhow!("shipment without dispatch order")))?;
    let known: Option<i64> = sqlx::query_scalar("SELECT id FROM invoices WHERE dispatch_number = $1")
        .bind(&dispatch.number)
        .fetch_optional(&mut **tx)
        .await?;
    if known.is_some() {
        return Ok(());
    }
    let mut lines = Vec::new();
    let mut by_rate: BTreeMap<i32, (i64, i64)> = BTreeMap::new();
    for (i, line) in dispatch.lines.iter().enumerate() {
        let ordered = shipped
            .order_lines
            .iter()
            .find(|l| l.line_no == line.line_no)
            .ok_or_else(|| Error::internal(anyhow::anyhow!("shipment line {} has no order line", line.line_no)))?;
        let net_amount = line.quantity * ordered.unit_price;
        let vat_amount = with_vat(net_amount, i64::from(ordered.vat_rate_bp)) - net_amount;
        let rate = by_rate.entry(ordered.vat_rate_bp).or_default();
        *rate = (rate.0 + net_amount, rate.1 + vat_amount);
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
    let total_net: i64 = lines.iter().map(|l| l.net_amount).sum();
    let total_vat: i64 = lines.iter().map(|l| l.vat_amount).sum();
    let issued_on = local_date(now_micros());
    let (_, terms) = payment_terms(&mut *tx, dispatch.customer_id).await?;
    let due_on = issued_on.checked_add_days(Days::new(terms.max(0) as u64)).unwrap_or(issued_on);
    let series = series_of(issued_on);
    let sequence = next_in_series(tx, &format!("invoice-{series}")).await?;
    let number = format!("{series}-{sequence:07}");
    let invoice = pb::Invoice {
        id: 0,
        number: number.clone(),
        series: series.clone(),
        sequence,
        customer_id: dispatch.customer_id,
        customer_name: dispatch.customer_name.clone(),
        order_number: dispatch.order_number.clone(),
        dispatch_number: dispatch.number.clone(),
        issue_date: Some(date_to_proto(issued_on)),
        due_date: Some(date_to_proto(due_on)),
        lines,
        vat: by_rate
            .into_iter()
            .map(|(vat_rate_bp, (net_amount, vat_amount))| pb::VatSummary { vat_rate_bp, net_amount, vat_amount })
            .collect(),
        total_net,
        total_vat,
        total_gross: total_net + total_vat,
        paid: 0,
        open_amount: total_net + total_vat,
        status: "open".into(),
        created_at: Some(to_timestamp(now_micros())),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO invoices (number, series, sequence, customer_id, customer_name, order_number, dispatch_number, \
         issue_date, due_date, total_net, total_vat, paid, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13) RETURNING id",
    )
    .bind(&number)
    .bind(&series)
    .bind(sequence)
    .bind(dispatch.customer_id)
    .bind(&dispatch.customer_name)
    .bind(&dispatch.order_number)
    .bind(&dispatch.number)
    .bind(issued_on.to_string())
    .bind(due_on.to_string())
    .bind(total_net)
    .bind(total_vat)
    .bind(invoice.encode_to_vec())
    .bind(now_micros())
    .fetch_one(&mut **tx)
    .await?;
    journal::post(
        tx,
        ("invoice", &number),
        &dispatch.order_number,
        "accounting",
        &[
            Posting::debit(journal::RECEIVABLE, total_net + total_vat).for_customer(dispatch.customer_id),
            Posting::credit("511", total_net),
            Posting::credit("3331", total_vat),
        ],
    )
    .await?;
    let event = pb::InvoiceIssued { invoice: Some(pb::Invoice { id, ..invoice }) };
    outbox::append(tx, db.backend(), "invoice", &id.to_string(), "atq.accountingwarehouse.v1.InvoiceIssued", &event)
        .await?;
    metrics::counter!("atq_invoices_issued_total").increment(1);
    tracing::info!(invoice = %number, dispatch = %dispatch.number, "invoice issued");
    Ok(())
}

const COLUMNS: &str = "id, number, customer_id, total_net, total_vat, paid, body";

fn from_row(row: &AnyRow) -> Result<pb::Invoice> {
    let body: Vec<u8> = row.try_get("body")?;
    let stored = pb::Invoice::decode(body.as_slice())?;
    let total: i64 = row.try_get::<i64, _>("total_net")? + row.try_get::<i64, _>("total_vat")?;
    let paid: i64 = row.try_get("paid")?;
    Ok(pb::Invoice {
        id: row.try_get("id")?,
        paid,
        open_amount: total - paid,
        status: if paid >= total { "paid".into() } else { "open".into() },
        ..stored
    })
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<pb::Invoice>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM invoices WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn list(db: &Db, customer_id: i64, status: &str, after_id: i64, limit: i64) -> Result<Vec<pb::Invoice>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM invoices WHERE id > $1 AND ($2 = 0 OR customer_id = $2) \
         AND ($3 = '' OR ($3 = 'paid' AND paid >= total_net + total_vat) OR ($3 = 'open' AND paid < total_net + total_vat)) \
         ORDER BY id LIMIT $4"
    ))
    .bind(after_id)
    .bind(customer_id)
    .bind(status)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// An invoice not yet fully paid.
pub struct OpenItem {
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub open_amount: i64,
    pub due_on: NaiveDate,
}

/// Open invoices of one customer (or of all, for 0), oldest due first.
pub async fn open_items(conn: &mut AnyConnection, customer_id: i64) -> Result<Vec<OpenItem>> {
    let rows: Vec<(i64, String, i64, String, i64, String)> = sqlx::query_as(
        "SELECT id, number, customer_id, customer_name, total_net + total_vat - paid, due_date FROM invoices \
         WHERE ($1 = 0 OR customer_id = $1) AND paid < total_net + total_vat ORDER BY due_date, id",
    )
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(id, number, customer_id, customer_name, open_amount, due)| {
            Ok(OpenItem {
                id,
                number,
                customer_id,
                customer_name,
                open_amount,
                due_on: due.parse().map_err(Error::internal)?,
            })
        })
        .collect()
}
