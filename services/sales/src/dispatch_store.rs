//! Dispatch order rows (lệnh xuất bán) and what they do to their order's lines.

use atq_platform::business_time::{local_date, now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::paging::Page;
use atq_platform::{Db, Error, Office, Tx};
use atq_proto::sales::v1 as pb;
use chrono::Datelike;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::dispatch::DispatchStatus;

const HEAD: &str = "d.id, d.number, d.order_id, o.number AS order_number, o.customer_id, c.name AS customer_name, d.office, \
                    d.warehouse, d.status, d.requested_by, d.decided_by, d.decision_note, d.goods_issue_number, \
                    d.cost_amount, d.version, d.created_at, d.updated_at, d.shipped_at, d.delivered_at";
const FROM: &str = "dispatch_orders d JOIN orders o ON o.id = d.order_id JOIN customers c ON c.id = o.customer_id";

#[derive(Clone, Debug)]
pub struct DispatchRow {
    pub id: i64,
    pub office: Office,
    pub status: DispatchStatus,
    pub proto: pb::DispatchOrder,
}

fn office_of(text: &str) -> Result<Office> {
    Office::parse(text).map_err(|_| Error::internal(anyhow::anyhow!("stored dispatch order has bad office {text:?}")))
}

fn instant(micros: i64) -> Option<prost_types::Timestamp> {
    (micros > 0).then(|| to_timestamp(micros))
}

fn head_from_row(row: &AnyRow) -> Result<DispatchRow> {
    let office = office_of(&row.try_get::<String, _>("office")?)?;
    let warehouse = office_of(&row.try_get::<String, _>("warehouse")?)?;
    let proto = pb::DispatchOrder {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        order_id: row.try_get("order_id")?,
        order_number: row.try_get("order_number")?,
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        office: office.to_proto() as i32,
        warehouse: warehouse.to_proto() as i32,
        status: row.try_get("status")?,
        lines: Vec::new(),
        requested_by: row.try_get("requested_by")?,
        decided_by: row.try_get("decided_by")?,
        decision_note: row.try_get("decision_note")?,
        goods_issue_number: row.try_get("goods_issue_number")?,
        cost_amount: row.try_get("cost_amount")?,
        version: row.try_get("version")?,
        created_at: instant(row.try_get("created_at")?),
        updated_at: instant(row.try_get("updated_at")?),
        shipped_at: instant(row.try_get("shipped_at")?),
        delivered_at: instant(row.try_get("delivered_at")?),
    };
    Ok(DispatchRow { id: proto.id, office, status: DispatchStatus::stored(&proto.status)?, proto })
}

#[tracing::instrument(level = "debug", skip(conn))]
pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<DispatchRow>> {
    let head =
        sqlx::query(&format!("SELECT {HEAD} FROM {FROM} WHERE d.id = $1")).bind(id).fetch_optional(&mut *conn).await?;
    let Some(head) = head else { return Ok(None) };
    let mut dispatch = head_from_row(&head)?;
    let lines: Vec<(i64, i64, String, i64, String)> = sqlx::query_as(
        "SELECT line_no, product_id, model_code, quantity, serials FROM dispatch_lines WHERE dispatch_id = $1 ORDER BY line_no",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    dispatch.proto.lines = lines
        .into_iter()
        .map(|(line_no, product_id, model_code, quantity, serials)| pb::DispatchLine {
            line_no: line_no as i32,
            product_id,
            model_code,
            quantity,
            serials: serde_json::from_str(&serials).unwrap_or_default(),
        })
        .collect();
    Ok(Some(dispatch))
}

/// Per order line, the units on dispatch orders that were not rejected.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn dispatched(conn: &mut AnyConnection, order_id: i64) -> Result<Vec<(i64, i64)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT l.line_no, CAST(SUM(l.quantity) AS BIGINT) FROM dispatch_lines l JOIN dispatch_orders d ON d.id = l.dispatch_id \
         WHERE d.order_id = $1 AND d.status <> $2 GROUP BY l.line_no",
    )
    .bind(order_id)
    .bind(DispatchStatus::Rejected.as_str())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows)
}

/// Dispatch orders of an order that are still open (not rejected, not yet shipped).
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn open_count(conn: &mut AnyConnection, order_id: i64) -> Result<i64> {
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM dispatch_orders WHERE order_id = $1 AND status IN ($2, $3, $4)")
            .bind(order_id)
            .bind(DispatchStatus::Requested.as_str())
            .bind(DispatchStatus::Approved.as_str())
            .bind(DispatchStatus::Shipping.as_str())
            .fetch_one(&mut *conn)
            .await?;
    Ok(count)
}

pub struct NewDispatchLine {
    pub line_no: i64,
    pub product_id: i64,
    pub model_code: String,
    pub quantity: i64,
}

