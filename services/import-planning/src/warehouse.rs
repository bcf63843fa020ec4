//! The accounting-warehouse as import planning calls it: stock levels, an order's reservation
//! and the receipt of a supplier order's goods. Calls are retried on a transient failure.

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
}

impl Warehouse {
    pub fn new(client: WarehouseClient<Channel>, key: InternalKey) -> Self {
        Warehouse { client, key }
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
