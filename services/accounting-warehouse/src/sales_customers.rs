//! The customers sales keeps, as accounting asks after them: a payment, credit terms or a balance
//! must name a customer sales knows (and the caller may see), or it is not found. Asked at the
//! time, so customers made before any upgrade count as much as new ones.

use atq_platform::caller::{Caller, InternalKey};
use atq_platform::error::Result;
use atq_platform::{Error, grpc_client};
use atq_proto::common::v1::PageRequest;
use atq_proto::sales::v1::customers_client::CustomersClient;
use atq_proto::sales::v1::dealers_client::DealersClient;
use atq_proto::sales::v1::{CustomerGroup, GetCustomerRequest, GetCustomerTierRequest, ListCustomersRequest};
use tonic::transport::Channel;

use crate::bonuses::CustomerProfile;

#[derive(Clone)]
pub struct SalesCustomers {
    client: CustomersClient<Channel>,
    dealers: DealersClient<Channel>,
    key: InternalKey,
}

impl SalesCustomers {
    pub fn new(address: &str, key: InternalKey) -> anyhow::Result<SalesCustomers> {
        let channel = grpc_client::channel(address)?;
        Ok(SalesCustomers { client: CustomersClient::new(channel.clone()), dealers: DealersClient::new(channel), key })
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

    /// (id, name) of the customer sales keeps under `code` (any case) and shows to `caller`.
    pub async fn find_by_code(&self, caller: &Caller, code: &str) -> Result<Option<(i64, String)>> {
        let code = code.trim();
        if code.is_empty() {
            return Ok(None);
        }
        // The search matches codes as text; only an exact code is this customer.
        let message = ListCustomersRequest {
            q: code.to_owned(),
            page: Some(PageRequest { limit: 500, cursor: String::new() }),
            ..Default::default()
        };
        let found = grpc_client::with_retry(|| {
            let mut client = self.client.clone();
            let request = grpc_client::request(message.clone(), &self.key, caller, None);
            async move { client.list_customers(request).await }
        })
        .await?;
        let customer = found.into_inner().items.into_iter().find(|c| c.code.eq_ignore_ascii_case(code));
        Ok(customer.map(|c| (c.id, c.name)))
    }

    /// The customer's group and dealer tier, for its bonus scheme; not found like `ensure_exists`.
    pub async fn profile(&self, caller: &Caller, customer_id: i64) -> Result<CustomerProfile> {
        if customer_id <= 0 {
            return Err(Error::NotFound(format!("customer {customer_id}")));
        }
        let message = GetCustomerRequest { id: customer_id };
        let customer = grpc_client::with_retry(|| {
            let mut client = self.client.clone();
            let request = grpc_client::request(message, &self.key, caller, None);
            async move { client.get_customer(request).await }
        })
        .await?
        .into_inner();
        let message = GetCustomerTierRequest { customer_id };
        let tier = grpc_client::with_retry(|| {
            let mut client = self.dealers.clone();
            let request = grpc_client::request(message, &self.key, caller, None);
            async move { client.get_customer_tier(request).await }
        })
        .await?
        .into_inner()
        .tier;
        let group = match CustomerGroup::try_from(customer.group) {
            Ok(CustomerGroup::Individual) => "individual",
            Ok(CustomerGroup::Dealer) => "dealer",
            Ok(CustomerGroup::Project) => "project",
            _ => "",
        };
        Ok(CustomerProfile { group: group.to_owned(), tier })
    }
}
