//! The table of products as the sales report groups them.

use atq_platform::Tx;
use atq_platform::error::Result;
use atq_proto::importplanning::v1 as catalog;

/// A product as kept.
pub struct Kept {
    pub category: String,
    pub brand: String,
    pub version: i64,
}

pub async fn kept(tx: &mut Tx, product_id: i64) -> Result<Option<Kept>> {
    let found: Option<(String, String, i64)> =
        sqlx::query_as("SELECT category, brand, version FROM product_facts WHERE product_id = $1")
            .bind(product_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(found.map(|(category, brand, version)| Kept { category, brand, version }))
}

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
