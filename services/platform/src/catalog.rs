//! Reading the catalog (owned by import planning) from another service: one batched call for the
//! products a document names.

use std::collections::HashMap;

use atq_proto::importplanning::v1::catalog_client::CatalogClient;
use atq_proto::importplanning::v1::price_lists_client::PriceListsClient;
use atq_proto::importplanning::v1::{GetCurrentPriceListRequest, GetProductsRequest, Product};
use tonic::transport::Channel;

use crate::caller::{Caller, InternalKey};
use crate::error::Error;
use crate::grpc_client;

#[derive(Clone)]
pub struct CatalogReader {
    client: CatalogClient<Channel>,
    prices: PriceListsClient<Channel>,
    key: InternalKey,
}

/// The selling prices of the price sheet in force, for one customer group.
#[derive(Clone, Debug, Default)]
pub struct SheetPrices {
    /// "BBG-2026-001"
    pub number: String,
    /// VND without VAT, by product id.
    pub price_net: HashMap<i64, i64>,
}

impl CatalogReader {
    pub fn new(address: &str, key: InternalKey) -> anyhow::Result<CatalogReader> {
        let channel = grpc_client::channel(address)?;
        Ok(CatalogReader { client: CatalogClient::new(channel.clone()), prices: PriceListsClient::new(channel), key })
    }

    /// The prices of the published sheet in force today for `group` (individual, dealer or project),
    /// for these products; None when no sheet is in force.
    pub async fn sheet_prices(&self, caller: &Caller, group: &str, ids: &[i64]) -> Result<Option<SheetPrices>, Error> {
        if ids.is_empty() {
            return Ok(None);
        }
        let message = GetCurrentPriceListRequest { customer_group: group.to_owned(), product_ids: ids.to_vec() };
        let reply = grpc_client::with_retry(|| {
            let mut client = self.prices.clone();
            let request = grpc_client::request(message.clone(), &self.key, caller, None);
            async move { client.get_current_price_list(request).await }
        })
        .await;
        let list = match reply {
            Ok(list) => list.into_inner(),
            Err(status) if status.code() == tonic::Code::NotFound => return Ok(None),
            Err(status) => return Err(status.into()),
        };
        let price_net = list.lines.iter().map(|l| (l.product_id, l.price_net)).collect();
        Ok(Some(SheetPrices { number: list.number, price_net }))
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
