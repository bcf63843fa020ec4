//! Warranty moves as stored, the serial unit they change (a conditional update, so two moves of
//! one unit queue and the second finds it gone), and their lines in the stock move ledger.

use atq_platform::error::Result;
use atq_platform::{Office, Tx};
use atq_proto::accountingwarehouse::v1 as pb;
use prost::Message;
use sqlx::AnyConnection;

use crate::stock::Condition;
use crate::stock_store::Place;

/// The move already made under this reference, if any.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn find_by_ref(conn: &mut AnyConnection, move_ref: &str) -> Result<Option<pb::WarrantyMove>> {
    let body: Option<Vec<u8>> = sqlx::query_scalar("SELECT body FROM warranty_moves WHERE move_ref = $1")
        .bind(move_ref)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(body.map(|body| pb::WarrantyMove::decode(body.as_slice())).transpose()?)
}

/// A stored move with the sale it carries (replacements), for a unit's history.
pub struct StoredMove {
    pub body: pb::WarrantyMove,
    pub sale: Option<pb::SerialSale>,
}

/// The moves that name the unit, as the moved unit or as the other one, oldest first.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn moves_naming(conn: &mut AnyConnection, product_id: i64, serial: &str) -> Result<Vec<StoredMove>> {
    let rows: Vec<(Vec<u8>, Vec<u8>)> = sqlx::query_as(
        "SELECT body, sale_body FROM warranty_moves WHERE product_id = $1 AND (serial = $2 OR other_serial = $2) \
         ORDER BY id",
    )
    .bind(product_id)
    .bind(serial)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(body, sale)| {
            let sale = if sale.is_empty() { None } else { Some(pb::SerialSale::decode(sale.as_slice())?) };
            Ok(StoredMove { body: pb::WarrantyMove::decode(body.as_slice())?, sale })
        })
        .collect()
}

/// Keeps a move; `sale` is empty except on replacements.
#[tracing::instrument(level = "debug", skip_all, fields(number = m.number, move_ref = m.move_ref))]
pub async fn insert(tx: &mut Tx, m: &pb::WarrantyMove, sale: Option<&pb::SerialSale>, at: i64) -> Result<()> {
    let warehouse = Office::from_proto(m.warehouse).map(Office::code).unwrap_or("");
    let condition = if m.condition == pb::Condition::Damaged as i32 { "damaged" } else { "good" };
    sqlx::query(
        "INSERT INTO warranty_moves (number, move_ref, kind, case_ref, product_id, serial, other_serial, warehouse, \
         condition, quantity, unit_cost, reference, sale_body, body, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(&m.number)
    .bind(&m.move_ref)
    .bind(&m.kind)
    .bind(&m.case_ref)
    .bind(m.product_id)
    .bind(&m.serial)
    .bind(&m.other_serial)
    .bind(warehouse)
    .bind(condition)
    .bind(m.quantity)
    .bind(m.unit_cost)
    .bind(&m.reference)
    .bind(sale.map(Message::encode_to_vec).unwrap_or_default())
    .bind(m.encode_to_vec())
    .bind(&m.created_by)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// (warehouse, condition, status) of a unit, if the company has ever had it.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn unit(tx: &mut Tx, product_id: i64, serial: &str) -> Result<Option<(String, String, String)>> {
    let row = sqlx::query_as("SELECT warehouse, condition, status FROM serials WHERE product_id = $1 AND serial = $2")
        .bind(product_id)
        .bind(serial)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row)
}

/// Moves a unit from status `from` to `place` with status `to`; false when it was not in `from`
/// (with `only_at`, also in that warehouse and condition).
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn move_unit(
    tx: &mut Tx,
    (serial, from, only_at): (&str, &str, Option<Place>),
    (place, to): (Place, &str),
    at: i64,
) -> Result<bool> {
    let (warehouse, condition) = only_at.map_or(("", ""), |p| (p.warehouse.code(), p.condition.as_str()));
    let changed = sqlx::query(
        "UPDATE serials SET warehouse = $1, condition = $2, status = $3, updated_at = $4 \
         WHERE product_id = $5 AND serial = $6 AND status = $7 AND ($8 = '' OR warehouse = $8) \
         AND ($9 = '' OR condition = $9)",
    )
    .bind(place.warehouse.code())
    .bind(place.condition.as_str())
    .bind(to)
    .bind(at)
    .bind(place.product_id)
    .bind(serial)
    .bind(from)
    .bind(warehouse)
    .bind(condition)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// The warranty move's line in the stock move ledger.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn record_stock_move(
    tx: &mut Tx,
    (number, place): (&str, Place),
    (quantity, unit_cost): (i64, i64),
    (reason, by, at): (&str, &str, i64),
) -> Result<()> {
    sqlx::query(
        "INSERT INTO stock_moves (document_type, document_number, product_id, warehouse, condition, quantity, \
         unit_cost, reason, created_by, created_at) VALUES ('warranty', $1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(number)
    .bind(place.product_id)
    .bind(place.warehouse.code())
    .bind(place.condition.as_str())
    .bind(quantity)
    .bind(unit_cost)
    .bind(reason)
    .bind(by)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A stored condition text as the domain's; damaged for anything that is not good.
pub fn condition_of(text: &str) -> Condition {
    Condition::parse(text).unwrap_or(Condition::Damaged)
}
