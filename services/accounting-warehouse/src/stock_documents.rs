//! What every stock document does once its lines are applied: it takes the next number of its
//! year's series, is kept whole, and announces the stock it moved.

use atq_platform::business_time::{local_date, now_micros};
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::{Caller, Db, Office, Tx, outbox};
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::Datelike;
use prost::Message;

use crate::stock_document_store;
use crate::stock_store::Place;

pub use crate::stock_store::DocumentType;

/// The next number of the document type's series this year, e.g. PN-2026-0001.
pub async fn next_number(tx: &mut Tx, document_type: DocumentType) -> Result<String> {
    let prefix = document_type.prefix();
    let year = local_date(now_micros()).year();
    let n = next_in_series(tx, &format!("{prefix}-{year}")).await?;
    Ok(format!("{prefix}-{year}-{n:04}"))
}

/// Keeps the document and announces its moves.
pub async fn keep(
    tx: &mut Tx,
    db: &Db,
    (document_type, number, warehouse): (DocumentType, &str, Office),
    body: &impl Message,
    moves: Vec<pb::StockMove>,
    caller: &Caller,
) -> Result<()> {
    let moves = costed(tx, moves).await?;
    let document_type = document_type.as_str();
    stock_document_store::insert(tx, document_type, number, warehouse, &body.encode_to_vec(), &caller.username).await?;
    let event = pb::StockMoved {
        document_type: document_type.to_owned(),
        document_number: number.to_owned(),
        moves,
        moved_by: caller.username.clone(),
    };
    outbox::record(tx, db.backend(), "stock", number, &event).await
}

pub fn stock_move(place: Place, quantity: i64) -> pb::StockMove {
    pb::StockMove {
        product_id: place.product_id,
        warehouse: place.warehouse.to_proto() as i32,
        condition: place.condition.to_proto() as i32,
        quantity,
        unit_cost: None,
    }
}

/// The moves with each product's moving-average unit cost once the document is applied, so the
/// feed's readers can value the stock as the warehouse does.
pub async fn costed(tx: &mut Tx, mut moves: Vec<pb::StockMove>) -> Result<Vec<pb::StockMove>> {
    for m in &mut moves {
        m.unit_cost = Some(crate::stock_store::average_cost(&mut **tx, m.product_id).await?);
    }
    Ok(moves)
}
