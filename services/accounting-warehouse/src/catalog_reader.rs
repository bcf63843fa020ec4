//! What the warehouse needs from the catalog (import planning): that products exist and whether
//! each is serial-tracked. One batched call per document.

use std::collections::HashMap;

use atq_platform::{Caller, Error, InternalKey, grpc_client};
use atq_proto::importplanning::v1::GetProductsRequest;
use atq_proto::importplanning::v1::catalog_client::CatalogClient;
use tonic::transport::Channel;

#[derive(Clone)]
pub struct CatalogReader {
    client: CatalogClient<Channel>,
    key: InternalKey,
}

impl CatalogReader {
    pub fn new(address: &str, key: InternalKey) -> anyhow::Result<CatalogReader> {
        Ok(CatalogReader { client: CatalogClient::new(grpc_client::channel(address)?), key })
    }

    /// Product id -> serial-tracked, for the ids that exist.
    pub async fn serial_tracking(&self, caller: &Caller, ids: &[i64]) -> Result<HashMap<i64, bool>, Error> {
        let message = GetProductsRequest { ids: ids.to_vec() };
        let products = grpc_client::with_retry(|| {
            let mut client = self.client.clone();
            let request = grpc_client::request(message.clone(), &self.key, caller, None);
            async move { client.get_products(request).await }
        })
        .await?
        .into_inner()
        .items;
        Ok(products.into_iter().map(|p| (p.id, p.serial_tracked)).collect())
    }
}
