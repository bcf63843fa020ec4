//! Customers imported from a spreadsheet: every row checked by the rules of a single create
//! ([`CustomerFields::parse_new`]), a row that repeats an existing customer (same phone or tax
//! code) or an earlier row reported, and all rows written in one transaction or none.

use std::collections::HashMap;
use std::sync::Arc;

use atq_platform::{Caller, Db, Error, FieldError, idempotency};
use atq_proto::sales::v1 as pb;
use sqlx::AnyConnection;

use crate::customer::CustomerFields;
use crate::customer_import_store::{self, TakenColumn};
use crate::customer_store;

/// The most rows one import takes.
pub const MAX_IMPORT_ROWS: usize = 20_000;
/// The largest request or answer: 20,000 rows of a few hundred bytes each, with room to spare.
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// The rows that pass every check, with their spreadsheet row numbers, and every row error.
struct Checked {
    valid: Vec<(i32, CustomerFields)>,
    errors: Vec<pb::ImportRowError>,
}

fn row_error(row: i32, column: &str, message: impl Into<String>) -> pb::ImportRowError {
    pb::ImportRowError { row, column: column.to_owned(), message: message.into() }
}

/// Each row by the create rules alone; a row outside the caller's office is a row error.
fn check_fields(rows: &[pb::ImportCustomerRow], caller: &Caller) -> Result<Checked, Error> {
    let mut checked = Checked { valid: Vec::with_capacity(rows.len()), errors: Vec::new() };
    for row in rows {
        let request = row.customer.clone().unwrap_or_default();
        match CustomerFields::parse_new(&request, caller) {
            Ok(fields) => checked.valid.push((row.row, fields)),
            Err(Error::Invalid(fields)) => {
                checked.errors.extend(fields.into_iter().map(|f| row_error(row.row, &f.field, f.message)));
            }
            Err(Error::PermissionDenied(_)) => {
                checked.errors.push(row_error(row.row, "office", "is not your office"));
            }
            Err(other) => return Err(other),
        }
    }
    Ok(checked)
}

/// Marks rows whose phone or tax code an existing customer or an earlier row already has.
async fn mark_duplicates(conn: &mut AnyConnection, checked: &mut Checked) -> Result<(), Error> {
    let phones: Vec<String> = checked.valid.iter().map(|(_, f)| f.phone.clone()).collect();
    let tax_codes: Vec<String> =
        checked.valid.iter().map(|(_, f)| f.tax_code.clone()).filter(|code| !code.is_empty()).collect();
    let taken_phones = customer_import_store::taken(conn, TakenColumn::Phone, &phones).await?;
    let taken_tax_codes = customer_import_store::taken(conn, TakenColumn::TaxCode, &tax_codes).await?;
    let (mut first_phone, mut first_tax_code) = (HashMap::new(), HashMap::new());
    let mut duplicate_rows = Vec::new();
    for (row, fields) in &checked.valid {
        let before = checked.errors.len();
        if !fields.tax_code.is_empty() {
            if taken_tax_codes.contains(&fields.tax_code) {
                checked.errors.push(row_error(*row, "tax_code", "a customer with this tax code already exists"));
            } else if let Some(earlier) = first_tax_code.insert(fields.tax_code.clone(), *row) {
                checked.errors.push(row_error(*row, "tax_code", format!("repeats the tax code of row {earlier}")));
                first_tax_code.insert(fields.tax_code.clone(), earlier);
            }
        }
        if taken_phones.contains(&fields.phone) {
            checked.errors.push(row_error(*row, "phone", "a customer with this phone number already exists"));
        } else if let Some(earlier) = first_phone.insert(fields.phone.clone(), *row) {
            checked.errors.push(row_error(*row, "phone", format!("repeats the phone number of row {earlier}")));
            first_phone.insert(fields.phone.clone(), earlier);
        }
        if checked.errors.len() > before {
            duplicate_rows.push(*row);
        }
    }
    checked.valid.retain(|(row, _)| !duplicate_rows.contains(row));
    checked.errors.sort_by_key(|e| e.row);
    Ok(())
}

async fn check(conn: &mut AnyConnection, caller: &Caller, rows: &[pb::ImportCustomerRow]) -> Result<Checked, Error> {
    let mut checked = check_fields(rows, caller)?;
    mark_duplicates(conn, &mut checked).await?;
    Ok(checked)
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Checks every row; unless this is a dry run and when no row is wrong, creates them all in one
/// transaction, once per idempotency key. A real run with a row error writes nothing and fails
/// with the errors as fields `rows[N].column`.
pub async fn import(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::ImportCustomersRequest,
) -> Result<pb::ImportCustomersResponse, Error> {
    let rows_read = count(input.rows.len());
    if input.dry_run {
        let mut conn = db.pool().acquire().await?;
        let checked = check(&mut conn, caller, &input.rows).await?;
        let rows_valid = count(checked.valid.len());
        return Ok(pb::ImportCustomersResponse {
            dry_run: true,
            rows_read,
            rows_valid,
            errors: checked.errors,
            created: Vec::new(),
        });
    }
    let scope = format!("sales.ImportCustomers:{}", caller.username);
    let rows = Arc::new(input.rows.clone());
    let answer = idempotency::run_once(db, &scope, key, input, move |tx| {
        let (db, caller, rows) = (db.clone(), caller.clone(), Arc::clone(&rows));
        Box::pin(async move {
            let checked = check(tx, &caller, &rows).await?;
            if !checked.errors.is_empty() {
                let fields =
                    checked.errors.iter().map(|e| FieldError::new(format!("rows[{}].{}", e.row, e.column), &e.message));
                return Err(Error::Invalid(fields.collect()));
            }
            let mut created = Vec::with_capacity(checked.valid.len());
            for (_, fields) in &checked.valid {
                created.push(customer_store::insert(tx, &db, fields, &caller).await?.to_proto());
            }
            Ok(pb::ImportCustomersResponse {
                dry_run: false,
                rows_read,
                rows_valid: count(created.len()),
                errors: Vec::new(),
                created,
            })
        })
    })
    .await?;
    tracing::info!(rows = answer.created.len(), "customers imported");
    metrics::counter!("atq_customers_created_total").increment(answer.created.len() as u64);
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use atq_platform::{Office, Role};

    use super::*;

    fn row(row: i32, name: &str, phone: &str, office: i32) -> pb::ImportCustomerRow {
        let customer = pb::CreateCustomerRequest {
            name: name.into(),
            group: pb::CustomerGroup::Dealer as i32,
            phone: phone.into(),
            address: "1 Tràng Tiền, Hà Nội".into(),
            office,
            ..Default::default()
        };
        pb::ImportCustomerRow { row, customer: Some(customer) }
    }

    #[test]
    fn every_bad_row_is_reported_with_its_number_and_another_office_is_a_row_error() {
        let rep = Caller { username: "sales.hn".into(), role: Role::SalesRep, office: Some(Office::HaNoi) };
        let hcm = atq_proto::common::v1::Office::Hcm as i32;
        let rows =
            [row(2, "Công ty An Phát", "0912345678", 0), row(3, "", "12", 0), row(4, "Bình Minh", "0987654321", hcm)];
        let checked = check_fields(&rows, &rep).unwrap();
        assert_eq!(checked.valid.len(), 1);
        assert_eq!(checked.valid[0].1.office, Office::HaNoi);
        let errors: Vec<_> = checked.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(errors, [(3, "name"), (3, "phone"), (4, "office")]);
    }
}
