//! Supplier order rows: `purchase_orders` and their `purchase_order_lines`.

use atq_platform::business_time::{add_days, date_to_proto, local_date, now_micros, stored_date, to_timestamp};
use atq_platform::db::id_list;
use atq_platform::error::Result;
use atq_platform::paging::Page;
use atq_platform::{Error, Office, Tx, numbering};
use atq_proto::importplanning::v1 as pb;
use chrono::{Datelike, NaiveDate};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row};

use atq_platform::text_status;

text_status! {
    /// Where a supplier order stands, from draft to goods received.
    PurchaseOrderStatus {
        Draft = "draft",
        Sent = "sent",
        Confirmed = "confirmed",
        Shipped = "shipped",
        Cleared = "cleared",
        /// Costed at landing; the warehouse receipt is under way.
        Receiving = "receiving",
        Received = "received",
        Cancelled = "cancelled",
    }
}

use PurchaseOrderStatus as Status;

/// Orders whose goods are still to come: the supply planning counts on.
const OPEN: [Status; 6] =
    [Status::Draft, Status::Sent, Status::Confirmed, Status::Shipped, Status::Cleared, Status::Receiving];

/// The status of an order as read.
pub fn status_of(order: &pb::PurchaseOrder) -> Result<PurchaseOrderStatus> {
    PurchaseOrderStatus::stored(&order.status)
}

const COLUMNS: &str = "o.id, o.number, o.supplier_id, s.code AS supplier_code, s.name AS supplier_name, o.currency, \
     o.warehouse, o.status, o.note, o.goods_value, o.lead_time_days, o.buffer_days, o.order_by, o.sent_on, \
     o.ship_date, o.arrival_date, o.promised_on, o.cleared_on, o.received_on, o.receipt_number, o.landed_total, \
     o.created_by, o.version, o.created_at, o.updated_at";

#[derive(Clone, Debug)]
pub struct NewLine {
    pub product_id: i64,
    pub model_code: String,
    pub quantity: i64,
    pub unit_price: i64,
}

#[derive(Clone, Debug)]
pub struct NewPurchaseOrder {
    pub supplier_id: i64,
    pub currency: String,
    pub warehouse: Office,
    pub note: String,
    pub lead_time_days: i64,
    pub buffer_days: i64,
    pub order_by: Option<NaiveDate>,
    pub lines: Vec<NewLine>,
}

pub fn day_text(date: Option<NaiveDate>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}

/// When the goods are expected in the warehouse: counted from the supplier's dates as they come.
pub fn expected_on(order: &pb::PurchaseOrder, lead: i64, buffer: i64, today: NaiveDate) -> Option<NaiveDate> {
    let get = |d: &Option<atq_proto::common::v1::LocalDate>| {
        d.as_ref().and_then(|d| atq_platform::business_time::date_from_proto(d).ok())
    };
    match Status::parse(&order.status)? {
        Status::Draft => Some(add_days(today, lead + buffer)),
        Status::Sent => get(&order.sent_on).map(|sent| add_days(sent, lead + buffer)),
        Status::Confirmed => get(&order.ship_date).map(|ship| add_days(ship, buffer)),
        Status::Shipped | Status::Cleared | Status::Receiving => get(&order.arrival_date),
        Status::Received => get(&order.received_on),
        Status::Cancelled => None,
    }
}

fn from_row(row: &AnyRow, today: NaiveDate) -> Result<pb::PurchaseOrder> {
    let date = |column: &str| -> Result<Option<atq_proto::common::v1::LocalDate>> {
        Ok(stored_date(&row.try_get::<String, _>(column)?, "supplier order")?.map(date_to_proto))
    };
    let warehouse: String = row.try_get("warehouse")?;
    let warehouse = Office::parse(&warehouse).map_err(|e| Error::internal(anyhow::anyhow!(e)))?;
    let mut order = pb::PurchaseOrder {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        supplier_id: row.try_get("supplier_id")?,
        supplier_code: row.try_get("supplier_code")?,
        supplier_name: row.try_get("supplier_name")?,
        currency: row.try_get("currency")?,
        warehouse: warehouse.to_proto() as i32,
        status: row.try_get("status")?,
        note: row.try_get("note")?,
        lines: Vec::new(),
        goods_value: row.try_get("goods_value")?,
        order_by: date("order_by")?,
        sent_on: date("sent_on")?,
        ship_date: date("ship_date")?,
        arrival_date: date("arrival_date")?,
        expected_on: None,
        promised_on: date("promised_on")?,
        cleared_on: date("cleared_on")?,
        received_on: date("received_on")?,
        receipt_number: row.try_get("receipt_number")?,
        landed_total: row.try_get("landed_total")?,
        created_by: row.try_get("created_by")?,
        version: row.try_get("version")?,
        created_at: Some(to_timestamp(row.try_get("created_at")?)),
        updated_at: Some(to_timestamp(row.try_get("updated_at")?)),
    };
    let (lead, buffer): (i64, i64) = (row.try_get("lead_time_days")?, row.try_get("buffer_days")?);
    order.expected_on = expected_on(&order, lead, buffer, today).map(date_to_proto);
    Ok(order)
}

