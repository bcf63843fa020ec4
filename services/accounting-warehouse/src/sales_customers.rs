//! The customers sales keeps, as accounting asks after them: a payment, credit terms or a balance
//! must name a customer sales knows (and the caller may see), or it is not found. Asked at the
//! time, so customers made before any upgrade count as much as new ones.

use atq_platform::caller::{Caller, InternalKey};
use atq_platform::error::Result;
use atq_platform::{Error, grpc_client};
use atq_proto::sales::v1::GetCustomerRequest;
use atq_proto::sales::v1::customers_client::CustomersClient;
use tonic::transport::Channel;

#[derive(Clone)]
pub struct SalesCustomers {
    client: CustomersClient<Channel>,
    key: InternalKey,
}

impl SalesCustomers {
    pub fn new(address: &str, key: InternalKey) -> anyhow::Result<SalesCustomers> {
        Ok(SalesCustomers { client: CustomersClient::new(grpc_client::channel(address)?), key })
    }

    /// Ok when sales has the customer and shows it to `caller`; not found otherwise.
    pub async fn ensure_exists(&self, caller: &Caller, customer_id: i64) -> Result<()> {
        if customer_id <= 0 {
            return Err(Error::NotFound(format!("customer {customer_id}")));
        }
        let message = GetCustomerRequest { id: customer_id };
        grpc_client::with_retry(|| {
            let mut client = self.client.clone();
            let request = grpc_client::request(message, &self.key, caller, None);
            async move { client.get_customer(request).await }
        })
        .await?;
        Ok(())
    }
}
