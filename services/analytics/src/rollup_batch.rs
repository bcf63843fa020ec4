//! Rollup changes gathered over a feed batch and written once before it commits.
//!
//! A projection works out what each event changes in the rollups from the facts it reads, which
//! it writes at once; the changes themselves wait in a [`Pending`] and go to the rollup tables in
//! a few multi-row statements when the feed consumer finishes the batch (`finish_batch`), with
//! the rollup lock taken once. Nothing during a batch reads the rollup tables, so what is written
//! is what writing each change at once would have left. A projection used alone (as the tests use
//! them) writes its changes after each event.

use std::sync::{Mutex, PoisonError};

use atq_platform::Tx;
use atq_platform::error::Result;
use atq_proto::events::v1::Event;

use crate::stock_facts_store::MoveRow;

/// The rollup changes of the events applied so far in one transaction.
#[derive(Debug, Default)]
pub struct Pending {
    locked: bool,
    pub(crate) sales: crate::sales_facts::rollup::Cells,
    pub(crate) margins: crate::margin_store::rollup::Cells,
    pub(crate) receivables: crate::receivable_rollup::Delta,
    /// Stock moves kept for the first time, with their feed position and move number.
    pub(crate) stock: Vec<(MoveRow, i64, i64)>,
}

impl Pending {
    /// Takes the rollup lock once per transaction (see `rollup_lock` in migration 111).
    pub async fn lock(&mut self, tx: &mut Tx) -> Result<()> {
        if !self.locked {
            crate::sales_facts::rollup::lock(tx).await?;
            self.locked = true;
        }
        Ok(())
    }

    /// Writes the changes to the rollup tables.
    pub async fn flush(self, tx: &mut Tx) -> Result<()> {
        crate::sales_facts::rollup::add(tx, &self.sales).await?;
        crate::margin_store::rollup::add(tx, &self.margins).await?;
        self.receivables.flush(tx).await?;
        let moves: Vec<crate::stock_rollup::Moved<'_>> = self
            .stock
            .iter()
            .map(|(row, position, move_no)| crate::stock_rollup::Moved { row, position: *position, move_no: *move_no })
            .collect();
        crate::stock_rollup::add(tx, &moves).await
    }
}

/// A projection whose rollup changes can wait for the end of the batch.
#[tonic::async_trait]
pub trait Batched: Send + Sync + 'static {
    async fn apply_into(&self, tx: &mut Tx, event: &Event, pending: &mut Pending) -> Result<()>;
}

/// Implements `Projection` for [`Batched`] projections used alone: each event's changes are
/// written with it.
macro_rules! per_event {
    ($projection:ty) => {
        #[tonic::async_trait]
        impl atq_platform::feed_consumer::Projection for $projection {
            async fn apply(
                &self,
                tx: &mut atq_platform::Tx,
                event: &atq_proto::events::v1::Event,
            ) -> atq_platform::error::Result<()> {
                let mut pending = crate::rollup_batch::Pending::default();
                crate::rollup_batch::Batched::apply_into(self, tx, event, &mut pending).await?;
                pending.flush(tx).await
            }
        }
    };
}
pub(crate) use per_event;

/// The changes a feed's consumer gathers over its batch (one consumer per feed, one batch at a
/// time). An event that fails leaves nothing behind: its batch is rolled back and the next one
/// starts empty.
#[derive(Debug, Default)]
pub struct Gathered(Mutex<Pending>);

impl Gathered {
    /// The changes so far, left empty until [`Gathered::keep`] puts them back.
    pub fn take(&self) -> Pending {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub fn keep(&self, pending: Pending) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = pending;
    }
}
