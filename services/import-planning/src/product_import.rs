//! Catalog products imported from a spreadsheet: every row checked by the rules of a single
//! create ([`ProductFields::parse_new`]), the supplier found by id, code or name, a model code the
//! catalog or an earlier row already has reported, and all rows written in one transaction or none.

use std::collections::HashMap;
use std::sync::Arc;

use atq_platform::{Caller, Db, Error, FieldError, idempotency};
use atq_proto::importplanning::v1 as pb;
use sqlx::AnyConnection;

use crate::catalog::{self, ProductFields};
use crate::product_import_store::{self, SupplierKey, model_key};

/// The most rows one import takes.
pub const MAX_IMPORT_ROWS: usize = 20_000;
/// The largest request or answer: 20,000 rows of a few hundred bytes each, with room to spare.
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// The rows that pass every check, with their spreadsheet row numbers, and every row error.
struct Checked {
    valid: Vec<(i32, ProductFields)>,
    errors: Vec<pb::ProductImportRowError>,
}

fn row_error(row: i32, column: &str, message: impl Into<String>) -> pb::ProductImportRowError {
    pb::ProductImportRowError { row, column: column.to_owned(), message: message.into() }
}

/// The supplier a row names, or the problem with the name, in the row's `supplier` column.
fn supplier_of(text: &str, suppliers: &[SupplierKey]) -> Result<i64, String> {
    if text.trim().is_empty() {
        return Err("must not be empty".into());
    }
    match suppliers.iter().find(|s| s.is_named(text)) {
        Some(supplier) => Ok(supplier.id),
        None => Err("no supplier has this name, code or id; add the supplier first".into()),
    }
}

/// One row by the create rules; the supplier is the `supplier` column, not `supplier_id`.
fn check_row(row: &pb::ImportProductRow, suppliers: &[SupplierKey]) -> Result<ProductFields, Error> {
    let supplier = supplier_of(&row.supplier, suppliers);
    let request = pb::CreateProductRequest {
        supplier_id: *supplier.as_ref().unwrap_or(&0),
        ..row.product.clone().unwrap_or_default()
    };
    let mut problems = Vec::new();
    if let Err(message) = &supplier {
        problems.push(FieldError::new("supplier", message));
    }
    match ProductFields::parse_new(&request) {
        Ok(fields) if problems.is_empty() => return Ok(fields),
        Ok(_) => {}
        Err(Error::Invalid(fields)) => problems.extend(fields.into_iter().filter(|f| f.field != "supplier_id")),
        Err(other) => return Err(other),
    }
    Err(Error::Invalid(problems))
}

fn check_fields(rows: &[pb::ImportProductRow], suppliers: &[SupplierKey]) -> Result<Checked, Error> {
    let mut checked = Checked { valid: Vec::with_capacity(rows.len()), errors: Vec::new() };
    for row in rows {
        match check_row(row, suppliers) {
            Ok(fields) => checked.valid.push((row.row, fields)),
            Err(Error::Invalid(problems)) => {
                checked.errors.extend(problems.into_iter().map(|f| row_error(row.row, &f.field, f.message)));
            }
            Err(other) => return Err(other),
        }
    }
    Ok(checked)
}

/// Marks rows whose model code the catalog or an earlier row already has.
async fn mark_duplicates(conn: &mut AnyConnection, checked: &mut Checked) -> Result<(), Error> {
    let keys: Vec<String> = checked.valid.iter().map(|(_, f)| model_key(&f.model_code)).collect();
    let taken = product_import_store::taken_model_keys(conn, &keys).await?;
    let mut first_row: HashMap<String, i32> = HashMap::new();
    let mut duplicate_rows = Vec::new();
    for ((row, _), key) in checked.valid.iter().zip(&keys) {
        if taken.contains(key) {
            let message = "a product with this model code is already in the catalog; change it there";
            checked.errors.push(row_error(*row, "model_code", message));
            duplicate_rows.push(*row);
        } else if let Some(earlier) = first_row.get(key) {
            checked.errors.push(row_error(*row, "model_code", format!("repeats the model code of row {earlier}")));
            duplicate_rows.push(*row);
        } else {
            first_row.insert(key.clone(), *row);
        }
    }
    checked.valid.retain(|(row, _)| !duplicate_rows.contains(row));
    checked.errors.sort_by_key(|e| e.row);
    Ok(())
}

