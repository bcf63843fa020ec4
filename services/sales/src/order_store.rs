//! Order rows and their lines.

use atq_platform::business_time::{date_to_proto, local_date, now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::paging::Page;
use atq_platform::{Db, Error, Office, Tx};
use atq_proto::accountingwarehouse::v1::Reservation;
use atq_proto::sales::v1 as pb;
use chrono::{Datelike, NaiveDate};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::customer::CustomerGroup;
use crate::customer_store::CustomerRow;
use crate::order::{NewOrder, OrderStatus, document_totals};

const HEAD: &str = "o.id, o.number, o.customer_id, c.code AS customer_code, c.name AS customer_name, \
                    c.customer_group, o.office, o.warehouse, o.status, o.note, o.total_net, o.total_vat, o.total_discount, o.created_by, \
                    o.version, o.created_at, o.updated_at, o.confirmed_at, o.quote_id, o.contract_id, \
                    o.import_plan_number, o.import_plan_revision, \
                    COALESCE((SELECT q.number FROM quotes q WHERE q.id = o.quote_id), '') AS quote_number, \
                    COALESCE((SELECT k.number FROM contracts k WHERE k.id = o.contract_id), '') AS contract_number";
const LINES: &str = "line_no, product_id, model_code, product_name, supplier_id, quantity, unit_price, vat_rate_bp, \
                     delivery_date, net_amount, vat_amount, reserved, shipped, delivered, promised_on, supply_note, \
                     discount_amount, promotions";

#[derive(Clone, Debug)]
pub struct OrderRow {
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub office: Office,
    pub warehouse: Office,
    pub status: OrderStatus,
    pub proto: pb::Order,
}

fn office_of(text: &str) -> Result<Office> {
    Office::parse(text).map_err(|_| Error::internal(anyhow::anyhow!("stored order has bad office {text:?}")))
}

fn head_from_row(row: &AnyRow) -> Result<OrderRow> {
    let office = office_of(&row.try_get::<String, _>("office")?)?;
    let warehouse = office_of(&row.try_get::<String, _>("warehouse")?)?;
    let group: String = row.try_get("customer_group")?;
    let confirmed_at: i64 = row.try_get("confirmed_at")?;
    let total_net: i64 = row.try_get("total_net")?;
    let total_vat: i64 = row.try_get("total_vat")?;
    let proto = pb::Order {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        customer_id: row.try_get("customer_id")?,
        customer_code: row.try_get("customer_code")?,
        customer_name: row.try_get("customer_name")?,
        customer_group: CustomerGroup::parse(&group).map(|g| g.to_proto() as i32).unwrap_or_default(),
        office: office.to_proto() as i32,
        warehouse: warehouse.to_proto() as i32,
        status: row.try_get("status")?,
        note: row.try_get("note")?,
        lines: Vec::new(),
        total_net,
        total_vat,
        total_gross: total_net + total_vat,
        created_by: row.try_get("created_by")?,
        version: row.try_get("version")?,
        created_at: Some(to_timestamp(row.try_get("created_at")?)),
        updated_at: Some(to_timestamp(row.try_get("updated_at")?)),
        confirmed_at: (confirmed_at > 0).then(|| to_timestamp(confirmed_at)),
        quote_id: row.try_get("quote_id")?,
        quote_number: row.try_get("quote_number")?,
        contract_id: row.try_get("contract_id")?,
        contract_number: row.try_get("contract_number")?,
        import_plan_number: row.try_get("import_plan_number")?,
        import_plan_revision: row.try_get("import_plan_revision")?,
        total_discount: row.try_get("total_discount")?,
    };
    Ok(OrderRow {
        id: proto.id,
        number: proto.number.clone(),
        customer_id: proto.customer_id,
        office,
        warehouse,
        status: OrderStatus::stored(&proto.status)?,
        proto,
    })
}

fn line_from_row(row: &AnyRow, confirmed: bool) -> Result<pb::OrderLine> {
    let quantity: i64 = row.try_get("quantity")?;
    let reserved: i64 = row.try_get("reserved")?;
    let delivered: i64 = row.try_get("delivered")?;
    let shipped: i64 = row.try_get("shipped")?;
    let delivery_date: String = row.try_get("delivery_date")?;
    let promised_on: String = row.try_get("promised_on")?;
    Ok(pb::OrderLine {
        line_no: row.try_get::<i64, _>("line_no")? as i32,
        product_id: row.try_get("product_id")?,
        model_code: row.try_get("model_code")?,
        product_name: row.try_get("product_name")?,
        supplier_id: row.try_get("supplier_id")?,
        quantity,
        unit_price: row.try_get("unit_price")?,
        vat_rate_bp: row.try_get::<i64, _>("vat_rate_bp")? as i32,
        delivery_date: delivery_date.parse().ok().map(date_to_proto),
        net_amount: row.try_get("net_amount")?,
        vat_amount: row.try_get("vat_amount")?,
        reserved,
        // Only a confirmed order waits for goods; reserved counts what was shipped too.
        backordered: if confirmed { (quantity - reserved).max(0) } else { 0 },
        delivered,
        shipped,
        discount_amount: row.try_get("discount_amount")?,
        promotions: promotions_from_text(&row.try_get::<String, _>("promotions")?),
        promised_on: promised_on.parse().ok().map(date_to_proto),
        supply_note: row.try_get("supply_note")?,
    })
}

/// Promotion names are stored one per line of text (a name is one line).
fn promotions_to_text(names: &[String]) -> String {
    names.join("\n")
}

fn promotions_from_text(text: &str) -> Vec<String> {
    text.lines().filter(|name| !name.is_empty()).map(str::to_owned).collect()
}

/// The id of the order with this number, if there is one.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn id_by_number(conn: &mut AnyConnection, number: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM orders WHERE number = $1").bind(number).fetch_optional(&mut *conn).await?)
}

