//! Customers imported from a spreadsheet: every row checked by the rules of a single create
//! ([`CustomerFields::parse_new`], and [`ContactFields::parse_new`] for a row's primary contact),
//! a row that repeats an existing customer (same phone or tax code) or an earlier row reported,
//! and all rows written in one transaction or none.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use atq_platform::business_time::{now_micros, to_timestamp};
use atq_platform::{Caller, Db, Error, FieldError, Tx, idempotency, outbox};
use atq_proto::sales::v1 as pb;
use sqlx::AnyConnection;

use crate::contact::ContactFields;
use crate::customer::CustomerFields;
use crate::customer_import_store::{self, TakenColumn};

/// The most rows one import takes.
pub const MAX_IMPORT_ROWS: usize = 20_000;
/// The largest request or answer: 20,000 rows of a few hundred bytes each, with room to spare.
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// A row that passed every check: its spreadsheet row number, the customer and, when the row
/// names one, the customer's primary contact.
struct ValidRow {
    row: i32,
    customer: CustomerFields,
    contact: Option<ContactFields>,
}

/// The rows that pass every check and every row error.
struct Checked {
    valid: Vec<ValidRow>,
    errors: Vec<pb::ImportRowError>,
}

fn row_error(row: i32, column: &str, message: impl Into<String>) -> pb::ImportRowError {
    pb::ImportRowError { row, column: column.to_owned(), message: message.into() }
}

/// The row's contact when any of its fields is filled in: a blank contact is no contact.
fn contact_of(row: &pb::ImportCustomerRow) -> Option<&pb::CreateContactRequest> {
    row.contact.as_ref().filter(|c| {
        [&c.name, &c.position, &c.phone, &c.email, &c.birthday, &c.notes].iter().any(|text| !text.trim().is_empty())
    })
}

