//! Bank statements: each credit is matched to an open invoice by the invoice or order number in
//! its description and paid; what cannot be matched waits in a review list. A line is known by
//! its content, so importing the same statement twice changes nothing.

use std::collections::HashMap;

use atq_platform::business_time::{date_to_proto, parse_local_date, within_business_range};
use atq_platform::error::Result;
use atq_platform::idempotency::hex_sha256;
use atq_platform::limits::{self, MAX_AMOUNT};
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, Tx};
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::NaiveDate;
use sqlx::AnyConnection;

use crate::payments::{self, PaymentMethod, ReceivedPayment};
use crate::{bank_statement_store, invoice_store};

pub use crate::bank_statement_store::{BankLineStatus, StatementLine};

const MAX_LINES: usize = 5_000;

/// Vietnamese banks write dates as 31/01/2026; ISO dates (exactly YYYY-MM-DD) are accepted too.
/// Either way the date lies within the business range.
fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    if text.contains('/') {
        let date = NaiveDate::parse_from_str(text, "%d/%m/%Y")
            .map_err(|_| "must be a date like 31/01/2026 or 2026-01-31".to_owned())?;
        return within_business_range(date);
    }
    parse_local_date(text).map_err(|message| {
        if text.contains('-') { message } else { "must be a date like 31/01/2026 or 2026-01-31".to_owned() }
    })
}

/// Whole đồng, with or without thousands separators ("1.500.000", "1,500,000", "-250000").
fn parse_amount(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let groups: Vec<&str> = digits.split(['.', ',', ' ']).collect();
    let well_grouped = groups.len() == 1
        || (groups[1..].iter().all(|g| g.len() == 3) && !groups[0].is_empty() && groups[0].len() <= 3);
    if digits.is_empty() || !well_grouped || !groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit())) {
        return Err("must be whole đồng, e.g. 1.500.000".into());
    }
    let too_large = || format!("must be at most {MAX_AMOUNT} đồng either way");
    let units = groups.concat().parse::<i64>().map_err(|_| too_large())?;
    limits::amount(units).map(|units| sign * units).map_err(|_| too_large())
}

pub fn parse(csv_text: &str) -> Result<Vec<StatementLine>, Error> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(csv_text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::invalid("csv", e.to_string()))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(date), Some(amount), Some(description)) = (column("date"), column("amount"), column("description"))
    else {
        return Err(Error::invalid(
            "csv",
            "the first row must name the columns date, amount, description (and reference)",
        ));
    };
    let reference = column("reference");
    let mut v = Violations::new();
    let mut lines = Vec::new();
    let mut repeats: HashMap<String, u32> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                v.add(format!("lines[{i}]"), error.to_string());
                continue;
            }
        };
        let cell = |index: usize| record.get(index).unwrap_or("").to_owned();
        let booked_on = v.check(&format!("lines[{i}].date"), parse_date(&cell(date)));
        let amount = v.check(&format!("lines[{i}].amount"), parse_amount(&cell(amount)));
        let (description, reference) = (cell(description), reference.map(cell).unwrap_or_default());
        if let (Some(booked_on), Some(amount)) = (booked_on, amount) {
            let content = format!("{booked_on}\u{1f}{amount}\u{1f}{description}\u{1f}{reference}");
            // Two identical transfers on one day are two lines: the repeat count tells them apart.
            let repeat = repeats.entry(content.clone()).or_default();
            *repeat += 1;
            let hash = hex_sha256(format!("{content}\u{1f}{repeat}").as_bytes());
            lines.push(StatementLine { booked_on, amount, description, reference, hash });
        }
    }
    if lines.len() > MAX_LINES {
        v.add("csv", format!("at most {MAX_LINES} lines per statement"));
    }
    v.finish()?;
    Ok(lines)
}