#[tracing::instrument(level = "debug", skip(conn))]
pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<OrderRow>> {
    let head =
        sqlx::query(&format!("SELECT {HEAD} FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(head) = head else { return Ok(None) };
    let mut order = head_from_row(&head)?;
    let confirmed = order.status.is_confirmed();
    let lines = sqlx::query(&format!("SELECT {LINES} FROM order_lines WHERE order_id = $1 ORDER BY line_no"))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    order.proto.lines = lines.iter().map(|row| line_from_row(row, confirmed)).collect::<Result<_>>()?;
    Ok(Some(order))
}

#[tracing::instrument(level = "debug", skip_all, fields(customer_id = customer.id))]
pub async fn insert(tx: &mut Tx, order: &NewOrder, customer: &CustomerRow, warehouse: Office, by: &str) -> Result<i64> {
    let year = local_date(now_micros()).year();
    let number = format!("DH-{year}-{:04}", next_in_series(tx, &format!("order-{year}")).await?);
    let (total_net, total_vat) = document_totals(order.lines.iter().map(|l| (l.net_amount, l.vat_amount)))
        .ok_or_else(|| Error::invalid("lines", "the document's total is too large"))?;
    let total_discount = atq_platform::limits::checked_sum(order.lines.iter().map(|l| l.discount_amount))
        .ok_or_else(|| Error::invalid("lines", "the document's discount is too large"))?;
    let now = now_micros();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO orders (number, customer_id, office, warehouse, status, note, total_net, total_vat, created_by, \
         version, created_at, updated_at, confirmed_at, quote_id, contract_id, total_discount) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10, 0, $11, $12, $13) RETURNING id",
    )
    .bind(&number)
    .bind(customer.id)
    .bind(customer.fields.office.code())
    .bind(warehouse.code())
    .bind(OrderStatus::Draft.as_str())
    .bind(&order.note)
    .bind(total_net)
    .bind(total_vat)
    .bind(by)
    .bind(now)
    .bind(order.quote_id)
    .bind(order.contract_id)
    .bind(total_discount)
    .fetch_one(&mut **tx)
    .await?;
    for line in &order.lines {
        sqlx::query(
            "INSERT INTO order_lines (order_id, line_no, product_id, model_code, product_name, supplier_id, quantity, \
             unit_price, vat_rate_bp, delivery_date, net_amount, vat_amount, reserved, shipped, delivered, \
             discount_amount, promotions) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, 0, 0, $13, $14)",
        )
        .bind(id)
        .bind(line.line_no)
        .bind(line.product_id)
        .bind(&line.model_code)
        .bind(&line.product_name)
        .bind(line.supplier_id)
        .bind(line.quantity)
        .bind(line.unit_price)
        .bind(line.vat_rate_bp)
        .bind(line.delivery_date.map(|d| d.to_string()).unwrap_or_default())
        .bind(line.net_amount)
        .bind(line.vat_amount)
        .bind(line.discount_amount)
        .bind(promotions_to_text(&line.promotions))
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

/// Moves an order from one status to the next, if nobody moved it first.
#[tracing::instrument(level = "debug", skip_all, fields(order_id = order.id, to = %to))]
pub async fn advance(tx: &mut Tx, order: &OrderRow, to: OrderStatus) -> Result<()> {
    let confirmed_at = if to == OrderStatus::Confirmed { now_micros() } else { 0 };
    let moved = sqlx::query(
        "UPDATE orders SET status = $1, version = version + 1, updated_at = $2, \
         confirmed_at = CASE WHEN $3 > 0 THEN $3 ELSE confirmed_at END WHERE id = $4 AND status = $5",
    )
    .bind(to.as_str())
    .bind(now_micros())
    .bind(confirmed_at)
    .bind(order.id)
    .bind(order.status.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if moved == 1 {
        Ok(())
    } else {
        Err(Error::Conflict(format!("order {} changed meanwhile, try again", order.number)))
    }
}

/// Takes the warehouse's figures for an order's lines: units secured = held + already issued. That
/// only grows while the reservation is active, so an older snapshot arriving late never lowers it.
#[tracing::instrument(level = "debug", skip_all, fields(order = %reservation.order_ref))]
pub async fn apply_reservation(tx: &mut Tx, reservation: &Reservation) -> Result<()> {
    if reservation.status != "active" {
        return Ok(());
    }
    for line in &reservation.lines {
        sqlx::query(
            "UPDATE order_lines SET reserved = CASE WHEN reserved < $1 THEN $1 ELSE reserved END \
             WHERE line_no = $2 AND order_id IN (SELECT id FROM orders WHERE number = $3 AND status IN ($4, $5))",
        )
        .bind(line.reserved + line.issued)
        .bind(i64::from(line.line_no))
        .bind(&reservation.order_ref)
        .bind(OrderStatus::Confirming.as_str())
        .bind(OrderStatus::Confirmed.as_str())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The order with this number and the import plan revision it shows; None for an unknown order.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn import_plan_revision(tx: &mut Tx, number: &str) -> Result<Option<(i64, i64)>> {
    Ok(sqlx::query_as("SELECT id, import_plan_revision FROM orders WHERE number = $1")
        .bind(number)
        .fetch_optional(&mut **tx)
        .await?)
}

/// Records the plan that times the order. Version and updated_at stay: the plan is not an edit
/// of the order, and a clerk's If-Match must not be refused because planning moved a date.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn set_import_plan(tx: &mut Tx, order_id: i64, plan_number: &str, revision: i64) -> Result<()> {
    sqlx::query("UPDATE orders SET import_plan_number = $1, import_plan_revision = $2 WHERE id = $3")
        .bind(plan_number)
        .bind(revision)
        .bind(order_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Sets when a line's goods are promised and why late; false when the order has no such line.
/// Shows a plan's promise on every line of the order with this product: a contract's plan numbers
/// its lines its own way, so lines are matched by product. False when the order has none.
#[tracing::instrument(level = "debug", skip(tx, supply_note))]
pub async fn set_product_promise(
    tx: &mut Tx,
    order_id: i64,
    product_id: i64,
    promised_on: Option<NaiveDate>,
    supply_note: &str,
) -> Result<bool> {
    let updated = sqlx::query(
        "UPDATE order_lines SET promised_on = $1, supply_note = $2 WHERE order_id = $3 AND product_id = $4",
    )
    .bind(promised_on.map(|d| d.to_string()).unwrap_or_default())
    .bind(supply_note)
    .bind(order_id)
    .bind(product_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(updated > 0)
}

#[tracing::instrument(level = "debug", skip(tx))]
pub async fn clear_reservation(tx: &mut Tx, order_id: i64) -> Result<()> {
    sqlx::query("UPDATE order_lines SET reserved = 0 WHERE order_id = $1").bind(order_id).execute(&mut **tx).await?;
    Ok(())
}

/// The customer's number of purchases and last purchase date, recomputed from its confirmed orders.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn refresh_purchases(tx: &mut Tx, customer_id: i64) -> Result<()> {
    let (count, latest): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MAX(confirmed_at) FROM orders WHERE customer_id = $1 AND status IN ($2, $3)")
            .bind(customer_id)
            .bind(OrderStatus::Confirmed.as_str())
            .bind(OrderStatus::Completed.as_str())
            .fetch_one(&mut **tx)
            .await?;
    let last_purchase_on = latest.map(|micros| local_date(micros).to_string()).unwrap_or_default();
    sqlx::query("UPDATE customers SET purchase_count = $1, last_purchase_on = $2 WHERE id = $3")
        .bind(count)
        .bind(last_purchase_on)
        .bind(customer_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub struct OrderFilter {
    pub customer_id: i64,
    pub status: String,
    pub office: Option<Office>,
    pub page: Page,
}

/// Order heads (without lines) for a list.
#[tracing::instrument(level = "debug", skip_all, fields(customer_id = filter.customer_id, status = %filter.status))]
pub async fn list(db: &Db, filter: &OrderFilter) -> Result<Vec<OrderRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {HEAD} FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id > $1 \
         AND ($2 = 0 OR o.customer_id = $2) AND ($3 = '' OR o.status = $3) AND ($4 = '' OR o.office = $4) \
         ORDER BY o.id LIMIT $5"
    ))
    .bind(filter.page.after_id)
    .bind(filter.customer_id)
    .bind(&filter.status)
    .bind(filter.office.map(Office::code).unwrap_or(""))
    .bind(filter.page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(head_from_row).collect()
}
