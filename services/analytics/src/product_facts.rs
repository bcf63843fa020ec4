//! The import-planning feed folded into one row per product: what the sales report needs to put
//! an order line under a category and a brand.

use atq_platform::error::Result;
use atq_platform::{Tx, outbox};
use atq_proto::events::v1::Event;
use atq_proto::importplanning::v1 as catalog;
use prost::Message;

use crate::product_facts_store;
use crate::rollup_batch::{Batched, Pending};
use crate::sales_facts::rollup;

/// Shown for a product the catalog feed has not described (yet).
pub const UNKNOWN: &str = "unknown";

pub struct ProductFacts;

crate::rollup_batch::per_event!(ProductFacts);

#[tonic::async_trait]
impl Batched for ProductFacts {
    async fn apply_into(&self, tx: &mut Tx, event: &Event, pending: &mut Pending) -> Result<()> {
        if !outbox::is::<catalog::ProductChanged>(event) {
            return Ok(());
        }
        let Some(product) = catalog::ProductChanged::decode(event.payload.as_slice())?.product else {
            return Ok(());
        };
        let brand = product.brand.trim();
        let brand = if brand.is_empty() { UNKNOWN } else { brand };
        // Each event carries the product as it stands; a version the table already has (or has
        // passed) changes nothing, so a replay is harmless.
        let category = category_word(product.category);
        let kept = product_facts_store::kept(tx, product.id).await?;
        if kept.as_ref().is_some_and(|k| k.version >= product.version) {
            return Ok(());
        }
        // The sales rollup puts lines under their category and brand: a product that moves takes
        // its sales with it (a product not yet described shows as unknown).
        let (old_category, old_brand) =
            kept.map_or((UNKNOWN.to_owned(), UNKNOWN.to_owned()), |k| (k.category, k.brand));
        if old_category == category && old_brand == brand {
            return product_facts_store::record(tx, &product, &category, brand).await;
        }
        let change = rollup::Change::start(tx, rollup::Lines::Product(product.id), pending).await?;
        product_facts_store::record(tx, &product, &category, brand).await?;
        change.finish(tx, pending).await
    }
}

/// The category as the REST API writes it: the wire name without its prefix, in lower case
/// ("electronics_telecom").
pub fn category_word(value: i32) -> String {
    match catalog::ProductCategory::try_from(value) {
        Ok(catalog::ProductCategory::Unspecified) | Err(_) => UNKNOWN.to_owned(),
        Ok(category) => category.as_str_name().trim_start_matches("PRODUCT_CATEGORY_").to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_read_as_their_rest_words() {
        assert_eq!(category_word(catalog::ProductCategory::ElectronicsTelecom as i32), "electronics_telecom");
        assert_eq!(category_word(catalog::ProductCategory::Chemistry as i32), "chemistry");
        assert_eq!(category_word(0), UNKNOWN);
        assert_eq!(category_word(99), UNKNOWN);
    }
}
