//! Opening receivables imported from a spreadsheet: the invoices the old system left open, each
//! for a customer sales knows by code. Each row becomes an invoice under its old number, due when
//! it was due, posted debit 131 against the owner's capital 411 (as opening stock is), and what
//! was already paid a payment against it, so balances, aging and the credit check count what is
//! still owed and the ledger agrees with the documents. An old number imported before with the
//! same figures is left as it is; all new rows are written in one transaction or none.
//!
//! No event is recorded: the reports count what this system invoices and collects, and an opening
//! balance is neither.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use atq_platform::business_time::{date_from_proto, date_to_proto, local_date, now_micros, to_timestamp};
use atq_platform::validation::{Violations, required_text};
use atq_platform::{Caller, Db, Error, FieldError, Tx, idempotency, limits};
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::NaiveDate;
use sqlx::AnyConnection;

use crate::invoice_store::{self, InvoiceStatus};
use crate::journal::{self, Posting};
use crate::payment_store::{self, NewPayment};
use crate::receivable_import_store::{self, NumberedInvoice};
use crate::sales_customers::SalesCustomers;

/// The series opening invoices are kept under; an invoice of another series with an old number
/// is one this system issued.
pub const OPENING_SERIES: &str = "OPENING";
/// The owner's capital, which opening balances are brought in against.
const OPENING_CAPITAL: &str = "411";
/// The most rows one import takes.
pub const MAX_IMPORT_ROWS: usize = 20_000;
/// The largest request or answer: 20,000 rows of a hundred bytes or so, with room to spare.
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// A row that passed its own checks.
#[derive(Clone, Debug)]
struct OpeningRow {
    row: i32,
    customer_code: String,
    number: String,
    issued_on: NaiveDate,
    due_on: NaiveDate,
    amount: i64,
    paid: i64,
}

/// The rows to write (with their customer's id and name), those imported before, every error.
#[derive(Default)]
struct Checked {
    new: Vec<(OpeningRow, i64, String)>,
    present: Vec<pb::OpeningReceivable>,
    errors: Vec<pb::ReceivableImportRowError>,
}

fn row_error(row: i32, column: &str, message: impl Into<String>) -> pb::ReceivableImportRowError {
    pb::ReceivableImportRowError { row, column: column.to_owned(), message: message.into() }
}

fn required_date(v: &mut Violations, field: &str, date: Option<&atq_proto::common::v1::LocalDate>) -> NaiveDate {
    let parsed = date
        .ok_or_else(|| "is required".to_owned())
        .and_then(|date| date_from_proto(date).and_then(atq_platform::business_time::within_business_range));
    v.check(field, parsed).unwrap_or_default()
}

/// One row's own checks: bounds, dates in order and not after `today`, paid within the amount.
fn check_row(row: &pb::ImportReceivableRow, today: NaiveDate) -> Result<OpeningRow, Error> {
    let mut v = Violations::new();
    let customer_code = v.check("customer_code", required_text(&row.customer_code, 40)).unwrap_or_default();
    let number = v.check("invoice_number", required_text(&row.invoice_number, 40)).unwrap_or_default();
    let issued_on = required_date(&mut v, "invoice_date", row.invoice_date.as_ref());
    let due_on = required_date(&mut v, "due_date", row.due_date.as_ref());
    if row.invoice_date.is_some() && issued_on > today {
        v.add("invoice_date", "must not be in the future: only invoices already issued are open");
    }
    if row.due_date.is_some() && row.invoice_date.is_some() && due_on < issued_on {
        v.add("due_date", "must not be before the invoice date");
    }
    let amount = v.check("amount", limits::positive_amount(row.amount)).unwrap_or_default();
    let paid = v.check("paid", limits::amount(row.paid)).unwrap_or_default();
    if paid > amount && amount > 0 {
        v.add("paid", "must not be more than the amount");
    }
    v.finish()?;
    Ok(OpeningRow { row: row.row, customer_code, number, issued_on, due_on, amount, paid })
}