fn line_from_row(row: &AnyRow) -> Result<pb::PurchaseOrderLine> {
    let serials: String = row.try_get("serials")?;
    Ok(pb::PurchaseOrderLine {
        line_no: row.try_get::<i64, _>("line_no")? as i32,
        product_id: row.try_get("product_id")?,
        model_code: row.try_get("model_code")?,
        quantity: row.try_get("quantity")?,
        unit_price: row.try_get("unit_price")?,
        landed_unit_cost: row.try_get("landed_unit_cost")?,
        serials: serials.lines().map(str::to_owned).collect(),
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(supplier_id = order.supplier_id, lines = order.lines.len()))]
pub async fn insert(tx: &mut Tx, order: &NewPurchaseOrder, by: &str) -> Result<i64> {
    let now = now_micros();
    let year = local_date(now).year();
    let n = numbering::next_in_series(tx, &format!("DMH-{year}")).await?;
    let number = format!("DMH-{year}-{n:04}");
    let goods_value = order
        .lines
        .iter()
        .try_fold(0i64, |sum, l| l.quantity.checked_mul(l.unit_price).and_then(|v| sum.checked_add(v)))
        .ok_or_else(|| Error::invalid("lines", "the order's value is too large"))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO purchase_orders (number, supplier_id, currency, warehouse, status, note, goods_value, \
         lead_time_days, buffer_days, order_by, sent_on, ship_date, arrival_date, promised_on, cleared_on, \
         received_on, receipt_number, landed_total, created_by, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '', '', '', '', '', '', '', 0, $11, 1, $12, $12) \
         RETURNING id",
    )
    .bind(&number)
    .bind(order.supplier_id)
    .bind(&order.currency)
    .bind(order.warehouse.code())
    .bind(Status::Draft.as_str())
    .bind(&order.note)
    .bind(goods_value)
    .bind(order.lead_time_days)
    .bind(order.buffer_days)
    .bind(day_text(order.order_by))
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    for (i, line) in order.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO purchase_order_lines (purchase_order_id, line_no, product_id, model_code, quantity, \
             unit_price, landed_unit_cost, serials) VALUES ($1, $2, $3, $4, $5, $6, 0, '')",
        )
        .bind(id)
        .bind(i as i64 + 1)
        .bind(line.product_id)
        .bind(&line.model_code)
        .bind(line.quantity)
        .bind(line.unit_price)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

#[tracing::instrument(level = "debug", skip(executor))]
pub async fn find(executor: &mut AnyConnection, id: i64, today: NaiveDate) -> Result<Option<pb::PurchaseOrder>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM purchase_orders o JOIN suppliers s ON s.id = o.supplier_id WHERE o.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *executor)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut order = from_row(&row, today)?;
    let lines = sqlx::query(
        "SELECT line_no, product_id, model_code, quantity, unit_price, landed_unit_cost, serials \
         FROM purchase_order_lines WHERE purchase_order_id = $1 ORDER BY line_no",
    )
    .bind(id)
    .fetch_all(&mut *executor)
    .await?;
    order.lines = lines.iter().map(line_from_row).collect::<Result<_>>()?;
    Ok(Some(order))
}

/// Orders without lines, in id order (keyset paging).
#[tracing::instrument(level = "debug", skip(executor, page))]
pub async fn list(
    executor: impl sqlx::Executor<'_, Database = Any>,
    status: &str,
    supplier_id: i64,
    page: Page,
    today: NaiveDate,
) -> Result<Vec<pb::PurchaseOrder>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM purchase_orders o JOIN suppliers s ON s.id = o.supplier_id \
         WHERE o.id > $1 AND ($2 = '' OR o.status = $2) AND ($3 = 0 OR o.supplier_id = $3) ORDER BY o.id LIMIT $4"
    ))
    .bind(page.after_id)
    .bind(status)
    .bind(supplier_id)
    .bind(page.fetch_limit())
    .fetch_all(executor)
    .await?;
    rows.iter().map(|row| from_row(row, today)).collect()
}

/// The unit price of each product on the supplier's latest order of it.
#[tracing::instrument(level = "debug", skip(executor, product_ids), fields(products = product_ids.len()))]
pub async fn last_prices(
    executor: impl sqlx::Executor<'_, Database = Any>,
    supplier_id: i64,
    product_ids: &[i64],
) -> Result<std::collections::HashMap<i64, i64>> {
    if product_ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT l.product_id, l.unit_price FROM purchase_order_lines l \
         JOIN purchase_orders o ON o.id = l.purchase_order_id \
         WHERE o.supplier_id = $1 AND l.product_id IN ({}) ORDER BY o.id DESC",
        id_list(product_ids)
    ))
    .bind(supplier_id)
    .fetch_all(executor)
    .await?;
    let mut last = std::collections::HashMap::new();
    for (product_id, price) in rows {
        last.entry(product_id).or_insert(price);
    }
    Ok(last)
}

