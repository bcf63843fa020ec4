//! The sales feed, as accounting reads it: every shipment is invoiced, in the transaction that
//! moves this service's cursor, so no shipment is invoiced twice or missed. It calls the invoice
//! use case, as the gRPC adapters do.

use atq_platform::error::Result;
use atq_platform::feed_consumer::Projection;
use atq_platform::{Db, Tx, outbox};
use atq_proto::events::v1::Event;
use atq_proto::sales::v1::DispatchShipped;
use prost::Message;

use crate::invoices;

pub struct SalesFeed {
    pub db: Db,
}

#[tonic::async_trait]
impl Projection for SalesFeed {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<()> {
        if !outbox::is::<DispatchShipped>(event) {
            return Ok(());
        }
        let shipped = DispatchShipped::decode(event.payload.as_slice())?;
        invoices::issue_for_shipment(tx, &self.db, &shipped).await
    }
}
