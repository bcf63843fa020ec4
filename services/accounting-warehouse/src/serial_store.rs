//! Serial units: where each unit of a serial-tracked product is and whether it is still there.

use atq_platform::error::Result;
use atq_platform::{Db, Office, Tx};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, Row};

use crate::stock::SerialStatus;
use crate::stock_store::Place;

/// Receives serial units; returns the serials that are already in the company (refused).
#[tracing::instrument(level = "debug", skip_all, fields(product_id = place.product_id, units = serials.len()))]
pub async fn receive_serials(tx: &mut Tx, place: Place, serials: &[String], at: i64) -> Result<Vec<String>> {
    // A unit written off as missing may turn up again; one in stock or issued may not.
    let sql = "INSERT INTO serials (product_id, serial, warehouse, condition, status, updated_at) \
         VALUES ($1, $2, $3, $4, 'in_stock', $5) ON CONFLICT (product_id, serial) DO UPDATE \
         SET warehouse = $3, condition = $4, status = 'in_stock', updated_at = $5 WHERE serials.status = 'missing'";
    each_serial(tx, serials, |serial| {
        sqlx::query(sql)
            .bind(place.product_id)
            .bind(serial)
            .bind(place.warehouse.code())
            .bind(place.condition.as_str())
            .bind(at)
    })
    .await
}

/// Moves or re-labels serial units that are in stock at `from`; returns the serials that were not.
#[tracing::instrument(level = "debug", skip_all, fields(product_id = from.product_id, units = serials.len()))]
pub async fn update_serials(
    tx: &mut Tx,
    from: Place,
    serials: &[String],
    to: Office,
    status: SerialStatus,
    at: i64,
) -> Result<Vec<String>> {
    let sql = "UPDATE serials SET warehouse = $1, status = $2, updated_at = $3 WHERE product_id = $4 AND serial = $5 \
         AND warehouse = $6 AND condition = $7 AND status = 'in_stock'";
    each_serial(tx, serials, |serial| {
        sqlx::query(sql)
            .bind(to.code())
            .bind(status.as_str())
            .bind(at)
            .bind(from.product_id)
            .bind(serial)
            .bind(from.warehouse.code())
            .bind(from.condition.as_str())
    })
    .await
}

/// Runs one statement per serial; returns the serials whose statement changed no row.
async fn each_serial<'q>(
    tx: &mut Tx,
    serials: &'q [String],
    statement: impl Fn(&'q str) -> Query<'q, Any, AnyArguments<'q>>,
) -> Result<Vec<String>> {
    let mut refused = Vec::new();
    for serial in serials {
        if statement(serial).execute(&mut **tx).await?.rows_affected() != 1 {
            refused.push(serial.clone());
        }
    }
    Ok(refused)
}

/// The serials in stock at a place.
#[tracing::instrument(level = "debug", skip_all, fields(product_id = place.product_id))]
pub async fn serials_in_stock(tx: &mut Tx, place: Place) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT serial FROM serials WHERE product_id = $1 AND warehouse = $2 AND condition = $3 AND status = 'in_stock' \
         ORDER BY serial",
    )
    .bind(place.product_id)
    .bind(place.warehouse.code())
    .bind(place.condition.as_str())
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(|row| Ok(row.try_get::<String, _>("serial")?)).collect()
}

/// A serial unit as stored.
pub struct SerialRow {
    pub product_id: i64,
    pub serial: String,
    pub warehouse: String,
    pub condition: String,
    pub status: String,
}

/// A product's serial units, optionally in one warehouse only.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn list_serials(db: &Db, product_id: i64, warehouse: Option<Office>) -> Result<Vec<SerialRow>> {
    let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
        "SELECT product_id, serial, warehouse, condition, status FROM serials \
         WHERE product_id = $1 AND ($2 = '' OR warehouse = $2) ORDER BY serial",
    )
    .bind(product_id)
    .bind(warehouse.map(Office::code).unwrap_or(""))
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(product_id, serial, warehouse, condition, status)| SerialRow {
            product_id,
            serial,
            warehouse,
            condition,
            status,
        })
        .collect())
}
