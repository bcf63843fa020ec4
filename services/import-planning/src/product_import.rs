//! Catalog products imported from a spreadsheet: every row checked by the rules of a single
//! create ([`ProductFields::parse_new`]), the supplier found by id, code or name, a model code an
//! earlier row already has reported, and all rows written in one transaction or none. A row whose
//! model code the catalog has updates that product (as a single update would) when any field
//! differs and leaves it alone when none does, so the same file imported twice adds nothing.

use std::collections::HashMap;
use std::sync::Arc;

use atq_platform::{Caller, Db, Error, FieldError, idempotency};
use atq_proto::importplanning::v1 as pb;
use sqlx::AnyConnection;

use crate::catalog::{self, ProductFields};
use crate::product_import_store::{self, SupplierKey, model_key};
use crate::product_store::ProductRow;

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

/// What a valid row does to the catalog.
enum Action {
    Create,
    /// The product under the row's model code, whose fields the row changes.
    Update(Box<ProductRow>),
    Unchanged,
}

impl Action {
    fn word(&self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update(_) => "update",
            Action::Unchanged => "unchanged",
        }
    }
}

/// The valid rows with what each does, and every row error.
struct Planned {
    rows: Vec<(i32, ProductFields, Action)>,
    errors: Vec<pb::ProductImportRowError>,
}

/// Each valid row's action against the catalog; a model code an earlier row has is a row error.
async fn plan(conn: &mut AnyConnection, checked: Checked) -> Result<Planned, Error> {
    let keys: Vec<String> = checked.valid.iter().map(|(_, f)| model_key(&f.model_code)).collect();
    let mut existing = product_import_store::products_by_model_key(conn, &keys).await?;
    let mut first_row: HashMap<String, i32> = HashMap::new();
    let mut planned = Planned { rows: Vec::with_capacity(checked.valid.len()), errors: checked.errors };
    for ((row, fields), key) in checked.valid.into_iter().zip(keys) {
        if let Some(earlier) = first_row.get(&key) {
            planned.errors.push(row_error(row, "model_code", format!("repeats the model code of row {earlier}")));
            continue;
        }
        first_row.insert(key.clone(), row);
        let action = match existing.remove(&key) {
            None => Action::Create,
            Some(current) if current.fields == fields => Action::Unchanged,
            Some(current) => Action::Update(Box::new(current)),
        };
        planned.rows.push((row, fields, action));
    }
    planned.errors.sort_by_key(|e| e.row);
    Ok(planned)
}

async fn check(conn: &mut AnyConnection, rows: &[pb::ImportProductRow]) -> Result<Planned, Error> {
    let suppliers = product_import_store::suppliers(conn).await?;
    let checked = check_fields(rows, &suppliers)?;
    plan(conn, checked).await
}

fn actions(planned: &Planned) -> Vec<pb::ProductImportRowAction> {
    let action = |(row, fields, action): &(i32, ProductFields, Action)| pb::ProductImportRowAction {
        row: *row,
        model_code: fields.model_code.clone(),
        action: action.word().to_owned(),
    };
    planned.rows.iter().map(action).collect()
}

/// The update a changed row makes: every field, at the version just read.
fn update_of(current: &ProductRow, f: &ProductFields) -> Result<pb::UpdateProductRequest, Error> {
    let category = catalog::category_from_word(f.category).map(|c| c as i32);
    let brand_class = catalog::brand_class_from_word(f.brand_class).map(|c| c as i32);
    let warranty_months = i32::try_from(f.warranty_months).ok();
    let vat_rate_bp = i32::try_from(f.vat_rate_bp).ok();
    let unchecked = || Error::internal(anyhow::anyhow!("a checked product row did not convert back"));
    Ok(pb::UpdateProductRequest {
        id: current.id,
        expected_version: current.version,
        model_code: Some(f.model_code.clone()),
        name_vi: Some(f.name_vi.clone()),
        name_en: Some(f.name_en.clone()),
        category: Some(category.ok_or_else(unchecked)?),
        brand: Some(f.brand.clone()),
        brand_class: Some(brand_class.ok_or_else(unchecked)?),
        supplier_id: Some(f.supplier_id),
        unit: Some(f.unit.clone()),
        hs_code: Some(f.hs_code.clone()),
        warranty_months: Some(warranty_months.ok_or_else(unchecked)?),
        serial_tracked: Some(f.serial_tracked),
        list_price: Some(f.list_price),
        vat_rate_bp: Some(vat_rate_bp.ok_or_else(unchecked)?),
    })
}

/// Creates and updates the planned rows; answers the products created and those updated.
async fn write(
    tx: &mut atq_platform::Tx,
    backend: atq_platform::Backend,
    planned: &Planned,
    by: &str,
) -> Result<(Vec<pb::Product>, Vec<pb::Product>), Error> {
    let (mut created, mut updated) = (Vec::new(), Vec::new());
    for (_, fields, action) in &planned.rows {
        match action {
            Action::Create => created.push(catalog::create_product(tx, backend, fields, by).await?.to_proto()),
            Action::Update(current) => {
                let update = update_of(current, fields)?;
                updated.push(catalog::update_product(tx, backend, &update, by).await?.to_proto());
            }
            Action::Unchanged => {}
        }
    }
    Ok((created, updated))
}

fn unchanged(planned: &Planned) -> i32 {
    count(planned.rows.iter().filter(|(_, _, action)| matches!(action, Action::Unchanged)).count())
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Checks every row; unless this is a dry run and when no row is wrong, creates or updates them
/// all in one transaction (each announced on the feed like a single create or update), once per
/// idempotency key. A
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
        let planned = check(&mut conn, &input.rows).await?;
        return Ok(pb::ImportProductsResponse {
            dry_run: true,
            rows_read,
            rows_valid: count(planned.rows.len()),
            unchanged: unchanged(&planned),
            actions: actions(&planned),
            errors: planned.errors,
            ..Default::default()
        });
    }
    let scope = format!("catalog.ImportProducts:{}", caller.username);
    let (rows, backend) = (Arc::new(input.rows.clone()), db.backend());
    let answer = idempotency::run_once(db, &scope, key, input, move |tx| {
        let (by, rows) = (caller.username.clone(), Arc::clone(&rows));
        Box::pin(async move {
            let planned = check(tx, &rows).await?;
            if !planned.errors.is_empty() {
                let fields =
                    planned.errors.iter().map(|e| FieldError::new(format!("rows[{}].{}", e.row, e.column), &e.message));
                return Err(Error::Invalid(fields.collect()));
            }
            let (created, updated) = write(tx, backend, &planned, &by).await?;
            Ok(pb::ImportProductsResponse {
                dry_run: false,
                rows_read,
                rows_valid: count(planned.rows.len()),
                errors: Vec::new(),
                created,
                updated,
                unchanged: unchanged(&planned),
                actions: actions(&planned),
            })
        })
    })
    .await?;
    tracing::info!(created = answer.created.len(), updated = answer.updated.len(), "products imported");
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
