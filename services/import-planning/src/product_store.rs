//! Product rows.

use atq_platform::business_time::{now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::paging::Page;
use atq_platform::{Db, Error, Tx, search_text};
use atq_proto::importplanning::v1 as pb;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::catalog::{ProductFields, brand_class_from_word, category_from_word};

pub const COLUMNS: &str = "id, model_code, name_vi, name_en, category, brand, brand_class, supplier_id, unit, hs_code, \
                       warranty_months, serial_tracked, list_price, vat_rate_bp, version, created_at, updated_at";

#[derive(Clone, Debug)]
pub struct ProductRow {
    pub id: i64,
    pub fields: ProductFields,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ProductRow {
    pub fn to_proto(&self) -> pb::Product {
        let f = &self.fields;
        pb::Product {
            id: self.id,
            model_code: f.model_code.clone(),
            name_vi: f.name_vi.clone(),
            name_en: f.name_en.clone(),
            category: category_from_word(f.category).map(|c| c as i32).unwrap_or_default(),
            brand: f.brand.clone(),
            brand_class: brand_class_from_word(f.brand_class).map(|c| c as i32).unwrap_or_default(),
            supplier_id: f.supplier_id,
            unit: f.unit.clone(),
            hs_code: f.hs_code.clone(),
            warranty_months: f.warranty_months as i32,
            serial_tracked: f.serial_tracked,
            list_price: f.list_price,
            vat_rate_bp: f.vat_rate_bp as i32,
            version: self.version,
            created_at: Some(to_timestamp(self.created_at)),
            updated_at: Some(to_timestamp(self.updated_at)),
        }
    }
}

pub fn from_row(row: &AnyRow) -> Result<ProductRow> {
    let category: String = row.try_get("category")?;
    let brand_class: String = row.try_get("brand_class")?;
    let corrupt = |what: &str, value: &str| Error::internal(anyhow::anyhow!("stored product has bad {what} {value:?}"));
    let category = crate::catalog::CATEGORIES
        .iter()
        .find(|(_, w)| *w == category)
        .map(|(_, w)| *w)
        .ok_or_else(|| corrupt("category", &category))?;
    let brand_class = crate::catalog::BRAND_CLASSES
        .iter()
        .find(|(_, w)| *w == brand_class)
        .map(|(_, w)| *w)
        .ok_or_else(|| corrupt("brand class", &brand_class))?;
    Ok(ProductRow {
        id: row.try_get("id")?,
        fields: ProductFields {
            model_code: row.try_get("model_code")?,
            name_vi: row.try_get("name_vi")?,
            name_en: row.try_get("name_en")?,
            category,
            brand: row.try_get("brand")?,
            brand_class,
            supplier_id: row.try_get("supplier_id")?,
            unit: row.try_get("unit")?,
            hs_code: row.try_get("hs_code")?,
            warranty_months: row.try_get("warranty_months")?,
            serial_tracked: row.try_get::<i64, _>("serial_tracked")? != 0,
            list_price: row.try_get("list_price")?,
            vat_rate_bp: row.try_get("vat_rate_bp")?,
        },
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn model_key(model_code: &str) -> String {
    model_code.trim().to_ascii_uppercase()
}

fn search_text_of(f: &ProductFields) -> String {
    search_text::fold(&format!("{} {} {} {}", f.model_code, f.name_vi, f.name_en, f.brand))
}

#[tracing::instrument(level = "debug", skip(executor))]
pub async fn find<'e, E: sqlx::Executor<'e, Database = Any>>(executor: E, id: i64) -> Result<Option<ProductRow>> {
    let row =
        sqlx::query(&format!("SELECT {COLUMNS} FROM products WHERE id = $1")).bind(id).fetch_optional(executor).await?;
    row.as_ref().map(from_row).transpose()
}

/// One query for many ids; unknown ids are left out.
#[tracing::instrument(level = "debug", skip_all, fields(ids = ids.len()))]
pub async fn find_many(db: &Db, ids: &[i64]) -> Result<Vec<ProductRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!("SELECT {COLUMNS} FROM products WHERE id IN ({}) ORDER BY id", placeholders.join(", "));
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    query.fetch_all(db.pool()).await?.iter().map(from_row).collect()
}

/// The model code is unique, and the supplier must exist.
async fn check_references(tx: &mut Tx, fields: &ProductFields, own_id: i64) -> Result<()> {
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM products WHERE model_key = $1 AND id <> $2")
        .bind(model_key(&fields.model_code))
        .bind(own_id)
        .fetch_optional(&mut **tx)
        .await?;
    let supplier: Option<i64> = sqlx::query_scalar("SELECT id FROM suppliers WHERE id = $1")
        .bind(fields.supplier_id)
        .fetch_optional(&mut **tx)
        .await?;
    let mut v = atq_platform::validation::Violations::new();
    if taken.is_some() {
        v.add("model_code", "another product has this model code");
    }
    if supplier.is_none() {
        v.add("supplier_id", "no supplier has this id");
    }
    v.finish()
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert(tx: &mut Tx, fields: &ProductFields) -> Result<ProductRow> {
    check_references(tx, fields, 0).await?;
    let now = now_micros();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO products (model_code, model_key, name_vi, name_en, category, brand, brand_class, supplier_id, \
         unit, hs_code, warranty_months, serial_tracked, list_price, vat_rate_bp, search_text, version, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $16) RETURNING id",
    )
    .bind(&fields.model_code)
    .bind(model_key(&fields.model_code))
    .bind(&fields.name_vi)
    .bind(&fields.name_en)
    .bind(fields.category)
    .bind(&fields.brand)
    .bind(fields.brand_class)
    .bind(fields.supplier_id)
    .bind(&fields.unit)
    .bind(&fields.hs_code)
    .bind(fields.warranty_months)
    .bind(i64::from(fields.serial_tracked))
    .bind(fields.list_price)
    .bind(fields.vat_rate_bp)
    .bind(search_text_of(fields))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let row = ProductRow { id, fields: fields.clone(), version: 1, created_at: now, updated_at: now };
    Ok(row)
}

/// Writes the changed fields at the version read; a concurrent change makes it a stale version.
#[tracing::instrument(level = "debug", skip_all, fields(id = current.id))]
pub async fn update(tx: &mut Tx, current: &ProductRow, next: ProductFields) -> Result<ProductRow> {
    check_references(tx, &next, current.id).await?;
    let now = now_micros();
    let updated = sqlx::query(
        "UPDATE products SET model_code = $1, model_key = $2, name_vi = $3, name_en = $4, category = $5, brand = $6, \
         brand_class = $7, supplier_id = $8, unit = $9, hs_code = $10, warranty_months = $11, serial_tracked = $12, \
         list_price = $13, vat_rate_bp = $14, search_text = $15, version = version + 1, updated_at = $16 \
         WHERE id = $17 AND version = $18",
    )
    .bind(&next.model_code)
    .bind(model_key(&next.model_code))
    .bind(&next.name_vi)
    .bind(&next.name_en)
    .bind(next.category)
    .bind(&next.brand)
    .bind(next.brand_class)
    .bind(next.supplier_id)
    .bind(&next.unit)
    .bind(&next.hs_code)
    .bind(next.warranty_months)
    .bind(i64::from(next.serial_tracked))
    .bind(next.list_price)
    .bind(next.vat_rate_bp)
    .bind(search_text_of(&next))
    .bind(now)
    .bind(current.id)
    .bind(current.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if updated != 1 {
        return Err(Error::StaleVersion { expected: current.version, actual: current.version + 1 });
    }
    let row = ProductRow { fields: next, version: current.version + 1, updated_at: now, ..current.clone() };
    Ok(row)
}

pub struct ProductFilter {
    pub query: String,
    pub category: &'static str,
    pub brand: String,
    pub brand_class: &'static str,
    pub supplier_id: i64,
    pub page: Page,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(db: &Db, filter: &ProductFilter) -> Result<Vec<ProductRow>> {
    let pattern = if filter.query.trim().is_empty() { String::new() } else { search_text::like_pattern(&filter.query) };
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM products WHERE id > $1 AND ($2 = '' OR category = $2) AND ($3 = '' OR brand = $3) \
         AND ($4 = '' OR brand_class = $4) AND ($5 = 0 OR supplier_id = $5) \
         AND ($6 = '' OR search_text LIKE $6 ESCAPE '\\') ORDER BY id LIMIT $7"
    ))
    .bind(filter.page.after_id)
    .bind(filter.category)
    .bind(filter.brand.trim())
    .bind(filter.brand_class)
    .bind(filter.supplier_id)
    .bind(pattern)
    .bind(filter.page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}
