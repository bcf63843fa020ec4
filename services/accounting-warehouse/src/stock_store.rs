//! Stock levels, the move ledger and moving-average costs. Every decrement is a
//! conditional update, so stock never goes below what is reserved, whatever runs concurrently.

use atq_platform::error::Result;
use atq_platform::{Db, Office, Tx};
use sqlx::{Any, Row};

use crate::stock::Condition;

/// Where stock sits: a product in a warehouse in a condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub product_id: i64,
    pub warehouse: Office,
    pub condition: Condition,
}

#[tracing::instrument(level = "debug", skip_all, fields(product_id = place.product_id, quantity))]
pub async fn add(tx: &mut Tx, place: Place, quantity: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO stock_levels (product_id, warehouse, condition, on_hand, reserved) VALUES ($1, $2, $3, $4, 0) \
         ON CONFLICT (product_id, warehouse, condition) DO UPDATE SET on_hand = stock_levels.on_hand + $4",
    )
    .bind(place.product_id)
    .bind(place.warehouse.code())
    .bind(place.condition.as_str())
    .bind(quantity)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes `quantity` units that are on hand and not reserved; false (and nothing changed) when
/// there are not enough.
#[tracing::instrument(level = "debug", skip_all, fields(product_id = place.product_id, quantity))]
pub async fn take(tx: &mut Tx, place: Place, quantity: i64) -> Result<bool> {
    let taken = sqlx::query(
        "UPDATE stock_levels SET on_hand = on_hand - $1 \
         WHERE product_id = $2 AND warehouse = $3 AND condition = $4 AND on_hand - reserved >= $1",
    )
    .bind(quantity)
    .bind(place.product_id)
    .bind(place.warehouse.code())
    .bind(place.condition.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(taken == 1)
}

/// (on hand, reserved) at a place; zeros where there has never been stock.
#[tracing::instrument(level = "debug", skip_all, fields(product_id = place.product_id))]
pub async fn level<'e, E: sqlx::Executor<'e, Database = Any>>(executor: E, place: Place) -> Result<(i64, i64)> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT on_hand, reserved FROM stock_levels WHERE product_id = $1 AND warehouse = $2 AND condition = $3",
    )
    .bind(place.product_id)
    .bind(place.warehouse.code())
    .bind(place.condition.as_str())
    .fetch_optional(executor)
    .await?;
    Ok(row.unwrap_or((0, 0)))
}

pub struct Move<'a> {
    pub document_type: DocumentType,
    pub document_number: &'a str,
    pub place: Place,
    pub quantity: i64,
    pub unit_cost: i64,
    pub reason: &'a str,
    pub by: &'a str,
    pub at: i64,
}

#[tracing::instrument(level = "debug", skip_all, fields(document = m.document_number, product_id = m.place.product_id))]
pub async fn record_move(tx: &mut Tx, m: &Move<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO stock_moves (document_type, document_number, product_id, warehouse, condition, quantity, \
         unit_cost, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(m.document_type.as_str())
    .bind(m.document_number)
    .bind(m.place.product_id)
    .bind(m.place.warehouse.code())
    .bind(m.place.condition.as_str())
    .bind(m.quantity)
    .bind(m.unit_cost)
    .bind(m.reason)
    .bind(m.by)
    .bind(m.at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Units and value come in (receipts, surpluses): the average moves toward the new cost. The
/// caller holds the value within bounds (`stock_value::take_in`).
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn add_value(tx: &mut Tx, product_id: i64, quantity: i64, value: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO product_costs (product_id, quantity, total_value) VALUES ($1, $2, $3) \
         ON CONFLICT (product_id) DO UPDATE SET quantity = product_costs.quantity + $2, \
         total_value = product_costs.total_value + $3",
    )
    .bind(product_id)
    .bind(quantity)
    .bind(value)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Units go out at the average cost; returns the value that leaves. The share is rounded half up,
/// and the last unit takes whatever value remains, so no đồng is lost or invented.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn remove_value(tx: &mut Tx, product_id: i64, quantity: i64) -> Result<i64> {
    let (held, value) = costs(&mut **tx, product_id).await?;
    let leaving = if quantity >= held { value } else { share(value, quantity, held) };
    sqlx::query(
        "UPDATE product_costs SET quantity = quantity - $1, total_value = total_value - $2 WHERE product_id = $3",
    )
    .bind(quantity.min(held))
    .bind(leaving)
    .bind(product_id)
    .execute(&mut **tx)
    .await?;
    Ok(leaving)
}

/// value x part / whole, rounded half up.
pub fn share(value: i64, part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        return 0;
    }
    let exact = i128::from(value) * i128::from(part);
    i64::try_from((2 * exact + i128::from(whole)) / (2 * i128::from(whole))).unwrap_or(i64::MAX)
}

/// (units, total value) a product's moving average is made of; zeros before its first receipt.
#[tracing::instrument(level = "debug", skip(executor))]
pub async fn costs<'e, E: sqlx::Executor<'e, Database = Any>>(executor: E, product_id: i64) -> Result<(i64, i64)> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT quantity, total_value FROM product_costs WHERE product_id = $1")
            .bind(product_id)
            .fetch_optional(executor)
            .await?;
    Ok(row.unwrap_or((0, 0)))
}

