//! The tables of list prices, supplier order values and plan milestones, and what the
//! import-export summary reads of them and of `supplier_orders`.

use atq_platform::error::Result;
use atq_platform::{Db, Office, Tx};
use chrono::NaiveDate;

use crate::supplier_facts::{CANCELLED, OrderRow};

pub struct OrderValue {
    pub number: String,
    pub warehouse: String,
    pub currency: String,
    pub goods_value: i64,
    pub landed_total: i64,
    pub priced_landed: i64,
    pub list_value: i64,
}

pub struct MilestoneFact {
    pub line_no: i64,
    pub milestone_no: i64,
    pub office: String,
    pub needed_by: String,
    pub promise_date: String,
    pub late: bool,
    pub quantity: i64,
}

pub async fn record_list_price(tx: &mut Tx, product_id: i64, list_price: i64, position: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO product_list_prices (product_id, list_price, position) VALUES ($1, $2, $3) \
         ON CONFLICT (product_id) DO UPDATE SET list_price = excluded.list_price, position = excluded.position \
         WHERE product_list_prices.position < excluded.position",
    )
    .bind(product_id)
    .bind(list_price)
    .bind(position)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The product's list price as the feed has told it so far; 0 when none.
pub async fn list_price(tx: &mut Tx, product_id: i64) -> Result<i64> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT list_price FROM product_list_prices WHERE product_id = $1")
        .bind(product_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map_or(0, |(price,)| price))
}

pub async fn record_order_value(tx: &mut Tx, v: &OrderValue, position: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO supplier_order_values (number, warehouse, currency, goods_value, landed_total, priced_landed, \
         list_value, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (number) DO UPDATE SET warehouse = excluded.warehouse, currency = excluded.currency, \
         goods_value = excluded.goods_value, landed_total = excluded.landed_total, \
         priced_landed = excluded.priced_landed, list_value = excluded.list_value, position = excluded.position \
         WHERE supplier_order_values.position < excluded.position",
    )
    .bind(&v.number)
    .bind(&v.warehouse)
    .bind(&v.currency)
    .bind(v.goods_value)
    .bind(v.landed_total)
    .bind(v.priced_landed)
    .bind(v.list_value)
    .bind(position)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Replaces the plan's milestones with the event's, unless a later event was applied already.
pub async fn record_plan(tx: &mut Tx, number: &str, milestones: &[MilestoneFact], position: i64) -> Result<()> {
    let newer = sqlx::query(
        "INSERT INTO plan_facts (plan_number, position) VALUES ($1, $2) ON CONFLICT (plan_number) \
         DO UPDATE SET position = excluded.position WHERE plan_facts.position < excluded.position",
    )
    .bind(number)
    .bind(position)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if newer == 0 {
        return Ok(());
    }
    sqlx::query("DELETE FROM plan_milestone_facts WHERE plan_number = $1").bind(number).execute(&mut **tx).await?;
    for m in milestones {
        sqlx::query(
            "INSERT INTO plan_milestone_facts (plan_number, line_no, milestone_no, office, needed_by, promise_date, \
             late, quantity) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (plan_number, line_no, milestone_no) DO NOTHING",
        )
        .bind(number)
        .bind(m.line_no)
        .bind(m.milestone_no)
        .bind(&m.office)
        .bind(&m.needed_by)
        .bind(&m.promise_date)
        .bind(i64::from(m.late))
        .bind(m.quantity)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A supplier order with what it is worth, as the import-export summary reads it.
#[derive(Clone, Debug, Default)]
pub struct ValuedOrder {
    pub order: OrderRow,
    pub currency: String,
    pub goods_value: i64,
    pub landed_total: i64,
    pub priced_landed: i64,
    pub list_value: i64,
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Orders not cancelled, sent or received between two local dates (inclusive), in feed order;
/// of one warehouse when given.
pub async fn orders(db: &Db, from: NaiveDate, to: NaiveDate, office: Option<Office>) -> Result<Vec<ValuedOrder>> {
    let mut sql = "SELECT o.supplier_id, o.supplier_code, o.supplier_name, o.status, o.sent_on, o.promised_on, \
                   o.received_on, o.units, v.currency, v.goods_value, v.landed_total, v.priced_landed, v.list_value \
                   FROM supplier_orders o LEFT JOIN supplier_order_values v ON v.number = o.number \
                   WHERE o.status <> $1 AND ((o.sent_on >= $2 AND o.sent_on <= $3) \
                   OR (o.received_on >= $2 AND o.received_on <= $3))"
        .to_owned();
    if office.is_some() {
        sql.push_str(" AND v.warehouse = $4");
    }
    sql.push_str(" ORDER BY o.position");
    let mut query = sqlx::query_as::<_, OrderSqlRow>(&sql).bind(CANCELLED).bind(from.to_string());
    query = query.bind(to.to_string());
    if let Some(office) = office {
        query = query.bind(office.code());
    }
    let rows = query.fetch_all(db.pool()).await?;
    Ok(rows.into_iter().map(valued).collect())
}

type OrderSqlRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

fn valued(row: OrderSqlRow) -> ValuedOrder {
    let (
        supplier_id,
        supplier_code,
        supplier_name,
        status,
        sent_on,
        promised_on,
        received_on,
        units,
        currency,
        goods,
        ..,
    ) = row;
    let (landed_total, priced_landed, list_value) = (row.10, row.11, row.12);
    ValuedOrder {
        order: OrderRow {
            supplier_id,
            supplier_code,
            supplier_name,
            status,
            sent_on: parse_date(&sent_on),
            promised_on: parse_date(&promised_on),
            received_on: parse_date(&received_on),
            units,
        },
        currency: currency.unwrap_or_default(),
        goods_value: goods.unwrap_or(0),
        landed_total: landed_total.unwrap_or(0),
        priced_landed: priced_landed.unwrap_or(0),
        list_value: list_value.unwrap_or(0),
    }
}

/// A plan milestone needed on a local day, as the summary reads it.
pub struct MilestoneRow {
    pub office: String,
    pub needed_by: NaiveDate,
    pub promise_date: Option<NaiveDate>,
    pub late: bool,
    pub quantity: i64,
}

/// Milestones needed between two local dates (inclusive), of one office when given.
pub async fn milestones(db: &Db, from: NaiveDate, to: NaiveDate, office: Option<Office>) -> Result<Vec<MilestoneRow>> {
    let mut sql = "SELECT office, needed_by, promise_date, late, quantity FROM plan_milestone_facts \
                   WHERE needed_by >= $1 AND needed_by <= $2"
        .to_owned();
    if office.is_some() {
        sql.push_str(" AND office = $3");
    }
    let mut query = sqlx::query_as::<_, (String, String, String, i64, i64)>(&sql).bind(from.to_string());
    query = query.bind(to.to_string());
    if let Some(office) = office {
        query = query.bind(office.code());
    }
    let rows = query.fetch_all(db.pool()).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(office, needed_by, promise_date, late, quantity)| {
            let needed_by = parse_date(&needed_by)?;
            Some(MilestoneRow { office, needed_by, promise_date: parse_date(&promise_date), late: late != 0, quantity })
        })
        .collect())
}
