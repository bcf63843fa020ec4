//! The lookups a product import needs: the products the catalog already has under the rows' model
//! codes, and the suppliers a row may name.

use std::collections::HashMap;

use atq_platform::error::Result;
use atq_platform::search_text;
use sqlx::{AnyConnection, Row};

use crate::product_store::{COLUMNS, ProductRow, from_row};

/// Values per `IN (...)` list: well under SQLite's and PostgreSQL's bind limits.
const CHUNK: usize = 400;

/// The key a model code is unique by: the same as `product_store` stores in `model_key`.
pub fn model_key(model_code: &str) -> String {
    model_code.trim().to_ascii_uppercase()
}

/// The products that already have one of `keys` (model keys), by model key.
pub async fn products_by_model_key(conn: &mut AnyConnection, keys: &[String]) -> Result<HashMap<String, ProductRow>> {
    let mut found = HashMap::new();
    for chunk in keys.chunks(CHUNK) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let sql = format!("SELECT {COLUMNS} FROM products WHERE model_key IN ({})", placeholders.join(", "));
        let mut query = sqlx::query(&sql);
        for key in chunk {
            query = query.bind(key);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let product = from_row(&row)?;
            found.insert(model_key(&product.fields.model_code), product);
        }
    }
    Ok(found)
}

/// A supplier as an import row may name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupplierKey {
    pub id: i64,
    pub code: String,
    /// The folded name suppliers are unique by.
    pub name_key: String,
}

impl SupplierKey {
    /// Whether `text` (an id, a code, or a name in any case, with or without diacritics) is this
    /// supplier.
    pub fn is_named(&self, text: &str) -> bool {
        let text = text.trim();
        text.parse::<i64>().is_ok_and(|id| id == self.id)
            || text.eq_ignore_ascii_case(&self.code)
            || search_text::fold(text) == self.name_key
    }
}

/// Every supplier. ATQ buys from a few dozen foreign suppliers, so one read serves a whole file.
pub async fn suppliers(conn: &mut AnyConnection) -> Result<Vec<SupplierKey>> {
    let rows = sqlx::query("SELECT id, code, name_key FROM suppliers ORDER BY id").fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok(SupplierKey { id: row.try_get("id")?, code: row.try_get("code")?, name_key: row.try_get("name_key")? })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_supplier_is_named_by_id_code_or_name_without_diacritics() {
        let fann = SupplierKey { id: 7, code: "NCC-0007".into(), name_key: search_text::fold("Fann Instrument") };
        assert!(fann.is_named("7") && fann.is_named("ncc-0007") && fann.is_named(" FANN instrument "));
        assert!(!fann.is_named("8") && !fann.is_named("Fann"));
        assert_eq!(model_key(" model 35sa "), "MODEL 35SA");
    }
}
