//! Suppliers imported from a spreadsheet: every row checked by the rules of a single create
//! ([`SupplierFields::parse_new`]) and a code the old system gave kept; a supplier the catalog
//! already has (by code, or by name for a row without one) is left as it is, so a file imported
//! twice adds its suppliers once; all new ones written in one transaction or none.

use std::collections::HashMap;
use std::sync::Arc;

use atq_platform::search_text::fold;
use atq_platform::{Caller, Db, Error, FieldError, idempotency};
use atq_proto::importplanning::v1 as pb;
use sqlx::AnyConnection;

use crate::catalog::{self, SupplierFields};
use crate::product_import_store::{self, SupplierKey};

/// The longest code kept from the old system.
const MAX_CODE_CHARS: usize = 20;

/// A row that passed its own checks: its number, its code (None: the series gives one) and fields.
struct NewSupplier {
    row: i32,
    code: Option<String>,
    fields: SupplierFields,
}

/// The rows to create, the rows the catalog already has, and every row error.
#[derive(Default)]
struct Checked {
    new: Vec<NewSupplier>,
    present: Vec<pb::SupplierAlreadyPresent>,
    errors: Vec<pb::SupplierImportRowError>,
}

fn row_error(row: i32, column: &str, message: impl Into<String>) -> pb::SupplierImportRowError {
    pb::SupplierImportRowError { row, column: column.to_owned(), message: message.into() }
}

/// A code as the catalog keeps it: upper case letters, digits, `-`, `_`, `.`; empty is none.
fn parse_code(text: &str) -> Result<Option<String>, String> {
    let code = text.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Ok(None);
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if code.chars().count() > MAX_CODE_CHARS || !code.chars().all(allowed) {
        return Err(format!("must be up to {MAX_CODE_CHARS} letters, digits, '-', '_' or '.' without accents"));
    }
    Ok(Some(code))
}

/// One row by the create rules, with its code.
fn check_row(row: &pb::ImportSupplierRow) -> Result<(Option<String>, SupplierFields), Error> {
    let code = parse_code(&row.code);
    let fields = SupplierFields::parse_new(&row.supplier.clone().unwrap_or_default());
    match (code, fields) {
        (Ok(code), Ok(fields)) => Ok((code, fields)),
        (code, fields) => {
            let mut problems = Vec::new();
            if let Err(message) = code {
                problems.push(FieldError::new("code", message));
            }
            match fields {
                Err(Error::Invalid(fields)) => problems.extend(fields),
                Err(other) => return Err(other),
                Ok(_) => {}
            }
            Err(Error::Invalid(problems))
        }
    }
}

/// Whether a row is a supplier the catalog has: by its code, or by its name when it has none.
/// Ok(None): new. A code the catalog has under another name, or a name it has under another
/// code, is an error: one of the two records would be wrong.
fn match_existing(
    row: i32,
    code: Option<&str>,
    name_key: &str,
    catalog: &[SupplierKey],
) -> Result<Option<pb::SupplierAlreadyPresent>, pb::SupplierImportRowError> {
    let by_name = catalog.iter().find(|s| s.name_key == name_key);
    let present = |s: &SupplierKey| pb::SupplierAlreadyPresent { row, id: s.id, code: s.code.clone() };
    match (code.and_then(|code| catalog.iter().find(|s| s.code == code)), by_name) {
        (Some(same), Some(named)) if same.id == named.id => Ok(Some(present(same))),
        (Some(_), _) => Err(row_error(row, "code", "a supplier in the catalog has this code and another name")),
        (None, Some(named)) if code.is_none() => Ok(Some(present(named))),
        (None, Some(_)) => Err(row_error(row, "name", "a supplier in the catalog has this name and another code")),
        (None, None) => Ok(None),
    }
}

