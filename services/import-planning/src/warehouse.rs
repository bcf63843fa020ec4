//! The accounting-warehouse as import planning calls it: stock levels, an order's reservation
//! and the receipt of a supplier order's goods. Calls are retried on a transient failure.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use atq_platform::error::Result;
use atq_platform::{Caller, InternalKey, grpc_client};
use atq_proto::accountingwarehouse::v1 as wh;
use atq_proto::accountingwarehouse::v1::warehouse_client::WarehouseClient;
use tonic::Code;
use tonic::transport::Channel;

#[derive(Clone)]
pub struct Warehouse {
    client: WarehouseClient<Channel>,
    key: InternalKey,
    holdings: Arc<Mutex<Holdings>>,
}

/// What each order's reservation holds per product, as last read. A re-plan of a product reads
/// what every open plan's orders hold; reading each from the warehouse again made every re-plan
/// as slow as the number of plans. The stock feed forgets an order whose reservation moved, so
/// only those are read again.
#[derive(Default)]
struct Holdings {
    by_order: HashMap<String, HashMap<i64, i64>>,
    /// Counts the orders forgotten: a read that began before one is not kept, it may be older.
    forgotten: u64,
}

/// Orders remembered at most; beyond it the memory starts again (each order is read once more).
const MAX_REMEMBERED: usize = 200_000;

impl Warehouse {
    pub fn new(client: WarehouseClient<Channel>, key: InternalKey) -> Self {
        Warehouse { client, key, holdings: Arc::default() }
    }

    fn holdings(&self) -> std::sync::MutexGuard<'_, Holdings> {
        // The map is only a memory of reads: after a panic elsewhere it is simply started again.
        self.holdings.lock().unwrap_or_else(|poisoned| {
            let mut guard = poisoned.into_inner();
            *guard = Holdings::default();
            guard
        })
    }

    /// What `order_ref` holds as last read, or else the mark to pass to [`Warehouse::remember_held`].
    pub fn held_as_read(&self, order_ref: &str) -> Result<HashMap<i64, i64>, u64> {
        let holdings = self.holdings();
        holdings.by_order.get(order_ref).cloned().ok_or(holdings.forgotten)
    }

    /// Keeps what an order holds, read after `mark`, unless an order was forgotten since.
    pub fn remember_held(&self, order_ref: &str, mark: u64, held: &HashMap<i64, i64>) {
        let mut holdings = self.holdings();
        if holdings.forgotten != mark {
            return;
        }
        if holdings.by_order.len() >= MAX_REMEMBERED {
            holdings.by_order.clear();
        }
        holdings.by_order.insert(order_ref.to_owned(), held.clone());
    }

    /// The reservation of `order_ref` moved: what it holds must be read again.
    pub fn forget_held(&self, order_ref: &str) {
        let mut holdings = self.holdings();
        holdings.by_order.remove(order_ref);
        holdings.forgotten += 1;
    }

    fn service() -> Caller {
        Caller::service(crate::NAME)
    }

    /// Stock levels of one product (0: of every product), as `caller` may see them.
    pub async fn stock(&self, product_id: i64, caller: &Caller) -> Result<Vec<wh::StockLevel>> {
        let reply = grpc_client::with_retry(|| {
            let mut client = self.client.clone();
            let message = wh::ListStockRequest { product_id, ..Default::default() };
            let request = grpc_client::request(message, &self.key, caller, None);
            async move { client.list_stock(request).await }
        })
        .await?;
        Ok(reply.into_inner().items)
    }

    /// Stock levels as this service sees them.
    pub async fn stock_of(&self, product_id: i64) -> Result<Vec<wh::StockLevel>> {
        self.stock(product_id, &Self::service()).await
    }

    /// The reservation of an order, if the warehouse has one.
    pub async fn reservation(&self, order_ref: &str) -> Result<Option<wh::Reservation>> {
        let caller = Self::service();
        let reply = grpc_client::with_retry(|| {
            let mut client = self.client.clone();
            let message = wh::GetReservationRequest { order_ref: order_ref.to_owned() };
            let request = grpc_client::request(message, &self.key, &caller, None);
            async move { client.get_reservation(request).await }
        })
        .await;
        match reply {
            Ok(reply) => Ok(Some(reply.into_inner())),
            Err(status) if status.code() == Code::NotFound => Ok(None),
            Err(status) => Err(status.into()),
        }
    }

    /// Takes goods in; `idempotency_key` makes a retry get the same receipt back.
    pub async fn create_receipt(
        &self,
        message: wh::CreateReceiptRequest,
        idempotency_key: &str,
    ) -> Result<wh::Receipt> {
        let caller = Self::service();
        let receipt = grpc_client::with_retry(|| {
            let mut client = self.client.clone();
            let request = grpc_client::request(message.clone(), &self.key, &caller, Some(idempotency_key));
            async move { client.create_receipt(request).await }
        })
        .await?;
        Ok(receipt.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warehouse() -> Warehouse {
        let channel = Channel::from_static("http://127.0.0.1:9").connect_lazy();
        Warehouse::new(WarehouseClient::new(channel), InternalKey::random())
    }

    #[tokio::test]
    async fn what_an_order_holds_is_remembered_until_its_reservation_moves() {
        let warehouse = warehouse();
        let held = HashMap::from([(5, 2)]);
        let mark = warehouse.held_as_read("DH-1").unwrap_err();
        warehouse.remember_held("DH-1", mark, &held);
        assert_eq!(warehouse.held_as_read("DH-1"), Ok(held));
        warehouse.forget_held("DH-1");
        assert!(warehouse.held_as_read("DH-1").is_err());
    }

    #[tokio::test]
    async fn a_read_begun_before_an_order_was_forgotten_is_not_kept() {
        let warehouse = warehouse();
        let mark = warehouse.held_as_read("DH-1").unwrap_err();
        // The stock feed says the reservation moved while the read was on its way.
        warehouse.forget_held("DH-1");
        warehouse.remember_held("DH-1", mark, &HashMap::from([(5, 2)]));
        assert!(warehouse.held_as_read("DH-1").is_err(), "the older read is not kept");
    }
}
