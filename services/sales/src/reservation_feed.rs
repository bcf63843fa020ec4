//! The warehouse's feed tells sales how each order's reservation stands: backorders filled as
//! goods arrive show on the order without anyone asking.

use atq_platform::error::Result;
use atq_platform::feed_consumer::Projection;
use atq_platform::{Tx, outbox};
use atq_proto::accountingwarehouse::v1::ReservationChanged;
use atq_proto::events::v1::Event;
use prost::Message;

use crate::order_store;

pub struct ReservationFeed;

#[tonic::async_trait]
impl Projection for ReservationFeed {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<()> {
        if !outbox::is::<ReservationChanged>(event) {
            return Ok(());
        }
        let changed = ReservationChanged::decode(event.payload.as_slice())?;
        match changed.reservation {
            Some(reservation) => order_store::apply_reservation(tx, &reservation).await,
            None => Ok(()),
        }
    }
}