async fn check(conn: &mut AnyConnection, rows: &[pb::ImportProductRow]) -> Result<Checked, Error> {
    let suppliers = product_import_store::suppliers(conn).await?;
    let mut checked = check_fields(rows, &suppliers)?;
    mark_duplicates(conn, &mut checked).await?;
    Ok(checked)
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Checks every row; unless this is a dry run and when no row is wrong, creates them all in one
/// transaction (each announced on the feed like a single create), once per idempotency key. A
/// real run with a row error writes nothing and fails with the errors as fields `rows[N].column`.
pub async fn import(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::ImportProductsRequest,
) -> Result<pb::ImportProductsResponse, Error> {
    let rows_read = count(input.rows.len());
    if input.dry_run {
        let mut conn = db.pool().acquire().await?;
        let checked = check(&mut conn, &input.rows).await?;
        let rows_valid = count(checked.valid.len());
        return Ok(pb::ImportProductsResponse {
            dry_run: true,
            rows_read,
            rows_valid,
            errors: checked.errors,
            created: Vec::new(),
        });
    }
    let scope = format!("catalog.ImportProducts:{}", caller.username);
    let (rows, backend) = (Arc::new(input.rows.clone()), db.backend());
    let answer = idempotency::run_once(db, &scope, key, input, move |tx| {
        let (by, rows) = (caller.username.clone(), Arc::clone(&rows));
        Box::pin(async move {
            let checked = check(tx, &rows).await?;
            if !checked.errors.is_empty() {
                let fields =
                    checked.errors.iter().map(|e| FieldError::new(format!("rows[{}].{}", e.row, e.column), &e.message));
                return Err(Error::Invalid(fields.collect()));
            }
            let mut created = Vec::with_capacity(checked.valid.len());
            for (_, fields) in &checked.valid {
                created.push(catalog::create_product(tx, backend, fields, &by).await?.to_proto());
            }
            Ok(pb::ImportProductsResponse {
                dry_run: false,
                rows_read,
                rows_valid: count(created.len()),
                errors: Vec::new(),
                created,
            })
        })
    })
    .await?;
    tracing::info!(rows = answer.created.len(), "products imported");
    metrics::counter!("atq_products_created_total").increment(answer.created.len() as u64);
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use atq_platform::search_text;

    use super::*;

    fn fann() -> SupplierKey {
        SupplierKey { id: 3, code: "NCC-0003".into(), name_key: search_text::fold("Fann Instrument") }
    }

    fn row(row: i32, model_code: &str, supplier: &str, category: i32, list_price: i64) -> pb::ImportProductRow {
        let product = pb::CreateProductRequest {
            model_code: model_code.into(),
            name_vi: "Máy đo độ nhớt".into(),
            category,
            brand: "Fann".into(),
            brand_class: pb::BrandClass::Big as i32,
            unit: "bộ".into(),
            hs_code: "9027.80.30".into(),
            warranty_months: 12,
            list_price,
            vat_rate_bp: 1000,
            ..Default::default()
        };
        pb::ImportProductRow { row, product: Some(product), supplier: supplier.into() }
    }

    #[test]
    fn every_bad_row_is_reported_with_its_column_and_the_supplier_is_found_by_name() {
        let chemistry = pb::ProductCategory::Chemistry as i32;
        let rows = [
            row(2, "Model 35SA", "fann instrument", chemistry, 285_000_000),
            row(3, "LPLT 300", "Fann", -1, -5),
            row(4, "", "3", chemistry, 1),
        ];
        let checked = check_fields(&rows, &[fann()]).unwrap();
        assert_eq!(checked.valid.len(), 1);
        assert_eq!(checked.valid[0].1.supplier_id, 3);
        let errors: Vec<_> = checked.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(errors, [(3, "supplier"), (3, "category"), (3, "list_price"), (4, "model_code")]);
    }
}