/// The dates a step sets; None leaves a column as it is.
#[derive(Clone, Debug)]
pub struct Step {
    pub status: PurchaseOrderStatus,
    pub sent_on: Option<NaiveDate>,
    pub ship_date: Option<NaiveDate>,
    pub arrival_date: Option<NaiveDate>,
    pub promised_on: Option<NaiveDate>,
    pub cleared_on: Option<NaiveDate>,
    pub received_on: Option<NaiveDate>,
    pub receipt_number: Option<String>,
    pub landed_total: Option<i64>,
}

impl Step {
    /// A step to `status` that sets no date.
    pub fn to(status: PurchaseOrderStatus) -> Step {
        Step {
            status,
            sent_on: None,
            ship_date: None,
            arrival_date: None,
            promised_on: None,
            cleared_on: None,
            received_on: None,
            receipt_number: None,
            landed_total: None,
        }
    }
}

/// The days of customs clearance and transport the order was drafted with.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn buffer_days(tx: &mut Tx, id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT buffer_days FROM purchase_orders WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?)
}

/// Moves the order at `version` one step; a concurrent change makes it a stale version.
#[tracing::instrument(level = "debug", skip(tx, step), fields(status = %step.status))]
pub async fn advance(tx: &mut Tx, id: i64, version: i64, step: &Step) -> Result<()> {
    let keep = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    let updated = sqlx::query(
        "UPDATE purchase_orders SET status = $1, sent_on = COALESCE($2, sent_on), \
         ship_date = COALESCE($3, ship_date), arrival_date = COALESCE($4, arrival_date), \
         promised_on = COALESCE($5, promised_on), cleared_on = COALESCE($6, cleared_on), \
         received_on = COALESCE($7, received_on), receipt_number = COALESCE($8, receipt_number), \
         landed_total = COALESCE($9, landed_total), version = version + 1, updated_at = $10 \
         WHERE id = $11 AND version = $12",
    )
    .bind(step.status.as_str())
    .bind(keep(step.sent_on))
    .bind(keep(step.ship_date))
    .bind(keep(step.arrival_date))
    .bind(keep(step.promised_on))
    .bind(keep(step.cleared_on))
    .bind(keep(step.received_on))
    .bind(step.receipt_number.clone())
    .bind(step.landed_total)
    .bind(now_micros())
    .bind(id)
    .bind(version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if updated != 1 {
        return Err(Error::StaleVersion { expected: version, actual: version + 1 });
    }
    Ok(())
}

/// Records the landed unit cost and the serials received on a line.
#[tracing::instrument(level = "debug", skip(tx, serials))]
pub async fn set_line_receipt(
    tx: &mut Tx,
    id: i64,
    line_no: i32,
    landed_unit_cost: i64,
    serials: &[String],
) -> Result<()> {
    sqlx::query(
        "UPDATE purchase_order_lines SET landed_unit_cost = $1, serials = $2 \
         WHERE purchase_order_id = $3 AND line_no = $4",
    )
    .bind(landed_unit_cost)
    .bind(serials.join("\n"))
    .bind(id)
    .bind(i64::from(line_no))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One open supplier order line of a product: units on the way and when they are expected.
#[derive(Clone, Debug)]
pub struct OpenSupply {
    pub product_id: i64,
    pub number: String,
    pub quantity: i64,
    pub expected_on: NaiveDate,
}

/// The open orders' lines of these products (every product when `product_ids` is None).
#[tracing::instrument(level = "debug", skip_all, fields(products = product_ids.map(<[i64]>::len)))]
pub async fn open_supply(tx: &mut Tx, product_ids: Option<&[i64]>, today: NaiveDate) -> Result<Vec<OpenSupply>> {
    let statuses: Vec<String> = OPEN.iter().map(|s| format!("'{}'", s.as_str())).collect();
    let mut sql = format!(
        "SELECT l.product_id, l.quantity, {COLUMNS} FROM purchase_order_lines l \
         JOIN purchase_orders o ON o.id = l.purchase_order_id JOIN suppliers s ON s.id = o.supplier_id \
         WHERE o.status IN ({})",
        statuses.join(", ")
    );
    if let Some(ids) = product_ids {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        sql.push_str(&format!(" AND l.product_id IN ({})", id_list(ids)));
    }
    let rows = sqlx::query(&sql).fetch_all(&mut **tx).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let order = from_row(row, today)?;
        let expected = order.expected_on.as_ref().and_then(|d| atq_platform::business_time::date_from_proto(d).ok());
        out.push(OpenSupply {
            product_id: row.try_get("product_id")?,
            number: order.number,
            quantity: row.try_get("quantity")?,
            // An order past its expected day is still counted on, from today.
            expected_on: expected.unwrap_or(today).max(today),
        });
    }
    Ok(out)
}