#[tracing::instrument(level = "debug", skip(tx, lines))]
pub async fn insert(
    tx: &mut Tx,
    order_id: i64,
    office: Office,
    warehouse: Office,
    lines: &[NewDispatchLine],
    by: &str,
) -> Result<i64> {
    let year = local_date(now_micros()).year();
    let number = format!("LX-{year}-{:04}", next_in_series(tx, &format!("dispatch-{year}")).await?);
    let now = now_micros();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO dispatch_orders (number, order_id, office, warehouse, status, requested_by, decided_by, decision_note, \
         goods_issue_number, cost_amount, version, created_at, updated_at, shipped_at, delivered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, '', '', '', 0, 1, $7, $7, 0, 0) RETURNING id",
    )
    .bind(&number)
    .bind(order_id)
    .bind(office.code())
    .bind(warehouse.code())
    .bind(DispatchStatus::Requested.as_str())
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    for line in lines {
        sqlx::query(
            "INSERT INTO dispatch_lines (dispatch_id, line_no, product_id, model_code, quantity, serials) \
             VALUES ($1, $2, $3, $4, $5, '[]')",
        )
        .bind(id)
        .bind(line.line_no)
        .bind(line.product_id)
        .bind(&line.model_code)
        .bind(line.quantity)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

/// What changes with a move to the next status.
#[derive(Default)]
pub struct Transition<'a> {
    pub decided_by: Option<&'a str>,
    pub decision_note: Option<&'a str>,
    pub goods_issue: Option<(&'a str, i64)>,
    pub shipped: bool,
    pub delivered: bool,
}

/// Moves a dispatch order from its status to `to`, if nobody moved it first.
#[tracing::instrument(level = "debug", skip_all, fields(dispatch_id = dispatch.id, to = %to))]
pub async fn advance(tx: &mut Tx, dispatch: &DispatchRow, to: DispatchStatus, change: Transition<'_>) -> Result<()> {
    let now = now_micros();
    let (issue_number, cost) = change.goods_issue.unwrap_or(("", 0));
    let moved = sqlx::query(
        "UPDATE dispatch_orders SET status = $1, version = version + 1, updated_at = $2, \
         decided_by = CASE WHEN $3 <> '' THEN $3 ELSE decided_by END, \
         decision_note = CASE WHEN $4 <> '' THEN $4 ELSE decision_note END, \
         goods_issue_number = CASE WHEN $5 <> '' THEN $5 ELSE goods_issue_number END, \
         cost_amount = CASE WHEN $5 <> '' THEN $6 ELSE cost_amount END, \
         shipped_at = CASE WHEN $7 = 1 THEN $2 ELSE shipped_at END, \
         delivered_at = CASE WHEN $8 = 1 THEN $2 ELSE delivered_at END \
         WHERE id = $9 AND status = $10",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(change.decided_by.unwrap_or(""))
    .bind(change.decision_note.unwrap_or(""))
    .bind(issue_number)
    .bind(cost)
    .bind(i64::from(change.shipped))
    .bind(i64::from(change.delivered))
    .bind(dispatch.id)
    .bind(dispatch.status.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if moved == 1 {
        Ok(())
    } else {
        Err(Error::Conflict(format!("dispatch order {} changed meanwhile, try again", dispatch.proto.number)))
    }
}

#[tracing::instrument(level = "debug", skip(tx, serials))]
pub async fn record_serials(tx: &mut Tx, dispatch_id: i64, line_no: i64, serials: &[String]) -> Result<()> {
    sqlx::query("UPDATE dispatch_lines SET serials = $1 WHERE dispatch_id = $2 AND line_no = $3")
        .bind(serde_json::to_string(serials).map_err(Error::internal)?)
        .bind(dispatch_id)
        .bind(line_no)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Adds a dispatch order's units to its order lines' `shipped` or `delivered` figure.
#[tracing::instrument(level = "debug", skip(tx, dispatch), fields(dispatch_id = dispatch.id))]
pub async fn add_to_order_lines(tx: &mut Tx, dispatch: &pb::DispatchOrder, column: &str) -> Result<()> {
    let column = if column == "delivered" { "delivered" } else { "shipped" };
    for line in &dispatch.lines {
        sqlx::query(&format!("UPDATE order_lines SET {column} = {column} + $1 WHERE order_id = $2 AND line_no = $3"))
            .bind(line.quantity)
            .bind(dispatch.order_id)
            .bind(i64::from(line.line_no))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub struct DispatchFilter {
    pub order_id: i64,
    pub status: String,
    pub office: Option<Office>,
    pub page: Page,
}

#[tracing::instrument(level = "debug", skip_all, fields(order_id = filter.order_id, status = %filter.status))]
pub async fn list(db: &Db, filter: &DispatchFilter) -> Result<Vec<DispatchRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {HEAD} FROM {FROM} WHERE d.id > $1 AND ($2 = 0 OR d.order_id = $2) AND ($3 = '' OR d.status = $3) \
         AND ($4 = '' OR d.office = $4) ORDER BY d.id LIMIT $5"
    ))
    .bind(filter.page.after_id)
    .bind(filter.order_id)
    .bind(&filter.status)
    .bind(filter.office.map(Office::code).unwrap_or(""))
    .bind(filter.page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(head_from_row).collect()
}