/// Checks every row against the create rules, the catalog and the rows before it.
async fn check(conn: &mut AnyConnection, rows: &[pb::ImportSupplierRow]) -> Result<Checked, Error> {
    let catalog = product_import_store::suppliers(conn).await?;
    let mut checked = Checked::default();
    let (mut codes, mut names): (HashMap<String, i32>, HashMap<String, i32>) = Default::default();
    for row in rows {
        let (code, fields) = match check_row(row) {
            Ok(parsed) => parsed,
            Err(Error::Invalid(problems)) => {
                checked.errors.extend(problems.into_iter().map(|f| row_error(row.row, &f.field, f.message)));
                continue;
            }
            Err(other) => return Err(other),
        };
        let name_key = fold(&fields.name);
        if let Some(earlier) = code.as_ref().and_then(|c| codes.get(c)) {
            checked.errors.push(row_error(row.row, "code", format!("repeats the code of row {earlier}")));
            continue;
        }
        if let Some(earlier) = names.get(&name_key) {
            checked.errors.push(row_error(row.row, "name", format!("repeats the name of row {earlier}")));
            continue;
        }
        if let Some(code) = &code {
            codes.insert(code.clone(), row.row);
        }
        names.insert(name_key.clone(), row.row);
        match match_existing(row.row, code.as_deref(), &name_key, &catalog) {
            Ok(Some(present)) => checked.present.push(present),
            Ok(None) => checked.new.push(NewSupplier { row: row.row, code, fields }),
            Err(error) => checked.errors.push(error),
        }
    }
    checked.errors.sort_by_key(|e| e.row);
    Ok(checked)
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn answer(rows_read: i32, dry_run: bool, checked: Checked, created: Vec<pb::Supplier>) -> pb::ImportSuppliersResponse {
    let failed_rows: std::collections::HashSet<i32> = checked.errors.iter().map(|e| e.row).collect();
    pb::ImportSuppliersResponse {
        dry_run,
        rows_read,
        rows_valid: rows_read.saturating_sub(count(failed_rows.len())),
        errors: checked.errors,
        created,
        already_present: checked.present,
    }
}

/// Checks every row; unless this is a dry run and when no row is wrong, creates the new suppliers
/// in one transaction (each announced like a single create), once per idempotency key. A real run
/// with a row error writes nothing and fails with the errors as fields `rows[N].column`.
pub async fn import(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::ImportSuppliersRequest,
) -> Result<pb::ImportSuppliersResponse, Error> {
    let rows_read = count(input.rows.len());
    if input.dry_run {
        let mut conn = db.pool().acquire().await?;
        let checked = check(&mut conn, &input.rows).await?;
        return Ok(answer(rows_read, true, checked, Vec::new()));
    }
    let scope = format!("catalog.ImportSuppliers:{}", caller.username);
    let (rows, backend) = (Arc::new(input.rows.clone()), db.backend());
    let result = idempotency::run_once(db, &scope, key, input, move |tx| {
        let (by, rows) = (caller.username.clone(), Arc::clone(&rows));
        Box::pin(async move {
            let checked = check(tx, &rows).await?;
            if !checked.errors.is_empty() {
                let fields =
                    checked.errors.iter().map(|e| FieldError::new(format!("rows[{}].{}", e.row, e.column), &e.message));
                return Err(Error::Invalid(fields.collect()));
            }
            let mut created = Vec::with_capacity(checked.new.len());
            for new in &checked.new {
                let row = catalog::create_supplier(tx, backend, &new.fields, new.code.as_deref(), &by).await?;
                tracing::debug!(row = new.row, code = %row.code, "supplier imported");
                created.push(row.to_proto());
            }
            Ok(answer(rows_read, false, checked, created))
        })
    })
    .await?;
    tracing::info!(created = result.created.len(), present = result.already_present.len(), "suppliers imported");
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: i64, code: &str, name: &str) -> SupplierKey {
        SupplierKey { id, code: code.into(), name_key: fold(name) }
    }

    #[test]
    fn a_supplier_is_matched_by_code_or_else_by_name_and_a_mismatch_is_an_error() {
        let catalog = [key(1, "NCC001", "Fann Instrument"), key(2, "TK", "Tokyo Keiki")];
        let found = |code: Option<&str>, name: &str| match_existing(5, code, &fold(name), &catalog);
        assert_eq!(found(Some("NCC001"), "FANN instrument").unwrap().map(|p| p.id), Some(1));
        assert_eq!(found(None, "Tokyo Keiki").unwrap().map(|p| p.code), Some("TK".into()));
        assert_eq!(found(Some("NCC009"), "Leybold").unwrap(), None);
        assert_eq!(found(Some("NCC001"), "Leybold").unwrap_err().column, "code");
        assert_eq!(found(Some("NCC009"), "Tokyo Keiki").unwrap_err().column, "name");
    }

    #[test]
    fn codes_are_kept_in_upper_case_and_accents_are_refused() {
        assert_eq!(parse_code(" ncc-012 "), Ok(Some("NCC-012".into())));
        assert_eq!(parse_code(""), Ok(None));
        assert!(parse_code("NCCĐ1").is_err());
        assert!(parse_code(&"A".repeat(21)).is_err());
    }
}