/// The row's contact by the rules of adding one by hand, as the customer's primary contact;
/// its errors name the file's columns (`contact_email`).
fn check_contact(
    row: &pb::ImportCustomerRow,
    errors: &mut Vec<pb::ImportRowError>,
) -> Result<Option<ContactFields>, Error> {
    let Some(request) = contact_of(row) else { return Ok(None) };
    match ContactFields::parse_new(request) {
        Ok(fields) => Ok(Some(ContactFields { is_primary: true, ..fields })),
        Err(Error::Invalid(fields)) => {
            errors.extend(fields.into_iter().map(|f| row_error(row.row, &format!("contact_{}", f.field), f.message)));
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

/// Each row by the create rules alone; a row outside the caller's office is a row error.
fn check_fields(rows: &[pb::ImportCustomerRow], caller: &Caller) -> Result<Checked, Error> {
    let mut checked = Checked { valid: Vec::with_capacity(rows.len()), errors: Vec::new() };
    for row in rows {
        let before = checked.errors.len();
        let request = row.customer.clone().unwrap_or_default();
        let customer = match CustomerFields::parse_new(&request, caller) {
            Ok(fields) => Some(fields),
            Err(Error::Invalid(fields)) => {
                checked.errors.extend(fields.into_iter().map(|f| row_error(row.row, &f.field, f.message)));
                None
            }
            Err(Error::PermissionDenied(_)) => {
                checked.errors.push(row_error(row.row, "office", "is not your office"));
                None
            }
            Err(other) => return Err(other),
        };
        let contact = check_contact(row, &mut checked.errors)?;
        if let Some(customer) = customer.filter(|_| checked.errors.len() == before) {
            checked.valid.push(ValidRow { row: row.row, customer, contact });
        }
    }
    Ok(checked)
}

/// Marks rows whose phone or tax code an existing customer or an earlier row already has.
async fn mark_duplicates(conn: &mut AnyConnection, checked: &mut Checked) -> Result<(), Error> {
    let phones: Vec<String> = checked.valid.iter().map(|v| v.customer.phone.clone()).collect();
    let tax_codes: Vec<String> =
        checked.valid.iter().map(|v| v.customer.tax_code.clone()).filter(|code| !code.is_empty()).collect();
    let taken_phones = customer_import_store::taken(conn, TakenColumn::Phone, &phones).await?;
    let taken_tax_codes = customer_import_store::taken(conn, TakenColumn::TaxCode, &tax_codes).await?;
    let (mut first_phone, mut first_tax_code) = (HashMap::new(), HashMap::new());
    let mut duplicate_rows = HashSet::new();
    for ValidRow { row, customer: fields, .. } in &checked.valid {
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
            duplicate_rows.insert(*row);
        }
    }
    checked.valid.retain(|v| !duplicate_rows.contains(&v.row));
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

/// Writes every checked row as a single create and a single added contact would, in a few
/// multi-row statements; the outbox events last, as [`outbox::record_many`] asks.
async fn write(tx: &mut Tx, db: &Db, caller: &Caller, valid: &[ValidRow]) -> Result<(Vec<pb::Customer>, usize), Error> {
    let now = now_micros();
    let fields: Vec<&CustomerFields> = valid.iter().map(|v| &v.customer).collect();
    let customers = customer_import_store::insert_customers(tx, &fields, caller, now).await?;
    let contacts: Vec<(i64, &ContactFields)> =
        customers.iter().zip(valid).filter_map(|(c, v)| v.contact.as_ref().map(|k| (c.id, k))).collect();
    customer_import_store::insert_contacts(tx, &contacts, caller, now).await?;
    let events: Vec<(String, pb::CustomerCreated)> = customers
        .iter()
        .map(|c| {
            let event = pb::CustomerCreated {
                customer_id: c.id,
                code: c.code.clone(),
                group: c.fields.group.to_proto() as i32,
                office: c.fields.office.to_proto() as i32,
                created_by: caller.username.clone(),
                created_at: Some(to_timestamp(now)),
            };
            (c.id.to_string(), event)
        })
        .collect();
    outbox::record_many(tx, db.backend(), "customer", &events).await?;
    Ok((customers.iter().map(|c| c.to_proto()).collect(), contacts.len()))
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
            contacts_created: 0,
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
            let (created, contacts) = write(tx, &db, &caller, &checked.valid).await?;
            Ok(pb::ImportCustomersResponse {
                dry_run: false,
                rows_read,
                rows_valid: count(created.len()),
                errors: Vec::new(),
                created,
                contacts_created: count(contacts),
            })
        })
    })
    .await?;
    tracing::info!(rows = answer.created.len(), contacts = answer.contacts_created, "customers imported");
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
        pb::ImportCustomerRow { row, customer: Some(customer), contact: None }
    }

    #[test]
    fn every_bad_row_is_reported_with_its_number_and_another_office_is_a_row_error() {
        let rep = Caller { username: "sales.hn".into(), role: Role::SalesRep, office: Some(Office::HaNoi) };
        let hcm = atq_proto::common::v1::Office::Hcm as i32;
        let rows =
            [row(2, "Công ty An Phát", "0912345678", 0), row(3, "", "12", 0), row(4, "Bình Minh", "0987654321", hcm)];
        let checked = check_fields(&rows, &rep).unwrap();
        assert_eq!(checked.valid.len(), 1);
        assert_eq!(checked.valid[0].customer.office, Office::HaNoi);
        let errors: Vec<_> = checked.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(errors, [(3, "name"), (3, "phone"), (4, "office")]);
    }

    #[test]
    fn a_row_contact_follows_the_contact_rules_and_a_blank_one_is_none() {
        let manager = Caller { username: "manager.hn".into(), role: Role::SalesManager, office: Some(Office::HaNoi) };
        let contact = |name: &str, email: &str| pb::CreateContactRequest {
            name: name.into(),
            position: "Kế toán trưởng".into(),
            email: email.into(),
            ..Default::default()
        };
        let mut rows = [
            row(2, "An Phát", "0912345678", 0),
            row(3, "Bình Minh", "0987654321", 0),
            row(4, "Đức Thành", "0912000003", 0),
        ];
        rows[0].contact = Some(contact(" Trần  Thị Hoa ", "hoa@anphat.vn"));
        rows[1].contact = Some(contact("", "not an email"));
        rows[2].contact = Some(pb::CreateContactRequest { name: "  ".into(), ..Default::default() });
        let checked = check_fields(&rows, &manager).unwrap();
        let errors: Vec<_> = checked.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(errors, [(3, "contact_name"), (3, "contact_email")]);
        let valid: Vec<_> = checked
            .valid
            .iter()
            .map(|v| (v.row, v.contact.as_ref().map(|c| (c.name.as_str(), c.is_primary))))
            .collect();
        assert_eq!(valid, [(2, Some(("Trần Thị Hoa", true))), (4, None)]);
    }
}
