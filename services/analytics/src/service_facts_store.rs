//! The tables of customer requests and warranty cases, one row each as its newest event shows
//! it, and the units sold per product the failure rate divides by.

use atq_platform::error::Result;
use atq_platform::{Db, Office, Tx};
use chrono::NaiveDate;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::service_facts::{CaseFact, RequestFact};

/// Writes the request as the event at `position` shows it, unless the table has a later event.
#[tracing::instrument(level = "debug", skip_all, fields(request_id = fact.request_id, position))]
pub async fn record_request(tx: &mut Tx, fact: &RequestFact, position: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO service_request_facts (request_id, number, office, kind, priority, department, channel, status, \
         received_at, received_on, first_response_at, resolved_at, first_response_target, resolution_target, \
         first_response_minutes, resolution_minutes, first_response_due_at, resolution_due_at, \
         first_response_breached, resolution_breached, position) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) \
         ON CONFLICT (request_id) DO UPDATE SET number = excluded.number, office = excluded.office, \
         kind = excluded.kind, priority = excluded.priority, department = excluded.department, \
         channel = excluded.channel, status = excluded.status, received_at = excluded.received_at, \
         received_on = excluded.received_on, first_response_at = excluded.first_response_at, \
         resolved_at = excluded.resolved_at, first_response_target = excluded.first_response_target, \
         resolution_target = excluded.resolution_target, first_response_minutes = excluded.first_response_minutes, \
         resolution_minutes = excluded.resolution_minutes, first_response_due_at = excluded.first_response_due_at, \
         resolution_due_at = excluded.resolution_due_at, first_response_breached = excluded.first_response_breached, \
         resolution_breached = excluded.resolution_breached, position = excluded.position \
         WHERE service_request_facts.position < excluded.position",
    )
    .bind(fact.request_id)
    .bind(&fact.number)
    .bind(&fact.office)
    .bind(&fact.kind)
    .bind(&fact.priority)
    .bind(&fact.department)
    .bind(&fact.channel)
    .bind(&fact.status)
    .bind(fact.received_at)
    .bind(&fact.received_on)
    .bind(fact.first_response_at)
    .bind(fact.resolved_at)
    .bind(fact.first_response_target)
    .bind(fact.resolution_target)
    .bind(fact.first_response_minutes)
    .bind(fact.resolution_minutes)
    .bind(fact.first_response_due_at)
    .bind(fact.resolution_due_at)
    .bind(i64::from(fact.first_response_breached))
    .bind(i64::from(fact.resolution_breached))
    .bind(position)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes the case as the event at `position` shows it, unless the table has a later event.
#[tracing::instrument(level = "debug", skip_all, fields(case_id = fact.case_id, position))]
pub async fn record_case(tx: &mut Tx, fact: &CaseFact, position: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO warranty_case_facts (case_id, number, office, product_id, model_code, serial, supplier_id, \
         supplier_code, supplier_name, status, decision, covered, opened_on, rma_number, rma_shipped_on, \
         rma_received_on, rma_outcome, position) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
         ON CONFLICT (case_id) DO UPDATE SET number = excluded.number, office = excluded.office, \
         product_id = excluded.product_id, model_code = excluded.model_code, serial = excluded.serial, \
         supplier_id = excluded.supplier_id, supplier_code = excluded.supplier_code, \
         supplier_name = excluded.supplier_name, status = excluded.status, decision = excluded.decision, \
         covered = excluded.covered, opened_on = excluded.opened_on, rma_number = excluded.rma_number, \
         rma_shipped_on = excluded.rma_shipped_on, rma_received_on = excluded.rma_received_on, \
         rma_outcome = excluded.rma_outcome, position = excluded.position \
         WHERE warranty_case_facts.position < excluded.position",
    )
    .bind(fact.case_id)
    .bind(&fact.number)
    .bind(&fact.office)
    .bind(fact.product_id)
    .bind(&fact.model_code)
    .bind(&fact.serial)
    .bind(fact.supplier_id)
    .bind(&fact.supplier_code)
    .bind(&fact.supplier_name)
    .bind(&fact.status)
    .bind(&fact.decision)
    .bind(i64::from(fact.covered))
    .bind(&fact.opened_on)
    .bind(&fact.rma_number)
    .bind(&fact.rma_shipped_on)
    .bind(&fact.rma_received_on)
    .bind(&fact.rma_outcome)
    .bind(position)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn request_from_row(row: &AnyRow) -> Result<RequestFact> {
    let flag = |name: &str| -> Result<bool> { Ok(row.try_get::<i64, _>(name)? != 0) };
    Ok(RequestFact {
        request_id: row.try_get("request_id")?,
        number: row.try_get("number")?,
        office: row.try_get("office")?,
        kind: row.try_get("kind")?,
        priority: row.try_get("priority")?,
        department: row.try_get("department")?,
        channel: row.try_get("channel")?,
        status: row.try_get("status")?,
        received_at: row.try_get("received_at")?,
        received_on: row.try_get("received_on")?,
        first_response_at: row.try_get("first_response_at")?,
        resolved_at: row.try_get("resolved_at")?,
        first_response_target: row.try_get("first_response_target")?,
        resolution_target: row.try_get("resolution_target")?,
        first_response_minutes: row.try_get("first_response_minutes")?,
        resolution_minutes: row.try_get("resolution_minutes")?,
        first_response_due_at: row.try_get("first_response_due_at")?,
        resolution_due_at: row.try_get("resolution_due_at")?,
        first_response_breached: flag("first_response_breached")?,
        resolution_breached: flag("resolution_breached")?,
    })
}

