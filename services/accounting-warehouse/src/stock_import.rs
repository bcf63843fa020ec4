//! Opening stock from a spreadsheet: every row checked as a receipt line is (quantity, unit cost,
//! one serial per unit of a serial-tracked product), serials repeated in the file or already in
//! the company reported with their rows, then the rows written as opening receipts (one per
//! warehouse, [`receipts::receive`]: debit 156 against the owner's capital 411) in one
//! transaction, or none. The rows' digest is the import's key, whoever sends them: the same rows
//! a second time add nothing.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use atq_platform::error::Result;
use atq_platform::{Caller, Db, Error, FieldError, Office, Tx, idempotency, limits};
use atq_proto::accountingwarehouse::v1 as pb;
use prost::Message;
use sqlx::AnyConnection;

use crate::receipts::{self, NewReceipt, ReceiptKind, ReceiptLine};
use crate::stock::{Condition, Tracking, parse_serials};
use crate::{money, stock_import_store};

/// The most rows one import takes.
pub const MAX_IMPORT_ROWS: usize = 20_000;
/// The largest request or answer: 20,000 rows with their serials, with room to spare.
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;
/// The idempotency scope of imports: not per user, so a file imported by one keeper is not
/// imported again by another.
const SCOPE: &str = "warehouse.ImportStock";
/// A receipt holds at most this many lines, as one typed in does.
const LINES_PER_RECEIPT: usize = 500;

struct ValidRow {
    row: i32,
    warehouse: Office,
    line: ReceiptLine,
}

struct Checked {
    valid: Vec<ValidRow>,
    errors: Vec<pb::StockImportRowError>,
}

