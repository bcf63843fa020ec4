//! Quote rows and their lines.

use atq_platform::business_time::{date_to_proto, local_date, now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::paging::Page;
use atq_platform::{Db, Error, Office, Tx};
use atq_proto::sales::v1 as pb;
use chrono::{Datelike, NaiveDate};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::customer::CustomerGroup;
use crate::customer_store::CustomerRow;
use crate::order::document_totals;
use crate::quote::{NewQuote, QuoteStatus, effective_status};

const HEAD: &str = "q.id, q.number, q.customer_id, c.code AS customer_code, c.name AS customer_name, \
                    c.customer_group, q.office, q.status, q.valid_until, q.note, q.total_net, q.total_vat, \
                    q.created_by, q.decision_note, q.order_id, q.version, q.created_at, q.updated_at, q.sent_at, \
                    q.decided_at, q.price_list, q.opportunity_id";
const LINES: &str = "line_no, product_id, model_code, product_name, supplier_id, quantity, unit_price, discount_bp, \
                     net_unit_price, vat_rate_bp, net_amount, vat_amount, promotion_discount, promotions";

#[derive(Clone, Debug)]
pub struct QuoteRow {
    pub id: i64,
    pub customer_id: i64,
    pub office: Office,
    /// As stored (never "expired").
    pub stored_status: QuoteStatus,
    pub valid_until: NaiveDate,
    pub proto: pb::Quote,
}

impl QuoteRow {
    /// The status as of today: an open quote past its date reads as expired.
    pub fn status(&self) -> QuoteStatus {
        effective_status(self.stored_status, self.valid_until, local_date(now_micros()))
    }
}

fn optional_time(micros: i64) -> Option<prost_types::Timestamp> {
    (micros > 0).then(|| to_timestamp(micros))
}

fn head_from_row(row: &AnyRow, today: NaiveDate) -> Result<QuoteRow> {
    let office_code: String = row.try_get("office")?;
    let office = Office::parse(&office_code)
        .map_err(|_| Error::internal(anyhow::anyhow!("stored quote has bad office {office_code:?}")))?;
    let valid_text: String = row.try_get("valid_until")?;
    let valid_until: NaiveDate = valid_text
        .parse()
        .map_err(|_| Error::internal(anyhow::anyhow!("stored quote has bad validity date {valid_text:?}")))?;
    let stored_status = QuoteStatus::stored(&row.try_get::<String, _>("status")?)?;
    let group: String = row.try_get("customer_group")?;
    let total_net: i64 = row.try_get("total_net")?;
    let total_vat: i64 = row.try_get("total_vat")?;
    let proto = pb::Quote {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        customer_id: row.try_get("customer_id")?,
        customer_code: row.try_get("customer_code")?,
        customer_name: row.try_get("customer_name")?,
        customer_group: CustomerGroup::parse(&group).map(|g| g.to_proto() as i32).unwrap_or_default(),
        office: office.to_proto() as i32,
        status: effective_status(stored_status, valid_until, today).as_str().to_owned(),
        valid_until: Some(date_to_proto(valid_until)),
        note: row.try_get("note")?,
        lines: Vec::new(),
        total_net,
        total_vat,
        total_gross: total_net + total_vat,
        created_by: row.try_get("created_by")?,
        decision_note: row.try_get("decision_note")?,
        order_id: row.try_get("order_id")?,
        version: row.try_get("version")?,
        created_at: Some(to_timestamp(row.try_get("created_at")?)),
        updated_at: Some(to_timestamp(row.try_get("updated_at")?)),
        sent_at: optional_time(row.try_get("sent_at")?),
        decided_at: optional_time(row.try_get("decided_at")?),
        price_list: row.try_get("price_list")?,
        opportunity_id: row.try_get::<Option<i64>, _>("opportunity_id")?.unwrap_or_default(),
    };
    Ok(QuoteRow { id: proto.id, customer_id: proto.customer_id, office, stored_status, valid_until, proto })
}

fn line_from_row(row: &AnyRow) -> Result<pb::QuoteLine> {
    Ok(pb::QuoteLine {
        line_no: row.try_get::<i64, _>("line_no")? as i32,
        product_id: row.try_get("product_id")?,
        model_code: row.try_get("model_code")?,
        product_name: row.try_get("product_name")?,
        supplier_id: row.try_get("supplier_id")?,
        quantity: row.try_get("quantity")?,
        unit_price: row.try_get("unit_price")?,
        discount_bp: row.try_get::<i64, _>("discount_bp")? as i32,
        net_unit_price: row.try_get("net_unit_price")?,
        vat_rate_bp: row.try_get::<i64, _>("vat_rate_bp")? as i32,
        net_amount: row.try_get("net_amount")?,
        vat_amount: row.try_get("vat_amount")?,
        promotion_discount: row.try_get("promotion_discount")?,
        promotions: row.try_get::<String, _>("promotions")?.lines().map(str::to_owned).collect(),
    })
}

#[tracing::instrument(level = "debug", skip(conn))]
pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<QuoteRow>> {
    let head =
        sqlx::query(&format!("SELECT {HEAD} FROM quotes q JOIN customers c ON c.id = q.customer_id WHERE q.id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(head) = head else { return Ok(None) };
    let mut quote = head_from_row(&head, local_date(now_micros()))?;
    let lines = sqlx::query(&format!("SELECT {LINES} FROM quote_lines WHERE quote_id = $1 ORDER BY line_no"))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    quote.proto.lines = lines.iter().map(line_from_row).collect::<Result<_>>()?;
    Ok(Some(quote))
}

#[tracing::instrument(level = "debug", skip_all, fields(customer_id = customer.id))]
pub async fn insert(
    tx: &mut Tx,
    quote: &NewQuote,
    customer: &CustomerRow,
    by: &str,
    opportunity_id: Option<i64>,
) -> Result<i64> {
    let year = local_date(now_micros()).year();
    let number = format!("BG-{year}-{:04}", next_in_series(tx, &format!("quote-{year}")).await?);
    let (total_net, total_vat) = document_totals(quote.lines.iter().map(|l| (l.net_amount, l.vat_amount)))
        .ok_or_else(|| Error::invalid("lines", "the document's total is too large"))?;
    let now = now_micros();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO quotes (number, customer_id, office, status, valid_until, note, total_net, total_vat, created_by, \
         decision_note, order_id, version, created_at, updated_at, sent_at, decided_at, price_list, opportunity_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '', 0, 1, $10, $10, 0, 0, $11, $12) RETURNING id",
    )
    .bind(&number)
    .bind(customer.id)
    .bind(customer.fields.office.code())
    .bind(QuoteStatus::Draft.as_str())
    .bind(quote.valid_until.to_string())
    .bind(&quote.note)
    .bind(total_net)
    .bind(total_vat)
    .bind(by)
    .bind(now)
    .bind(&quote.price_list)
    .bind(opportunity_id)
    .fetch_one(&mut **tx)
    .await?;
    for line in &quote.lines {
        sqlx::query(
            "INSERT INTO quote_lines (quote_id, line_no, product_id, model_code, product_name, supplier_id, quantity, \
             unit_price, discount_bp, net_unit_price, vat_rate_bp, net_amount, vat_amount, promotion_discount, \
             promotions) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(id)
        .bind(line.line_no)
        .bind(line.product_id)
        .bind(&line.model_code)
        .bind(&line.product_name)
        .bind(line.supplier_id)
        .bind(line.quantity)
        .bind(line.unit_price)
        .bind(line.discount_bp)
        .bind(line.net_unit_price)
        .bind(line.vat_rate_bp)
        .bind(line.net_amount)
        .bind(line.vat_amount)
        .bind(line.promotion_discount)
        .bind(line.promotions.join("\n"))
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

/// Moves a quote on (sent, accepted, rejected) if nobody moved it first.
#[tracing::instrument(level = "debug", skip_all, fields(quote_id = quote.id, to = %to))]
pub async fn advance(tx: &mut Tx, quote: &QuoteRow, to: QuoteStatus, note: &str) -> Result<()> {
    let now = now_micros();
    let sent_at = if to == QuoteStatus::Sent { now } else { 0 };
    let decided_at = if to == QuoteStatus::Accepted || to == QuoteStatus::Rejected { now } else { 0 };
    let moved = sqlx::query(
        "UPDATE quotes SET status = $1, decision_note = $2, version = version + 1, updated_at = $3, \
         sent_at = CASE WHEN $4 > 0 THEN $4 ELSE sent_at END, decided_at = CASE WHEN $5 > 0 THEN $5 ELSE decided_at END \
         WHERE id = $6 AND version = $7",
    )
    .bind(to.as_str())
    .bind(note)
    .bind(now)
    .bind(sent_at)
    .bind(decided_at)
    .bind(quote.id)
    .bind(quote.proto.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if moved == 1 {
        Ok(())
    } else {
        Err(Error::Conflict(format!("quote {} changed meanwhile, read it again", quote.proto.number)))
    }
}

/// Ties the quote to the order made from it; only one order per quote.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn link_order(tx: &mut Tx, quote_id: i64, order_id: i64) -> Result<()> {
    let linked = sqlx::query(
        "UPDATE quotes SET order_id = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND order_id = 0",
    )
    .bind(order_id)
    .bind(now_micros())
    .bind(quote_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if linked == 1 { Ok(()) } else { Err(Error::Conflict(format!("quote {quote_id} already has an order"))) }
}

pub struct QuoteFilter {
    pub customer_id: i64,
    /// 0: any.
    pub opportunity_id: i64,
    pub status: String,
    pub office: Option<Office>,
    pub page: Page,
}

/// Quote heads (without lines) for a list; "expired" is read from the validity date.
#[tracing::instrument(level = "debug", skip_all, fields(customer_id = filter.customer_id, status = %filter.status))]
pub async fn list(db: &Db, filter: &QuoteFilter) -> Result<Vec<QuoteRow>> {
    let today = local_date(now_micros());
    let rows = sqlx::query(&format!(
        "SELECT {HEAD} FROM quotes q JOIN customers c ON c.id = q.customer_id WHERE q.id > $1 \
         AND ($2 = 0 OR q.customer_id = $2) AND ($3 = '' OR q.office = $3) AND ($10 = 0 OR q.opportunity_id = $10) \
         AND (CASE WHEN q.status IN ($4, $5) AND q.valid_until < $6 THEN $7 ELSE q.status END = $8 OR $8 = '') \
         ORDER BY q.id LIMIT $9"
    ))
    .bind(filter.page.after_id)
    .bind(filter.customer_id)
    .bind(filter.office.map(Office::code).unwrap_or(""))
    .bind(QuoteStatus::Draft.as_str())
    .bind(QuoteStatus::Sent.as_str())
    .bind(today.to_string())
    .bind(QuoteStatus::Expired.as_str())
    .bind(&filter.status)
    .bind(filter.page.fetch_limit())
    .bind(filter.opportunity_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|row| head_from_row(row, today)).collect()
}