/// Each customer code the rows name, with sales' (id, name), or None when sales has no such code.
pub async fn customers_by_code(
    customers: &SalesCustomers,
    caller: &Caller,
    rows: &[pb::ImportReceivableRow],
) -> Result<HashMap<String, Option<(i64, String)>>, Error> {
    let mut found = HashMap::new();
    for row in rows {
        let code = row.customer_code.trim().to_ascii_uppercase();
        if !code.is_empty() && !found.contains_key(&code) {
            let customer = customers.find_by_code(caller, &code).await?;
            found.insert(code, customer);
        }
    }
    Ok(found)
}

fn as_receivable(row: &OpeningRow, invoice_id: i64, customer_id: i64, name: &str) -> pb::OpeningReceivable {
    pb::OpeningReceivable {
        row: row.row,
        invoice_id,
        invoice_number: row.number.clone(),
        customer_id,
        customer_code: row.customer_code.clone(),
        customer_name: name.to_owned(),
        amount: row.amount,
        paid: row.paid,
    }
}

/// Whether an old number was imported before with these figures (Ok(Some)), is new (Ok(None)),
/// or is taken otherwise (an error).
fn earlier_import(
    row: &OpeningRow,
    customer_id: i64,
    known: Option<&NumberedInvoice>,
) -> Result<Option<i64>, pb::ReceivableImportRowError> {
    let Some(known) = known else { return Ok(None) };
    if known.series != OPENING_SERIES {
        return Err(row_error(row.row, "invoice_number", "an invoice issued in this system has this number"));
    }
    let same = known.customer_id == customer_id
        && known.total == row.amount
        && known.issue_date == row.issued_on.to_string()
        && known.due_date == row.due_on.to_string();
    if same {
        Ok(Some(known.id))
    } else {
        let message = "was imported before with another customer, amount or dates; correct that invoice instead";
        Err(row_error(row.row, "invoice_number", message))
    }
}

/// Checks every row against its own rules, the customers sales knows, the rows before it and the
/// invoices already kept.
async fn check(
    conn: &mut AnyConnection,
    rows: &[pb::ImportReceivableRow],
    customers: &HashMap<String, Option<(i64, String)>>,
) -> Result<Checked, Error> {
    let today = local_date(now_micros());
    let mut checked = Checked::default();
    let mut passed = Vec::with_capacity(rows.len());
    let mut first_row: HashMap<String, i32> = HashMap::new();
    for row in rows {
        let parsed = match check_row(row, today) {
            Ok(parsed) => parsed,
            Err(Error::Invalid(problems)) => {
                checked.errors.extend(problems.into_iter().map(|f| row_error(row.row, &f.field, f.message)));
                continue;
            }
            Err(other) => return Err(other),
        };
        let Some(Some((customer_id, name))) = customers.get(&parsed.customer_code.to_ascii_uppercase()) else {
            let message = "no customer has this code; add or import the customer first";
            checked.errors.push(row_error(row.row, "customer_code", message));
            continue;
        };
        if let Some(earlier) = first_row.get(&parsed.number) {
            let message = format!("repeats the invoice number of row {earlier}");
            checked.errors.push(row_error(row.row, "invoice_number", message));
            continue;
        }
        first_row.insert(parsed.number.clone(), row.row);
        passed.push((parsed, *customer_id, name.clone()));
    }
    let numbers: Vec<String> = passed.iter().map(|(row, _, _)| row.number.clone()).collect();
    let known = receivable_import_store::invoices_numbered(conn, &numbers).await?;
    for (row, customer_id, name) in passed {
        match earlier_import(&row, customer_id, known.get(&row.number)) {
            Ok(Some(invoice_id)) => checked.present.push(as_receivable(&row, invoice_id, customer_id, &name)),
            Ok(None) => checked.new.push((row, customer_id, name)),
            Err(error) => checked.errors.push(error),
        }
    }
    checked.errors.sort_by_key(|e| e.row);
    Ok(checked)
}

