//! The table of stock moves, and what the accounting and warehouse summary reads of it.

#[cfg(test)]
use atq_platform::Db;
use atq_platform::Tx;
use atq_platform::error::Result;
use chrono::NaiveDate;

/// One move of a stock document: + into a place, - out of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveRow {
    pub document_type: String,
    pub document_number: String,
    pub product_id: i64,
    pub warehouse: String,
    pub condition: String,
    pub quantity: i64,
    pub unit_cost: Option<i64>,
    pub moved_on: NaiveDate,
}

/// Keeps the move once: a replayed event changes nothing. True when it was new.
#[tracing::instrument(level = "debug", skip_all, fields(number = %row.document_number, move_no))]
pub async fn record(tx: &mut Tx, row: &MoveRow, move_no: i64, position: i64) -> Result<bool> {
    let kept = sqlx::query(
        "INSERT INTO stock_move_facts (document_type, document_number, move_no, product_id, warehouse, \
         stock_condition, quantity, unit_cost, moved_on, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (document_type, document_number, move_no) DO NOTHING",
    )
    .bind(&row.document_type)
    .bind(&row.document_number)
    .bind(move_no)
    .bind(row.product_id)
    .bind(&row.warehouse)
    .bind(&row.condition)
    .bind(row.quantity)
    .bind(row.unit_cost)
    .bind(row.moved_on.to_string())
    .bind(position)
    .execute(&mut **tx)
    .await?;
    Ok(kept.rows_affected() > 0)
}

/// Every move up to a local day (inclusive), in feed order. All warehouses' are read even for one
/// office: the costs they carry are company-wide. The tests' reference for `stock_rollup`.
#[cfg(test)]
pub async fn moves_through(db: &Db, last: NaiveDate) -> Result<Vec<MoveRow>> {
    type Row = (String, String, i64, String, String, i64, Option<i64>, String);
    let rows = sqlx::query_as::<_, Row>(
        "SELECT document_type, document_number, product_id, warehouse, stock_condition, quantity, unit_cost, \
         moved_on FROM stock_move_facts WHERE moved_on <= $1 ORDER BY position, move_no",
    )
    .bind(last.to_string())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(document_type, document_number, product_id, warehouse, condition, quantity, unit_cost, day)| {
            let moved_on = NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok()?;
            Some(MoveRow {
                document_type,
                document_number,
                product_id,
                warehouse,
                condition,
                quantity,
                unit_cost,
                moved_on,
            })
        })
        .collect())
}
