//! Reading the catalog (owned by import planning) from another service: one batched call for the
//! products a document names.

use std::collections::HashMap;

use atq_proto::importplanning::v1::catalog_client::CatalogClient;
use atq_proto::importplanning::v1::{GetProductsRequest, Product};
use tonic::transport::Channel;

use crate::caller::{Caller, InternalKey};
use crate::error::Error;
use crate::grpc_client;

#[derive(Clone)]
pub struct CatalogReader {
    client: CatalogClient<Channel>,
    key: InternalKey,
}

impl CatalogReader {
    pub fn new(address: &str, key: InternalKey) -> anyhow::Result<CatalogReader> {
        Ok(CatalogReader { client: CatalogClient::new(grpc_client::channel(address)?), key })
    }

    /// The products with these ids, by id; ids the catalog does not know are absent.
    pub async fn products(&self, caller: &Caller, ids: &[i64]) -> Result<HashMap<i64, Product>, Error> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let message = GetProductsRequest { ids: ids.to_vec() };
        let products = grpc_client::with_retry(|| {
            let mut client = self.client.clone();
            let request = grpc_client::request(message.clone(), &self.key, caller, None);
            async move { client.get_products(request).await }
        })
        .await?
        .into_inner()
        .items;
        Ok(products.into_iter().map(|p| (p.id, p)).collect())
    }
}