/// The opening invoice: no lines (the old system's document holds them), the amount as billed.
fn opening_invoice(row: &OpeningRow, customer_id: i64, customer_name: &str, now: i64) -> pb::Invoice {
    pb::Invoice {
        number: row.number.clone(),
        series: OPENING_SERIES.into(),
        customer_id,
        customer_name: customer_name.to_owned(),
        issue_date: Some(date_to_proto(row.issued_on)),
        due_date: Some(date_to_proto(row.due_on)),
        total_net: row.amount,
        total_gross: row.amount,
        open_amount: row.amount,
        status: InvoiceStatus::Open.as_str().into(),
        created_at: Some(to_timestamp(now)),
        ..Default::default()
    }
}

/// Writes one opening receivable: the invoice and its entry, and what was paid before as a
/// payment allocated to it with its own entry.
async fn write(tx: &mut Tx, by: &str, (row, customer_id, name): &(OpeningRow, i64, String)) -> Result<i64, Error> {
    let now = now_micros();
    let invoice = opening_invoice(row, *customer_id, name, now);
    let id = receivable_import_store::insert_opening_invoice(tx, &invoice, (row.issued_on, row.due_on), now).await?;
    let memo = "opening receivable";
    let postings = [
        Posting::debit(journal::RECEIVABLE, row.amount).for_customer(*customer_id),
        Posting::credit(OPENING_CAPITAL, row.amount),
    ];
    journal::post(tx, ("invoice", &row.number), memo, by, &postings).await?;
    if row.paid == 0 {
        return Ok(id);
    }
    let number = format!("DK-{}", row.number);
    let payment = NewPayment {
        number: &number,
        customer_id: *customer_id,
        amount: row.paid,
        received_on: row.issued_on.to_string(),
        reference: "paid before the opening balance",
        method: "opening",
        created_by: by,
        created_at: now,
    };
    let payment_id = payment_store::insert(tx, &payment).await?;
    payment_store::insert_allocation(tx, payment_id, id, row.paid).await?;
    if !invoice_store::add_paid(tx, id, row.paid).await? {
        return Err(Error::internal(anyhow::anyhow!("opening invoice {} paid beyond its amount", row.number)));
    }
    let postings = [
        Posting::debit(OPENING_CAPITAL, row.paid),
        Posting::credit(journal::RECEIVABLE, row.paid).for_customer(*customer_id),
    ];
    journal::post(tx, ("payment", &number), memo, by, &postings).await?;
    Ok(id)
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn answer(
    rows_read: i32,
    dry_run: bool,
    checked: &Checked,
    created: Vec<pb::OpeningReceivable>,
) -> Result<pb::ImportReceivablesResponse, Error> {
    let failed_rows: HashSet<i32> = checked.errors.iter().map(|e| e.row).collect();
    let open = checked.new.iter().map(|(row, _, _)| row.amount - row.paid);
    let open_amount = limits::checked_sum(open)
        .ok_or_else(|| Error::invalid("rows", "the amounts together pass the largest amount the books hold"))?;
    Ok(pb::ImportReceivablesResponse {
        dry_run,
        rows_read,
        rows_valid: rows_read.saturating_sub(count(failed_rows.len())),
        errors: checked.errors.clone(),
        created,
        already_present: checked.present.clone(),
        open_amount,
    })
}

/// Checks every row; unless this is a dry run and when no row is wrong, writes the new ones in one
/// transaction, once per idempotency key. A real run with a row error writes nothing and fails
/// with the errors as fields `rows[N].column`.
pub async fn import(
    db: &Db,
    customers: &SalesCustomers,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::ImportReceivablesRequest,
) -> Result<pb::ImportReceivablesResponse, Error> {
    let rows_read = count(input.rows.len());
    let by_code = Arc::new(customers_by_code(customers, caller, &input.rows).await?);
    if input.dry_run {
        let mut conn = db.pool().acquire().await?;
        let checked = check(&mut conn, &input.rows, &by_code).await?;
        return answer(rows_read, true, &checked, Vec::new());
    }
    let scope = format!("accounting.ImportReceivables:{}", caller.username);
    let rows = Arc::new(input.rows.clone());
    let result = idempotency::run_once(db, &scope, key, input, move |tx| {
        let (by, rows, by_code) = (caller.username.clone(), Arc::clone(&rows), Arc::clone(&by_code));
        Box::pin(async move {
            let checked = check(tx, &rows, &by_code).await?;
            if !checked.errors.is_empty() {
                let fields =
                    checked.errors.iter().map(|e| FieldError::new(format!("rows[{}].{}", e.row, e.column), &e.message));
                return Err(Error::Invalid(fields.collect()));
            }
            let mut created = Vec::with_capacity(checked.new.len());
            for new in &checked.new {
                let invoice_id = write(tx, &by, new).await?;
                created.push(as_receivable(&new.0, invoice_id, new.1, &new.2));
            }
            answer(rows_read, false, &checked, created)
        })
    })
    .await?;
    tracing::info!(
        created = result.created.len(),
        present = result.already_present.len(),
        "opening receivables imported"
    );
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: i32, d: i32) -> Option<atq_proto::common::v1::LocalDate> {
        Some(atq_proto::common::v1::LocalDate { year: y, month: m, day: d })
    }

    fn row(amount: i64, paid: i64, issued: Option<atq_proto::common::v1::LocalDate>) -> pb::ImportReceivableRow {
        pb::ImportReceivableRow {
            row: 2,
            customer_code: "KH000001".into(),
            invoice_number: "0001234".into(),
            invoice_date: issued,
            due_date: date(2026, 2, 28),
            amount,
            paid,
        }
    }

    fn columns(result: Result<OpeningRow, Error>) -> Vec<String> {
        match result {
            Err(Error::Invalid(fields)) => fields.into_iter().map(|f| f.field).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_row_is_bounded_dated_in_the_past_and_paid_within_its_amount() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let good = check_row(&row(110_000_000, 10_000_000, date(2026, 1, 29)), today).unwrap();
        assert_eq!((good.amount, good.paid, good.due_on.to_string()), (110_000_000, 10_000_000, "2026-02-28".into()));
        assert_eq!(columns(check_row(&row(5, 6, date(2026, 1, 29)), today)), ["paid"]);
        assert_eq!(columns(check_row(&row(5, 0, date(2026, 3, 2)), today)), ["invoice_date", "due_date"]);
        assert_eq!(columns(check_row(&row(0, 0, None), today)), ["invoice_date", "amount"]);
        assert_eq!(columns(check_row(&row(limits::MAX_AMOUNT + 1, -1, date(2026, 1, 2)), today)), ["amount", "paid"]);
    }

    #[test]
    fn an_old_number_imported_before_is_left_alone_only_with_the_same_figures() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let parsed = check_row(&row(110_000_000, 0, date(2026, 1, 29)), today).unwrap();
        let known = NumberedInvoice {
            id: 9,
            series: OPENING_SERIES.into(),
            customer_id: 4,
            total: 110_000_000,
            issue_date: "2026-01-29".into(),
            due_date: "2026-02-28".into(),
        };
        assert_eq!(earlier_import(&parsed, 4, Some(&known)), Ok(Some(9)));
        assert_eq!(earlier_import(&parsed, 4, None), Ok(None));
        assert!(earlier_import(&parsed, 5, Some(&known)).is_err());
        let issued_here = NumberedInvoice { series: "C26TAQ".into(), ..known };
        assert!(earlier_import(&parsed, 4, Some(&issued_here)).is_err());
    }
}