fn row_error(row: i32, column: &str, message: impl Into<String>) -> pb::StockImportRowError {
    pb::StockImportRowError { row, column: column.to_owned(), message: message.into() }
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// One row by the receipt line rules; every problem with its column.
fn check_row(
    row: &pb::ImportStockRow,
    tracking: &Tracking,
) -> std::result::Result<ValidRow, Vec<(&'static str, String)>> {
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    let warehouse = Office::from_proto(row.warehouse).map_err(|m| problems.push(("warehouse", m))).ok();
    let tracked = tracking.get(&row.product_id).copied();
    if tracked.is_none() {
        problems.push(("model_code", "no product in the catalog has this model code".into()));
    }
    let quantity = limits::quantity(row.quantity).map_err(|m| problems.push(("quantity", m))).ok();
    let unit_cost = limits::amount(row.unit_cost).map_err(|m| problems.push(("unit_cost", m))).ok();
    let value = match (quantity, unit_cost) {
        (Some(q), Some(cost)) => limits::line_total(q, cost).map_err(|m| problems.push(("unit_cost", m))).ok(),
        _ => None,
    };
    let serials = match (quantity, tracked) {
        (Some(q), Some(t)) => parse_serials(&row.serials, q, t).map_err(|m| problems.push(("serials", m))).ok(),
        _ => None,
    };
    match (warehouse, quantity, unit_cost, value, serials) {
        (Some(warehouse), Some(quantity), Some(unit_cost), Some(value), Some(serials)) if problems.is_empty() => {
            let (product_id, condition) = (row.product_id, Condition::Good);
            let line = ReceiptLine { product_id, quantity, condition, unit_cost, value, serials };
            Ok(ValidRow { row: row.row, warehouse, line })
        }
        _ => Err(problems),
    }
}

fn check_fields(rows: &[pb::ImportStockRow], tracking: &Tracking) -> Checked {
    let mut checked = Checked { valid: Vec::with_capacity(rows.len()), errors: Vec::new() };
    for row in rows {
        match check_row(row, tracking) {
            Ok(valid) => checked.valid.push(valid),
            Err(problems) => checked.errors.extend(problems.into_iter().map(|(c, m)| row_error(row.row, c, m))),
        }
    }
    checked
}

/// Marks rows with a serial an earlier row lists or the company already holds.
async fn mark_taken_serials(conn: &mut AnyConnection, checked: &mut Checked) -> Result<()> {
    let mut first_row: HashMap<(i64, &str), i32> = HashMap::new();
    let mut held: HashMap<i64, HashSet<String>> = HashMap::new();
    let mut failed = HashSet::new();
    for valid in &checked.valid {
        let product_id = valid.line.product_id;
        if valid.line.serials.is_empty() {
            continue;
        }
        if let Entry::Vacant(entry) = held.entry(product_id) {
            entry.insert(stock_import_store::serials_held(conn, product_id).await?);
        }
        let in_company = held.get(&product_id);
        let (mut repeated, mut taken): (BTreeMap<i32, Vec<&str>>, Vec<&str>) = (BTreeMap::new(), Vec::new());
        for serial in &valid.line.serials {
            if in_company.is_some_and(|held| held.contains(serial)) {
                taken.push(serial.as_str());
            } else if let Some(earlier) = first_row.get(&(product_id, serial.as_str())) {
                repeated.entry(*earlier).or_default().push(serial.as_str());
            } else {
                first_row.insert((product_id, serial.as_str()), valid.row);
            }
        }
        if !taken.is_empty() {
            let message = format!("already in the company: {}", taken.join(", "));
            checked.errors.push(row_error(valid.row, "serials", message));
            failed.insert(valid.row);
        }
        for (earlier, serials) in repeated {
            let message = format!("already listed on row {earlier}: {}", serials.join(", "));
            checked.errors.push(row_error(valid.row, "serials", message));
            failed.insert(valid.row);
        }
    }
    checked.valid.retain(|valid| !failed.contains(&valid.row));
    checked.errors.sort_by_key(|e| e.row);
    Ok(())
}

async fn check(conn: &mut AnyConnection, rows: &[pb::ImportStockRow], tracking: &Tracking) -> Result<Checked> {
    let mut checked = check_fields(rows, tracking);
    mark_taken_serials(conn, &mut checked).await?;
    Ok(checked)
}

/// Units and value at cost the valid rows add.
fn totals(valid: &[ValidRow]) -> Result<(i64, i64)> {
    let units = money::sum(valid.iter().map(|v| v.line.quantity), "the import's units")?;
    let value = money::sum(valid.iter().map(|v| v.line.value), "the import's value")?;
    Ok((units, value))
}

/// The rows as opening receipts: one per warehouse (more past [`LINES_PER_RECEIPT`] lines).
async fn write(
    tx: &mut Tx,
    db: &Db,
    caller: &Caller,
    valid: Vec<ValidRow>,
    key: &str,
) -> Result<Vec<pb::ImportedReceipt>> {
    let mut by_warehouse: BTreeMap<Office, Vec<ReceiptLine>> = BTreeMap::new();
    for valid in valid {
        by_warehouse.entry(valid.warehouse).or_default().push(valid.line);
    }
    let reference = format!("import {}", key.get(..12).unwrap_or(key));
    let mut written = Vec::new();
    for (warehouse, mut lines) in by_warehouse {
        while !lines.is_empty() {
            let rest = lines.split_off(lines.len().min(LINES_PER_RECEIPT));
            let units = money::sum(lines.iter().map(|l| l.quantity), "the receipt's units")?;
            let value = money::sum(lines.iter().map(|l| l.value), "the receipt's value")?;
            let line_count = count(lines.len());
            let receipt = NewReceipt {
                warehouse,
                kind: ReceiptKind::Opening,
                reference: reference.clone(),
                note: "Tồn kho đầu kỳ nhập từ bảng tính".to_owned(),
                lines,
            };
            let receipt = receipts::receive(tx, db, caller, receipt).await?;
            let warehouse = warehouse.to_proto() as i32;
            written.push(pb::ImportedReceipt { number: receipt.number, warehouse, lines: line_count, units, value });
            lines = rest;
        }
    }
    Ok(written)
}

fn invalid(errors: &[pb::StockImportRowError]) -> Error {
    Error::Invalid(
        errors.iter().map(|e| FieldError::new(format!("rows[{}].{}", e.row, e.column), &e.message)).collect(),
    )
}

/// Checks every row; unless this is a dry run and when no row is wrong, writes the opening
/// receipts in one transaction, once per set of rows. A real run with a row error writes nothing
/// and fails with the errors as fields `rows[N].column`.
pub async fn import(
    db: &Db,
    caller: &Caller,
    tracking: Tracking,
    input: &pb::ImportStockRequest,
) -> Result<pb::ImportStockResponse> {
    let rows_read = count(input.rows.len());
    // A dry run and the real run of one file share the key: the digest of the rows alone.
    let rows_only = pb::ImportStockRequest { rows: input.rows.clone(), dry_run: false };
    let key = format!("rows:{}", idempotency::hex_sha256(&rows_only.encode_to_vec()));
    let mut conn = db.pool().acquire().await?;
    if stock_import_store::imported_before(&mut conn, SCOPE, &key).await? {
        let answer =
            pb::ImportStockResponse { dry_run: input.dry_run, rows_read, already_imported: true, ..Default::default() };
        return Ok(answer);
    }
    let checked = check(&mut conn, &input.rows, &tracking).await?;
    drop(conn);
    if !input.dry_run && !checked.errors.is_empty() {
        return Err(invalid(&checked.errors));
    }
    let (units, value) = totals(&checked.valid)?;
    let rows_valid = count(checked.valid.len());
    if input.dry_run {
        let errors = checked.errors;
        return Ok(pb::ImportStockResponse {
            dry_run: true,
            rows_read,
            rows_valid,
            errors,
            units,
            value,
            ..Default::default()
        });
    }
    let shared = Arc::new((rows_only.rows.clone(), tracking, key.clone()));
    let answer = idempotency::run_once(db, SCOPE, Some(&key), &rows_only, move |tx| {
        let (db, caller, shared) = (db.clone(), caller.clone(), Arc::clone(&shared));
        Box::pin(async move {
            let (rows, tracking, key) = &*shared;
            // Checked again inside the transaction: a receipt may have taken a serial since.
            let checked = check(tx, rows, tracking).await?;
            if !checked.errors.is_empty() {
                return Err(invalid(&checked.errors));
            }
            let rows_valid = count(checked.valid.len());
            let receipts = write(tx, &db, &caller, checked.valid, key).await?;
            let answer =
                pb::ImportStockResponse { rows_read, rows_valid, receipts, units, value, ..Default::default() };
            Ok(answer)
        })
    })
    .await?;
    let imported_units = u64::try_from(answer.units).unwrap_or(0);
    tracing::info!(rows = answer.rows_valid, units = imported_units, "opening stock imported");
    Ok(answer)
}
