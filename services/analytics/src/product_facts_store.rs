//! The table of products as the sales report groups them.

use atq_platform::Tx;
use atq_platform::error::Result;
use atq_proto::importplanning::v1 as catalog;

/// Writes the product under `category` and `brand`, unless the table has this version or a later.
#[tracing::instrument(level = "debug", skip_all, fields(product_id = product.id, version = product.version))]
pub async fn record(tx: &mut Tx, product: &catalog::Product, category: &str, brand: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO product_facts (product_id, model_code, category, brand, version) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (product_id) DO UPDATE SET model_code = excluded.model_code, category = excluded.category, \
         brand = excluded.brand, version = excluded.version WHERE product_facts.version < excluded.version",
    )
    .bind(product.id)
    .bind(&product.model_code)
    .bind(category)
    .bind(brand)
    .bind(product.version)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
