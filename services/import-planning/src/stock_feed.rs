//! Import planning's view of the accounting-warehouse feed: stock that moves (receipts, issues,
//! counts, reservations made or released) changes what the plans can count on, so the products
//! concerned are re-planned in the consumer's transaction, once per batch. Products no plan and
//! no reorder point cares about are passed over without a call.

use std::collections::BTreeSet;
use std::sync::Mutex;

use atq_platform::feed_consumer::Projection;
use atq_platform::{Tx, outbox};
use atq_proto::accountingwarehouse::v1 as wh;
use atq_proto::events::v1::Event;
use prost::Message;

use crate::plan_store;
use crate::replanning::{Planning, Replans};

pub struct StockFeed {
    pub planning: Planning,
    /// The products the batch being applied moved, re-planned once at its end. What a failed
    /// batch leaves here is only re-planned once more: a re-plan of an unmoved product changes
    /// nothing.
    pub moved: Mutex<BTreeSet<i64>>,
}

impl StockFeed {
    pub fn new(planning: Planning) -> Self {
        StockFeed { planning, moved: Mutex::default() }
    }

    fn moved(&self) -> std::sync::MutexGuard<'_, BTreeSet<i64>> {
        self.moved.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The products an event moved.
fn products_of(event: &Event) -> Result<BTreeSet<i64>, prost::DecodeError> {
    let payload = event.payload.as_slice();
    Ok(if outbox::is::<wh::ReservationChanged>(event) {
        wh::ReservationChanged::decode(payload)?
            .reservation
            .map(|r| r.lines.iter().map(|l| l.product_id).collect())
            .unwrap_or_default()
    } else if outbox::is::<wh::GoodsIssued>(event) {
        wh::GoodsIssued::decode(payload)?
            .issue
            .map(|i| i.lines.iter().map(|l| l.product_id).collect())
            .unwrap_or_default()
    } else if outbox::is::<wh::StockMoved>(event) {
        wh::StockMoved::decode(payload)?.moves.iter().map(|m| m.product_id).collect()
    } else {
        BTreeSet::new()
    })
}

/// The order whose reservation an event moved, if it moved one.
fn order_of(event: &Event) -> Result<Option<String>, prost::DecodeError> {
    let payload = event.payload.as_slice();
    Ok(if outbox::is::<wh::ReservationChanged>(event) {
        wh::ReservationChanged::decode(payload)?.reservation.map(|r| r.order_ref)
    } else if outbox::is::<wh::GoodsIssued>(event) {
        wh::GoodsIssued::decode(payload)?.issue.map(|i| i.order_ref)
    } else {
        None
    })
}

#[tonic::async_trait]
impl Projection for StockFeed {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> atq_platform::Result<()> {
        let decode = |e: prost::DecodeError| atq_platform::Error::internal(anyhow::anyhow!(e));
        if let Some(order_ref) = order_of(event).map_err(decode)?.filter(|order_ref| !order_ref.is_empty()) {
            self.planning.warehouse.forget_held(&order_ref);
        }
        let products = products_of(event).map_err(decode)?;
        if products.is_empty() {
            return Ok(());
        }
        let planned = plan_store::planned_products(tx, &products.iter().copied().collect::<Vec<_>>()).await?;
        self.moved().extend(planned);
        Ok(())
    }

    /// One re-plan of every product the batch moved: a re-plan reads every open plan of its
    /// products, so one per event made catching up on a busy feed cost plans x events.
    async fn finish_batch(&self, tx: &mut Tx) -> atq_platform::Result<()> {
        let products = std::mem::take(&mut *self.moved());
        self.planning.run_deferred(tx, Replans { products, before: Default::default() }).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_products_of_each_stock_event_are_found() {
        let moved = wh::StockMoved {
            moves: vec![
                wh::StockMove { product_id: 7, ..Default::default() },
                wh::StockMove { product_id: 3, ..Default::default() },
            ],
            ..Default::default()
        };
        let event = Event {
            event_type: "atq.accountingwarehouse.v1.StockMoved".into(),
            payload: moved.encode_to_vec(),
            ..Default::default()
        };
        assert_eq!(products_of(&event).unwrap(), BTreeSet::from([3, 7]));
        let other = Event { event_type: "atq.accountingwarehouse.v1.InvoiceIssued".into(), ..Default::default() };
        assert!(products_of(&other).unwrap().is_empty());
    }
}