/// The moving-average unit cost, rounded half up to the đồng.
#[tracing::instrument(level = "debug", skip(executor))]
pub async fn average_cost<'e, E: sqlx::Executor<'e, Database = Any>>(executor: E, product_id: i64) -> Result<i64> {
    let (quantity, value) = costs(executor, product_id).await?;
    Ok(share(value, 1, quantity))
}

pub struct LevelRow {
    pub place: Place,
    pub on_hand: i64,
    pub reserved: i64,
    pub average_unit_cost: i64,
}

#[tracing::instrument(level = "debug", skip(db))]
pub async fn list_levels(db: &Db, product_id: i64, warehouse: Option<Office>) -> Result<Vec<LevelRow>> {
    let rows = sqlx::query(
        "SELECT l.product_id, l.warehouse, l.condition, l.on_hand, l.reserved, \
         COALESCE(c.quantity, 0) AS cost_quantity, COALESCE(c.total_value, 0) AS cost_value \
         FROM stock_levels l LEFT JOIN product_costs c ON c.product_id = l.product_id \
         WHERE ($1 = 0 OR l.product_id = $1) AND ($2 = '' OR l.warehouse = $2) \
         ORDER BY l.product_id, l.warehouse, l.condition",
    )
    .bind(product_id)
    .bind(warehouse.map(Office::code).unwrap_or(""))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let warehouse: String = row.try_get("warehouse")?;
            let condition: String = row.try_get("condition")?;
            let corrupt = || atq_platform::Error::internal(anyhow::anyhow!("bad stock row {warehouse}/{condition}"));
            Ok(LevelRow {
                place: Place {
                    product_id: row.try_get("product_id")?,
                    warehouse: Office::parse(&warehouse).map_err(|_| corrupt())?,
                    condition: Condition::parse(&condition).ok_or_else(corrupt)?,
                },
                on_hand: row.try_get("on_hand")?,
                reserved: row.try_get("reserved")?,
                average_unit_cost: share(row.try_get("cost_value")?, 1, row.try_get("cost_quantity")?),
            })
        })
        .collect()
}

/// Reserves as much of `want` as is available at `place` (on hand, not yet reserved); returns how
/// much it got. Concurrent reservers each get a share that is still there when they commit.
#[tracing::instrument(level = "debug", skip_all, fields(product_id = place.product_id, want))]
pub async fn reserve_up_to(tx: &mut Tx, place: Place, want: i64) -> Result<i64> {
    // A competitor may take some between the read and the conditional update; read again then.
    for _ in 0..16 {
        let (on_hand, reserved) = level(&mut **tx, place).await?;
        let grant = want.min(on_hand - reserved);
        if grant <= 0 {
            return Ok(0);
        }
        let done = sqlx::query(
            "UPDATE stock_levels SET reserved = reserved + $1 \
             WHERE product_id = $2 AND warehouse = $3 AND condition = $4 AND on_hand - reserved >= $1",
        )
        .bind(grant)
        .bind(place.product_id)
        .bind(place.warehouse.code())
        .bind(place.condition.as_str())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if done == 1 {
            return Ok(grant);
        }
    }
    Err(atq_platform::Error::Unavailable("stock is changing too fast to reserve, try again".into()))
}

/// Gives reserved units back to available stock.
#[tracing::instrument(level = "debug", skip_all, fields(product_id = place.product_id, quantity))]
pub async fn unreserve(tx: &mut Tx, place: Place, quantity: i64) -> Result<()> {
    sqlx::query(
        "UPDATE stock_levels SET reserved = reserved - $1 \
         WHERE product_id = $2 AND warehouse = $3 AND condition = $4 AND reserved >= $1",
    )
    .bind(quantity)
    .bind(place.product_id)
    .bind(place.warehouse.code())
    .bind(place.condition.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes reserved units out of stock (goods issue): on hand and reserved both go down.
#[tracing::instrument(level = "debug", skip_all, fields(product_id = place.product_id, quantity))]
pub async fn issue_reserved(tx: &mut Tx, place: Place, quantity: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE stock_levels SET on_hand = on_hand - $1, reserved = reserved - $1 \
         WHERE product_id = $2 AND warehouse = $3 AND condition = $4 AND reserved >= $1 AND on_hand >= $1",
    )
    .bind(quantity)
    .bind(place.product_id)
    .bind(place.warehouse.code())
    .bind(place.condition.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// The kinds of stock document, as written in the move ledger, the journal and the events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentType {
    Receipt,
    Transfer,
    Count,
    Issue,
}

impl DocumentType {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentType::Receipt => "receipt",
            DocumentType::Transfer => "transfer",
            DocumentType::Count => "count",
            DocumentType::Issue => "issue",
        }
    }

    /// The series prefix of the Vietnamese paper: phiếu nhập, chuyển kho, kiểm kê, phiếu xuất.
    pub fn prefix(self) -> &'static str {
        match self {
            DocumentType::Receipt => "PN",
            DocumentType::Transfer => "CK",
            DocumentType::Count => "KK",
            DocumentType::Issue => "PX",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::share;

    #[test]
    fn shares_round_half_up_and_the_whole_is_kept() {
        assert_eq!(share(1_000, 1, 3), 333);
        assert_eq!(share(1_000, 2, 3), 667);
        assert_eq!(share(5, 1, 2), 3);
        assert_eq!(share(0, 1, 0), 0);
        assert_eq!(share(i64::MAX / 2, 3, 3), i64::MAX / 2);
    }
}
