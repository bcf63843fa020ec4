//! What the warehouse reads without changing: stock levels, serial units, the transfers and
//! stocktakes kept, and the goods issue of a dispatch order.

use atq_platform::error::Result;
use atq_platform::paging::Page;
use atq_platform::{Db, Office};
use atq_proto::accountingwarehouse::v1 as pb;
use prost::Message;

use crate::serial_store::{self, SerialRow};
use crate::stock_store::{self, DocumentType, LevelRow};
use crate::{goods_issue_store, stock_document_store};

/// Stock levels of one product (or all, for 0), optionally in one warehouse.
pub async fn levels(db: &Db, product_id: i64, warehouse: Option<Office>) -> Result<Vec<LevelRow>> {
    stock_store::list_levels(db, product_id.max(0), warehouse).await
}

/// A product's serial units, optionally in one warehouse only.
pub async fn serials(db: &Db, product_id: i64, warehouse: Option<Office>) -> Result<Vec<SerialRow>> {
    serial_store::list_serials(db, product_id, warehouse).await
}

/// A page of kept documents of one type, decoded, each with the id it is kept under; the cursor
/// of the next page, empty at the end.
async fn documents<T: Message + Default>(
    db: &Db,
    document_type: DocumentType,
    warehouse: Option<Office>,
    page: Page,
    with_id: fn(T, i64) -> T,
) -> Result<(Vec<T>, String)> {
    let rows =
        stock_document_store::list(db, document_type.as_str(), warehouse, (page.after_id, page.fetch_limit())).await?;
    let mut items = Vec::with_capacity(rows.len());
    for (id, body) in rows {
        items.push((id, with_id(T::decode(body.as_slice())?, id)));
    }
    let next_cursor = page.finish(&mut items, |(id, _)| *id);
    Ok((items.into_iter().map(|(_, item)| item).collect(), next_cursor))
}

/// A page of transfers, of those out of one warehouse when given.
pub async fn transfers(db: &Db, from: Option<Office>, page: Page) -> Result<(Vec<pb::Transfer>, String)> {
    documents(db, DocumentType::Transfer, from, page, |t, id| pb::Transfer { id, ..t }).await
}

/// A page of stocktakes, of one warehouse when given.
pub async fn counts(db: &Db, warehouse: Option<Office>, page: Page) -> Result<(Vec<pb::StockCount>, String)> {
    documents(db, DocumentType::Count, warehouse, page, |c, id| pb::StockCount { id, ..c }).await
}

/// The goods issue of a dispatch order, if its goods have left.
pub async fn goods_issue(db: &Db, dispatch_ref: &str) -> Result<Option<pb::GoodsIssue>> {
    match goods_issue_store::read_body_for_dispatch(db, dispatch_ref).await? {
        Some(body) => Ok(Some(pb::GoodsIssue::decode(body.as_slice())?)),
        None => Ok(None),
    }
}
