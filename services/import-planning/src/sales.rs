//! Sales as import planning calls it: the contract or order a plan is submitted for, looked up by
//! its number as the caller sees it (sales keeps each office's documents to that office's staff).
//! Calls are retried on a transient failure.

use atq_platform::error::Result;
use atq_platform::{Caller, InternalKey, Office, grpc_client};
use atq_proto::sales::v1 as sales;
use atq_proto::sales::v1::contracts_client::ContractsClient;
use atq_proto::sales::v1::orders_client::OrdersClient;
use tonic::transport::Channel;
use tonic::{Code, Status};

#[derive(Clone)]
pub struct Sales {
    contracts: ContractsClient<Channel>,
    orders: OrdersClient<Channel>,
    key: InternalKey,
}

/// A sales document a plan may serve: whose it is and which office's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceDocument {
    pub office: Office,
    pub customer_id: i64,
    pub customer_name: String,
}

impl Sales {
    pub fn new(address: &str, key: InternalKey) -> anyhow::Result<Sales> {
        let channel = grpc_client::channel(address)?;
        Ok(Sales { contracts: ContractsClient::new(channel.clone()), orders: OrdersClient::new(channel), key })
    }

    /// The contract or order numbered `number`, if it exists and `caller` may see it.
    pub async fn document(&self, caller: &Caller, number: &str) -> Result<Option<SourceDocument>> {
        if let Some(document) = self.contract(caller, number).await? {
            return Ok(Some(document));
        }
        self.order(caller, number).await
    }

    /// The contract numbered `number`, if it exists and `caller` may see it.
    pub async fn contract(&self, caller: &Caller, number: &str) -> Result<Option<SourceDocument>> {
        let reply = grpc_client::with_retry(|| {
            let mut client = self.contracts.clone();
            let message = sales::GetContractByNumberRequest { number: number.to_owned() };
            let request = grpc_client::request(message, &self.key, caller, None);
            async move { client.get_contract_by_number(request).await }
        })
        .await;
        let Some(contract) = found(reply)? else { return Ok(None) };
        Ok(Some(SourceDocument {
            office: office(contract.office)?,
            customer_id: contract.customer_id,
            customer_name: contract.customer_name,
        }))
    }

    /// The order numbered `number`, if it exists and `caller` may see it.
    pub async fn order(&self, caller: &Caller, number: &str) -> Result<Option<SourceDocument>> {
        let reply = grpc_client::with_retry(|| {
            let mut client = self.orders.clone();
            let message = sales::GetOrderByNumberRequest { number: number.to_owned() };
            let request = grpc_client::request(message, &self.key, caller, None);
            async move { client.get_order_by_number(request).await }
        })
        .await;
        let Some(order) = found(reply)? else { return Ok(None) };
        Ok(Some(SourceDocument {
            office: office(order.office)?,
            customer_id: order.customer_id,
            customer_name: order.customer_name,
        }))
    }
}

/// The answer, None when sales does not have it (or not for this caller).
fn found<T>(reply: std::result::Result<tonic::Response<T>, Status>) -> Result<Option<T>> {
    match reply {
        Ok(reply) => Ok(Some(reply.into_inner())),
        Err(status) if status.code() == Code::NotFound => Ok(None),
        Err(status) => Err(status.into()),
    }
}

fn office(value: i32) -> Result<Office> {
    Office::from_proto(value)
        .map_err(|message| atq_platform::Error::internal(anyhow::anyhow!("sales sent a document with {message}")))
}