/// Requests received between two local dates (inclusive), of one office when given.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn requests(db: &Db, from: NaiveDate, to: NaiveDate, office: Option<Office>) -> Result<Vec<RequestFact>> {
    let rows = sqlx::query(
        "SELECT * FROM service_request_facts WHERE received_on >= $1 AND received_on <= $2 \
         AND ($3 = '' OR office = $3) ORDER BY request_id",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(office.map_or("", |o| o.code()))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(request_from_row).collect()
}

fn case_from_row(row: &AnyRow) -> Result<CaseFact> {
    Ok(CaseFact {
        case_id: row.try_get("case_id")?,
        number: row.try_get("number")?,
        office: row.try_get("office")?,
        product_id: row.try_get("product_id")?,
        model_code: row.try_get("model_code")?,
        serial: row.try_get("serial")?,
        supplier_id: row.try_get("supplier_id")?,
        supplier_code: row.try_get("supplier_code")?,
        supplier_name: row.try_get("supplier_name")?,
        status: row.try_get("status")?,
        decision: row.try_get("decision")?,
        covered: row.try_get::<i64, _>("covered")? != 0,
        opened_on: row.try_get("opened_on")?,
        rma_number: row.try_get("rma_number")?,
        rma_shipped_on: row.try_get("rma_shipped_on")?,
        rma_received_on: row.try_get("rma_received_on")?,
        rma_outcome: row.try_get("rma_outcome")?,
    })
}

/// Cases opened, sent to the supplier or received back from it between two local dates, of one
/// office when given.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn cases(db: &Db, from: NaiveDate, to: NaiveDate, office: Option<Office>) -> Result<Vec<CaseFact>> {
    let rows = sqlx::query(
        "SELECT * FROM warranty_case_facts WHERE ((opened_on >= $1 AND opened_on <= $2) \
         OR (rma_shipped_on >= $1 AND rma_shipped_on <= $2) OR (rma_received_on >= $1 AND rma_received_on <= $2)) \
         AND ($3 = '' OR office = $3) ORDER BY case_id",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(office.map_or("", |o| o.code()))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(case_from_row).collect()
}

/// Units of each product per local month (`YYYY-MM`) on confirmed orders not cancelled.
#[tracing::instrument(level = "debug", skip(db, products))]
pub async fn units_sold(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
    office: Option<Office>,
    products: &[i64],
) -> Result<Vec<(String, i64, i64)>> {
    if products.is_empty() {
        return Ok(Vec::new());
    }
    let ids = products.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    // The ids are integers formatted here, never text from a caller.
    let rows = sqlx::query_as::<_, (String, i64, i64)>(&format!(
        "SELECT o.month, l.product_id, CAST(SUM(l.quantity) AS BIGINT) FROM sales_orders o \
         JOIN sales_order_lines l ON l.order_id = o.order_id \
         WHERE o.cancelled_at = 0 AND o.confirmed_on >= $1 AND o.confirmed_on <= $2 \
         AND ($3 = '' OR o.office = $3) AND l.product_id IN ({ids}) \
         GROUP BY o.month, l.product_id"
    ))
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(office.map_or("", |o| o.code()))
    .fetch_all(db.pool())
    .await?;
    Ok(rows)
}