/// The invoice a description names: an invoice number, or an order number with an open invoice.
async fn find_invoice(conn: &mut AnyConnection, description: &str) -> Result<Option<(i64, i64)>> {
    let tokens = description
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|t| t.len() >= 6)
        .map(str::to_ascii_uppercase);
    for token in tokens {
        if let Some(found) = invoice_store::find_by_reference(conn, &token).await? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// Records a stored line as the customer's payment; returns (invoice number, payment number).
async fn pay(
    tx: &mut Tx,
    db: &Db,
    caller: &Caller,
    line_id: i64,
    (invoice_id, customer_id): (i64, i64),
) -> Result<(String, String)> {
    let (booked_on, amount, description, reference) = bank_statement_store::content(tx, line_id).await?;
    // A line matched to an invoice already settled still belongs to that customer: it pays their
    // other open invoices or stays as their credit.
    let open = invoice_store::is_open(tx, invoice_id).await?;
    let request = pb::RecordPaymentRequest {
        customer_id,
        amount,
        received_on: booked_on.parse().ok().map(date_to_proto),
        reference: if reference.is_empty() { description.chars().take(200).collect() } else { reference },
        method: PaymentMethod::Bank.as_str().into(),
        invoice_id: if open { invoice_id } else { 0 },
    };
    let payment = payments::record_payment(tx, db, caller, ReceivedPayment::try_from(&request)?).await?;
    let invoice_number = payment.allocations.first().map(|a| a.invoice_number.clone()).unwrap_or_default();
    bank_statement_store::mark_matched(tx, line_id, &invoice_number, &payment.number).await?;
    Ok((invoice_number, payment.number))
}

fn line_proto(
    id: i64,
    line: &StatementLine,
    status: BankLineStatus,
    invoice_number: String,
    payment_number: String,
) -> pb::BankLine {
    pb::BankLine {
        id,
        booked_on: Some(date_to_proto(line.booked_on)),
        amount: line.amount,
        description: line.description.clone(),
        reference: line.reference.clone(),
        status: status.as_str().into(),
        invoice_number,
        payment_number,
    }
}

pub async fn import(tx: &mut Tx, db: &Db, caller: &Caller, csv_text: &str) -> Result<pb::BankStatementImport> {
    let mut result = pb::BankStatementImport::default();
    for line in parse(csv_text)? {
        let (status, imported) = import_line(tx, db, caller, &line).await?;
        match status {
            BankLineStatus::Duplicate => result.duplicates += 1,
            BankLineStatus::Matched => result.matched += 1,
            BankLineStatus::Unmatched => result.unmatched += 1,
            BankLineStatus::Ignored => {}
        }
        result.lines.push(imported);
    }
    Ok(result)
}

/// Stores one line and pays the invoice it names, when it is a credit that names one.
async fn import_line(
    tx: &mut Tx,
    db: &Db,
    caller: &Caller,
    line: &StatementLine,
) -> Result<(BankLineStatus, pb::BankLine)> {
    let status = if line.amount > 0 { BankLineStatus::Unmatched } else { BankLineStatus::Ignored };
    let now = atq_platform::business_time::now_micros();
    let Some(id) = bank_statement_store::insert(tx, line, status, &caller.username, now).await? else {
        return Ok((
            BankLineStatus::Duplicate,
            line_proto(0, line, BankLineStatus::Duplicate, String::new(), String::new()),
        ));
    };
    let target = if line.amount > 0 { find_invoice(&mut *tx, &line.description).await? } else { None };
    let Some(target) = target else { return Ok((status, line_proto(id, line, status, String::new(), String::new()))) };
    let (invoice_number, payment_number) = pay(tx, db, caller, id, target).await?;
    Ok((BankLineStatus::Matched, line_proto(id, line, BankLineStatus::Matched, invoice_number, payment_number)))
}

/// Matches a line of the review list to an invoice by hand.
pub async fn match_line(tx: &mut Tx, db: &Db, caller: &Caller, line_id: i64, invoice_id: i64) -> Result<pb::BankLine> {
    match bank_statement_store::status(tx, line_id).await?.as_deref() {
        None => return Err(Error::NotFound(format!("bank line {line_id}"))),
        Some(status) if status == BankLineStatus::Unmatched.as_str() => {}
        Some(other) => return Err(Error::Conflict(format!("bank line {line_id} is {other}, not waiting for review"))),
    }
    let customer_id = invoice_store::customer_of(tx, invoice_id).await?;
    let customer_id = customer_id.ok_or_else(|| Error::invalid("invoice_id", "no invoice has this id"))?;
    pay(tx, db, caller, line_id, (invoice_id, customer_id)).await?;
    let mut lines = list(&mut *tx, "", line_id - 1, 1).await?;
    lines.pop().ok_or_else(|| Error::NotFound(format!("bank line {line_id}")))
}

pub async fn list(conn: &mut AnyConnection, status: &str, after_id: i64, limit: i64) -> Result<Vec<pb::BankLine>> {
    bank_statement_store::list(conn, status, after_id, limit).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_whole_dong_with_any_thousands_separator() {
        assert_eq!(parse_amount("1.500.000"), Ok(1_500_000));
        assert_eq!(parse_amount("1,500,000"), Ok(1_500_000));
        assert_eq!(parse_amount("-250000"), Ok(-250_000));
        assert_eq!(parse_amount("-1.000.000.000.000.000"), Ok(-MAX_AMOUNT));
        for bad in ["1500000.00", "1.50.000", "", "12a", "1,5", "9.223.372.036.854.775.807", "1000000000000001"] {
            assert!(parse_amount(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn dates_are_the_banks_or_iso_within_the_business_range() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(parse_date(" 31/01/2026 "), Ok(day(2026, 1, 31)));
        assert_eq!(parse_date("2026-01-31"), Ok(day(2026, 1, 31)));
        assert_eq!(parse_date("1/2/2026"), Ok(day(2026, 2, 1)));
        for bad in ["31/12/9999", "01/01/0001", "9999-12-31", "2026-1-1", "+002026-01-01", "31/02/2026"] {
            assert!(parse_date(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn identical_lines_in_one_statement_stay_two_lines() {
        let csv = "date,amount,description,reference\n31/01/2026,500000,TT DH-2026-0001,FT1\n31/01/2026,500000,TT DH-2026-0001,FT1\n";
        let lines = parse(csv).unwrap();
        assert_eq!(lines.len(), 2);
        assert_ne!(lines[0].hash, lines[1].hash);
        assert_eq!(parse(csv).unwrap()[1].hash, lines[1].hash, "the same file gives the same identities");
    }

    #[test]
    fn bad_lines_are_named() {
        let Err(Error::Invalid(fields)) = parse("date,amount,description\n2026-13-01,1.000,x\n01/02/2026,1.5,y\n")
        else {
            panic!("expected field errors")
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["lines[0].date", "lines[1].amount"]);
        assert!(parse("when,how much\n").is_err());
    }
}
